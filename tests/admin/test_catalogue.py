"""The admin's service catalogue screen: what the admin saves is the one document list the kiosk guide,
its printed 一次性告知单 and the counter's checklist show (registry.document_list)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.models import AccessLog, Role
from estation.cases.catalogue import load_catalogue
from estation.cases.models import ServiceType
from estation.cases.types import continued_contribution, pension_transfer
from tests.cases.test_document_list import counter_list, kiosk_list
from tests.admin.plain import assert_plain
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident, create_user

pytestmark = pytest.mark.browser
CODE = continued_contribution.TYPE.code
PHOTO = "近期一寸免冠照片"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def hall(api):
    with api.db() as s:
        load_catalogue(s)
        admin = create_user(s, role=Role.admin)
        clerk = create_user(s, role=Role.counter_staff, window=3)
        resident = create_resident(s)
        s.commit()
        return {"admin": admin, "clerk": clerk, "resident_id": resident.id}


def _words(page) -> str:
    return page.locator("main").inner_text()


def test_an_added_document_reaches_the_kiosk_the_printout_and_the_counter(api, live, page, hall) -> None:
    base = live.url
    sign_in(page, base, hall["admin"].username, "/admin/catalogue")
    listing = _words(page)
    assert "灵活就业人员续保" in listing and "养老保险关系转移接续" in listing
    assert_plain(listing)
    page.get_by_role("row", name=re.compile("灵活就业人员续保")).get_by_role("link", name="修改").click()
    page.wait_for_url(f"{base}/admin/catalogue/{CODE}")
    documents = page.locator("#documents")
    documents.fill(documents.input_value() + "\n" + PHOTO)
    page.fill("#time_limit_working_days", "5")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/admin/catalogue/continued_contribution\?msg=.*"))
    assert "已保存" in page.locator(".notice").inner_text()
    shown = page.locator("#shown-list li").all_inner_texts()
    assert shown[-1] == PHOTO
    assert_plain(_words(page))

    with api.db() as s:
        row = s.get(ServiceType, CODE)
        assert row.documents[-1] == PHOTO and row.time_limit_working_days == 5
        assert s.scalar(select(AccessLog).where(AccessLog.what == "办事目录：灵活就业人员续保")) is not None

    kiosk = TestClient(api.app)
    guide = kiosk.get(f"/kiosk/guide/{CODE}").text
    printed = kiosk.post(f"/kiosk/guide/{CODE}/print", data={"csrf_token": _csrf(guide)}, follow_redirects=True).text
    counter = api.client_for(hall["clerk"])
    checklist = counter.get("/counter/cases/new", params={"resident_id": hall["resident_id"], "service_code": CODE}).text
    assert kiosk_list(guide).definite == kiosk_list(printed).definite == counter_list(checklist).definite == shown
    assert "5个工作日" in guide


def test_pension_transfer_shows_its_conditional_documents_with_their_condition(api, live, page, hall) -> None:
    sign_in(page, live.url, hall["admin"].username, f"/admin/catalogue/{pension_transfer.TYPE.code}")
    conditional = page.locator("#shown-list li .muted").all_inner_texts()
    assert conditional and all(text.startswith("（如") for text in conditional)
    assert "由业务规则按居民情况判断" in _words(page)
    assert_plain(_words(page))
    screenshot(page, "admin-catalogue.png")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("documents", "", "“所有人都要带的材料”"),
    ("time_limit_working_days", "五天", "“办理时限”"),
    ("name", "续", "“服务名称”"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, hall, field, value, message) -> None:
    admin = api.client_for(hall["admin"])
    form = admin.get(f"/admin/catalogue/{CODE}").text
    with api.db() as s:
        before = s.get(ServiceType, CODE)
        before = (before.name, list(before.documents), before.time_limit_working_days)
    values = {"csrf_token": _csrf(form), "name": "灵活就业人员续保（新）", "summary": "", "documents": "居民身份证原件",
              "conditions": "", "steps": "", "time_limit_working_days": "3", field: value}
    answer = admin.post(f"/admin/catalogue/{CODE}", data=values, follow_redirects=False)
    assert answer.status_code == 422
    assert message in answer.text and 'aria-invalid="true"' in answer.text
    with api.db() as s:
        after = s.get(ServiceType, CODE)
        assert (after.name, list(after.documents), after.time_limit_working_days) == before


def test_others_cannot_open_the_catalogue(api, hall) -> None:
    clerk = api.client_for(hall["clerk"])
    assert clerk.get("/admin/catalogue", follow_redirects=False).status_code == 403
    assert TestClient(api.app).get("/admin/catalogue", follow_redirects=False).status_code == 303
