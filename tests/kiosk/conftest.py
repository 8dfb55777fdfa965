"""A kiosk world: the API harness app with jobs, residents with PINs, insurance, a case and the catalogue.

The search index is built from the database with the real embedded backend, so the kiosk's 找工作
goes through the same search service as in the hall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from estation.accounts.kiosk import set_pin
from estation.cases import service as cases
from estation.cases.catalogue import load_catalogue
from estation.cases.types import pension_transfer
from estation.config import Settings
from estation.jobs.models import EmploymentType
from estation.labour.models import InsurancePeriod, Payer, Scheme
from estation.matching.encoder import model_id_for, vector_dims_for
from estation.migrate import upgrade
from indexing.sync import rebuild
from tests.conftest import ApiHarness
from tests.factories import create_employer, create_resident, create_vacancy, seed_places

PIN = "246810"


@dataclass
class KioskWorld:
    harness: ApiHarness
    pin_resident_id: int
    pin_id_number: str
    card_resident_id: int
    card_id_number: str
    nopin_id_number: str
    guard_id: int
    typist_id: int
    homework_id: int
    case_reference: str
    case_code: str

    @property
    def app(self):
        return self.harness.app

    def client(self) -> TestClient:
        return TestClient(self.harness.app, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def build_world(harness: ApiHarness) -> KioskWorld:
    with harness.db() as s:
        seed_places(s)
        load_catalogue(s)
        employer = create_employer(s)
        guard = create_vacancy(s, employer=employer, title="小区保安", demands={"standing_walking": 3, "lifting_carrying": 1})
        typist = create_vacancy(
            s, employer=employer, title="社区数据录入员", occupation_code=None, hours_per_day=4,
            employment_type=EmploymentType.part_time, wage_min=1500, wage_max=1800,
            demands={"standing_walking": 0, "fine_hand": 2, "seeing": 3}, adjustments=["seated_work"],
        )
        homework = create_vacancy(
            s, employer=employer, title="居家手工编织", occupation_code=None, home_based=True, hours_per_day=3,
            employment_type=EmploymentType.part_time, wage_min=1200, wage_max=2000, lat=36.70, lon=117.10,
            demands={"fine_hand": 3},
        )
        pin_resident = create_resident(s, name="王秀英")
        set_pin(s, resident=pin_resident, pin=PIN)
        card_resident = create_resident(s, name="李建国")
        nopin = create_resident(s, name="赵桂兰")
        s.add_all([
            InsurancePeriod(resident_id=pin_resident.id, scheme=Scheme.pension, province="44",
                            start_month=date(2010, 3, 1), end_month=date(2015, 12, 1),
                            monthly_wage_base=Decimal("4000"), payer=Payer.employer, employer_name="广州某厂"),
            InsurancePeriod(resident_id=pin_resident.id, scheme=Scheme.pension, province="37",
                            start_month=date(2016, 1, 1), end_month=date(2020, 6, 1),
                            monthly_wage_base=Decimal("4500"), payer=Payer.individual),
        ])
        s.flush()
        case = cases.open_case(s, resident=pin_resident, service_code=pension_transfer.TYPE.code, handed_in=[], user=None,
                               window=3, today=date.today())
        world = KioskWorld(
            harness=harness, pin_resident_id=pin_resident.id, pin_id_number=pin_resident.id_number,
            card_resident_id=card_resident.id, card_id_number=card_resident.id_number,
            nopin_id_number=nopin.id_number, guard_id=guard.id, typist_id=typist.id, homework_id=homework.id,
            case_reference=case.reference, case_code=case.query_code,
        )
        s.commit()
    # The index the app's search service reads (the composition root made it), filled as `estation index rebuild` does.
    with harness.db() as s:
        rebuild(s, harness.app.state.parts.search.backend, vector_dims=vector_dims_for(harness.settings), model_id=model_id_for(harness.settings))
        s.commit()
    return world


class KioskHarness(ApiHarness):
    """ApiHarness with chosen settings (e.g. a short inactivity timeout)."""

    def __init__(self, url: str, tmp: Path, **settings) -> None:
        from estation.app import create_app

        self.settings = Settings(database_url=url, environment="test", var_dir=tmp, **settings)
        self.app = create_app(self.settings)
        self.factory = self.app.state.parts.session_factory
        self.anonymous = TestClient(self.app)


def make_world(tmp_path_factory: pytest.TempPathFactory, **settings) -> KioskWorld:
    tmp = tmp_path_factory.mktemp("kiosk")
    url = f"sqlite:///{tmp / 'kiosk.sqlite3'}"
    upgrade(url)
    return build_world(KioskHarness(url, tmp, **settings))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> KioskWorld:
    return make_world(tmp_path_factory)


def sign_in(client: TestClient, id_number: str, pin: str = PIN) -> None:
    page = client.get("/kiosk/signin/pin")
    response = client.post("/kiosk/signin/pin", data={"csrf_token": csrf_of(page.text), "id_number": id_number, "pin": pin})
    assert response.status_code == 303, response.text


def pin_sign_in(page, base: str, id_number: str, pin: str = PIN) -> None:
    """A resident signs in at the kiosk in the browser, by id number and PIN, and lands on 首页."""
    page.goto(f"{base}/kiosk/signin/pin")
    page.fill("#id_number", id_number)
    page.fill("#pin", pin)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/kiosk/home")


@pytest.fixture(scope="module")
def live_kiosk(world):
    from tests.conftest import LiveServer

    server = LiveServer(world.harness)
    yield server
    server.stop()
