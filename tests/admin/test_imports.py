"""The admin's upload page: a sheet is checked and its bad rows reported before anything is written; the
report downloads as a sheet; the good rows are imported on confirmation, once."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from estation.accounts.models import AccessLog, Role
from estation.imports.models import ImportUpload, UploadStatus
from estation.labour.models import Resident
from estation.labour.repository import resident_by_id_number
from tests.admin.plain import assert_plain
from tests.conftest import screenshot, sign_in
from tests.factories import create_user
from tests.imports.helpers import RESIDENT_HEADERS, csv_bytes, id_number, resident_row

pytestmark = pytest.mark.browser
SHEET_WORDS = ("Excel", "xlsx", "CSV", "csv")
"""Latin words the upload page may show: the kinds of file it takes and the uploaded file's name."""


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def admin(api):
    with api.db() as s:
        user = create_user(s, role=Role.admin)
        s.commit()
        return user


def _residents(api) -> int:
    with api.db() as s:
        return s.scalar(select(func.count()).select_from(Resident))


def _sheet(good: list[str], bad_number: str) -> bytes:
    rows = [resident_row(身份证号=n, 姓名=name) for n, name in zip(good, ("张建国", "刘淑珍"))]
    rows.insert(1, resident_row(身份证号=bad_number, 姓名="孙立新"))
    return csv_bytes(RESIDENT_HEADERS, rows)


def test_check_then_download_then_import_the_good_rows(api, live, page, admin, tmp_path) -> None:
    good = [id_number(), id_number()]
    bad = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    path = tmp_path / "居民名单.csv"
    path.write_bytes(_sheet(good, bad))
    before = _residents(api)

    base = live.url
    sign_in(page, base, admin.username, "/admin/imports")
    assert_plain(page.locator("main").inner_text(), allowed=SHEET_WORDS)
    page.select_option("#kind", label="居民")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r".*/admin/imports/\d+$"))
    summary = page.locator("#summary").inner_text()
    assert "尚未写入任何数据" in summary and "共3行居民" in summary and "2行无误" in summary and "1行有错" in summary
    cells = page.locator("#bad-rows tbody td").all_inner_texts()
    assert cells[:2] == ["3", "身份证号"] and "校验" in cells[2]
    assert _residents(api) == before  # nothing written by the check
    with api.db() as s:  # the file waits encrypted, like every id number at rest
        stored = s.execute(text("SELECT data FROM import_upload ORDER BY id DESC")).scalars().first()
        assert good[0].encode() not in stored and "孙立新".encode() not in stored
    assert_plain(page.locator("main").inner_text(), allowed=(*SHEET_WORDS, path.name))
    screenshot(page, "admin-imports.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（Excel）").click()
    assert download.value.suggested_filename == "居民名单-错误报告.xlsx"
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原因") and rows[1][:2] == (3, "身份证号") and len(rows) == 2

    page.get_by_role("button", name=re.compile("导入2行无误的数据")).click()
    page.wait_for_url(re.compile(r".*/admin/imports/\d+\?msg=.*"))
    assert page.locator(".notice").inner_text() == "已导入2行居民"
    assert "已导入2行居民；1行有错，没有导入" in page.locator("#summary").inner_text()
    assert page.get_by_role("button", name=re.compile("导入")).count() == 0
    assert _residents(api) == before + 2
    with api.db() as s:
        assert [resident_by_id_number(s, n).name for n in good] == ["张建国", "刘淑珍"]
        upload = s.scalars(select(ImportUpload).order_by(ImportUpload.id.desc())).first()
        assert upload.status == UploadStatus.imported and upload.data == b"" and upload.imported == 2
        actions = s.scalars(select(AccessLog.action).where(AccessLog.what == "批量导入居民：居民名单.csv")).all()
        assert actions == ["import_check", "import_report", "import_import"]


def test_confirming_twice_imports_once(api, admin) -> None:
    client = api.client_for(admin)
    form = client.get("/admin/imports").text
    sheet = _sheet([id_number(), id_number()], "110101")
    checked = client.post("/admin/imports", data={"csrf_token": _csrf(form), "kind": "residents"},
                          files={"file": ("两人.csv", sheet, "text/csv")}, follow_redirects=False)
    assert checked.status_code == 303
    report = client.get(checked.headers["location"]).text
    before = _residents(api)
    confirm = {"csrf_token": _csrf(report), "submission_token": _token(report)}
    url = checked.headers["location"] + "/import"
    first = client.post(url, data=confirm, follow_redirects=False)
    second = client.post(url, data=confirm, follow_redirects=False)
    assert first.status_code == second.status_code == 303 and second.headers["location"] == first.headers["location"]
    # a fresh form from a page still open in another tab is refused by the upload's state
    again = client.post(url, data={"csrf_token": _csrf(report)}, follow_redirects=False)
    assert again.status_code == 409 and "这份文件已导入，不能再次处理" in again.text
    assert _residents(api) == before + 2


