"""An explicit null in a PATCH is never a server error: a field that must be kept answers 422 naming it,
any other is cleared and the record still reads back.

The cases come from the app's own OpenAPI schema, every field of every PATCH body, so a new PATCH route
is covered as soon as it exists (its path parameter needs a row below, or the test says which is missing).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from estation.accounts.models import Role
from estation.app import create_app
from estation.config import Settings
from estation.migrate import upgrade
from tests.factories import create_employer, create_resident, create_user, create_vacancy


def _spec() -> dict:
    """The OpenAPI schema of an app built only to read it (when the module is collected)."""
    tmp = Path(tempfile.mkdtemp(prefix="estation-patch-"))
    url = f"sqlite:///{tmp / 'spec.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(environment="test", database_url=url, var_dir=tmp))
    app.state.parts.stop_workers()
    return app.openapi()


_SPEC = _spec()


def _cases() -> list[tuple[str, str]]:
    cases = []
    for path, item in _SPEC["paths"].items():
        if "patch" not in item:
            continue
        ref = item["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = _SPEC["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        cases += [(path, field) for field in schema["properties"]]
    return cases


CASES = _cases()


def test_the_schema_has_patch_routes_to_check() -> None:
    paths = {p for p, _ in CASES}
    assert {"/api/v1/residents/{resident_id}", "/api/v1/households/{household_id}",
            "/api/v1/vacancies/{vacancy_id}"} <= paths, paths
    assert len(CASES) >= 40


@pytest.fixture(scope="module")
def admin(api):
    with api.db() as s:
        user = create_user(s, role=Role.admin)
        s.commit()
    token = api.client_for(user).cookies.get("estation_session")
    client = TestClient(api.app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _rows(api) -> dict[str, int]:
    """A fresh row for every path parameter a PATCH route takes."""
    with api.db() as s:
        resident = create_resident(s)
        vacancy = create_vacancy(s, employer=create_employer(s))
        s.commit()
        return {"resident_id": resident.id, "household_id": resident.household_id, "vacancy_id": vacancy.id}


@pytest.mark.parametrize(("path", "field"), CASES, ids=[f"{p}:{f}" for p, f in CASES])
def test_null_is_refused_naming_the_field_or_cleared(api, admin, path: str, field: str) -> None:
    rows = _rows(api)
    missing = set(re.findall(r"{(\w+)}", path)) - rows.keys()
    assert not missing, f"add a row for {missing} to _rows() so {path} is checked"
    url = path.format(**rows)

    response = admin.patch(url, json={field: None}, params={"reason": "核对档案"})

    assert response.status_code in (200, 422), f"{field}: null -> {response.status_code} {response.text[:300]}"
    if response.status_code == 422:
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", field], error
        assert re.search(r"[\u4e00-\u9fff]", error["msg"]), error
    after = admin.get(url)
    assert after.status_code == 200, f"{field}: the record no longer reads back: {after.text[:300]}"


def test_the_reported_field_answers_422_and_changes_nothing(api, admin) -> None:
    rows = _rows(api)
    response = admin.patch(f"/api/v1/residents/{rows['resident_id']}", json={"name": None, "skills": "会做饭"},
                           params={"reason": "核对档案"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert response.json()["detail"][0]["msg"] == "该项必须填写，不能清空"
    after = admin.get(f"/api/v1/residents/{rows['resident_id']}").json()
    assert after["name"] == "王秀英" and after["skills"] == ""
