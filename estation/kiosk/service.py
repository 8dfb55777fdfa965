"""What a resident sees of their own records at the kiosk, and the log of printed slips.

Reads of a resident's record are logged with ``log_access`` like every other surface's; the resident
reading their own record is the reason. Services only flush; the request commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from estation import clock
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.cases import registry
from estation.cases.casetype import Item
from estation.cases.models import Case, ServiceType
from estation.cases.pension import DEFAULT_MINIMUM_YEARS
from estation.errors import NotFound
from estation.geo import provinces
from estation.jobs.models import Application, ApplicationStatus, Employer, Vacancy, VacancyStatus
from estation.kiosk.models import KioskPrint
from estation.labour.models import Resident, Scheme
from estation.matching.runtime import MatchingRuntime
from estation.matching.service import Recommendations, recommend
from estation.references import next_reference

OWN_RECORD = "本人在自助终端查询"



def _own(session: Session, *, user: User, resident_id: int, what: str) -> None:
    log_access(session, user=user, resident_id=resident_id, action="view", what=what, reason=OWN_RECORD)


def resident_of(session: Session, user: User) -> Resident:
    resident = session.get(Resident, user.resident_id) if user.resident_id else None
    if resident is None:
        raise NotFound("没有找到您的居民信息，请到服务窗口咨询")
    return resident


# --- jobs -----------------------------------------------------------------------------------------

def open_vacancy(session: Session, vacancy_id: int, *, today: date | None = None) -> Vacancy:
    """A vacancy a resident may read and apply for: open and not expired."""
    today = today or clock.today()
    vacancy = session.get(Vacancy, vacancy_id, options=[joinedload(Vacancy.employer)])
    if vacancy is None or vacancy.status != VacancyStatus.open or vacancy.valid_until < today:
        raise NotFound("这个岗位已经招满或停止招聘了")
    return vacancy


def application_for(session: Session, *, resident_id: int, vacancy_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.resident_id == resident_id, Application.vacancy_id == vacancy_id,
                                  Application.status != ApplicationStatus.withdrawn)
    )


def applications(session: Session, *, user: User) -> list[Application]:
    resident = resident_of(session, user)
    _own(session, user=user, resident_id=resident.id, what="求职意向")
    return list(session.scalars(
        select(Application).where(Application.resident_id == resident.id)
        .options(selectinload(Application.vacancy).selectinload(Vacancy.employer), selectinload(Application.history))
        .order_by(Application.created_at.desc(), Application.id.desc())
    ))


# --- counter cases ----------------------------------------------------------------------------

@dataclass
class CaseView:
    reference: str
    service: str
    status_label: str
    opened_on: date
    due_on: date | None
    closed_on: date | None
    still_missing: list[str]
    outcome_reason: str | None
    scheme: Scheme | None
    """The insurance scheme the case's service is about, if any."""
    details: dict = field(default_factory=dict)


def cases(session: Session, *, user: User, what: str = "办事进度") -> list[CaseView]:
    resident = resident_of(session, user)
    _own(session, user=user, resident_id=resident.id, what=what)
    names = dict(session.execute(select(ServiceType.code, ServiceType.name)).all())
    rows = session.scalars(
        select(Case).where(Case.resident_id == resident.id).order_by(Case.opened_on.desc(), Case.id.desc())
    )
    return [
        CaseView(
            reference=c.reference, service=names.get(c.service_code, c.service_code),
            status_label=c.status.label, opened_on=c.opened_on, due_on=c.due_on,
            closed_on=c.closed_on, still_missing=[d for d in c.slip_documents if not c.documents.get(d)],
            outcome_reason=c.outcome_reason, scheme=registry.REGISTRY.get(c.service_code).scheme,
            details=dict(c.details or {}),
        )
        for c in rows
    ]


# --- social insurance -------------------------------------------------------------------------

MINIMUM_PENSION_MONTHS = int(DEFAULT_MINIMUM_YEARS) * 12
"""Months of contributions before a monthly pension can be drawn (社会保险法第十六条: 15 years)."""


def years_and_months(months: int) -> str:
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest}个月"
    return f"{years}年{rest}个月" if rest else f"{years}年"


