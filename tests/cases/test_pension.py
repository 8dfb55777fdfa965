"""Every rule of shared/reference/pension-transfer-rules.md, one table per article."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from estation.cases.pension import (
    Period,
    TransferRequest,
    age_on,
    assess_transfer,
    claim_province,
    decide_procedure,
    pooled_fund_amount,
    relationship_months,
    relationship_places,
    years_from_months,
)


def m(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


def period(province: str, start: str, end: str, base: int | str = 6000, temporary: bool = False) -> Period:
    return Period(province, m(start), m(end), Decimal(base), temporary)


def request(**overrides) -> TransferRequest:
    values = dict(
        sex="male",
        birth_date=date(1985, 6, 15),
        hukou_province="37",
        new_province="37",
        application_date=date(2026, 11, 2),
        history=(),
        approved_official_transfer=False,
        personal_account_balance=Decimal(52000),
    )
    values.update(overrides)
    return TransferRequest(**values)


# --- age with the birthday counting -----------------------------------------------------------

@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1976, 5, 10), date(2026, 5, 9), 49),
        (date(1976, 5, 10), date(2026, 5, 10), 50),  # the birthday counts
        (date(1976, 5, 10), date(2026, 5, 11), 50),
        (date(1976, 2, 29), date(2026, 2, 27), 49),
        (date(1976, 2, 29), date(2026, 2, 28), 50),  # no 29 Feb in 2026: the last day of February
        (date(1976, 2, 29), date(2024, 2, 29), 48),
        (date(1976, 2, 29), date(2024, 2, 28), 47),
        (date(1986, 12, 31), date(2026, 12, 31), 40),
        (date(1986, 12, 31), date(2026, 12, 30), 39),
    ],
)
def test_age_counts_the_birthday(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


# --- art. 5: transfer or temporary account ----------------------------------------------------

@pytest.mark.parametrize(
    ("sex", "birth", "hukou", "new", "official", "procedure", "rule"),
    [
        # back to the hukou province: transfer whatever the age
        ("male", date(1966, 1, 1), "37", "37", False, "transfer", "art5_hukou"),
        ("female", date(1970, 1, 1), "44", "44", False, "transfer", "art5_hukou"),
        # elsewhere, under the age
        ("male", date(1976, 11, 3), "37", "31", False, "transfer", "art5_age_under"),   # 49, birthday tomorrow
        ("female", date(1986, 11, 3), "37", "31", False, "transfer", "art5_age_under"),  # 39
        # elsewhere, on or after the birthday: temporary account
        ("male", date(1976, 11, 2), "37", "31", False, "temporary_account", "art5_age_over"),  # 50 today
        ("female", date(1986, 11, 2), "37", "31", False, "temporary_account", "art5_age_over"),  # 40 today
        ("male", date(1966, 1, 1), "37", "31", False, "temporary_account", "art5_age_over"),
        # the age thresholds differ by sex: a 45-year-old man transfers, a 45-year-old woman does not
        ("male", date(1981, 1, 1), "37", "31", False, "transfer", "art5_age_under"),
        ("female", date(1981, 1, 1), "37", "31", False, "temporary_account", "art5_age_over"),
        # an approved official transfer is not bound by the age
        ("male", date(1966, 1, 1), "37", "31", True, "transfer", "art5_official"),
        ("female", date(1976, 1, 1), "37", "31", True, "transfer", "art5_official"),
    ],
)
def test_art5_procedure(sex, birth, hukou, new, official, procedure, rule) -> None:
    assert decide_procedure(
        sex=sex, birth_date=birth, hukou_province=hukou, new_province=new,
        application_date=date(2026, 11, 2), approved_official_transfer=official,
    ) == (procedure, rule)


# --- art. 4: how much moves -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("history", "new", "amount"),
    [
        ([period("31", "2010-01", "2017-12", 6000)], "37", "69120.00"),            # 96 x 6000 x 12%
        ([period("31", "1995-01", "1997-12", 6000)], "37", "0.00"),                # before 1998 nothing
        ([period("31", "1996-07", "1998-06", 5000)], "37", "3600.00"),             # only 1998-01..06
        ([period("31", "2020-03", "2020-05", 4321.5)], "37", "1555.74"),           # a part year by months
        ([period("37", "2010-01", "2015-12", 6000)], "37", "0.00"),                # inside new province
        (
            [period("37", "2005-01", "2009-12", 3000), period("44", "2010-01", "2019-12", 8000)],
            "37",
            "115200.00",                                                           # only the 44 part
        ),
        (
            [period("31", "2001-01", "2001-12", 4000), period("32", "2002-01", "2002-12", 5000)],
            "44",
            "12960.00",                                                            # (48000 + 60000) x 12%
        ),
    ],
)
def test_art4_pooled_fund(history, new, amount) -> None:
    assert pooled_fund_amount(history, new) == Decimal(amount)


def test_art4_transfer_moves_the_whole_personal_account_and_the_pooled_fund() -> None:
    a = assess_transfer(request(history=(period("31", "2010-01", "2017-12"),), personal_account_balance=Decimal("52000.456")))
    assert a.procedure == "transfer"
    assert a.personal_account_amount == Decimal("52000.46")
    assert a.pooled_fund_amount == Decimal("69120.00")


def test_art4_temporary_account_moves_nothing() -> None:
    a = assess_transfer(request(
        birth_date=date(1970, 1, 1), hukou_province="37", new_province="31",
        history=(period("44", "2000-01", "2020-12"),),
    ))
    assert a.procedure == "temporary_account"
    assert a.personal_account_amount == 0
    assert a.pooled_fund_amount == 0


# --- years ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("months", "years"), [(0, "0.00"), (1, "0.08"), (8, "0.67"), (96, "8.00"), (100, "8.33"), (181, "15.08")])
def test_years_are_months_over_12_to_two_places(months: int, years: str) -> None:
    assert years_from_months(months) == Decimal(years)


def test_years_by_province_add_up_returns_and_temporary_months() -> None:
    a = assess_transfer(request(new_province="37", history=(
        period("31", "2000-01", "2004-12"),
        period("44", "2005-01", "2005-08", temporary=True),
        period("31", "2006-01", "2006-12"),
    )))
    assert a.years_by_province == {"31": Decimal("6.00"), "44": Decimal("0.67")}
    assert a.total_contribution_years == Decimal("6.67")


# --- minimum ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "minimum", "meets"), [
    ("2014-12", 15, True),     # exactly 180 months
    ("2014-11", 15, False),    # 179 months
    ("2014-12", 20, False),    # the minimum is configurable (the 2030 reform raises it)
    ("2019-12", 20, True),
])
def test_minimum_years(end: str, minimum: int, meets: bool) -> None:
    a = assess_transfer(request(history=(period("31", "2000-01", end),)), minimum_years=Decimal(minimum))
    assert a.meets_minimum is meets


# --- art. 6: where the pension is claimed -----------------------------------------------------

@pytest.mark.parametrize(
    ("places", "months", "claim", "rule"),
    [
        (["44", "37"], {"44": 200, "37": 12}, "37", "art6_1"),                    # in hukou province
        (["37", "44"], {"37": 60, "44": 120}, "44", "art6_2"),                    # 10 years there exactly
        (["37", "44"], {"37": 60, "44": 119}, "37", "art6_4"),                    # a month short
        (["31", "44"], {"31": 130, "44": 50}, "31", "art6_3"),                    # back to earlier 10 years
        (["31", "32", "44"], {"31": 130, "32": 125, "44": 50}, "32", "art6_3"),   # the most recent one
        (["31", "32", "44"], {"31": 130, "32": 20, "44": 50}, "31", "art6_3"),
        (["31", "32", "44"], {"31": 100, "32": 20, "44": 50}, "37", "art6_4"),    # nowhere 10 years
        ([], {}, "37", "art6_4"),
    ],
)
def test_art6_claim_province(places, months, claim, rule) -> None:
    assert claim_province(places=places, months_there=months, hukou_province="37") == (claim, rule)


def test_relationship_follows_regular_periods_and_this_transfer() -> None:
    history = [period("31", "2000-01", "2009-12"), period("44", "2010-01", "2012-12", temporary=True)]
    assert relationship_places(history, new_province="32", procedure="transfer") == ["31", "32"]
    assert relationship_places(history, new_province="32", procedure="temporary_account") == ["31"]
    assert relationship_months(history) == {"31": 120}


def test_a_temporary_account_keeps_the_claim_at_the_last_place() -> None:
    # 12 years in 广东, hukou 山东, moves to 上海 at 52: the relationship stays in 广东, 10+ years there.
    history = (period("44", "2010-01", "2021-12"),)
    stays = assess_transfer(request(birth_date=date(1974, 1, 1), hukou_province="37", new_province="31", history=history))
    assert (stays.procedure, stays.claim_province, stays.claim_rule) == ("temporary_account", "44", "art6_2")
    # the same history at 45 transfers: 上海 has no years yet, so back to 广东 (art. 6 item 3)
    moves = assess_transfer(request(birth_date=date(1981, 1, 1), hukou_province="37", new_province="31", history=history))
    assert (moves.procedure, moves.claim_province, moves.claim_rule) == ("transfer", "44", "art6_3")


def test_temporary_account_months_do_not_make_ten_years_there() -> None:
    # relationship in 31 (5 years), then 11 years in 44 on a temporary account: 44 never holds it.
    history = (period("31", "2000-01", "2004-12"), period("44", "2005-01", "2015-12", temporary=True))
    a = assess_transfer(request(birth_date=date(1960, 1, 1), hukou_province="37", new_province="32", history=history))
    assert a.procedure == "temporary_account"
    assert a.claim_province == "37" and a.claim_rule == "art6_4"


def test_moving_back_to_hukou_claims_there_even_with_few_years() -> None:
    a = assess_transfer(request(hukou_province="37", new_province="37", history=(period("44", "2000-01", "2019-12"),)))
    assert a.claim_province == "37" and a.claim_rule == "art6_1"


def test_returning_to_an_earlier_province_adds_its_years_up() -> None:
    # 31 for 6 years, 44 for 3, back to 31 for 5: 11 years cumulative in 31, where the relationship is.
    history = (
        period("31", "2000-01", "2005-12"), period("44", "2006-01", "2008-12"), period("31", "2009-01", "2013-12"),
    )
    a = assess_transfer(request(hukou_province="37", new_province="31", history=history))
    assert a.claim_province == "31" and a.claim_rule == "art6_2"
    assert a.pooled_fund_amount == Decimal(36 * 6000) * Decimal("0.12")


# --- explanation ----------------------------------------------------------------

def test_explanation_names_the_rules_applied() -> None:
    a = assess_transfer(
        request(birth_date=date(1966, 1, 1), new_province="31", history=(period("44", "2010-01", "2021-12"),)),
        province_names={"31": "上海市", "37": "山东省", "44": "广东省"},
    )
    assert "国办发〔2009〕66号" in a.explanation
    assert "第五条" in a.explanation and "第六条第二项" in a.explanation
    assert "广东省" in a.explanation and "（44）" not in a.explanation  # a province by its name, never its code
    assert "60周岁" in a.explanation
