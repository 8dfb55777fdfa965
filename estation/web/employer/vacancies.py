"""Posting, previewing, editing, closing and renewing vacancies; candidates and invitations."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from estation import clock
from estation.deps import DB, Principal, parts
from estation.errors import EstationError, InvalidInput
from estation.jobs import candidates as cand
from estation.jobs import invitations, placements, quota, service
from estation.jobs.models import Adjustment, ContractType, EmploymentType, Occupation, Shift, Vacancy
from estation.jobs.occupation_suggest import suggest_occupations
from estation.jobs.schemas import VacancyCreate, VacancyFields, VacancyUpdate
from estation.labour.models import Community
from estation.labour.service import communities
from estation.physical import DECLARED, DOMAIN_NAMES, domain_label, label, unstated_domains
from estation.web.employer.common import EmployerUser, my_employer, my_vacancy
from estation.web.employer.forms import (
    chosen_demands,
    default_valid_until,
    error_summary,
    friendly,
    vacancy_fields,
)
from estation.web.pages import render
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked
from estation.schemas import PathId

router = APIRouter(prefix="/employer", include_in_schema=False, route_class=FormRoute)

def _form_values(vacancy: Vacancy | None) -> dict:
    if vacancy is None:
        return {"employment_type": "full_time", "shift": "day", "days_per_week": "5", "hours_per_day": "8",
                "openings": "1", "valid_until": default_valid_until().isoformat(), "demands": {}, "adjustments": []}
    values = {k: "" if getattr(vacancy, k) is None else str(getattr(vacancy, k)) for k in (
        "title", "description", "occupation_code", "community_code", "address", "wage_min", "wage_max",
        "hours_per_day", "days_per_week", "openings", "valid_until")}
    values.update(shift=vacancy.shift.value, employment_type=vacancy.employment_type.value,
                  home_based=vacancy.home_based, demands=dict(vacancy.demands or {}),
                  adjustments=list(vacancy.adjustments or []))
    if not vacancy.community_code:
        values.update(lat=str(vacancy.lat), lon=str(vacancy.lon))
    return values


def _raw_values(form) -> dict:
    values = {k: (form.get(k) or "").strip() for k in (
        "title", "description", "occupation_code", "community_code", "address", "lat", "lon", "wage_min", "wage_max",
        "hours_per_day", "days_per_week", "shift", "employment_type", "openings", "valid_until")}
    values["home_based"] = form.get("home_based") == "on"
    values["demands"] = chosen_demands(form, invalid=None)
    values["adjustments"] = form.getlist("adjustments")
    return values


def card(db: DB, employer_name: str, data) -> SimpleNamespace:
    """What the kiosk's job card shows, from a saved vacancy or from the unsaved form."""
    community = db.get(Community, data.community_code) if data.community_code else None
    occupation = db.get(Occupation, data.occupation_code) if data.occupation_code else None
    adjustments = [Adjustment(a).label for a in (data.adjustments or [])]
    demands = dict(data.demands or {})  # a saved row's dict, or the form's StatedDemands
    return SimpleNamespace(
        title=data.title, employer_name=employer_name, wage_min=data.wage_min, wage_max=data.wage_max,
        hours_per_day=data.hours_per_day, days_per_week=data.days_per_week,
        shift=data.shift.label, employment_type=data.employment_type.label,
        place=community.short_name if community else data.address, address=data.address,
        occupation=occupation.name if occupation else None, home_based=data.home_based,
        demand_lines=[(domain_label(d), label(d, demands[d])) for d in DOMAIN_NAMES if demands.get(d, 0) > 0],
        unstated=[domain_label(d) for d in unstated_domains(demands)],
        adjustments=adjustments, valid_until=data.valid_until, openings=data.openings,
        description=data.description,
        friendly=quota.disability_friendly_reasons(SimpleNamespace(
            demands=demands, adjustments=[Adjustment(a).value for a in data.adjustments or []],
            home_based=data.home_based)),
    )


