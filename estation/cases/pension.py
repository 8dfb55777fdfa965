"""Pension transfer assessment: the national rules of ``shared/reference/pension-transfer-rules.md``.

Pure functions over plain values, no database and no HTTP, so the counter case, the API and the tests
all apply exactly the same rules. Article numbers follow the 2009 interim measures (国办发〔2009〕66号).

Two choices the reference leaves open, made here on purpose:
- Months paid into a *temporary account* count towards the total and towards the province where they
  were paid in ``years_by_province``, but that province never holds the relationship, so they do not
  help it reach the 10 years of art. 6 (the test there is "years where the relationship is").
- Deemed years are not modelled: the history only knows contribution months.
"""

from __future__ import annotations

import calendar
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Sex = Literal["male", "female"]
Procedure = Literal["transfer", "temporary_account"]

POOLED_FUND_SHARE = Decimal("0.12")
POOLED_FUND_FROM = date(1998, 1, 1)
"""Months before January 1998 move nothing from the pooled fund (art. 4)."""
CLAIM_PLACE_YEARS = 10
DEFAULT_MINIMUM_YEARS = Decimal(15)
TEMPORARY_ACCOUNT_AGE: dict[str, int] = {"male": 50, "female": 40}

CENT = Decimal("0.01")

RULE_TEXT = {
    "art5_hukou": "第五条：回户籍所在省就业参保的，不论年龄，基本养老保险关系和资金均随同转移",
    "art5_official": "第五条：经县级以上党委组织部门或人力资源社会保障部门批准调动、在调入单位建立劳动关系并缴费的，不受年龄限制，办理转移",
    "art5_age_under": "第五条：到户籍省以外就业参保、办理时未达临时账户年龄（男50周岁、女40周岁）的，转移基本养老保险关系",
    "art5_age_over": "第五条：到户籍省以外就业参保、办理时男满50周岁或女满40周岁的，基本养老保险关系不转移，在新参保地建立临时基本养老保险缴费账户",
    "art4_personal": "第四条：个人账户储存额全部转移",
    "art4_pooled": "第四条：统筹基金按1998年1月起各月实际缴费工资基数的12%转移（1998年前的月份不转统筹基金）",
    "art6_1": "第六条第一项：基本养老保险关系在户籍所在省的，由户籍所在省负责办理待遇领取",
    "art6_2": "第六条第二项：基本养老保险关系不在户籍省、但在关系所在地累计缴费满10年的，在关系所在地领取",
    "art6_3": "第六条第三项：关系所在地累计缴费不满10年的，回到上一个缴费满10年的原参保地领取",
    "art6_4": "第六条第四项：各参保地缴费均不满10年的，将关系和资金归集到户籍所在省领取",
    "minimum": "社会保险法第十六条：累计缴费满{years}年方可按月领取基本养老金，不足的可以延长缴费至满{years}年或转入城乡居民养老保险",
}


@dataclass(frozen=True)
class Period:
    """Contributions in one province from ``start`` to ``end`` (both the first day of a month, inclusive)."""

    province: str
    start: date
    end: date
    monthly_wage_base: Decimal
    temporary_account: bool = False

    @property
    def months(self) -> int:
        return month_span(self.start, self.end)


@dataclass(frozen=True)
class TransferRequest:
    sex: Sex
    birth_date: date
    hukou_province: str
    new_province: str
    application_date: date
    history: tuple[Period, ...] = ()
    approved_official_transfer: bool = False
    personal_account_balance: Decimal = Decimal(0)


@dataclass(frozen=True)
class TransferAssessment:
    procedure: Procedure
    pooled_fund_amount: Decimal
    personal_account_amount: Decimal
    years_by_province: dict[str, Decimal]
    total_contribution_years: Decimal
    meets_minimum: bool
    claim_province: str
    claim_rule: str
    rules_applied: list[str] = field(default_factory=list)
    explanation: str = ""


# --- dates -------------------------------------------------------------------------------------

