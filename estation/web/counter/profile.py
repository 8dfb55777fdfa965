"""The counter's job-seeker screens: register a resident (求职登记 / 失业登记) and keep their profile, the
limit per declared functional domain asked as its plain question, and insurance periods moved in from
other provinces. Every write goes through the labour service the API uses, which logs who changed what
and why; a refused form writes nothing (a savepoint) and names the field in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from estation import clock, physical
from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.deps import DB, Principal
from estation.errors import EstationError, InvalidInput, validation_message
from estation.geo import provinces
from estation.labour import service
from estation.labour.access import RECORD_KEEPERS, ensure_can_register_in, ensure_can_see_resident, may_register_in
from estation.labour.models import EmploymentStatus, Payer, Registration, Relation, Resident, Scheme, WorkCapacity
from estation.labour.schemas import (
    DIFFICULTY_CATEGORIES,
    DISABILITY_CATEGORIES,
    FIELD_NAMES,
    HouseholdCreate,
    InsurancePeriodCreate,
    ResidentCreate,
    ResidentUpdate,
)
from estation.schemas import PathId
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked, require_web_roles

router = APIRouter(include_in_schema=False, route_class=FormRoute)

Clerk = Annotated[Principal, Depends(require_web_roles(Role.counter_staff, Role.admin, login_url="/login"))]
"""The window's work: cases, PINs, follow-ups, figures."""
Keeper = Annotated[Principal, Depends(require_web_roles(*RECORD_KEEPERS, login_url="/login"))]
"""Finding residents, registering job seekers and keeping their records: also community staff, within their
own community (the same rule as the API's)."""
Model = TypeVar("Model", bound=BaseModel)

TEXTS = ("skills", "experience", "wishes", "education")
"""Free-text fields kept as an empty text (never null) when the clerk leaves them blank."""
CHECKBOXES = ("home_based_only", "consent_to_employers")
OPTIONAL = ("status_since", "registration", "registered_on", "preferred_hours_per_day",
            "preferred_days_per_week", "max_travel_km", "disability_category",
            "disability_grade", "difficulty_category", "difficulty_recognised_on", "health_note")
"""Fields a blank clears (or, on a new record, leaves unset)."""
EXTRA_NAMES = {"start_month": "开始月份", "end_month": "结束月份", "monthly_wage_base": "月缴费基数", "province": "参保省份",
               "scheme": "险种", "payer": "缴费方", "employer_name": "参保单位", "reason": "修改原因"}


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's single values (a case type's intake answers, a profile's domain questions)."""
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def desk(user: User) -> str:
    """Where the record is kept, as the access log and the change log say it."""
    return "社区" if user.role == Role.community_staff else "窗口"


def _name(field: str) -> str:
    return FIELD_NAMES.get(field) or EXTRA_NAMES.get(field, "填写的内容")


def _parse(schema: type[Model], values: dict[str, Any]) -> Model:
    """Build ``schema`` from the form's values; the first error names its field in Chinese."""
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        first: dict[str, Any] = dict(exc.errors()[0])
        field = str(first["loc"][0]) if first["loc"] else ""
        raise InvalidInput(f"“{_name(field)}”：{validation_message(first)}", field=field) from None


def _limits(form: dict[str, str]) -> dict[str, int]:
    """The answer to each declared domain's question, as its level 0-4."""
    levels = {}
    for d in physical.DECLARED:
        answer = form.get(f"limit_{d.key}", "").strip()
        if answer not in {str(level) for level in range(physical.MAX_LEVEL + 1)}:
            raise InvalidInput(f"“{d.question}”：请从选项中选择一项", field=f"limit_{d.key}")
        levels[d.key] = int(answer)
    return levels


def profile_values(form: dict[str, str]) -> dict[str, Any]:
    """The profile part of a counter form, as the service's schemas take it."""
    values: dict[str, Any] = {key: form.get(key, "").strip() for key in TEXTS}
    values |= {key: key in form for key in CHECKBOXES}
    values |= {key: form.get(key, "").strip() or None for key in OPTIONAL}
    values["employment_status"] = form.get("employment_status", "").strip() or None
    values["work_capacity"] = form.get("work_capacity", "").strip() or None
    if values["work_capacity"] == WorkCapacity.partial.value:
        values["limits"] = _limits(form)
    hours = form.get("max_hours_per_day", "").strip()
    if hours and values["work_capacity"] != WorkCapacity.none.value:  # who cannot work works no hours
        values["max_hours_per_day"] = hours
    return values


def _pairs(members: Any) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in members]


