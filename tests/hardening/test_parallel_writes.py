"""Writes that hold in parallel (issue 13, point 5), against a running server on SQLite and PostgreSQL.

Real threads send real requests at once, released together by a barrier: reference numbers (suggestions,
prints, cases, applications) never collide, a taken username answers 409 naming ``username`` instead of
a 500, and a form submitted twice with its one-time token (a double click) creates one record, the second
answer showing the first one's result.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from estation.accounts.models import Role
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution
from estation.cases.models import Case
from estation.feedback.models import Suggestion
from estation.identifiers import make_uscc
from estation.jobs.models import Application
from estation.kiosk.models import KioskPrint
from estation.migrate import upgrade
from estation.web.templating import WEB_DIR
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_employer, create_resident, create_user, create_vacancy, seed_places
from tests.server import at_once

CSRF = "parallel-writes-csrf-token"
DOCS = continued_contribution.TYPE.documents
PASSWORD = "Dianliu-parallel-2024"
TEMPLATES = WEB_DIR / "templates"


@dataclass
class Server:
    harness: ApiHarness
    live: LiveServer
    clerk: str
    resident_ids: list[int]
    vacancy_id: int

    def client(self) -> httpx.Client:
        # The CSRF token as the cookie, the form field and the header the JSON API asks of a cookie session.
        return httpx.Client(base_url=self.live.url, cookies={"estation_csrf": CSRF}, headers={"X-CSRF-Token": CSRF},
                            timeout=60)

    def clerk_client(self) -> httpx.Client:
        client = self.client()
        signed = client.post("/api/v1/auth/login", json={"username": self.clerk, "password": TEST_PASSWORD})
        assert signed.status_code == 200, signed.text
        return client

    def count(self, model: type) -> int:
        with self.harness.db() as s:
            return s.scalar(select(func.count()).select_from(model))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("parallel")
    url = f"sqlite:///{tmp / 'parallel.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        load_catalogue(s)
        clerk = create_user(s, role=Role.counter_staff, window=3)
        residents = [create_resident(s, name=f"居民{i}") for i in range(10)]
        vacancy = create_vacancy(s, employer=create_employer(s))
        s.commit()
        world = (clerk.username, [r.id for r in residents], vacancy.id)
    live = LiveServer(harness)
    yield Server(harness, live, *world)
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def submission_token(html: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert found, "the form carries no one-time submission token"
    return found.group(1)


# --- reference numbers --------------------------------------------------------------------------

def test_twenty_suggestions_at_once_all_get_their_own_reference(server: Server) -> None:
    before = server.count(Suggestion)

    def leave(i: int) -> httpx.Response:
        with server.client() as c:
            return c.post("/kiosk/suggest", data={"csrf_token": CSRF, "kind": "suggestion", "text": f"第{i}条建议：大厅多放几把椅子"})

    answers = at_once(20, leave)
    assert statuses(answers) == {303: 20}, [(r.status_code, r.text[:200]) for r in answers if r.status_code != 303]
    references = {r.headers["location"].rsplit("=", 1)[1] for r in answers}
    assert len(references) == 20 and all(re.fullmatch(r"LY\d{12}", ref) for ref in references)
    assert server.count(Suggestion) == before + 20


def test_twenty_prints_at_once_all_get_their_own_reference(server: Server) -> None:
    def slip(i: int) -> httpx.Response:
        with server.client() as c:
            return c.post(f"/kiosk/guide/{continued_contribution.TYPE.code}/print", data={"csrf_token": CSRF})

    answers = at_once(20, slip)
    assert statuses(answers) == {303: 20}, [(r.status_code, r.text[:200]) for r in answers if r.status_code != 303]
    assert len({r.headers["location"] for r in answers}) == 20


def test_ten_cases_opened_at_once_at_the_counter_are_numbered_apart(server: Server) -> None:
    clients = [server.clerk_client() for _ in range(10)]
    before = server.count(Case)

    def intake(i: int) -> httpx.Response:
        return clients[i].post("/counter/cases", data={
            "csrf_token": CSRF, "resident_id": server.resident_ids[i], "service_code": continued_contribution.TYPE.code,
            "handed_in": list(DOCS[:1]),
        })

    answers = at_once(10, intake)
    for c in clients:
        c.close()
    assert statuses(answers) == {303: 10}, [(r.status_code, r.text[:200]) for r in answers if r.status_code != 303]
    with server.harness.db() as s:
        references = s.scalars(select(Case.reference)).all()
    assert len(references) == before + 10 and len(set(references)) == len(references)


def test_ten_applications_at_once_are_numbered_apart(server: Server) -> None:
    clients = [server.clerk_client() for _ in range(10)]

    def apply(i: int) -> httpx.Response:
        return clients[i].post("/api/v1/applications", json={"vacancy_id": server.vacancy_id, "resident_id": server.resident_ids[i]})

    answers = at_once(10, apply)
    for c in clients:
        c.close()
    assert statuses(answers) == {201: 10}, [(r.status_code, r.text[:200]) for r in answers if r.status_code != 201]
    references = [r.json()["reference"] for r in answers]
    assert len(set(references)) == 10 and all(re.fullmatch(r"YX\d{12}", ref) for ref in references)
    assert server.count(Application) == 10


# --- duplicate keys ------------------------------------------------------------------------------

def _registration(n: int, username: str) -> dict:
    return dict(uscc=make_uscc(f"91370102MA3PAR{n:03d}"), name="济南甸柳并发测试有限公司", contact_name="钱主任",
                contact_phone="13811112222", address="历下区甸柳新村二区", community_code="370102009002",
                staff_count=20, disabled_staff_grade12=0, disabled_staff_other=0, username=username, password=PASSWORD)


def test_eight_registrations_with_one_username_give_one_account_and_seven_409s(server: Server) -> None:
    username = f"bingfa-{uuid.uuid4().hex[:8]}"

    def register(i: int) -> httpx.Response:
        with server.client() as c:
            return c.post("/api/v1/employers/register", json=_registration(i, username))

    answers = at_once(8, register)
    assert statuses(answers) == {201: 1, 409: 7}, [(r.status_code, r.text[:200]) for r in answers]
    for refused in (r for r in answers if r.status_code == 409):
        (error,) = refused.json()["detail"]
        assert error["loc"][-1] == "username" and error["type"] == "conflict"
        assert re.search(r"[\u4e00-\u9fff]", error["msg"]), error


def test_four_registration_forms_with_one_username_answer_a_chinese_page_not_a_500(server: Server) -> None:
    """Four people in four browsers choose the same username at the same moment."""
    username = f"biaodan-{uuid.uuid4().hex[:8]}"
    with server.client() as c:
        tokens = [submission_token(c.get("/employer/register").text) for _ in range(4)]

    def register(i: int) -> httpx.Response:
        with server.client() as c:
            return c.post("/employer/register", data={
                **_registration(100 + i, username), "password_confirm": PASSWORD, "csrf_token": CSRF,
                "submission_token": tokens[i],
            })

    answers = at_once(4, register)
    # Whoever is refused by the service's check sees the form again with the reason (422); whoever raced
    # past it is refused by the database's constraint (409): the same words either way.
    codes = statuses(answers)
    assert codes[303] == 1 and codes[409] + codes[422] == 3, [(r.status_code, r.text[:200]) for r in answers]
    for refused in (r for r in answers if r.status_code != 303):
        assert refused.headers["content-type"].startswith("text/html")
        assert "该用户名已被使用，请换一个" in refused.text


# --- one-time submission tokens ------------------------------------------------------------------

def test_every_post_form_of_the_uis_carries_both_tokens() -> None:
    """One macro writes the CSRF and the one-time token into every form that posts."""
    forms = [(path.name, form) for path in TEMPLATES.rglob("*.html")
             for form in re.findall(r'<form\b[^>]*method="post".*?</form>', path.read_text(), re.S | re.I)]
    assert len(forms) > 30
    assert [name for name, form in forms if "{{ form_fields() }}" not in form] == []


def test_a_suggestion_submitted_twice_at_once_is_recorded_once(server: Server) -> None:
    with server.client() as c:
        form = c.get("/kiosk/suggest")
        token = submission_token(form.text)
        csrf = form.cookies.get("estation_csrf") or CSRF
    before = server.count(Suggestion)
    text = f"双击提交的建议 {uuid.uuid4().hex[:6]}"

    def submit(i: int) -> httpx.Response:
        with server.client() as c:
            c.cookies.set("estation_csrf", csrf)
            return c.post("/kiosk/suggest", data={"csrf_token": csrf, "submission_token": token, "kind": "suggestion",
                                                  "text": text})

    answers = at_once(2, submit)
    assert statuses(answers) == {303: 2}, [(r.status_code, r.text[:300]) for r in answers]
    assert answers[0].headers["location"] == answers[1].headers["location"], "the second answer is the first one's result"
    assert server.count(Suggestion) == before + 1
    with server.harness.db() as s:
        assert s.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.text == text)) == 1
    # The result page the second answer leads to shows the reference, as the first's does.
    with server.client() as c:
        done = c.get(answers[1].headers["location"])
    assert done.status_code == 200 and answers[0].headers["location"].rsplit("=", 1)[1] in done.text


def test_a_print_slip_submitted_five_times_at_once_prints_one_slip(server: Server) -> None:
    with server.client() as c:
        token = submission_token(c.get(f"/kiosk/guide/{continued_contribution.TYPE.code}").text)
    before = server.count(KioskPrint)

    def submit(i: int) -> httpx.Response:
        with server.client() as c:
            return c.post(f"/kiosk/guide/{continued_contribution.TYPE.code}/print", data={"csrf_token": CSRF, "submission_token": token})

    answers = at_once(5, submit)
    assert statuses(answers) == {303: 5}, [(r.status_code, r.text[:300]) for r in answers]
    assert len({r.headers["location"] for r in answers}) == 1
    assert server.count(KioskPrint) == before + 1


def test_a_case_intake_submitted_twice_at_once_opens_one_case(server: Server) -> None:
    clients = [server.clerk_client() for _ in range(2)]
    resident_id = server.resident_ids[-1]
    form = clients[0].get("/counter/cases/new", params={"resident_id": resident_id, "service_code": continued_contribution.TYPE.code})
    assert form.status_code == 200, form.text
    token = submission_token(form.text)
    before = server.count(Case)

    def intake(i: int) -> httpx.Response:
        return clients[i].post("/counter/cases", data={
            "csrf_token": CSRF, "submission_token": token, "resident_id": resident_id,
            "service_code": continued_contribution.TYPE.code, "handed_in": list(DOCS[:2]),
        })

    answers = at_once(2, intake)
    for c in clients:
        c.close()
    assert statuses(answers) == {303: 2}, [(r.status_code, r.text[:300]) for r in answers]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert server.count(Case) == before + 1


def test_a_used_token_sent_again_later_creates_nothing_and_says_so_in_chinese(server: Server) -> None:
    with server.client() as c:
        token = submission_token(c.get("/kiosk/suggest").text)
        data = {"csrf_token": CSRF, "submission_token": token, "kind": "complaint", "text": "再次提交的投诉"}
        first = c.post("/kiosk/suggest", data=data)
        before = server.count(Suggestion)
        again = c.post("/kiosk/suggest", data=data)
    assert first.status_code == 303 and again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert server.count(Suggestion) == before


def test_a_refused_submission_does_not_use_up_its_token(server: Server) -> None:
    """A form sent back with a mistake is corrected and sent again: it must go through then."""
    with server.client() as c:
        token = submission_token(c.get("/kiosk/suggest").text)
        refused = c.post("/kiosk/suggest", data={"csrf_token": CSRF, "submission_token": token, "kind": "suggestion", "text": " "})
        assert refused.status_code == 422 and "请写下您的意见或建议" in refused.text
        fixed = c.post("/kiosk/suggest", data={"csrf_token": CSRF, "submission_token": token, "kind": "suggestion",
                                                 "text": "改好以后再提交的建议"})
    assert fixed.status_code == 303 and "done=LY" in fixed.headers["location"]
