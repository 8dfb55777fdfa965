"""The counter UI through plain HTTP: search, the logged one view, a whole case, slip, receipt, figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from estation.accounts.models import AccessLog, Role
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution, pension_transfer
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import TEST_PASSWORD, create_resident, create_user

DOCS = continued_contribution.TYPE.documents


@pytest.fixture
def counter_app(api):
    return api


@pytest.fixture
def clerk_client(counter_app, client, db):
    load_catalogue(db)
    clerk = create_user(db, role=Role.counter_staff, window=7)
    resident = create_resident(db, name="王秀英", phone="13905319999")
    resident.insurance_periods.append(InsurancePeriod(
        scheme=Scheme.pension, province="44", start_month=date(2008, 1, 1), end_month=date(2019, 12, 1),
        monthly_wage_base=Decimal(5000), payer=Payer.employer,
    ))
    db.commit()
    assert client.post("/api/v1/auth/login", json={"username": clerk.username, "password": TEST_PASSWORD}).status_code == 200
    client.get("/counter")  # mints the CSRF cookie
    client.resident_id = resident.id
    client.resident_number = resident.id_number
    client.clerk_id = clerk.id
    return client


def csrf(client) -> str:
    return client.cookies.get("estation_csrf")


def test_sign_in_is_required(counter_app, api) -> None:
    response = api.anonymous.get("/counter", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("query", ["王秀英", "王秀莹", "wangxiuying", "13905319999"])
def test_find_by_name_near_spelling_pinyin_or_phone(clerk_client, query) -> None:
    page = clerk_client.post("/counter", data={"csrf_token": csrf(clerk_client), "q": query}).text
    assert f"/counter/residents/{clerk_client.resident_id}" in page


def test_the_search_is_posted_with_the_csrf_token_never_a_query_string(clerk_client) -> None:
    form = clerk_client.get("/counter").text
    assert re.search(r'<form method="post" action="/counter" class="search"', form)
    number = clerk_client.resident_number
    # an address carrying the id number searches nothing: nothing invites putting it there
    assert f"/counter/residents/{clerk_client.resident_id}" not in clerk_client.get("/counter", params={"q": number}).text
    refused = clerk_client.post("/counter", data={"q": number})
    assert refused.status_code == 403 and f"/counter/residents/{clerk_client.resident_id}" not in refused.text
    found = clerk_client.post("/counter", data={"csrf_token": csrf(clerk_client), "q": number})
    assert f"/counter/residents/{clerk_client.resident_id}" in found.text and number not in str(found.url)


def test_viewing_a_record_asks_why_and_is_logged(clerk_client, db) -> None:
    rid = clerk_client.resident_id
    assert "请选择查看事由" in clerk_client.get(f"/counter/residents/{rid}").text
    page = clerk_client.get(f"/counter/residents/{rid}", params={"reason": "窗口办理业务"}).text
    assert "参保记录" in page and "广东省" in page and "养老保险关系转移接续" in page
    logged = db.scalars(select(AccessLog).where(AccessLog.resident_id == rid, AccessLog.user_id == clerk_client.clerk_id)).all()
    assert [(a.action, a.reason) for a in logged] == [("view", "窗口办理业务")]


def test_a_whole_case_at_the_counter(clerk_client) -> None:
    c = clerk_client
    form = c.get("/counter/cases/new", params={"resident_id": c.resident_id, "service_code": continued_contribution.TYPE.code}).text
    assert all(d in form for d in DOCS)
    opened = c.post("/counter/cases", data={
        "csrf_token": csrf(c), "resident_id": c.resident_id, "service_code": continued_contribution.TYPE.code,
        "handed_in": list(DOCS[:2]),
    }, follow_redirects=False)
    assert opened.status_code == 303
    url = opened.headers["location"]
    page = c.get(url).text
    assert "待补材料" in page and "打印一次性告知单" in page
    slip = c.get(url + "/slip").text
    assert all(d in slip for d in DOCS[2:]) and "不会再要求其他材料" in slip
    reference = re.search(r"DL\d{12}", slip).group(0)
    code = re.search(r'class="query-code">(\d{8})<', slip).group(1)
    assert c.get(f"/api/v1/cases/status/{reference}", params={"code": code}).json()["status"] == "awaiting_documents"

    c.post(url + "/documents", data={"csrf_token": csrf(c), "documents": list(DOCS[2:])})
    assert "已受理" in c.get(url).text
    c.post(url + "/review", data={"csrf_token": csrf(c)})
    c.post(url + "/complete", data={"csrf_token": csrf(c), "note": "已办理续保登记"})
    page = c.get(url).text
    assert "已办结" in page and "已办理续保登记" in page
    receipt = c.get(url + "/receipt").text
    assert "办结通知书" in receipt and "受理回执" not in receipt and f'class="query-code">{code}<' in receipt
    assert c.get(f"/api/v1/cases/status/{reference}", params={"code": code}).json()["status_label"] == "已办结"
    figures = c.get("/counter/figures").text
    assert re.search(r'id="came-back">\d+<', figures)


def _clerk_at(counter_app, db, window: int):
    from fastapi.testclient import TestClient

    clerk = create_user(db, role=Role.counter_staff, window=window)
    db.commit()
    client = TestClient(counter_app.app)
    assert client.post("/api/v1/auth/login", json={"username": clerk.username, "password": TEST_PASSWORD}).status_code == 200
    client.get("/counter")
    return client, clerk


def _paper(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_receipt_is_titled_by_the_state_and_names_the_window_of_its_step(clerk_client, counter_app, db) -> None:
    """Opened at window 7 with documents missing, accepted at window 5 when the rest came, completed at
    window 6: each paper says what it attests and which window did that step; the history says who did each."""
    c7 = clerk_client
    (c5, clerk5), (c6, clerk6) = _clerk_at(counter_app, db, 5), _clerk_at(counter_app, db, 6)
    opened = c7.post("/counter/cases", data={
        "csrf_token": csrf(c7), "resident_id": c7.resident_id, "service_code": continued_contribution.TYPE.code,
        "handed_in": list(DOCS[:1]),
    }, follow_redirects=False)
    url = opened.headers["location"]
    paper = _paper(c7.get(url + "/receipt").text)
    assert "收件回执" in paper and "受理回执" not in paper and "经办窗口：7号窗口" in paper

    c5.post(url + "/documents", data={"csrf_token": csrf(c5), "documents": list(DOCS[1:])})
    paper = _paper(c7.get(url + "/receipt").text)
    assert "受理回执" in paper and "经办窗口：5号窗口" in paper and "7号窗口" not in paper
    assert "打印受理回执" in c7.get(url).text

    c6.post(url + "/complete", data={"csrf_token": csrf(c6), "note": "已办理续保登记"})
    paper = _paper(c7.get(url + "/receipt").text)
    assert "办结通知书" in paper and "受理回执" not in paper and "经办窗口：6号窗口" in paper
    assert "办结说明：已办理续保登记" in paper and "承诺办结日期" not in paper
    case_page = _paper(c7.get(url).text)
    assert "打印办结通知书" in case_page
    history = case_page.split("办理记录", 1)[1]
    names = [name for name in re.findall(r"（(\d+号窗口 [^）]+)）", history)]
    clerk7 = db.get(type(clerk5), c7.clerk_id)
    assert names == [f"7号窗口 {clerk7.display_name}", f"5号窗口 {clerk5.display_name}",
                     f"6号窗口 {clerk6.display_name}"], history
    assert c7.get(f"/api/v1/cases/{url.rsplit('/', 1)[1]}").json()["events"][-1]["window"] == 6


def test_forms_without_the_csrf_token_are_refused(clerk_client) -> None:
    response = clerk_client.post("/counter/cases", data={"resident_id": clerk_client.resident_id, "service_code": continued_contribution.TYPE.code})
    assert response.status_code == 403


def test_pension_case_shows_the_assessment_first(clerk_client) -> None:
    c = clerk_client
    first = c.get("/counter/cases/new", params={"resident_id": c.resident_id, "service_code": pension_transfer.TYPE.code})
    assert "转入省（新参保地）" in first.text and 'name="handed_in"' not in first.text  # the intake form first
    page = c.post("/counter/cases/assess", data={
        "csrf_token": csrf(c), "resident_id": c.resident_id, "service_code": pension_transfer.TYPE.code,
        "new_province": "37", "personal_account_balance": "41000",
    }).text
    assert "转移基本养老保险关系" in page and "个人账户转移额" in page and "41000" in page
    assert "第六条" in page and 'name="handed_in"' in page
    bad = c.post("/counter/cases/assess", data={"csrf_token": csrf(c), "resident_id": c.resident_id,
                                                "service_code": pension_transfer.TYPE.code, "new_province": "99"})
    assert bad.status_code == 422 and "请选择转入省（新参保地）" in bad.text
    opened = c.post("/counter/cases", data={
        "csrf_token": csrf(c), "resident_id": c.resident_id, "service_code": pension_transfer.TYPE.code, "new_province": "37",
        "personal_account_balance": "41000",
    }, follow_redirects=False)
    assert "养老保险转移测算" in c.get(opened.headers["location"]).text


def test_contribution_calculator_page(clerk_client) -> None:
    page = clerk_client.get("/counter/contribution", params={"base": "6000", "months": "6"}).text
    assert "每月缴费 <strong>1200.00</strong> 元" in page and "7200.00" in page
    assert "超出" in clerk_client.get("/counter/contribution", params={"base": "100"}).text


def test_a_refused_step_shows_the_case_with_the_reason(clerk_client) -> None:
    c = clerk_client
    opened = c.post("/counter/cases", data={
        "csrf_token": csrf(c), "resident_id": c.resident_id, "service_code": continued_contribution.TYPE.code,
    }, follow_redirects=False)
    url = opened.headers["location"]
    off_slip = c.post(url + "/documents", data={"csrf_token": csrf(c), "documents": ["结婚证"]})
    assert off_slip.status_code == 422 and "不在一次性告知单上的材料" in off_slip.text
    early = c.post(url + "/complete", data={"csrf_token": csrf(c)})
    assert early.status_code == 409 and "待补材料" in early.text
    no_reason = c.post(url + "/refuse", data={"csrf_token": csrf(c), "reason": "  "})
    assert no_reason.status_code == 422 and "必须写明理由" in no_reason.text
    unknown = c.post("/counter/cases", data={
        "csrf_token": csrf(c), "resident_id": c.resident_id, "service_code": continued_contribution.TYPE.code, "handed_in": ["结婚证"],
    })
    assert unknown.status_code == 422 and "不在本事项清单上的材料" in unknown.text
