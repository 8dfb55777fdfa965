"""Export to .xlsx: masked by default, formula-safe, and a full export re-imports into another database."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.db import make_engine, make_session_factory
from estation.imports import import_bytes
from estation.imports.exporter import export_xlsx
from estation.jobs.models import Employer, EmploymentType, Vacancy
from estation.jobs.schemas import VacancyCreate
from estation.jobs.service import create_vacancy
from estation.labour.models import InsurancePeriod, Payer, Resident, Scheme, WorkCapacity
from estation.labour.schemas import InsurancePeriodCreate
from estation.labour.service import add_insurance_period
from tests.imports.helpers import (
    RESIDENT_HEADERS,
    create_employer,
    future,
    id_number,
    resident_row,
    xlsx_bytes,
)


def export(db: Session, kind: str, **kw) -> bytes:
    buffer = io.BytesIO()
    export_xlsx(db, kind=kind, out=buffer, **kw)
    return buffer.getvalue()


def sheet_rows(data: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.fixture
def other_db(template_db: Path, tmp_path: Path):
    """A second, empty instance to import an export into."""
    path = tmp_path / "other.sqlite3"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def seed(db: Session) -> tuple[Resident, Employer]:
    head = id_number(date(1966, 2, 3), "female")
    headers = [*RESIDENT_HEADERS, "搬运提举", "视力", "技能", "困难家庭"]
    rows = [
        [*resident_row(身份证号=head, 姓名="周玉梅", 劳动能力="部分", 手机号="13905317777", 住址="甸柳新村3号楼4单元502"), 1, 2, "'-熟练缝纫", "是"],
        [*resident_row(姓名="周小军", 与户主关系="子女", 住址="甸柳新村3号楼4单元502", 就业状态="就业"), None, None, None, "是"],
    ]
    report = import_bytes(db, kind="residents", data=xlsx_bytes(headers, rows), filename="r.xlsx", minimum_wage=2200)
    assert report.committed, report.errors
    resident = db.scalar(select(Resident).where(Resident.name == "周玉梅"))
    for scheme, start, end, province in ((Scheme.pension, "2001-03", "2010-12", "44"), (Scheme.pension, "2011-01", "2020-06", "37")):
        add_insurance_period(db, resident=resident, data=InsurancePeriodCreate(
            scheme=scheme, province=province, start_month=start, end_month=end,
            monthly_wage_base=Decimal("3456.78"), payer=Payer.individual, temporary_account=province == "44",
        ))
    employer = create_employer(db)
    create_vacancy(db, data=VacancyCreate(
        employer_id=employer.id, title="社区食堂帮厨", description='=HYPERLINK("http://evil.example","点我")',
        occupation_code="4-10-01-01", community_code="370102009003", address="甸柳新村第三社区食堂",
        wage_min=2400, wage_max=3000, hours_per_day=6, days_per_week=6, employment_type=EmploymentType.part_time,
        demands={"standing_walking": 3, "lifting_carrying": 2, "fine_hand": 2, "seeing": 2, "hearing": 1, "speaking": 1,
                 "learning_memory": 1}, adjustments=["seated_work", "training"], valid_until=future(120),
    ), minimum_wage=2200)
    db.commit()
    return resident, employer


def test_resident_export_masks_id_numbers_and_phones_by_default(db):
    resident, _ = seed(db)
    data = export(db, "residents")
    row = next(r for r in sheet_rows(data) if r["姓名"] == "周玉梅")
    assert row["身份证号"] == resident.id_number[0] + "*" * 16 + resident.id_number[-1]
    assert row["出生日期"] is None  # it would fill the masked digits
    assert row["手机号"] == "139****7777"
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # not hidden anywhere else in the workbook either
        assert not any(resident.id_number.encode() in package.read(name) for name in package.namelist())
    assert "说明" in load_workbook(io.BytesIO(data)).sheetnames
    periods = sheet_rows(export(db, "periods"))
    assert all("*" in p["身份证号"] for p in periods)


def test_export_neutralises_formula_text_written_through_the_ui(db):
    seed(db)
    vacancy_row = sheet_rows(export(db, "vacancies"))[0]
    assert vacancy_row["岗位描述"] == '\'=HYPERLINK("http://evil.example","点我")'
    resident_row_ = next(r for r in sheet_rows(export(db, "residents")) if r["姓名"] == "周玉梅")
    assert resident_row_["技能"] == "'-熟练缝纫"


def test_full_export_reimports_into_another_instance_unchanged(db, other_db):
    resident, employer = seed(db)
    residents, periods, vacancies = (export(db, kind, full=True) for kind in ("residents", "periods", "vacancies"))
    other_db.add(Employer(**{c: getattr(employer, c) for c in (
        "uscc", "name", "contact_name", "contact_phone", "address", "community_code", "lat", "lon", "status")}))
    other_db.commit()

    for kind, data in (("residents", residents), ("periods", periods), ("vacancies", vacancies)):
        report = import_bytes(other_db, kind=kind, data=data, filename=f"{kind}.xlsx", minimum_wage=2200)
        assert report.committed, (kind, report.errors, report.notes)
        assert not report.notes  # every exported header is known to the importer
        other_db.commit()

    copy = other_db.scalar(select(Resident).where(Resident.name == "周玉梅"))
    for attr in ("id_number", "phone", "birth_date", "sex", "hukou_province", "community_code", "relation",
                 "work_capacity", "limits", "employment_status", "skills", "max_travel_km"):
        assert getattr(copy, attr) == getattr(resident, attr), attr
    assert copy.work_capacity == WorkCapacity.partial and copy.skills == "-熟练缝纫"
    assert copy.household.hardship is True and len(copy.household.members) == 2

    def shape(session: Session) -> set[tuple]:
        return {(p.scheme, p.province, p.start_month, p.end_month, p.monthly_wage_base, p.payer, p.temporary_account)
                for p in session.scalars(select(InsurancePeriod))}

    assert shape(other_db) == shape(db) and len(shape(db)) == 2

    original, copied = db.scalar(select(Vacancy)), other_db.scalar(select(Vacancy))
    for attr in ("title", "description", "occupation_code", "community_code", "address", "wage_min", "wage_max",
                 "hours_per_day", "days_per_week", "shift", "employment_type", "demands", "adjustments", "valid_until"):
        assert getattr(copied, attr) == getattr(original, attr), attr


def test_masked_export_is_refused_on_reimport_rather_than_half_read(db, other_db):
    seed(db)
    report = import_bytes(other_db, kind="residents", data=export(db, "residents"), filename="r.xlsx", minimum_wage=2200)
    assert not report.committed
    assert {e.column for e in report.errors} >= {"身份证号"}
    assert other_db.scalar(select(Resident)) is None
