"""好差评 in the service: a case or a kiosk session is rated once, a poor rating opens a follow-up item that
takes steps until closed, and the monthly report's rows add up to its totals, checked against the ratings made."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from estation.accounts.models import Role
from estation.cases import service as cases
from estation.cases.types import continued_contribution, unemployment_registration
from estation.errors import Conflict, InvalidInput
from estation.ratings import service as ratings
from estation.ratings.models import (
    POOR, SATISFIED, FollowUpStatus, Rating, RatingChannel, RatingFollowUp, Satisfaction,
)
from tests.factories import create_resident, create_user
from tests.ratings.helpers import finished_case

DAY = date(2026, 11, 2)


@pytest.fixture
def clerks(session):
    return {w: create_user(session, role=Role.counter_staff, window=w) for w in (1, 2, 3)}


def test_a_case_is_rated_once_and_only_when_finished(session, clerks) -> None:
    resident = create_resident(session)
    case = finished_case(session, clerk=clerks[2], day=DAY, resident=resident)
    open_one = cases.open_case(session, resident=resident, service_code=continued_contribution.TYPE.code,
                               handed_in=[], user=clerks[1], window=1, today=DAY)
    with pytest.raises(Conflict, match="办件办结后才能评价"):
        ratings.rate_case(session, case=open_one, level=Satisfaction.satisfied, channel=RatingChannel.counter)
    first, made = ratings.rate_case(session, case=case, level=Satisfaction.very_satisfied,
                                    channel=RatingChannel.counter, reason="等候时间长")
    again, made_again = ratings.rate_case(session, case=case, level=Satisfaction.very_dissatisfied,
                                          channel=RatingChannel.kiosk)
    assert made and not made_again and again.id == first.id
    assert session.scalar(select(func.count()).select_from(Rating).where(Rating.case_id == case.id)) == 1
    assert (first.level, first.window, first.service_code, first.resident_id) == (
        Satisfaction.very_satisfied, 2, continued_contribution.TYPE.code, resident.id)
    assert first.reason == "等候时间长"
    assert session.scalar(select(func.count()).select_from(RatingFollowUp)) == 0  # a good rating opens none
    assert ratings.unrated_cases(session, resident_id=resident.id) == []


def test_the_reason_keeps_a_listed_choice_and_masks_numbers_in_the_words(session, clerks) -> None:
    case = finished_case(session, clerk=clerks[1], day=DAY)
    row, _ = ratings.rate_case(session, case=case, level=Satisfaction.dissatisfied, channel=RatingChannel.counter,
                               reason="随便写的原因", words="请回电13805311234，我叫王秀英")
    assert row.reason == "请回电[号码已隐去]，我叫王某某"
    assert "1234" not in row.reason and "秀英" not in row.reason


def test_a_kiosk_session_is_rated_once(session) -> None:
    resident = create_resident(session)
    first, made = ratings.rate_kiosk_session(session, session_key="a" * 64, resident_id=resident.id,
                                             level=Satisfaction.fair, reason="字太小看不清")
    second, made_again = ratings.rate_kiosk_session(session, session_key="a" * 64, resident_id=resident.id,
                                                    level=Satisfaction.satisfied)
    assert made and not made_again and second.id == first.id and second.level is Satisfaction.fair
    assert first.case_id is None and first.window is None and first.channel is RatingChannel.kiosk


def test_a_poor_rating_is_followed_up_until_closed(session, clerks) -> None:
    supervisor = create_user(session, role=Role.admin)
    case = finished_case(session, clerk=clerks[3], day=DAY, refuse=True)
    rating, _ = ratings.rate_case(session, case=case, level=Satisfaction.very_dissatisfied,
                                  channel=RatingChannel.counter, reason="没有办成")
    item = session.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))
    assert item.status is FollowUpStatus.open and ratings.open_follow_ups(session) >= 1
    with pytest.raises(InvalidInput, match="请写下做了什么"):
        ratings.record_step(session, follow_up_id=item.id, note=" ", status=FollowUpStatus.in_progress, by=supervisor)
    ratings.record_step(session, follow_up_id=item.id, note="电话联系居民，解释了不予办理的原因",
                        status=FollowUpStatus.in_progress, by=supervisor)
    assert item.status is FollowUpStatus.in_progress and item.closed_at is None
    ratings.record_step(session, follow_up_id=item.id, note="居民补齐条件后重新办理，已满意",
                        status=FollowUpStatus.closed, by=supervisor)
    assert item.status is FollowUpStatus.closed and item.closed_at is not None
    assert [(s.status, s.by_user_id) for s in item.steps] == [
        (FollowUpStatus.in_progress, supervisor.id), (FollowUpStatus.closed, supervisor.id)]
    with pytest.raises(Conflict, match="已经办结"):
        ratings.record_step(session, follow_up_id=item.id, note="再记一次", status=FollowUpStatus.closed, by=supervisor)
    view = ratings.follow_up_view(session, item)
    assert view.case_reference == case.reference and view.resident_id == case.resident_id


def test_the_monthly_report_adds_up_and_matches_the_ratings_made(session, clerks) -> None:
    rng = random.Random(7)
    month = date(2026, 10, 1)
    inside = datetime(2026, 10, 15, 2, tzinfo=timezone.utc)
    # Months are Beijing months: 30 September 16:30 UTC is 1 October 00:30 in Beijing, inside the month.
    edge_in = datetime(2026, 9, 30, 16, 30, tzinfo=timezone.utc)
    edge_out = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)  # 1 November in Beijing
    codes = (continued_contribution.TYPE.code, unemployment_registration.TYPE.code)
    made: list[tuple[str, str, Satisfaction]] = []
    for i in range(40):
        level = rng.choice(list(Satisfaction))
        when = edge_in if i == 0 else edge_out if i == 1 else inside
        if rng.random() < 0.25:
            row, _ = ratings.rate_kiosk_session(session, session_key=f"test-session-{i}", resident_id=None, level=level)
            key = ("自助终端", "自助终端")
        else:
            window, code = rng.choice((1, 2, 3)), rng.choice(codes)
            row, _ = ratings.rate_case(session, case=finished_case(session, clerk=clerks[window], day=DAY, code=code),
                                       level=level, channel=RatingChannel.counter)
            key = (f"{window}号窗口", cases.get_service_type(session, code).name)
        row.rated_at = when
        if when != edge_out:
            made.append((*key, level))
    session.flush()
    report = ratings.monthly(session, month=month)
    expected = Counter(level for _, _, level in made)
    assert report.totals.counts == {level: expected[level] for level in Satisfaction}
    assert report.totals.total == len(made) == 39
    assert report.totals.satisfied == sum(1 for *_, level in made if level in SATISFIED)
    assert report.totals.poor == sum(1 for *_, level in made if level in POOR)
    assert report.totals.rate == pytest.approx(report.totals.satisfied / len(made))
    for rows, position in ((report.by_window, 0), (report.by_service, 1)):
        assert sum(t.total for _, t in rows) == report.totals.total
        for level in Satisfaction:
            assert sum(t.counts[level] for _, t in rows) == report.totals.counts[level]
        for name, tally in rows:
            assert tally.counts == {level: sum(1 for m in made if m[position] == name and m[2] is level)
                                    for level in Satisfaction}, name
    assert [n for n, _ in report.by_window][-1] == "自助终端"
    assert ratings.monthly(session, month=date(2026, 11, 1)).totals.total == 1  # the one on 1 November in Beijing
