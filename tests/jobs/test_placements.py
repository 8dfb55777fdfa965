"""Issue 15 point 4, the services: from an application to a retained job (estation.jobs.placements), on
SQLite and PostgreSQL. Every step is logged with who and a note; illegal steps are refused in Chinese
and write nothing; a hire makes the resident and their household employed; follow-ups at 1, 3 and 6
months are the paired cadre's duties; a lost job restores the resident's status."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estation.accounts.models import Role
from estation.db import utcnow
from estation.errors import Conflict, InvalidInput
from estation.jobs import placements, service
from estation.jobs.models import Application, ApplicationStatus, ContractType, Placement, PlacementFollowUp
from estation.jobs.placements import Hire, add_months
from estation.labour.households import employment_on
from estation.labour.models import EmploymentStatus
from estation.ledger import duties, work
from estation.ledger.schemas import FollowUpAnswer
from estation.notifications.models import Audience, Notification
from tests.employer.conftest import make_company
from tests.factories import create_household, create_resident, create_user
from tests.ledger.helpers import pair

TODAY = date.today()
MINIMUM = 2200
S = ApplicationStatus


def _world(session: Session, *, applied_days_ago: int = 0):
    company = make_company(session, title="社区食堂帮厨")
    household = create_household(session)
    resident = create_resident(session, household=household, name="孙桂兰")
    application = service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=None)
    application.created_at = utcnow() - timedelta(days=applied_days_ago)
    session.flush()
    return company, household, resident, application


def _to_offer(session: Session, company, application: Application, *, at: datetime | None = None) -> None:
    placements.schedule_interview(session, application=application, at=at or utcnow(), place="食堂后厨",
                                  user=company.user)
    placements.record_attendance(session, application=application, attended=True, note="", user=company.user)
    placements.move(session, application=application, status=S.offered, reason=None, user=company.user)


def _hire(session: Session, company, application: Application, *, started_on: date = TODAY, **details) -> Placement:
    data = Hire(**({"started_on": started_on, "monthly_wage": 2900, "contract_type": ContractType.fixed_term}
                   | details))
    return placements.hire(session, application=application, data=data, user=company.user, minimum_wage=MINIMUM,
                           today=TODAY)


def test_from_application_to_hire_every_step_is_logged_and_the_household_works(session) -> None:
    company, household, resident, application = _world(session)
    assert employment_on(household, TODAY).zero_employment  # 零就业家庭 before the hire

    placements.move(session, application=application, status=S.contacted, reason=None, user=company.user)
    placements.schedule_interview(session, application=application, at=utcnow(), place="食堂后厨",
                                  user=company.user)
    assert application.interview_place == "食堂后厨" and application.interview_attended is None
    placements.record_attendance(session, application=application, attended=True, note="准时到", user=company.user)
    placements.move(session, application=application, status=S.offered, reason=None, user=company.user)
    placement = _hire(session, company, application, public_welfare=True, term_until=add_months(TODAY, 12))

    assert application.status == S.hired and application.placement is placement
    assert [e.status for e in application.history] == [S.new, S.contacted, S.interview, S.interview, S.offered, S.hired]
    assert all(e.by_user_id == company.user.id for e in application.history[1:])
    notes = [e.note or "" for e in application.history]
    assert "食堂后厨" in notes[2] and notes[3] == "已参加面试：准时到"
    assert "月工资2900元" in notes[5] and "固定期限劳动合同" in notes[5] and "公益性岗位" in notes[5]
    assert placements.step_authors(session, [application], viewer=company.user)[company.user.id].endswith("（用人单位）")

    assert (placement.monthly_wage, placement.contract_type, placement.public_welfare) == (2900, ContractType.fixed_term, True)
    assert placement.term_until == add_months(TODAY, 12)
    assert [(f.months_after, f.due_on) for f in placement.follow_ups] == [(m, add_months(TODAY, m)) for m in (1, 3, 6)]
    assert all(f.household_id == household.id for f in placement.follow_ups)

    # The resident is employed from the start date, by whom and why in their change log; the household too.
    assert resident.employment_status == EmploymentStatus.employed
    spell = resident.status_history[-1]
    assert (spell.status, spell.start_date, spell.employer_name) == (EmploymentStatus.employed, TODAY, company.employer.name)
    assert resident.changes[0].reason.startswith("录用上岗：") and resident.changes[0].user_id == company.user.id
    assert not employment_on(household, TODAY).zero_employment
    assert employment_on(household, TODAY - timedelta(days=1)).zero_employment  # history reads from the spells

    mine = session.scalars(select(Notification).where(Notification.audience == Audience.resident,
                                                      Notification.resident_id == resident.id)).all()
    assert mine[-1].title == "您的求职申请状态：已录用上岗"


def test_illegal_steps_are_refused_in_chinese_and_write_nothing(session) -> None:
    company, _, resident, application = _world(session)

    def refused(kind: type[Exception], call, *, field: str, says: str) -> None:
        before = (application.status, len(application.history), resident.employment_status)
        with pytest.raises(kind) as err:
            call()
        assert err.value.field == field and says in err.value.message, err.value.message
        session.expire_all()
        assert (application.status, len(application.history), resident.employment_status) == before

    refused(Conflict, lambda: placements.move(session, application=application, status=S.offered, reason=None,
                                              user=company.user), field="status", says="请先约面试")
    refused(InvalidInput, lambda: placements.move(session, application=application, status=S.hired, reason=None,
                                                  user=company.user), field="started_on", says="录用请填写上岗日期")
    refused(InvalidInput, lambda: placements.move(session, application=application, status=S.not_hired, reason="  ",
                                                  user=company.user), field="reason", says="未录用时请说明原因")
    refused(Conflict, lambda: _hire(session, company, application), field="status", says="请先发录用通知")
    refused(InvalidInput, lambda: placements.schedule_interview(session, application=application, at=utcnow(),
                                                                place="后", user=company.user),
            field="interview_place", says="面试地点")
    refused(InvalidInput, lambda: placements.schedule_interview(
        session, application=application, at=utcnow() + timedelta(days=200), place="食堂后厨", user=company.user),
        field="interview_at", says="90天以内")

    placements.schedule_interview(session, application=application, at=utcnow() + timedelta(days=2),
                                  place="食堂后厨", user=company.user)
    refused(InvalidInput, lambda: placements.record_attendance(session, application=application, attended=True,
                                                               note="", user=company.user),
            field="attended", says="面试时间还没到")
    refused(Conflict, lambda: placements.move(session, application=application, status=S.offered, reason=None,
                                              user=company.user), field="status", says="参加面试后才能发录用通知")
    placements.move(session, application=application, status=S.not_hired, reason="岗位已招满", user=company.user)
    refused(Conflict, lambda: placements.move(session, application=application, status=S.contacted, reason=None,
                                              user=company.user), field="status", says="已经“未录用”")
    assert application.status_reason == "岗位已招满"


def test_a_hire_with_bad_details_is_refused_before_anything_is_written(session) -> None:
    company, household, resident, application = _world(session, applied_days_ago=10)
    _to_offer(session, company, application, at=utcnow() - timedelta(days=9))
    cases = [
        (dict(monthly_wage=1500), "monthly_wage", "最低工资标准"),
        (dict(started_on=TODAY + timedelta(days=3)), "started_on", "不能晚于今天"),
        (dict(started_on=TODAY - timedelta(days=30)), "started_on", "不能早于求职者提交申请的日期"),
        (dict(public_welfare=True), "term_until", "请填写岗位期限"),
        (dict(public_welfare=True, term_until=add_months(TODAY, 40)), "term_until", "最长三年"),
    ]
    for details, field, says in cases:
        with pytest.raises(InvalidInput) as err:
            _hire(session, company, application, **details)
        assert err.value.field == field and says in err.value.message
    session.expire_all()
    assert application.status == S.offered and application.history[-1].status == S.offered
    assert session.scalar(select(func.count()).select_from(Placement).where(Placement.application_id == application.id)) == 0
    assert resident.employment_status == EmploymentStatus.registered_unemployed
    assert employment_on(household, TODAY).zero_employment


def test_follow_ups_are_the_paired_cadres_duties_and_a_lost_job_restores_the_status(session) -> None:
    company, household, resident, application = _world(session, applied_days_ago=120)
    cadre, other_cadre = create_user(session, role=Role.cadre), create_user(session, role=Role.cadre)
    pair(session, cadre, household)
    _to_offer(session, company, application, at=utcnow() - timedelta(days=110))
    started = TODAY - timedelta(days=100)
    placement = _hire(session, company, application, started_on=started)

    def due(user) -> list[tuple[int, str]]:
        found = duties.duties(session, user=user, year=TODAY.year, quarter=1, today=TODAY, no_contact_days=30)
        return [(f.months_after, f.resident_name) for f in found.follow_ups]

    assert due(cadre) == [(1, "孙桂兰"), (3, "孙桂兰")]  # the 6-month one is not due yet
    assert due(other_cadre) == []  # someone else's household
    one, three, six = placement.follow_ups
    assert work.follow_up_out(one).job == f"社区食堂帮厨（{company.employer.name}）"

    work.answer(session, user=cadre, follow_up=one, today=TODAY, data=FollowUpAnswer(still_employed=True, note="干得不错"))
    assert (one.still_employed, one.answered_by_id, one.note) == (True, cadre.id, "干得不错")
    assert application.history[-1].note == "上岗1个月跟踪：仍在岗"  # the note stays off the employer's log
    assert placements.step_authors(session, [application], viewer=company.user)[cadre.id] == "街道工作人员"
    with pytest.raises(Conflict):
        work.answer(session, user=cadre, follow_up=one, today=TODAY, data=FollowUpAnswer(still_employed=True))
    with pytest.raises(InvalidInput) as err:
        work.answer(session, user=cadre, follow_up=six, today=TODAY, data=FollowUpAnswer(still_employed=True))
    assert err.value.field == "on" and "6个月" in err.value.message

    work.answer(session, user=cadre, follow_up=three, today=TODAY, data=FollowUpAnswer(still_employed=False, note="腰不好辞职了"))
    assert application.status == S.left and application.history[-1].status == S.left
    assert (placement.ended_on, placement.end_reason) == (TODAY, "腰不好辞职了")
    assert resident.employment_status == EmploymentStatus.registered_unemployed
    assert employment_on(household, TODAY).zero_employment  # back among the 零就业家庭
    assert due(cadre) == [] and work.follow_ups(session, user=cadre) == []  # the 6-month check is moot
    with pytest.raises(Conflict):
        work.answer(session, user=cadre, follow_up=six, today=TODAY, data=FollowUpAnswer(still_employed=True))
    assert session.scalar(select(func.count()).select_from(PlacementFollowUp)
                          .where(PlacementFollowUp.placement_id == placement.id)) == 3


def test_a_resident_who_missed_the_interview_gets_a_new_one_but_no_offer_until_they_come(session) -> None:
    company, _, _, application = _world(session, applied_days_ago=5)
    placements.schedule_interview(session, application=application, at=utcnow() - timedelta(days=3), place="食堂后厨",
                                  user=company.user)
    placements.record_attendance(session, application=application, attended=False, note="电话没人接",
                                 user=company.user)
    assert placements.steps_for(application) == [S.interview, S.not_hired]
    with pytest.raises(Conflict) as err:
        placements.record_attendance(session, application=application, attended=True, note="", user=company.user)
    assert "已经登记过" in err.value.message
    with pytest.raises(Conflict):
        placements.move(session, application=application, status=S.offered, reason=None, user=company.user)
    placements.schedule_interview(session, application=application, at=utcnow() - timedelta(days=1), place="食堂后厨",
                                  user=company.user)
    assert application.interview_attended is None  # a new interview, its attendance still to come
    placements.record_attendance(session, application=application, attended=True, note="", user=company.user)
    assert placements.steps_for(application) == [S.offered, S.not_hired]
    with pytest.raises(Conflict) as err:
        placements.schedule_interview(session, application=application, at=utcnow(), place="食堂后厨", user=company.user)
    assert "已参加这次面试" in err.value.message
    assert [e.note for e in application.history if e.status == S.interview] == [
        application.history[1].note, "未参加面试：电话没人接", application.history[3].note, "已参加面试"]