def _form_page(request: Request, db: DB, *, employer, values: dict, errors: dict, vacancy: Vacancy | None = None,
               preview=None, status_code: int = 200):
    settings = parts(request).settings
    title = values.get("title") or ""
    chosen = values.get("occupation_code") or None
    return render(request, "employer/vacancy_form.html", {
        "employer": employer, "vacancy": vacancy, "form": values, "errors": errors, "summary": error_summary(errors),
        "preview": preview,
        "communities": communities(db).values(), "domains": DECLARED, "adjustment_choices": list(Adjustment),
        "employment_types": list(EmploymentType), "shifts": list(Shift),
        "suggestions": suggest_occupations(db, title) if len(title) >= 2 else [],
        "chosen_occupation": db.get(Occupation, chosen) if chosen else None,
        "minimum_wage": settings.minimum_wage_monthly,
    }, status_code=status_code)


def _validated(form, employer_id: int) -> tuple[VacancyCreate | None, dict]:
    try:
        return VacancyCreate(employer_id=employer_id, **vacancy_fields(form)), {}
    except ValidationError as exc:
        return None, friendly(exc)


@router.get("/vacancies/new")
def new_vacancy(request: Request, db: DB, principal: EmployerUser):
    employer = my_employer(db, principal)
    return _form_page(request, db, employer=employer, values=_form_values(None), errors={})


@router.post("/vacancies/new", dependencies=[CsrfChecked, SubmittedOnce])
async def post_vacancy(request: Request, db: DB, principal: EmployerUser):
    employer = my_employer(db, principal)
    form = await request.form()
    values = _raw_values(form)
    data, errors = _validated(form, employer.id)
    minimum = parts(request).settings.minimum_wage_monthly
    if data is not None:
        try:
            if form.get("action") == "preview":
                service.check_vacancy(db, data=data, minimum_wage=minimum)
                return _form_page(request, db, employer=employer, values=values, errors={},
                                  preview=card(db, employer.name, data))
            with db.begin_nested():
                vacancy = service.create_vacancy(db, data=data, minimum_wage=minimum,
                                                 occupations=parts(request).matching.occupations_for_writes)
            return RedirectResponse(f"/employer/vacancies/{vacancy.id}?saved=1", status_code=303)
        except EstationError as exc:
            errors = {exc.field or "form": exc.message}
    return _form_page(request, db, employer=employer, values=values, errors=errors, status_code=422)


@router.get("/vacancies/{vacancy_id}")
def vacancy_detail(request: Request, db: DB, principal: EmployerUser, vacancy_id: PathId, saved: int = 0):
    vacancy = my_vacancy(db, principal, vacancy_id)
    inferred = (db.get(Occupation, vacancy.inferred_occupation_code)
                if vacancy.inferred_occupation_code and not vacancy.occupation_code else None)
    return render(request, "employer/vacancy.html", {
        "vacancy": vacancy, "employer": vacancy.employer, "card": card(db, vacancy.employer.name, vacancy),
        "saved": saved, "today": clock.today(), "inferred": inferred,
    })


@router.get("/vacancies/{vacancy_id}/edit")
def edit_vacancy(request: Request, db: DB, principal: EmployerUser, vacancy_id: PathId):
    vacancy = my_vacancy(db, principal, vacancy_id)
    return _form_page(request, db, employer=vacancy.employer, values=_form_values(vacancy), errors={},
                      vacancy=vacancy)


