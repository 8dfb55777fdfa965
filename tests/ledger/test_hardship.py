"""Hardship households to zero (issue 15, points 6 and 9): the 零就业家庭 list follows hires and lost jobs,
公益性岗位 placements show their term, and policy reminders answered are counted per community."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from estation.accounts.models import Role
from estation.errors import Forbidden, InvalidInput
from estation.jobs import placements, service as jobs_service
from estation.jobs.models import ContractType
from estation.labour.models import EmploymentStatus, WorkCapacity
from estation.ledger import hardship, rules, work
from estation.ledger.models import LedgerStatus, ReminderMark, ReminderOutcome
from estation.ledger.schemas import FollowUpAnswer, PlacementCreate, ReferralCreate, ReminderMarkIn
from estation.db import utcnow
from tests.employer.conftest import csrf, make_company
from tests.factories import create_employer, create_household, create_resident, create_user, create_vacancy, new_id_number
from tests.ledger.helpers import hold, new_item, pair

TODAY = date.today()
C1, C2, C3 = "370102009001", "370102009002", "370102009003"


def _named(session, role: Role, name: str):
    user = create_user(session, role=role)
    user.display_name = name
    return user


def _listed(session, user) -> dict[int, object]:
    return {h.id: h for h in hardship.zero_employment_households(session, user=user, today=TODAY)}


def test_a_hire_takes_the_household_off_the_list_and_a_lost_job_puts_it_back(session) -> None:
    cadre = _named(session, Role.cadre, "李明")
    household = create_household(session, hardship=True)
    seeker = create_resident(session, household=household, name="孙桂兰")
    create_resident(session, household=household, name="孙老汉", id_number=new_id_number(birth=date(1950, 1, 1), sex="male"),
                    relation="parent", employment_status=EmploymentStatus.retired)
    pair(session, cadre, household)
    item = new_item(session, cadre, household, raised_on=TODAY - timedelta(days=60), due_on=TODAY + timedelta(days=30))
    working = create_household(session)
    create_resident(session, household=working, name="赵强", employment_status=EmploymentStatus.employed)
    create_resident(session, household=working, name="赵红")  # unemployed, but her husband works
    pair(session, cadre, working)
    unable = create_household(session)
    create_resident(session, household=unable, name="钱瘫", work_capacity=WorkCapacity.none)
    pair(session, cadre, unable)
    elsewhere = create_household(session)  # not this cadre's
    create_resident(session, household=elsewhere, name="周某")

    listed = _listed(session, cadre)
    assert set(listed) == {household.id}
    entry = listed[household.id]
    assert (entry.job_seekers, entry.cadre_names, entry.community_name) == (["孙桂兰"], ["李明"], "第三社区")
    assert (entry.item.id, entry.item.status, entry.item.overdue) == (item.id, LedgerStatus.open, False)
    assert household.id in _listed(session, create_user(session, role=Role.admin))

    vacancy = create_vacancy(session, employer=create_employer(session), title="社区保洁")
    started = TODAY - timedelta(days=40)
    referral = work.refer(session, user=cadre, household=household, today=started,
                          data=ReferralCreate(resident_id=seeker.id, vacancy_id=vacancy.id, item_id=item.id))
    work.place(session, user=cadre, referral=referral, data=PlacementCreate(started_on=started), today=started)
    assert _listed(session, cadre) == {}  # the hire takes the household off at once

    one_month = next(f for f in work.follow_ups(session, user=cadre) if f.months_after == 1)
    work.answer(session, user=cadre, follow_up=work.visible_follow_up(session, cadre, one_month.id), today=TODAY,
                data=FollowUpAnswer(still_employed=False, note="已不在岗"))
    assert set(_listed(session, cadre)) == {household.id}  # 已不在岗: back on the list


def welfare_hire(session, household, name: str, *, started: date, term_until: date):
    """A resident hired into a 公益性岗位 through an application, every step of it; the employer returned."""
    company = make_company(session, title="社区公益保洁")
    resident = create_resident(session, household=household, name=name)
    application = jobs_service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=None)
    application.created_at = utcnow() - timedelta(days=(TODAY - started).days + 10)
    placements.schedule_interview(session, application=application, at=utcnow(), place="社区", user=company.user)
    placements.record_attendance(session, application=application, attended=True, note="", user=company.user)
    placements.move(session, application=application, status=placements.ApplicationStatus.offered, reason=None,
                    user=company.user)
    placements.hire(session, application=application, user=company.user, minimum_wage=2200, today=TODAY,
                    data=placements.Hire(started_on=started, monthly_wage=2300, contract_type=ContractType.fixed_term,
                                         public_welfare=True, term_until=term_until))
    return company


def test_the_list_is_read_in_one_set_of_queries_however_many_households(session) -> None:
    leader = create_user(session, role=Role.leader)
    hold(session, leader, C1)

    def add(n: int) -> None:
        for _ in range(n):
            household = create_household(session, community_code=C1, hardship=True)
            create_resident(session, household=household, name="求职者")
            pair(session, create_user(session, role=Role.cadre), household)
            new_item(session, leader, household, raised_on=TODAY, due_on=TODAY + timedelta(days=30))

    def statements() -> tuple[int, int]:
        session.expire_all()
        seen: list[str] = []
        bind = session.connection()

        def listener(conn, cursor, statement, *rest) -> None:
            seen.append(statement)

        event.listen(bind, "before_cursor_execute", listener)
        try:
            listed = hardship.zero_employment_households(session, user=leader, today=TODAY)
        finally:
            event.remove(bind, "before_cursor_execute", listener)
        return len(listed), len(seen)

    add(2)
    few, few_queries = statements()
    add(12)
    many, many_queries = statements()
    assert (few, many) == (2, 14)
    assert many_queries == few_queries <= 10


def test_public_welfare_posts_show_their_term_and_only_to_those_who_may_see_them(session) -> None:
    household = create_household(session, hardship=True)
    started = TODAY - timedelta(days=150)
    company = welfare_hire(session, household, "吴凤", started=started, term_until=TODAY + timedelta(days=20))
    cadre, stranger = create_user(session, role=Role.cadre), create_user(session, role=Role.cadre)
    pair(session, cadre, household)

    [post] = hardship.public_welfare_posts(session, user=cadre, today=TODAY)
    assert (post.resident_name, post.household_id, post.job) == ("吴凤", household.id,
                                                                f"社区公益保洁（{company.employer.name}）")
    assert (post.started_on, post.term_until, post.days_left, post.ending_soon) == (
        started, TODAY + timedelta(days=20), 20, True)
    assert hardship.public_welfare_posts(session, user=stranger, today=TODAY) == []
    assert hardship.public_welfare_posts(session, user=cadre, today=TODAY - timedelta(days=30))[0].ending_soon is False


def _old(session, household, name: str, birth: date, **fields):
    return create_resident(session, household=household, name=name, id_number=new_id_number(birth=birth),
                           employment_status=EmploymentStatus.retired, **fields)


def test_reminders_marked_are_counted_per_community_against_the_data(session) -> None:
    policy_rules = rules.load_rules()
    cadre, leader = create_user(session, role=Role.cadre), create_user(session, role=Role.leader)
    hold(session, leader, C1)
    hold(session, leader, C2)
    a = create_household(session, community_code=C1, hardship=True)  # 82, hardship: 老龄补贴 and 居家养老
    a1 = _old(session, a, "甲奶奶", date(TODAY.year - 82, 1, 1))
    b = create_household(session, community_code=C1)  # 85: 老龄补贴
    b1 = _old(session, b, "乙奶奶", date(TODAY.year - 85, 1, 1))
    c = create_household(session, community_code=C1)  # 81: 老龄补贴, nobody checked yet
    _old(session, c, "丙奶奶", date(TODAY.year - 81, 1, 1))
    d = create_household(session, community_code=C2, hardship=True)  # 尿毒症: 大病救助 (and 就业援助)
    d1 = create_resident(session, household=d, name="丁大姐", health_note="尿毒症，每周透析三次")
    e = create_household(session, community_code=C3)  # 90, but the leader does not hold this community
    _old(session, e, "戊奶奶", date(TODAY.year - 90, 1, 1))
    for h in (a, b, c, d):
        pair(session, cadre, h)

    def mark(household, resident, code: str, outcome: ReminderOutcome, note: str = "") -> None:
        hardship.mark_reminder(session, user=cadre, household=household, policy_rules=policy_rules, today=TODAY,
                               data=ReminderMarkIn(resident_id=resident.id, code=code, outcome=outcome, note=note))

    mark(a, a1, "old_age_allowance", ReminderOutcome.not_applicable, "核对有误")
    mark(a, a1, "old_age_allowance", ReminderOutcome.done)  # the latest answer counts
    mark(b, b1, "old_age_allowance", ReminderOutcome.not_applicable, "户籍在外区，已在户籍地领取")
    mark(d, d1, "critical_illness", ReminderOutcome.done)
    with pytest.raises(InvalidInput) as err:  # a reminder the member does not have
        mark(d, d1, "old_age_allowance", ReminderOutcome.done)
    assert err.value.field == "code"
    with pytest.raises(InvalidInput) as err:
        mark(c, c.members[0], "old_age_allowance", ReminderOutcome.not_applicable)
    assert err.value.field == "note"
    assert session.scalar(select(func.count()).select_from(ReminderMark)) == 4

    got = {(r.community_code, r.policy): (r.eligible, r.received, r.not_applicable, r.to_check)
           for r in hardship.reminder_coverage(session, user=leader, policy_rules=policy_rules, today=TODAY)}
    assert {k[0] for k in got} == {C1, C2}
    assert got[(C1, "老龄补贴")] == (2, 1, 1, 1)
    assert got[(C1, "居家养老")] == (1, 0, 0, 1)
    assert got[(C1, "大病救助")] == (0, 0, 0, 0)
    assert got[(C2, "大病救助")] == (1, 1, 0, 0)
    assert got[(C2, "就业援助")] == (1, 0, 0, 1)
    assert got[(C2, "老龄补贴")] == (0, 0, 0, 0)
    with pytest.raises(Forbidden):
        hardship.reminder_coverage(session, user=cadre, policy_rules=policy_rules, today=TODAY)


def test_the_api_lists_marks_and_counts_in_plain_terms(api) -> None:
    with api.db() as s:
        cadre = _named(s, Role.cadre, "王干部")
        leader = create_user(s, role=Role.leader)
        hold(s, leader, "370102009004")
        household = create_household(s, community_code="370102009004", hardship=True)
        seeker = create_resident(s, household=household, name="郑秀")
        elder = _old(s, household, "郑奶奶", date(TODAY.year - 88, 3, 1), relation="parent")
        pair(s, cadre, household)
        s.commit()
        ids = (household.id, seeker.id, elder.id)
    household_id, seeker_id, elder_id = ids
    as_cadre, as_leader = api.client_for(cadre), api.client_for(leader)

    found = as_cadre.get("/api/v1/ledger/hardship").json()
    [entry] = [h for h in found["zero_employment_households"] if h["id"] == household_id]
    assert (entry["job_seekers"], entry["cadre_names"], entry["item"]) == (["郑秀"], ["王干部"], None)

    marked = as_cadre.post(f"/api/v1/ledger/households/{household_id}/reminders",
                           json={"resident_id": elder_id, "code": "old_age_allowance", "outcome": "done"})
    assert marked.status_code == 201, marked.text
    [reminder] = [r for r in marked.json() if r["code"] == "old_age_allowance"]
    assert (reminder["outcome"], reminder["marked_on"]) == ("done", TODAY.isoformat())
    bad = as_cadre.post(f"/api/v1/ledger/households/{household_id}/reminders",
                        json={"resident_id": seeker_id, "code": "old_age_allowance", "outcome": "done"})
    assert bad.status_code == 422 and "已不适用" in bad.text

    assert as_cadre.get("/api/v1/ledger/reminder-coverage").status_code == 403
    rows = as_leader.get("/api/v1/ledger/reminder-coverage").json()
    [allowance] = [r for r in rows if r["community_code"] == "370102009004" and r["policy"] == "老龄补贴"]
    assert (allowance["eligible"], allowance["received"], allowance["to_check"]) == (1, 1, 0)

    form = {"csrf_token": csrf(as_cadre, f"/ledger/households/{household_id}"), "resident_id": str(elder_id),
            "code": "home_care_hardship"}
    refused = as_cadre.post(f"/ledger/households/{household_id}/reminders", data=form)  # no answer chosen
    assert refused.status_code == 422 and "“核实结果”填写有误" in refused.text
    refused = as_cadre.post(f"/ledger/households/{household_id}/reminders", data=form | {"outcome": "not_applicable"})
    assert refused.status_code == 422 and "标记“不适用”时请写明原因" in refused.text
    done = as_cadre.post(f"/ledger/households/{household_id}/reminders", follow_redirects=False,
                         data=form | {"outcome": "not_applicable", "note": "已入住养老院"})
    assert done.status_code == 303 and done.headers["location"].endswith("#reminders")
    assert "已核实：不适用" in as_cadre.get(f"/ledger/households/{household_id}").text

    page = as_leader.get("/ledger/hardship")
    assert page.status_code == 200
    assert "郑秀" in page.text and "为这户找工作" in page.text and "已享受 1 / 1 户" in page.text
    assert "None" not in page.text and "old_age_allowance" not in page.text
