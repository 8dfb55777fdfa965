"""Masking that cannot be undone, tried as an attacker would on the whole demo population.

Every role signs in and fetches everything that shows a masked id number: the resident API page by page,
the ledger's household members, the counter's search results, resident view and case pages, the masked
export. For each masked id the attacker takes everything else in that same response (a birth date in any
format, an age, a birth month) and counts the id numbers still possible: the shown characters fixed, the
region code assumed known (the community gives it away), the sex known (the digit before last is odd for
men), the check digit computed over every candidate. The count must stay in the thousands.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from estation import clock
from estation.cases.models import Case
from estation.cases.types import pension_transfer
from estation.imports.exporter import export_xlsx
from estation.labour.models import Resident
from estation.labour.service import age_on
from estation.privacy import mask_id_number
from fixtures.accounts import DEMO_PASSWORD
from tests.conftest import ApiHarness
from tests.fixtures.conftest import make_demo_db

MIN_CANDIDATES = 1000
MASKED = re.compile(r"(?<![0-9A-Za-z*])[0-9X*]{18}(?![0-9A-Za-z*])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ROLES = {"admin": "admin", "counter_staff": "window1", "community_staff": "community1", "leader": "leader1",
         "cadre": "cadre1", "employer": "employer1"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("masking")
    demo = make_demo_db(tmp / "demo.sqlite3")
    harness = ApiHarness(demo.url, tmp)
    with harness.db() as s:
        residents = {r.id: (r.id_number, r.birth_date, r.sex) for r in s.scalars(select(Resident))}
    return harness, residents


def _client(harness: ApiHarness, username: str) -> TestClient:
    client = TestClient(harness.app)
    signed_in = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    client.get("/")  # the CSRF cookie for the pages' forms
    return client


@lru_cache(maxsize=None)
def _sequences(shown: str, sex: str) -> tuple[int, ...]:
    """How many sequence numbers (characters 15-17, the last one's parity the sex) give each remainder
    of their weighted sum mod 11, given the characters of them the mask shows."""
    counts = [0] * 11
    for seq in range(1000):
        digits = f"{seq:03d}"
        if (seq % 2 == 1) != (sex == "male"):
            continue
        if any(s != "*" and s != d for s, d in zip(shown, digits, strict=True)):
            continue
        counts[sum(int(d) * w for d, w in zip(digits, WEIGHTS[14:], strict=True)) % 11] += 1
    return tuple(counts)


def candidates(masked: str, *, region: str, births: list[date], sex: str, enough: int | None = None) -> int:
    """Id numbers consistent with ``masked`` and what the attacker knows (counting stops past ``enough``)."""
    if any(s != "*" and s != r for s, r in zip(masked[:6], region, strict=True)):
        return 0
    per_remainder = _sequences(masked[14:17], sex)
    total = 0
    for birth in births:
        body = f"{region}{birth:%Y%m%d}"
        if any(s != "*" and s != b for s, b in zip(masked[6:14], body[6:], strict=True)):
            continue
        partial = sum(int(d) * w for d, w in zip(body, WEIGHTS[:14], strict=True))
        for remainder, n in enumerate(per_remainder):
            if masked[17] == "*" or CHECK[(partial + remainder) % 11] == masked[17]:
                total += n
        if enough is not None and total > enough:
            break
    return total


def _birth_formats(birth: date) -> tuple[str, ...]:
    return (f"{birth:%Y-%m-%d}", f"{birth:%Y%m%d}", f"{birth:%Y/%m/%d}", f"{birth.year}/{birth.month}/{birth.day}",
            f"{birth.year}年{birth.month}月{birth.day}日", f"{birth:%Y年%m月%d日}")


def possible_births(evidence: str, birth: date, today: date) -> list[date]:
    """The birth dates the attacker cannot tell apart after reading ``evidence``."""
    if any(f in evidence for f in _birth_formats(birth)):
        return [birth]
    if any(f in evidence for f in (f"{birth:%Y-%m}", f"{birth.year}年{birth.month}月", f"{birth:%Y年%m月}")):
        first = birth.replace(day=1)
        return [first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == birth.month]
    age = age_on(birth, today)
    if re.search(rf'(?<!\d){age}岁|"age":\s*{age}\b', evidence):
        start = date(today.year - age - 1, 1, 1)
        return [d for d in (start + timedelta(days=i) for i in range(800)) if age_on(d, today) == age]
    return _any_birth(today)


@lru_cache(maxsize=2)
def _any_birth(today: date) -> list[date]:
    """Nothing given away: any day of the last hundred years (a week apart is plenty to count past 1000)."""
    return [date(today.year - 100, 1, 1) + timedelta(days=i) for i in range(0, 365 * 100, 7)]


class Attacker:
    def __init__(self, residents: dict[int, tuple[str, date, str]]) -> None:
        self.residents = residents
        self.today = clock.today()
        self.checked = 0

    def read(self, where: str, resident_id: int, evidence: str) -> None:
        """Try every masked id in ``evidence`` that could be this resident's."""
        number, birth, sex = self.residents[resident_id]
        shown = [m for m in MASKED.findall(evidence) if "*" in m]
        for masked in shown:
            if candidates(masked, region=number[:6], births=[birth], sex=sex) == 0:
                continue  # not this resident's
            n = candidates(masked, region=number[:6], births=possible_births(evidence, birth, self.today), sex=sex,
                           enough=MIN_CANDIDATES)
            self.checked += 1
            assert n > MIN_CANDIDATES, f"{where}: resident {resident_id}'s id number is one of only {n}"


def _api_pages(client: TestClient) -> Iterator[dict]:
    page = 1
    while True:
        body = client.get("/api/v1/residents", params={"page": page, "size": 200}).json()
        if "items" not in body:
            return
        yield from body["items"]
        if page * 200 >= body["total"]:
            return
        page += 1


def _ledger_members(client: TestClient) -> Iterator[tuple[int, str]]:
    """Members of up to 10 of the households the role holds (a cadre's all): every member goes through
    the same ``member_out``; the resident API above covers the whole population."""
    households = client.get("/api/v1/ledger/households")
    if households.status_code != 200:
        return
    held = households.json()
    for h in held[:: max(1, len(held) // 10)]:
        ledger = client.get(f"/api/v1/ledger/households/{h['id']}").json()
        page = client.get(f"/ledger/households/{h['id']}").text
        for member in ledger["members"]:
            yield member["id"], json.dumps(member, ensure_ascii=False)
            yield member["id"], page


def _counter_pages(client: TestClient, harness: ApiHarness, sample: list[int]) -> Iterator[tuple[str, int, str]]:
    with harness.db() as s:
        names = {r.id: r.name for r in s.scalars(select(Resident).where(Resident.id.in_(sample)))}
        cases = list(s.scalars(select(Case).order_by(Case.id).limit(6)))
    csrf = client.cookies.get("estation_csrf")
    for rid in sample:
        found = client.post("/counter", data={"csrf_token": csrf, "q": names[rid]})
        if found.status_code != 200:
            return  # not a counter role
        for row in re.findall(r"<tr>.*?</tr>", found.text, flags=re.S):
            link = re.search(r"/counter/residents/(\d+)", row)
            if link:
                yield "counter search", int(link.group(1)), found.text
        yield "counter resident", rid, client.get(f"/counter/residents/{rid}", params={"reason": "窗口办理业务"}).text
        yield "counter new case", rid, client.get("/counter/cases/new",
                                                  params={"resident_id": rid, "service_code": pension_transfer.TYPE.code}).text
    for case in cases:
        for tail in ("", "/slip", "/receipt"):
            yield f"counter case{tail}", case.resident_id, client.get(f"/counter/cases/{case.id}{tail}").text


def test_no_response_lets_any_role_rebuild_a_masked_id_number(world) -> None:
    harness, residents = world
    attacker = Attacker(residents)
    sample = sorted(residents)[:: max(1, len(residents) // 12)]
    seen_by: dict[str, int] = {}
    for role, username in ROLES.items():
        client = _client(harness, username)
        before = attacker.checked
        for item in _api_pages(client):
            attacker.read(f"{role}: GET /api/v1/residents", item["id"], json.dumps(item, ensure_ascii=False))
        for rid, evidence in _ledger_members(client):
            attacker.read(f"{role}: ledger household", rid, evidence)
        for where, rid, evidence in _counter_pages(client, harness, sample):
            attacker.read(f"{role}: {where}", rid, evidence)
        seen_by[role] = attacker.checked - before
    # the masked export (estation export residents / periods without --full)
    with harness.db() as s:
        by_mask_and_name = {(mask_id_number(r.id_number), r.name): r.id for r in s.scalars(select(Resident))}
        for kind in ("residents", "periods"):
            out = io.BytesIO()
            export_xlsx(s, kind=kind, out=out)
            rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows(values_only=True))
            assert rows[0][:2] == ("身份证号", "姓名")
            for row in rows[1:]:
                cells = " ".join(str(c) for c in row if c is not None)
                attacker.read(f"export {kind}", by_mask_and_name[(row[0], row[1])], cells)
    # every role that is shown masked ids was actually tried, over the whole population where it sees it
    assert seen_by["counter_staff"] >= len(residents) and seen_by["admin"] >= len(residents)
    assert seen_by["community_staff"] >= 400 and seen_by["cadre"] > 0 and seen_by["leader"] > 0
    assert seen_by["employer"] == 0


def test_the_attacker_rebuilds_the_old_mask_beside_a_birth_date() -> None:
    """The count is not vacuous: the mask this replaced (6 + 4) next to a birth date leaves one number,
    next to an age a few dozen; the new one next to an age leaves thousands."""
    number, birth, sex = "370102197603126029", date(1976, 3, 12), "female"
    old = number[:6] + "*" * 8 + number[-4:]
    today = date(2025, 6, 1)
    assert candidates(old, region="370102", births=possible_births(f"出生 {birth}", birth, today), sex=sex) == 1
    assert candidates(old, region="370102", births=possible_births('"age": 49', birth, today), sex=sex) < 100
    new = number[0] + "*" * 16 + number[-1]
    assert candidates(new, region="370102", births=possible_births('"age": 49', birth, today), sex=sex) > 10_000
