"""Every admin screen of the demo, read word by word as an admin sees it (plain Chinese, no raw codes, ids,
English or None); the README's screenshots come from here (ESTATION_SCREENSHOT_DIR=docs/screenshots)."""

from __future__ import annotations

import pytest

from estation.feedback import service as feedback
from estation.feedback.models import SuggestionKind
from estation.jobs.models import EmployerStatus
from tests.admin.plain import assert_plain
from tests.conftest import screenshot, sign_in
from tests.factories import create_employer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(api):
    from fixtures.demo import DEMO_PASSWORD, load_demo

    with api.db() as s:
        load_demo(s)
        employer = create_employer(s, status=EmployerStatus.pending)
        employer.name = "济南甸柳便民家政服务有限公司"
        employer.industry = "居民服务业"
        feedback.leave(s, kind=SuggestionKind.suggestion, text="希望周六上午也能办理社保业务", resident_id=None)
        s.commit()
    return DEMO_PASSWORD


def latin_cells(page, selector: str) -> tuple[str, ...]:
    """What a table legitimately shows in Latin letters: usernames, credit codes, reference numbers."""
    return tuple(t.strip() for t in page.locator(selector).all_inner_texts() if t.strip())


SCREENS = [
    ("/admin", "admin-home.png", None),
    ("/admin/users", "admin-users.png", "table.users td:nth-child(2)"),
    ("/admin/pairings", "admin-pairings.png", None),
    ("/admin/employers", "admin-employers.png", ".facts dd:first-of-type"),
    ("/admin/suggestions", "admin-suggestions.png", "article h2"),
    ("/admin/ratings", "admin-ratings.png", "#follow-ups td:nth-child(3)"),
    ("/ledger/ratings", "ledger-ratings.png", None),
]


@pytest.mark.parametrize(("path", "shot", "latin"), SCREENS, ids=[s[0] for s in SCREENS])
def test_each_admin_screen_speaks_plain_chinese(live, page, demo, path: str, shot: str, latin: str | None) -> None:
    sign_in(page, live.url, "admin", path, password=demo)
    allowed = ("admin",)
    if latin:
        allowed += tuple(w for t in latin_cells(page, latin) for w in t.split())
    assert_plain(page.inner_text("body"), allowed=allowed)
    screenshot(page, shot)


def test_the_detail_screens_speak_plain_chinese(live, page, demo) -> None:
    sign_in(page, live.url, "admin", "/admin/users?role=cadre", password=demo)
    page.locator("table.users a").first.click()
    page.wait_for_selector(".facts")
    username = page.locator(".facts dd").first.inner_text()
    assert_plain(page.inner_text("body"), allowed=("admin", username))
    page.goto(f"{live.url}/admin/pairings")
    page.locator("table.pairings a").first.click()
    page.wait_for_selector("h2")
    assert_plain(page.inner_text("body"), allowed=("admin",))
    screenshot(page, "admin-pairing-household.png")
