"""A cadre records a visit on a phone-sized screen, on the demo data; screenshots for docs/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from estation.accounts.models import Role, User
from estation import clock
from estation.ledger import service
from estation.ledger.models import LedgerAction
from tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(api):
    from fixtures.demo import DEMO_PASSWORD, load_demo

    with api.db() as s:
        load_demo(s)
        s.commit()
    return DEMO_PASSWORD


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_every_demo_cadre_has_paired_households_with_a_ledger(api, demo) -> None:
    with api.db() as s:
        cadres = list(s.scalars(select(User).where(User.role == Role.cadre)))
        assert len(cadres) >= 10
        today = clock.today()
        for cadre in cadres:
            households = service.household_summaries(s, user=cadre, today=today)
            assert households, cadre.username
            items = sum(len(service.repository.items_of(s, h.id)) for h in households)
            assert items > 0, cadre.username


def test_cadre_records_a_visit_on_a_phone(api, live, page, demo) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live.url, "cadre1", "/ledger", password=demo)
    no_sideways_scroll(page)
    page.locator("a.household-card").first.click()
    page.wait_for_selector("#visit-h")
    no_sideways_scroll(page)
    household_url = page.url
    submit = page.get_by_role("button", name="保存走访记录")
    box = submit.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44  # a thumb-sized target across the screen
    page.get_by_label("电话联系").check()
    page.fill("#visit-note", "电话询问近况，老人身体尚好，下周上门送药")
    submit.click()
    page.wait_for_selector(".flash")
    assert "已记录电话联系" in page.inner_text(".flash")
    assert "电话询问近况，老人身体尚好" in page.inner_text("body")
    assert page.url.startswith(household_url.split("?")[0])
    no_sideways_scroll(page)
    with api.db() as s:
        note = s.scalars(select(LedgerAction.note).order_by(LedgerAction.id.desc())).first()
    assert note == "电话询问近况，老人身体尚好，下周上门送药"
    screenshot(page, "ledger-household.png")


def test_dashboard_shows_duties_with_charts(live, page, demo) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live.url, "leader1", "/ledger/dashboard", password=demo)
    assert page.locator("svg.chart").count() >= 5
    assert "本季度联居领导履职" in page.inner_text("body")
    no_sideways_scroll(page)
    screenshot(page, "ledger-dashboard.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, live.url, "admin", "/ledger/dashboard", password=demo)
    screenshot(page, "ledger-dashboard-admin.png")
