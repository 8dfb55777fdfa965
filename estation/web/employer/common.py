"""Shared pieces of the employer surface: who may use it, and the employer behind the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from estation.accounts.models import Role
from estation.deps import Principal
from estation.errors import Forbidden
from estation.jobs.models import Employer, Vacancy
from estation.kit import get_or_404
from estation.web.security import require_web_roles

LOGIN = "/login"
EmployerUser = Annotated[Principal, Depends(require_web_roles(Role.employer, login_url=LOGIN))]
Reviewer = Annotated[Principal, Depends(require_web_roles(Role.counter_staff, Role.admin, login_url=LOGIN))]
"""Staff who approve or refuse employer registrations."""


def my_employer(db: Session, principal: Principal) -> Employer:
    if principal.user.employer_id is None:
        raise Forbidden("该账号没有关联用人单位")
    return get_or_404(db, Employer, principal.user.employer_id, "用人单位不存在")


def my_vacancy(db: Session, principal: Principal, vacancy_id: int) -> Vacancy:
    """The vacancy, only if it belongs to the signed-in employer (checked on the server for every page)."""
    vacancy = get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    if vacancy.employer_id != principal.user.employer_id:
        raise Forbidden("只能管理本单位的岗位")
    return vacancy
