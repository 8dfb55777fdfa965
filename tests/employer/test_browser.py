"""A real browser: an employer posts a vacancy through the guided form, it is indexed through the outbox
and a resident finds it at the kiosk; the candidates page moves an applicant along. Screenshots too."""

import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation.jobs import placements, service
from estation.jobs.models import ApplicationStatus, Occupation, Vacancy
from estation.jobs.search import DEGRADED_NOTICE
from indexing.sync import pending_count
from tests.conftest import screenshot, sign_in
from tests.employer.conftest import make_company
from tests.factories import create_resident

pytestmark = pytest.mark.browser

TITLE = "甸柳便民药店收银员"
STATED = {"standing_walking": 1, "lifting_carrying": 1, "fine_hand": 2, "seeing": 2, "hearing": 2, "speaking": 2,
          "learning_memory": 2}


def test_post_a_vacancy_and_find_it_at_the_kiosk(api, live, page) -> None:
    with api.db() as s:
        company = make_company(s)
        if s.get(Occupation, "4-01-02-04") is None:  # the harness seeds only three codes
            s.add(Occupation(code="4-01-02-04", level=4, name="收银员", aliases=["收款员"]))
        s.commit()
    sign_in(page, live.url, company.user.username, "/employer/vacancies/new")

    page.fill("#title", TITLE)
    # The occupation list follows the title as it is typed (fetch from /api/v1/occupations/suggest).
    page.wait_for_selector("#occupation-options input[value='4-01-02-04']", timeout=10000)
    page.check("#occupation-options input[value='4-01-02-04']")
    page.select_option("#employment_type", "full_time")
    page.select_option("#shift", "day")
    page.fill("#hours_per_day", "8")
    page.fill("#days_per_week", "5")
    page.fill("#openings", "2")
    page.fill("#wage_min", "1800")  # below the minimum wage: refused with a Chinese message naming it
    page.fill("#wage_max", "3200")
    page.select_option("#community_code", "370102009002")
    page.fill("#address", "甸柳新村第一社区沿街商铺")
    for domain, level in STATED.items():
        page.check(f"input[name=demand_{domain}][value='{level}']")
    page.check("input[name=adjustments][value='seated_work']")
    page.check("input[name=adjustments][value='training']")
    page.fill("#description", "收银、整理货架上的小件药品，有药师在岗指导。")
    page.click("button[value=save]")
    assert "最低工资不得低于当地最低工资标准" in page.inner_text("#wage_min-error")

    page.fill("#wage_min", "2600")
    page.click("button[value=preview]")
    preview = page.locator("#preview")
    assert TITLE in preview.inner_text() and "2600–3200 元/月" in preview.inner_text()
    assert "适合残疾人" in preview.inner_text()
    screenshot(page, "employer-posting-form.png")

    page.click("button[value=save]")
    page.wait_for_url(f"{live.url}/employer/vacancies/*")
    assert "已保存" in page.inner_text("main")
    vacancy_id = int(page.url.split("/employer/vacancies/")[1].split("?")[0])

    # The app's outbox worker applies the row written with the vacancy, woken by the commit: no manual sync.
    deadline = time.monotonic() + 10
    while True:
        with api.db() as s:
            if pending_count(s) == 0:
                break
        assert time.monotonic() < deadline, "the vacancy did not reach the search index within 10 s"
        time.sleep(0.2)

    page.goto(f"{live.url}/kiosk/jobs/results?q=药店收银")
    results = page.inner_text("main")
    assert TITLE in results and DEGRADED_NOTICE not in results
    assert page.locator(f"a[href='/kiosk/jobs/{vacancy_id}']").count() == 1


