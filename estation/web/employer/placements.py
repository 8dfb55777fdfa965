"""The employer's steps with an applicant, on the candidates page: contacted, interview (time and place),
attended or not, offer, hire (start date, wage, contract type, 公益性岗位) or not hired (reason). Each form
posts here; the rules are estation.jobs.placements'. A refused step writes nothing and shows the candidates
page again with the reason, in Chinese, at the applicant's row (409 for a step the application cannot take
now, 422 for bad input)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from estation import clock
from estation.deps import DB, parts
from estation.errors import EstationError, Forbidden, InvalidInput, validation_message
from estation.jobs import placements
from estation.jobs.models import Application, ApplicationStatus
from estation.jobs.schemas import AttendanceCreate, HireCreate, InterviewCreate
from estation.kit import get_or_404
from estation.schemas import PathId
from estation.web.employer.common import EmployerUser, my_vacancy
from estation.web.employer.vacancies import candidates_view
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/employer", include_in_schema=False, route_class=FormRoute)

FIELD_LABELS = {"interview_at": "面试时间", "interview_place": "面试地点", "attended": "是否参加面试",
                "started_on": "上岗日期", "monthly_wage": "月工资", "contract_type": "用工形式",
                "public_welfare": "是否公益性岗位", "term_until": "公益性岗位期限", "note": "说明", "reason": "原因"}
Text = Annotated[str, Form(max_length=200)]
M = TypeVar("M", bound=BaseModel)


def _parse(schema: type[M], **fields: object) -> M:
    """The schema from the form's fields; the first bad one is refused in Chinese, naming it."""
    try:
        return schema(**{k: v for k, v in fields.items() if v not in (None, "")})
    except ValidationError as exc:
        first: dict[str, Any] = dict(exc.errors()[0])
        loc = first["loc"]
        name = str(loc[-1]) if loc else ""
        raise InvalidInput(f"“{FIELD_LABELS.get(name, name)}”：{validation_message(first)}", field=name) from None


def _mine(db: DB, principal: EmployerUser, application_id: int) -> Application:
    application = get_or_404(db, Application, application_id, "申请不存在")
    my_vacancy(db, principal, application.vacancy_id)
    return application


def _take(request: Request, db: DB, principal: EmployerUser, application: Application,
          step: Callable[[], object]) -> Response:
    """Take the step and go back to the applicant's row; a refused one writes nothing and shows the
    candidates page with the reason at that row (409: not now, 422: bad input)."""
    vacancy_id = application.vacancy_id
    try:
        step()
    except EstationError as exc:
        if exc.status_code in (403, 404):
            raise
        db.rollback()
        return candidates_view(request, db, principal, my_vacancy(db, principal, vacancy_id), error=exc.message,
                               error_for=application.id, status_code=exc.status_code)
    return RedirectResponse(f"/employer/vacancies/{vacancy_id}/candidates#app-{application.id}", status_code=303)


@router.post("/applications/{application_id}/status", dependencies=[CsrfChecked, SubmittedOnce])
def move(request: Request, db: DB, principal: EmployerUser, application_id: PathId,
         status: Annotated[ApplicationStatus, Form()], reason: Text = ""):
    application = _mine(db, principal, application_id)
    if status == ApplicationStatus.withdrawn:
        raise Forbidden("只有求职者本人可以撤回申请")
    return _take(request, db, principal, application, lambda: placements.move(
        db, application=application, status=status, reason=reason, user=principal.user))


@router.post("/applications/{application_id}/interview", dependencies=[CsrfChecked, SubmittedOnce])
def interview(request: Request, db: DB, principal: EmployerUser, application_id: PathId,
              interview_at: Annotated[str, Form(max_length=20)] = "", interview_place: Text = ""):
    application = _mine(db, principal, application_id)

    def step() -> object:
        data = _parse(InterviewCreate, interview_at=interview_at, interview_place=interview_place)
        return placements.schedule_interview(db, application=application, at=data.interview_at,
                                             place=data.interview_place, user=principal.user)
    return _take(request, db, principal, application, step)


@router.post("/applications/{application_id}/attendance", dependencies=[CsrfChecked, SubmittedOnce])
def attendance(request: Request, db: DB, principal: EmployerUser, application_id: PathId,
               attended: Annotated[str, Form(max_length=5)] = "", note: Text = ""):
    application = _mine(db, principal, application_id)

    def step() -> object:
        data = _parse(AttendanceCreate, attended=attended, note=note)
        return placements.record_attendance(db, application=application, attended=data.attended, note=data.note,
                                            user=principal.user)
    return _take(request, db, principal, application, step)


@router.post("/applications/{application_id}/hire", dependencies=[CsrfChecked, SubmittedOnce])
def hire(request: Request, db: DB, principal: EmployerUser, application_id: PathId,
         started_on: Annotated[str, Form(max_length=10)] = "", monthly_wage: Annotated[str, Form(max_length=10)] = "",
         contract_type: Annotated[str, Form(max_length=32)] = "", public_welfare: Annotated[str, Form(max_length=5)] = "",
         term_until: Annotated[str, Form(max_length=10)] = "", note: Text = ""):
    application = _mine(db, principal, application_id)
    welfare = public_welfare == "on"

    def step() -> object:
        data = _parse(HireCreate, started_on=started_on, monthly_wage=monthly_wage, contract_type=contract_type,
                      public_welfare=welfare, term_until=term_until if welfare else "", note=note)
        return placements.hire(db, application=application, user=principal.user, today=clock.today(),
                               minimum_wage=parts(request).settings.minimum_wage_monthly,
                               data=placements.Hire(**data.model_dump()))
    return _take(request, db, principal, application, step)
