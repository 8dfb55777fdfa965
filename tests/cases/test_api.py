"""The JSON contract of issue 6: POST /api/v1/pension/transfer-assessment, and the contribution quote."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

URL = "/api/v1/pension/transfer-assessment"


@pytest.fixture(autouse=True)
def catalogue(api) -> None:
    """The calculator lists the documents from the service catalogue, as every surface does."""
    from estation.cases.catalogue import load_catalogue

    with api.db() as s:
        load_catalogue(s)
        s.commit()
QUOTE_URL = "/api/v1/pension/continued-contribution"

EXAMPLE = {
    "sex": "male",
    "birth_date": "1980-05-01",
    "hukou_province": "37",
    "new_province": "37",
    "application_date": "2026-11-02",
    "approved_official_transfer": False,
    "history": [
        {"province": "31", "start": "2010-01", "end": "2017-12", "monthly_wage_base": 6000, "temporary_account": False},
        {"province": "44", "start": "2018-01", "end": "2026-10", "monthly_wage_base": 8000},
    ],
    "personal_account_balance": 52000,
}

KEYS = {
    "procedure", "pooled_fund_amount", "personal_account_amount", "years_by_province", "total_contribution_years",
    "meets_15_year_minimum", "claim_province", "required_documents", "explanation",
}


def body(**changes) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def test_the_contract_example(client) -> None:
    response = client.post(URL, json=EXAMPLE)
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == KEYS
    assert data["procedure"] == "transfer"
    assert data["pooled_fund_amount"] == pytest.approx((96 * 6000 + 106 * 8000) * 0.12)
    assert data["personal_account_amount"] == 52000
    assert data["years_by_province"] == {"31": 8.0, "44": 8.83}
    assert data["total_contribution_years"] == 16.83
    assert data["meets_15_year_minimum"] is True
    assert data["claim_province"] == "37"
    assert all(isinstance(d, str) for d in data["required_documents"]) and data["required_documents"]
    assert "第五条" in data["explanation"] and "山东省" in data["explanation"]


def test_optional_fields_may_be_left_out(client) -> None:
    data = body(new_province="31", birth_date="1970-01-01")
    del data["personal_account_balance"]
    del data["approved_official_transfer"]
    response = client.post(URL, json=data)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["procedure"] == "temporary_account"
    assert out["personal_account_amount"] == 0 and out["pooled_fund_amount"] == 0
    assert out["claim_province"] == "37"  # 44 had under 10 years, so the hukou province (art. 6 item 4)


def test_empty_history(client) -> None:
    response = client.post(URL, json=body(history=[], new_province="31"))
    assert response.status_code == 200
    out = response.json()
    assert out["total_contribution_years"] == 0 and out["years_by_province"] == {}
    assert out["meets_15_year_minimum"] is False


def test_official_transfer_overrides_the_age(client) -> None:
    response = client.post(URL, json=body(birth_date="1966-03-01", new_province="31", approved_official_transfer=True))
    assert response.json()["procedure"] == "transfer"
    assert response.json()["pooled_fund_amount"] == pytest.approx((96 * 6000 + 106 * 8000) * 0.12 - 96 * 6000 * 0.12)


def period(**changes) -> dict:
    p = {"province": "31", "start": "2010-01", "end": "2017-12", "monthly_wage_base": 6000}
    p.update(changes)
    return p


def _errors(response) -> list[dict]:
    assert response.status_code == 422, response.text
    return response.json()["detail"]


def _locs(response) -> list[tuple]:
    return [tuple(e["loc"]) for e in _errors(response)]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"history": [period(start="2017-12", end="2010-01")]}, ("body", "history", 0, "end")),
        ({"history": [period(), period(province="44", start="2017-06", end="2019-12")]}, ("body", "history")),
        ({"history": [period(province="44", start="2017-06", end="2019-12"), period()]}, ("body", "history")),
        ({"history": [period(monthly_wage_base=-1)]}, ("body", "history", 0, "monthly_wage_base")),
        ({"history": [period(monthly_wage_base=250_000)]}, ("body", "history", 0, "monthly_wage_base")),
        ({"history": [period(monthly_wage_base="NaN")]}, ("body", "history", 0, "monthly_wage_base")),
        ({"history": [period(province="99")]}, ("body", "history", 0, "province")),
        ({"history": [period(province="3")]}, ("body", "history", 0, "province")),
        ({"hukou_province": "00"}, ("body", "hukou_province")),
        ({"new_province": "71x"}, ("body", "new_province")),
        ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, ("body", "birth_date")),
        ({"birth_date": "2026-11-03"}, ("body", "birth_date")),  # after the application
        ({"birth_date": "1980-02-30"}, ("body", "birth_date")),
        ({"history": [period(start="2010-13")]}, ("body", "history", 0, "start")),
        ({"history": [period(end="2017/12")]}, ("body", "history", 0, "end")),
        ({"history": [period(start="201001")]}, ("body", "history", 0, "start")),
        ({"history": [period(start="2010-01-01")]}, ("body", "history", 0, "start")),
        ({"history": [period(end="2027-01")]}, ("body", "history")),  # after the application month
        ({"history": [period(start="1975-01")]}, ("body", "history")),  # before birth
        ({"history": [period(temporary_account=True)]}, ("body", "history")),
        ({"personal_account_balance": -5}, ("body", "personal_account_balance")),
        ({"sex": "other"}, ("body", "sex")),
        ({"application_date": "tomorrow"}, ("body", "application_date")),
    ],
)
def test_impossible_input_is_422_naming_the_field(client, changes, loc) -> None:
    response = client.post(URL, json=body(**changes))
    assert loc in _locs(response)


def test_error_message_says_what_is_wrong(client) -> None:
    response = client.post(URL, json=body(history=[period(), period(start="2015-01", end="2016-01")]))
    assert any("重叠" in e["msg"] for e in _errors(response))


@pytest.mark.parametrize("payload", [None, [], "x", 1, {"history": "x"}, {"sex": None}])
def test_garbage_is_422_not_500(client, payload) -> None:
    response = client.post(URL, json=payload)
    assert response.status_code == 422


def test_undecodable_body_is_a_client_error(client) -> None:
    response = client.post(URL, content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)


# --- continued contribution --------------------------------------------------------------------

def test_quote_at_the_lower_bound_by_default(client) -> None:
    response = client.post(QUOTE_URL, json={"year": 2026, "months": 12})
    assert response.status_code == 200, response.text
    q = response.json()
    assert q["year"] == 2026
    assert q["base"] == q["lower_base"] == pytest.approx(7617 * 0.6)
    assert q["upper_base"] == pytest.approx(7617 * 3)
    assert q["monthly_amount"] == pytest.approx(round(7617 * 0.6 * 0.2, 2))
    assert q["total"] == pytest.approx(q["monthly_amount"] * 12)
    assert "2026年度" in q["explanation"]


def test_quote_with_a_span_of_months_and_a_chosen_base(client) -> None:
    response = client.post(QUOTE_URL, json={"year": 2026, "start": "2025-11", "end": "2026-04", "base": 10000})
    assert response.status_code == 200, response.text
    q = response.json()
    assert (q["months"], q["base"], q["monthly_amount"], q["total"]) == (6, 10000, 2000, 12000)


def test_stored_configuration_wins_over_the_default(client, db) -> None:
    from decimal import Decimal

    from estation.cases.models import ContributionSetting

    row = db.get(ContributionSetting, 2026) or ContributionSetting(year=2026)
    row.average_monthly_wage, row.rate = Decimal(10000), Decimal("0.16")
    db.add(row)
    db.commit()
    try:
        q = client.post(QUOTE_URL, json={"year": 2026, "months": 1}).json()
        assert (q["base"], q["monthly_amount"]) == (6000, 960)
    finally:
        db.query(ContributionSetting).delete()
        db.commit()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"year": 2026, "months": 12, "base": 1000}, "base"),         # below 60%
        ({"year": 2026, "months": 12, "base": 99999}, "base"),        # above 300%
        ({"year": 2026, "months": 12, "base_share": 0.5}, "base_share"),
        ({"year": 2026, "months": 12, "base": 5000, "base_share": 1}, "base_share"),
        ({"year": 2010, "months": 12}, "year"),                       # not configured
        ({"year": 2026, "months": 0}, "months"),
        ({"year": 2026, "start": "2026-05", "end": "2026-01"}, "end"),
        ({"year": 2026, "start": "2026-13", "end": "2026-01"}, "start"),
    ],
)
def test_quote_refusals_name_the_field(client, payload, field) -> None:
    response = client.post(QUOTE_URL, json=payload)
    locs = _locs(response)
    assert any(field in loc for loc in locs), locs


def test_quote_without_months_is_refused(client) -> None:
    response = client.post(QUOTE_URL, json={"year": 2026})
    assert any("months" in e["msg"] for e in _errors(response))


# --- no input gives a 500 ---------------------------------------------------------------------


anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["37", "31", "99", "2020-01", "2020-13", "1980-02-29", "2030-01-01", "male", "female"]),
)
months_or_junk = st.one_of(st.sampled_from(["1990-01", "2005-06", "2026-10", "2026-12", "1899-12"]), anything)
fuzz_period = st.fixed_dictionaries(
    {"province": st.one_of(st.sampled_from(["31", "37", "44"]), anything), "start": months_or_junk,
     "end": months_or_junk, "monthly_wage_base": st.one_of(st.integers(-5, 300_000), anything)},
    optional={"temporary_account": st.one_of(st.booleans(), anything)},
)
fuzz_body = st.fixed_dictionaries(
    {"sex": st.one_of(st.sampled_from(["male", "female"]), anything),
     "birth_date": st.one_of(st.dates().map(str), anything),
     "hukou_province": st.one_of(st.sampled_from(["37", "44"]), anything),
     "new_province": st.one_of(st.sampled_from(["37", "31"]), anything),
     "application_date": st.one_of(st.dates().map(str), anything),
     "history": st.one_of(st.lists(fuzz_period, max_size=4), anything)},
    optional={"approved_official_transfer": st.one_of(st.booleans(), anything),
              "personal_account_balance": st.one_of(st.integers(-1, 10**9), anything)},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fuzz_body)
def test_no_input_gives_a_server_error(client, payload) -> None:
    response = client.post(URL, json=payload)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert set(response.json()) == KEYS


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(client, literal) -> None:
    raw = (
        '{"sex":"male","birth_date":"1980-05-01","hukou_province":"37","new_province":"37",'
        '"application_date":"2026-11-02","history":[],"personal_account_balance":' + literal + "}"
    )
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert ["body", "personal_account_balance"] in [e["loc"] for e in response.json()["detail"]]