@dataclass
class SchemeSummary:
    scheme: str
    label: str
    total_months: int
    rows: list[tuple[int, str, int]]
    """(year, province name, months), newest year first."""
    temporary: list[tuple[str, int]] = field(default_factory=list)
    """(province name, months) paid into a temporary account (临时缴费账户), the most months first."""

    @property
    def years_text(self) -> str:
        return years_and_months(self.total_months)

    @property
    def months_short(self) -> int:
        """Months still missing to the minimum for a monthly pension (read for the pension scheme)."""
        return max(0, MINIMUM_PENSION_MONTHS - self.total_months)

    @property
    def short_text(self) -> str:
        return years_and_months(self.months_short)

    minimum_months = MINIMUM_PENSION_MONTHS
    minimum_text = years_and_months(MINIMUM_PENSION_MONTHS)


def _months_by_year(start: date, end: date) -> dict[int, int]:
    out: dict[int, int] = {}
    for year in range(start.year, end.year + 1):
        first = start.month if year == start.year else 1
        last = end.month if year == end.year else 12
        out[year] = last - first + 1
    return out


def insurance(session: Session, *, user: User) -> tuple[list[SchemeSummary], list[CaseView]]:
    """Contributions by scheme, year and province, and the cases about the pension, for the resident."""
    resident = resident_of(session, user)
    _own(session, user=user, resident_id=resident.id, what="社保缴费记录")
    names = provinces()
    by_scheme: dict[Scheme, dict[tuple[int, str], int]] = defaultdict(lambda: defaultdict(int))
    # Overlapping periods of one scheme (two employers in one month) count the month once.
    seen: dict[Scheme, set[tuple[int, int, str]]] = defaultdict(set)
    temporary_months: set[tuple[int, int, str]] = set()
    for p in resident.insurance_periods:
        for year, months in _months_by_year(p.start_month, p.end_month).items():
            first = p.start_month.month if year == p.start_month.year else 1
            for m in range(first, first + months):
                key = (year, m, p.province)
                if p.scheme == Scheme.pension and p.temporary_account:
                    temporary_months.add(key)
                if key not in seen[p.scheme]:
                    seen[p.scheme].add(key)
                    by_scheme[p.scheme][(year, p.province)] += 1
    temporary: dict[str, int] = defaultdict(int)  # province name -> months, each month once
    for _, _, province in temporary_months:
        temporary[names.get(province, province)] += 1
    summaries = []
    for scheme in Scheme:
        counts = by_scheme.get(scheme)
        if not counts:
            continue
        distinct_months = len({(y, m) for y, m, _ in seen[scheme]})
        rows = sorted(((y, names.get(prov, prov), n) for (y, prov), n in counts.items()), key=lambda r: (-r[0], r[1]))
        summaries.append(SchemeSummary(
            scheme=scheme.value, label=scheme.label, total_months=distinct_months, rows=rows,
            temporary=sorted(temporary.items(), key=lambda t: -t[1]) if scheme == Scheme.pension else []))
    transfers = [c for c in cases(session, user=user, what="养老保险办件进度") if c.scheme == Scheme.pension]
    return summaries, transfers


# --- 办事指南 ----------------------------------------------------------------------------------

def guide_documents(session: Session, *, service: ServiceType, resident: Resident | None, user: User | None) -> list[Item]:
    """What to bring for ``service``: the signed-in resident's own list (their record is read: logged),
    else everyone's, each conditional document with its condition."""
    if resident is not None and user is not None:
        _own(session, user=user, resident_id=resident.id, what=f"办事指南：{service.name}")
    return registry.document_list(service, registry.situation(service.code, resident, today=clock.today()))


def pension_services(session: Session) -> list[ServiceType]:
    """The services about the pension scheme (for 我的社保's pointers to their guides)."""
    codes = {t.code for t in registry.REGISTRY if t.scheme == Scheme.pension}
    return list(session.scalars(select(ServiceType).where(ServiceType.code.in_(codes)).order_by(ServiceType.code)))


# --- printed slips ----------------------------------------------------------------------------

def record_print(session: Session, *, kind: str, subject: str, user: User | None, resident_id: int | None,
                 application_id: int | None = None, terminal: str = "") -> KioskPrint:
    """Every print is logged; a slip naming the resident's application also counts as a record access."""
    row = KioskPrint(reference=next_reference(session, prefix="DY", day=clock.today()), kind=kind, subject=subject,
                     user_id=user.id if user else None, resident_id=resident_id, application_id=application_id,
                     terminal=terminal)
    session.add(row)
    session.flush()
    if resident_id is not None:
        log_access(session, user=user, resident_id=resident_id, action="print", what=f"{kind}:{subject}",
                   reason=f"自助终端打印（{row.reference}）")
    return row


