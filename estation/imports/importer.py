"""Import a sheet of residents, insurance periods or vacancies: all rows or none, with a full report.

Policy (issue 2, part 7): **the whole file is refused if any row is bad.** Every row is still checked,
so the report lists every bad row, column and reason at once and the clerk fixes the sheet in one go.
Rows run through the same pydantic schemas and services as the API, each inside its own SAVEPOINT, so
a rule the service enforces against the database (overlapping periods, an id number already
registered) is caught for that row without ending the run; the whole import is a further SAVEPOINT
that is released only when no row failed and this is not a dry run. The caller's unit of work commits.
There is therefore never half a file and never half a row (a row's new household goes with its row).

Imports only create records: a resident already registered, or a period overlapping one on record, is
reported, not overwritten.

The admin's upload page shows the report first (a dry run) and may then import the good rows only
(``keep_valid``): each bad row is still left out whole, and the report says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation import physical
from estation.errors import EstationError, validation_message
from estation.identifiers import parse_resident_id, validate_uscc
from estation.imports.columns import COLUMNS, KIND_NAMES, Column, header_index
from estation.imports.files import Table, UploadRefused, read_upload
from estation.jobs.models import Employer
from estation.jobs.schemas import VacancyCreate
from estation.jobs.service import create_vacancy
from estation.labour import repository
from estation.labour.models import Community, Household, Resident
from estation.labour.schemas import HouseholdCreate, InsurancePeriodCreate, ResidentCreate
from estation.labour.service import add_insurance_period, create_household, create_resident
from estation.privacy import mask_name
from estation.schemas import month_to_date

Progress = Callable[[str, int, int], None]
KINDS = tuple(COLUMNS)


@dataclass
class RowError:
    row: int | None
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    filename: str
    rows: int = 0
    valid: int = 0
    """Rows that passed every check (written only if ``committed``)."""
    committed: bool = False
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> int:
        return self.valid if self.committed else 0


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def import_bytes(
    session: Session, *, kind: str, data: bytes, filename: str, minimum_wage: int,
    dry_run: bool = False, keep_valid: bool = False, progress: Progress | None = None,
) -> ImportReport:
    """The entry point for an HTTP upload: raises ``UploadRefused`` for an unreadable file."""
    return import_table(
        session, kind=kind, table=read_upload(data, filename), filename=filename,
        minimum_wage=minimum_wage, dry_run=dry_run, keep_valid=keep_valid, progress=progress,
    )


def import_table(
    session: Session, *, kind: str, table: Table, filename: str, minimum_wage: int,
    dry_run: bool = False, keep_valid: bool = False, progress: Progress | None = None,
) -> ImportReport:
    """Check every row; write all of them only if none is bad (``keep_valid``: write the good ones anyway)."""
    if kind not in COLUMNS:
        raise UploadRefused(f"未知的导入类型：{kind}（可选：{'、'.join(KINDS)}）")
    mapping, notes = _map_headers(kind, table)
    report = ImportReport(kind=kind, filename=filename, rows=len(table.rows), dry_run=dry_run, notes=notes)
    context = _Context(session=session, kind=kind, minimum_wage=minimum_wage)
    build = {"residents": _resident, "periods": _period, "vacancies": _vacancy}[kind]
    report_progress = progress or (lambda *_: None)

    outer = session.begin_nested()
    try:
        for done, (row_no, cells) in enumerate(table.rows, start=1):
            values, errors = _parse_cells(row_no, cells, mapping)
            try:
                # Built even when a cell failed, so the schema can still report the row's other columns.
                build(context, row_no, values, errors)
                report.valid += 1
            except _RowFailed as failed:
                report.errors.extend(failed.errors)
            if done % 200 == 0 or done == report.rows:
                report_progress(f"校验{KIND_NAMES[kind]}", done, report.rows)
    except BaseException:
        outer.rollback()
        raise
    if dry_run or (report.errors and not keep_valid):
        outer.rollback()
    else:
        outer.commit()
        report.committed = True
    return report


def _map_headers(kind: str, table: Table) -> tuple[dict[int, Column], list[str]]:
    columns = COLUMNS[kind]
    index = header_index(columns)
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    unknown = []
    for i, header in enumerate(table.headers):
        column = index.get(header)
        if column is None:
            if header:
                unknown.append(header)
            continue
        if column.header in seen:
            raise UploadRefused(f"表头中第{seen[column.header] + 1}列和第{i + 1}列都是“{column.header}”，请删除重复的列")
        seen[column.header] = i
        if column.imported:
            mapping[i] = column
    if not seen:
        raise UploadRefused(
            f"表头中没有识别出任何{KIND_NAMES[kind]}导入列：请确认选对了导入类型、表头在第一行，"
            "且文件编码正确（CSV请用UTF-8或GB18030/GBK保存）"
        )
    missing = [c.header for c in columns if c.required and c.header not in seen]
    if kind == "residents" and "家庭编号" not in seen and not {"社区代码", "住址"} <= set(seen):
        missing.append("家庭编号（或“社区代码”和“住址”）")
    if missing:
        raise UploadRefused(f"缺少必填列：{'、'.join(missing)}")
    notes = [f"已忽略无法识别的列：{'、'.join(unknown)}"] if unknown else []
    return mapping, notes


def _parse_cells(row_no: int, cells: list, mapping: dict[int, Column]) -> tuple[dict[str, Any], _Errors]:
    values: dict[str, Any] = {}
    errors = _Errors()
    for i, column in mapping.items():
        try:
            value = column.parse(cells[i] if i < len(cells) else None)
        except ValueError as exc:
            errors.add(RowError(row_no, column.header, str(exc)))
            continue
        if value is not None:
            values[column.field] = value
    for column in mapping.values():
        if column.required and column.field not in values:
            errors.add(RowError(row_no, column.header, "必填，不能为空"))
    return values, errors


@dataclass
class _Context:
    """What one import remembers across rows: lookups loaded once, and keys seen for duplicate checks."""

    session: Session
    kind: str
    minimum_wage: int
    seen: dict[Any, int] = field(default_factory=dict)
    spans: dict[tuple[int, str], list[tuple[date, date, int]]] = field(default_factory=dict)
    _communities: dict[str, str] | None = None

    def community_code(self, value: str) -> str | None:
        if self._communities is None:
            self._communities = {}
            for c in self.session.scalars(select(Community)):
                for key in (c.code, c.name, c.short_name):
                    self._communities[key] = c.code
        return self._communities.get(value)

    def header(self, field_name: str | None, fallback: str = "") -> str:
        extra = {
            "household_id": "家庭编号", "limits": "劳动能力", "community_code": "社区代码", "employer_id": "统一社会信用代码",
            "demands": "体力与身体要求",
        }
        for column in COLUMNS[self.kind]:
            if column.field == field_name:
                return column.header
        return extra.get(field_name or "", fallback)

    def run(self, row_no: int, action: Callable[[], object]) -> None:
        """Apply a row's writes in its own SAVEPOINT, turning a service's refusal into a row error."""
        savepoint = self.session.begin_nested()
        try:
            action()
        except EstationError as exc:
            savepoint.rollback()
            raise _RowFailed([RowError(row_no, self.header(exc.field), exc.message)]) from None
        except IntegrityError:
            savepoint.rollback()
            raise _RowFailed([RowError(row_no, "", "与系统中已有的数据冲突（重复登记）")]) from None
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()


class _Errors(list):
    """A row's errors, one per column: a cell that failed to parse is not reported again as missing."""

    def add(self, error: RowError) -> None:
        if not any(e.column == error.column for e in self):
            self.append(error)


