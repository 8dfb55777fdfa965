"""Every surface works under the Content-Security-Policy in a real browser: no script, style or frame
the policy refuses, no script error, the counter's print button shown (it is wired by a file, not inline)."""

from __future__ import annotations

from datetime import date

import pytest

from estation.accounts.models import Role
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution
from estation.cases.service import open_case
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident, create_user

pytestmark = pytest.mark.browser

WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _walk(page, base: str, paths: list[str], problems: list[str]) -> None:
    for path in paths:
        response = page.goto(base + path)
        page.wait_for_load_state("load")
        if "frame-ancestors 'none'" not in response.headers.get("content-security-policy", ""):
            problems.append(f"{path}: no Content-Security-Policy")
        refused = page.evaluate("window.__refused")
        problems += [f"{path}: refused {r}" for r in refused]
        screenshot(page, "csp" + path.replace("/", "-").split("?")[0] + ".png")


def test_every_surface_runs_under_the_policy(api, live, browser) -> None:
    with api.db() as s:
        load_catalogue(s)
        clerk = create_user(s, role=Role.counter_staff, window=1)
        cadre = create_user(s, role=Role.cadre)
        resident = create_resident(s, name="赵桂兰")
        case = open_case(s, user=clerk, resident=resident, service_code=continued_contribution.TYPE.code, handed_in=[],
                         window=1, today=date.today())
        s.commit()
        case_id = case.id
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(WATCH)
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))

    _walk(page, live.url, ["/", "/login", "/kiosk", "/kiosk/signin/pin", "/kiosk/jobs", "/kiosk/guide",
                           "/employer", "/employer/register"], problems)
    # The kiosk's own script ran: the on-screen keyboard types into the id-number field.
    page.goto(f"{live.url}/kiosk/signin/pin")
    page.locator("#osk button", has_text="3").first.click()
    assert page.locator("input[name=id_number]").input_value().endswith("3")

    sign_in(page, live.url, clerk.username, "/counter")
    _walk(page, live.url, ["/counter", f"/counter/cases/{case_id}/slip", f"/counter/cases/{case_id}/receipt"],
          problems)
    assert page.get_by_role("button", name="打印").is_visible()  # shown by /static/print.js
    context.clear_cookies()
    sign_in(page, live.url, cadre.username, "/ledger")
    _walk(page, live.url, ["/ledger"], problems)
    context.close()
    assert not problems, "\n".join(problems)