def test_untouched_demand_controls_are_refused_and_nothing_is_assumed(api, live, page) -> None:
    """An employer who never touches the physical-demand controls cannot publish: the form names every
    unchosen domain, keeps everything typed, and saves nothing until each is chosen."""
    with api.db() as s:
        company = make_company(s)
        s.commit()
    sign_in(page, live.url, company.user.username, "/employer/vacancies/new")
    assert page.locator("input[name^=demand_]:checked").count() == 0  # nothing pre-chosen
    page.fill("#title", "地下车库巡查员")
    page.fill("#hours_per_day", "8")
    page.fill("#wage_min", "2800")
    page.fill("#wage_max", "3400")
    page.select_option("#community_code", "370102009002")
    page.fill("#address", "甸柳新村第一社区地下车库")
    page.check("input[name=adjustments][value='training']")
    page.fill("#description", "夜间巡查车库，登记外来车辆。")
    page.click("button[value=save]")

    alert = page.inner_text("p.error.card")
    assert "体力要求：“站立行走”“搬运提举”“手部精细操作”“视力”“听力”“言语”“学习记忆”还没有选择" in alert
    for domain in STATED:
        assert "还没有选择" in page.inner_text(f"#demand_{domain}-error")
    assert page.locator("input[name^=demand_]:checked").count() == 0
    assert page.input_value("#title") == "地下车库巡查员" and page.input_value("#wage_min") == "2800"
    assert page.input_value("#address") == "甸柳新村第一社区地下车库"
    assert page.is_checked("input[name=adjustments][value='training']")
    assert "夜间巡查车库" in page.input_value("#description")
    assert page.locator("#preview").count() == 0  # no card, so no 适合残疾人 or 不依赖视力 built from defaults
    screenshot(page, "employer-posting-unstated.png")

    garage = {"standing_walking": 3, "lifting_carrying": 1, "fine_hand": 1, "seeing": 3, "hearing": 2, "speaking": 2,
              "learning_memory": 1}
    page.check("input[name=demand_seeing][value='3']")  # one chosen: the others are still refused
    page.click("button[value=save]")
    assert "“视力”" not in page.inner_text("p.error.card") and page.is_checked("input[name=demand_seeing][value='3']")
    for domain, level in garage.items():
        page.check(f"input[name=demand_{domain}][value='{level}']")
    page.click("button[value=save]", no_wait_after=True)
    # the first write infers the title's occupation, which can take a while on a busy machine
    page.wait_for_url(re.compile(r"/employer/vacancies/\d+\?saved=1$"), timeout=120000)
    assert "已保存" in page.inner_text("main") and "没有说明" not in page.inner_text("main")
    with api.db() as s:  # one row: the refused posts wrote nothing
        assert [v.demands for v in s.scalars(select(Vacancy).where(Vacancy.title == "地下车库巡查员"))] == [garage]


def test_candidates_page_in_the_browser(api, live, page) -> None:
    with api.db() as s:
        company = make_company(s, title="社区老年食堂配餐员", demands={"standing_walking": 2}, adjustments=["training"])
        first = create_resident(s, name="韩淑芬", phone="13511112222", skills="家常菜、配餐")
        second = create_resident(s, name="冯志刚", phone="13533334444", skills="仓库理货")
        a1 = service.apply(s, resident=first, vacancy=company.vacancy, by_user_id=None)
        service.apply(s, resident=second, vacancy=company.vacancy, by_user_id=None)
        placements.move(s, application=a1, status=ApplicationStatus.contacted, reason=None, user=company.user)
        s.commit()
    path = f"/employer/vacancies/{company.vacancy.id}/candidates"
    sign_in(page, live.url, company.user.username, path)
    page.fill(f"#at-{a1.id}", f"{date.today() + timedelta(days=3)}T09:30")
    page.fill(f"#place-{a1.id}", "食堂后厨")
    page.click(f"form[action='/employer/applications/{a1.id}/interview'] button[type=submit]")
    page.wait_for_url(f"{live.url}{path}#app-{a1.id}")
    rows = page.inner_text("table.applicants")
    assert "韩淑芬" in rows and "已约面试" in rows and "冯志刚" in rows
    assert "推荐的求职者" in page.inner_text("main")
    screenshot(page, "employer-candidates.png")

    page.goto(f"{live.url}/employer/quota")
    page.fill("#staff_count", "150")
    page.fill("#disabled_staff_other", "1")
    page.click("form[action='/employer/quota'] button[type=submit]")
    page.wait_for_url(f"{live.url}/employer/quota")
    assert "还需安排 2 名残疾职工" in page.inner_text("main")
    screenshot(page, "employer-quota.png")
