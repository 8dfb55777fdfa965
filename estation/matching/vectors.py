"""Embeddings of listings for the search index: the passage side of the encoder.

``listing_vectors(encoder, ...)`` is the ``vectors`` callable the composition root hands to indexing.sync
(sync_pending, rebuild): it embeds each vacancy or start-up opportunity from the same text matching
compares residents' words with (estation.matching.limits.job_facts), with the encoder's passage prompt.
Indexing makes no vectors of its own. The index must be built with ``vector_dims=encoder.dim`` and
``model_id=encoder.model_id``.

Vectors are kept in an :class:`EmbeddingStore` (a SQLite file beside the search index, keyed by model
and text), written after every chunk. Re-embedding 100,000 listings takes minutes; if it is stopped,
the next ``estation index rebuild`` takes the vectors already computed and encodes only the rest. A
listing whose text did not change (closed, wage edited) is never encoded again.

The hook only reads the rows: occupation codes are inferred when a vacancy is written
(estation.jobs.service), never on the way into the index.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from estation.matching.limits import job_facts

if TYPE_CHECKING:
    from estation.config import Settings
    from estation.matching.encoder import Encoder


def listing_text(kind: str, row: Any) -> str:
    """The text a listing is embedded from (a Vacancy or StartupOpportunity row)."""
    return job_facts(row, kind=kind).text


class EmbeddingStore:
    """Passage vectors by (model id, sha256 of the text): what makes re-embedding resumable."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS passage (model_id TEXT NOT NULL, digest BLOB NOT NULL, "
            "vector BLOB NOT NULL, used_at REAL NOT NULL, PRIMARY KEY (model_id, digest)) WITHOUT ROWID")
        self.reused = 0
        self.encoded = 0

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def encode(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
        """The passage vectors of ``texts``: stored ones read back, the others encoded and stored."""
        digests = [self.digest(t) for t in texts]
        found = self._get(encoder.model_id, list(set(digests)))
        missing = [d for d in dict.fromkeys(digests) if d not in found]
        if missing:
            text_of = dict(zip(digests, texts))
            fresh = np.asarray(encoder.encode_documents([text_of[d] for d in missing]), dtype=np.float32)
            self._put(encoder.model_id, list(zip(missing, fresh)))
            found.update(zip(missing, fresh))
        self.encoded += len(missing)
        self.reused += len(texts) - len(missing)
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([found[d] for d in digests])

    def lookup(self, model_id: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The stored vectors of ``texts`` (None where there is none), read only: matching's path."""
        digests = [self.digest(t) for t in texts]
        found = self._get(model_id, list(set(digests)), touch=False)
        return [found.get(d) for d in digests]

    def _get(self, model_id: str, digests: list[bytes], *, touch: bool = True) -> dict[bytes, np.ndarray]:
        out: dict[bytes, np.ndarray] = {}
        now = time.time()
        with self._lock:
            for start in range(0, len(digests), 500):
                chunk = digests[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = self._db.execute(
                    f"SELECT digest, vector FROM passage WHERE model_id = ? AND digest IN ({marks})", [model_id, *chunk])
                out.update((d, np.frombuffer(v, dtype=np.float32)) for d, v in rows)
                if touch:
                    self._db.execute(f"UPDATE passage SET used_at = ? WHERE model_id = ? AND digest IN ({marks})",
                                     [now, model_id, *chunk])
        return out

    def _put(self, model_id: str, items: list[tuple[bytes, np.ndarray]]) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO passage (model_id, digest, vector, used_at) VALUES (?, ?, ?, ?)",
                [(model_id, d, np.asarray(v, dtype=np.float32).tobytes(), now) for d, v in items])
            self._db.execute("COMMIT")

    def put(self, model_id: str, texts: Sequence[str], vectors: ArrayLike) -> None:
        """Keep vectors computed elsewhere (an index being copied, a test's fixed vectors)."""
        self._put(model_id, [(self.digest(t), v) for t, v in zip(texts, np.asarray(vectors, dtype=np.float32))])

    def count(self, model_id: str | None = None) -> int:
        with self._lock:
            if model_id is None:
                return self._db.execute("SELECT count(*) FROM passage").fetchone()[0]
            return self._db.execute("SELECT count(*) FROM passage WHERE model_id = ?", (model_id,)).fetchone()[0]

    def forget_unused_since(self, moment: float) -> int:
        """Drop the vectors no listing has asked for since ``moment`` (the start of a full rebuild):
        texts edited away and other models' vectors. Returns how many were dropped."""
        with self._lock:
            return self._db.execute("DELETE FROM passage WHERE used_at < ?", (moment,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def store_path(settings: Settings) -> Path:
    return Path(settings.var_dir) / "embeddings.sqlite3"


def listing_vectors(encoder: Encoder, *, store: EmbeddingStore | None = None) -> Callable[[str, list], list[list[float]]]:
    """The ``vectors`` callable of indexing.sync: embeds the listings' texts (through ``store`` if given)."""

    def vectors(kind: str, rows: list) -> list[list[float]]:
        if not rows:
            return []
        texts = [listing_text(kind, r) for r in rows]
        matrix = store.encode(encoder, texts) if store is not None else encoder.encode_documents(texts)
        return [row.tolist() for row in matrix]

    return vectors
