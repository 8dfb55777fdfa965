"""Employers see and change only their own vacancies and candidates: every employer route, API and web."""

from datetime import date, timedelta

import pytest

from estation.accounts.models import Role
from estation.jobs import service
from estation.jobs.models import Vacancy, VacancyStatus
from estation.notifications.models import Audience, Notification
from estation.physical import DOMAIN_NAMES
from tests.employer.conftest import csrf, make_company
from tests.factories import create_resident, create_user

SECRET_TITLE = "甲单位专属岗位"


@pytest.fixture(scope="module")
def world(api):
    with api.db() as s:
        a = make_company(s, title=SECRET_TITLE)
        b = make_company(s, title="乙单位岗位")
        resident = create_resident(s, name="吴建华", consent_to_employers=True)
        application = service.apply(s, resident=resident, vacancy=a.vacancy, by_user_id=None)
        note = s.query(Notification).filter(Notification.audience == Audience.employer,
                                            Notification.employer_id == a.employer.id).first()
        s.commit()
        return {"a": a, "b": b, "app": application.id, "note": note.id, "resident": resident.id,
                "A": a.employer.id, "vA": a.vacancy.id}


def _later() -> str:
    return (date.today() + timedelta(days=90)).isoformat()


API_ROUTES = [
    ("GET", "/api/v1/employers/{A}", None),
    ("GET", "/api/v1/employers/{A}/vacancies", None),
    ("GET", "/api/v1/employers/{A}/quota", None),
    ("PUT", "/api/v1/employers/{A}/staff", {"staff_count": 10}),
    ("POST", "/api/v1/vacancies", "new-vacancy"),
    ("PATCH", "/api/v1/vacancies/{vA}", {"title": "被改掉的标题"}),
    ("POST", "/api/v1/vacancies/{vA}/close", None),
    ("POST", "/api/v1/vacancies/{vA}/renew", "renew"),
    ("GET", "/api/v1/vacancies/{vA}/applicants", None),
    ("GET", "/api/v1/vacancies/{vA}/candidates", None),
    ("POST", "/api/v1/vacancies/{vA}/invitations", {"candidate_ref": "0123456789abcdef01234567"}),
    ("GET", "/api/v1/applications/{app}", None),
    ("POST", "/api/v1/applications/{app}/status", {"status": "contacted"}),
    ("POST", "/api/v1/notifications/{note}/read", None),
    ("GET", "/api/v1/employers", None),
]


def _body(kind, world):
    if kind == "new-vacancy":
        return dict(employer_id=world["A"], title="冒名发布", address="甸柳", community_code="370102009001",
                    wage_min=3000, wage_max=3500, hours_per_day=8, employment_type="full_time", valid_until=_later(),
                    demands=dict.fromkeys(DOMAIN_NAMES, 1))
    if kind == "renew":
        return {"valid_until": _later()}
    return kind


@pytest.mark.parametrize(("method", "path", "body"), API_ROUTES, ids=[f"{m} {p}" for m, p, _ in API_ROUTES])
def test_api_routes_refuse_another_employer(api, world, method, path, body) -> None:
    other = api.client_for(world["b"].user)
    r = other.request(method, path.format(**world), json=_body(body, world))
    assert r.status_code == 403, (path, r.status_code, r.text)
    assert SECRET_TITLE not in r.text and "吴建华" not in r.text


@pytest.mark.parametrize("path", ["/api/v1/employers/{A}", "/api/v1/employers/{A}/vacancies",
                                  "/api/v1/employers/{A}/quota", "/api/v1/vacancies/{vA}/applicants",
                                  "/api/v1/applications/{app}"])
def test_the_owner_gets_the_same_routes(api, world, path) -> None:
    assert api.client_for(world["a"].user).get(path.format(**world)).status_code == 200


WEB_ROUTES = [
    ("GET", "/employer/vacancies/{vA}", None),
    ("GET", "/employer/vacancies/{vA}/edit", None),
    ("POST", "/employer/vacancies/{vA}/edit", {"title": "被改掉的标题"}),
    ("POST", "/employer/vacancies/{vA}/close", {}),
    ("POST", "/employer/vacancies/{vA}/renew", "renew"),
    ("GET", "/employer/vacancies/{vA}/candidates", None),
    ("POST", "/employer/vacancies/{vA}/invite", {"candidate_ref": "0123456789abcdef01234567"}),
    ("POST", "/employer/applications/{app}/status", {"status": "contacted"}),
    ("POST", "/employer/notifications/{note}/read", {}),
    ("GET", "/employer/review", None),
    ("POST", "/employer/review/{A}", {"decision": "refuse", "reason": "冒充工作人员"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WEB_ROUTES, ids=[f"{m} {p}" for m, p, _ in WEB_ROUTES])
def test_web_routes_refuse_another_employer(api, world, method, path, body) -> None:
    other = api.client_for(world["b"].user)
    data = None
    if method == "POST":
        data = dict(_body(body, world) or {})
        data["csrf_token"] = csrf(other, "/employer")
    r = other.request(method, path.format(**world), data=data, follow_redirects=False)
    assert r.status_code == 403, (path, r.status_code, r.text[:300])
    assert SECRET_TITLE not in r.text and "吴建华" not in r.text


def test_nothing_of_a_changed_after_the_attempts(api, world) -> None:
    with api.db() as s:
        v = s.get(Vacancy, world["vA"])
        assert v.title == SECRET_TITLE and v.status == VacancyStatus.open
        assert s.get(Notification, world["note"]).read_at is None
        assert s.query(Vacancy).filter(Vacancy.title == "冒名发布").count() == 0


def test_own_pages_list_only_own_data(api, world) -> None:
    other = api.client_for(world["b"].user)
    for path in ("/employer", "/employer/quota", "/employer/notifications"):
        r = other.get(path)
        assert r.status_code == 200 and SECRET_TITLE not in r.text and "乙单位岗位" in other.get("/employer").text
    mine = api.client_for(world["a"].user).get(f"/employer/vacancies/{world['vA']}/candidates")
    assert mine.status_code == 200 and "吴建华" in mine.text


def test_other_roles_cannot_use_employer_pages(api, world) -> None:
    with api.db() as s:
        resident_user = create_user(s, role=Role.resident, resident_id=world["resident"])
        s.commit()
    client = api.client_for(resident_user)
    for path in ("/employer", "/employer/quota", f"/employer/vacancies/{world['vA']}"):
        assert client.get(path, follow_redirects=False).status_code == 403
    assert client.get(f"/api/v1/vacancies/{world['vA']}/applicants").status_code == 403
    assert api.anonymous.get("/employer/quota", follow_redirects=False).status_code == 303
    assert api.anonymous.get(f"/api/v1/vacancies/{world['vA']}/candidates").status_code == 401
