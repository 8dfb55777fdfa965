"""Counter cases through the JSON API: one whole case, the slip, refusals, roles, kiosk status, figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from estation.accounts.models import Role
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution, pension_transfer
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import TEST_PASSWORD, create_resident, create_user


@pytest.fixture
def staff(client, db):
    """A signed-in counter clerk at window 5, a resident with a pension history, and the catalogue."""
    load_catalogue(db)
    clerk = create_user(db, role=Role.counter_staff, window=5)
    resident = create_resident(db)
    resident.insurance_periods.append(InsurancePeriod(
        scheme=Scheme.pension, province="31", start_month=date(2012, 1, 1), end_month=date(2019, 12, 1),
        monthly_wage_base=Decimal(5000), payer=Payer.employer,
    ))
    db.commit()
    token = client.post("/api/v1/auth/login", json={"username": clerk.username, "password": TEST_PASSWORD}).json()["token"]
    return {"headers": {"Authorization": f"Bearer {token}"}, "resident_id": resident.id}


def test_catalogue_is_listed(client, staff) -> None:
    services = client.get("/api/v1/services").json()
    assert len(services) >= 7
    pension = next(s for s in services if s["code"] == pension_transfer.TYPE.code)
    assert pension["time_limit_working_days"] == 45 and pension["documents"]


def test_a_whole_case_with_a_tell_once_slip(client, staff) -> None:
    h = staff["headers"]
    docs = next(s for s in client.get("/api/v1/services").json() if s["code"] == continued_contribution.TYPE.code)["documents"]
    opened = client.post("/api/v1/cases", headers=h, json={
        "resident_id": staff["resident_id"], "service_code": continued_contribution.TYPE.code, "handed_in": docs[:1],
    })
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["status"] == "awaiting_documents" and case["window"] == 5
    assert case["slip_documents"] == docs[1:] == case["still_missing"]
    assert case["reference"].startswith("DL")

    status_url = f"/api/v1/cases/status/{case['reference']}"
    kiosk = client.get(status_url, params={"code": case["query_code"]}).json()
    assert kiosk["status_label"] == "待补材料" and kiosk["still_missing"] == docs[1:]
    # The reference alone (sequential, so guessable) shows nothing; a wrong code is told apart from nothing.
    assert client.get(status_url).status_code == 422
    wrong = f"{(int(case['query_code']) + 1) % 10**8:08d}"
    assert client.get(status_url, params={"code": wrong}).json() == client.get(
        "/api/v1/cases/status/DL000000000000", params={"code": wrong}).json()
    assert client.get(status_url, params={"code": wrong}).status_code == 404

    off_slip = client.post(f"/api/v1/cases/{case['id']}/documents", headers=h, json={"documents": ["结婚证"]})
    assert off_slip.status_code == 422
    done = client.post(f"/api/v1/cases/{case['id']}/documents", headers=h, json={"documents": docs[1:]}).json()
    assert done["status"] == "accepted" and done["due_on"] is not None and done["still_missing"] == []
    assert client.post(f"/api/v1/cases/{case['id']}/review", headers=h, json={}).json()["status"] == "in_review"
    closed = client.post(f"/api/v1/cases/{case['id']}/complete", headers=h, json={"note": "已登记续保"}).json()
    assert closed["status"] == "completed"
    assert [e["status"] for e in closed["events"]] == ["awaiting_documents", "accepted", "in_review", "completed"]
    again = client.post(f"/api/v1/cases/{case['id']}/refuse", headers=h, json={"reason": "重复申请不予办理"})
    assert again.status_code == 409


def test_pension_case_carries_the_assessment(client, staff) -> None:
    h = staff["headers"]
    bad = client.post("/api/v1/cases", headers=h, json={"resident_id": staff["resident_id"],
                                                       "service_code": pension_transfer.TYPE.code,
                                                       "answers": {"new_province": "99"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "new_province"]
    case = client.post("/api/v1/cases", headers=h, json={
        "resident_id": staff["resident_id"], "service_code": pension_transfer.TYPE.code,
        "answers": {"new_province": "37", "personal_account_balance": 20000},
    }).json()
    a = case["details"]["assessment"]
    assert a["procedure"] == "transfer" and a["claim_province"] == "37"
    assert Decimal(a["pooled_fund_amount"]) == Decimal(96 * 5000) * Decimal("0.12")
    # Hukou in Shandong, moving back to Shandong: the transfer form and the household register, nothing
    # about a temporary account (the one document list of the service and this situation).
    assert "户口簿（证明户籍在转入省）" in case["slip_documents"]
    assert "《基本养老保险关系转移接续申请表》（书面申请）" in case["slip_documents"]
    assert not any("临时" in d for d in case["slip_documents"])


def test_refusal_needs_a_reason(client, staff) -> None:
    h = staff["headers"]
    case = client.post("/api/v1/cases", headers=h, json={"resident_id": staff["resident_id"], "service_code": continued_contribution.TYPE.code}).json()
    assert client.post(f"/api/v1/cases/{case['id']}/refuse", headers=h, json={"reason": ""}).status_code == 422
    refused = client.post(f"/api/v1/cases/{case['id']}/refuse", headers=h, json={"reason": "已在单位参保，无需续保"}).json()
    assert refused["status"] == "refused" and refused["outcome_reason"] == "已在单位参保，无需续保"


def test_cases_need_counter_staff(client, staff, db) -> None:
    body = {"resident_id": staff["resident_id"], "service_code": continued_contribution.TYPE.code}
    client.cookies.clear()  # signing in set the clerk's cookie
    assert client.post("/api/v1/cases", json=body).status_code == 401
    cadre = create_user(db, role=Role.cadre)
    db.commit()
    token = client.post("/api/v1/auth/login", json={"username": cadre.username, "password": TEST_PASSWORD}).json()["token"]
    client.cookies.clear()
    assert client.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, json=body).status_code == 403


def test_unknown_things_are_not_500(client, staff) -> None:
    h = staff["headers"]
    assert client.get("/api/v1/cases/999999", headers=h).status_code == 404
    assert client.get("/api/v1/cases/status/NOPE", params={"code": "12345678"}).status_code == 404
    assert client.get("/api/v1/cases/status/" + "X" * 40, params={"code": "12345678"}).status_code == 422
    assert client.get("/api/v1/cases/status/NOPE", params={"code": "1234"}).status_code == 422
    assert client.post("/api/v1/cases", headers=h, json={"resident_id": staff["resident_id"], "service_code": "nope"}).status_code == 404
    assert client.post("/api/v1/cases", headers=h, json={"resident_id": 10**9, "service_code": continued_contribution.TYPE.code}).status_code in (403, 404)


def test_figures(client, staff) -> None:
    h = staff["headers"]
    client.post("/api/v1/cases", headers=h, json={"resident_id": staff["resident_id"], "service_code": continued_contribution.TYPE.code})
    f = client.get("/api/v1/cases/figures", headers=h).json()
    assert f["total"]["opened"] >= 1 and f["total"]["came_back_for_documents"] >= 1
    assert f["by_window"]["5号窗口"]["opened"] >= 1
    assert f["service_names"][continued_contribution.TYPE.code] == "灵活就业人员续保"
    bad = client.get("/api/v1/cases/figures?since=2026-12-01&until=2026-11-01", headers=h)
    assert bad.status_code == 422


def test_admin_edits_the_catalogue(api) -> None:
    from estation.accounts.models import Role
    from estation.cases.catalogue import load_catalogue
    from tests.factories import create_user

    with api.db() as s:
        load_catalogue(s)
        admin, clerk = create_user(s, role=Role.admin), create_user(s, role=Role.counter_staff, window=2)
        s.commit()
    services = {x["code"]: x for x in api.anonymous.get("/api/v1/services").json()}
    code = next(iter(services))
    edit = {k: services[code][k] for k in ("name", "summary", "conditions", "steps", "time_limit_working_days")}
    edit["documents"] = [*services[code]["documents"], "近期一寸免冠照片1张"]
    assert api.client_for(clerk).put(f"/api/v1/services/{code}", json=edit).status_code == 403
    r = api.client_for(admin).put(f"/api/v1/services/{code}", json=edit)
    assert r.status_code == 200 and r.json()["documents"][-1] == "近期一寸免冠照片1张"
    shown = {x["code"]: x for x in api.anonymous.get("/api/v1/services").json()}[code]
    assert shown["documents"] == edit["documents"]
    bad = api.client_for(admin).put(f"/api/v1/services/{code}", json=edit | {"documents": ["身份证", "身份证"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "documents"
    assert api.client_for(admin).put("/api/v1/services/no-such", json=edit).status_code == 404
