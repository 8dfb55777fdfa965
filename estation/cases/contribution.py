"""Continued contribution as a flexible worker (灵活就业人员续保): base bounds, monthly amount, total owed.

The figures are set each year by the province; a :class:`ContributionConfig` carries the year it applies
to, and :data:`DEFAULT_CONFIGS` holds the demo values until an admin stores the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ContributionConfig:
    year: int
    average_monthly_wage: Decimal
    """The province's average monthly wage that the bounds are shares of (全口径城镇单位就业人员平均工资)."""
    lower_share: Decimal = Decimal("0.60")
    upper_share: Decimal = Decimal("3.00")
    rate: Decimal = Decimal("0.20")
    province: str = "37"

    @property
    def lower_base(self) -> Decimal:
        return (self.average_monthly_wage * self.lower_share).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def upper_base(self) -> Decimal:
        return (self.average_monthly_wage * self.upper_share).quantize(CENT, rounding=ROUND_HALF_UP)


DEFAULT_CONFIGS: dict[int, ContributionConfig] = {
    # Demo figures for 山东省; an admin replaces them with the year's published ones.
    2025: ContributionConfig(year=2025, average_monthly_wage=Decimal("7360")),
    2026: ContributionConfig(year=2026, average_monthly_wage=Decimal("7617")),
}


class BaseOutOfRange(ValueError):
    def __init__(self, base: Decimal, config: ContributionConfig) -> None:
        super().__init__(
            f"缴费基数{base}元超出{config.year}年度可选范围{config.lower_base}元至{config.upper_base}元"
        )


@dataclass(frozen=True)
class ContributionQuote:
    year: int
    base: Decimal
    lower_base: Decimal
    upper_base: Decimal
    rate: Decimal
    monthly_amount: Decimal
    months: int
    total: Decimal


def months_inclusive(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def quote(
    config: ContributionConfig, *, months: int, base: Decimal | None = None, base_share: Decimal | None = None,
) -> ContributionQuote:
    """Monthly amount = base x rate (to the cent); total = monthly amount x months.

    ``base`` in yuan or ``base_share`` of the average wage; neither means the lower bound, which most
    flexible workers choose. A base outside the bounds raises :class:`BaseOutOfRange`.
    """
    if base is None:
        share = config.lower_share if base_share is None else Decimal(base_share)
        base = (config.average_monthly_wage * share).quantize(CENT, rounding=ROUND_HALF_UP)
    base = Decimal(base).quantize(CENT, rounding=ROUND_HALF_UP)
    if not config.lower_base <= base <= config.upper_base:
        raise BaseOutOfRange(base, config)
    if months < 0:
        raise ValueError("月数不能为负")
    monthly = (base * config.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return ContributionQuote(
        year=config.year,
        base=base,
        lower_base=config.lower_base,
        upper_base=config.upper_base,
        rate=config.rate,
        monthly_amount=monthly,
        months=months,
        total=monthly * months,
    )
