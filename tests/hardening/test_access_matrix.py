"""The access-control matrix, generated from the app itself: every route x every role.

Each route either declares the roles it admits (``require_roles`` / ``require_web_roles``, read from the
dependency tree) or is classified below as public, signed-in (object-level checks inside, tested in the
domains' own tests) or kiosk-personal. A new route that is neither fails this test until someone decides.
Roles outside a route's list must be refused: 401/403 for the API, a redirect to sign-in or a 403 page
for the UIs. Reading another resident's records, another cadre's households and another employer's
candidates is tested object by object in tests/test_api.py, tests/ledger and tests/employer; another
community's residents at the counter's pages (community staff) in tests/labour/test_community_staff.py.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from estation.accounts.models import Role
from estation.accounts.service import start_session
from estation.deps import SESSION_COOKIE, RoleCheck, current_principal
from tests.factories import create_employer, create_household, create_resident, create_user

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *[r.value for r in Role]]

PUBLIC = {
    ("POST", "/api/v1/auth/login"), ("GET", "/api/v1/communities"), ("GET", "/api/v1/occupations"),
    ("GET", "/api/v1/occupations/suggest"), ("GET", "/api/v1/vacancies"), ("GET", "/api/v1/vacancies/{vacancy_id}"),
    ("GET", "/api/v1/startups"), ("GET", "/api/v1/startups/{startup_id}"),
    ("POST", "/api/v1/pension/transfer-assessment"), ("POST", "/api/v1/pension/continued-contribution"),
    ("GET", "/api/v1/services"), ("GET", "/api/v1/cases/status/{reference}"), ("POST", "/api/v1/employers/register"),
    ("GET", "/api/v1/similar-jobs"), ("GET", "/api/v1/match/occupations"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/docs"), ("GET", "/redoc"),
    ("GET", "/api/v1/search/jobs"), ("GET", "/api/v1/search/startups"), ("GET", "/api/v1/search/jobs/suggest"),
    ("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
    ("GET", "/employer"), ("GET", "/employer/register"), ("POST", "/employer/register"),
    ("GET", "/kiosk"), ("GET", "/kiosk/home"), ("GET", "/kiosk/signin"), ("GET", "/kiosk/signin/pin"),
    ("POST", "/kiosk/signin/pin"), ("GET", "/kiosk/signin/card"), ("POST", "/kiosk/signin/card"),
    ("POST", "/kiosk/finish"), ("GET", "/kiosk/ping"),
    ("GET", "/kiosk/jobs"), ("GET", "/kiosk/jobs/results"), ("GET", "/kiosk/jobs/{vacancy_id}"),
    ("POST", "/kiosk/jobs/{vacancy_id}/print"), ("POST", "/kiosk/guide/{code}/print"), ("GET", "/kiosk/guide"),
    ("GET", "/kiosk/guide/{code}"), ("GET", "/kiosk/suggest"), ("POST", "/kiosk/suggest"),
    ("GET", "/kiosk/prints/{reference}"), ("GET", "/kiosk/progress"), ("POST", "/kiosk/progress"),
    ("GET", "/kiosk/startups"), ("GET", "/kiosk/startups/{startup_id}"),
    ("GET", "/m"), ("GET", "/m/notices"), ("GET", "/m/notices/{notice_id}"),
    ("GET", "/m/answers"), ("GET", "/m/wechat/bind"), ("GET", "/m/wechat/bound"), ("GET", "/kiosk/answers"), ("GET", "/api/v1/suggestions/public"),
    ("GET", "/m/volunteer"), ("POST", "/m/volunteer"),
}
SIGNED_IN = {
    ("POST", "/api/v1/auth/logout"), ("GET", "/api/v1/auth/me"), ("GET", "/api/v1/households"),
    ("GET", "/api/v1/households/{household_id}"), ("GET", "/api/v1/residents"),
    ("GET", "/api/v1/residents/{resident_id}"), ("GET", "/api/v1/residents/{resident_id}/insurance-periods"),
    ("POST", "/api/v1/applications"), ("GET", "/api/v1/applications/{application_id}"),
    ("GET", "/api/v1/notifications"), ("POST", "/api/v1/notifications/{notification_id}/read"),
    ("GET", "/api/v1/match/resident/{resident_id}"), ("GET", "/api/v1/match/household/{household_id}"),
    ("GET", "/api/v1/match/vacancy/{vacancy_id}"),
}
KIOSK_PERSONAL = {
    ("GET", "/kiosk/recommend"), ("GET", "/kiosk/me/applications"), ("GET", "/kiosk/me/cases"),
    ("GET", "/kiosk/me/insurance"), ("GET", "/kiosk/me/readers"), ("POST", "/kiosk/jobs/{vacancy_id}/apply"),
    ("GET", "/kiosk/me/pin"), ("POST", "/kiosk/me/pin"),
    ("GET", "/kiosk/me/profile"), ("POST", "/kiosk/me/profile"), ("POST", "/kiosk/me/consent"),
    ("GET", "/kiosk/me/invitations"), ("POST", "/kiosk/me/invitations/{invitation_id}/accept"),
    ("POST", "/kiosk/me/invitations/{invitation_id}/decline"), ("POST", "/kiosk/startups/{startup_id}/ask"),
    ("POST", "/kiosk/me/cases/{reference}/rating"),
    ("GET", "/kiosk/me/alerts"), ("POST", "/kiosk/me/alerts"), ("POST", "/kiosk/me/alerts/withdraw"), ("POST", "/kiosk/me/wechat"),
    ("GET", "/kiosk/me/volunteer"), ("POST", "/kiosk/me/volunteer"),
}
ROLE_DENIALS = ("您没有权限进行此操作", "您没有权限访问此页面")


class Served(NamedTuple):
    """A route at the address the app serves it under."""
    path: str
    methods: set[str]
    dependant: Any


def _walk(routes, prefix: str = ""):
    """Every route as the app serves it: this FastAPI keeps an included router lazily, with the prefix it
    was included under (a sub-router of /counter is served under /counter)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield Served(prefix + route.path, route.methods, route.dependant)
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def _calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def _policy(route: Served, method: str) -> tuple[str, frozenset[str]]:
    calls = list(_calls(route.dependant))
    declared = [c.allowed_roles for c in calls if isinstance(c, RoleCheck)]
    key = (method, route.path)
    if declared:
        allowed = frozenset.intersection(*map(frozenset, declared))
        return "roles", frozenset(r.value for r in allowed)
    if key in PUBLIC:
        return "public", frozenset(ROLES)
    if key in SIGNED_IN or any(c is current_principal for c in calls):
        return "signed_in", frozenset(r.value for r in Role)
    if key in KIOSK_PERSONAL:
        return "kiosk_personal", frozenset({Role.resident.value})
    return "unclassified", frozenset()


