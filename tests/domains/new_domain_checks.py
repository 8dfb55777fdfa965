"""Every surface that lists the functional-limit domains shows one more, declared in estation.physical only.

Run by tests/domains/test_new_domain.py in a copy of the tree whose estation/physical.py declares one
more :class:`~estation.physical.Domain` and in which nothing else changed (this file has no ``test_``
prefix, so a normal run never collects it: without that declaration it cannot pass). The new domain must
appear on the employer's demand form and in its errors, in the API and the import/export columns, on the
kiosk with its icon, in the search index of both backends, in matching (the limits, the reasons, the
advice) and on the counter's resident page (its question and the answer recorded).
"""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation import physical
from estation.accounts.models import Role
from estation.imports.columns import RESIDENT_COLUMNS, VACANCY_COLUMNS
from estation.jobs.models import Vacancy
from indexing.documents import vacancy_document
from indexing.query import SearchQuery
from indexing.sync import pending_count, rebuild
from tests.conftest import screenshot, sign_in
from tests.employer.conftest import make_company
from tests.factories import create_resident, create_user, create_vacancy
from tests.engines import BACKENDS, drop_backend, make_backend
from tests.search.conftest import VECTOR_DIMS

pytestmark = [pytest.mark.browser, pytest.mark.engine]

NEW = physical.DECLARED[-1]
OLD_LEVELS = {d.key: 1 for d in physical.DECLARED[:-1]}
"""A light job in every domain declared before the new one."""


def _wait_for_index(api, seconds: float = 180) -> None:
    """The app's outbox worker indexes what was written (embedding it with the real model, loaded on its
    first round)."""
    deadline = time.monotonic() + seconds
    while True:
        with api.db() as s:
            if pending_count(s) == 0:
                return
        assert time.monotonic() < deadline, f"the index did not catch up within {seconds} s"
        time.sleep(0.3)


def test_the_copy_declares_the_new_domain_last_and_the_demo_data_still_loads() -> None:
    assert NEW.key == os.environ["ESTATION_NEW_DOMAIN"]
    assert physical.DOMAIN_NAMES[-1] == NEW.key and len(physical.DOMAIN_NAMES) == len(OLD_LEVELS) + 1
    from fixtures.catalog import KINDS  # written for the domains before it: the new one is demanded at 0

    assert all(kind.demands[NEW.key] == 0 for kind in KINDS)


def test_api_and_sheets_ask_for_the_new_domain(api) -> None:
    with api.db() as s:
        company = make_company(s)
        s.commit()
    client = api.client_for(company.user)
    body = dict(employer_id=company.employer.id, title="社区便利店理货员", community_code="370102009001",
                address="甸柳新村第三社区", wage_min=2600, wage_max=3000, hours_per_day=8, days_per_week=5,
                employment_type="full_time", demands=OLD_LEVELS,
                valid_until=(date.today() + timedelta(days=30)).isoformat())
    r = client.post("/api/v1/vacancies", json=body)
    assert r.status_code == 422, r.text  # the new demand must be stated, like every other
    assert {e["loc"][-1] for e in r.json()["detail"] if e["type"] == "missing"} == {NEW.key}
    r = client.post("/api/v1/vacancies", json=body | {"demands": OLD_LEVELS | {NEW.key: 2}})
    assert r.status_code == 201 and r.json()["demands"][NEW.key] == 2

    schema = api.anonymous.get("/openapi.json").json()["components"]["schemas"]
    described = schema["StatedDemands"]["properties"][NEW.key]["description"]
    assert NEW.label in described and all(text in described for text in NEW.levels)

    search = api.anonymous.get(f"/api/v1/search/jobs?max_{NEW.key}=5")
    assert search.status_code == 422 and f"max_{NEW.key}" in search.text
    assert api.anonymous.get(f"/api/v1/search/jobs?max_{NEW.key}=2").status_code == 200

    for columns in (RESIDENT_COLUMNS, VACANCY_COLUMNS):
        column = next(c for c in columns if c.field == f"level:{NEW.key}")
        assert column.header == NEW.label and column.parse(NEW.levels[2]) == 2 and column.parse("3") == 3


