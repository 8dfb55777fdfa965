"""The daily digest of new matching jobs, for residents who opted in and for the cadres of hardship households.

Once a day (``ESTATION_ALERT_DIGEST_TIME``, Beijing time: the server's digest worker, estation.composition;
or ``estation alerts digest`` from cron) every resident who ticked 每日新岗位 (AlertConsent.job_digest) gets
the vacancies published since their previous digest that the matcher recommends for them: the kiosk's own
recommendations (the same hard limits; the same eligibility as 为这户找工作), of which only the new ones,
at most :data:`DIGEST_SIZE`, each as title, employer and distance in words. Nothing is sent when nothing new
matches. Each cadre paired with a hardship household gets one in-platform summary a day of the new matches
of its members, with the households linked from their inbox (/ledger/inbox).

One digest per person per day, however many processes run it: the :class:`JobDigest` row is written with
its notification in one transaction, and its unique ``(resident_id, day)`` / ``(user_id, day)`` lets only
the first commit through (the other's whole transaction, notification and outbox row, rolls back). The
matching runs before that short write, so no write lock is held while the model works.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from estation import clock
from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.db import utcnow
from estation.geo import distance_words
from estation.jobs.models import Vacancy
from estation.labour.models import Household, Resident
from estation.ledger.models import HouseholdPairing
from estation.matching.eligibility import eligibility
from estation.matching.service import JobMatch, Matcher
from estation.notifications.models import Audience, JobDigest
from estation.notifications.notifier import DIGEST_KIND
from estation.notifications.service import digest_subscribers, notify
from estation.outbox import hold_entities
from estation.privacy import mask_name

log = logging.getLogger("estation.matching")

DIGEST_SIZE = 5
"""At most this many jobs in one digest (per household member in a cadre's summary)."""
DEPTH = 30
"""How far down the matcher's recommendations a new job may be and still be sent (the kiosk shows 10)."""
FIRST_WINDOW = timedelta(days=1)
"""A first digest looks at the vacancies of the last day."""
MAX_WINDOW = timedelta(days=7)
"""After a long pause (digests withdrawn and given again, the server down) at most the last week."""
CADRE_KIND = "jobs.household_matches"
CADRE_TAIL = "点各户的“为这户找工作”看全部推荐。"
RESIDENT_LINK = "/kiosk/recommend"
CADRE_LINK = "/ledger/inbox"
READ_FOR_RESIDENT = "居民本人订阅的每日新岗位提醒"
READ_FOR_CADRE = "为结对困难家庭推送新岗位"


@dataclass
class DigestRun:
    """What one run did: digests written (sent), days claimed with nothing new (nothing sent), and
    people already done today (by an earlier run or another process)."""

    sent: list[int] = field(default_factory=list)
    nothing_new: list[int] = field(default_factory=list)
    already_done: list[int] = field(default_factory=list)
    cadres_sent: list[int] = field(default_factory=list)
    cadres_nothing_new: list[int] = field(default_factory=list)
    cadres_already_done: list[int] = field(default_factory=list)


def due(now: datetime, digest_time: str) -> bool:
    """Whether today's digests may be written at ``now`` (from ``digest_time`` Beijing time; empty: never,
    only the command writes them)."""
    return bool(digest_time) and now.astimezone(clock.BEIJING).time() >= time.fromisoformat(digest_time)


def beijing_day(now: datetime) -> date:
    return now.astimezone(clock.BEIJING).date()


def window_start(session: Session, *, now: datetime, resident_id: int | None = None,
                 user_id: int | None = None) -> datetime:
    """Vacancies published from here on are new to the person: since their previous digest's run."""
    column = JobDigest.resident_id if resident_id is not None else JobDigest.user_id
    last = session.scalar(select(func.max(JobDigest.ran_at)).where(column == (resident_id or user_id)))
    return max(last or now - FIRST_WINDOW, now - MAX_WINDOW)


def new_matches(matcher: Matcher, session: Session, *, resident: Resident, since: datetime, now: datetime,
                today: date) -> list[JobMatch]:
    """The vacancies published in [since, now) among the matcher's first :data:`DEPTH` for ``resident``, in
    its order, at most :data:`DIGEST_SIZE`; none for a resident matching does not look for work for."""
    if not eligibility(resident, today).matched:
        return []
    found = matcher.recommend(session, resident=resident, limit=DEPTH, today=today, rows=False)
    ids = [m.id for m in found.items]
    posted = dict(session.execute(select(Vacancy.id, Vacancy.posted_at).where(Vacancy.id.in_(ids))).tuples().all())
    return [m for m in found.items if m.id in posted and since <= posted[m.id] < now][:DIGEST_SIZE]


def job_line(match: JobMatch) -> str:
    """A job as the digest says it: title, employer and where, nothing about the person."""
    if match.home_based:
        where = "在家干"
    elif match.distance_km is not None:
        where = "离家" + distance_words(match.distance_km)
    else:
        where = ""
    return f"{match.title}（{match.employer_name}{'，' + where if where else ''}）"


def joined(lines: Sequence[str], *, tail: str, room: int = 500) -> str:
    """Lines joined by ；, cut before the one that would not fit (then 等), with ``tail`` after."""
    out = ""
    for line in lines:
        more = f"{out}；{line}" if out else line
        if len(more) + len(tail) + 2 > room:
            return f"{out}等。{tail}"
        out = more
    return f"{out}。{tail}"


def _claim(factory: sessionmaker[Session], row: JobDigest, message: dict | None,
           reads: list[tuple[int, int | None, str]]) -> bool:
    """Write the day's digest row with its notification (when there is one) and the reads of residents'
    records, logged in the name of whom the digest is for (resident id, user id, why), in one transaction;
    False if another run wrote this person's digest for the day first (nothing is kept)."""
    with factory() as session:
        for resident_id, user_id, why in reads:
            reader = session.get(User, user_id) if user_id is not None else None
            if reader is not None:
                log_access(session, user=reader, resident_id=resident_id, action="match", what="每日新岗位",
                           reason=why)
        if message is not None:
            row.notification_id = notify(session, **message).id
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def resident_digest(factory: sessionmaker[Session], matcher: Matcher, *, resident_id: int, now: datetime) -> str:
    """The resident's digest for ``now``'s day: "sent", "nothing_new" or "already_done"."""
    day = beijing_day(now)
    with factory() as session:
        if session.scalar(select(JobDigest.id).where(JobDigest.resident_id == resident_id, JobDigest.day == day)) \
                or not hold_entities(session, "digest.resident", [resident_id]):
            return "already_done"  # written, or being written by another process now
        since = window_start(session, now=now, resident_id=resident_id)
        resident = session.get(Resident, resident_id)
        # Read on the resident's own behalf (their subscription): logged as theirs once they have signed in.
        own_user = session.scalar(select(User.id).where(User.resident_id == resident_id, User.role == Role.resident))
        matches = new_matches(matcher, session, resident=resident, since=since, now=now, today=day) if resident else []
        session.rollback()  # read only: the write below is short and holds no lock while matching
    message = None
    if matches:
        message = {"audience": Audience.resident, "resident_id": resident_id, "kind": DIGEST_KIND,
                   "title": f"今天有{len(matches)}个新岗位适合您",
                   "body": joined([job_line(m) for m in matches], tail="详情请到自助终端“为我推荐”查看。"),
                   "link": RESIDENT_LINK}
    row = JobDigest(day=day, resident_id=resident_id, since=since, ran_at=now, vacancy_ids=[m.id for m in matches],
                    household_ids=[])
    if not _claim(factory, row, message, [(resident_id, own_user, READ_FOR_RESIDENT)]):
        return "already_done"
    return "sent" if matches else "nothing_new"


def paired_households(session: Session, *, today: date) -> dict[int, list[int]]:
    """Each cadre's hardship households paired with them today: {cadre id: [household ids]}."""
    rows = session.execute(
        select(HouseholdPairing.cadre_id, HouseholdPairing.household_id)
        .join(Household, Household.id == HouseholdPairing.household_id)
        .where(Household.hardship.is_(True), HouseholdPairing.start_date <= today,
               or_(HouseholdPairing.end_date.is_(None), HouseholdPairing.end_date >= today))
        .order_by(HouseholdPairing.cadre_id, HouseholdPairing.household_id)).tuples().all()
    out: dict[int, list[int]] = {}
    for cadre_id, household_id in rows:
        if household_id not in out.setdefault(cadre_id, []):
            out[cadre_id].append(household_id)
    return out


def cadre_summary(factory: sessionmaker[Session], matcher: Matcher, *, cadre_id: int, household_ids: list[int],
                  now: datetime) -> str:
    """One summary for the cadre of the new matches of their households' members: "sent", "nothing_new" or
    "already_done"."""
    day = beijing_day(now)
    lines: list[str] = []
    found: list[int] = []
    households: list[int] = []
    reads: list[tuple[int, int | None, str]] = []
    with factory() as session:
        if session.scalar(select(JobDigest.id).where(JobDigest.user_id == cadre_id, JobDigest.day == day)) \
                or not hold_entities(session, "digest.cadre", [cadre_id]):
            return "already_done"  # written, or being written by another process now
        since = window_start(session, now=now, user_id=cadre_id)
        for household_id in household_ids:
            household = session.get(Household, household_id)
            for member in household.members if household else []:
                if not eligibility(member, day).matched:
                    continue
                reads.append((member.id, cadre_id, READ_FOR_CADRE))
                matches = new_matches(matcher, session, resident=member, since=since, now=now, today=day)
                if matches:
                    lines.append(f"{mask_name(member.name)}：" + "、".join(job_line(m) for m in matches))
                    found += [m.id for m in matches if m.id not in found]
                    if household_id not in households:
                        households.append(household_id)
        session.rollback()
    message = None
    if found:
        message = {"audience": Audience.user, "user_id": cadre_id, "kind": CADRE_KIND,
                   "title": f"您结对的{len(households)}户家庭有{len(found)}个新岗位可推荐",
                   "body": joined(lines, tail=CADRE_TAIL), "link": CADRE_LINK}
    row = JobDigest(day=day, user_id=cadre_id, since=since, ran_at=now, vacancy_ids=found, household_ids=households)
    if not _claim(factory, row, message, reads):
        return "already_done"
    return "sent" if found else "nothing_new"


def run_daily(factory: sessionmaker[Session], matcher: Matcher, *, now: datetime | None = None) -> DigestRun:
    """Every digest of ``now``'s day not yet written: the residents', then the cadres'. One person's
    failure is logged and left for the next run (no row is written for them)."""
    now = now or utcnow()
    day = beijing_day(now)
    run = DigestRun()
    with factory() as session:
        done = {r for r in session.scalars(select(JobDigest.resident_id).where(JobDigest.day == day)) if r}
        residents = [r for r in digest_subscribers(session) if r not in done]
        done_cadres = {u for u in session.scalars(select(JobDigest.user_id).where(JobDigest.day == day)) if u}
        cadres = {c: h for c, h in paired_households(session, today=day).items() if c not in done_cadres}
        run.already_done += sorted(done & set(digest_subscribers(session)))
        session.rollback()
    outcome = {"sent": run.sent, "nothing_new": run.nothing_new, "already_done": run.already_done}
    for resident_id in residents:
        try:
            outcome[resident_digest(factory, matcher, resident_id=resident_id, now=now)].append(resident_id)
        except Exception:  # one resident's failure must not stop the others' digests
            log.exception("job digest for resident %s failed; tried again next run", resident_id)
    cadre_outcome = {"sent": run.cadres_sent, "nothing_new": run.cadres_nothing_new,
                     "already_done": run.cadres_already_done}
    for cadre_id, household_ids in cadres.items():
        try:
            cadre_outcome[cadre_summary(factory, matcher, cadre_id=cadre_id, household_ids=household_ids,
                                        now=now)].append(cadre_id)
        except Exception:  # one cadre's failure must not stop the others' summaries
            log.exception("new-matches summary for cadre %s failed; tried again next run", cadre_id)
    return run


def household_links(session: Session, notification_ids: Sequence[int]) -> dict[int, list[Household]]:
    """The households a cadre's summaries name, by notification id (for the inbox's links to their matches)."""
    if not notification_ids:
        return {}
    rows = session.execute(select(JobDigest.notification_id, JobDigest.household_ids)
                           .where(JobDigest.notification_id.in_(list(notification_ids)))).tuples().all()
    wanted = {h for _, ids in rows for h in ids}
    households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(wanted)))} if wanted else {}
    return {n: [households[h] for h in ids if h in households] for n, ids in rows if n is not None}

