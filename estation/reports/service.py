"""Outcomes of the employment loop over a span of months, by community and by group (issue 15.7).

Every figure is counted from the records the loop writes, for the residents (and households) of the
communities in scope; each community's figures and each group's figures add up to the totals:

- job seekers: residents who were registered unemployed (登记失业) on at least one day of the period
  (a status spell of theirs overlaps it), or who started a job in it;
- placements: jobs started in the period (jobs.models.Placement: a hire, or a cadre's reported placement);
  public_welfare_posts are those on a 公益性岗位;
- median_days_to_placement: from the start of the person's 登记失业 spell to the start of the job;
- retained_3_months: 3-month follow-ups due in the period (up to today); retained = answered "still in
  the job" (a follow-up nobody answered is not counted as retained);
- zero_employment_households: 零就业家庭 on the first day and on the last day of the period (or today);
  cleared = those of the first day that are no longer on the last;
- with_recommendations: job seekers to whom a job was recommended in the period, as the records show it:
  an employer invited them from the matcher's candidates, or their paired cadre recommended a job
  (ledger 推荐岗位). Running the matcher live for every job seeker takes minutes per page, and what it
  would return today is not what was put in front of the person then, so the recorded recommendations
  are what is counted.

A disability category is health data: a category with one to four job seekers could point at the person,
so its figures are not given (:func:`suppress`), nor can they be worked out from the totals.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation.accounts.models import Role, User
from estation.errors import Forbidden, InvalidInput
from estation.jobs.models import Invitation, Placement, PlacementFollowUp
from estation.labour.households import employment_on
from estation.labour.models import EmploymentRecord, EmploymentStatus, Household, Resident, Sex
from estation.labour.schemas import DISABILITY_CATEGORIES
from estation.labour.service import age_on, communities
from estation.ledger.models import ActionKind, LedgerAction

FOUR_FIFTHS = 0.8
SMALL_GROUP = 10
"""Below this many job seekers a group's rate moves a lot with one person: the page says so."""
AGE_BANDS = ((0, 24, "24岁及以下"), (25, 34, "25-34岁"), (35, 44, "35-44岁"), (45, 54, "45-54岁"),
             (55, 200, "55岁及以上"))
