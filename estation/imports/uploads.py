"""The admin's upload page: a sheet is checked on upload and nothing is written until the clerk, having
read (and perhaps downloaded) the report of bad rows, imports the good rows or discards the file.

The file waits in ``import_upload`` meanwhile; once decided, only its report is kept. A file nobody decided
on within :data:`KEEP_UNDECIDED` is discarded by the system (its personal data deleted, the report kept).
Deciding twice is refused (a Conflict), so a double-clicked button imports once. Every step is in the access log.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import sheets
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.db import utcnow
from estation.errors import Conflict
from estation.imports.columns import KIND_NAMES
from estation.imports.exporter import write_error_report
from estation.imports.files import UploadRefused
from estation.imports.importer import ImportReport, RowError, import_bytes
from estation.imports.models import ImportUpload, UploadStatus
from estation.kit import get_or_404

RECENT = 20
KEEP_UNDECIDED = timedelta(hours=24)
"""How long an uploaded file (id numbers in it) waits for the clerk's decision before it is deleted."""


def check(session: Session, *, kind: str, data: bytes, filename: str, user: User, minimum_wage: int) -> ImportUpload:
    """Check every row of the file (nothing is written) and keep it for the decision. ``UploadRefused``
    when the file as a whole cannot be read; ``kind`` must be one of ``KIND_NAMES``."""
    if kind not in KIND_NAMES:
        raise UploadRefused("请选择导入的内容", field="kind")
    report = import_bytes(session, kind=kind, data=data, filename=filename, minimum_wage=minimum_wage, dry_run=True)
    upload = ImportUpload(kind=kind, filename=filename[:200], data=data, status=UploadStatus.checked,
                          uploaded_by_id=user.id)
    _record(upload, report)
    session.add(upload)
    _log(session, user, "check", upload, f"上传并检查：共{report.rows}行，{report.valid}行无误")
    session.flush()
    return upload


def import_valid_rows(session: Session, *, upload: ImportUpload, user: User, minimum_wage: int) -> ImportUpload:
    """Import the rows that pass (checked again now: the records may have changed since the upload)."""
    _undecided(upload)
    report = import_bytes(session, kind=upload.kind, data=upload.data, filename=upload.filename,
                          minimum_wage=minimum_wage, keep_valid=True)
    _record(upload, report)
    upload.imported = report.imported
    _decide(upload, UploadStatus.imported, user)
    _log(session, user, "import", upload, f"导入{report.imported}行，{len({e.row for e in report.errors})}行有错未导入")
    session.flush()
    return upload


def discard(session: Session, *, upload: ImportUpload, user: User) -> ImportUpload:
    _undecided(upload)
    _decide(upload, UploadStatus.discarded, user)
    _log(session, user, "discard", upload, "放弃导入，未写入任何数据")
    session.flush()
    return upload


def expire_undecided(session: Session, *, now: datetime | None = None) -> int:
    """Discard the files that waited longer than :data:`KEEP_UNDECIDED`: their data is deleted, their
    report kept. Run before any upload is shown, so a stale file is never offered for import."""
    cutoff = (now or utcnow()) - KEEP_UNDECIDED
    stale = list(session.scalars(select(ImportUpload).where(ImportUpload.status == UploadStatus.checked,
                                                            ImportUpload.created_at < cutoff)))
    for upload in stale:
        _decide(upload, UploadStatus.discarded, None)
    session.flush()
    return len(stale)


def get_upload(session: Session, upload_id: int) -> ImportUpload:
    expire_undecided(session)
    return get_or_404(session, ImportUpload, upload_id, "没有这次上传")


def recent_uploads(session: Session) -> list[ImportUpload]:
    expire_undecided(session)
    return list(session.scalars(select(ImportUpload).order_by(ImportUpload.id.desc()).limit(RECENT)))


def bad_rows(upload: ImportUpload) -> int:
    return len({row for row, _column, _reason in upload.errors})


def report_file(session: Session, *, upload: ImportUpload, user: User) -> tuple[str, bytes]:
    """The report of bad rows as an .xlsx download: (file name, content)."""
    _log(session, user, "report", upload, "下载错误报告")
    report = ImportReport(kind=upload.kind, filename=upload.filename,
                          errors=[RowError(row, column, reason) for row, column, reason in upload.errors])
    out = io.BytesIO()
    write_error_report(report, out)
    stem = upload.filename.rsplit(".", 1)[0]
    return sheets.file_name(stem, "错误报告"), out.getvalue()


def _record(upload: ImportUpload, report: ImportReport) -> None:
    upload.rows, upload.valid = report.rows, report.valid
    upload.errors = [[e.row, e.column, e.reason] for e in report.errors]
    upload.notes = list(report.notes)


def _undecided(upload: ImportUpload) -> None:
    if upload.status != UploadStatus.checked:
        raise Conflict(f"这份文件{upload.status.label}，不能再次处理", field="upload")


def _decide(upload: ImportUpload, status: UploadStatus, user: User | None) -> None:
    """``user`` None: the system decided (the file waited too long)."""
    upload.status = status
    upload.data = b""  # personal data is kept no longer than the decision needs it
    upload.decided_by_id = user.id if user else None
    upload.decided_at = utcnow()


def _log(session: Session, user: User, action: str, upload: ImportUpload, what: str) -> None:
    log_access(session, user=user, resident_id=None, action=f"import_{action}",
               what=f"批量导入{KIND_NAMES[upload.kind]}：{upload.filename}"[:120], reason=what[:200])
