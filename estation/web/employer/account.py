"""Employer registration, the employer's home page, the quota page, notifications and staff review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from sqlalchemy import func, select

from estation.accounts import service as accounts
from estation.accounts.models import Role, User
from estation.deps import DB, SESSION_COOKIE, OptionalPrincipal, set_cookie
from estation.errors import EstationError, Forbidden
from estation.jobs import quota, service
from estation.jobs.models import Application, ApplicationStatus, Employer, Vacancy, VacancyStatus
from estation.jobs.schemas import EmployerRegistration, StaffCounts
from estation.kit import get_or_404
from estation.labour.service import communities
from estation.notifications import service as notifications
from estation.privacy import mask_phone
from estation.web.employer.common import EmployerUser, Reviewer, my_employer
from estation.web.employer.forms import FIELD_LABELS, clean, friendly
from estation.web.pages import render
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked
from estation.schemas import PathId

router = APIRouter(prefix="/employer", include_in_schema=False, route_class=FormRoute)

REGISTRATION_FIELDS = ("uscc", "name", "industry", "contact_name", "contact_phone", "address", "community_code",
                       "staff_count", "disabled_staff_grade12", "disabled_staff_other", "username")


@router.get("")
def employer_home(request: Request, db: DB, principal: OptionalPrincipal):
    if principal is None:
        return render(request, "employer/landing.html", personal=False)
    if principal.role in {Role.counter_staff, Role.admin}:
        return RedirectResponse("/employer/review", status_code=303)
    if principal.role != Role.employer:
        raise Forbidden("用人单位页面仅供用人单位账号使用")
    employer = my_employer(db, principal)
    rows = list(db.scalars(select(Vacancy).where(Vacancy.employer_id == employer.id).order_by(Vacancy.id.desc())))
    counts = dict(db.execute(
        select(Application.vacancy_id, func.count()).join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(Vacancy.employer_id == employer.id, Application.status == ApplicationStatus.new)
        .group_by(Application.vacancy_id)
    ).all())
    return render(request, "employer/home.html", {
        "employer": employer, "vacancies": rows, "new_counts": counts, "quota": quota.employer_quota(employer),
        "inbox": notifications.inbox(db, user=principal.user, limit=5),
        "unread": notifications.unread_count(db, user=principal.user),
        "friendly": {v.id: quota.disability_friendly_reasons(v) for v in rows},
    })


@router.get("/register")
def register_page(request: Request, db: DB):
    return render(request, "employer/register.html", {"form": {}, "errors": {}, "communities": communities(db).values(),
                                                      "labels": FIELD_LABELS})


def _register(db: DB, data: EmployerRegistration) -> tuple[Employer, User]:
    with db.begin_nested():  # a refused registration must leave nothing half-written
        return service.register_employer(db, data=data)


@router.post("/register", dependencies=[CsrfChecked, SubmittedOnce])
async def register(request: Request, db: DB):
    form = await request.form()
    values = clean(form, *REGISTRATION_FIELDS, "password", "password_confirm")
    errors: dict[str, str] = {}
    data = None
    try:
        data = EmployerRegistration(**{k: v for k, v in values.items() if v is not None and k != "password_confirm"})
    except ValidationError as exc:
        errors = friendly(exc)
    if values["password"] and values["password"] != values["password_confirm"] and "password" not in errors:
        errors["password_confirm"] = "两次输入的密码不一致"
    if not errors and data is not None:
        try:
            # In a worker thread: the password hash takes a while, and on PostgreSQL a registration racing
            # another for the same username waits here for it to commit; the event loop must stay free.
            employer, user = await run_in_threadpool(_register, db, data)
        except EstationError as exc:
            errors[exc.field or "form"] = exc.message
    if errors:
        shown = {k: v for k, v in values.items() if k not in ("password", "password_confirm")}
        return render(request, "employer/register.html", {"form": shown, "errors": errors,
                                                          "communities": communities(db).values(), "labels": FIELD_LABELS},
                      status_code=422)
    token, _ = accounts.start_session(db, user=user)
    response = RedirectResponse("/employer?registered=1", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.get("/quota")
def quota_page(request: Request, db: DB, principal: EmployerUser):
    employer = my_employer(db, principal)
    return _quota_render(request, db, employer, {}, status_code=200)


def _quota_render(request: Request, db: DB, employer: Employer, errors: dict, *, status_code: int):
    rows = list(db.scalars(select(Vacancy).where(Vacancy.employer_id == employer.id, Vacancy.status != VacancyStatus.closed)
                           .order_by(Vacancy.id.desc())))
    return render(request, "employer/quota.html", {
        "employer": employer, "quota": quota.employer_quota(employer), "errors": errors,
        "vacancies": [(v, quota.disability_friendly_reasons(v)) for v in rows],
    }, status_code=status_code)


@router.post("/quota", dependencies=[CsrfChecked, SubmittedOnce])
async def update_quota(request: Request, db: DB, principal: EmployerUser):
    employer = my_employer(db, principal)
    form = await request.form()
    values = clean(form, "staff_count", "disabled_staff_grade12", "disabled_staff_other")
    try:
        data = StaffCounts(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        return _quota_render(request, db, employer, friendly(exc), status_code=422)
    service.update_staff_counts(db, employer=employer, data=data)
    return RedirectResponse("/employer/quota", status_code=303)


@router.get("/notifications")
def notifications_page(request: Request, db: DB, principal: EmployerUser):
    return render(request, "employer/notifications.html",
                  {"items": notifications.inbox(db, user=principal.user, limit=100)})


@router.post("/notifications/{notification_id}/read", dependencies=[CsrfChecked])
def notification_read(db: DB, principal: EmployerUser, notification_id: PathId):
    row = notifications.mark_read(db, user=principal.user, notification_id=notification_id)
    return RedirectResponse(row.link or "/employer/notifications", status_code=303)


@router.get("/review")
def review_page(request: Request, db: DB, principal: Reviewer):
    pending, decided = service.employers_to_review(db)
    return render(request, "employer/review.html", {
        "pending": pending, "decided": decided, "mask_phone": mask_phone,
        "inbox": notifications.inbox(db, user=principal.user, unread_only=True, limit=10),
    })


@router.post("/review/{employer_id}", dependencies=[CsrfChecked, SubmittedOnce])
def review_decide(
    request: Request, db: DB, principal: Reviewer, employer_id: PathId,
    decision: Annotated[str, Form(pattern="^(approve|refuse)$")],
    reason: Annotated[str, Form(max_length=200)] = "",
):
    employer = get_or_404(db, Employer, employer_id, "用人单位不存在")
    service.decide_employer(db, employer=employer, approve=decision == "approve", reason=reason.strip() or None)
    return RedirectResponse("/employer/review", status_code=303)
