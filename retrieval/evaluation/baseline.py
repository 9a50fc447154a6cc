"""The plain llama-index pipeline, built the obvious way, to measure ours against.

`VectorStoreIndex` over the same articles (full text from the catalog) with the same
embedding model in a `ChromaVectorStore`, llama-index's default node parser and retriever,
the same top-k, no keyword search, no fusion, no dates. Its answer is the best-matching
sentence of the top passage; it never abstains. The index is kept under the data dir and
rebuilt only when the set of articles changes.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date

import chromadb
from chromadb.config import Settings as ClientSettings
from llama_index.core import Document, StorageContext, VectorStoreIndex
from llama_index.vector_stores.chroma import ChromaVectorStore

from retrieval.archive import Archive
from retrieval.results import Answer, Citation, Passage
from retrieval.text.sentences import split_sentences
from retrieval.text.vectors import cosine


class BaselinePipeline:
    """VectorStoreIndex + the same embedder + ChromaVectorStore, all defaults."""

    def __init__(self, archive: Archive, top_k: int = 10) -> None:
        self.archive = archive
        self.top_k = top_k
        records = list(archive.catalog.bodies())
        fingerprint = hashlib.sha256(
            "|".join(sorted(r.content_hash for r, _ in records)).encode()
        ).hexdigest()[:16]
        client = chromadb.PersistentClient(
            path=str(archive.data_dir / "baseline"),
            settings=ClientSettings(anonymized_telemetry=False),
        )
        name = f"baseline-{fingerprint}"
        existing = {c.name for c in client.list_collections()}
        for old in existing - {name}:
            client.delete_collection(old)
        collection = client.get_or_create_collection(name, embedding_function=None)
        store = ChromaVectorStore(chroma_collection=collection)
        self.build_seconds = 0.0
        if name in existing and collection.count() > 0:
            self.index = VectorStoreIndex.from_vector_store(store, embed_model=archive.embedder)
        else:
            started = time.perf_counter()
            documents = [
                Document(
                    text=body,
                    metadata={
                        "article_id": record.article_id,
                        "title": record.title,
                        "source": record.source or "",
                        "url": record.url or "",
                        "published": record.published.isoformat() if record.published else "",
                    },
                )
                for record, body in records
                if body
            ]
            self.index = VectorStoreIndex.from_documents(
                documents,
                storage_context=StorageContext.from_defaults(vector_store=store),
                embed_model=archive.embedder,
            )
            self.build_seconds = time.perf_counter() - started
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)

    def ask(self, question: str) -> Answer:
        """Retrieve top-k nodes and quote the top node's sentence closest to the question."""
        started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        passages = tuple(
            _passage(n.node.node_id, n.node.get_content(), n.node.metadata, n.score) for n in nodes
        )
        if not passages:
            return Answer(question, "", (), (), False)
        sentences = split_sentences(passages[0].text) or [passages[0].text]
        query = self.archive.embed_query(question)
        vectors = self.archive.embed_sentences(sentences)
        best = max(range(len(sentences)), key=lambda i: cosine(query, vectors[i]))
        text = f"{sentences[best]} [1]"
        elapsed = (time.perf_counter() - started) * 1000
        return Answer(
            question,
            text,
            (Citation(1, passages[0], sentences[best]),),
            passages,
            False,
            timings_ms={"total": round(elapsed, 1)},
        )


def _passage(node_id: str, text: str, metadata: dict[str, object], score: float | None) -> Passage:
    published = str(metadata.get("published") or "")
    return Passage(
        chunk_id=node_id,
        article_id=str(metadata.get("article_id", "")),
        text=text,
        title=str(metadata.get("title", "")),
        source=str(metadata.get("source") or "") or None,
        published=date.fromisoformat(published) if published else None,
        url=str(metadata.get("url") or "") or None,
        score=float(score or 0.0),
    )
