"""Property tests: id numbers and credit codes (check digits catch every single-character error and
every swap of neighbours), and the API's amounts and dates: whatever is sent, the answer is a success
that keeps every rule, or a 422 naming a field that was sent, never a 500 and never a half-written row."""

from __future__ import annotations

import string
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from estation.accounts.models import Role
from estation.clock import today
from estation.identifiers import make_resident_id, make_uscc, parse_resident_id, validate_uscc
from estation.jobs.models import Vacancy
from estation.jobs.service import MAX_VALIDITY, minimum_wage_for
from estation.labour.models import InsurancePeriod
from estation.migrate import upgrade
from estation.physical import DOMAIN_NAMES
from tests.conftest import ApiHarness
from tests.employer.conftest import make_company
from tests.factories import create_household, create_resident, create_user, seed_places

API = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OUTCOMES: Counter[tuple[str, int]] = Counter()
"""(test, status) of every API example: the last test checks both outcomes were really exercised."""

regions = st.sampled_from(["370102", "370103", "370104", "110101", "440305", "510107"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
sexes = st.sampled_from(["male", "female"])


@given(regions, births, st.integers(0, 99), sexes)
def test_a_made_id_number_reads_back(region, birth, seq, sex) -> None:
    parsed = parse_resident_id(make_resident_id(region, birth, seq, sex=sex))
    assert parsed.birth_date == birth and parsed.sex == sex


@given(regions, births, st.integers(0, 99), sexes, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_wrong_character_in_an_id_number_is_caught(region, birth, seq, sex, pos, char) -> None:
    good = make_resident_id(region, birth, seq, sex=sex)
    if good[pos] == char or (pos < 17 and char == "X"):
        return
    bad = good[:pos] + char + good[pos + 1:]
    with pytest.raises(ValueError):
        parse_resident_id(bad)


@given(regions, births, st.integers(0, 99), sexes, st.integers(0, 16))
def test_swapping_neighbours_in_an_id_number_is_caught(region, birth, seq, sex, pos) -> None:
    good = make_resident_id(region, birth, seq, sex=sex)
    if good[pos] == good[pos + 1]:
        return
    with pytest.raises(ValueError):
        parse_resident_id(good[:pos] + good[pos + 1] + good[pos] + good[pos + 2:])


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
uscc_bodies = st.text(USCC_CHARS, min_size=10, max_size=10).map(lambda s: "91370102" + s[:9])


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_CHARS))
def test_any_single_wrong_character_in_a_credit_code_is_caught(body, pos, char) -> None:
    good = make_uscc(body)
    assert validate_uscc(good) == good
    if good[pos] == char:
        return
    with pytest.raises(ValueError):
        validate_uscc(good[:pos] + char + good[pos + 1:])


# --------------------------------------------------------------------------- through the API


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("props")
    url = f"sqlite:///{tmp / 'props.sqlite3'}"
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        person = create_resident(s, household=create_household(s))
        staff = create_user(s, role=Role.counter_staff)
        company = make_company(s)
        s.commit()
        ids = {"resident": person.id, "employer": company.employer.id}
        staff_client, employer_client = harness.client_for(staff), harness.client_for(company.user)
    yield harness, ids, staff_client, employer_client
    harness.app.state.parts.stop_workers()


def _named_field(response, sent: dict) -> str:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    names = {str(part) for e in detail for part in e["loc"]}
    assert names & set(sent), f"the 422 names none of the fields sent: {detail}"
    assert all(e.get("msg") for e in detail)
    return next(iter(names & set(sent)))


def _count(harness, model) -> int:
    with harness.db() as s:
        return s.scalar(select(func.count()).select_from(model))


def _post(harness, client, url: str, body: dict, model) -> dict | None:
    """201 with one more row (the created object returned), or 422 naming a sent field and no new row (None)."""
    before = _count(harness, model)
    r = client.post(url, json=body)
    assert r.status_code in (201, 422), r.text
    OUTCOMES[model.__tablename__, r.status_code] += 1
    if r.status_code == 422:
        _named_field(r, body)
        assert _count(harness, model) == before
        return None
    assert _count(harness, model) == before + 1
    return r.json()


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Four in five draws from ``good``: enough successes to check what a success keeps."""
    return st.integers(0, 4).flatmap(lambda i: good if i else bad)


def spans() -> st.SearchStrategy:
    """(start month, end month): mostly a well-formed span, else anything (bad text, reversed, null)."""
    good = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1980, 2030), st.integers(1, 12))
    odd = st.one_of(good, st.builds(lambda y, m: f"{y}-{m}", st.integers(-5, 99999), st.integers(-3, 40)),
                    st.text(string.printable, max_size=12), st.integers(), st.none())
    return mostly(st.tuples(good, good).map(sorted), st.tuples(odd, odd))


def amounts() -> st.SearchStrategy:
    return mostly(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2).map(str),
        st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.integers(min_value=-10**20, max_value=10**20), st.text(max_size=8), st.none()),
    )


@API
@given(span=spans(), base=amounts())
def test_insurance_period_amounts_and_months(world, span, base) -> None:
    harness, ids, staff, _ = world
    start, end = span
    body = {"scheme": "pension", "province": "37", "start_month": start, "end_month": end,
            "monthly_wage_base": base, "payer": "employer"}
    out = _post(harness, staff, f"/api/v1/residents/{ids['resident']}/insurance-periods", body, InsurancePeriod)
    if out is None:
        return
    assert out["start_month"] <= out["end_month"]
    assert Decimal("0") < Decimal(str(out["monthly_wage_base"])) <= Decimal("200000")
    assert Decimal(str(out["monthly_wage_base"])) == Decimal(str(base)).quantize(Decimal("0.01"))


def vacancy_dates() -> st.SearchStrategy:
    return mostly(st.integers(-3, 370).map(lambda d: (today() + timedelta(days=d)).isoformat()),
                  st.one_of(st.integers(-4000, 4000).map(lambda d: (today() + timedelta(days=d)).isoformat()),
                            st.text(max_size=12), st.integers(), st.none()))


wages = mostly(st.integers(2000, 9000),
               st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6), st.none()))
hours = mostly(st.sampled_from([2, 4, 6, 8, 7.5]), st.one_of(st.floats(-2, 30), st.integers(-5, 30), st.text(max_size=3)))


@API
@given(wage_min=wages, wage_max=wages, until=vacancy_dates(), hours=hours)
def test_vacancy_wages_hours_and_dates(world, wage_min, wage_max, until, hours) -> None:
    harness, ids, _, employer = world
    body = {"employer_id": ids["employer"], "title": "社区便利店收银员", "community_code": "370102009001",
            "address": "甸柳新村第三社区", "wage_min": wage_min, "wage_max": wage_max, "hours_per_day": hours,
            "days_per_week": 5, "employment_type": "part_time", "demands": dict.fromkeys(DOMAIN_NAMES, 1),
            "adjustments": [], "valid_until": until}
    out = _post(harness, employer, "/api/v1/vacancies", body, Vacancy)
    if out is None:
        return
    floor = minimum_wage_for(hours_per_day=out["hours_per_day"], days_per_week=out["days_per_week"],
                             monthly_minimum=harness.settings.minimum_wage_monthly)
    assert floor <= out["wage_min"] <= out["wage_max"]
    assert 0 < out["hours_per_day"] <= 12
    assert today() <= date.fromisoformat(out["valid_until"]) <= today() + MAX_VALIDITY


def test_the_api_properties_saw_both_outcomes() -> None:
    """Runs after the two above (file order): a generator that only ever produced errors, or only
    successes, would make them pass without testing the rules."""
    for name in (InsurancePeriod.__tablename__, Vacancy.__tablename__):
        assert OUTCOMES[name, 201] >= 3 and OUTCOMES[name, 422] >= 3, OUTCOMES


@pytest.mark.parametrize("huge", [2**63, 10**30, -1, 0])
def test_ids_the_database_cannot_hold_are_a_422_naming_them(world, huge) -> None:
    """Found by schemathesis: /api/v1/vacancies/9223372036854775808 was a 500 (SQLite refuses the number)."""
    harness, ids, staff, employer = world
    r = staff.get(f"/api/v1/vacancies/{huge}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["path", "vacancy_id"]
    r = staff.post("/api/v1/residents", json={"household_id": huge})
    assert r.status_code == 422
    assert (["body", "household_id"] in [e["loc"] for e in r.json()["detail"]]) is (abs(huge) >= 2**63)
    assert employer.get(f"/employer/vacancies/{huge}").status_code == 422  # the UI's pages too


def test_a_number_the_database_refuses_is_a_422_not_a_500(world) -> None:
    harness, _ids, staff, _ = world

    def unbounded() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    harness.app.add_api_route("/api/v1/test-overflow", unbounded)
    r = staff.get("/api/v1/test-overflow")
    assert r.status_code == 422 and "超出" in r.json()["detail"][0]["msg"]
