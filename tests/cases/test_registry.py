"""Case types carry their own behaviour: a new one is its module plus its tests, and every surface offers it.

The new type here is declared in this file and registered for the test only; no other file of the app
names it, and the counter, the kiosk guide, its printout and the checklist all offer it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from estation import clock
from estation.accounts.models import Role
from estation.cases.casetype import ID_CARD, CaseType, Condition, IntakeField, Situation
from estation.cases.catalogue import load_catalogue
from estation.cases.models import ServiceType
from estation.cases.pension import Period
from estation.cases.registry import REGISTRY, document_list
from estation.cases.types import pension_transfer
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import create_resident, create_user

PROXY = Condition("如委托他人代办", lambda s: s.answers.get("by_proxy"))
ARCHIVE_PROOF = CaseType(
    code="archive_proof",
    name="存档证明开具",
    summary="为在街道存放人事档案的人员开具存档证明。",
    documents=(ID_CARD, "《存档证明申请表》"),
    conditional_documents=(("代办人身份证和授权委托书", PROXY),),
    conditions=("人事档案存放在本街道",),
    steps=("窗口受理并核对档案", "当场开具证明"),
    time_limit_working_days=2,
    intake=(IntakeField("by_proxy", "委托他人代办", "yes_no"),),
)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def registered(api) -> Iterator[CaseType]:
    REGISTRY.add(ARCHIVE_PROOF)
    try:
        with api.db() as s:
            load_catalogue(s)
            s.commit()
        yield ARCHIVE_PROOF
    finally:
        REGISTRY.remove(ARCHIVE_PROOF.code)


def test_a_type_registers_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        REGISTRY.add(pension_transfer.TYPE)


def test_a_new_case_type_is_offered_everywhere(api, registered) -> None:
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=4)
        resident = create_resident(s, name="孙桂芝")
        s.commit()
        resident_id = resident.id
    code = registered.code

    # The kiosk guide lists it and tells its conditional document with the condition.
    kiosk = TestClient(api.app)
    assert f'href="/kiosk/guide/{code}"' in kiosk.get("/kiosk/guide").text
    guide = kiosk.get(f"/kiosk/guide/{code}").text
    assert "存档证明开具" in guide and "《存档证明申请表》" in guide
    assert "如委托他人代办：</strong>代办人身份证和授权委托书" in guide
    printed = kiosk.post(f"/kiosk/guide/{code}/print", data={"csrf_token": _csrf(guide)}, follow_redirects=True).text
    assert "一次性告知单：存档证明开具" in printed and "代办人身份证和授权委托书" in printed

    # The counter offers it for the resident, asks its intake question, and its checklist follows the answer.
    counter = api.client_for(clerk)
    offered = counter.get(f"/counter/residents/{resident_id}", params={"reason": "窗口办理业务"}).text
    assert f"service_code={code}" in offered and "存档证明开具" in offered
    form = counter.get("/counter/cases/new", params={"resident_id": resident_id, "service_code": code}).text
    assert 'name="by_proxy"' in form
    base = {"csrf_token": _csrf(form), "resident_id": resident_id, "service_code": code}
    alone = counter.post("/counter/cases/assess", data=base).text
    assert "《存档证明申请表》" in alone and "授权委托书" not in alone
    by_proxy = counter.post("/counter/cases/assess", data=base | {"by_proxy": "true"}).text
    assert 'value="代办人身份证和授权委托书"' in by_proxy
    opened = counter.post("/counter/cases", data=base | {"by_proxy": "true", "handed_in": ID_CARD},
                          follow_redirects=False)
    assert opened.status_code == 303, opened.text
    slip = counter.get(opened.headers["location"] + "/slip").text
    listed = [html.unescape(x) for x in re.findall(r"<li>([^<]+)</li>", slip.split('class="slip-list"')[1])]
    assert listed == ["《存档证明申请表》", "代办人身份证和授权委托书"]


def test_an_unregistered_service_is_not_offered(api) -> None:
    """A catalogue row whose type is gone (its module removed) is offered nowhere."""
    with api.db() as s:
        s.merge(ServiceType(code="gone", name="已取消的事项", documents=[ID_CARD], conditions=[], steps=[],
                            time_limit_working_days=1))
        s.commit()
    kiosk = TestClient(api.app)
    assert "已取消的事项" not in kiosk.get("/kiosk/guide").text
    assert kiosk.get("/kiosk/guide/gone").status_code == 404


# --- the pension transfer's list, by situation -------------------------------------------------

TODAY = date(2026, 11, 2)


def _names(service: ServiceType, s: Situation) -> tuple[list[str], list[str]]:
    items = document_list(service, s)
    return [i.name for i in items if i.condition is None], [i.name for i in items if i.condition]


@pytest.fixture
def pension_row(session) -> ServiceType:
    load_catalogue(session)
    return session.get(ServiceType, pension_transfer.TYPE.code)


def test_anonymous_list_carries_every_document_with_its_condition(pension_row) -> None:
    items = document_list(pension_row, Situation(today=TODAY, answers={"new_province": "37"}))
    definite = [i.name for i in items if i.condition is None]
    assert definite == list(pension_transfer.TYPE.documents)
    conditional = {i.name: i.condition for i in items if i.condition}
    assert conditional["临时基本养老保险缴费账户的缴费凭证"] == "如有外省临时缴费账户"
    assert conditional["户口簿（证明户籍在转入省）"] == "如回户籍所在省参保"
    assert len(conditional) == len(pension_transfer.TYPE.conditional_documents)
    assert all(text.startswith("如") for text in conditional.values())


def _situation(**fields) -> Situation:
    answers = {"new_province": "31"} | fields.pop("answers", {})
    history = fields.pop("history", (Period("44", date(2010, 1, 1), date(2015, 12, 1), Decimal(5000)),))
    return Situation(today=TODAY, sex="male", hukou_province="37", pension_history=history, answers=answers,
                     **fields)


def test_the_list_fits_the_procedure(pension_row) -> None:
    young, open_ = _names(pension_row, _situation(birth_date=date(1990, 1, 1)))
    assert "《基本养老保险关系转移接续申请表》（书面申请）" in young and not open_
    assert not any("临时" in d or "户口簿" in d or "调动" in d for d in young)

    # 50 or older, moving outside the hukou province: an approved transfer decides it; not asked yet, both told.
    older = _situation(birth_date=date(1966, 1, 1))
    definite, open_ = _names(pension_row, older)
    assert not any("申请表" in d or "临时" in d for d in definite)
    assert any("调动批准文件" in d for d in open_) and any("转移接续申请表" in d for d in open_)
    official, _ = _names(pension_row, _situation(birth_date=date(1966, 1, 1), answers={"approved_official_transfer": True}))
    assert any("调动批准文件" in d for d in official) and any("劳动合同" in d for d in official)
    temporary, _ = _names(pension_row, _situation(birth_date=date(1966, 1, 1), answers={"approved_official_transfer": False}))
    assert any("《临时基本养老保险缴费账户》建立申请" in d for d in temporary)
    assert not any("转移接续申请表" in d for d in temporary)

    home, _ = _names(pension_row, _situation(birth_date=date(1966, 1, 1), answers={"new_province": "37"}))
    assert "户口簿（证明户籍在转入省）" in home
    had_temporary = (Period("32", date(2016, 1, 1), date(2020, 12, 1), Decimal(5000), temporary_account=True),)
    with_account, _ = _names(pension_row, _situation(birth_date=date(1990, 1, 1), history=had_temporary))
    assert "临时基本养老保险缴费账户的缴费凭证" in with_account


def test_the_calculator_lists_the_same_documents_as_the_counter(api, client) -> None:
    """The pension calculator's required_documents come from the same list the counter's checklist does."""
    with api.db() as s:
        load_catalogue(s)
        clerk = create_user(s, role=Role.counter_staff, window=2)
        resident = create_resident(s, hukou_province="41")
        resident.insurance_periods.extend([InsurancePeriod(
            scheme=Scheme.pension, province="41", start_month=date(2005, 1, 1), end_month=date(2011, 12, 1),
            monthly_wage_base=Decimal(5000), payer=Payer.employer,
        ), InsurancePeriod(
            scheme=Scheme.pension, province="32", start_month=date(2012, 1, 1), end_month=date(2018, 12, 1),
            monthly_wage_base=Decimal(5000), payer=Payer.employer, temporary_account=True,
        )])
        s.commit()
        facts = {"sex": resident.sex, "birth_date": resident.birth_date.isoformat(), "resident_id": resident.id}
    calculated = client.post("/api/v1/pension/transfer-assessment", json={
        "sex": facts["sex"], "birth_date": facts["birth_date"], "hukou_province": "41", "new_province": "37",
        "application_date": clock.today().isoformat(),
        "history": [{"province": "41", "start": "2005-01", "end": "2011-12", "monthly_wage_base": 5000},
                    {"province": "32", "start": "2012-01", "end": "2018-12", "monthly_wage_base": 5000,
                     "temporary_account": True}],
    })
    assert calculated.status_code == 200, calculated.text
    calculated = calculated.json()
    opened = api.client_for(clerk).post("/api/v1/cases", json={
        "resident_id": facts["resident_id"], "service_code": pension_transfer.TYPE.code,
        "answers": {"new_province": "37"},
    })
    assert opened.status_code == 201, opened.text
    assert calculated["required_documents"] == opened.json()["slip_documents"]
    assert "临时基本养老保险缴费账户的缴费凭证" in calculated["required_documents"]
