"""Employer approval at /admin/employers: approve (drafted vacancies open) or refuse with a reason, told to
the employer; a refusal without a reason is named; a decision sent twice is made once; each is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from estation.accounts.models import Role
from estation.jobs.models import Employer, EmployerStatus, Vacancy, VacancyStatus
from estation.notifications.models import Notification
from tests.admin.helpers import log_lines, make_user, signed_in, tokens
from tests.admin.plain import assert_plain
from tests.conftest import sign_in
from tests.factories import create_employer, create_vacancy


@pytest.fixture(scope="module")
def admin(api):
    return make_user(api, Role.admin, "孙管理")


def pending_employer(api, name: str) -> Employer:
    with api.db() as s:
        employer = create_employer(s, status=EmployerStatus.pending)
        employer.name = name
        vacancy = create_vacancy(s, employer=employer, title="社区食堂帮厨")
        vacancy.status = VacancyStatus.draft
        s.commit()
    return employer


def test_refusing_needs_a_reason_and_approving_opens_the_vacancies(api, admin) -> None:
    refused = pending_employer(api, "济南甸柳洗衣有限公司")
    approved = pending_employer(api, "济南和平家政服务有限公司")
    client = signed_in(api, admin)
    no_reason = client.post(f"/admin/employers/{refused.id}",
                            data=tokens(client, "/admin/employers") | {"decision": "refuse", "reason": " "})
    assert no_reason.status_code == 422 and "不予通过的原因：不予通过时请填写原因" in no_reason.text
    unknown = client.post(f"/admin/employers/{refused.id}",
                          data=tokens(client, "/admin/employers") | {"decision": "maybe"})
    assert unknown.status_code == 422 and "审核结果：请选择通过或不予通过" in unknown.text
    form = tokens(client, "/admin/employers") | {"decision": "refuse", "reason": "营业执照与单位名称不符"}
    first, second = (client.post(f"/admin/employers/{refused.id}", data=form) for _ in range(2))
    assert first.status_code == second.status_code == 303
    r = client.post(f"/admin/employers/{approved.id}",
                    data=tokens(client, "/admin/employers") | {"decision": "approve"})
    assert r.status_code == 303
    with api.db() as s:
        assert s.get(Employer, refused.id).status is EmployerStatus.refused
        assert s.get(Employer, refused.id).refusal_reason == "营业执照与单位名称不符"
        assert s.get(Employer, approved.id).status is EmployerStatus.approved
        assert {v.status for v in s.scalars(select(Vacancy).where(Vacancy.employer_id == approved.id))} == {
            VacancyStatus.open}
        told = list(s.scalars(select(Notification).where(Notification.employer_id == refused.id)))
        assert len(told) == 1 and "营业执照与单位名称不符" in told[0].body
    lines = [line for line in log_lines(api, "decide_employer") if "洗衣" in line.what]
    assert len(lines) == 1 and lines[0].reason == "不予通过：营业执照与单位名称不符"
    page = client.get("/admin/employers")
    assert "营业执照与单位名称不符" in page.text and "已通过审核" in page.text


@pytest.mark.browser
def test_admin_reviews_employers_in_the_browser(api, live, page, admin) -> None:
    employer = pending_employer(api, "济南甸柳便民超市有限公司")
    pending_employer(api, "济南文化东路物业服务有限公司")
    sign_in(page, live.url, admin.username, "/admin")
    assert "家单位等待审核" in page.inner_text(".tiles")
    page.get_by_role("link", name="单位审核").first.click()
    page.wait_for_url(f"{live.url}/admin/employers")
    card = page.locator("article", has_text=employer.name)
    uscc = tuple(page.locator(".facts dd:first-of-type").all_inner_texts())
    assert_plain(page.inner_text("main"), allowed=uscc)
    card.get_by_role("button", name="不予通过").click()
    page.wait_for_selector(".error-box")
    assert "不予通过时请填写原因" in page.inner_text(".error-box")
    card = page.locator("article", has_text=employer.name)
    card.get_by_label("不予通过的原因").fill("经营范围不含招聘岗位")
    card.get_by_role("button", name="不予通过").click()
    page.wait_for_selector(".notice")
    assert f"{employer.name}：不予通过，已通知该单位" in page.inner_text(".notice")
    assert "经营范围不含招聘岗位" in page.inner_text("table")