def month_span(start: date, end: date) -> int:
    """Months from ``start`` to ``end`` inclusive; 0 when ``end`` is before ``start``."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def anniversary(birth: date, year: int) -> date:
    """The birthday in ``year``; 29 February falls on 28 February in common years (the last day of
    the month, as the Civil Code art. 201 counts periods that end in a month without that day)."""
    last = calendar.monthrange(year, birth.month)[1]
    return date(year, birth.month, min(birth.day, last))


def age_on(birth: date, on: date) -> int:
    """Completed years of age on ``on``; the birthday itself counts (one is 50 on the 50th birthday)."""
    years = on.year - birth.year
    if on < anniversary(birth, on.year):
        years -= 1
    return years


def years_from_months(months: int) -> Decimal:
    return (Decimal(months) / 12).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the rules ---------------------------------------------------------------------------------

def decide_procedure(
    *, sex: Sex, birth_date: date, hukou_province: str, new_province: str, application_date: date,
    approved_official_transfer: bool,
) -> tuple[Procedure, str]:
    """Art. 5: transfer, or keep the relationship and open a temporary account. Returns the rule key."""
    if new_province == hukou_province:
        return "transfer", "art5_hukou"
    if age_on(birth_date, application_date) < TEMPORARY_ACCOUNT_AGE[sex]:
        return "transfer", "art5_age_under"
    if approved_official_transfer:
        return "transfer", "art5_official"
    return "temporary_account", "art5_age_over"


def pooled_fund_amount(history: tuple[Period, ...] | list[Period], new_province: str) -> Decimal:
    """Art. 4: 12% of every monthly base from 1998-01 on, over the periods outside ``new_province``."""
    total = Decimal(0)
    for period in history:
        if period.province == new_province:
            continue
        counted = month_span(max(period.start, POOLED_FUND_FROM), period.end)
        total += period.monthly_wage_base * counted
    return (total * POOLED_FUND_SHARE).quantize(CENT, rounding=ROUND_HALF_UP)


def months_by_province(history: tuple[Period, ...] | list[Period]) -> dict[str, int]:
    """All contribution months by the province they were paid in, in order of first appearance."""
    months: dict[str, int] = OrderedDict()
    for period in history:
        months[period.province] = months.get(period.province, 0) + period.months
    return dict(months)


def relationship_places(
    history: tuple[Period, ...] | list[Period], *, new_province: str, procedure: Procedure,
) -> list[str]:
    """The provinces that held the relationship, oldest first, ending with where it is after this move.

    A regular period moves the relationship to its province; a temporary-account period leaves it where
    it was. After this move it is in ``new_province`` when transferring, and stays put otherwise.
    """
    places: list[str] = []
    for period in history:
        if not period.temporary_account and (not places or places[-1] != period.province):
            places.append(period.province)
    if procedure == "transfer" and (not places or places[-1] != new_province):
        places.append(new_province)
    return places


def relationship_months(history: tuple[Period, ...] | list[Period]) -> dict[str, int]:
    """Months paid in each province while the relationship was there (temporary accounts excluded)."""
    months: dict[str, int] = {}
    for period in history:
        if not period.temporary_account:
            months[period.province] = months.get(period.province, 0) + period.months
    return months


def claim_province(
    *, places: list[str], months_there: dict[str, int], hukou_province: str,
) -> tuple[str, str]:
    """Art. 6 applied to the relationship places (oldest first). Returns the province and the rule key."""
    if not places:
        return hukou_province, "art6_4"
    current = places[-1]
    if current == hukou_province:
        return hukou_province, "art6_1"
    needed = CLAIM_PLACE_YEARS * 12
    if months_there.get(current, 0) >= needed:
        return current, "art6_2"
    for earlier in reversed(places[:-1]):
        if earlier != current and months_there.get(earlier, 0) >= needed:
            return earlier, "art6_3"
    return hukou_province, "art6_4"


# --- the whole assessment ---------------------------------------------------------------------

def assess_transfer(
    request: TransferRequest, *, minimum_years: Decimal = DEFAULT_MINIMUM_YEARS,
    province_names: Mapping[str, str] | None = None,
) -> TransferAssessment:
    """Apply arts. 4-6 and the minimum to one application; ``province_names`` only dresses the text."""
    history = tuple(sorted(request.history, key=lambda p: p.start))
    procedure, procedure_rule = decide_procedure(
        sex=request.sex,
        birth_date=request.birth_date,
        hukou_province=request.hukou_province,
        new_province=request.new_province,
        application_date=request.application_date,
        approved_official_transfer=request.approved_official_transfer,
    )
    transferring = procedure == "transfer"
    pooled = pooled_fund_amount(history, request.new_province) if transferring else Decimal("0.00")
    personal = (
        Decimal(request.personal_account_balance).quantize(CENT, rounding=ROUND_HALF_UP)
        if transferring else Decimal("0.00")
    )
    by_province = months_by_province(history)
    total_months = sum(by_province.values())
    places = relationship_places(history, new_province=request.new_province, procedure=procedure)
    claim, claim_rule = claim_province(
        places=places, months_there=relationship_months(history), hukou_province=request.hukou_province
    )
    meets = Decimal(total_months) >= minimum_years * 12
    rules = [procedure_rule]
    if transferring:
        rules += ["art4_personal", "art4_pooled"]
    rules += [claim_rule, "minimum"]
    assessment = TransferAssessment(
        procedure=procedure,
        pooled_fund_amount=pooled,
        personal_account_amount=personal,
        years_by_province={code: years_from_months(m) for code, m in by_province.items()},
        total_contribution_years=years_from_months(total_months),
        meets_minimum=meets,
        claim_province=claim,
        claim_rule=claim_rule,
        rules_applied=rules,
    )
    return _with_explanation(
        assessment, request, places=places, minimum_years=minimum_years, total_months=total_months,
        names=province_names or {},
    )


def _with_explanation(
    a: TransferAssessment, request: TransferRequest, *, places: list[str], minimum_years: Decimal,
    total_months: int, names: Mapping[str, str],
) -> TransferAssessment:
    def name(code: str) -> str:
        return names.get(code, code)

    age = age_on(request.birth_date, request.application_date)
    lines = [
        "依据《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）及人社部规〔2016〕5号：",
        f"申请日年满{age}周岁，户籍所在省{name(request.hukou_province)}，转入省{name(request.new_province)}。",
        RULE_TEXT[a.rules_applied[0]] + "。",
    ]
    if a.procedure == "transfer":
        lines.append(
            f"{RULE_TEXT['art4_personal']}：{a.personal_account_amount}元；"
            f"{RULE_TEXT['art4_pooled']}，转入省以外各段合计：{a.pooled_fund_amount}元。"
        )
    else:
        lines.append("关系和资金暂不转移，个人账户和统筹基金转移额均为0；今后再次流动或达到待遇领取条件时，"
                     "临时账户全部缴费本息归集到原参保地或待遇领取地。")
    minimum_text = RULE_TEXT["minimum"].format(years=_plain(minimum_years))
    lines.append(
        f"累计缴费{a.total_contribution_years}年（{total_months}个月），"
        + ("已满" if a.meets_minimum else "未满") + f"{_plain(minimum_years)}年；{minimum_text}。"
    )
    lines.append(
        f"本次办理后基本养老保险关系所在地为{name(places[-1]) if places else '（无）'}；"
        f"{RULE_TEXT[a.claim_rule]}，待遇领取地为{name(a.claim_province)}。"
    )
    if any(p.temporary_account for p in request.history):
        lines.append("临时缴费账户的缴费年限计入累计年限，但不计入该地满10年的判断（关系不在该地）。")
    lines.append("视同缴费年限未计入本测算。")
    return TransferAssessment(**{**a.__dict__, "explanation": "".join(lines)})


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