@pytest.mark.parametrize(("name", "content", "kind", "message"), [
    ("名单.pdf", b"%PDF-1.4 not a sheet", "residents", "只能导入 .xlsx 或 .csv 文件"),
    ("名单.csv", b"", "residents", "文件是空的"),
    ("名单.csv", csv_bytes(["姓名"], [["张三"]]), "residents", "缺少必填列"),
    ("名单.csv", csv_bytes(RESIDENT_HEADERS, [resident_row()]), "households", "请选择导入的内容"),
])
def test_an_unreadable_file_is_refused_in_chinese_and_nothing_is_kept(api, admin, name, content, kind, message) -> None:
    client = api.client_for(admin)
    form = client.get("/admin/imports").text
    with api.db() as s:
        uploads = s.scalar(select(func.count()).select_from(ImportUpload))
    answer = client.post("/admin/imports", data={"csrf_token": _csrf(form), "kind": kind},
                         files={"file": (name, content, "application/octet-stream")}, follow_redirects=False)
    assert 400 <= answer.status_code < 500 and message in answer.text, answer.text[-1500:]
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(ImportUpload)) == uploads


def test_a_discarded_file_writes_nothing_and_keeps_only_its_report(api, admin) -> None:
    client = api.client_for(admin)
    form = client.get("/admin/imports").text
    checked = client.post("/admin/imports", data={"csrf_token": _csrf(form), "kind": "residents"},
                          files={"file": ("放弃.csv", _sheet([id_number(), id_number()], "123"), "text/csv")},
                          follow_redirects=False)
    report = client.get(checked.headers["location"]).text
    before = _residents(api)
    gone = client.post(checked.headers["location"] + "/discard", data={"csrf_token": _csrf(report)}, follow_redirects=False)
    assert gone.status_code == 303
    assert _residents(api) == before
    shown = client.get(checked.headers["location"]).text
    assert "已放弃这份文件，没有写入任何数据" in shown and "下载错误报告" in shown
    workbook = load_workbook(io.BytesIO(client.get(checked.headers["location"] + "/report").content))
    assert len(list(workbook.worksheets[0].iter_rows())) == 2


def test_counter_staff_cannot_upload(api) -> None:
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=2)
        s.commit()
    client = api.client_for(clerk)
    assert client.get("/admin/imports", follow_redirects=False).status_code == 403
    answer = client.post("/admin/imports", data={"csrf_token": "x", "kind": "residents"},
                         files={"file": ("a.csv", b"a", "text/csv")}, follow_redirects=False)
    assert answer.status_code == 403


def test_a_file_left_undecided_for_a_day_is_deleted_and_cannot_be_imported(api, admin) -> None:
    """The uploaded file holds id numbers: kept for the decision only. After 24 hours undecided the
    system deletes it (the report stays) and the import button is gone; a fresh upload is untouched."""
    from datetime import timedelta

    from estation.db import utcnow
    from estation.imports.uploads import KEEP_UNDECIDED

    client = api.client_for(admin)
    form = client.get("/admin/imports").text
    old = client.post("/admin/imports", data={"csrf_token": _csrf(form), "kind": "residents"},
                      files={"file": ("昨天.csv", _sheet([id_number(), id_number()], "123"), "text/csv")},
                      follow_redirects=False)
    fresh = client.post("/admin/imports", data={"csrf_token": _csrf(form), "kind": "residents"},
                        files={"file": ("今天.csv", _sheet([id_number(), id_number()], "123"), "text/csv")},
                        follow_redirects=False)
    old_id, fresh_id = (int(r.headers["location"].rsplit("/", 1)[1]) for r in (old, fresh))
    with api.db() as s:
        s.get(ImportUpload, old_id).created_at = utcnow() - KEEP_UNDECIDED - timedelta(minutes=1)
        s.commit()
    listing = client.get("/admin/imports").text
    assert "超时未处理，已删除" in listing
    shown = client.get(old.headers["location"]).text
    assert "系统已删除这份文件" in shown and f"/admin/imports/{old_id}/import" not in shown and "下载错误报告" in shown
    refused = client.post(old.headers["location"] + "/import", data={"csrf_token": _csrf(shown)}, follow_redirects=False)
    assert refused.status_code == 409
    with api.db() as s:
        expired, kept = s.get(ImportUpload, old_id), s.get(ImportUpload, fresh_id)
        assert expired.status == UploadStatus.discarded and expired.data == b"" and expired.decided_by_id is None
        assert kept.status == UploadStatus.checked and kept.data != b""
