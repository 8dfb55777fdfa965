"""Demo cases for the service hall, so the counter, the figures and the kiosk status have something to show.

Deterministic for a seed; loads nothing when cases already exist. Called by the demo loader after the
residents and the accounts (``load_demo_cases(session, today=ctx.today, seed=seed)``).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.cases import service
from estation.cases.catalogue import load_catalogue
from estation.cases.models import Case, ServiceType
from estation.cases.registry import REGISTRY
from estation.clock import BEIJING
from estation.labour.models import Resident

DEMO_CASES = 40
WINDOWS = (1, 2, 3, 4)


def load_demo_cases(session: Session, *, today: date, seed: int = 20141105) -> int:
    """Open, move and close about forty cases over the last six weeks; returns how many were made."""
    load_catalogue(session)
    if session.scalar(select(func.count()).select_from(Case)):
        return 0
    rng = random.Random(seed)
    residents = list(session.scalars(select(Resident).order_by(Resident.id).limit(400)))
    if not residents:
        return 0
    clerks = list(session.scalars(select(User).where(User.role == Role.counter_staff).order_by(User.id))) or [None]
    services = {s.code: s for s in session.scalars(select(ServiceType))}
    made = 0
    for _ in range(DEMO_CASES):
        opened = _weekday(today - timedelta(days=rng.randint(1, 42)))
        code = rng.choice(sorted(services))
        svc = services[code]
        resident = rng.choice(residents)
        clerk = rng.choice(clerks)
        window = clerk.window if clerk is not None and clerk.window else rng.choice(WINDOWS)
        # The intake form's money questions (a pension transfer's account balance) get a made-up amount.
        answers = {f.name: rng.randrange(8000, 90000, 500) for f in REGISTRY.get(code).intake if f.kind == "money"}
        required = [d.name for d in service.checklist(session, service=svc, resident=resident, today=opened,
                                                      answers=answers)]
        # Most residents bring everything (the point of telling once); some forget one document.
        handed_in = required if rng.random() < 0.8 else required[:-1]
        case = service.open_case(session, resident=resident, service_code=code, handed_in=handed_in, user=clerk,
                                 window=window, today=opened, answers=answers)
        _stamp(case, opened, rng)
        made += 1
        if case.slip_documents:
            back = opened + timedelta(days=rng.randint(1, 6))
            if back >= today:
                continue
            service.receive_documents(session, case=case, documents=case.slip_documents, user=clerk, today=back)
            _stamp(case, back, rng)
        if case.due_on is None:
            continue
        finish = case.accepted_on + timedelta(days=rng.randint(0, max(1, (case.due_on - case.accepted_on).days + 3)))
        if finish >= today:
            if rng.random() < 0.5:
                service.start_review(session, case=case, user=clerk, note="材料已转区经办机构审核")
                _stamp(case, case.accepted_on, rng)
            continue
        service.start_review(session, case=case, user=clerk)
        _stamp(case, case.accepted_on, rng)
        if rng.random() < 0.9:
            service.complete(session, case=case, user=clerk, today=finish, note="已办结")
        else:
            service.refuse(session, case=case, user=clerk, today=finish, reason="经核查不符合办理条件，已书面告知理由")
        _stamp(case, finish, rng)
    session.flush()
    return made


def _stamp(case: Case, day: date, rng: random.Random) -> None:
    """Date the step just taken on the day it happened (in the hall's morning or afternoon, Beijing time)."""
    at = datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=BEIJING).astimezone(timezone.utc)
    if len(case.events) > 1 and at <= case.events[-2].at:
        at = case.events[-2].at + timedelta(minutes=rng.randint(5, 40))  # steps on one day keep their order
    case.events[-1].at = at


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