def test_the_employer_states_it_and_the_kiosk_shows_it_with_its_icon(api, live, page) -> None:
    with api.db() as s:
        company = make_company(s)
        s.commit()
    sign_in(page, live.url, company.user.username, "/employer/vacancies/new")
    fieldset = page.locator("fieldset.demand", has=page.locator("legend", has_text=NEW.label))
    assert fieldset.count() == 1
    assert [t.strip() for t in fieldset.locator("label.choice").all_inner_texts()] == list(NEW.levels)

    page.fill("#title", "冷库理货员")
    page.fill("#hours_per_day", "8")
    page.fill("#wage_min", "2800")
    page.fill("#wage_max", "3400")
    page.select_option("#community_code", "370102009002")
    page.fill("#address", "甸柳新村第一社区农贸市场")
    page.fill("#description", "在冷库里清点、码放货品。")
    for key, level in OLD_LEVELS.items():
        page.check(f"input[name=demand_{key}][value='{level}']")
    page.click("button[value=save]")  # the new demand left unchosen: refused, naming it
    assert f"体力要求：“{NEW.label}”还没有选择" in page.inner_text("p.error.card")
    assert "还没有选择" in page.inner_text(f"#demand_{NEW.key}-error")
    fieldset.scroll_into_view_if_needed()
    screenshot(page, "new-domain-employer-form.png")

    page.check(f"input[name=demand_{NEW.key}][value='3']")
    page.click("button[value=save]", no_wait_after=True)
    page.wait_for_url(re.compile(r"/employer/vacancies/\d+\?saved=1$"), timeout=120000)
    assert f"{NEW.label}：{NEW.levels[3]}" in page.inner_text("main")
    with api.db() as s:
        vacancy = s.scalars(select(Vacancy).where(Vacancy.employer_id == company.employer.id,
                                             Vacancy.title == "冷库理货员")).one()
        assert vacancy.demands == OLD_LEVELS | {NEW.key: 3}

    page.goto(f"{live.url}/kiosk/jobs/{vacancy.id}")
    badge = page.locator("li.demand", has_text=NEW.label)
    assert badge.count() == 1 and NEW.levels[3] in badge.inner_text()
    assert badge.locator(f"svg use[href='#i-{NEW.icon}']").count() == 1
    assert page.locator(f"symbol#i-{NEW.icon}").count() == 1  # drawn in the page's sprite, from the declaration
    box = badge.locator("svg").bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10
    screenshot(page, "new-domain-kiosk-detail.png")


@pytest.mark.parametrize("name", BACKENDS)
def test_both_backends_index_and_filter_the_new_demand(api, tmp_path, name: str) -> None:
    with api.db() as s:
        company = make_company(s, title="冷库搬运工", demands={NEW.key: 4})
        mild = create_vacancy(s, employer=company.employer, title="室内打包员", demands={NEW.key: 1})
        s.commit()
        assert vacancy_document(company.vacancy, today=date.today()).demands[NEW.key] == 4
        backend = make_backend(name, tmp_path)
        try:
            rebuild(s, backend, vector_dims=VECTOR_DIMS, model_id="test-model")
            backend.refresh("vacancy")
            ids = backend.search(SearchQuery(kind="vacancy", max_demands=((NEW.key, 2),), per_page=100)).ids
            assert mild.id in ids and company.vacancy.id not in ids
            everything = backend.search(SearchQuery(kind="vacancy", per_page=100)).ids
            assert {mild.id, company.vacancy.id} <= set(everything)
            if name == "elasticsearch":
                mapping = backend.client.indices.get_mapping(index=backend.alias("vacancy"))
                properties = next(iter(mapping.body.values()))["mappings"]["properties"]
                assert properties["demands"]["properties"][NEW.key] == {"type": "byte"}
        finally:
            drop_backend(backend)


def test_matching_and_the_counter_keep_the_new_limit(api, live) -> None:
    with api.db() as s:
        company = make_company(s, title="保安", demands={"standing_walking": 3})
        counter = create_user(s, role=Role.counter_staff)
        resident = create_resident(s, name="周桂芳", work_capacity="partial", limits={NEW.key: 1},
                                   skills="打扫卫生", wishes="想找保洁的活", max_travel_km=5)
        s.commit()
    client = api.client_for(company.user)
    body = dict(employer_id=company.employer.id, community_code="370102009001", address="甸柳新村第三社区",
                wage_min=2600, wage_max=3000, hours_per_day=8, days_per_week=5, employment_type="full_time",
                valid_until=(date.today() + timedelta(days=30)).isoformat())
    cold = client.post("/api/v1/vacancies", json=body | {"title": "冷库保洁员", "demands": OLD_LEVELS | {NEW.key: 3}})
    indoor = client.post("/api/v1/vacancies", json=body | {"title": "楼道保洁员", "demands": OLD_LEVELS | {NEW.key: 0}})
    assert cold.status_code == indoor.status_code == 201, (cold.text, indoor.text)
    _wait_for_index(api)

    r = api.client_for(counter).get(f"/api/v1/match/resident/{resident.id}")
    assert r.status_code == 200, r.text
    answer = r.json()
    items = {it["title"]: it for it in answer["items"]}
    assert "冷库保洁员" not in items  # demands more than she manages in the new domain: never shown
    assert NEW.not_needed[0] in [reason["text"] for reason in items["楼道保洁员"]["reasons"]]
    limit = {lim["key"]: lim for lim in answer["limits"]}[f"physical:{NEW.key}"]
    assert limit["label"] == f"{NEW.label}（您能做到：{NEW.levels[1]}）" and limit["removed"] >= 1
    assert NEW.ask in limit["advice"]

    counter_page = api.client_for(counter).get(f"/counter/residents/{resident.id}", params={"reason": "窗口办理业务"})
    assert f"{NEW.question}<strong>{NEW.levels[1]}</strong>" in counter_page.text  # what the counter asked her
