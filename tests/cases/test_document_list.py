"""一次告知: the kiosk guide, its printed 一次性告知单 and the counter's checklist (and the slip it prints) tell
one list, for every service and several residents' situations. Read from the rendered pages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from estation.cases.catalogue import load_catalogue
from estation.cases.registry import REGISTRY
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import create_resident, create_user, new_id_number

PIN = "246810"


@dataclass(frozen=True)
class Listed:
    """A list as a page shows it: the documents everyone in this situation brings, and those with a condition."""

    definite: list[str]
    conditional: list[tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return self.definite + [name for _, name in self.conditional]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def kiosk_list(page: str) -> Listed:
    """The guide or its printout (both render kiosk/_documents.html)."""
    definite = re.search(r'<ol class="checklist">(.*?)</ol>', page, re.S).group(1)
    conditional = re.search(r'<ul class="checklist conditional">(.*?)</ul>', page, re.S)
    pairs = re.findall(r'<li><strong class="when">(.*?)：</strong>(.*?)</li>', conditional.group(1)) if conditional else []
    return Listed([_text(li) for li in re.findall(r"<li>(.*?)</li>", definite, re.S)],
                  [(_text(c), _text(n)) for c, n in pairs])


def counter_list(page: str) -> Listed:
    found = re.findall(r'name="handed_in" value="([^"]*)">[^<]*(?:<span class="muted">（(.*?)）</span>)?', page)
    return Listed([html.unescape(v) for v, c in found if not c], [(c, html.unescape(v)) for v, c in found if c])


def slip_list(page: str) -> list[str]:
    return [_text(li) for li in re.findall(r"<li>(.*?)</li>", page.split('class="slip-list"')[1].split("</ol>")[0])]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _pension(province: str, start: date, end: date, *, temporary: bool = False) -> InsurancePeriod:
    return InsurancePeriod(scheme=Scheme.pension, province=province, start_month=start, end_month=end,
                           monthly_wage_base=Decimal(5000), payer=Payer.employer, temporary_account=temporary)


SITUATIONS = {
    # back to the hukou province after years in Guangdong
    "home": dict(hukou="37", birth=date(1980, 5, 1), sex="male", periods=[("44", 2008, 2018, False)]),
    # hukou in Henan, 50 or older, a temporary account in Jiangsu: an approved transfer decides the list
    "older": dict(hukou="41", birth=date(1966, 2, 2), sex="male",
                  periods=[("41", 2000, 2010, False), ("32", 2011, 2019, True)]),
    # hukou in Henan, under 40: the relationship moves
    "young": dict(hukou="41", birth=date(1995, 7, 7), sex="female", periods=[("41", 2015, 2020, False)]),
    # nothing on file
    "no history": dict(hukou="37", birth=date(1990, 3, 3), sex="female", periods=[]),
}


@pytest.fixture(scope="module")
def hall(api):
    """The catalogue, a clerk and one signed-in kiosk per situation (and one anonymous kiosk)."""
    with api.db() as s:
        load_catalogue(s)
        clerk = create_user(s, role=Role.counter_staff, window=6)
        residents = {}
        for key, f in SITUATIONS.items():
            person = create_resident(s, id_number=new_id_number(birth=f["birth"], sex=f["sex"]), hukou_province=f["hukou"])
            for province, first, last, temporary in f["periods"]:
                person.insurance_periods.append(_pension(province, date(first, 1, 1), date(last, 12, 1), temporary=temporary))
            set_pin(s, resident=person, pin=PIN)
            residents[key] = (person.id, person.id_number)
        s.commit()
    kiosks = {}
    for key, (_, number) in residents.items():
        kiosk = TestClient(api.app)
        page = kiosk.get("/kiosk/signin/pin").text
        assert kiosk.post("/kiosk/signin/pin", data={"csrf_token": _csrf(page), "id_number": number, "pin": PIN},
                          follow_redirects=False).status_code == 303
        kiosks[key] = kiosk
    return {"counter": api.client_for(clerk), "kiosks": kiosks, "anonymous": TestClient(api.app),
            "residents": {k: v[0] for k, v in residents.items()}}


def guide_and_printout(kiosk: TestClient, code: str) -> tuple[Listed, Listed, str]:
    guide = kiosk.get(f"/kiosk/guide/{code}").text
    printed = kiosk.post(f"/kiosk/guide/{code}/print", data={"csrf_token": _csrf(guide)}, follow_redirects=True)
    assert printed.status_code == 200 and "一次性告知单" in printed.text
    return kiosk_list(guide), kiosk_list(printed.text), guide + printed.text


def counter_checklists(counter: TestClient, resident_id: int, code: str) -> list[tuple[Listed, str]]:
    """The counter's checklist for each way of answering the intake form (yes/no questions both ways), with
    the 一次性告知单 printed when nothing was handed in."""
    case_type = REGISTRY.get(code)
    form = counter.get("/counter/cases/new", params={"resident_id": resident_id, "service_code": code}).text
    ticks = [f.name for f in case_type.intake if f.kind == "yes_no"]
    variants = [{}, {name: "true" for name in ticks}] if ticks else [{}]
    out = []
    for answers in variants:
        data = {"csrf_token": _csrf(form), "resident_id": resident_id, "service_code": code, **answers}
        page = counter.post("/counter/cases/assess", data=data).text if case_type.intake else form
        opened = counter.post("/counter/cases", data=data, follow_redirects=False)
        assert opened.status_code == 303, opened.text
        slip = counter.get(opened.headers["location"] + "/slip").text
        out.append((counter_list(page), slip_list(slip)))
    return out


def _in_order(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(x in it for x in part)


@pytest.mark.parametrize("code", [t.code for t in REGISTRY])
def test_one_list_on_every_surface(hall, code) -> None:
    anonymous, anonymous_print, words = guide_and_printout(hall["anonymous"], code)
    assert anonymous == anonymous_print
    assert all(condition.startswith("如") for condition, _ in anonymous.conditional)
    for key, kiosk in hall["kiosks"].items():
        mine, mine_printed, shown = guide_and_printout(kiosk, code)
        words += shown
        assert mine == mine_printed, key
        assert "这是按您登记的情况列出的材料" in shown
        # The resident's list is the anonymous one narrowed: nothing appears that the anonymous guide lacks.
        assert _in_order(anonymous.definite, mine.definite) and set(mine.names) <= set(anonymous.names), key
        told: set[str] = set()
        for checklist, slip in counter_checklists(hall["counter"], hall["residents"][key], code):
            assert not checklist.conditional, key  # the counter has every answer
            assert slip == checklist.definite, key
            assert _in_order(mine.definite, checklist.definite) and set(checklist.definite) <= set(mine.names), key
            if not mine.conditional:  # the kiosk knew everything: the very same list
                assert checklist.definite == mine.definite, key
            told |= set(checklist.definite)
        # Each document the kiosk left open is asked for at the counter for some answer, and only those.
        assert told == set(mine.names), key
    assert "None" not in words and code not in re.sub(r'(href|action)="[^"]*"', "", words)


def test_the_pension_lists_differ_by_situation_as_the_rules_say(hall) -> None:
    """The case of issue 16: what the kiosk told a resident is exactly what the counter asks for."""
    code = "pension_transfer"
    home, _, _ = guide_and_printout(hall["kiosks"]["home"], code)
    assert "户口簿（证明户籍在转入省）" in home.definite and not home.conditional
    assert not any("临时" in d for d in home.definite)
    older, _, _ = guide_and_printout(hall["kiosks"]["older"], code)
    assert "临时基本养老保险缴费账户的缴费凭证" in older.definite
    assert ("如经县级以上组织部门或人社部门批准调动", "与调入单位签订的劳动合同") in older.conditional
    anonymous, _, _ = guide_and_printout(hall["anonymous"], code)
    assert ("如有外省临时缴费账户", "临时基本养老保险缴费账户的缴费凭证") in anonymous.conditional
