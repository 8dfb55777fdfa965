"""Employer tests: API tests on the shared harness (``api``), service tests on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.jobs.models import Employer, EmployerStatus, Vacancy
from tests.factories import create_employer, create_user, create_vacancy

_seq = itertools.count(1)


@pytest.fixture
def db(api) -> Iterator[Session]:
    session = api.db()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@dataclass
class Company:
    employer: Employer
    user: User
    vacancy: Vacancy


def make_company(session: Session, *, status: EmployerStatus = EmployerStatus.approved, **vacancy) -> Company:
    employer = create_employer(session, status=status)
    employer.name = f"济南测试单位{next(_seq)}有限公司"
    user = create_user(session, role=Role.employer, employer_id=employer.id)
    return Company(employer=employer, user=user, vacancy=create_vacancy(session, employer=employer, **vacancy))


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
