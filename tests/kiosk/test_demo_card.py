"""The simulated ID-card reader's slot exists only with ESTATION_DEMO=true (issue 13, point 2).

Placing a card there signs in whoever's id number it carries, without a PIN: on an instance without
the flag the routes answer 404 and no page links to them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from estation.config import Settings
from tests.kiosk.conftest import KioskHarness, KioskWorld, csrf_of


@pytest.fixture(scope="module")
def demo_app(world: KioskWorld) -> Iterator[KioskHarness]:
    """A second app on the world's database, with the demo flag set as `make run` sets it."""
    harness = KioskHarness(world.harness.settings.database_url, world.harness.settings.var_dir, demo=True)
    yield harness
    harness.app.state.parts.stop_workers()


def test_without_the_flag_the_demo_card_routes_do_not_exist(world: KioskWorld) -> None:
    assert world.harness.settings.demo is False  # the default: tests, production and plain `estation serve`
    client = world.client()
    page = client.get("/kiosk/demo/card")
    assert page.status_code == 404 and "没有这个页面" in page.text  # a page in Chinese, like any error
    signin = client.get("/kiosk/signin/card")
    placed = client.post("/kiosk/demo/card", data={"csrf_token": csrf_of(signin.text), "id_number": world.pin_id_number})
    assert placed.status_code == 404
    assert not world.app.state.parts.card_reader.holds_card("hall-1")
    # no card was placed, so the card sign-in reads nothing and signs no one in
    response = client.post("/kiosk/signin/card", data={"csrf_token": csrf_of(client.get("/kiosk/signin/card").text)})
    assert response.status_code == 422 and "estation_session" not in response.cookies


def test_without_the_flag_no_kiosk_page_links_to_the_demo_card(world: KioskWorld) -> None:
    client = world.client()
    for url in ("/kiosk", "/kiosk/home", "/kiosk/signin", "/kiosk/signin/card", "/kiosk/signin/pin"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/kiosk/demo" not in response.text and "模拟读卡器" not in response.text, url


def test_with_the_flag_the_demo_page_places_a_persona_card(world: KioskWorld, demo_app: KioskHarness) -> None:
    client = TestClient(demo_app.app, follow_redirects=False)
    assert 'href="/kiosk/demo/card"' in client.get("/kiosk/signin/card").text
    page = client.get("/kiosk/demo/card")
    assert page.status_code == 200
    assert "王**" in page.text  # residents with a PIN are the demo cards, masked
    refused = client.post("/kiosk/demo/card", data={"resident_id": world.pin_resident_id})
    assert refused.status_code == 403  # a form like any other: the CSRF token is required
    response = client.post("/kiosk/demo/card", data={"csrf_token": csrf_of(page.text), "resident_id": world.pin_resident_id})
    assert response.status_code == 303
    signed = client.post("/kiosk/signin/card", data={"csrf_token": csrf_of(client.get("/kiosk/signin/card").text)})
    assert signed.status_code == 303


def test_production_refuses_the_demo_flag() -> None:
    keys = {"data_key": "d" * 40}
    assert Settings(environment="production", **keys).demo is False
    with pytest.raises(ValidationError, match="ESTATION_DEMO"):
        Settings(environment="production", demo=True, **keys)
