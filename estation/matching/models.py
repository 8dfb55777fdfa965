"""Matching's one table: the listings' passage vectors, shared by every app process on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Float, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base


class PassageVector(Base):
    """A listing text's passage vector under one model, by the sha256 of the text
    (estation.matching.vectors.DatabaseEmbeddingStore; the embedded default keeps them in a file instead)."""

    __tablename__ = "passage_vector"

    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32, little-endian, ``dims`` of them."""
    used_at: Mapped[float] = mapped_column(Float)
    """Seconds since the epoch when a listing last asked for it (a full rebuild drops the ones not asked for)."""