@router.post("/vacancies/{vacancy_id}/edit", dependencies=[CsrfChecked, SubmittedOnce])
async def save_vacancy(request: Request, db: DB, principal: EmployerUser, vacancy_id: PathId):
    vacancy = my_vacancy(db, principal, vacancy_id)
    form = await request.form()
    values = _raw_values(form)
    data, errors = _validated(form, vacancy.employer_id)
    minimum = parts(request).settings.minimum_wage_monthly
    if data is not None:
        try:
            if form.get("action") == "preview":
                service.check_vacancy(db, data=data, minimum_wage=minimum)
                return _form_page(request, db, employer=vacancy.employer, values=values, errors={},
                                  vacancy=vacancy, preview=card(db, vacancy.employer.name, data))
            update = VacancyUpdate(**VacancyFields.model_validate(data).model_dump())
            with db.begin_nested():
                service.update_vacancy(db, vacancy=vacancy, data=update, minimum_wage=minimum,
                                       occupations=parts(request).matching.occupations_for_writes)
            return RedirectResponse(f"/employer/vacancies/{vacancy.id}?saved=1", status_code=303)
        except EstationError as exc:
            errors = {exc.field or "form": exc.message}
    return _form_page(request, db, employer=vacancy.employer, values=values, errors=errors, vacancy=vacancy,
                      status_code=422)


@router.post("/vacancies/{vacancy_id}/close", dependencies=[CsrfChecked, SubmittedOnce])
def close(db: DB, principal: EmployerUser, vacancy_id: PathId):
    service.close_vacancy(db, vacancy=my_vacancy(db, principal, vacancy_id))
    return RedirectResponse(f"/employer/vacancies/{vacancy_id}", status_code=303)


@router.post("/vacancies/{vacancy_id}/renew", dependencies=[CsrfChecked, SubmittedOnce])
def renew(db: DB, principal: EmployerUser, vacancy_id: PathId, valid_until: Annotated[str, Form(max_length=20)] = ""):
    vacancy = my_vacancy(db, principal, vacancy_id)
    try:
        until = date.fromisoformat(valid_until.strip())
    except ValueError:
        raise InvalidInput("请选择新的有效期日期", field="valid_until") from None
    service.renew_vacancy(db, vacancy=vacancy, valid_until=until)
    return RedirectResponse(f"/employer/vacancies/{vacancy_id}", status_code=303)


@router.get("/vacancies/{vacancy_id}/candidates")
def candidates_page(request: Request, db: DB, principal: EmployerUser, vacancy_id: PathId):
    return candidates_view(request, db, principal, my_vacancy(db, principal, vacancy_id))


def candidates_view(request: Request, db: DB, principal: Principal, vacancy: Vacancy, *, error: str = "",
                    error_for: int | None = None, status_code: int = 200):
    """The candidates page; ``error``: why a step with applicant ``error_for`` was refused (shown at its row)."""
    # Matching first: reading the applicants writes the access log, and no write may hold the database's
    # write lock while the model and the search engine work.
    recommended = cand.recommended(db, vacancy=vacancy, rank=parts(request).rank_residents)
    applicants = cand.applicants(db, vacancy=vacancy, viewer=principal.user)
    next_moves = {a.application.id: placements.steps_for(a.application) for a in applicants}
    return render(request, "employer/candidates.html", {
        "vacancy": vacancy, "applicants": applicants, "next_moves": next_moves,
        "contract_types": list(ContractType), "today": clock.today(),
        "names": placements.step_authors(db, [a.application for a in applicants], viewer=principal.user),
        "recommended": recommended, "invitations": invitations.invitations_for_vacancy(db, vacancy_id=vacancy.id),
        "error": error, "error_for": error_for,
    }, status_code=status_code)


@router.post("/vacancies/{vacancy_id}/invite", dependencies=[CsrfChecked, SubmittedOnce])
def invite(
    db: DB, principal: EmployerUser, vacancy_id: PathId,
    candidate_ref: Annotated[str, Form(min_length=8, max_length=64)],
    message: Annotated[str, Form(max_length=200)] = "",
):
    vacancy = my_vacancy(db, principal, vacancy_id)
    resident = cand.resolve_candidate(db, vacancy=vacancy, ref=candidate_ref)
    invitations.invite(db, vacancy=vacancy, resident=resident, by_user_id=principal.user.id, message=message)
    return RedirectResponse(f"/employer/vacancies/{vacancy_id}/candidates", status_code=303)
