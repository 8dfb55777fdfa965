"""Finding work for a household: referrals as ledger actions, placements and their 1/3/6-month follow-ups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.errors import Conflict, InvalidInput
from estation.jobs.models import VacancyStatus
from estation.jobs.placements import add_months
from estation.labour.models import EmploymentStatus
from estation.ledger import service, work
from estation.ledger.models import ActionKind, LedgerCategory, LedgerStatus
from estation.ledger.schemas import ActionCreate, FollowUpAnswer, PlacementCreate, ReferralCreate
from tests.factories import create_employer, create_resident, create_vacancy
from tests.ledger.helpers import cadre_with_household, new_item

TODAY = date.today()


def setup(session):
    cadre, household = cadre_with_household(session)
    person = create_resident(session, household=household, name="刘建国")
    vacancy = create_vacancy(session, employer=create_employer(session), title="小区保安")
    return cadre, household, person, vacancy


def test_referral_is_a_job_referral_action_on_an_employment_problem(session) -> None:
    cadre, household, person, vacancy = setup(session)
    action = work.refer(session, user=cadre, household=household, today=TODAY,
                        data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id))
    assert action.kind == ActionKind.job_referral and action.vacancy_id == vacancy.id
    assert action.note == f"推荐岗位：小区保安（{vacancy.employer.name}）"  # no internal id shown (issue 16.4)
    item = action.item
    assert item.category == LedgerCategory.employment and item.resident_id == person.id
    assert item.status == LedgerStatus.in_progress
    again = work.refer(session, user=cadre, household=household, today=TODAY,
                       data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id, note="第二次推荐"))
    assert again.item_id == item.id  # the open employment problem collects further referrals


def test_referral_refuses_closed_vacancies_and_strangers(session) -> None:
    cadre, household, person, vacancy = setup(session)
    stranger = create_resident(session)
    with pytest.raises(InvalidInput) as err:
        work.refer(session, user=cadre, household=household, today=TODAY,
                   data=ReferralCreate(resident_id=stranger.id, vacancy_id=vacancy.id))
    assert err.value.field == "resident_id"
    vacancy.status = VacancyStatus.closed
    with pytest.raises(InvalidInput) as err:
        work.refer(session, user=cadre, household=household, today=TODAY,
                   data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id))
    assert err.value.field == "vacancy_id"


def test_placement_schedules_follow_ups_at_1_3_and_6_months(session) -> None:
    cadre, household, person, vacancy = setup(session)
    referral = work.refer(session, user=cadre, household=household, today=TODAY - timedelta(days=100),
                          data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id))
    started = TODAY - timedelta(days=95)
    placement = work.place(session, user=cadre, referral=referral, today=TODAY,
                           data=PlacementCreate(started_on=started))
    assert placement.kind == ActionKind.placement and placement.vacancy_id == vacancy.id
    due = work.follow_ups(session, user=cadre)
    assert [(f.months_after, f.due_on) for f in due] == [(m, add_months(started, m)) for m in (1, 3, 6)]
    assert person.employment_status == EmploymentStatus.employed  # one placement record, however it was found
    with pytest.raises(Conflict):
        work.place(session, user=cadre, referral=referral, today=TODAY, data=PlacementCreate(started_on=started))


def test_a_lost_job_at_follow_up_reopens_the_problem(session) -> None:
    cadre, household, person, vacancy = setup(session)
    referral = work.refer(session, user=cadre, household=household, today=TODAY - timedelta(days=100),
                          data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id))
    work.place(session, user=cadre, referral=referral, today=TODAY, data=PlacementCreate(started_on=TODAY - timedelta(days=95)))
    item = referral.item
    service.move_status(session, user=cadre, item=item, to=LedgerStatus.resolved, reason="已上岗", today=TODAY)
    first, second, _ = work.follow_ups(session, user=cadre)
    f30 = work.visible_follow_up(session, cadre, first.id)
    work.answer(session, user=cadre, follow_up=f30, today=TODAY, data=FollowUpAnswer(still_employed=True))
    assert item.status == LedgerStatus.resolved and f30.still_employed is True
    with pytest.raises(Conflict):
        work.answer(session, user=cadre, follow_up=f30, today=TODAY, data=FollowUpAnswer(still_employed=True))
    f90 = work.visible_follow_up(session, cadre, second.id)
    work.answer(session, user=cadre, follow_up=f90, today=TODAY, data=FollowUpAnswer(still_employed=False, note="工厂裁员"))
    assert item.status == LedgerStatus.open and item.reopened_count == 1
    assert item.actions[-1].kind == ActionKind.follow_up and item.actions[-1].outcome_ok is False
    assert "3个月" in item.actions[-1].note
    assert work.follow_ups(session, user=cadre) == []  # the 6-month one is moot: the person left the job
    assert person.employment_status == EmploymentStatus.registered_unemployed


def test_follow_up_cannot_be_answered_long_before_it_is_due(session) -> None:
    cadre, household, person, vacancy = setup(session)
    referral = work.refer(session, user=cadre, household=household, today=TODAY,
                          data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id))
    work.place(session, user=cadre, referral=referral, today=TODAY, data=PlacementCreate(started_on=TODAY))
    f = work.visible_follow_up(session, cadre, work.follow_ups(session, user=cadre)[0].id)
    with pytest.raises(InvalidInput) as err:
        work.answer(session, user=cadre, follow_up=f, today=TODAY, data=FollowUpAnswer(still_employed=True))
    assert err.value.field == "on"


def test_without_a_model_the_result_says_unavailable_and_offers_the_nearest_open_vacancies(session, tmp_path) -> None:
    from estation.app import create_app
    from estation.config import Settings

    _, household = cadre_with_household(session)
    create_resident(session, household=household, lat=36.664, lon=117.052)
    employer = create_employer(session)
    far = create_vacancy(session, employer=employer, title="商场保洁", lat=36.700, lon=117.100)
    near = create_vacancy(session, employer=employer, title="小区保安", lat=36.665, lon=117.053)
    at_home = create_vacancy(session, employer=employer, title="手工串珠", home_based=True, lat=36.8, lon=117.3)
    create_vacancy(session, employer=employer, title="已关闭", status=VacancyStatus.closed)
    create_vacancy(session, employer=employer, title="已过期", valid_until=TODAY - timedelta(days=1))
    # A real app whose model setting names a folder that does not exist: matching cannot load.
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", environment="test",
                              var_dir=tmp_path, embedding_model=str(tmp_path / "no-such-model")))
    try:
        result = work.find_work(session, household=household, matching=app.state.parts.matching, today=TODAY)
    finally:
        app.state.parts.stop_workers()
    assert result.available is False and result.members == [] and result.message == work.UNAVAILABLE
    # Open and still valid only, nearest first (a home-based job is at the door), with true distances.
    assert [v.vacancy_id for v in result.nearby] == [at_home.id, near.id, far.id]
    assert result.nearby[0].distance_km == 0.0 and 0.1 < result.nearby[1].distance_km < 0.2
    assert 5 < result.nearby[2].distance_km < 7


def test_referral_on_a_given_item_must_belong_to_the_household(session) -> None:
    cadre, household, person, vacancy = setup(session)
    other_cadre, other = cadre_with_household(session)
    foreign = new_item(session, other_cadre, other, raised_on=TODAY, due_on=TODAY)
    with pytest.raises(InvalidInput) as err:
        work.refer(session, user=cadre, household=household, today=TODAY,
                   data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id, item_id=foreign.id))
    assert err.value.field == "item_id"
    own = new_item(session, cadre, household, raised_on=TODAY, due_on=TODAY, category=LedgerCategory.assistance)
    service.add_action(session, user=cadre, item=own, today=TODAY, data=ActionCreate(kind=ActionKind.call))
    action = work.refer(session, user=cadre, household=household, today=TODAY,
                        data=ReferralCreate(resident_id=person.id, vacancy_id=vacancy.id, item_id=own.id))
    assert action.item_id == own.id
