"""Export residents, insurance periods and vacancies to .xlsx with the import headers, so a sheet re-imports.

Every row is written by ``estation.sheets``, the one spreadsheet writer: data typed into the web UI (a
description that starts with "=" or "-") must not become a live formula on a clerk's computer. Id numbers
and phones are masked unless the caller asks for full values (the CLI's ``--full``; an admin-only route at most).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation import kit, physical, sheets
from estation.imports import columns as cols
from estation.imports.importer import ImportReport
from estation.jobs.models import Adjustment, Employer, Vacancy
from estation.labour.models import InsurancePeriod, Resident, WorkCapacity
from estation.privacy import mask_id_number, mask_phone

Progress = Callable[[str, int, int], None]
BATCH = 500
SHEET_TITLES = {"residents": "居民", "periods": "参保缴费期", "vacancies": "岗位"}


def export_xlsx(
    session: Session, *, kind: str, out: Path | Any, full: bool = False,
    community_code: str | None = None, progress: Progress | None = None,
) -> int:
    """Write one sheet to ``out`` (a path or a binary file object); returns the number of data rows."""
    report = progress or (lambda *_: None)
    columns = cols.COLUMNS[kind]
    stmt, to_row = {
        "residents": (_residents_stmt(community_code), lambda r: _resident_row(r, full)),
        "periods": (_periods_stmt(community_code), lambda p: _period_row(p, full)),
        "vacancies": (_vacancies_stmt(community_code), _vacancy_row),
    }[kind]
    total = kit.count(session, stmt)

    workbook = sheets.new_workbook(streaming=True)
    sheet = workbook.create_sheet(SHEET_TITLES[kind])
    for i, column in enumerate(columns):
        sheet.column_dimensions[_letter(i)].width = max(10, len(column.header) * 2 + 2)
    sheets.add_row(sheet, [c.header for c in columns], bold=True)
    written = 0
    for obj in _batched(session, stmt):
        values = to_row(obj)
        sheets.add_row(sheet, [values.get(c.field) for c in columns])
        written += 1
        if written % BATCH == 0 or written == total:
            report(f"导出{SHEET_TITLES[kind]}", written, total)
    if kind != "vacancies" and not full:
        notes = workbook.create_sheet("说明")
        sheets.add_row(notes, ["本表中的身份证号和手机号已做脱敏处理，仅供查看，不能直接重新导入。"])
    workbook.save(out)
    return written


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _batched(session: Session, stmt) -> Iterator[Any]:
    """Keyset pages by id, so memory stays flat and no row is skipped while paging."""
    model = stmt.column_descriptions[0]["entity"]
    last = 0
    while True:
        page = list(session.scalars(stmt.where(model.id > last).order_by(None).order_by(model.id).limit(BATCH)))
        if not page:
            return
        yield from page
        # No expunge: the identity map holds clean objects weakly, so a finished page is freed without
        # detaching anything the caller's session still uses.
        last = page[-1].id


def _residents_stmt(community_code: str | None):
    stmt = select(Resident).options(selectinload(Resident.household), selectinload(Resident.status_history)).order_by(Resident.id)
    return stmt.where(Resident.community_code == community_code) if community_code else stmt


def _periods_stmt(community_code: str | None):
    stmt = select(InsurancePeriod).options(selectinload(InsurancePeriod.resident)).order_by(InsurancePeriod.id)
    if community_code:
        stmt = stmt.where(InsurancePeriod.resident.has(Resident.community_code == community_code))
    return stmt


def _vacancies_stmt(community_code: str | None):
    stmt = select(Vacancy).options(selectinload(Vacancy.employer)).order_by(Vacancy.id)
    return stmt.where(Vacancy.community_code == community_code) if community_code else stmt


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def _levels(levels: dict[str, int]) -> dict[str, int | None]:
    """Blank where nothing is stated (a vacancy's unstated demand is unknown, never 0)."""
    return {f"level:{d}": levels.get(d) for d in physical.DOMAIN_NAMES}


def _resident_row(r: Resident, full: bool) -> dict[str, Any]:
    household = r.household
    row = {
        "id_number": r.id_number if full else mask_id_number(r.id_number),
        "name": r.name,
        "sex": r.sex.label,
        # Beside a masked id number the birth date would fill its hidden digits.
        "birth_date": r.birth_date if full else None,
        "phone": (r.phone if full else mask_phone(r.phone)) or None,
        "hukou_province": r.hukou_province,
        # The household number is left out: it is this database's key and means nothing elsewhere;
        # community + address identify the household on re-import.
        "community": household.community_code,
        "address": household.address,
        "hardship": _yes_no(household.hardship),
        "hardship_reason": household.hardship_reason,
        "relation": r.relation.label,
        "work_capacity": r.work_capacity.label,
        "max_hours_per_day": r.max_hours_per_day,
        "disability_category": r.disability_category,
        "disability_grade": r.disability_grade,
        "health_note": r.health_note,
        "employment_status": r.employment_status.label,
        "status_since": _current_since(r),
        "education": r.education,
        "skills": r.skills or None,
        "experience": r.experience or None,
        "wishes": r.wishes or None,
        "occupation_codes": "、".join(r.occupation_codes or []) or None,
        "preferred_hours_per_day": r.preferred_hours_per_day,
        "preferred_days_per_week": r.preferred_days_per_week,
        "max_travel_km": r.max_travel_km,
        "home_based_only": _yes_no(r.home_based_only),
        "consent_to_employers": _yes_no(r.consent_to_employers),
    }
    if r.work_capacity == WorkCapacity.partial:
        # Only partial capacity has limits of its own; full and none are implied by the capacity.
        row.update(_levels(r.limits or {}))
    return row


def _current_since(r: Resident) -> date | None:
    open_spells = [s.start_date for s in r.status_history if s.end_date is None]
    return open_spells[-1] if open_spells else None


def _period_row(p: InsurancePeriod, full: bool) -> dict[str, Any]:
    return {
        "id_number": p.resident.id_number if full else mask_id_number(p.resident.id_number),
        "name": p.resident.name,
        "scheme": p.scheme.label,
        "province": p.province,
        "start_month": f"{p.start_month:%Y-%m}",
        "end_month": f"{p.end_month:%Y-%m}",
        "monthly_wage_base": p.monthly_wage_base,
        "payer": p.payer.label,
        "employer_name": p.employer_name,
        "temporary_account": _yes_no(p.temporary_account),
    }


def _vacancy_row(v: Vacancy) -> dict[str, Any]:
    employer: Employer = v.employer
    return {
        "uscc": employer.uscc,
        "employer_name": employer.name,
        "title": v.title,
        "description": v.description or None,
        "occupation_code": v.occupation_code,
        "community": v.community_code,
        "address": v.address,
        "lat": v.lat,
        "lon": v.lon,
        "wage_min": v.wage_min,
        "wage_max": v.wage_max,
        "hours_per_day": v.hours_per_day,
        "days_per_week": v.days_per_week,
        "shift": v.shift.label,
        "employment_type": v.employment_type.label,
        "home_based": _yes_no(v.home_based),
        **_levels(v.demands or {}),
        "adjustments": "、".join(Adjustment(a).label for a in v.adjustments or []) or None,
        "openings": v.openings,
        "valid_until": v.valid_until,
        "status": v.status.label,
    }


def write_error_report(report: ImportReport, out: Path | Any) -> None:
    """The full list of bad rows as a sheet the clerk can sort and tick off (``out``: a path or a binary file)."""
    workbook = sheets.new_workbook(streaming=True)
    sheet = workbook.create_sheet("错误报告")
    sheets.add_row(sheet, ("行号", "列", "原因"), bold=True)
    for error in report.errors:
        sheets.add_row(sheet, [error.row, error.column, error.reason])
    workbook.save(out)
