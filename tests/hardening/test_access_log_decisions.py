"""What was written to a resident's (or household's) record through the API and the employer's pages is in
the access log like the admin's and the counter's changes: who (the user and role), whose record, what
action. Pairings made through the JSON API; an employer's invitation and every step it takes on an
application, through the API and through its pages; an answer to a resident's suggestion through the API.
Each action is taken by the real role over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from estation.accounts.models import AccessLog, Role
from estation.db import utcnow
from estation.feedback import service as feedback
from estation.feedback.models import Suggestion, SuggestionKind
from estation.jobs import service as jobs
from estation.jobs.candidates import candidate_ref
from estation.jobs.models import Application
from estation.labour.service import communities
from tests.employer.conftest import csrf, make_company
from tests.factories import create_household, create_resident, create_user

TODAY = date.today()


def _rows(api, *, since: int, **where) -> list[tuple]:
    """The access log rows written after row ``since``: (user, role, resident, action, what, reason)."""
    with api.db() as s:
        stmt = select(AccessLog).where(AccessLog.id > since).order_by(AccessLog.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(AccessLog, column) == value)
        return [(r.user_id, r.role, r.resident_id, r.action, r.what, r.reason) for r in s.scalars(stmt)]


def _last_id(api) -> int:
    with api.db() as s:
        return s.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1)) or 0


def test_pairings_through_the_api_are_logged_as_on_the_admin_screen(api) -> None:
    with api.db() as s:
        admin = create_user(s, role=Role.admin)
        old, new = create_user(s, role=Role.cadre), create_user(s, role=Role.cadre)
        old.display_name, new.display_name = "张包户", "李接替"
        leader = create_user(s, role=Role.leader)
        leader.display_name = "赵联居"
        household = create_household(s, hardship=True)
        s.commit()
        ids = dict(admin=admin.id, old=old.id, new=new.id, leader=leader.id, household=household.id)
        address = household.address
    client = api.client_for(admin)
    since = _last_id(api)

    made = client.post("/api/v1/ledger/pairings", json={"cadre_id": ids["old"], "household_id": ids["household"],
                                                        "start_date": "2025-01-01"})
    assert made.status_code == 201, made.text
    moved = client.post(f"/api/v1/ledger/pairings/{made.json()['id']}/reassign",
                        json={"cadre_id": ids["new"], "on": str(TODAY), "reason": "工作调动"})
    assert moved.status_code == 201, moved.text
    held = client.post("/api/v1/ledger/assignments", json={"leader_id": ids["leader"], "community_code": "370102009003",
                                                           "start_date": "2099-01-01"})
    assert held.status_code == 201, held.text
    refused = client.post("/api/v1/ledger/pairings", json={"cadre_id": ids["new"], "household_id": ids["household"],
                                                           "start_date": str(TODAY)})
    assert refused.status_code == 409  # already paired: nothing done, nothing logged

    assert _rows(api, since=since) == [
        (ids["admin"], "admin", None, "pair", f"结对：{address}", "张包户自2025-01-01起包户"),
        (ids["admin"], "admin", None, "reassign", f"结对：{address}", "张包户→李接替，工作调动"),
        (ids["admin"], "admin", None, "assign_leader", f"联居领导：{_place(api, '370102009003')}",
         "赵联居自2099-01-01起联系"),
    ]


def _place(api, code: str) -> str:
    with api.db() as s:
        return communities(s)[code].short_name


def _applied(api, title: str):
    """An employer's vacancy and a resident (consenting to be shown) who applied 70 days ago."""
    with api.db() as s:
        company = make_company(s, title=title)
        resident = create_resident(s, name="吴淑珍", consent_to_employers=True)
        application = jobs.apply(s, resident=resident, vacancy=company.vacancy, by_user_id=None)
        application.created_at = utcnow() - timedelta(days=70)
        other = create_resident(s, name="郑桂兰", consent_to_employers=True)
        s.commit()
        return company, application.id, application.reference, resident.id, other.id


