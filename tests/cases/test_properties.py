"""Property tests: the transfer amounts, the years, the continued-contribution quote and age arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from estation.cases.contribution import ContributionConfig, quote
from estation.cases.pension import (
    POOLED_FUND_FROM,
    Period,
    TransferRequest,
    age_on,
    anniversary,
    assess_transfer,
    month_span,
    pooled_fund_amount,
)

PROVINCES = ["11", "31", "32", "37", "44", "51"]
months = st.dates(min_value=date(1985, 1, 1), max_value=date(2026, 10, 1)).map(lambda d: d.replace(day=1))
bases = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False, allow_infinity=False)


def add_months(d: date, n: int) -> date:
    total = d.year * 12 + d.month - 1 + n
    return date(total // 12, total % 12 + 1, 1)


@st.composite
def histories(draw) -> list[Period]:
    """Non-overlapping periods, oldest first."""
    start = draw(st.dates(min_value=date(1985, 1, 1), max_value=date(2010, 1, 1))).replace(day=1)
    periods = []
    for _ in range(draw(st.integers(0, 5))):
        start = add_months(start, draw(st.integers(0, 24)))
        length = draw(st.integers(1, 60))
        end = add_months(start, length - 1)
        periods.append(Period(draw(st.sampled_from(PROVINCES)), start, end, draw(bases)))
        start = add_months(end, 1)
    return periods


def eligible_months(p: Period) -> int:
    return month_span(max(p.start, POOLED_FUND_FROM), p.end)


@given(histories(), st.sampled_from(PROVINCES))
def test_pooled_fund_is_12_percent_of_eligible_bases(history, new) -> None:
    expected = sum((p.monthly_wage_base * eligible_months(p) for p in history if p.province != new), Decimal(0))
    amount = pooled_fund_amount(history, new)
    assert abs(amount - expected * Decimal("0.12")) <= Decimal("0.005")
    assert amount >= 0


@given(histories(), st.sampled_from(PROVINCES), st.data())
def test_splitting_a_period_never_changes_the_pooled_fund(history, new, data) -> None:
    splittable = [i for i, p in enumerate(history) if p.months >= 2]
    if not splittable:
        return
    i = data.draw(st.sampled_from(splittable))
    p = history[i]
    cut = add_months(p.start, data.draw(st.integers(1, p.months - 1)))
    halves = [Period(p.province, p.start, add_months(cut, -1), p.monthly_wage_base),
              Period(p.province, cut, p.end, p.monthly_wage_base)]
    split = history[:i] + halves + history[i + 1:]
    assert pooled_fund_amount(split, new) == pooled_fund_amount(history, new)


@given(histories(), st.sampled_from(PROVINCES), st.sampled_from(PROVINCES), bases)
def test_adding_a_period_outside_the_new_province_never_lowers_the_amount(history, new, other, base) -> None:
    if other == new:
        return
    last_end = history[-1].end if history else date(1990, 1, 1)
    extra = Period(other, add_months(last_end, 1), add_months(last_end, 12), base)
    assert pooled_fund_amount(history + [extra], new) >= pooled_fund_amount(history, new)


@given(histories(), st.sampled_from(PROVINCES), st.sampled_from(PROVINCES), st.sampled_from(["male", "female"]),
       st.dates(min_value=date(1950, 1, 1), max_value=date(1990, 12, 31)), st.booleans(), bases)
@settings(max_examples=200)
def test_assessment_invariants(history, hukou, new, sex, birth, official, balance) -> None:
    a = assess_transfer(TransferRequest(
        sex=sex, birth_date=birth, hukou_province=hukou, new_province=new, application_date=date(2026, 11, 2),
        history=tuple(history), approved_official_transfer=official, personal_account_balance=balance,
    ))
    total_months = sum(p.months for p in history)
    assert a.total_contribution_years == (Decimal(total_months) / 12).quantize(Decimal("0.01"))
    # rounding each province can drift by at most half a cent per province from the total
    assert abs(sum(a.years_by_province.values(), Decimal(0)) - a.total_contribution_years) <= Decimal("0.005") * (len(a.years_by_province) + 1)
    assert a.meets_minimum is (total_months >= 180)
    if a.procedure == "temporary_account":
        assert a.pooled_fund_amount == 0 and a.personal_account_amount == 0
        assert hukou != new and not official
    else:
        assert a.personal_account_amount == balance.quantize(Decimal("0.01"))
    if hukou == new:
        assert a.procedure == "transfer" and a.claim_province == hukou
    assert a.claim_province == hukou or a.claim_province in {p.province for p in history} | {new}


@given(st.dates(min_value=date(1904, 1, 1), max_value=date(2000, 12, 31)), st.integers(1, 100))
def test_age_turns_exactly_on_the_birthday(birth, years) -> None:
    birthday = anniversary(birth, birth.year + years)
    assert age_on(birth, birthday) == years
    assert age_on(birth, birthday - timedelta(days=1)) == years - 1


@given(
    st.decimals(min_value=1000, max_value=30000, places=2),
    st.decimals(min_value=Decimal("0.6"), max_value=3, places=2),
    st.integers(1, 600),
)
def test_quote_amounts(average, share, months) -> None:
    config = ContributionConfig(year=2026, average_monthly_wage=average)
    q = quote(config, months=months, base_share=share)
    assert config.lower_base <= q.base <= config.upper_base
    assert q.monthly_amount == (q.base * Decimal("0.20")).quantize(Decimal("0.01"))
    assert q.total == q.monthly_amount * months
    assert quote(config, months=months).base == config.lower_base
