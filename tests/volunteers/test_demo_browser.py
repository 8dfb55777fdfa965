"""The volunteer alliance on the demo data, in headless Chromium: community staff open their community's
weekly visit and see who is taken on and who else could go, with true reasons; an admin reads the
street's summary, whose figures are the service's. Screenshots for the README with ESTATION_SCREENSHOT_DIR."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from estation import clock
from estation.accounts.models import User
from estation.volunteers import proposals, service
from estation.volunteers.models import VolunteerNeed
from tests.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(api):
    from fixtures.demo import DEMO_PASSWORD, load_demo

    with api.db() as s:
        load_demo(s)
        s.commit()
    api.app.state.parts.matching.matcher()
    return DEMO_PASSWORD


def test_community_staff_see_their_weekly_visit_and_the_street_summary(api, live, page, demo) -> None:
    with api.db() as s:
        staff = s.scalars(select(User).where(User.username == "community1")).one()
        need = s.scalars(select(VolunteerNeed).where(VolunteerNeed.community_code == staff.community_code,
                                                    VolunteerNeed.household_id.is_not(None))).one()
        taken = service.assignments_of_need(s, need=need)
        proposed = proposals.propose(s, need=need, matching=api.app.state.parts.matching)
        admin = s.scalars(select(User).where(User.username == "admin")).one()
        summary = service.summary(s, user=admin, today=clock.today())
    sign_in(page, live.url, "community1", f"/volunteers/needs/{need.id}", password=demo)
    shown = page.locator("#assigned .member")
    assert shown.count() == len(taken) >= 1
    for n, a in enumerate(taken):
        text = shown.nth(n).inner_text()
        assert a.volunteer_name in text and f"已服务{a.hours:g}小时" in text and a.phone_masked in text
    listed = page.locator("#proposals .proposal")
    assert listed.count() == len(proposed)
    for n, p in enumerate(proposed):
        assert listed.nth(n).locator(".reasons li").all_inner_texts() == [r.text for r in p.reasons]
    screenshot(page, "volunteers-need.png")
    page.context.clear_cookies()
    sign_in(page, live.url, "admin", "/volunteers/summary", password=demo)
    assert page.inner_text("#s-volunteers") == str(summary.volunteers)
    assert page.inner_text("#s-hours") == f"{summary.hours:g}"
    assert page.inner_text("#s-active") == str(summary.active_last_quarter)
    screenshot(page, "volunteers-summary.png")
