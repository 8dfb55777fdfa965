"""A real browser signs in at the shared sign-in page and lands on the surface of its role."""

import pytest

from estation.accounts.models import Role
from tests.conftest import sign_in
from tests.factories import create_user

pytestmark = pytest.mark.browser


def test_staff_sign_in_in_a_real_browser(api, live, page) -> None:
    with api.db() as s:
        user = create_user(s, role=Role.employer)
        s.commit()
    sign_in(page, live.url, user.username, "/healthz")
    assert '"status":"ok"' in page.content().replace(" ", "")
