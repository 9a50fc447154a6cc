"""Everything Chroma: open (embedded or server), upsert, delete, query with date filters.

The collection holds one record per chunk with our own vectors (never Chroma's default
embedder, which would download a model). Metadata carries what a citation needs and the
publication date as an integer `YYYYMMDD` so date windows are cheap `$gte`/`$lte` filters.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from config.settings import ChromaSettings
from retrieval.errors import ArchiveError

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreError(ArchiveError):
    """The vector store cannot be reached or refused an operation; the message says what to do."""


@dataclass(frozen=True)
class ChunkRecord:
    """One chunk as stored: its text, the text its vector was made from, and citation data."""

    chunk_id: str
    article_id: str
    position: int
    text: str
    embed_text: str
    title: str
    source: str | None
    published: date | None
    url: str | None
    content_hash: str

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata: no None values allowed there, so absent fields are left out."""
        meta: dict[str, str | int] = {
            "article_id": self.article_id,
            "position": self.position,
            "title": self.title,
            "content_hash": self.content_hash,
            "published_int": date_to_int(self.published),
        }
        if self.source:
            meta["source"] = self.source
        if self.published:
            meta["published"] = self.published.isoformat()
        if self.url:
            meta["url"] = self.url
        return meta


@dataclass(frozen=True)
class DenseHit:
    """A chunk the vector index found, with its cosine similarity to the query."""

    chunk_id: str
    article_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float


