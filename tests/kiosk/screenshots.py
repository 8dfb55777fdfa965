"""Screenshots of the main kiosk screens into docs/screenshots/kiosk-*.png: `scripts/kiosk-screenshots`.

Runs the real app on a fresh SQLite database with the demo data (``fixtures.demo``) in a real headless
Chromium; with ``--quick`` it uses the small test world instead (seconds instead of minutes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from estation.accounts.idcard import IdCard
from estation.labour.models import InsurancePeriod, Resident
from estation.migrate import upgrade
from indexing.sync import rebuild
from tests.conftest import CHROMIUM_ARGS, LiveServer
from tests.kiosk.conftest import KioskHarness, build_world

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


def demo_harness(tmp: Path) -> tuple[KioskHarness, str, str | None]:
    """The app on the demo data, its search index built; returns the id number of a persona to sign in, and
    of the persona an employer's invitation waits for (张志强)."""
    from estation.composition import shared_encoder
    from estation.matching.vectors import listing_vectors
    from fixtures.demo import load_demo

    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    upgrade(url)
    harness = KioskHarness(url, tmp)
    with harness.db() as s:
        load_demo(s)
        s.commit()
    encoder = shared_encoder(harness.settings)  # listings carry their embeddings, as `estation index rebuild` makes them
    with harness.db() as s:
        rebuild(s, harness.app.state.parts.search.backend, vector_dims=encoder.dim, model_id=encoder.model_id,
                vectors=listing_vectors(encoder))
        s.commit()
        # The persona with the longest insurance history shows 我的社保 best.
        resident_id = s.scalar(
            select(Resident.id).join(InsurancePeriod, InsurancePeriod.resident_id == Resident.id)
            .where(Resident.pin_hash.is_not(None)).group_by(Resident.id)
            .order_by(func.count(func.distinct(InsurancePeriod.province)).desc(), func.count().desc()).limit(1)
        )
        id_number = s.get(Resident, resident_id).id_number
    from fixtures.personas import PERSONA_ID_NUMBERS

    return harness, id_number, PERSONA_ID_NUMBERS["张志强"]


def quick_harness(tmp: Path) -> tuple[KioskHarness, str, str | None]:
    url = f"sqlite:///{tmp / 'kiosk.sqlite3'}"
    upgrade(url)
    world = build_world(KioskHarness(url, tmp))
    return world.harness, world.pin_id_number, None


def capture(harness: KioskHarness, id_number: str, invited: str | None = None, out: Path = OUT) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    server = LiveServer(harness)
    written: list[Path] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(locale="zh-CN", viewport=PORTRAIT).new_page()
            base = server.url

            def shot(name: str, viewport: dict = PORTRAIT) -> None:
                page.set_viewport_size(viewport)
                path = out / f"kiosk-{name}.png"
                page.screenshot(path=str(path))
                written.append(path)

            page.goto(f"{base}/kiosk")
            shot("attract")
            page.goto(f"{base}/kiosk/home")
            shot("home-landscape", LANDSCAPE)
            page.goto(f"{base}/kiosk/jobs")
            shot("jobs")
            page.goto(f"{base}/kiosk/jobs/results?q=不用站着的")  # a resident's own words, understood as 坐着干
            shot("results")
            first = page.locator(".result-link").first
            if first.count():
                first.click()
                page.wait_for_load_state()
                shot("detail")
            page.goto(f"{base}/kiosk/guide/pension_transfer")
            shot("guide")
            harness.app.state.parts.card_reader.place("hall-1", IdCard(id_number=id_number))
            page.goto(f"{base}/kiosk/signin/card")
            page.get_by_role("button", name="我已放好").click()
            page.wait_for_url(f"{base}/kiosk/home")
            page.goto(f"{base}/kiosk/recommend", timeout=600_000)  # the first match loads the model
            shot("recommend")
            page.goto(f"{base}/kiosk/me/insurance")
            shot("insurance")
            page.goto(f"{base}/kiosk/me/profile")
            shot("profile")
            page.goto(f"{base}/kiosk/me/alerts")
            shot("alerts")
            page.goto(f"{base}/kiosk/startups")
            shot("startups")
            if invited is not None:  # the next person at the terminal: the one an invitation waits for
                page.context.clear_cookies()
                harness.app.state.parts.card_reader.place("hall-1", IdCard(id_number=invited))
                page.goto(f"{base}/kiosk/signin/card")
                page.get_by_role("button", name="我已放好").click()
                page.wait_for_url(f"{base}/kiosk/home")
                page.goto(f"{base}/kiosk/me/invitations")
                shot("invitations")
            browser.close()
    finally:
        server.stop()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the small test world instead of the demo data")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        harness, id_number, invited = (quick_harness if args.quick else demo_harness)(Path(tmp))
        for path in capture(harness, id_number, invited):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