def get_print(session: Session, reference: str) -> KioskPrint:
    row = session.scalar(select(KioskPrint).where(KioskPrint.reference == reference.strip().upper()))
    if row is None:
        raise NotFound("没有这张打印单")
    return row


def demo_cards(session: Session, *, limit: int = 8) -> list[Resident]:
    """Residents who have a kiosk PIN: the demo personas whose cards the simulated reader offers."""
    return list(session.scalars(select(Resident).where(Resident.pin_hash.is_not(None)).order_by(Resident.id).limit(limit)))


def recommendations(session: Session, *, resident: Resident, user: User, matching: MatchingRuntime,
                    limit: int = 10) -> Recommendations:
    """The matching service's results for the resident, with what shaped them (their limits and wishes
    are read: logged). ``matching``: the app's, whose matcher answers."""
    found = recommend(session, resident=resident, matching=matching, limit=limit)
    # Logged after matching: a write before it would hold the write lock while the model and engine work.
    log_access(session, user=user, resident_id=resident.id, action="match", what="为我推荐", reason=OWN_RECORD)
    return found


# --- who looked at my record -----------------------------------------------------------------------


@dataclass
class AccessView:
    at: datetime
    who: str
    doing: str
    """What was done, in the resident's words: the action's verb with the row's ``what`` ("查看了居民档案")."""
    reason: str
    reason_label: str = "原因"
    """进展 for an employer's step on an application: its reason says which step ("单位已联系")."""


SYSTEM_WHO = "系统后台"
"""Who a row written with no signed-in person is to the resident (a command on the server, a scheduled job)."""
OTHER_WHO = "其他人员"
"""A role no longer known: the row is still shown, never a fault."""

_DOING = {
    "read": "查看了{what}",
    "view": "查看了{what}",
    "view_rating_follow_up": "查看了您对服务的不满意评价",  # its ``what`` carries the item's number
    "create": "新建了{what}",
    "update": "修改了{what}",
    "match": "用您的求职信息匹配岗位（{what}）",
    "export": "把您的信息导出成表格（{what}）",
    "print": "打印了{what}",
    "invite": "看过{what}后邀请了您",
    "answer_suggestion": "答复了您的{what}",
}
"""The verb of each action, as the resident reads it; an employer's step on an application (``application_*``)
is 处理了 and its reason says which step. An action not named here is still shown (查看或处理了)."""
_STEP = "处理了{what}"
_UNKNOWN = "查看或处理了{what}"

_REASONS = {"命令行查询（工作人员）": "工作人员在系统后台查询"}
"""Reasons stored in words a resident would not follow, as they are said now (``estation.cli.match``)."""


def access_who(role: str) -> str:
    from estation.accounts.models import SYSTEM_ROLES, Role

    if role in SYSTEM_ROLES:
        return SYSTEM_WHO
    try:
        return Role(role).label
    except ValueError:
        return OTHER_WHO


def access_doing(action: str, what: str) -> str:
    words = _DOING.get(action) or (_STEP if action.startswith("application_") else _UNKNOWN)
    return words.format(what=what)


def record_readers(session: Session, *, user: User, limit: int = 50) -> list[AccessView]:
    """Every time someone other than the resident (or the system, with nobody signed in) read or changed
    their record, newest first (the access log). An employer is named: the resident may want to know
    which one looked."""
    from estation.accounts.models import AccessLog, Role

    resident = resident_of(session, user)
    rows = session.scalars(
        select(AccessLog).where(AccessLog.resident_id == resident.id, AccessLog.role != Role.resident.value)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)
    ).all()
    employer_users = {r.user_id for r in rows if r.role == Role.employer.value and r.user_id is not None}
    employers = dict(session.execute(
        select(User.id, Employer.name).join(Employer, Employer.id == User.employer_id)
        .where(User.id.in_(employer_users))).tuples().all()) if employer_users else {}

    def who(r: AccessLog) -> str:
        name = employers.get(r.user_id) if r.user_id is not None else None
        return f"{access_who(r.role)}“{name}”" if name else access_who(r.role)

    return [AccessView(at=r.at, who=who(r), doing=access_doing(r.action, r.what),
                       reason=_REASONS.get(r.reason, r.reason),
                       reason_label="进展" if r.action.startswith("application_") else "原因") for r in rows]