def _validate(context: _Context, row_no: int, schema: type[BaseModel], data: dict, errors: _Errors, rename=None):
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else None
            if name == "demands" and len(err["loc"]) > 1:
                name = f"level:{err['loc'][1]}"  # a vacancy's demand: its own column
            header = (rename or {}).get(name) or context.header(name)
            errors.add(RowError(row_no, header, validation_message(err)))
        return None


def _duplicate(context: _Context, row_no: int, key: Any, column: str, what: str, errors: _Errors) -> None:
    first = context.seen.setdefault(key, row_no)
    if first != row_no:
        errors.add(RowError(row_no, column, f"与第{first}行{what}重复"))


# --- residents --------------------------------------------------------------------------------------


def _resident(context: _Context, row_no: int, values: dict[str, Any], errors: _Errors) -> None:
    session = context.session
    limits = {d: values.pop(f"level:{d}") for d in physical.DOMAIN_NAMES if f"level:{d}" in values}
    household_id = values.pop("household_id", None)
    community = values.pop("community", None)
    household_fields = {k: values.pop(k) for k in ("address", "hardship", "hardship_reason") if k in values}
    fields = {**values, "household_id": household_id or 0, "limits": limits or None}
    data = _validate(context, row_no, ResidentCreate, fields, errors)
    if data is not None:
        _duplicate(context, row_no, ("id", data.id_number), "身份证号", "的身份证号", errors)

    new_household: HouseholdCreate | None = None
    if household_id is not None:
        if session.get(Household, household_id) is None:
            errors.add(RowError(row_no, "家庭编号", "家庭编号不存在"))
    elif community is None or "address" not in household_fields:
        errors.add(RowError(row_no, "社区代码" if community is None else "住址", "请填写家庭编号，或同时填写社区代码和住址"))
    else:
        code = context.community_code(community)
        if code is None:
            errors.add(RowError(row_no, "社区代码", "未知的社区：应为甸柳街道8个社区之一的代码或名称"))
        else:
            rename = {"community_code": "社区代码", "address": "住址", "hardship_reason": "困难原因"}
            new_household = _validate(context, row_no, HouseholdCreate, {**household_fields, "community_code": code}, errors, rename)
            if new_household is not None:
                household_id = _household_at(context, row_no, new_household, errors)
    if errors:
        raise _RowFailed(errors)

    def write() -> None:
        hid = household_id or create_household(session, data=new_household).id
        create_resident(session, data=data.model_copy(update={"household_id": hid}))

    context.run(row_no, write)