def _route_cases():
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    cases = []
    for route in _walk(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            cases.append((method, route.path))
    app.state.parts.stop_workers()
    return sorted(set(cases))


ROUTES = _route_cases()


def _fill(path: str) -> str:
    values = {"code": "pension_transfer", "reference": "DL202601010001", "community_code": "370102009001"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.fixture(scope="module")
def users(api):
    with api.db() as s:
        household = create_household(s)
        resident = create_resident(s, household=household)
        employer = create_employer(s)
        made = {
            Role.resident.value: create_user(s, role=Role.resident, resident_id=resident.id),
            Role.counter_staff.value: create_user(s, role=Role.counter_staff, window=1),
            Role.community_staff.value: create_user(s, role=Role.community_staff, community_code="370102009001"),
            Role.cadre.value: create_user(s, role=Role.cadre),
            Role.leader.value: create_user(s, role=Role.leader),
            Role.employer.value: create_user(s, role=Role.employer, employer_id=employer.id),
            Role.admin.value: create_user(s, role=Role.admin),
        }
        s.commit()
    return made


@pytest.fixture
def clients(api, users):
    """A fresh session per test for every role: some routes (logout, kiosk finish) end the session."""
    out = {ANONYMOUS: TestClient(api.app, follow_redirects=False)}
    with api.db() as s:
        for role, user in users.items():
            token, _ = start_session(s, user=s.merge(user))
            client = TestClient(api.app, follow_redirects=False)
            client.cookies.set(SESSION_COOKIE, token)
            out[role] = client
        s.commit()
    for client in out.values():
        client.cookies.set("estation_csrf", "matrix-token")
    return out


def _call(client: TestClient, method: str, path: str):
    url = _fill(path)
    if method == "GET":
        return client.get(url)
    if path.startswith("/api/"):
        return client.request(method, url, json={})
    return client.request(method, url, data={"csrf_token": "matrix-token"})


def _refused(response, path: str) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303) and ("login" in location or "signin" in location)


def test_every_route_is_classified() -> None:
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    unclassified = [(m, r.path) for r in _walk(app.routes) for m in r.methods - {"HEAD"} if _policy(r, m)[0] == "unclassified"]
    app.state.parts.stop_workers()
    assert unclassified == [], "decide who may call these routes"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_admits_exactly_its_roles(api, clients, method: str, path: str) -> None:
    route = next(r for r in _walk(api.app.routes) if r.path == path and method in r.methods)
    kind, allowed = _policy(route, method)
    for role in ROLES:
        response = _call(clients[role], method, path)
        if path == "/readyz":  # a test app loads the model on first use: 503 until a test has needed it, and says so
            assert response.status_code in (200, 503), response.text
            assert (response.status_code == 200) == (response.json()["matching"] == "ready"), response.text
            continue
        assert response.status_code < 500, f"{role}: {response.status_code} {response.text[:200]}"
        if role in allowed:
            if kind != "public":
                assert response.status_code != 401, f"{role} should be signed in for {method} {path}"
            assert not any(d in response.text for d in ROLE_DENIALS), f"{role} refused by role at {method} {path}"
        else:
            assert _refused(response, path), f"{role} got {response.status_code} at {method} {path}"


ADMIN_SCREENS = {"/admin", "/admin/users", "/admin/users/new", "/admin/users/{user_id}", "/admin/pairings",
                 "/admin/pairings/households/{household_id}", "/admin/employers", "/admin/suggestions",
                 "/admin/catalogue", "/admin/catalogue/{code}", "/admin/calendar", "/admin/reminders",
                 "/admin/reminders/new", "/admin/reminders/{code}", "/admin/imports", "/admin/imports/{upload_id}",
                 "/admin/imports/{upload_id}/report", "/admin/ratings", "/admin/ratings/{follow_up_id}"}


def test_admin_screens_admit_the_admin_alone() -> None:
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    admin_routes = [(m, r) for r in _walk(app.routes) if r.path.startswith("/admin") for m in r.methods - {"HEAD"}]
    app.state.parts.stop_workers()
    assert ADMIN_SCREENS <= {r.path for _, r in admin_routes}
    assert {("POST", "/admin/users/{user_id}/disable"), ("POST", "/admin/pairings/leaders"),
            ("POST", "/admin/employers/{employer_id}"), ("POST", "/admin/suggestions/{suggestion_id}/answer"),
            ("POST", "/admin/catalogue/{code}"), ("POST", "/admin/calendar"), ("POST", "/admin/reminders/new"),
            ("POST", "/admin/reminders/{code}"), ("POST", "/admin/reminders/{code}/switch"), ("POST", "/admin/imports"),
            ("POST", "/admin/imports/{upload_id}/import"), ("POST", "/admin/imports/{upload_id}/discard"),
            ("POST", "/admin/ratings/{follow_up_id}")} <= {
        (m, r.path) for m, r in admin_routes}
    for method, route in admin_routes:
        assert _policy(route, method) == ("roles", frozenset({Role.admin.value})), (method, route.path)


COMMUNITY_SCREENS = {("GET", "/counter"), ("POST", "/counter"), ("GET", "/counter/residents/{resident_id}"),
                     ("GET", "/counter/register"), ("POST", "/counter/register"),
                     ("GET", "/counter/residents/{resident_id}/profile"),
                     ("POST", "/counter/residents/{resident_id}/profile"),
                     ("POST", "/counter/residents/{resident_id}/insurance-periods")}
"""What community staff do at the counter's pages, as their API role does (labour.access.RECORD_KEEPERS): find,
register and keep residents' records, of their own community (tests/labour/test_community_staff.py)."""
COMMUNITY_SCREENS |= {("GET", "/counter/notices"), ("POST", "/counter/notices"), ("GET", "/counter/notices/{notice_id}"),
                      ("POST", "/counter/notices/{notice_id}"), ("POST", "/counter/notices/{notice_id}/withdraw"),
                      ("POST", "/counter/notices/{notice_id}/push")}
"""And the notices of their own community (issue 19 point 3; tests/notices/test_pages.py holds them to it)."""


def test_community_staff_keep_records_at_the_counter_and_do_nothing_else_there() -> None:
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    counter = {(m, r.path): r for r in _walk(app.routes) if r.path.startswith("/counter") for m in r.methods - {"HEAD"}}
    app.state.parts.stop_workers()
    assert COMMUNITY_SCREENS <= set(counter)
    for (method, path), route in counter.items():
        kind, allowed = _policy(route, method)
        expected = {Role.counter_staff.value, Role.admin.value} | (
            {Role.community_staff.value} if (method, path) in COMMUNITY_SCREENS else set())
        assert (kind, allowed) == ("roles", frozenset(expected)), (method, path)


HARDSHIP_ROUTES = {  # issue 15 points 6 and 9: cadres, leaders and admins; the per-community counts are the leaders'
    ("GET", "/ledger/hardship"): {Role.cadre, Role.leader, Role.admin},
    ("POST", "/ledger/households/{household_id}/reminders"): {Role.cadre, Role.leader, Role.admin},
    ("GET", "/api/v1/ledger/hardship"): {Role.cadre, Role.leader, Role.admin},
    ("POST", "/api/v1/ledger/households/{household_id}/reminders"): {Role.cadre, Role.leader, Role.admin},
    ("GET", "/api/v1/ledger/reminder-coverage"): {Role.leader, Role.admin},
}


def test_hardship_routes_admit_the_ledger_roles_alone() -> None:
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    found = {(m, r.path): r for r in _walk(app.routes) for m in r.methods - {"HEAD"}}
    app.state.parts.stop_workers()
    for (method, path), roles in HARDSHIP_ROUTES.items():
        assert _policy(found[(method, path)], method) == ("roles", frozenset(r.value for r in roles)), (method, path)


RATING_ROUTES = {  # issue 19 points 4 and 5: the figures are the leaders' and admins', the follow-up the admins'
    ("GET", "/ledger/ratings"): {Role.leader, Role.admin},
    ("GET", "/api/v1/ratings/monthly"): {Role.leader, Role.admin},
    ("GET", "/api/v1/suggestions/response-times"): {Role.leader, Role.admin},
    ("GET", "/api/v1/ratings/follow-ups"): {Role.admin},
    ("POST", "/api/v1/ratings/follow-ups/{follow_up_id}/steps"): {Role.admin},
    ("GET", "/counter/cases/{case_id}/rating"): {Role.counter_staff, Role.admin},
    ("POST", "/counter/cases/{case_id}/rating"): {Role.counter_staff, Role.admin},
    ("GET", "/counter/suggestions"): {Role.counter_staff, Role.admin},
    ("POST", "/counter/suggestions/{suggestion_id}/answer"): {Role.counter_staff, Role.admin},
}


def test_rating_routes_admit_their_roles_alone() -> None:
    from estation.app import create_app
    from estation.config import Settings

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    found = {(m, r.path): r for r in _walk(app.routes) for m in r.methods - {"HEAD"}}
    app.state.parts.stop_workers()
    for (method, path), roles in RATING_ROUTES.items():
        assert _policy(found[(method, path)], method) == ("roles", frozenset(r.value for r in roles)), (method, path)
