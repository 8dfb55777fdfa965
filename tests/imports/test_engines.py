"""The SAVEPOINT-per-row policy on both engines: PostgreSQL aborts a transaction on error, SQLite does not,
so the all-or-nothing rule is checked on each (the ``session`` fixture of tests/conftest.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from estation.imports import import_bytes
from estation.labour.models import Household, InsurancePeriod, Resident
from tests.factories import seed_places
from tests.imports.helpers import PERIOD_HEADERS, RESIDENT_HEADERS, create_resident, resident_row, xlsx_bytes


def test_a_refused_row_rolls_back_the_file_and_a_good_file_commits(session):
    seed_places(session)
    resident = create_resident(session, name="钱学良")
    n = resident.id_number
    overlapping = [
        [n, "钱学良", "养老", "37", "2001-01", "2005-12", 3000, "单位", "否"],
        [n, "钱学良", "养老", "37", "2006-01", "2009-12", 3000, "单位", "否"],
        [n, "钱学良", "医疗", "37", "2001-01", "2009-12", 3000, "单位", "否"],
        [n, "钱学良", "养老", "37", "2009-06", "2010-12", 3000, "单位", "否"],  # overlaps row 3
    ]
    report = import_bytes(session, kind="periods", data=xlsx_bytes(PERIOD_HEADERS, overlapping), filename="p.xlsx", minimum_wage=2200)
    assert [(e.row, e.column) for e in report.errors] == [(5, "开始月份")]
    assert session.scalar(select(func.count()).select_from(InsurancePeriod)) == 0

    # The session is still usable after a refused row (on PostgreSQL only thanks to the savepoints).
    registered = resident_row(身份证号=n)
    report = import_bytes(session, kind="residents", data=xlsx_bytes(RESIDENT_HEADERS, [resident_row(), registered]), filename="r.xlsx", minimum_wage=2200)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(3, "身份证号", "该身份证号已登记")]
    assert session.scalar(select(func.count()).select_from(Resident)) == 1

    report = import_bytes(session, kind="periods", data=xlsx_bytes(PERIOD_HEADERS, overlapping[:3]), filename="p.xlsx", minimum_wage=2200)
    assert report.committed and report.imported == 3
    assert session.scalar(select(func.count()).select_from(InsurancePeriod)) == 3
    assert session.scalar(select(func.count()).select_from(Household)) == 1
