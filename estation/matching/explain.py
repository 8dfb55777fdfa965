"""Why a job was recommended, in plain Chinese a resident can read at the kiosk. Pure functions.

Each recommendation says which of the resident's words matched, why the distance and hours fit,
which of the employer's adjustments help, and which of the resident's own limits the job respects;
the list as a whole says how many jobs each limit removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from estation.geo import walking_minutes
from estation.jobs.models import ADJUSTMENT_LABELS, Adjustment
from estation.matching.limits import (
    CLOSED,
    EXPIRED,
    ResidentLimits,
    limit_label,
    order_keys,
    physical_key,
)
from estation.matching.scoring import CLOSE, SOURCE_LABELS, Scored
from estation.physical import MAX_LEVEL, domain_label, label

_ITEMS_SHOWN = 3


@dataclass
class Explanation:
    reasons: list[str] = field(default_factory=list)
    """Why the job fits: words, occupation, distance, hours, adjustments."""
    limits: list[str] = field(default_factory=list)
    """The resident's limits this job respects, each named."""

    @property
    def text(self) -> str:
        return "；".join(self.reasons + self.limits) + "。" if (self.reasons or self.limits) else ""


def _quote(items) -> str:  # noqa: ANN001
    return "、".join(f"“{i.text}”" for i in items[:_ITEMS_SHOWN])


def explain(scored: Scored, limits: ResidentLimits, *, occupation_names: Mapping[str, str] | None = None) -> Explanation:
    job = scored.job
    out = Explanation()
    by_source: dict[str, list] = {}
    for item in scored.matched:
        by_source.setdefault(item.source, []).append(item)
    for source in ("skills", "experience", "wishes"):
        if by_source.get(source):
            out.reasons.append(f"您的{SOURCE_LABELS[source]}{_quote(by_source[source])}与岗位要求相符")
    if scored.closest is not None and scored.closest not in scored.matched and scored.closest_similarity >= CLOSE:
        out.reasons.append(f"岗位内容与您的{SOURCE_LABELS[scored.closest.source]}“{scored.closest.text}”相近")
    if scored.occupation_code and scored.components.get("occupation", 0) >= 0.6:
        name = (occupation_names or {}).get(scored.occupation_code) or (job.occupation_names[0] if job.occupation_names else "")
        if name:
            out.reasons.append(f"岗位职业“{name}”与您做过或想做的工作相符")

    if job.home_based:
        out.reasons.append("居家就业，不用出门通勤")
    elif scored.distance_km is not None:
        km = scored.distance_km
        out.reasons.append(
            f"离家约{km:.1f}公里（步行约{walking_minutes(km)}分钟），在您能去的{limits.max_travel_km:g}公里以内"
        )
    if job.hours_per_day is not None:
        out.reasons.append(f"每天{job.hours_per_day:g}小时，不超过您每天能工作的{limits.max_hours_per_day:g}小时")
    for adj in scored.helpful:
        out.reasons.append(f"单位提供“{ADJUSTMENT_LABELS[Adjustment(adj)]}”，{_why_adjustment(adj, limits)}")

    demands = dict(job.demands)
    for domain in limits.restricted:
        demand, can = demands.get(domain, 0), limits.levels[domain]
        out.limits.append(
            f"按您{domain_label(domain)}方面的情况（能做到“{label(domain, can)}”），"
            f"这个岗位只需要“{label(domain, demand)}”"
        )
    if limits.home_based_only:
        out.limits.append("您只能居家工作，这是居家岗位")
    return out


def _why_adjustment(adj: str, limits: ResidentLimits) -> str:
    lv = limits.levels
    if adj in ("seated_work", "step_free", "accessible_toilet"):
        return f"方便{domain_label('standing_walking')}不便的您（能做到“{label('standing_walking', lv['standing_walking'])}”）"
    if adj == "flexible_hours":
        return f"可以按您每天{limits.max_hours_per_day:g}小时以内安排"
    if adj == "home_based":
        return "不用出门也能工作"
    if adj == "training":
        return "上岗前有人教，慢慢学也不怕"
    if adj == "sign_language":
        return "听说不便也能沟通"
    if adj == "screen_reader":
        return "视力不便也能用电脑"
    return "对您有帮助"


def removed_summary(counts: Mapping[str, int], limits: ResidentLimits, *, pool: int) -> list[str]:
    """One line per limit that removed jobs: the limit named and the number of jobs it ruled out."""
    lines = []
    for key in order_keys([k for k, n in counts.items() if n]):
        if key in (CLOSED, EXPIRED):
            continue  # not the resident's limit: the listing itself is over
        lines.append(f"因“{limit_label(key, limits)}”排除了{counts[key]}个岗位")
    if lines:
        lines.insert(0, f"在与您情况相关的{pool}个岗位中，按您的情况：")
    return lines


def restricted_names(limits: ResidentLimits) -> list[str]:
    return [domain_label(d) for d in limits.restricted if limits.levels[d] < MAX_LEVEL]


__all__ = ["Explanation", "explain", "removed_summary", "restricted_names", "physical_key"]
