"""newsbot's search as a llama-index retriever, inside a llama-index query engine."""

from __future__ import annotations

from datetime import date

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine

from config.settings import RetrievalSettings
from retrieval.archive import Archive
from retrieval.retriever import NewsRetriever


def test_query_engine_answers_from_newsbot_passages(news: Archive) -> None:
    retriever = NewsRetriever(news, RetrievalSettings(), as_of=date(2025, 6, 1))
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = engine.query("How many dock workers walked out in the port strike?")
    assert response.source_nodes, "the engine got no nodes from the retriever"
    top = response.source_nodes[0]
    assert top.node.metadata["title"].startswith("Port strike")
    assert top.node.metadata["published"] == "2025-03-03"
    assert top.node.metadata["article_id"]
    assert top.score is not None and top.score > 0


def test_the_question_window_filters_nodes(news: Archive) -> None:
    """'in May 2025' keeps the panda story (1 May) and drops the strike (3 March)."""
    retriever = NewsRetriever(news, RetrievalSettings())
    nodes = retriever.retrieve("What happened at the zoo and the port in May 2025?")
    published = {n.node.metadata["published"] for n in nodes}
    assert published == {"2025-05-01"}
    everything = NewsRetriever(news, RetrievalSettings()).retrieve("zoo and port news")
    assert {n.node.metadata["published"] for n in everything} == {"2025-03-03", "2025-05-01"}
