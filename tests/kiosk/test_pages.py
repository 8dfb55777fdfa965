"""Kiosk pages through the app: caching, CSRF, sign-in walls, search filters, apply, print, 我的社保, 留言."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from estation.accounts.models import AccessLog, Role
from estation.feedback.models import Suggestion
from estation.jobs.models import Application
from estation.kiosk.models import KioskPrint
from tests.factories import create_user
from tests.kiosk.conftest import csrf_of, make_world, sign_in

PERSONAL = ["/kiosk/me/applications", "/kiosk/me/cases", "/kiosk/me/insurance", "/kiosk/me/readers", "/kiosk/recommend"]
PUBLIC = ["/kiosk", "/kiosk/home", "/kiosk/jobs", "/kiosk/jobs/results", "/kiosk/guide", "/kiosk/guide/pension_transfer",
          "/kiosk/suggest", "/kiosk/signin", "/kiosk/signin/pin", "/kiosk/signin/card", "/kiosk/progress"]


@pytest.mark.parametrize("url", PERSONAL)
def test_personal_pages_send_a_signed_out_visitor_to_sign_in(world, url: str) -> None:
    response = world.client().get(url)
    assert response.status_code == 303
    assert response.headers["location"] == f"/kiosk/signin?next={url}"


def test_every_kiosk_page_is_no_store_and_static_files_are_cached(world) -> None:
    client = world.client()
    for url in PUBLIC + [f"/kiosk/jobs/{world.guard_id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url
    sign_in(client, world.pin_id_number)
    for url in PERSONAL:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url
    css = re.search(r'href="(/static/kiosk/kiosk\.css\?v=\w+)"', client.get("/kiosk").text).group(1)
    assert "immutable" in client.get(css).headers["cache-control"]


@pytest.mark.parametrize("url", ["/kiosk/signin/pin", "/kiosk/signin/card", "/kiosk/finish", "/kiosk/suggest",
                                 "/kiosk/jobs/{guard}/apply", "/kiosk/jobs/{guard}/print",
                                 "/kiosk/guide/pension_transfer/print", "/kiosk/progress"])
def test_every_form_refuses_a_post_without_the_csrf_token(world, url: str) -> None:
    client = world.client()
    client.get("/kiosk/home")  # the browser has a CSRF cookie; the form field is what is missing
    response = client.post(url.format(guard=world.guard_id), data={"id_number": world.pin_id_number, "pin": "0"})
    assert response.status_code == 403
    assert "页面已过期" in response.text


def _ids(html: str) -> set[int]:
    return {int(m) for m in re.findall(r'href="/kiosk/jobs/(\d+)"', html)}


def test_job_filters_residents_asked_for(world) -> None:
    client = world.client()
    everything = _ids(client.get("/kiosk/jobs/results").text)
    assert {world.guard_id, world.typist_id, world.homework_id} <= everything
    seated = _ids(client.get("/kiosk/jobs/results?seated=1").text)
    assert world.typist_id in seated and world.guard_id not in seated
    short = _ids(client.get("/kiosk/jobs/results?short=1").text)
    assert {world.typist_id, world.homework_id} <= short and world.guard_id not in short
    home = _ids(client.get("/kiosk/jobs/results?home=1").text)
    assert home == {world.homework_id}
    near = _ids(client.get("/kiosk/jobs/results?near=1").text)
    assert world.guard_id in near and world.homework_id not in near  # ~5 km away
    guards = _ids(client.get("/kiosk/jobs/results?cat=guard").text)
    assert guards == {world.guard_id}
    words = client.get("/kiosk/jobs/results?q=看门").text  # a plain word for 保安
    assert world.guard_id in _ids(words)
    page = client.get("/kiosk/jobs/results?seated=1&short=1").text
    assert "步行约" in page and "元/月" in page and "每天4小时" in page and 'class="demand' in page


def test_bad_search_input_gets_a_friendly_page(world) -> None:
    response = world.client().get("/kiosk/jobs/results?page=0")
    assert response.status_code == 422
    assert "填写的内容有误" in response.text


def test_apply_asks_a_visitor_to_sign_in_and_creates_the_application_once(world) -> None:
    client = world.client()
    detail = client.get(f"/kiosk/jobs/{world.typist_id}")
    anonymous = client.post(f"/kiosk/jobs/{world.typist_id}/apply", data={"csrf_token": csrf_of(detail.text)})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/kiosk/signin?next=/kiosk/jobs/{world.typist_id}"
    sign_in(client, world.pin_id_number)
    detail = client.get(f"/kiosk/jobs/{world.typist_id}")
    response = client.post(f"/kiosk/jobs/{world.typist_id}/apply", data={"csrf_token": csrf_of(detail.text)})
    assert response.status_code == 303
    with world.harness.db() as s:
        application = s.scalar(select(Application).where(Application.resident_id == world.pin_resident_id,
                                                         Application.vacancy_id == world.typist_id))
        assert application is not None
        reference = application.reference
    after = client.get(response.headers["location"])
    assert reference in after.text and "我有意向</span>" not in after.text
    again = client.post(f"/kiosk/jobs/{world.typist_id}/apply", data={"csrf_token": csrf_of(after.text)})
    assert again.status_code == 409 and "已申请过" in again.text
    mine = client.get("/kiosk/me/applications").text
    assert "社区数据录入员" in mine and reference in mine


def test_print_is_logged_with_a_reference_and_a_qr_code(world) -> None:
    client = world.client()
    detail = client.get(f"/kiosk/jobs/{world.guard_id}")
    response = client.post(f"/kiosk/jobs/{world.guard_id}/print", data={"csrf_token": csrf_of(detail.text)})
    assert response.status_code == 303
    reference = response.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"DY\d{8}\d{4}", reference)
    slip = client.get(response.headers["location"])
    assert reference in slip.text and "<svg" in slip.text and "小区保安" in slip.text
    assert f"/kiosk/jobs/{world.guard_id}" in slip.text
    with world.harness.db() as s:
        row = s.scalar(select(KioskPrint).where(KioskPrint.reference == reference))
        assert row.kind == "vacancy" and row.subject == str(world.guard_id) and row.resident_id is None


def test_a_slip_naming_an_application_shows_only_to_its_resident(world) -> None:
    client = world.client()
    sign_in(client, world.pin_id_number)
    detail = client.get(f"/kiosk/jobs/{world.guard_id}")
    client.post(f"/kiosk/jobs/{world.guard_id}/apply", data={"csrf_token": csrf_of(detail.text)})
    detail = client.get(f"/kiosk/jobs/{world.guard_id}")
    response = client.post(f"/kiosk/jobs/{world.guard_id}/print", data={"csrf_token": csrf_of(detail.text)})
    url = response.headers["location"]
    assert "求职意向编号" in client.get(url).text
    with world.harness.db() as s:
        row = s.scalar(select(KioskPrint).where(KioskPrint.reference == url.rsplit("/", 1)[1]))
        assert row.resident_id == world.pin_resident_id and row.application_id is not None
        logged = s.scalars(select(AccessLog).where(AccessLog.resident_id == world.pin_resident_id,
                                                   AccessLog.action == "print")).all()
        assert logged
    client.post("/kiosk/finish", data={"csrf_token": csrf_of(client.get("/kiosk/home").text)})
    assert world.client().get(url).status_code == 404


def test_guide_lists_every_service_and_prints_a_logged_checklist(world) -> None:
    client = world.client()
    guide = client.get("/kiosk/guide").text
    assert "养老保险关系转移接续" in guide and "灵活就业人员续保" in guide
    detail = client.get("/kiosk/guide/pension_transfer")
    assert "居民身份证原件" in detail.text and "工作日内办结" in detail.text
    response = client.post("/kiosk/guide/pension_transfer/print", data={"csrf_token": csrf_of(detail.text)})
    slip = client.get(response.headers["location"]).text
    assert "基本养老保险参保缴费凭证" in slip
    with world.harness.db() as s:
        assert s.scalar(select(KioskPrint).where(KioskPrint.kind == "service", KioskPrint.subject == "pension_transfer"))


def test_my_insurance_shows_years_by_scheme_year_and_province_and_the_transfer(world) -> None:
    client = world.client()
    sign_in(client, world.pin_id_number)
    page = client.get("/kiosk/me/insurance").text
    # Guangdong 2010-03..2015-12 (70 months) + Shandong 2016-01..2020-06 (54 months) = 124 months.
    assert "养老保险" in page and "累计10年4个月" in page
    assert "广东省" in page and "山东省" in page
    assert "<td>2010年</td><td>广东省</td><td>10个月</td>" in page
    assert "<td>2020年</td><td>山东省</td><td>6个月</td>" in page
    assert world.case_reference in page and "待补材料" in page
    with world.harness.db() as s:
        whats = {a.what for a in s.scalars(select(AccessLog).where(AccessLog.resident_id == world.pin_resident_id))}
        assert "社保缴费记录" in whats


def test_my_cases_shows_status_and_what_is_still_missing(world) -> None:
    client = world.client()
    sign_in(client, world.pin_id_number)
    page = client.get("/kiosk/me/cases").text
    assert world.case_reference in page and "还需要补交" in page and "居民身份证原件" in page


def test_recommend_says_plainly_when_matching_is_unavailable(tmp_path_factory) -> None:
    from estation.matching.runtime import UNAVAILABLE_MESSAGE

    # A real app whose model setting names a folder that does not exist: its matcher cannot load.
    world = make_world(tmp_path_factory, embedding_model=str(tmp_path_factory.mktemp("nomodel") / "no-such-model"))
    client = world.client()
    sign_in(client, world.pin_id_number)
    response = client.get("/kiosk/recommend")
    assert response.status_code == 200
    assert "推荐服务暂不可用" in response.text and UNAVAILABLE_MESSAGE in response.text
    assert 'class="result"' not in response.text


def test_suggestions_are_stored_and_staff_answers_reach_the_resident(world) -> None:
    client = world.client()
    form = client.get("/kiosk/suggest")
    empty = client.post("/kiosk/suggest", data={"csrf_token": csrf_of(form.text), "kind": "suggestion", "text": " "})
    assert empty.status_code == 422 and "请写下您的意见" in empty.text
    sign_in(client, world.pin_id_number)
    form = client.get("/kiosk/suggest")
    done = client.post("/kiosk/suggest", data={"csrf_token": csrf_of(form.text), "kind": "complaint",
                                               "text": "大厅的椅子太少了"})
    assert done.status_code == 303
    reference = done.headers["location"].split("done=")[1]
    assert reference in client.get(done.headers["location"]).text
    with world.harness.db() as s:
        row = s.scalar(select(Suggestion).where(Suggestion.reference == reference))
        assert row.resident_id == world.pin_resident_id and row.kind.value == "complaint"
        staff = create_user(s, role=Role.counter_staff)
        resident_user = create_user(s, role=Role.employer)
        s.commit()
    staff_client = world.harness.client_for(staff)
    listing = staff_client.get("/api/v1/suggestions?status=open").json()
    assert any(i["reference"] == reference and i["from_resident"] for i in listing["items"])
    assert world.harness.client_for(resident_user).get("/api/v1/suggestions").status_code == 403
    answered = staff_client.post(f"/api/v1/suggestions/{row.id}/answer", json={"answer": "已加放十把椅子"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert staff_client.post(f"/api/v1/suggestions/{row.id}/answer", json={"answer": "再答"}).status_code == 409
    assert "已加放十把椅子" in client.get("/kiosk/suggest").text


def test_resident_sees_who_looked_at_their_record(world) -> None:
    """A clerk's read (with its reason) is listed on the kiosk; the resident's own kiosk reads are not."""
    harness = world.harness
    with harness.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=3)
        s.commit()
    harness.client_for(clerk).get(f"/api/v1/residents/{world.pin_resident_id}", params={"reason": "办理失业登记"})
    kiosk = world.client()
    sign_in(kiosk, world.pin_id_number)
    kiosk.get("/kiosk/me/insurance")  # the resident's own read: not listed
    page = kiosk.get("/kiosk/me/readers")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "窗口工作人员" in page.text and "办理失业登记" in page.text
    # Listed too: staff answering the resident's own suggestion (when the suggestion test ran before).
    assert page.text.count('<li class="card">') == 1 + page.text.count("原因：答复居民留言")


def test_case_progress_with_the_receipt_and_no_sign_in(world) -> None:
    client = world.client()
    form = client.get("/kiosk/progress")
    assert form.status_code == 200 and 'name="code"' in form.text
    token = csrf_of(form.text)
    digits = world.case_reference[2:]  # the field takes the digits after "DL"; "DL..." is accepted too
    found = client.post("/kiosk/progress", data={"csrf_token": token, "reference": digits, "code": world.case_code})
    assert found.status_code == 200
    assert "养老保险关系转移接续" in found.text and "待补材料" in found.text and "还需要补交" in found.text
    assert "王秀英" not in found.text and world.case_code not in found.text
    wrong = f"{(int(world.case_code) + 1) % 10**8:08d}"
    missing = client.post("/kiosk/progress", data={"csrf_token": token, "reference": world.case_reference, "code": wrong})
    assert missing.status_code == 404 and "没有找到这个办件" in missing.text
    bad = client.post("/kiosk/progress", data={"csrf_token": token, "reference": "DL12", "code": world.case_code})
    assert bad.status_code == 422 and "12位数字" in bad.text and 'aria-describedby="progress-error"' in bad.text
    assert "/kiosk/progress" in client.get("/kiosk/signin").text  # offered to whoever is not signed in


def test_an_unknown_address_still_greets_the_signed_in_resident(world) -> None:
    """The 404 page of an address no route knows keeps the kiosk frame as it was: a signed-in resident is
    greeted by name and is not offered 登录 again; a visitor is."""
    kiosk = world.client()
    sign_in(kiosk, world.pin_id_number)
    missing = kiosk.get("/kiosk/no-such-page")
    assert missing.status_code == 404 and 'data-signed-in="yes"' in missing.text
    assert "您好" in missing.text and 'href="/kiosk/signin"' not in missing.text
    visitor = world.client().get("/kiosk/no-such-page")
    assert 'data-signed-in="no"' in visitor.text and 'href="/kiosk/signin"' in visitor.text
