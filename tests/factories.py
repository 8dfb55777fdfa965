"""Plain factory functions for tests: each builds valid rows and flushes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import cache

from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.passwords import hash_password
from estation.identifiers import make_resident_id, make_uscc
from estation.jobs.models import Employer, EmployerStatus, EmploymentType, Occupation, Vacancy
from estation.jobs.occupations import OccupationRow, load_occupations, read_csco22
from estation.labour.models import EmploymentStatus, Household, Relation
from estation.labour.schemas import ResidentCreate
from estation.labour.service import create_resident as _create_resident
from estation.physical import DOMAIN_NAMES
from fixtures.places import load_places

# Codes of the real classification that tests post vacancies and import rows with (the names are the
# classification's: 4-10-01-01 is 婴幼儿发展引导员, whatever a test's title says).
TEST_OCCUPATIONS = ("4-07-05-01", "4-10-01-01", "4-03-02-01", "4-04-01-01")
_seq = itertools.count(1)
# Hashing is deliberately slow; tests share one hash of the one test password.
TEST_PASSWORD = "test-password"
_TEST_HASH = hash_password(TEST_PASSWORD)


@cache
def _classification() -> tuple[OccupationRow, ...]:
    return tuple(read_csco22())


def seed_places(session: Session, *, whole_classification: bool = False) -> None:
    """The reference data every test's rows point at, as `estation init` loads it: the subdistrict and its
    eight real communities, and the occupations of the classification the tests post with (all of them for
    the search suite, whose lexicon and filters read the whole classification)."""
    load_places(session)
    if whole_classification or session.get(Occupation, TEST_OCCUPATIONS[0]) is None:
        rows = _classification()
        load_occupations(session, rows if whole_classification else [r for r in rows if r.code in TEST_OCCUPATIONS])


def create_household(session: Session, *, community_code: str = "370102009001", hardship: bool = False) -> Household:
    seed_places(session)
    household = Household(community_code=community_code, address=f"甸柳新村{next(_seq)}号楼", hardship=hardship)
    session.add(household)
    session.flush()
    return household


def new_id_number(*, birth: date = date(1975, 6, 15), sex: str = "female") -> str:
    return make_resident_id("370102", birth, next(_seq) * 2 % 1000, sex=sex)


def create_resident(session: Session, *, household: Household | None = None, **overrides):
    household = household or create_household(session)
    fields = dict(
        household_id=household.id,
        relation=Relation.head,
        id_number=new_id_number(),
        name="王秀英",
        phone="13805310000",
        hukou_province="37",
        employment_status=EmploymentStatus.registered_unemployed,
        status_since=date(2024, 3, 1),
    )
    fields.update(overrides)
    return _create_resident(session, data=ResidentCreate(**fields))


def create_user(session: Session, *, role: Role, **fields) -> User:
    user = User(username=f"{role.value}-{next(_seq)}", display_name="测试用户", password_hash=_TEST_HASH, role=role, **fields)
    session.add(user)
    session.flush()
    return user


def create_employer(session: Session, *, status: EmployerStatus = EmployerStatus.approved) -> Employer:
    seed_places(session)
    employer = Employer(
        uscc=make_uscc(f"91370102MA3C{next(_seq):05d}"),
        name="济南测试服务有限公司",
        contact_name="李经理",
        contact_phone="13905310000",
        address="历下区和平路1号",
        lat=36.665,
        lon=117.051,
        status=status,
    )
    session.add(employer)
    session.flush()
    return employer


def create_vacancy(session: Session, *, employer: Employer, title: str = "小区保安", **overrides) -> Vacancy:
    """Every demand is stated: the ``demands`` given, 0 in the other domains (set ``vacancy.demands``
    afterwards for a row whose employer left some unstated)."""
    fields = dict(
        employer_id=employer.id,
        title=title,
        occupation_code="4-07-05-01",
        address="甸柳新村",
        lat=36.664,
        lon=117.052,
        wage_min=2800,
        wage_max=3500,
        hours_per_day=8,
        employment_type=EmploymentType.full_time,
        demands={"standing_walking": 3},
        valid_until=date.today() + timedelta(days=60),
    )
    fields.update(overrides)
    fields["demands"] = dict.fromkeys(DOMAIN_NAMES, 0) | fields["demands"]
    vacancy = Vacancy(**fields)
    session.add(vacancy)
    session.flush()
    return vacancy
