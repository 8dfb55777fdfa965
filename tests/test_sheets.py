"""Every spreadsheet the product writes is inert (issue 13, point 8): text that looks like a formula is
kept as visible text in every cell, the ledger's title, subtitle and file name included."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

from openpyxl import load_workbook

from estation import clock
from estation.accounts.models import Role
from estation.imports.exporter import export_xlsx
from estation.sheets import file_name
from tests.factories import create_household, create_resident, create_user
from tests.ledger.helpers import pair

ROOT = Path(__file__).resolve().parents[1]
LINK = '=HYPERLINK("http://x","y")'


def _cells(data: bytes):
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_inert(data: bytes, *texts: str) -> None:
    cells = list(_cells(data))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    shown = [c.value for c in cells if isinstance(c.value, str)]
    for text in texts:
        # visible as typed, behind the apostrophe that keeps it text (and that our import takes off)
        assert any(value == "'" + text or (text in value and not value.startswith(("=", "+", "-", "@")))
                   for value in shown), text
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in shown)


def test_the_ledger_export_writes_formula_text_as_text(api) -> None:
    with api.db() as s:
        cadre = create_user(s, role=Role.cadre)
        household = create_household(s, hardship=True)
        household.address = LINK
        create_resident(s, household=household, name="刘建国")
        pair(s, cadre, household)
        s.commit()
        household_id = household.id
    client = api.client_for(cadre)
    made = client.post(f"/api/v1/ledger/households/{household_id}/items", json={
        "category": "housing", "problem": LINK, "due_on": str(clock.today() + timedelta(days=20))})
    assert made.status_code == 201, made.text
    client.post(f"/api/v1/ledger/households/{household_id}/visits", json={"kind": "home_visit", "note": "@SUM(1,1)"})

    response = client.get(f"/api/v1/ledger/households/{household_id}/export.xlsx")
    assert response.status_code == 200
    _assert_inert(response.content, LINK)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'" + LINK)  # the subtitle
    row = [c for c in sheet[4]]
    assert row[2].value == "'" + LINK and row[5].value == "'" + LINK  # address and problem, readable
    name = unquote(re.search(r"filename\*=UTF-8''(.+)$", response.headers["content-disposition"]).group(1))
    assert name.endswith(".xlsx") and not re.search(r'[\\/:*?"<>|]', name) and "-=" not in name
    assert name.startswith("台账-'=HYPERLINK(")

    web = client.get(f"/ledger/households/{household_id}/export.xlsx")
    assert web.status_code == 200
    _assert_inert(web.content, LINK)
    assert web.headers["content-disposition"] == response.headers["content-disposition"]


def test_the_resident_export_writes_a_formula_address_as_text(api) -> None:
    with api.db() as s:
        household = create_household(s)
        household.address = LINK
        create_resident(s, household=household, name="周玉梅", skills="-熟练缝纫")
        s.commit()
        buffer = io.BytesIO()
        export_xlsx(s, kind="residents", out=buffer)
    _assert_inert(buffer.getvalue(), LINK, "-熟练缝纫")


def test_file_names_keep_the_text_but_no_path_or_formula() -> None:
    assert file_name("台账", "甸柳新村3号楼", str(date(2026, 3, 2))) == "台账-甸柳新村3号楼-2026-03-02.xlsx"
    assert file_name("台账", "../../etc/passwd") == "台账-.._.._etc_passwd.xlsx"
    assert file_name("台账", "+86 a:b") == "台账-'+86 a_b.xlsx"
    assert len(file_name("台账", "很长" * 200)) < 80


def test_no_module_writes_a_workbook_except_the_one_writer() -> None:
    writers = []
    for path in sorted((ROOT / "estation").rglob("*.py")) + sorted((ROOT / "indexing").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|csv\.writer|DictWriter|\.to_excel\(|\.to_csv\(", source):
            writers.append(path.relative_to(ROOT).as_posix())
    assert writers == ["estation/sheets.py"]

