"""Embeddings of listings for the search index: the passage side of the encoder.

``listing_vectors(encoder, ...)`` is the ``vectors`` callable the composition root hands to indexing.sync
(sync_pending, rebuild): it embeds each vacancy or start-up opportunity from the same text matching
compares residents' words with (estation.matching.limits.job_facts), with the encoder's passage prompt.
Indexing makes no vectors of its own. The index must be built with ``vector_dims=encoder.dim`` and
``model_id=encoder.model_id``.

Vectors are kept in a store keyed by model and text, written after every chunk: on PostgreSQL the
table ``passage_vector`` (:class:`DatabaseEmbeddingStore`), which every app process and command shares;
on the embedded default an :class:`EmbeddingStore`, a SQLite file beside the search index (its writes
never wait for the main database's write lock). :func:`embedding_store` picks. Re-embedding 100,000
listings takes minutes; if it is stopped, the next ``estation index rebuild`` takes the vectors already
computed and encodes only the rest. A listing whose text did not change (closed, wage edited) is never
encoded again, by any process.

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
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from estation.db import insert_or_merge
from estation.matching.limits import job_facts
from estation.matching.models import PassageVector

if TYPE_CHECKING:
    from estation.config import Settings
    from estation.matching.encoder import Encoder


def listing_text(kind: str, row: Any) -> str:
    """The text a listing is embedded from (a Vacancy or StartupOpportunity row)."""
    return job_facts(row, kind=kind).text


def query_key(model_id: str) -> str:
    """The key query vectors (the query side of the encoder: residents' phrases) are kept under, beside
    the passage vectors of the same model."""
    return f"{model_id}#query"


class VectorStore:
    """Passage vectors by (model id, sha256 of the text): what makes re-embedding resumable. A subclass
    keeps them (:meth:`_get`, :meth:`_put`, :meth:`count`, :meth:`forget_unused_since`)."""

    def __init__(self) -> None:
        self.reused = 0
        self.encoded = 0

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def encode(self, encoder: Encoder, texts: Sequence[str], *, queries: bool = False) -> np.ndarray:
        """The passage vectors of ``texts`` (``queries``: their query vectors, residents' phrases): stored
        ones read back, the others encoded and stored. Keyed by the text itself, so a changed profile
        or listing asks for new keys: nothing stored is ever stale."""
        model_key = query_key(encoder.model_id) if queries else encoder.model_id
        digests = [self.digest(t) for t in texts]
        found = self._get(model_key, sorted(set(digests)))
        missing = [d for d in dict.fromkeys(digests) if d not in found]
        if missing:
            text_of = dict(zip(digests, texts))
            encode = encoder.encode_queries if queries else encoder.encode_documents
            fresh = np.asarray(encode([text_of[d] for d in missing]), dtype=np.float32)
            self._put(model_key, list(zip(missing, fresh)))
            found.update(zip(missing, fresh))
        self.encoded += len(missing)
        self.reused += len(texts) - len(missing)
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([found[d] for d in digests])

    def lookup(self, model_id: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The stored vectors of ``texts`` (None where there is none), read only: matching's path."""
        digests = [self.digest(t) for t in texts]
        found = self._get(model_id, sorted(set(digests)), touch=False)
        return [found.get(d) for d in digests]

    def put(self, model_id: str, texts: Sequence[str], vectors: ArrayLike) -> None:
        """Keep vectors computed elsewhere (an index being copied, a test's fixed vectors)."""
        self._put(model_id, [(self.digest(t), v) for t, v in zip(texts, np.asarray(vectors, dtype=np.float32))])

    def _get(self, model_id: str, digests: list[bytes], *, touch: bool = True) -> dict[bytes, np.ndarray]:
        """The stored vectors of ``digests``; ``touch`` marks them used now."""
        raise NotImplementedError

    def _put(self, model_id: str, items: list[tuple[bytes, np.ndarray]]) -> None:
        raise NotImplementedError

    def count(self, model_id: str | None = None) -> int:
        raise NotImplementedError

    def forget_unused_since(self, moment: float) -> int:
        """Drop the vectors no listing or resident has asked for since ``moment`` (the start of a full
        rebuild): texts edited away and other models' vectors. Returns how many were dropped."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmbeddingStore(VectorStore):
    """The vectors in a SQLite file of their own (the embedded default; tests and benchmarks)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS passage (model_id TEXT NOT NULL, digest BLOB NOT NULL, "
            "vector BLOB NOT NULL, used_at REAL NOT NULL, PRIMARY KEY (model_id, digest)) WITHOUT ROWID")

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

    def count(self, model_id: str | None = None) -> int:
        with self._lock:
            if model_id is None:
                return self._db.execute("SELECT count(*) FROM passage").fetchone()[0]
            return self._db.execute("SELECT count(*) FROM passage WHERE model_id = ?", (model_id,)).fetchone()[0]

    def forget_unused_since(self, moment: float) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM passage WHERE used_at < ?", (moment,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


class DatabaseEmbeddingStore(VectorStore):
    """The vectors in the database's ``passage_vector`` table: one store for every app process and command
    on it, so a text one process encoded is never encoded again by another. Each call is its own short
    transaction (never the caller's: an index round holds its outbox claim meanwhile)."""

    CHUNK = 500

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def _get(self, model_id: str, digests: list[bytes], *, touch: bool = True) -> dict[bytes, np.ndarray]:
        out: dict[bytes, np.ndarray] = {}
        with Session(self.engine) as session, session.begin():
            for start in range(0, len(digests), self.CHUNK):
                chunk = digests[start:start + self.CHUNK]
                rows = session.execute(select(PassageVector.digest, PassageVector.vector)
                                       .where(PassageVector.model_id == model_id, PassageVector.digest.in_(chunk)))
                found = {bytes(d): np.frombuffer(v, dtype=np.float32) for d, v in rows}
                if touch and found:
                    session.execute(update(PassageVector).values(used_at=time.time()).where(
                        PassageVector.model_id == model_id, PassageVector.digest.in_(sorted(found))))
                out.update(found)
        return out

    def _put(self, model_id: str, items: list[tuple[bytes, np.ndarray]]) -> None:
        now = time.time()
        rows = {d: np.asarray(v, dtype=np.float32).tobytes() for d, v in items}
        with Session(self.engine) as session, session.begin():
            for start in range(0, len(rows), self.CHUNK):
                # In digest order: two processes storing the same texts at once lock the rows in one order.
                chunk = sorted(rows)[start:start + self.CHUNK]
                stmt = insert_or_merge(session, PassageVector).values(
                    [{"model_id": model_id, "digest": d, "vector": rows[d], "used_at": now} for d in chunk])
                session.execute(stmt.on_conflict_do_update(
                    index_elements=["model_id", "digest"],
                    set_={"vector": stmt.excluded.vector, "used_at": stmt.excluded.used_at}))

    def count(self, model_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(PassageVector)
        if model_id is not None:
            stmt = stmt.where(PassageVector.model_id == model_id)
        with Session(self.engine) as session:
            return session.scalar(stmt) or 0

    def forget_unused_since(self, moment: float) -> int:
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(PassageVector).where(PassageVector.used_at < moment))
            return result.rowcount  # type: ignore[attr-defined]


def store_path(settings: Settings) -> Path:
    return Path(settings.var_dir) / "embeddings.sqlite3"


def embedding_store(settings: Settings, engine: Engine | None) -> VectorStore:
    """The database's table on PostgreSQL (shared by every process), else the file beside the search index."""
    if engine is not None and engine.dialect.name == "postgresql":
        return DatabaseEmbeddingStore(engine)
    return EmbeddingStore(store_path(settings))


def listing_vectors(encoder: Encoder, *, store: VectorStore | None = None) -> Callable[[str, list], list[list[float]]]:
    """The ``vectors`` callable of indexing.sync: embeds the listings' texts (through ``store`` if given)."""

    def vectors(kind: str, rows: list) -> list[list[float]]:
        if not rows:
            return []
        texts = [listing_text(kind, r) for r in rows]
        matrix = store.encode(encoder, texts) if store is not None else encoder.encode_documents(texts)
        return [row.tolist() for row in matrix]

    return vectors
