"""Batch import (批量导入) of residents, insurance periods or vacancies from an .xlsx or .csv sheet.

Uploading only checks: every bad row is listed with its column and reason, and nothing is written. The
clerk reads the list (or downloads it as a sheet to fix the file), then imports the rows that passed or
discards the file. Admins only: counter staff send their sheets to the admin (decided with the access
matrix, tests/hardening/test_access_matrix.py)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from estation.deps import DB, parts
from estation.errors import EstationError
from estation.imports import uploads
from estation.imports.columns import COLUMNS, KIND_NAMES
from estation.imports.models import ImportUpload, UploadStatus
from estation.schemas import PathId
from estation.web.admin.common import Admin, admin_router, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

SHOWN = 200
"""Bad rows listed on the page; the downloaded report has all of them."""


def _upload_page(request: Request, db: Session, *, kind: str = "", error: str = "", status_code: int = 200) -> HTMLResponse:
    headers = {k: [c.header for c in columns if c.imported] for k, columns in COLUMNS.items()}
    return page(request, "admin/imports.html", {
        "kinds": list(KIND_NAMES.items()), "kind": kind, "error": error, "headers": headers,
        "recent": uploads.recent_uploads(db), "kind_names": KIND_NAMES,
    }, status_code=status_code)


@router.get("/imports")
def upload_form(request: Request, db: DB, admin: Admin) -> HTMLResponse:
    return _upload_page(request, db)


@router.post("/imports", dependencies=[CsrfChecked, SubmittedOnce])
def upload(request: Request, db: DB, admin: Admin, file: Annotated[UploadFile | None, File()] = None,
           kind: Annotated[str, Form(max_length=20)] = "") -> Response:
    data = file.file.read() if file is not None else b""
    filename = (file.filename if file is not None else "") or ""
    try:
        if not filename:
            raise EstationError("请选择要导入的文件", field="file")
        with db.begin_nested():
            checked = uploads.check(db, kind=kind, data=data, filename=filename, user=admin.user,
                                    minimum_wage=parts(request).settings.minimum_wage_monthly)
    except EstationError as exc:
        return _upload_page(request, db, kind=kind, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/admin/imports/{checked.id}", status_code=303)


def _report_page(request: Request, upload: ImportUpload, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    return page(request, "admin/import_report.html", {
        "u": upload, "what": KIND_NAMES[upload.kind], "bad_rows": uploads.bad_rows(upload),
        "errors": upload.errors[:SHOWN], "more": max(0, len(upload.errors) - SHOWN), "error": error,
        "checked": upload.status == UploadStatus.checked,
    }, status_code=status_code)


@router.get("/imports/{upload_id}")
def report(request: Request, db: DB, admin: Admin, upload_id: PathId) -> HTMLResponse:
    return _report_page(request, uploads.get_upload(db, upload_id))


@router.get("/imports/{upload_id}/report")
def download_report(db: DB, admin: Admin, upload_id: PathId) -> Response:
    name, content = uploads.report_file(db, upload=uploads.get_upload(db, upload_id), user=admin.user)
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})


@router.post("/imports/{upload_id}/import", dependencies=[CsrfChecked, SubmittedOnce])
def import_rows(request: Request, db: DB, admin: Admin, upload_id: PathId) -> Response:
    upload = uploads.get_upload(db, upload_id)
    try:
        with db.begin_nested():
            uploads.import_valid_rows(db, upload=upload, user=admin.user,
                                      minimum_wage=parts(request).settings.minimum_wage_monthly)
    except EstationError as exc:
        db.refresh(upload)
        return _report_page(request, upload, error=exc.message, status_code=exc.status_code)
    done = quote(f"已导入{upload.imported}行{KIND_NAMES[upload.kind]}")
    return RedirectResponse(f"/admin/imports/{upload_id}?msg={done}", status_code=303)


@router.post("/imports/{upload_id}/discard", dependencies=[CsrfChecked, SubmittedOnce])
def discard(request: Request, db: DB, admin: Admin, upload_id: PathId) -> Response:
    upload = uploads.get_upload(db, upload_id)
    try:
        uploads.discard(db, upload=upload, user=admin.user)
    except EstationError as exc:
        return _report_page(request, upload, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/admin/imports?msg={quote('已放弃这份文件，没有写入任何数据')}", status_code=303)
