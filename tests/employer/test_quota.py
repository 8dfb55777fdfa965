"""The disability quota arithmetic, table-driven, and the vacancies it highlights."""

from decimal import Decimal

import pytest

from estation.errors import InvalidInput
from estation.jobs.models import Vacancy
from estation.jobs.quota import disability_friendly_reasons, quota_status, rule_for


@pytest.mark.parametrize(
    ("staff", "grade12", "other", "province", "counted", "required", "gap", "hires", "severe", "exempt"),
    [
        (0, 0, 0, "37", 0, "0", "0", 0, 0, True),
        (30, 0, 0, "37", 0, "0.45", "0.45", 1, 1, True),  # small employer: exempt from the levy, quota still shown
        (31, 0, 0, "37", 0, "0.465", "0.465", 1, 1, False),
        (66, 0, 0, "37", 0, "0.99", "0.99", 1, 1, False),
        (67, 0, 0, "37", 0, "1.005", "1.005", 2, 1, False),  # just over one person: two hires, or one severe
        (100, 0, 1, "37", 1, "1.5", "0.5", 1, 1, False),
        (100, 1, 0, "37", 2, "1.5", "0", 0, 0, False),  # grade 1-2 counts double: met
        (150, 0, 0, "37", 0, "2.25", "2.25", 3, 2, False),
        (200, 0, 0, "37", 0, "3", "3", 3, 2, False),  # exactly 3: float maths would say 3.0000000000000004 -> 4
        (200, 1, 1, "37", 3, "3", "0", 0, 0, False),
        (1000, 2, 5, "37", 9, "15", "6", 6, 3, False),
        (1000, 0, 0, "11", 0, "17", "17", 17, 9, False),  # Beijing's own rate, 1.7%
        (1000, 0, 0, "44", 0, "15", "15", 15, 8, False),  # a province without its own entry: the national 1.5%
        (10, 3, 2, "37", 8, "0.15", "0", 0, 0, True),  # over-achievement never gives a negative gap
    ],
)
def test_quota_table(staff, grade12, other, province, counted, required, gap, hires, severe, exempt) -> None:
    q = quota_status(staff_count=staff, disabled_grade12=grade12, disabled_other=other, province=province)
    assert q.counted == counted
    assert q.required == Decimal(required)
    assert q.gap == Decimal(gap)
    assert (q.hires_needed, q.severe_hires_needed) == (hires, severe)
    assert q.levy_exempt is exempt
    assert q.met is (Decimal(gap) == 0)


def test_shandong_is_one_and_a_half_percent_and_counts_severe_twice() -> None:
    rule = rule_for("37")
    assert rule.rate == Decimal("0.015") and rule.severe_weight == 2 and rule.name == "山东省"


def test_texts_are_plain_numbers() -> None:
    q = quota_status(staff_count=150, disabled_grade12=0, disabled_other=0, province="37")
    assert (q.required_text, q.gap_text, q.rate_percent) == ("2.25", "2.25", "1.5%")
    q = quota_status(staff_count=200, disabled_grade12=0, disabled_other=0, province="37")
    assert (q.required_text, q.gap_text) == ("3", "3")


@pytest.mark.parametrize(("staff", "g12", "other", "field"), [
    (5, 4, 2, "disabled_staff_other"),
    (-1, 0, 0, "staff_count"),
])
def test_impossible_counts_are_refused(staff, g12, other, field) -> None:
    with pytest.raises(InvalidInput) as err:
        quota_status(staff_count=staff, disabled_grade12=g12, disabled_other=other, province="37")
    assert err.value.field == field


@pytest.mark.parametrize(("demands", "adjustments", "home", "friendly"), [
    ({"standing_walking": 0, "lifting_carrying": 1}, [], False, True),
    ({"standing_walking": 3, "lifting_carrying": 2}, [], False, False),
    ({"standing_walking": 3, "lifting_carrying": 2}, ["seated_work"], False, True),
    ({"standing_walking": 3, "lifting_carrying": 2}, ["training"], False, False),  # training alone is no access
    ({"standing_walking": 3}, [], True, True),
    ({}, [], False, False),  # nothing stated (posted with untouched controls): no claim at all
    ({"standing_walking": 0}, [], False, False),  # lifting never stated: not called low-effort
    ({"lifting_carrying": 1, "seeing": 0, "hearing": 0}, ["training"], False, False),
])
def test_vacancies_that_suit_disabled_residents(demands, adjustments, home, friendly) -> None:
    v = Vacancy(demands=demands, adjustments=adjustments, home_based=home)  # as posted, before it is saved
    assert bool(disability_friendly_reasons(v)) is friendly