def _choices(db: Session, user: User) -> dict[str, Any]:
    """The options of every list on the forms, as (value, text) (the communities ``user`` registers in), today
    (the latest day a date may name) and where the record is kept."""
    return {"today": clock.today().isoformat(), "desk": desk(user), "choices": {
        "statuses": _pairs(EmploymentStatus), "registrations": _pairs(Registration), "capacities": _pairs(WorkCapacity),
        "relations": _pairs(Relation), "schemes": _pairs(Scheme), "payers": _pairs(Payer),
        "disabilities": [(c, c) for c in DISABILITY_CATEGORIES], "difficulties": [(c, c) for c in DIFFICULTY_CATEGORIES],
        "grades": [(1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")],
        "provinces": sorted(provinces().items()),
        "communities": [(c.code, c.name) for c in service.communities(db).values() if may_register_in(user, c.code)],
    }}


def _written(db: Session, write: Callable[[], Resident]) -> Resident:
    """Run ``write`` in a savepoint: a refused step leaves nothing half-written."""
    with db.begin_nested():
        return write()


def _to_resident(resident_id: int, user: User) -> RedirectResponse:
    return RedirectResponse(f"/counter/residents/{resident_id}?reason={quote(desk(user) + '办理业务')}", status_code=303)


@router.get("/register")
def register_form(request: Request, db: DB, principal: Keeper) -> Response:
    return render(request, "counter/register.html", {**_choices(db, principal.user), "form": {
        "hukou_province": "37", "relation": "head", "work_capacity": "full", "max_travel_km": "3",
        "employment_status": EmploymentStatus.registered_unemployed.value,
        "registration": Registration.unemployment.value, "registered_on": clock.today().isoformat()}})


@router.post("/register", dependencies=[CsrfChecked, SubmittedOnce])
def register(request: Request, db: DB, principal: Keeper, form: PostedForm) -> Response:
    """A new job seeker: their household (by community and address) and their record, in one step."""
    def write() -> Resident:
        household_data = _parse(HouseholdCreate, {"community_code": form.get("community_code", ""),
                                                  "address": form.get("address", "").strip()})
        ensure_can_register_in(principal.user, household_data.community_code)
        household = service.create_household(db, data=household_data)
        values = profile_values(form) | {key: form.get(key, "").strip() for key in
                                         ("relation", "id_number", "name", "hukou_province")}
        data = _parse(ResidentCreate, values | {"household_id": household.id, "phone": form.get("phone", "").strip() or None})
        resident = service.create_resident(db, data=data, user=principal.user,
                                           reason=_registration_reason(principal.user, data.registration))
        log_access(db, user=principal.user, resident_id=resident.id, action="create", what="居民档案",
                   reason=f"{desk(principal.user)}求职登记")
        return resident

    try:
        resident = _written(db, write)
    except EstationError as exc:
        return render(request, "counter/register.html", {**_choices(db, principal.user), "form": form,
                      "error": exc.message, "field": exc.field}, status_code=exc.status_code)
    return _to_resident(resident.id, principal.user)


def _registration_reason(user: User, registration: Registration | None) -> str:
    return f"{desk(user)}{registration.label}" if registration else f"{desk(user)}建档"


def _profile_page(request: Request, db: Session, user: User, resident: Resident, form: dict[str, Any], *,
                  period: dict[str, str] | None = None, error: str = "", field: str | None = None,
                  status_code: int = 200) -> Response:
    return render(request, "counter/profile.html", {**_choices(db, user), "r": resident, "form": form, "error": error,
                                                    "field": field, "period": period or {}}, status_code=status_code)


def _shown(value: Any) -> str:
    """A stored value as a form field holds it: 3.0 as 3, an enum as its value, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value.value if isinstance(value, Enum) else value)


def _current(resident: Resident) -> dict[str, Any]:
    """The resident's profile as the form shows it."""
    form: dict[str, Any] = {key: getattr(resident, key) for key in (*TEXTS, *CHECKBOXES, *OPTIONAL)
                            if key != "status_since"}
    if resident.work_capacity != WorkCapacity.none:
        form["max_hours_per_day"] = resident.max_hours_per_day
    form |= {key: _shown(value) for key, value in form.items() if key not in CHECKBOXES}
    form |= {"employment_status": resident.employment_status.value, "work_capacity": resident.work_capacity.value}
    form |= {f"limit_{d}": str(level) for d, level in resident.limits.items()}
    return form


@router.get("/residents/{resident_id}/profile")
def profile_form(request: Request, db: DB, principal: Keeper, resident_id: PathId) -> Response:
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = service.get_resident(db, resident_id)
    log_access(db, user=principal.user, resident_id=resident.id, action="read", what="求职登记信息",
               reason=f"{desk(principal.user)}修改求职登记信息")
    return _profile_page(request, db, principal.user, resident, _current(resident))


@router.post("/residents/{resident_id}/profile", dependencies=[CsrfChecked, SubmittedOnce])
def save_profile(request: Request, db: DB, principal: Keeper, resident_id: PathId, form: PostedForm) -> Response:
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = service.get_resident(db, resident_id)
    reason = form.get("reason", "").strip()

    def write() -> Resident:
        data = _parse(ResidentUpdate, profile_values(form))
        service.update_resident(db, resident=resident, data=data, user=principal.user, reason=reason)
        log_access(db, user=principal.user, resident_id=resident.id, action="update", what="求职登记信息",
                   reason=reason[:200])
        return resident

    try:
        _written(db, write)
    except EstationError as exc:
        db.refresh(resident)
        return _profile_page(request, db, principal.user, resident, form, error=exc.message, field=exc.field,
                             status_code=exc.status_code)
    return _to_resident(resident_id, principal.user)


@router.post("/residents/{resident_id}/insurance-periods", dependencies=[CsrfChecked, SubmittedOnce])
def add_period(request: Request, db: DB, principal: Keeper, resident_id: PathId, form: PostedForm) -> Response:
    """An insurance period moved in from another province, as the resident's certificate states it."""
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = service.get_resident(db, resident_id)
    reason = form.get("period_reason", "").strip()

    def write() -> Resident:
        values = {key: form.get(key, "").strip() or None for key in
                  ("scheme", "province", "start_month", "end_month", "monthly_wage_base", "payer", "employer_name")}
        data = _parse(InsurancePeriodCreate, values | {"temporary_account": "temporary_account" in form})
        service.add_insurance_period(db, resident=resident, data=data, user=principal.user, reason=reason)
        log_access(db, user=principal.user, resident_id=resident.id, action="create", what="参保记录",
                   reason=reason[:200])
        return resident

    try:
        _written(db, write)
    except EstationError as exc:
        db.refresh(resident)
        field = "period_reason" if exc.field == "reason" else exc.field  # this form's own reason box
        return _profile_page(request, db, principal.user, resident, _current(resident), period=form,
                             error=exc.message, field=field, status_code=exc.status_code)
    return _to_resident(resident_id, principal.user)
