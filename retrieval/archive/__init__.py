"""The archive: a data dir's catalog, keyword index, vector store and embedding, opened together."""

from retrieval.archive.archive import Archive, ArchiveStats

__all__ = ["Archive", "ArchiveStats"]
