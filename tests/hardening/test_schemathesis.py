"""Hostile input over the whole OpenAPI schema: no 500 and no response that breaks the schema.

Schemathesis generates requests for every operation, signed in as the admin (who may call every route),
against a real migrated SQLite database holding a little data. The schema is loaded when the module is
collected, so the app is built here rather than in a fixture.
"""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from estation.accounts.models import Role
from estation.migrate import upgrade
from tests.conftest import ApiHarness
from tests.factories import create_employer, create_resident, create_user, create_vacancy, seed_places

_tmp = Path(tempfile.mkdtemp(prefix="estation-fuzz-"))
_url = f"sqlite:///{_tmp / 'fuzz.sqlite3'}"
upgrade(_url)
harness = ApiHarness(_url, _tmp)
with harness.db() as _s:
    seed_places(_s)
    _admin = create_user(_s, role=Role.admin)
    create_resident(_s)
    create_vacancy(_s, employer=create_employer(_s))
    _s.commit()
# Load the real model before fuzzing, as the server does at start-up, so no request waits for it.
harness.app.state.parts.matching.matcher()
HEADERS = {"Authorization": f"Bearer {harness.client_for(_admin).cookies.get('estation_session')}"}

schema = schemathesis.openapi.from_asgi("/openapi.json", harness.app)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_schema_violation(case) -> None:
    case.call_and_validate(
        headers=HEADERS,
        checks=(not_a_server_error, response_schema_conformance, content_type_conformance),
    )
