"""Counter figures for the service hall: opened, completed on time, overdue, by window and service, and
how many residents had to come back for a missing document (the number the hall wants at zero)."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from estation.cases.models import Case, CaseEvent, CaseStatus, ServiceType
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

    def add(self, case: Case | Row, today: date) -> None:
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


_COUNTED = (Case.status, Case.window, Case.service_code, Case.due_on, Case.closed_on, Case.slip_documents)
"""What a case's tally reads (Tally.add, is_overdue): only these columns are loaded, not whole cases."""


def counter_figures(session: Session, *, since: date, until: date, today: date) -> CounterFigures:
    """Cases opened from ``since`` to ``until`` inclusive; overdue judged as of ``today``."""
    cases = session.execute(select(*_COUNTED).where(Case.opened_on >= since, Case.opened_on <= until))
    by_window: dict[str, Tally] = defaultdict(Tally)
    by_service: dict[str, Tally] = defaultdict(Tally)
    figures = CounterFigures(since=since, until=until)
    for case in cases:
        figures.total.add(case, today)
        by_window["未指定窗口" if case.window is None else f"{case.window}号窗口"].add(case, today)
        by_service[case.service_code].add(case, today)
    figures.by_window = dict(sorted(by_window.items(), key=lambda item: (len(item[0]), item[0])))
    figures.by_service = dict(sorted(by_service.items()))
    figures.service_names = _service_names(session)
    return figures


def figures_version(session: Session) -> tuple[int, int | None, int | None]:
    """Changes whenever a figure may: a case opened or removed (how many, the newest) or moved (every step
    of a case writes a case event: estation.cases.service). Three index look-ups, not a scan of the cases."""
    row = session.execute(select(
        select(func.count()).select_from(Case).scalar_subquery(),
        select(func.max(Case.id)).scalar_subquery(),
        select(func.max(CaseEvent.id)).scalar_subquery())).one()
    return row[0], row[1], row[2]


class FiguresCache:
    """The counter's figures by period and day, kept while no case changes: every counter page shows this
    month's, and tallying the month's cases on each page is work thrown away. One per app
    (estation.composition.Parts); checked against :func:`figures_version` on every read, so a case
    opened or moved through any process of the app shows at once."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[date, date, date], tuple[tuple, CounterFigures]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, *, since: date, until: date, today: date) -> CounterFigures:
        key = (since, until, today)
        version = figures_version(session)  # read first: the tally below is never older than it
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and kept[0] == version:
                self.hits += 1
                self._entries.move_to_end(key)
                figures = kept[1]
            else:
                figures = None
        if figures is None:
            figures = counter_figures(session, since=since, until=until, today=today)
            with self._lock:
                self.misses += 1
                self._entries[key] = (version, figures)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        # Service names are read fresh (an admin may rename a service); a copy, so no page shares it.
        return replace(figures, service_names=_service_names(session))


def _service_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(ServiceType.code, ServiceType.name)).tuples().all())