def _household_at(context: _Context, row_no: int, data: HouseholdCreate, errors: _Errors) -> int | None:
    """The one household already at this address, or None to create it; several is ambiguous."""
    ids = list(
        context.session.scalars(
            select(Household.id).where(Household.community_code == data.community_code, Household.address == data.address).limit(2)
        )
    )
    if len(ids) > 1:
        errors.add(RowError(row_no, "住址", "该住址登记了多个家庭，请填写家庭编号"))
    return ids[0] if ids else None


# --- insurance periods ------------------------------------------------------------------------------


def _period(context: _Context, row_no: int, values: dict[str, Any], errors: _Errors) -> None:
    resident: Resident | None = None
    number, name = values.pop("id_number", None), values.pop("name", None)
    try:
        rid = parse_resident_id(number)
    except ValueError as exc:
        errors.add(RowError(row_no, "身份证号", str(exc)))
    else:
        resident = repository.resident_by_id_number(context.session, rid.number)
        if resident is None:
            errors.add(RowError(row_no, "身份证号", "系统中没有该身份证号的居民，请先导入或登记居民"))
        elif name is not None and name != resident.name:
            errors.add(RowError(row_no, "姓名", f"与该身份证号登记的姓名（{mask_name(resident.name)}）不一致"))
    data = _validate(context, row_no, InsurancePeriodCreate, values, errors)
    if data is not None and resident is not None:
        start, end = month_to_date(data.start_month), month_to_date(data.end_month)
        spans = context.spans.setdefault((resident.id, data.scheme.value), [])
        for other_start, other_end, other_row in spans:
            if other_start <= end and start <= other_end:
                same = (other_start, other_end) == (start, end)
                errors.add(RowError(row_no, "开始月份", f"与第{other_row}行{'重复' if same else '的同险种缴费期重叠'}"))
                break
        else:
            spans.append((start, end, row_no))
    if errors:
        raise _RowFailed(errors)
    context.run(row_no, lambda: add_insurance_period(context.session, resident=resident, data=data))


# --- vacancies --------------------------------------------------------------------------------------


def _vacancy(context: _Context, row_no: int, values: dict[str, Any], errors: _Errors) -> None:
    session = context.session
    employer_id = 0
    try:
        uscc = validate_uscc(values.pop("uscc", ""))
    except ValueError as exc:
        errors.add(RowError(row_no, "统一社会信用代码", str(exc)))
    else:
        employer_id = session.scalar(select(Employer.id).where(Employer.uscc == uscc)) or 0
        if not employer_id:
            errors.add(RowError(row_no, "统一社会信用代码", "该用人单位尚未在系统中登记，请先登记用人单位"))
    if (community := values.pop("community", None)) is not None:
        values["community_code"] = context.community_code(community)
        if values["community_code"] is None:
            errors.add(RowError(row_no, "社区代码", "未知的社区：应为甸柳街道8个社区之一的代码或名称"))
            values.pop("community_code")
    demands = {d: values.pop(f"level:{d}") for d in physical.DOMAIN_NAMES if f"level:{d}" in values}
    data = _validate(context, row_no, VacancyCreate, {**values, "employer_id": employer_id, "demands": demands}, errors)
    if data is not None and employer_id:
        _duplicate(context, row_no, ("vacancy", employer_id, data.title, data.address), "岗位名称", "（同一单位、同名岗位、同一地址）", errors)
    if errors:
        raise _RowFailed(errors)
    context.run(row_no, lambda: create_vacancy(session, data=data, minimum_wage=context.minimum_wage))
