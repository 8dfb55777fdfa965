"""The world of the kiosk loop's tests (issue 15 points 2 and 3): a resident invited to four jobs, one of
which has stopped hiring since, and a start-up opportunity; helpers to post the pages' forms and to read
a page's words as the resident does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role, User
from estation.jobs import invitations
from estation.jobs.models import StartupKind, StartupOpportunity, Vacancy, VacancyStatus
from estation.labour.models import Resident
from tests.factories import create_user, create_vacancy
from tests.kiosk.conftest import PIN, KioskWorld, csrf_of


RAW = ("None", "pending", "accepted", "declined", "startup", "shop_space", "applicant", "vacancy ")
"""Words a resident must never read on these pages: raw codes, English, Python's None."""


@dataclass
class Loop:
    world: KioskWorld
    employer_user: User
    invitation: dict[str, int]
    shop_id: int


def seed_loop(world: KioskWorld) -> Loop:
    """王秀英 (PIN) is invited to four jobs by one employer (one of them closes since); a shop space is open."""
    with world.harness.db() as s:
        guard = s.get(Vacancy, world.guard_id)
        employer_user = create_user(s, role=Role.employer, employer_id=guard.employer_id)
        shelves = create_vacancy(s, employer=guard.employer, title="超市理货员")
        resident = s.get(Resident, world.pin_resident_id)
        resident.consent_to_employers = True
        ids = {}
        for key, vid in (("guard", world.guard_id), ("typist", world.typist_id), ("home", world.homework_id),
                         ("closed", shelves.id)):
            inv = invitations.invite(s, vacancy=s.get(Vacancy, vid), resident=resident, by_user_id=employer_user.id,
                                     message="您好，欢迎来看看" if key == "guard" else "")
            ids[key] = inv.id
        shelves.status = VacancyStatus.closed
        resident.consent_to_employers = False
        set_pin(s, resident=s.get(Resident, world.card_resident_id), pin=PIN)
        shop = StartupOpportunity(kind=StartupKind.shop_space, title="社区食堂面食档口", provider="甸柳街道为民服务中心",
                                  address="甸柳新村", lat=36.66, lon=117.05, conditions="本街道户籍或常住居民，持健康证",
                                  amount_yuan=1200, valid_until=date.today() + timedelta(days=60))
        s.add(shop)
        s.flush()
        loop = Loop(world=world, employer_user=employer_user, invitation=ids, shop_id=shop.id)
        s.commit()
    return loop


def form_of(client: TestClient, url: str, action: str) -> dict:
    """The CSRF and one-time tokens of the form posting to ``action`` on ``url``."""
    html = client.get(url).text
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action} on {url}"
    token = re.search(r'name="submission_token" value="([^"]+)"', form.group(0))
    return {"csrf_token": csrf_of(html), **({"submission_token": token.group(1)} if token else {})}


def plain(html: str) -> str:
    """The words of the page's main part, as the resident reads them."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", main, flags=re.S)
    for word in RAW:
        assert word not in text, f"{word!r} on the page: {' '.join(text.split())[:400]}"
    return " ".join(text.split())
