"""A real browser signs in at the shared sign-in page and lands on the surface of its role."""

import pytest

from estation.accounts.models import Role
from tests.factories import TEST_PASSWORD, create_user

pytestmark = pytest.mark.browser


def test_staff_sign_in_in_a_real_browser(api, live, page) -> None:  # noqa: ANN001
    with api.db() as s:
        user = create_user(s, role=Role.employer)
        s.commit()
    page.goto(f"{live.url}/login?next=/healthz")
    page.fill("#username", user.username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/healthz")
    assert '"status":"ok"' in page.content().replace(" ", "")
