"""Syndicated copies: the same wire story run by several outlets, grouped as one story.

Texts are compared by MinHash signatures of their word 5-shingles, and candidates are found
with LSH banding: a signature is cut into bands, and two texts sharing any band's hash are
candidates whose estimated Jaccard similarity is then checked against the threshold. The band
hashes and signatures are stored by the catalog (`retrieval.archive.stories`), so adding an
article reads only its candidates.

Give it the cleaned body only: outlets wrap the same story in different boilerplate.
"""

from __future__ import annotations

import hashlib
import re

import datasketch
import numpy as np

from ingest.cleaning import normalize_text
from ingest.errors import IngestError
from retrieval.archive.stories import StoryTables

SEED = 20190520  # fixed, so signatures stored today match the ones computed tomorrow
_SCHEME = "affine32"
_SIG_DTYPE = np.uint32
_WORD = re.compile(r"\w+")
_CANDIDATE_RECALL = 0.95


class SyndicationError(IngestError):
    """The stored index cannot be used with these settings; the message says what to do."""


def shingles(text: str, k: int = 5) -> set[str]:
    """Overlapping runs of k words (case-folded, punctuation dropped); short texts give one."""
    words = _WORD.findall(normalize_text(text).casefold())
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def minhash(text: str, num_perm: int = 128) -> datasketch.MinHash:
    """A seeded MinHash of the text's shingles: equal inputs give equal signatures anywhere."""
    signature = datasketch.MinHash(num_perm=num_perm, seed=SEED, scheme=_SCHEME)
    signature.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles(text))])
    return signature


def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the widest bands that still catch a pair at the threshold 95% of the time.

    Candidates are verified against the threshold, so a spurious candidate costs one
    comparison while a missed one is a copy left ungrouped: recall is what the banding is for.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= _CANDIDATE_RECALL:
            return bands, rows
    return num_perm, 1


class SyndicationIndex:
    """Groups near-identical texts into stories, kept in the catalog's story tables.

    Each call commits. `story_id` of a story is the id of its first member still present.
    """

    def __init__(self, tables: StoryTables, threshold: float = 0.7, num_perm: int = 128):
        if not 0 < threshold <= 1:
            raise SyndicationError(f"threshold must be in (0, 1], got {threshold}")
        self._tables = tables
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = band_params(threshold, num_perm)
        self._check_params()

    def add(self, article_id: str, text: str) -> str:
        """Index a text and return its story: the closest earlier copy's story, else its own id."""
        self._tables.remove(article_id)
        words = shingles(text)
        signature = minhash(text, self.num_perm).hashvalues.astype(_SIG_DTYPE)
        keys = self._band_keys(signature) if words else []
        story_id = self._best_story(signature, keys) or article_id
        self._tables.add(article_id, signature.tobytes() if words else b"", story_id, keys)
        return story_id

    def remove(self, article_id: str) -> None:
        """Forget an article; if it named its story, the next-oldest member names it now."""
        self._tables.remove(article_id)

    def story_of(self, article_id: str) -> str | None:
        """The story an article belongs to, or None when it is not indexed."""
        return self._tables.story_of(article_id)

    def members(self, story_id: str) -> list[str]:
        """Article ids of a story, oldest first."""
        return self._tables.members(story_id)

    def _band_keys(self, signature: np.ndarray) -> list[str]:
        keys = []
        for band in range(self.bands):
            chunk = signature[band * self.rows : (band + 1) * self.rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8).hexdigest()
            keys.append(f"{band}:{digest}")
        return keys

    def _best_story(self, signature: np.ndarray, keys: list[str]) -> str | None:
        best: tuple[float, int, str] | None = None
        for rowid, blob, story_id in self._tables.signatures(self._tables.candidates(keys)):
            other = np.frombuffer(blob, dtype=_SIG_DTYPE)
            similarity = float(np.count_nonzero(other == signature)) / self.num_perm
            if similarity >= self.threshold and (
                best is None or (-similarity, rowid) < (-best[0], best[1])
            ):
                best = (similarity, rowid, story_id)
        return None if best is None else best[2]

    def _check_params(self) -> None:
        """Refuse signatures of another size; re-band stored ones when the threshold changed."""
        stored = self._tables.params()
        if stored and int(stored["num_perm"]) != self.num_perm:
            raise SyndicationError(
                f"the syndication index was built with num_perm={stored['num_perm']}, not "
                f"{self.num_perm}; use that value or rebuild the index (drop the syndication_* "
                "tables and re-ingest)"
            )
        wanted = {"num_perm": str(self.num_perm), "bands": str(self.bands), "rows": str(self.rows)}
        if stored == wanted:
            return
        # Stored signatures under other bands (the threshold changed) get their keys anew.
        self._tables.set_params(wanted, rebuild=self._stored_band_keys if stored else None)

    def _stored_band_keys(self, blob: bytes) -> list[str]:
        return self._band_keys(np.frombuffer(blob, dtype=_SIG_DTYPE))
