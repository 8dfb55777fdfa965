"""A server whose kiosk "shequ3-1" stands in 甸柳新村第三社区, with alerts in log mode (the recording SMS and
WeChat fakes), no quiet hours and a public address for the phone pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from estation.migrate import upgrade
from tests.conftest import LiveServer
from tests.factories import seed_places
from tests.kiosk.conftest import KioskHarness

FIRST, THIRD = "370102009002", "370102009001"  # 甸柳新村第一社区, 甸柳新村第三社区
PUBLIC = "https://jiuye.example.cn"
SETTINGS = {"kiosk_places": {"shequ3-1": THIRD}, "external_notifications": "log", "alert_quiet_hours": "",
            "public_url": PUBLIC, "wechat_notice_template": "TPL-NOTICE", "wechat_alert_template": "TPL-ALERT"}


def notices_harness(tmp: Path) -> KioskHarness:
    url = f"sqlite:///{tmp / 'notices.sqlite3'}"
    upgrade(url)
    harness = KioskHarness(url, tmp, **SETTINGS)
    with harness.db() as s:
        seed_places(s)
        s.commit()
    return harness


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> KioskHarness:
    return notices_harness(tmp_path_factory.mktemp("notices"))


@pytest.fixture(scope="module")
def server(harness: KioskHarness) -> Iterator[LiveServer]:
    live = LiveServer(harness)
    yield live
    live.stop()
