"""newsbot's date-aware hybrid search as a llama-index retriever, for anyone's query engine.

`NewsRetriever(archive, settings).retrieve("What did X say last week?")` plans the question
(its time window as of `as_of`, default today), searches the archive with dense and keyword
retrieval inside that window, and returns scored nodes carrying our metadata (article id,
title, outlet, publication date, URL, other outlets that carried the story). Put it into a
`RetrieverQueryEngine` with any LLM or response synthesizer.
"""

from __future__ import annotations

from datetime import date

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from config.settings import RetrievalSettings
from retrieval.archive import Archive
from retrieval.question.plan import plan_question
from retrieval.results import Passage
from retrieval.search import SearchOptions, search
from retrieval.text.language import asked_language


class NewsRetriever(BaseRetriever):
    """Question (+ optional as-of date) -> passages of the archive as scored llama-index nodes."""

    def __init__(
        self,
        archive: Archive,
        settings: RetrievalSettings,
        *,
        as_of: date | None = None,
        top_k: int | None = None,
    ) -> None:
        super().__init__()
        self._archive = archive
        self._settings = settings
        self._as_of = as_of
        self._top_k = top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        plan = plan_question(
            query_bundle.query_str,
            self._settings,
            as_of=self._as_of,
            top_k=self._top_k,
            covers=self._archive.catalog.has_published,
            language=asked_language(query_bundle.query_str),
        )
        window = SearchOptions(k=plan.k, start=plan.start, end=plan.end, prefer_recent=plan.recent)
        result = search(self._archive, plan.query, window, self._settings)
        return [NodeWithScore(node=passage_node(p), score=p.score) for p in result.passages]


def passage_node(passage: Passage) -> TextNode:
    """A passage as a llama-index node: its text, and where it came from as metadata."""
    return TextNode(
        id_=passage.chunk_id,
        text=passage.text,
        metadata={
            "article_id": passage.article_id,
            "title": passage.title,
            "source": passage.source,
            "published": passage.published.isoformat() if passage.published else None,
            "url": passage.url,
            "also_published_by": list(passage.also_published_by),
        },
    )
