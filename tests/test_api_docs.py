"""The API documents itself, offline: /docs (Swagger UI) and /redoc render in a real browser that can
reach nothing but the app, under their Content-Security-Policy; every operation has a Chinese summary and
description, who may call it and the errors it answers, in the one error shape; the fields say what
they mean (the 0-4 physical demand scale above all); bearer sign-in is described."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest

from estation import physical
from estation.apidocs import ASSETS_DIR
from tests.conftest import screenshot

ROOT = Path(__file__).resolve().parents[1]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


@pytest.fixture
def offline_page(browser):
    """A page whose every request off this machine is aborted (and recorded), watching the policy."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_loopback(route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.add_init_script(WATCH)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.outside, page.problems = outside, problems
    yield page
    context.close()


@pytest.mark.browser
def test_swagger_ui_lists_every_operation_without_network(api, live, offline_page) -> None:
    page = offline_page
    response = page.goto(f"{live.url}/docs")
    assert "cdn" not in response.text().lower()
    page.wait_for_selector(".opblock-summary", timeout=60000)
    count = len(_operations(api.app.openapi()))
    assert page.locator(".opblock").count() == count
    assert page.get_by_text("登录", exact=True).first.is_visible()
    page.click("#operations-labour-get_resident_api_v1_residents__resident_id__get .opblock-summary")
    page.wait_for_selector("text=须说明查看原因")
    screenshot(page, "api-docs.png")
    assert page.evaluate("window.__refused") == []
    assert page.outside == [] and page.problems == []


@pytest.mark.browser
def test_redoc_renders_the_operations_without_network(api, live, offline_page) -> None:
    page = offline_page
    response = page.goto(f"{live.url}/redoc")
    assert "cdn" not in response.text().lower()
    page.wait_for_selector("[role=menuitem]", timeout=60000)  # a large schema on a busy machine
    titles = page.locator("[role=menuitem] label").all_inner_texts()
    assert "发布岗位" in "\n".join(titles) and "养老保险转移接续测算" in "\n".join(titles)
    page.wait_for_selector("text=BearerToken", timeout=60000)
    screenshot(page, "api-redoc.png")
    # ReDoc always tries to show its own logo from its CDN: the policy refuses it (and it is hidden).
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [r for r in page.evaluate("window.__refused") if logo not in r] == []
    assert page.outside == [] and [p for p in page.problems if logo not in p] == []


def test_the_pages_files_come_with_the_installed_app() -> None:
    """What `pip install .` installs (the Dockerfile's step) brings them: a runtime dependency's files."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("fastapi-offline") for d in dependencies)
    assert "site-packages" in ASSETS_DIR.parts and {"swagger-ui-bundle.js", "redoc.standalone.js"} <= {
        f.name for f in ASSETS_DIR.iterdir()}
    assert "from estation.apidocs import ASSETS_DIR" in (ROOT / "Dockerfile").read_text()  # checked at build


def test_every_operation_has_chinese_docs_and_its_errors(api) -> None:
    schema = api.app.openapi()
    problems = []
    for path, method, op in _operations(schema):
        name = f"{method.upper()} {path}"
        if not CHINESE.search(op.get("summary", "")):
            problems.append(f"{name}: no Chinese summary")
        if not CHINESE.search(op.get("description", "").split("**调用者**")[0]):
            problems.append(f"{name}: no Chinese description")
        if not path.startswith("/api/"):
            continue
        responses = op["responses"]
        errors = {int(s) for s in responses if int(s) >= 400}
        expected = {503}  # every operation reads the database
        if re.search(r"\{\w+_id\}", path):  # a record by its number: it may not exist
            expected.add(404)
        if op.get("parameters") or "requestBody" in op:
            expected.add(422)
        if "requestBody" in op:
            expected.add(413)
        if op.get("security") and {} not in op["security"]:
            expected.add(401)
        if "限" in op["description"].split("**调用者**")[-1]:
            expected.add(403)
        if missing := expected - errors:
            problems.append(f"{name}: errors {sorted(missing)} not declared")
        for status in errors:
            answer = responses[str(status)]
            if answer["content"]["application/json"]["schema"] != {"$ref": "#/components/schemas/ErrorBody"}:
                problems.append(f"{name}: {status} not in the one error shape")
            if not CHINESE.search(answer["description"]):
                problems.append(f"{name}: {status} has no Chinese description")
    assert not problems, "\n".join(problems)


def test_bearer_sign_in_is_described(api) -> None:
    schema = api.app.openapi()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"]["scheme"] == "bearer" and "/api/v1/auth/login" in schemes["BearerToken"]["description"]
    assert "X-CSRF-Token" in schemes["SessionCookie"]["description"]
    me = schema["paths"]["/api/v1/auth/me"]["get"]
    assert {"BearerToken": []} in me["security"] and {} not in me["security"]
    public = schema["paths"]["/api/v1/vacancies/{vacancy_id}"]["get"]
    assert {} in public["security"]  # anyone may call it; signed in, an employer sees its own drafts too


def test_every_field_is_described_and_the_demand_scale_says_what_each_level_means(api) -> None:
    components = api.app.openapi()["components"]["schemas"]
    undescribed = [f"{name}.{field}" for name, model in components.items()
                   for field, spec in (model.get("properties") or {}).items() if not CHINESE.search(spec.get("description", ""))]
    assert not undescribed, undescribed
    levels = {d: [f"{n} {physical.label(d, n)}" for n in range(physical.MAX_LEVEL + 1)] for d in physical.DOMAIN_NAMES}
    for domain, said in levels.items():
        stated = components["StatedDemands"]["properties"][domain]["description"]
        assert physical.domain_label(domain) in stated and all(level in stated for level in said)
    for model, field in [("VacancyOut", "demands"), ("JobHit", "demands"), ("VacancyCreate", "demands"),
                         ("ResidentOut", "limits"), ("ResidentCreate", "limits"), ("StartupCreate", "demands")]:
        text = components[model]["properties"][field]["description"]
        assert all(level in text for said in levels.values() for level in said), (model, field)
    assert "不等于0级" in components["VacancyOut"]["properties"]["demands"]["description"]  # unstated is unknown
    enum = components["WorkCapacity"]
    assert all(value in enum["description"] for value in enum["enum"]) and "部分劳动能力" in enum["description"]


def test_every_schema_has_its_own_plain_name(api) -> None:
    """Two schemas of one class name would be shown as estation__volunteers__schemas__AssignmentOut (and
    their fields described by the wrong entry of estation.apifields): the next clash fails here."""
    components = api.app.openapi()["components"]["schemas"]
    clashing = sorted(name for name in components if "__" in name)
    assert not clashing, clashing
    for renamed in ("VolunteerAssignmentOut", "VolunteerServiceOut", "VolunteerReason", "VolunteerChannel",
                    "RatingFollowUpOut", "AssignmentOut", "FollowUpOut", "Reason", "Channel"):
        assert renamed in components, renamed
    assert "社区登记" in components["VolunteerChannel"]["description"]  # its own labels, not the alerts' Channel
    assert components["VolunteerReason"]["properties"]["text"]["description"] == "推荐理由"


def test_every_tag_has_a_chinese_name(api) -> None:
    tags = api.app.openapi()["tags"]
    assert tags and all(CHINESE.search(t.get("x-displayName", "")) and CHINESE.search(t["description"]) for t in tags)
