"""Issue 15 point 5: the daily digest of new matching jobs (estation.matching.digest) on PostgreSQL, with the
real model, the real matcher and a real index: what it sends is the matcher's own recommendations, new ones
only, within the resident's hard limits, and nothing personal; nothing without consent or after withdrawal;
one digest per person per day however many runs go at once; the cadre's summary reaches the paired cadre
only. The recording gateway (LoggingNotifier) is the only fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from estation import clock
from estation.accounts.models import AccessLog, Role, User
from estation.db import make_engine, make_session_factory
from estation.jobs.models import Vacancy
from estation.jobs.search import SearchService
from estation.labour.models import Resident, WorkCapacity
from estation.ledger.models import HouseholdPairing
from estation.matching.digest import DEPTH, DIGEST_SIZE, beijing_day, job_line, run_daily
from estation.matching.evaluation.harness import seed_jobs
from estation.matching.evaluation.jobs import job_specs
from estation.matching.limits import ResidentLimits, job_facts, violations
from estation.matching.service import Matcher
from estation.matching.vectors import listing_vectors
from estation.migrate import upgrade
from estation.notifications import service as notifications
from estation.notifications.models import Audience, Channel, JobDigest, Notification
from estation.notifications.notifier import DIGEST_KIND, LoggingNotifier, deliver_pending
from estation.notifications.service import opt_in, opt_out
from indexing.sync import rebuild
from tests.engines import drop_backend, make_backend
from tests.factories import create_household, create_resident, create_user
from tests.server import at_once

ARCHETYPES = ("cleaner", "guard", "warehouse", "knit", "data_entry", "cashier", "online_cs", "home_cleaning")
HOME = (36.6640, 117.0560)


@dataclass
class DigestWorld:
    factory: sessionmaker[Session]
    matcher: Matcher
    now: datetime
    """The first run: the "new" vacancies were published two hours before it, the others three days."""
    new_ids: set[int]
    cleaner: int
    """Wants cleaning work nearby, cannot carry (lifting_carrying 1): opted in by SMS to both topics."""
    knitter: int
    """Wants home handicraft only: opted in by WeChat to the daily jobs alone."""
    silent: int
    """Never opted in."""
    withdrawn: int
    """Opted in, then withdrew."""
    steps_only: int
    """Opted in to application steps only."""
    cadre: int
    other_cadre: int
    counter: int
    household: int
    """A hardship household paired with ``cadre``: one member who wants cleaning work."""


def _resident(s: Session, name: str, **fields) -> Resident:
    return create_resident(s, name=name, lat=HOME[0], lon=HOME[1], phone="13905311234", **fields)


@pytest.fixture(scope="module")
def world(private_postgres_url: str, tmp_path_factory, encoder, occupation_index) -> Iterator[DigestWorld]:
    url = private_postgres_url
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # 10:00 Beijing today: the runs below add minutes and hours, and must stay within one Beijing day
    # whenever the suite runs (at 23:57 Beijing, "five minutes later" was tomorrow).
    now = datetime.combine(clock.today(), time(10, 0), tzinfo=clock.BEIJING).astimezone(timezone.utc)
    with factory() as s:
        refs = seed_jobs(s, today=beijing_day(now), specs=[j for j in job_specs() if j.archetype in ARCHETYPES])
        # The variants near home were published three days ago (before any digest window), the rest two hours ago.
        old = [vid for ref, vid in refs.items() if ref.endswith("/near")]
        s.execute(update(Vacancy).values(posted_at=now - timedelta(hours=2)))
        s.execute(update(Vacancy).where(Vacancy.id.in_(old)).values(posted_at=now - timedelta(days=3)))
        cleaner = _resident(s, "周桂芳", wishes="小区保洁、打扫卫生", skills="打扫卫生", limits={"lifting_carrying": 1},
                            preferred_hours_per_day=8, max_travel_km=10, work_capacity=WorkCapacity.partial)
        knitter = _resident(s, "孙玉兰", wishes="在家做手工编织", skills="织毛衣、钩针", home_based_only=True)
        silent = _resident(s, "钱卫东", wishes="小区保洁")
        withdrawn = _resident(s, "吴秀珍", wishes="小区保洁")
        steps_only = _resident(s, "郑国强", wishes="小区保洁")
        opt_in(s, resident_id=cleaner.id, channel=Channel.sms, application_steps=True, job_digest=True)
        opt_in(s, resident_id=knitter.id, channel=Channel.wechat, wechat_openid="oWx-knit", application_steps=False,
               job_digest=True)
        opt_in(s, resident_id=withdrawn.id, channel=Channel.sms, job_digest=True)
        opt_out(s, resident_id=withdrawn.id)
        opt_in(s, resident_id=steps_only.id, channel=Channel.sms, application_steps=True, job_digest=False)
        household = create_household(s, hardship=True)
        _resident(s, "冯淑华", household=household, wishes="保洁员、打扫楼道", skills="打扫卫生", max_travel_km=10)
        unable = create_household(s, hardship=True)
        _resident(s, "陈老汉", household=unable, work_capacity=WorkCapacity.none)
        cadre, other, counter = (create_user(s, role=r) for r in (Role.cadre, Role.cadre, Role.counter_staff))
        today = beijing_day(now)
        s.add_all([HouseholdPairing(cadre_id=cadre.id, household_id=household.id, start_date=today - timedelta(days=90)),
                   HouseholdPairing(cadre_id=other.id, household_id=unable.id, start_date=today - timedelta(days=90))])
        s.commit()
        new_ids = set(refs.values()) - set(old)
        ids = dict(cleaner=cleaner.id, knitter=knitter.id, silent=silent.id, withdrawn=withdrawn.id,
                   steps_only=steps_only.id, cadre=cadre.id, other_cadre=other.id, counter=counter.id,
                   household=household.id)
    backend = make_backend("embedded", tmp_path_factory.mktemp("digest-index"), stem="dg")
    with factory() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=listing_vectors(encoder))
        s.commit()
    backend.refresh("vacancy")
    matcher = Matcher(encoder=encoder, search=SearchService(backend), occupations=occupation_index)
    yield DigestWorld(factory=factory, matcher=matcher, now=now, new_ids=new_ids, **ids)
    drop_backend(backend)
    engine.dispose()


def _digests(s: Session, **who) -> list[JobDigest]:
    return list(s.scalars(select(JobDigest).filter_by(**who).order_by(JobDigest.day)))


def _note(s: Session, digest: JobDigest) -> Notification:
    assert digest.notification_id is not None
    return s.get(Notification, digest.notification_id)


def test_the_digest_is_the_matchers_new_recommendations_within_the_hard_limits(world: DigestWorld) -> None:
    run = run_daily(world.factory, world.matcher, now=world.now)
    assert set(run.sent) == {world.cleaner, world.knitter} and run.nothing_new == []
    with world.factory() as s:
        for rid in (world.cleaner, world.knitter):
            resident = s.get(Resident, rid)
            (digest,) = _digests(s, resident_id=rid)
            assert digest.day == beijing_day(world.now) and digest.since == world.now - timedelta(days=1)
            # The matcher's own list, as the kiosk's 为我推荐 makes it, of which only the new ones.
            found = world.matcher.recommend(s, resident=resident, limit=DEPTH, today=digest.day).items
            expected = [m for m in found if m.id in world.new_ids][:DIGEST_SIZE]
            assert expected and digest.vacancy_ids == [m.id for m in expected]
            assert any(m.id not in world.new_ids for m in found)  # older matches exist and were left out
            limits = ResidentLimits.of(resident)
            for vacancy in s.scalars(select(Vacancy).where(Vacancy.id.in_(digest.vacancy_ids))):
                assert vacancy.posted_at >= digest.since
                assert violations(job_facts(vacancy, kind="vacancy"), limits, today=digest.day) == []
            note = _note(s, digest)
            assert (note.audience, note.resident_id, note.kind) == (Audience.resident, rid, DIGEST_KIND)
            assert note.title == f"今天有{len(expected)}个新岗位适合您"
            for m in expected:
                assert job_line(m) in note.body
            text = note.title + note.body
            assert resident.name not in text and resident.id_number not in text and "1390531" not in text
        knit = s.scalars(select(Vacancy).where(Vacancy.id.in_(_digests(s, resident_id=world.knitter)[0].vacancy_ids)))
        assert all(v.home_based for v in knit)  # 只在家干: nothing else is sent
        heavy = s.scalars(select(Vacancy.id).where(Vacancy.title == "仓库理货员")).all()
        assert not set(heavy) & set(_digests(s, resident_id=world.cleaner)[0].vacancy_ids)  # she cannot carry


def test_no_digest_without_consent_for_it_or_after_withdrawal(world: DigestWorld) -> None:
    with world.factory() as s:
        for rid in (world.silent, world.withdrawn, world.steps_only):
            assert _digests(s, resident_id=rid) == []
            assert not s.scalar(select(func.count()).select_from(Notification).where(
                Notification.resident_id == rid, Notification.kind == DIGEST_KIND))


def test_the_digest_leaves_by_the_channel_agreed_and_as_written(world: DigestWorld) -> None:
    gateway = LoggingNotifier()
    with world.factory() as s:
        deliver_pending(s, gateway, now=world.now + timedelta(minutes=1))
        s.commit()
        notes = {d.resident_id: _note(s, d) for d in s.scalars(select(JobDigest).where(JobDigest.notification_id.is_not(None),
                                                                                       JobDigest.resident_id.is_not(None)))}
    sent = {m.notification_id: m for m in gateway.sent}
    sms, wechat = sent[notes[world.cleaner].id], sent[notes[world.knitter].id]
    assert (sms.channel, sms.to) == (Channel.sms, "13905311234") and (wechat.channel, wechat.to) == (Channel.wechat, "oWx-knit")
    assert (sms.title, sms.body) == (notes[world.cleaner].title, notes[world.cleaner].body)  # nothing private to hide


def test_the_cadre_summary_reaches_the_paired_cadre_only(world: DigestWorld) -> None:
    with world.factory() as s:
        (summary,) = _digests(s, user_id=world.cadre)
        assert summary.household_ids == [world.household] and summary.vacancy_ids
        note = _note(s, summary)
        assert (note.audience, note.user_id) == (Audience.user, world.cadre)
        assert note.title == f"您结对的1户家庭有{len(summary.vacancy_ids)}个新岗位可推荐" and "冯**" in note.body
        member = s.scalars(select(Resident).where(Resident.household_id == world.household)).one()
        found = world.matcher.recommend(s, resident=member, limit=DEPTH, today=summary.day).items
        assert summary.vacancy_ids == [m.id for m in found if m.id in world.new_ids][:DIGEST_SIZE]
        (nothing,) = _digests(s, user_id=world.other_cadre)  # the day is claimed, nothing was sent
        assert nothing.notification_id is None and nothing.vacancy_ids == []
        inbox = {uid: [n.id for n in notifications.inbox(s, user=s.get(User, uid))]
                 for uid in (world.cadre, world.other_cadre, world.counter)}
        assert inbox == {world.cadre: [note.id], world.other_cadre: [], world.counter: []}
        # The cadre's read of the member's record is in the access log, in the cadre's name.
        assert s.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.resident_id == member.id, AccessLog.user_id == world.cadre, AccessLog.action == "match"))


def test_one_digest_a_day_even_when_runs_go_at_once(world: DigestWorld) -> None:
    again = run_daily(world.factory, world.matcher, now=world.now + timedelta(minutes=5))
    assert again.sent == [] and set(again.already_done) == {world.cleaner, world.knitter}
    # The next day, three runs at once (as two server processes and cron would): each person once.
    with world.factory() as s:
        s.execute(update(Vacancy).where(Vacancy.id.in_(world.new_ids)).values(posted_at=world.now + timedelta(hours=20)))
        s.commit()
    tomorrow = world.now + timedelta(days=1)
    runs = at_once(3, lambda i: run_daily(world.factory, world.matcher, now=tomorrow))
    day = beijing_day(tomorrow)
    with world.factory() as s:
        for who in ({"resident_id": world.cleaner}, {"resident_id": world.knitter}, {"user_id": world.cadre},
                    {"user_id": world.other_cadre}):
            rows = [d for d in _digests(s, **who) if d.day == day]
            assert len(rows) == 1, who
            assert rows[0].since == world.now  # since the previous digest's run
        notes = set(s.scalars(select(Notification.id).where(Notification.kind == DIGEST_KIND)))
        written = set(s.scalars(select(JobDigest.notification_id).where(JobDigest.resident_id.is_not(None),
                                                                        JobDigest.notification_id.is_not(None))))
        assert len([d for d in _digests(s, resident_id=world.cleaner) if d.day == day and d.notification_id]) == 1
    assert notes == written  # no notification without its digest row: the losers' transactions rolled back whole
    claimed = [r for run in runs for r in run.sent + run.nothing_new]
    assert sorted(claimed) == sorted({world.cleaner, world.knitter})


def test_nothing_is_sent_when_nothing_new_matches(world: DigestWorld) -> None:
    later = world.now + timedelta(days=2)  # nothing was published since the day before
    run = run_daily(world.factory, world.matcher, now=later)
    assert run.sent == [] and set(run.nothing_new) == {world.cleaner, world.knitter}
    with world.factory() as s:
        rows = [d for d in _digests(s, resident_id=world.cleaner) if d.day == beijing_day(later)]
        assert [(d.notification_id, d.vacancy_ids) for d in rows] == [(None, [])]


def test_no_digest_once_withdrawn(world: DigestWorld) -> None:
    with world.factory() as s:
        opt_out(s, resident_id=world.cleaner)
        s.execute(update(Vacancy).values(posted_at=world.now + timedelta(days=2, hours=20)))
        s.commit()
    run = run_daily(world.factory, world.matcher, now=world.now + timedelta(days=3))
    assert world.cleaner not in run.sent + run.nothing_new + run.already_done and run.sent == [world.knitter]


def test_the_worker_writes_digests_from_the_set_time_beijing() -> None:
    from estation import clock
    from estation.matching.digest import due

    def at(hour: int, minute: int) -> datetime:
        return datetime(2026, 12, 7, hour, minute, tzinfo=clock.BEIJING).astimezone(timezone.utc)
    assert [due(at(h, m), "09:30") for h, m in ((0, 5), (9, 29), (9, 30), (20, 0), (23, 59))] \
        == [False, False, True, True, True]
    assert not due(at(12, 0), "")  # empty: only `estation alerts digest` writes them


def test_the_command_writes_todays_digests_once(tmp_path, monkeypatch, encoder, occupation_index,
                                                model_cache_dir) -> None:
    """`estation alerts digest` for cron, as the server builds the matcher; run twice, one digest."""
    from typer.testing import CliRunner

    from estation.cli import app
    from estation.config import Settings, get_settings
    from indexing.embedded import EmbeddedBackend

    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        seed_jobs(s, today=beijing_day(datetime.now(timezone.utc)),
                  specs=[j for j in job_specs() if j.archetype in ("cleaner", "guard")])
        person = _resident(s, "周桂芳", wishes="小区保洁、打扫卫生", max_travel_km=10)
        opt_in(s, resident_id=person.id, channel=Channel.sms, job_digest=True)
        s.commit()
        person_id = person.id
    settings = Settings(database_url=url, var_dir=tmp_path, environment="test")
    backend = EmbeddedBackend(tmp_path / "search.sqlite3", prefix=settings.index_prefix)
    with factory() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=listing_vectors(encoder))
        s.commit()
    backend.close()
    for name, value in (("DATABASE_URL", url), ("VAR_DIR", str(tmp_path)), ("ENVIRONMENT", "test"),
                        ("MODEL_CACHE_DIR", str(model_cache_dir))):
        monkeypatch.setenv(f"ESTATION_{name}", value)
    get_settings.cache_clear()
    occupation_index.save(tmp_path / "occupations")
    try:
        cli = CliRunner()
        first = cli.invoke(app, ["alerts", "digest"])
        assert first.exit_code == 0, first.output
        assert "居民：发出1份" in first.output
        second = cli.invoke(app, ["alerts", "digest"])
        assert second.exit_code == 0 and "居民：发出0份" in second.output and "今天已发过1人" in second.output
    finally:
        get_settings.cache_clear()
    with factory() as s:
        (digest,) = _digests(s, resident_id=person_id)
        assert digest.vacancy_ids and _note(s, digest).kind == DIGEST_KIND


def test_a_person_another_process_is_writing_is_left_to_it(world: DigestWorld) -> None:
    """Several app processes run the digest round: the one holding a person does their matching, the others
    skip them (no repeated work, no row) instead of matching them again."""
    from estation.matching.digest import resident_digest
    from estation.outbox import hold_entities

    later = world.now + timedelta(days=5)
    with world.factory() as other:  # another process, in the middle of the knitter's digest
        assert hold_entities(other, "digest.resident", [world.knitter]) == {world.knitter}
        assert resident_digest(world.factory, world.matcher, resident_id=world.knitter, now=later) == "already_done"
        with world.factory() as s:
            assert [d for d in _digests(s, resident_id=world.knitter) if d.day == beijing_day(later)] == []
    # Released (that process ended without writing, e.g. it failed): the next round writes it.
    assert resident_digest(world.factory, world.matcher, resident_id=world.knitter, now=later) in ("sent", "nothing_new")
    with world.factory() as s:
        assert len([d for d in _digests(s, resident_id=world.knitter) if d.day == beijing_day(later)]) == 1