NO_DISABILITY = "none"
DIMENSIONS = {"disability_category": "残疾类别", "age_band": "年龄段", "sex": "性别"}
SMALL_CELL = 5
"""A group of fewer job seekers than this (but some) could point at someone: its figures are not given."""
SUPPRESSED_DIMENSIONS = ("disability_category",)
"""The groupings whose small groups are hidden: a disability category is sensitive personal data."""
HIDDEN = {"small": f"少于{SMALL_CELL}人", "complementary": "不单独显示"}
"""How a hidden group's figures read: too small, or hidden with it so that the totals cannot give it away."""
RATES = {"coverage": "获得岗位推荐的比例", "placement": "上岗的比例"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """The last day of the last month."""

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def first_day(value: str) -> date:
    """"2026-03" as the first day of that month (ValueError for anything else)."""
    year, mon = value.split("-")
    if len(year) != 4 or len(mon) != 2:
        raise ValueError(value)
    return date(int(year), int(mon), 1)


def month_of(name: str) -> Callable[[str], str]:
    """A validator of a month field: anything but "年-月" is refused naming the field in Chinese."""
    def check(value: str) -> str:
        try:
            first_day(value)
        except ValueError:
            raise ValueError(f"{name}请按“年-月”填写，如 2026-01") from None
        return value
    return check


def period(start: date, last_month: date) -> Period:
    if last_month < start:
        raise InvalidInput("结束月份不能早于起始月份", field="to")
    if (last_month.year - start.year) * 12 + last_month.month - start.month >= 120:
        raise InvalidInput("统计期间最长十年，请缩短", field="to")
    following = date(last_month.year + last_month.month // 12, last_month.month % 12 + 1, 1)
    return Period(start, date.fromordinal(following.toordinal() - 1))


@dataclass
class Counts:
    registered_job_seekers: int = 0
    placements: int = 0
    days_to_placement: list[int] = field(default_factory=list)
    due_3_months: int = 0
    retained_3_months: int = 0
    zero_at_start: int = 0
    zero_at_end: int = 0
    cleared: int = 0
    public_welfare_posts: int = 0

    @property
    def median_days_to_placement(self) -> float | None:
        return round(float(statistics.median(self.days_to_placement)), 1) if self.days_to_placement else None


@dataclass
class Group:
    dimension: str
    group: str
    label: str
    job_seekers: int = 0
    with_recommendations: int = 0
    placements: int = 0
    hidden: str | None = None
    """A key of HIDDEN when the group's figures are not given (see :func:`suppress`)."""

    def rate(self, which: str) -> float:
        part = self.with_recommendations if which == "coverage" else self.placements
        return part / self.job_seekers if self.job_seekers else 0.0


@dataclass(frozen=True)
class Flag:
    """A group below four fifths of the best group's rate in its dimension."""

    dimension: str
    rate: str
    group: Group
    best: Group

    @property
    def text(self) -> str:
        low, high = self.group, self.best
        small = f"（该组只有{low.job_seekers}人，比例受个别人影响大）" if low.job_seekers < SMALL_GROUP else ""
        return (f"{DIMENSIONS[self.dimension]}“{low.label}”{RATES[self.rate]}为{_share(low, self.rate)}，"
                f"最高的“{high.label}”为{_share(high, self.rate)}，不到其五分之四{small}。")


def _share(group: Group, which: str) -> str:
    part = group.with_recommendations if which == "coverage" else group.placements
    return f"{round(group.rate(which) * 100)}%（{part}/{group.job_seekers}人）"


@dataclass
class Outcomes:
    period: Period
    totals: Counts
    by_community: list[tuple[str, str, Counts]]
    """(code, name, figures) of each community in scope."""
    by_group: list[Group]
    withheld: list[str] = field(default_factory=list)
    """Dimensions whose groups are not given at all (see :func:`suppress`)."""

    @property
    def flags(self) -> list[Flag]:
        return fairness_flags(self.by_group)


def scope_of(user: User) -> list[str] | None:
    """The communities a user's report covers: community staff their own, leaders and admins all (None)."""
    if user.role == Role.community_staff:
        if not user.community_code:
            raise Forbidden("您的账号没有所属社区，请联系管理员")
        return [user.community_code]
    if user.role in (Role.leader, Role.admin):
        return None
    raise Forbidden("没有权限查看就业成效")


def fairness_flags(groups: Iterable[Group]) -> list[Flag]:
    """The four-fifths rule, per dimension and per rate, among groups with job seekers. The best group is
    taken among those of at least SMALL_GROUP people when there are any: three of four people in a group
    recommended would otherwise set a bar that flags every large group."""
    flags: list[Flag] = []
    for dimension in DIMENSIONS:
        # A hidden group is neither compared nor the bar: a flag would tell its rate (0 of 3 placed).
        members = [g for g in groups if g.dimension == dimension and g.job_seekers and g.hidden is None]
        large = [g for g in members if g.job_seekers >= SMALL_GROUP] or members
        for which in RATES:
            if not members:
                continue
            best = max(large, key=lambda g: g.rate(which))
            flags += [Flag(dimension, which, g, best) for g in members
                      if best.rate(which) > 0 and g.rate(which) < FOUR_FIFTHS * best.rate(which)]
    return flags


def outcomes(session: Session, *, user: User, period: Period, today: date) -> Outcomes:
    scope = scope_of(user)
    names = {code: c.name for code, c in communities(session).items() if scope is None or code in scope}
    last_day = min(period.end, today)
    by_code = {code: Counts() for code in names}
    totals = Counts()

    def add(code: str, change: Callable[[Counts], None]) -> None:
        if code in by_code:
            change(by_code[code])
            change(totals)

    placed = _placements(session, names, period)
    seekers = {r.id: r for r in _job_seekers(session, names, period)} | {p.resident.id: p.resident for p in placed}
    for resident in seekers.values():
        add(resident.community_code, _bump("registered_job_seekers"))
    for p in placed:
        add(p.resident.community_code, _bump("placements"))
        if p.public_welfare:
            add(p.resident.community_code, _bump("public_welfare_posts"))
        seeking_since = _seeking_since(p.resident, p.started_on)
        if seeking_since is not None:
            add(p.resident.community_code, _waited((p.started_on - seeking_since).days))
    for follow_up, code in _three_month_checks(session, names, period.start, last_day):
        add(code, _bump("due_3_months"))
        if follow_up.still_employed:
            add(code, _bump("retained_3_months"))
    for household in _households(session, names):
        before = employment_on(household, period.start).zero_employment
        after = employment_on(household, last_day).zero_employment
        add(household.community_code, _bump("zero_at_start", before))
        add(household.community_code, _bump("zero_at_end", after))
        add(household.community_code, _bump("cleared", before and not after))
    recommended = _recommended(session, set(seekers), period)
    groups = _groups(seekers.values(), recommended, placed, last_day)
    withheld = suppress(groups)
    return Outcomes(period, totals, [(code, names[code], by_code[code]) for code in names], groups, withheld)


def suppress(groups: list[Group]) -> list[str]:
    """Hide the figures of every group of one to four job seekers of SUPPRESSED_DIMENSIONS, then of the
    next smallest groups of that dimension until none of the hidden figures can be worked out.

    The groups of a dimension add up to the report's totals, so whoever reads the page knows what the
    hidden groups add up to (job seekers, recommended, not recommended, placements); that a small group
    has one to four people and a group hidden with it five or more; and that a group hidden with it is
    no bigger than any group shown. A figure is worked out when those leave it one possible value: a
    small group hidden alone (the total minus the others), 1 + 5 = 6 people, or nobody recommended
    among the hidden groups. What hiding every group of the dimension would not hide either (nobody at
    all placed) is what the totals say of everyone, and hides no more groups.

    But where the totals alone tell how many people a hidden group has (a scope whose only job seekers
    with a certificate are three people of one category, or 5 + 1 people), its name would tie them to
    their health: then the dimension's groups are removed from ``groups`` and the dimension returned
    among those withheld. Returns the withheld dimensions."""
    withheld: list[str] = []
    for dimension in SUPPRESSED_DIMENSIONS:
        members = sorted((g for g in groups if g.dimension == dimension), key=lambda g: (g.job_seekers, g.group))
        small = [g for g in members if 0 < g.job_seekers < SMALL_CELL]
        if not small:
            continue
        for g in small:
            g.hidden = "small"
        hidden, shown = small, [g for g in members if g.hidden is None]
        anyway = _worked_out(members, [])
        if "job_seekers" in anyway:
            withheld.append(dimension)
            groups[:] = [g for g in groups if g.dimension != dimension]
            continue
        while shown and _worked_out(hidden, shown) - anyway:
            g = shown.pop(0)
            g.hidden = "complementary"
            hidden = [*hidden, g]
    return withheld


def _worked_out(hidden: list[Group], shown: list[Group]) -> set[str]:
    """Which figures of the hidden groups (of one dimension) the reader can work out, as said above."""
    total = sum(g.job_seekers for g in hidden)
    cap = min((g.job_seekers for g in shown), default=total)
    people = [(1, SMALL_CELL - 1) if g.hidden == "small" else (SMALL_CELL, cap) for g in hidden]
    top = [high for _, high in people]
    measures = {
        "job_seekers": ([g.job_seekers for g in hidden], people),
        "recommended": ([g.with_recommendations for g in hidden], [(0, t) for t in top]),
        "not_recommended": ([g.job_seekers - g.with_recommendations for g in hidden], [(0, t) for t in top]),
        "placements": ([g.placements for g in hidden], [(0, sum(g.placements for g in hidden))] * len(hidden)),
    }
    return {name for name, (values, bounds) in measures.items() if _pinned(sum(values), bounds)}


def _pinned(total: int, bounds: list[tuple[int, int]]) -> bool:
    """Whether some part is left one value by its bounds and the parts' known sum."""
    low, high = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    return any(max(lo, total - (high - hi)) >= min(hi, total - (low - lo)) for lo, hi in bounds)


def _bump(name: str, really: bool = True) -> Callable[[Counts], None]:
    def change(counts: Counts) -> None:
        if really:
            setattr(counts, name, getattr(counts, name) + 1)
    return change


def _waited(days: int) -> Callable[[Counts], None]:
    def change(counts: Counts) -> None:
        counts.days_to_placement.append(days)
    return change


def _placements(session: Session, codes: dict[str, str], period: Period) -> list[Placement]:
    return list(session.scalars(
        select(Placement).join(Resident, Placement.resident_id == Resident.id)
        .where(Placement.started_on.between(period.start, period.end), Resident.community_code.in_(codes))
        .options(selectinload(Placement.resident).selectinload(Resident.status_history))
        .order_by(Placement.id)))


def _job_seekers(session: Session, codes: dict[str, str], period: Period) -> list[Resident]:
    spells = (select(EmploymentRecord.resident_id)
              .where(EmploymentRecord.status == EmploymentStatus.registered_unemployed,
                     EmploymentRecord.start_date <= period.end,
                     (EmploymentRecord.end_date.is_(None)) | (EmploymentRecord.end_date > period.start)))
    return list(session.scalars(select(Resident).where(Resident.id.in_(spells), Resident.community_code.in_(codes))))


def _seeking_since(resident: Resident, started_on: date) -> date | None:
    """The start of the 登记失业 spell the person found the job from (the latest one begun by then)."""
    starts = [r.start_date for r in resident.status_history
              if r.status == EmploymentStatus.registered_unemployed and r.start_date <= started_on]
    return max(starts, default=None)


def _three_month_checks(session: Session, codes: dict[str, str], first: date, last: date
                        ) -> list[tuple[PlacementFollowUp, str]]:
    rows = session.execute(
        select(PlacementFollowUp, Resident.community_code)
        .join(Placement, PlacementFollowUp.placement_id == Placement.id)
        .join(Resident, Placement.resident_id == Resident.id)
        .where(PlacementFollowUp.months_after == 3, PlacementFollowUp.due_on.between(first, last),
               Resident.community_code.in_(codes)))
    return [(f, code) for f, code in rows]


def _households(session: Session, codes: dict[str, str]) -> list[Household]:
    return list(session.scalars(
        select(Household).where(Household.community_code.in_(codes))
        .options(selectinload(Household.members).selectinload(Resident.status_history))))


def _recommended(session: Session, resident_ids: set[int], period: Period) -> set[int]:
    if not resident_ids:
        return set()
    since = datetime.combine(period.start, time.min, tzinfo=timezone.utc)
    until = datetime.combine(period.end, time.max, tzinfo=timezone.utc)
    invited = session.scalars(select(Invitation.resident_id).where(
        Invitation.resident_id.in_(resident_ids), Invitation.created_at.between(since, until)))
    referred = session.scalars(select(LedgerAction.resident_id).where(
        LedgerAction.kind == ActionKind.job_referral, LedgerAction.resident_id.in_(resident_ids),
        LedgerAction.on.between(period.start, period.end)))
    return {i for i in [*invited, *referred] if i is not None}


def _groups(seekers: Iterable[Resident], recommended: set[int], placed: list[Placement], day: date
            ) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for dimension, value, label in [("disability_category", NO_DISABILITY, "无残疾证"),
                                    *(("disability_category", c, c) for c in DISABILITY_CATEGORIES),
                                    *(("age_band", label, label) for _, _, label in AGE_BANDS),
                                    *(("sex", s.value, s.label) for s in Sex)]:
        groups[(dimension, value)] = Group(dimension, value, label)
    placements_of: dict[int, int] = {}
    for p in placed:
        placements_of[p.resident_id] = placements_of.get(p.resident_id, 0) + 1
    for resident in seekers:
        for key in _keys(resident, day):
            group = groups.setdefault(key, Group(*key, key[1]))
            group.job_seekers += 1
            group.with_recommendations += resident.id in recommended
            group.placements += placements_of.get(resident.id, 0)
    return [g for g in groups.values() if g.job_seekers]


def _keys(resident: Resident, day: date) -> list[tuple[str, str]]:
    age = age_on(resident.birth_date, day)
    band = next(label for low, high, label in AGE_BANDS if low <= age <= high)
    return [("disability_category", resident.disability_category or NO_DISABILITY), ("age_band", band),
            ("sex", resident.sex.value)]
