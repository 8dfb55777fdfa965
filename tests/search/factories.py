"""Plain factory functions for the search tests: each builds valid rows and flushes.

Kept apart from tests/factories.py so the search suite does not move when other suites' data does; the
reference data (communities, the classification) is the shared ``tests.factories.seed_places``.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from estation.identifiers import make_uscc
from estation.jobs.models import (
    Employer,
    EmployerStatus,
    EmploymentType,
    Shift,
    StartupKind,
    StartupOpportunity,
    Vacancy,
    VacancyStatus,
)
from estation.outbox import enqueue
from estation.physical import DOMAIN_NAMES

# Three of 甸柳's communities, and where this suite puts their listings: a few hundred metres apart, and one
# point ~5 km away (the community rows themselves are the real ones, from seed_places).
C1, C2, C3 = "370102009001", "370102009002", "370102009006"
PLACES = {
    C1: ("甸柳新村第一社区居民委员会", "第一社区", 36.6600, 117.0600),
    C2: ("甸柳新村第二社区居民委员会", "第二社区", 36.6650, 117.0700),
    C3: ("甸北社区居民委员会", "甸北社区", 36.6800, 117.0500),
}
FAR = (36.7000, 117.1000)
NOW = datetime.now(timezone.utc).replace(microsecond=0)
_seq = itertools.count(1)


def create_employer(session: Session, *, name: str = "济南甸柳物业服务有限公司",
                    status: EmployerStatus = EmployerStatus.approved) -> Employer:
    n = next(_seq)
    employer = Employer(
        uscc=make_uscc(f"91370102MA{n:07d}"), name=name, contact_name="王经理", contact_phone="13805310000",
        address="甸柳新村", community_code=C1, lat=PLACES[C1][2], lon=PLACES[C1][3], status=status,
    )
    session.add(employer)
    session.flush()
    return employer


def create_vacancy(session: Session, *, employer: Employer, title: str = "小区保洁员", community: str = C1,
                   at: tuple[float, float] | None = None, posted_days_ago: float = 1.0, index: bool = False,
                   **overrides) -> Vacancy:
    lat, lon = at or PLACES[community][2:]
    fields = dict(
        employer_id=employer.id, title=title, description="", occupation_code=None, community_code=community,
        address="甸柳新村", lat=lat, lon=lon, wage_min=2500, wage_max=3000, hours_per_day=8.0, days_per_week=5,
        shift=Shift.day, employment_type=EmploymentType.full_time, home_based=False, demands={}, adjustments=[],
        posted_at=NOW - timedelta(days=posted_days_ago), valid_until=date.today() + timedelta(days=30),
        status=VacancyStatus.open,
    )
    fields.update(overrides)
    fields["demands"] = dict.fromkeys(DOMAIN_NAMES, 0) | fields["demands"]  # every demand stated, 0 unless given
    vacancy = Vacancy(**fields)
    session.add(vacancy)
    session.flush()
    if index:
        enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def create_startup(session: Session, *, title: str = "临街商铺出租", kind: StartupKind = StartupKind.shop_space,
                   community: str = C1, posted_days_ago: float = 1.0, index: bool = False,
                   **overrides) -> StartupOpportunity:
    lat, lon = PLACES[community][2:]
    fields = dict(
        kind=kind, title=title, description="", provider="甸柳街道就业服务站", community_code=community,
        address="甸柳新村", lat=lat, lon=lon, conditions="", amount_yuan=None, occupation_codes=[], demands={},
        home_based=False, valid_until=date.today() + timedelta(days=30), status=VacancyStatus.open,
        posted_at=NOW - timedelta(days=posted_days_ago),
    )
    fields.update(overrides)
    startup = StartupOpportunity(**fields)
    session.add(startup)
    session.flush()
    if index:
        enqueue(session, topic="index.startup", entity_id=startup.id)
    return startup
