"""An uploaded sheet kept between its check and the clerk's decision (import the good rows, or not)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, TimestampMixin, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedBytes


class UploadStatus(Labelled):
    checked = "checked", "待确认"
    imported = "imported", "已导入"
    discarded = "discarded", "已放弃"


class ImportUpload(Base, TimestampMixin):
    """One uploaded file: checked row by row on upload (nothing written), then imported or discarded.

    The file itself is kept only while it waits for the decision; its report (bad rows, column, reason)
    stays, so the clerk can still download it."""

    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(EncryptedBytes(), deferred=True)
    """The file as uploaded (id numbers in it), encrypted like every other personal datum."""
    status: Mapped[UploadStatus] = mapped_column(_enum(UploadStatus), default=UploadStatus.checked, index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    """Rows that passed every check when last checked."""
    imported: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[list]] = mapped_column(JSON, default=list)
    """[row, column, reason] of every bad row, as last checked (on import: the rows left out)."""
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