def test_an_employers_invitation_and_steps_through_the_api_are_logged(api) -> None:
    company, application_id, ref, resident_id, other_id = _applied(api, "小区保洁员")
    client = api.client_for(company.user)
    since = _last_id(api)
    invited = client.post(f"/api/v1/vacancies/{company.vacancy.id}/invitations",
                          json={"candidate_ref": candidate_ref(company.vacancy.id, other_id)})
    assert invited.status_code == 201, invited.text
    base = f"/api/v1/applications/{application_id}"
    for step, body in [("status", {"status": "contacted"}),
                       ("interview", {"interview_at": f"{TODAY - timedelta(days=60)}T09:00:00",
                                      "interview_place": "小区物业办公室"}),
                       ("attendance", {"attended": True}), ("status", {"status": "offered"}),
                       ("hire", {"started_on": str(TODAY - timedelta(days=40)), "monthly_wage": 2600,
                                 "contract_type": "service"})]:
        r = client.post(f"{base}/{step}", json=body)
        assert r.status_code == 200, (step, r.text)
    assert client.post(f"{base}/status", json={"status": "not_hired", "reason": "晚了"}).status_code == 409

    user = company.user.id
    assert _rows(api, since=since, resident_id=other_id) == [
        (user, "employer", other_id, "invite", "您的求职信息（未显示姓名）", "邀请您了解岗位“小区保洁员”")]
    logged = _rows(api, since=since, resident_id=resident_id)
    assert [(u, role, action, what) for u, role, _, action, what, _ in logged] == [
        (user, "employer", f"application_{a}", "您的求职申请")
        for a in ("contacted", "interview", "attendance", "offered", "hired")]
    interview_day = (TODAY - timedelta(days=60)).strftime("%Y年%m月%d日")
    assert [reason for *_, reason in logged] == [
        f"“小区保洁员”：单位已联系（申请编号{ref}）",
        f"“小区保洁员”：约面试（{interview_day} 09:00）（申请编号{ref}）",
        f"“小区保洁员”：登记已参加面试（申请编号{ref}）",
        f"“小区保洁员”：已发录用通知（申请编号{ref}）",
        f"“小区保洁员”：登记录用上岗（{(TODAY - timedelta(days=40)):%Y年%m月%d日}起）（申请编号{ref}）",
    ]


def test_an_employers_invitation_and_steps_on_its_pages_are_logged(api) -> None:
    company, application_id, ref, resident_id, other_id = _applied(api, "超市理货员")
    client = api.client_for(company.user)
    page = f"/employer/vacancies/{company.vacancy.id}/candidates"
    token = csrf(client, page)
    since = _last_id(api)
    r = client.post(f"/employer/vacancies/{company.vacancy.id}/invite",
                    data={"csrf_token": token, "candidate_ref": candidate_ref(company.vacancy.id, other_id)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    base = f"/employer/applications/{application_id}"
    for step, fields in [("interview", {"interview_at": f"{TODAY - timedelta(days=60)}T09:00",
                                        "interview_place": "超市二楼办公室"}),
                         ("attendance", {"attended": "false", "note": "电话未接"}),
                         ("status", {"status": "not_hired", "reason": "未参加面试"})]:
        r = client.post(f"{base}/{step}", data={"csrf_token": token, **fields}, follow_redirects=False)
        assert r.status_code == 303, (step, r.text[:300])
    r = client.post(f"{base}/status", data={"csrf_token": token, "status": "offered"}, follow_redirects=False)
    assert r.status_code == 409  # refused: not logged

    user = company.user.id
    assert _rows(api, since=since, resident_id=other_id) == [
        (user, "employer", other_id, "invite", "您的求职信息（未显示姓名）", "邀请您了解岗位“超市理货员”")]
    # (The refusal shows the candidates page again, which reads the applicants: logged as a read.)
    steps = [(u, role, action, reason) for u, role, _, action, _, reason in _rows(api, since=since,
                                                                                 resident_id=resident_id)]
    assert [s for s in steps if s[2] != "read"] == [
        (user, "employer", "application_interview",
         f"“超市理货员”：约面试（{(TODAY - timedelta(days=60)):%Y年%m月%d日} 09:00）（申请编号{ref}）"),
        (user, "employer", "application_attendance", f"“超市理货员”：登记未参加面试（申请编号{ref}）"),
        (user, "employer", "application_not_hired", f"“超市理货员”：未录用（申请编号{ref}）"),
    ]
    with api.db() as s:
        assert s.get(Application, application_id).status.value == "not_hired"


def test_an_answer_to_a_suggestion_through_the_api_is_logged_against_its_resident(api) -> None:
    with api.db() as s:
        resident = create_resident(s, name="孙玉兰")
        clerk = create_user(s, role=Role.counter_staff, window=2)
        mine = feedback.leave(s, kind=SuggestionKind.complaint, text="大厅的椅子太少了", resident_id=resident.id)
        anonymous = feedback.leave(s, kind=SuggestionKind.suggestion, text="希望周六也开门", resident_id=None)
        s.commit()
        ids = dict(resident=resident.id, clerk=clerk.id, mine=mine.id, anonymous=anonymous.id)
        refs = {mine.id: mine.reference, anonymous.id: anonymous.reference}
    client = api.client_for(clerk)
    since = _last_id(api)
    for row in (ids["mine"], ids["anonymous"]):
        r = client.post(f"/api/v1/suggestions/{row}/answer", json={"answer": "已加放十把椅子"})
        assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/suggestions/{ids['mine']}/answer", json={"answer": "再答"}).status_code == 409
    assert _rows(api, since=since) == [
        (ids["clerk"], "counter_staff", ids["resident"], "answer_suggestion", f"留言 {refs[ids['mine']]}", "答复居民留言"),
        (ids["clerk"], "counter_staff", None, "answer_suggestion", f"留言 {refs[ids['anonymous']]}", "答复居民留言"),
    ]
    with api.db() as s:
        assert s.get(Suggestion, ids["mine"]).answered_by_id == ids["clerk"]