def date_to_int(day: date | None) -> int:
    """`2019-05-20` -> 20190520; 0 for undated (which `date_where` keeps in every window)."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def int_to_date(value: object) -> date | None:
    """Inverse of `date_to_int`; None for 0 or anything odd."""
    if not isinstance(value, int) or value <= 0:
        return None
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def date_where(start: date | None, end: date | None) -> dict[str, Any] | None:
    """A Chroma `where` clause for a publication-date window (inclusive), undated chunks too.

    An undated page may be from any time, so a window never silently drops it: it is searched
    with the dated ones and the reply flags it as undated.
    """
    clauses: list[dict[str, Any]] = []
    if start:
        clauses.append({"published_int": {"$gte": date_to_int(start)}})
    if end:
        clauses.append({"published_int": {"$lte": date_to_int(end)}})
    if not clauses:
        return None
    window = clauses[0] if len(clauses) == 1 else {"$and": clauses}
    return {"$or": [window, {"published_int": 0}]}


class ChunkStore:
    """The chunk collection, embedded under the data dir or on a Chroma server."""

    def __init__(self, settings: ChromaSettings, data_dir: Path) -> None:
        self._settings = settings
        self.location = settings.url or str(data_dir / "chroma")
        self._client = self._with_retries("connect", lambda: _connect(settings, data_dir))
        self._collection = self._open_collection()

    def _open_collection(self) -> Any:
        settings = self._settings
        return self._with_retries(
            "open the collection",
            lambda: self._client.get_or_create_collection(
                name=settings.collection,
                configuration={
                    "hnsw": {
                        "space": "cosine",
                        "ef_construction": settings.hnsw_construction_ef,
                        "max_neighbors": settings.hnsw_m,
                        "ef_search": settings.hnsw_search_ef,
                    }
                },
                embedding_function=None,
            ),
        )

    def reset(self) -> None:
        """Drop every vector: the collection is deleted and made again, empty (`reembed`)."""
        from chromadb.errors import NotFoundError  # deferred: see _with_retries

        def drop() -> None:
            with contextlib.suppress(NotFoundError):  # a reset killed after the delete
                self._client.delete_collection(self._settings.collection)

        self._with_retries("delete the collection", drop)
        self._collection = self._open_collection()

    @property
    def kind(self) -> str:
        """`server` or `embedded`, for `newsbot stats`."""
        return "server" if self._settings.url else "embedded"

    def _with_retries(self, what: str, call: Callable[[], T]) -> T:
        from chromadb.errors import ChromaError  # deferred: chromadb takes ~1 s to import

        delay = 0.5
        attempts = self._settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return call()
            # httpx errors: the HTTP client raises them when a server it reached goes away.
            except (ChromaError, ConnectionError, OSError, ValueError, httpx.HTTPError) as error:
                if attempt == attempts or not _transient(error):
                    raise StoreError(
                        f"could not {what} in the Chroma store at {self.location}: {error}. "
                        "Check that the server is running and NEWSBOT_CHROMA__URL is right."
                        if self._settings.url
                        else f"could not {what} in the Chroma store at {self.location}: {error}. "
                        "If the store was damaged (a process killed while it wrote), "
                        "`newsbot repair` rebuilds it from the vector file."
                    ) from error
                log.warning("chroma %s failed (%s); retrying in %.1fs", what, error, delay)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._with_retries("count chunks", self._collection.count))

    def upsert(self, records: Sequence[ChunkRecord], vectors: Sequence[Sequence[float]]) -> None:
        """Store chunks with their vectors, in batches the server accepts."""
        size = self._settings.add_batch_size
        for start in range(0, len(records), size):
            batch = records[start : start + size]
            batch_vectors = [list(map(float, v)) for v in vectors[start : start + size]]
            self._with_retries(
                "store chunks",
                partial(
                    self._collection.upsert,
                    ids=[r.chunk_id for r in batch],
                    embeddings=batch_vectors,
                    documents=[r.text for r in batch],
                    metadatas=[r.metadata() for r in batch],
                ),
            )

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        """Remove every chunk of these articles."""
        ids = list(article_ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            self._with_retries(
                "delete chunks",
                partial(self._collection.delete, where={"article_id": {"$in": part}}),
            )

    def delete_chunk_ids(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (stale versions of an updated article)."""
        for start in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[start : start + 500])
            self._with_retries("delete chunks", partial(self._collection.delete, ids=part))

    def chunk_ids_of(self, article_id: str) -> list[str]:
        """Ids of the chunks stored for an article (to find leftovers of an interrupted run)."""
        result = self._with_retries(
            "list chunks",
            lambda: self._collection.get(where={"article_id": article_id}, include=[]),
        )
        return list(result["ids"])

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[DenseHit]:
        """The k nearest chunks to a query vector, optionally inside a date window."""
        result = self._with_retries(
            "search",
            lambda: self._collection.query(
                query_embeddings=[list(map(float, vector))],
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            ),
        )
        ids = result["ids"][0]
        documents = (result.get("documents") or [[]])[0] or []
        metadatas = (result.get("metadatas") or [[]])[0] or []
        distances = (result.get("distances") or [[]])[0] or []
        hits = []
        for chunk_id, text, meta, distance in zip(
            ids, documents, metadatas, distances, strict=False
        ):
            metadata = dict(meta or {})
            hits.append(
                DenseHit(
                    chunk_id=chunk_id,
                    article_id=str(metadata.get("article_id", "")),
                    text=text or "",
                    metadata=metadata,
                    similarity=1.0 - float(distance),
                )
            )
        return hits

    def get_chunks(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of chunks by id (for keyword hits the vector search missed)."""
        if not chunk_ids:
            return {}
        result = self._with_retries(
            "read chunks",
            lambda: self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas"]),
        )
        documents = result.get("documents") or []
        metadatas = result.get("metadatas") or []
        return {
            cid: (doc or "", dict(meta or {}))
            for cid, doc, meta in zip(result["ids"], documents, metadatas, strict=False)
        }


def _transient(error: Exception) -> bool:
    text = str(error).lower()
    return isinstance(error, ConnectionError | OSError | httpx.TransportError) or any(
        word in text for word in ("connect", "timeout", "unavailable", "temporarily", "503", "502")
    )


def _connect(settings: ChromaSettings, data_dir: Path) -> Any:
    # deferred: chromadb takes ~1 s to import, and a question the vector file answers needs none
    import chromadb
    from chromadb.config import Settings as ClientSettings

    if not settings.url:
        (data_dir / "chroma").mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(data_dir / "chroma"),
            settings=ClientSettings(anonymized_telemetry=False),
        )
    parts = urlsplit(settings.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(
            f"NEWSBOT_CHROMA__URL={settings.url!r} is not an http(s) URL like http://localhost:8000"
        )
    headers = {}
    if settings.auth_token:
        headers["Authorization"] = f"Bearer {settings.auth_token.get_secret_value()}"
    return chromadb.HttpClient(
        host=parts.hostname,
        port=parts.port or (443 if parts.scheme == "https" else 8000),
        ssl=parts.scheme == "https",
        headers=headers,
        settings=ClientSettings(anonymized_telemetry=False),
    )
