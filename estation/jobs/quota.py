"""The disability employment quota (按比例安排残疾人就业): rules per province and the arithmetic.

Rules: 《残疾人就业条例》 art. 8 sets the quota at no less than 1.5% of an employer's staff, the exact
rate fixed by each province; 《残疾人就业保障金征收使用管理办法》 (财税〔2015〕72号) art. 4 counts a
person with a grade 1 or 2 (severe) disability as two. Employers with 30 staff or fewer are exempt from
the levy (财政部公告2019年第98号), though the quota itself still applies.

Rounding (our choice, documented): the required number ``staff × rate`` and the gap are kept exact (the
levy is computed on the fractional gap), so 150 staff at 1.5% require 2.25 counted employees. How many
more people to hire is the gap rounded UP, because a fraction of a person cannot be hired and any
remaining gap still costs levy: a gap of 0.25 means one more hire (or one severe-disability hire, which
counts two). Decimal arithmetic avoids float surprises such as 200 × 0.015 = 3.0000000000000004.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from estation.errors import InvalidInput
from estation.jobs.models import Adjustment
from estation.physical import label

if TYPE_CHECKING:
    from estation.jobs.models import Employer, Vacancy


@dataclass(frozen=True)
class QuotaRule:
    province: str
    name: str
    rate: Decimal
    severe_weight: int = 2
    """A grade 1 or 2 disability counts this many times."""
    levy_exempt_up_to: int = 30
    """Employers with at most this many staff pay no levy (the quota still applies)."""
    source: str = ""


NATIONAL = QuotaRule("00", "全国最低标准", Decimal("0.015"), source="《残疾人就业条例》第八条")

RULES: dict[str, QuotaRule] = {
    "37": QuotaRule("37", "山东省", Decimal("0.015"), source="《山东省按比例安排残疾人就业办法》：不低于1.5%"),
    "11": QuotaRule("11", "北京市", Decimal("0.017"), source="《北京市按比例安排残疾人就业办法》：1.7%"),
}
"""Province code -> rule. Add a province here when its rate differs; any other province gets NATIONAL."""


def rule_for(province: str) -> QuotaRule:
    return RULES.get(province, NATIONAL)


@dataclass(frozen=True)
class QuotaStatus:
    rule: QuotaRule
    staff_count: int
    disabled_grade12: int
    disabled_other: int
    counted: int
    """Disabled employees as the rules count them (grade 1-2 weighted)."""
    required: Decimal
    gap: Decimal
    hires_needed: int
    """More disabled employees (grade 3-4) needed to meet the quota."""
    severe_hires_needed: int
    """...or this many with a grade 1-2 disability, each counting double."""
    levy_exempt: bool

    @property
    def met(self) -> bool:
        return self.gap == 0

    @property
    def actual_rate(self) -> Decimal:
        if self.staff_count == 0:
            return Decimal(0)
        return Decimal(self.counted) / Decimal(self.staff_count)

    @property
    def required_text(self) -> str:
        return _plain(self.required)

    @property
    def gap_text(self) -> str:
        return _plain(self.gap)

    @property
    def rate_percent(self) -> str:
        return f"{self.rule.rate * 100:.1f}%"

    @property
    def actual_percent(self) -> str:
        return f"{self.actual_rate * 100:.2f}%"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_staff_counts(*, staff_count: int, disabled_grade12: int, disabled_other: int) -> None:
    for field, value in (("staff_count", staff_count), ("disabled_staff_grade12", disabled_grade12),
                         ("disabled_staff_other", disabled_other)):
        if value < 0:
            raise InvalidInput("人数不能为负数", field=field)
    if disabled_grade12 + disabled_other > staff_count:
        raise InvalidInput("残疾职工人数不能超过在职职工总数", field="disabled_staff_other")


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def quota_status(*, staff_count: int, disabled_grade12: int, disabled_other: int, province: str) -> QuotaStatus:
    check_staff_counts(staff_count=staff_count, disabled_grade12=disabled_grade12, disabled_other=disabled_other)
    rule = rule_for(province)
    counted = disabled_grade12 * rule.severe_weight + disabled_other
    required = Decimal(staff_count) * rule.rate
    gap = max(Decimal(0), required - counted)
    return QuotaStatus(
        rule=rule, staff_count=staff_count, disabled_grade12=disabled_grade12, disabled_other=disabled_other,
        counted=counted, required=required, gap=gap,
        hires_needed=_ceil(gap), severe_hires_needed=_ceil(gap / rule.severe_weight),
        levy_exempt=staff_count <= rule.levy_exempt_up_to,
    )


def employer_quota(employer: Employer) -> QuotaStatus:
    return quota_status(staff_count=employer.staff_count, disabled_grade12=employer.disabled_staff_grade12,
                        disabled_other=employer.disabled_staff_other, province=employer.province)


ACCESSIBLE_ADJUSTMENTS = frozenset({
    Adjustment.seated_work, Adjustment.step_free, Adjustment.home_based, Adjustment.accessible_toilet,
    Adjustment.sign_language, Adjustment.screen_reader,
})
LOW_DEMAND = 1
"""At most "occasionally standing" and "lifting up to 5 kg": manageable for most physical disabilities."""


def disability_friendly_reasons(vacancy: Vacancy) -> list[str]:
    """Why a vacancy suits disabled residents (empty when it does not stand out), in Chinese.

    Every reason rests on something the employer stated, never on a default:
    - low physical effort only when the employer stated both standing/walking and lifting/carrying at
      LOW_DEMAND or below (a vacancy that left either unstated is not called low-effort);
    - each accessible adjustment the employer ticked (seated work, step-free access, ...);
    - home-based work when the employer said the job can be done at home.
    A vacancy with none of these gets no 适合残疾人 tag. Seeing, hearing and speaking are not reasons
    here: a low stated level there is shown as the demand itself ("不依赖视力"), never inferred.
    """
    reasons = []
    demands = vacancy.demands or {}
    effort = [demands.get(d) for d in ("standing_walking", "lifting_carrying")]
    if all(level is not None and level <= LOW_DEMAND for level in effort):
        reasons.append(f"体力要求低（{label('standing_walking', effort[0])}、{label('lifting_carrying', effort[1])}）")
    offered = [Adjustment(a) for a in vacancy.adjustments or [] if a in Adjustment._value2member_map_]
    helpful = [a.label for a in offered if a in ACCESSIBLE_ADJUSTMENTS]
    if helpful:
        reasons.append("提供" + "、".join(helpful))
    if vacancy.home_based and Adjustment.home_based not in offered:
        reasons.append("可居家工作")
    return reasons
