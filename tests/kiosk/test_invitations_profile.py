"""Issue 15 points 2 and 3 at the kiosk: invitations answered (the employer sees the answer, and only the
contact details the resident agreed to), the resident's own wishes, skills and consent (withdrawal hides
them from the employer's candidates at once), the PIN, start-up opportunities browsed and asked about.
Real app, real database, real matcher. The tests of this module run in order on one world."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.feedback.models import Suggestion, SuggestionKind
from estation.jobs.candidates import candidate_ref
from estation.jobs.models import Application, Employer, Invitation, InvitationStatus, StartupKind, StartupOpportunity
from estation.kiosk import opportunities
from estation.labour.models import Resident, ResidentChange
from estation.notifications.models import Notification
from tests.factories import create_user
from tests.kiosk.conftest import PIN, csrf_of, make_world, sign_in
from tests.kiosk.loop import Loop, form_of, plain, seed_loop


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> Loop:
    return seed_loop(make_world(tmp_path_factory))


def resident_client(loop: Loop, id_number: str | None = None) -> TestClient:
    client = loop.world.client()
    sign_in(client, id_number or loop.world.pin_id_number)
    return client


def test_home_counts_open_invitations_and_the_page_shows_each_job(loop) -> None:
    client = resident_client(loop)
    # Four invitations, one of them for a job that stopped hiring since: three wait for an answer.
    home = client.get("/kiosk/home").text
    assert re.search(r'id="tile-invitations".*?有3个邀请等您答复', home, re.S)
    text = plain(client.get("/kiosk/me/invitations").text)
    for words in ("小区保安", "济南测试服务有限公司", "元/月", "每天", "单位对您说： 您好，欢迎来看看", "接受邀请", "婉拒",
                  "接受后，这家单位能看到您的姓名、性别、年龄、劳动能力、技能和干过的活"):
        assert words in text, words
    closed = client.get("/kiosk/me/invitations").text.split(f'id="inv-{loop.invitation["closed"]}"')[1].split("</li>")[0]
    assert "这个岗位已经停止招聘，不用答复了" in closed and "<form" not in closed
    applications = plain(client.get("/kiosk/me/applications").text)
    assert "用人单位的邀请" in applications and "去答复3个邀请" in applications


def test_accept_without_choosing_about_the_phone_is_asked_again_on_the_same_page(loop) -> None:
    client = resident_client(loop)
    inv_id = loop.invitation["guard"]
    action = f"/kiosk/me/invitations/{inv_id}/accept"
    response = client.post(action, data=form_of(client, "/kiosk/me/invitations", action))
    assert response.status_code == 422
    card = response.text.split(f'id="inv-{inv_id}"')[1].split("</li>")[0]
    assert "请先选择：能不能把您的电话号码告诉这家单位" in card and f'action="{action}"' in card
    with loop.world.harness.db() as s:
        assert s.get(Invitation, inv_id).status == InvitationStatus.pending
        assert not s.scalar(select(func.count(Application.id)).where(Application.vacancy_id == loop.world.guard_id))


def test_accepting_without_the_phone_shows_the_employer_the_applicant_but_not_the_phone(loop) -> None:
    client = resident_client(loop)
    inv_id = loop.invitation["guard"]
    action = f"/kiosk/me/invitations/{inv_id}/accept"
    data = form_of(client, "/kiosk/me/invitations", action) | {"share_phone": "0"}
    first = client.post(action, data=data)
    assert first.status_code == 303
    # The same form sent again (a double tap): one application, and the same page as the first.
    again = client.post(action, data=data)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    with loop.world.harness.db() as s:
        assert s.scalar(select(func.count(Application.id)).where(Application.vacancy_id == loop.world.guard_id)) == 1
        assert s.get(Invitation, inv_id).status == InvitationStatus.accepted
    employer = loop.world.harness.client_for(loop.employer_user)
    applicants = employer.get(f"/api/v1/vacancies/{loop.world.guard_id}/applicants").json()
    assert [(a["name"], a["phone"], a["via_invitation"]) for a in applicants] == [("王秀英", None, True)]
    page = employer.get(f"/employer/vacancies/{loop.world.guard_id}/candidates").text
    assert "王秀英" in page and "未留电话" in page and "已接受" in page and "13805310000" not in page
    mine = plain(client.get("/kiosk/me/invitations").text)
    assert "已接受" in mine and "单位看不到您的电话，会通过服务窗口联系您" in mine


def test_the_employers_reads_are_logged_and_the_resident_reads_them_in_plain_words(loop) -> None:
    with loop.world.harness.db() as s:
        logged = s.scalars(select(AccessLog).where(AccessLog.resident_id == loop.world.pin_resident_id,
                                                   AccessLog.user_id == loop.employer_user.id)).all()
        # The invitation (from the recommended candidates, the name hidden) and the reads of the applicants.
        assert logged and {row.what for row in logged} == {"您的求职申请", "您的求职信息（未显示姓名）"}
    with loop.world.harness.db() as s:
        employer = s.get(Employer, loop.employer_user.employer_id).name
    text = plain(resident_client(loop).get("/kiosk/me/readers").text)
    assert f"用人单位“{employer}”查看了您的求职申请" in text and "查看“小区保安”的申请人（申请编号YX" in text
    assert f"用人单位“{employer}”看过您的求职信息（未显示姓名）后邀请了您" in text
    assert "原因：邀请您了解岗位“小区保安”" in text


def test_declining_keeps_the_reason_the_resident_gave_and_the_employer_sees_only_that(loop) -> None:
    client = resident_client(loop)
    inv_id = loop.invitation["typist"]
    action = f"/kiosk/me/invitations/{inv_id}/decline"
    # Too long a reason of one's own: said on the invitation, the words still in the box, nothing changed.
    words = "家里老人要照顾" * 40
    refused = client.post(action, data=form_of(client, "/kiosk/me/invitations", action) | {
        "reason": "离家太远", "own_words": words})
    assert refused.status_code == 422
    card = refused.text.split(f'id="inv-{inv_id}"')[1].split("</li>")[0]
    assert "原因请不要超过200字" in card and f'value="{words}"' in card and 'value="离家太远" checked' in card
    with loop.world.harness.db() as s:
        assert s.get(Invitation, inv_id).status == InvitationStatus.pending
    # A tapped reason and a few words of one's own: both kept.
    data = form_of(client, "/kiosk/me/invitations", action) | {"reason": "离家太远", "own_words": "要接孙子放学"}
    assert client.post(action, data=data).status_code == 303
    assert client.post(action, data=data).status_code == 303  # the second copy changes nothing
    with loop.world.harness.db() as s:
        inv = s.get(Invitation, inv_id)
        assert (inv.status, inv.decline_reason, inv.application_id) == (
            InvitationStatus.declined, "离家太远；要接孙子放学", None)
        told = s.scalars(select(Notification).where(Notification.kind == "invitation.declined")).one()
        assert "王秀英" not in told.title + told.body and "要接孙子放学" in told.body
    employer = loop.world.harness.client_for(loop.employer_user)
    page = employer.get(f"/employer/vacancies/{loop.world.typist_id}/candidates").text
    assert "已婉拒" in page and "原因：离家太远；要接孙子放学" in page and "王秀英" not in page
    # Answered once: a new form for it is refused in plain words (409) on the same page, nothing changes.
    again = client.post(action, data=form_of(client, "/kiosk/me/applications", "/kiosk/finish") | {"reason": ""})
    assert again.status_code == 409 and "这条邀请已经答复过了" in again.text
    assert "邀请已婉拒（离家太远；要接孙子放学）" in plain(client.get("/kiosk/me/applications").text)


def test_a_resident_cannot_see_or_answer_anothers_invitation(loop) -> None:
    other = resident_client(loop, loop.world.card_id_number)
    inv_id = loop.invitation["home"]
    assert "居家手工编织" not in other.get("/kiosk/me/invitations").text
    for verb, extra in (("accept", {"share_phone": "1"}), ("decline", {"reason": ""})):
        data = form_of(other, "/kiosk/me/profile", "/kiosk/me/consent") | extra
        response = other.post(f"/kiosk/me/invitations/{inv_id}/{verb}", data=data)
        assert response.status_code == 404 and "邀请不存在" in response.text
    with loop.world.harness.db() as s:
        assert s.get(Invitation, inv_id).status == InvitationStatus.pending


def test_wishes_and_skills_are_changed_and_each_change_is_logged(loop) -> None:
    client = resident_client(loop)
    data = form_of(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "4", "days": "3", "travel": "1", "home_based": "1", "wishes": "在家做手工",
        "skills": "会缝纫、会用电脑打字"}
    response = client.post("/kiosk/me/profile", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/kiosk/me/profile?saved=wishes"
    with loop.world.harness.db() as s:
        r = s.get(Resident, loop.world.pin_resident_id)
        assert (r.preferred_hours_per_day, r.preferred_days_per_week, r.max_travel_km, r.home_based_only, r.wishes,
                r.skills) == (4.0, 3, 1.0, True, "在家做手工", "会缝纫、会用电脑打字")
        change = s.scalars(select(ResidentChange).where(ResidentChange.resident_id == r.id)
                           .order_by(ResidentChange.id.desc())).first()
        assert change.user_id is not None and change.role == "resident" and change.at
        assert change.reason == "本人在自助终端修改"
        assert set(change.fields) == {"preferred_hours_per_day", "preferred_days_per_week", "max_travel_km",
                                      "home_based_only", "wishes", "skills"}
    html = client.get("/kiosk/me/profile").text
    text = plain(html)
    assert "您本人在自助终端修改" in text and "想找什么工作" in text and 'href="/kiosk/me/pin"' in html
    assert re.search(r'name="hours" value="4" checked', html) and re.search(r'name="days" value="3" checked', html)
    # Saved again unchanged: nothing is written, and the page says so.
    same = client.post("/kiosk/me/profile", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "4", "days": "3", "travel": "1", "home_based": "1", "wishes": "在家做手工", "skills": "会缝纫、会用电脑打字"})
    assert same.headers["location"] == "/kiosk/me/profile?saved=same"


def test_a_refused_profile_form_names_the_field_and_keeps_what_was_typed(loop) -> None:
    client = resident_client(loop)
    with loop.world.harness.db() as s:
        before = s.scalar(select(func.count(ResidentChange.id)))
    long_skills = "会做面食、包饺子" * 130  # over 1000 characters
    bad = client.post("/kiosk/me/profile", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "6", "days": "5", "travel": "3", "home_based": "0", "wishes": "食堂帮厨", "skills": long_skills})
    assert bad.status_code == 422
    assert "我会的手艺：" in bad.text and 'id="skills" name="skills" rows="3" maxlength="1000" aria-invalid="true"' in bad.text
    assert long_skills in bad.text and ">食堂帮厨</textarea>" in bad.text
    assert 'name="hours" value="6" checked' in bad.text and 'name="home_based" value="0" checked' in bad.text
    out_of_range = client.post("/kiosk/me/profile", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "30", "days": "3", "travel": "1", "home_based": "1", "wishes": "", "skills": "x"})
    assert out_of_range.status_code == 422 and "每天想干几个小时" in out_of_range.text
    for days in ("inf", "nan", "三"):  # not from the buttons: said in Chinese, never a server error
        odd = client.post("/kiosk/me/profile", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
            "hours": "4", "days": days, "travel": "1", "home_based": "1", "wishes": "", "skills": "x"})
        assert odd.status_code == 422 and "每周想干几天：请从按钮中选择" in odd.text, days
    with loop.world.harness.db() as s:
        r = s.get(Resident, loop.world.pin_resident_id)
        assert (r.skills, r.wishes, r.preferred_hours_per_day) == ("会缝纫、会用电脑打字", "在家做手工", 4.0)
        assert s.scalar(select(func.count(ResidentChange.id))) == before


def test_withdrawing_consent_hides_the_resident_from_the_employer_at_once(loop) -> None:
    client = resident_client(loop)
    employer = loop.world.harness.client_for(loop.employer_user)
    vacancy_id = loop.world.homework_id
    ref = candidate_ref(vacancy_id, loop.world.pin_resident_id)

    def shown() -> dict[str, bool]:
        """Is she among the employer's candidates: the API list, the page, the matching API."""
        body = employer.get(f"/api/v1/vacancies/{vacancy_id}/candidates").json()
        assert body["available"], body["message"]
        match = employer.get(f"/api/v1/match/vacancy/{vacancy_id}").json()
        assert match["masked"]
        return {"api": ref in {c["candidate_ref"] for c in body["items"]},
                # She is invited to this job already: the page shows her card by that invitation.
                "page": "已邀请：等待答复" in employer.get(f"/employer/vacancies/{vacancy_id}/candidates").text,
                "match": ref in {r["candidate_ref"] for r in match["residents"]}}

    assert shown() == {"api": False, "page": False, "match": False}
    grant = client.post("/kiosk/me/consent", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/consent") | {"consent": "1"})
    assert grant.headers["location"].startswith("/kiosk/me/profile?saved=shown")
    assert shown() == {"api": True, "page": True, "match": True}
    withdraw = client.post("/kiosk/me/consent", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/consent") | {"consent": "0"})
    assert withdraw.headers["location"].startswith("/kiosk/me/profile?saved=hidden")
    assert shown() == {"api": False, "page": False, "match": False}
    # Nor can the employer reach her through the reference it saw before.
    invite = employer.post(f"/api/v1/vacancies/{vacancy_id}/invitations", json={"candidate_ref": ref})
    assert invite.status_code == 404
    with loop.world.harness.db() as s:
        changes = s.scalars(select(ResidentChange).where(ResidentChange.resident_id == loop.world.pin_resident_id))
        assert [c.fields for c in changes if "consent_to_employers" in c.fields] == [["consent_to_employers"]] * 2
    assert "现在：不展示" in plain(client.get("/kiosk/me/profile").text)
    refused = client.post("/kiosk/me/consent", data=form_of(client, "/kiosk/me/profile", "/kiosk/me/consent") | {"consent": "x"})
    assert refused.status_code == 422 and "请选择同意或不同意" in refused.text


def test_a_double_tap_on_the_pin_change_changes_it_once_and_says_so(loop) -> None:
    client = resident_client(loop, loop.world.card_id_number)
    data = form_of(client, "/kiosk/me/pin", "/kiosk/me/pin") | {"old_pin": PIN, "new_pin": "580317", "new_pin_again": "580317"}
    first = client.post("/kiosk/me/pin", data=data)
    again = client.post("/kiosk/me/pin", data=data)  # the old PIN is no longer right: the copy must not be tried
    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"] == "/kiosk/me/pin?done=1"
    assert "密码已经改好了" in client.get(again.headers["location"]).text
    fresh = loop.world.client()
    sign_in(fresh, loop.world.card_id_number, pin="580317")


def test_start_up_opportunities_are_browsed_and_asked_about(loop) -> None:
    anonymous = loop.world.client()
    shop_id = loop.shop_id
    listing = plain(anonymous.get("/kiosk/startups?kind=shop_space").text)
    assert "社区食堂面食档口" in listing and "每月租金约1,200元" in listing and "创业场地 · 甸柳街道为民服务中心" in listing
    assert "条件：本街道户籍或常住居民，持健康证" in listing
    detail = anonymous.get(f"/kiosk/startups/{shop_id}").text
    assert "本街道户籍或常住居民，持健康证" in plain(detail)
    # Signed out, nothing is typed in vain: the page offers to sign in and come back, no form.
    assert f'href="/kiosk/signin?next=/kiosk/startups/{shop_id}"' in detail and 'name="question"' not in detail
    client = resident_client(loop)
    action = f"/kiosk/startups/{shop_id}/ask"
    long_question = "请问" * 300
    refused = client.post(action, data=form_of(client, f"/kiosk/startups/{shop_id}", action) | {"question": long_question})
    assert refused.status_code == 422 and "想问的话请不要超过500字（现在600字）" in refused.text and long_question in refused.text
    data = form_of(client, f"/kiosk/startups/{shop_id}", action) | {"question": "要交押金吗？"}
    assert client.post(action, data=data).status_code == 303
    assert client.post(action, data=data).status_code == 303
    with loop.world.harness.db() as s:
        rows = s.scalars(select(Suggestion).where(Suggestion.startup_id == shop_id)).all()
        assert [(r.kind, r.resident_id) for r in rows] == [(SuggestionKind.startup, loop.world.pin_resident_id)]
        assert "社区食堂面食档口" in rows[0].text and "要交押金吗？" in rows[0].text
        staff = create_user(s, role=Role.counter_staff)
        s.commit()
    # Staff see it in their queue, as every suggestion.
    queue = loop.world.harness.client_for(staff).get("/api/v1/suggestions").json()
    assert any("社区食堂面食档口" in item["text"] and item["kind"] == "startup" for item in queue["items"])
    asked = plain(client.get(f"/kiosk/startups/{shop_id}").text)
    assert "问过" in asked and "要交押金吗？" in asked and "等待答复" in asked
    # The 留言建议 page offers only its own three kinds.
    suggest = client.get("/kiosk/suggest").text
    assert 'value="startup"' not in suggest


def test_accepting_through_the_api_shares_the_phone_only_when_asked_to(loop) -> None:
    client = resident_client(loop)
    token = csrf_of(client.get("/kiosk/me/invitations").text)
    inv_id = loop.invitation["home"]
    accepted = client.post(f"/api/v1/invitations/{inv_id}/accept", headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["share_phone"]) == ("accepted", False)
    employer = loop.world.harness.client_for(loop.employer_user)
    applicants = employer.get(f"/api/v1/vacancies/{loop.world.homework_id}/applicants").json()
    assert [(a["name"], a["phone"]) for a in applicants] == [("王秀英", None)]


def test_sums_are_said_as_people_say_them() -> None:
    def said(kind: StartupKind, amount: int | None) -> str:
        return opportunities.amount_text(StartupOpportunity(kind=kind, amount_yuan=amount))

    assert said(StartupKind.loan, 300000) == "最高可贷30万元" and said(StartupKind.loan, 4000000) == "最高可贷400万元"
    assert said(StartupKind.shop_space, 1200) == "每月租金约1,200元" and said(StartupKind.subsidy, 15000) == "补贴15,000元"
    assert said(StartupKind.project, None) == ""
