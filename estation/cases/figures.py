"""Counter figures for the service hall: opened, completed on time, overdue, by window and service, and
how many residents had to come back for a missing document (the number the hall wants at zero)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.cases.models import Case, CaseStatus, ServiceType
from estation.cases.service import OPEN_STATUSES, is_overdue


@dataclass
class Tally:
    opened: int = 0
    completed: int = 0
    completed_on_time: int = 0
    refused: int = 0
    open: int = 0
    overdue: int = 0
    came_back_for_documents: int = 0
    """Cases that needed a tell-once slip: the resident had to come again with what was missing."""

    def add(self, case: Case, today: date) -> None:
        self.opened += 1
        if case.status == CaseStatus.completed:
            self.completed += 1
            if not is_overdue(case, today):
                self.completed_on_time += 1
        elif case.status == CaseStatus.refused:
            self.refused += 1
        if case.status in OPEN_STATUSES:
            self.open += 1
        if is_overdue(case, today):
            self.overdue += 1
        if case.slip_documents:
            self.came_back_for_documents += 1


@dataclass
class CounterFigures:
    since: date
    until: date
    total: Tally = field(default_factory=Tally)
    by_window: dict[str, Tally] = field(default_factory=dict)
    by_service: dict[str, Tally] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)


def counter_figures(session: Session, *, since: date, until: date, today: date) -> CounterFigures:
    """Cases opened from ``since`` to ``until`` inclusive; overdue judged as of ``today``."""
    cases = session.scalars(select(Case).where(Case.opened_on >= since, Case.opened_on <= until))
    by_window: dict[str, Tally] = defaultdict(Tally)
    by_service: dict[str, Tally] = defaultdict(Tally)
    figures = CounterFigures(since=since, until=until)
    for case in cases:
        figures.total.add(case, today)
        by_window["未指定窗口" if case.window is None else f"{case.window}号窗口"].add(case, today)
        by_service[case.service_code].add(case, today)
    figures.by_window = dict(sorted(by_window.items(), key=lambda item: (len(item[0]), item[0])))
    figures.by_service = dict(sorted(by_service.items()))
    figures.service_names = dict(session.execute(select(ServiceType.code, ServiceType.name)).tuples().all())
    return figures
