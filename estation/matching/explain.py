"""Why a job suits a resident, in words an older resident understands, and the check that each claim
is true. Pure functions.

A card shows at most three reasons: the ones that set this job apart for this person (work they have
done or asked for first; then what the job does not ask of them; then the hours they wanted and the
skills it uses). Where the job is and how long the walk is the card shows as facts beside them. Every
reason is a typed claim carrying its evidence (estation.matching.schemas.Reason), and
:func:`false_claims` re-derives each one from the resident's words and limits and the job's own
fields: the tests run it over the whole demo population, the evaluation counts what it finds.

Rules the claims keep:
- work "done" is said only when an experience line (what was done, without when and where) is read,
  with confidence, as the job's very occupation code; words shared with the listing never make that claim;
- a wish is cited only when it names the kind of work the job title says (or its occupation code),
  never a wish about getting there (a home-based job has no journey);
- a limit is said as what the job does not ask, and only where the employer stated that demand.

The list as a whole says, for each of the resident's limits, how many related jobs it removed and
what the resident could relax or ask at the counter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from estation.matching.limits import DISTANCE, HOME_ONLY, HOURS, JobFacts, ResidentLimits, limit_keys, limit_label
from estation.matching.schemas import LimitOut, Reason
from estation.matching.scoring import (
    Profile,
    ResidentOccupations,
    Scored,
    item_words,
    job_phrase,
    job_terms,
    shared_words,
)
from estation import physical
from estation.physical import DOMAIN_NAMES, DOMAINS, MAX_LEVEL, demand_ceiling, domain_label

MAX_REASONS = 3

ADJUSTMENT_WORDS = {
    "seated_work": "单位安排坐着干", "step_free": "进出有无障碍通道", "accessible_toilet": "有无障碍卫生间",
    "flexible_hours": "上下班时间可以商量", "training": "上岗前有人教", "sign_language": "单位有人会手语",
    "screen_reader": "电脑装了读屏软件", "home_based": "可以在家干",
}
ADJUSTMENT_EASES = {adj: tuple(d for d, _most in physical.eases(adj)) for adj in ADJUSTMENT_WORDS}
"""The domains in which a resident must be limited for the adjustment to be said to help them."""
TRAVEL_WORDS = ("出门", "通勤", "离家", "走路", "步行", "无障碍", "路程", "坐车", "公交", "近一点", "附近", "路远")
"""Words of a wish about getting to work: such a wish says nothing about a job done at home."""
NOT_FOR_HOME_JOBS = ("seated_work", "step_free", "accessible_toilet", "home_based")
"""Adjustments that matter only to work done at the employer's (or that a home-based job has anyway):
never said of a home-based job."""
_WANT = re.compile(r"想找|想做|想干|想在|希望找|希望做|愿意做|打算找|要找|想")
_KIND_SPLIT = re.compile(r"或者|或是|或|和|及|、|/")
_FRAME_END = re.compile(r"(之类|一类|这类|等)?的?(工作|活儿|活|岗位|事情|事)?$")
PRIORITY = ("experience", "registered", "wish", "not_needed", "adjustment", "hours", "skill")
SAME_FOR_EVERY_CARD = ("not_needed", "adjustment")
"""Kinds that, when every card of a list says the same, tell nothing about one job: said after the rest."""


@dataclass(frozen=True)
class Context:
    """What the reasons are drawn from, besides the job: the resident and the occupation names."""

    profile: Profile
    limits: ResidentLimits
    occupations: ResidentOccupations
    names: Mapping[str, str]
    """Occupation code -> its name in the classification."""


# --------------------------------------------------------------------------- the reasons of one job


def candidates(scored: Scored, ctx: Context) -> list[Reason]:
    """Every reason that holds for this job and resident, in :data:`PRIORITY` order."""
    job, limits = scored.job, ctx.limits
    out: list[Reason] = []
    out += _occupation_reasons(job, ctx)
    out += _wish_reasons(job, ctx)
    out += _not_needed(job, limits)
    for adj in scored.helpful:
        if adj in ADJUSTMENT_WORDS and not (job.home_based and adj in NOT_FOR_HOME_JOBS):
            out.append(Reason(kind="adjustment", text=ADJUSTMENT_WORDS[adj], adjustment=adj,
                              domain=(ADJUSTMENT_EASES[adj] or ("",))[0]))
            break
    preferred = ctx.profile.preferred_hours_per_day
    if job.hours_per_day is not None and preferred and abs(job.hours_per_day - preferred) < 0.26:
        out.append(Reason(kind="hours", text=f"每天干{job.hours_per_day:g}小时，正是您想干的时长",
                          hours=job.hours_per_day))
    skills = [i for i in ctx.profile.items if i.source == "skills"]
    for item in skills:
        words = [w for w in (_as_written(w, item.text) for w in shared_words(item.text, job.text)) if w]
        if words:
            out.append(Reason(kind="skill", text=f"用得上您会的{words[0]}", item=item.text, word=words[0]))
            break
    return sorted(out, key=lambda r: PRIORITY.index(r.kind))


def _as_written(word: str, item: str) -> str | None:
    """The word as the resident wrote it (the text analysis folds case: a1 for A1), or None."""
    at = item.lower().find(word.lower())
    return item[at:at + len(word)] if at >= 0 else None


def _occupation_reasons(job: JobFacts, ctx: Context) -> list[Reason]:
    for code in job.occupation_codes:
        name = ctx.names.get(code)
        if not name:
            continue
        done = ctx.occupations.items_for(code, "experience")
        if done:
            return [Reason(kind="experience", text=f"您做过{name}，这份也是{name}的活", item=done[0].text, code=code)]
        if code in ctx.profile.occupation_codes:
            return [Reason(kind="registered", text=f"是您登记过的工种：{name}", code=code)]
    return []


def _wish_reasons(job: JobFacts, ctx: Context) -> list[Reason]:
    for code in job.occupation_codes:
        wished = [i for i in ctx.occupations.items_for(code, "wishes") if asks_for_work(i.text)]
        if wished and ctx.names.get(code):
            return [Reason(kind="wish", text=f"正是您想找的{ctx.names[code]}工作", item=wished[0].text, code=code)]
    for item in ctx.profile.items:
        if item.source != "wishes":
            continue
        for kind in wanted(item.text):
            if _title_says(kind, job.title):
                return [Reason(kind="wish", text=f"正是您想找的“{kind}”一类活", item=item.text, word=kind)]
    return []


def wanted(wish: str) -> list[str]:
    """The kinds of work a wish asks for: "想找家政或养老护理的工作" -> ["家政", "养老护理"]. None for a wish
    that asks for no work ("目前在小区做保安" says what is, not what is wanted) or asks about getting there."""
    m = _WANT.search(wish)
    if m is None or _about_travel(wish):
        return []
    rest = _FRAME_END.sub("", wish[m.end():])
    return [k.strip() for k in _KIND_SPLIT.split(rest) if len(k.strip()) >= 2]


def asks_for_work(wish: str) -> bool:
    return bool(wanted(wish))


def _title_says(kind: str, title: str) -> bool:
    """Every meaningful word of ``kind`` (or a synonym of it) is in the job title: 数据标注 is no 数据录入员."""
    words = item_words(kind)
    terms = job_terms(title)
    return bool(words) and all(alts & terms for _w, alts in words)


def _about_travel(text: str) -> bool:
    return any(w in text for w in TRAVEL_WORDS)


def _not_needed(job: JobFacts, limits: ResidentLimits) -> list[Reason]:
    """What the job does not ask, in the domains the resident is most limited in (two at most)."""
    demands = dict(job.demands)
    out = []
    for domain in sorted(limits.restricted, key=lambda d: (limits.levels[d], DOMAIN_NAMES.index(d))):
        demand = demand_ceiling(demands, domain)
        if demand < MAX_LEVEL and demand <= limits.levels[domain]:
            out.append(Reason(kind="not_needed", text=DOMAINS[domain].not_needed[demand], domain=domain, level=demand))
    return out[:2]


def choose(per_job: Sequence[Sequence[Reason]], *, k: int = MAX_REASONS) -> list[list[Reason]]:
    """At most ``k`` reasons per card. A reason every card of the list shares (the same limit
    respected, all home-based) goes after the ones that set the card apart."""
    def key(r: Reason) -> tuple:
        return (r.kind, r.domain, r.adjustment)

    shared: set[tuple] = set()
    if len(per_job) > 1:
        shared = set.intersection(*({key(r) for r in rs if r.kind in SAME_FOR_EVERY_CARD} for rs in per_job))
    return [sorted(rs, key=lambda r: (key(r) in shared, PRIORITY.index(r.kind)))[:k] for rs in per_job]


def explanation(reasons: Sequence[Reason]) -> str:
    return "；".join(r.text for r in reasons) + "。" if reasons else ""


# --------------------------------------------------------------------------- the check of every claim


def false_claims(reasons: Sequence[Reason], *, profile: Profile, limits: ResidentLimits, job: JobFacts,
                 occupations) -> list[str]:
    """The reasons that do not hold, each as "<kind>: <text>"; empty when every claim is true.

    Each claim is derived again from the resident's words and limits and the job's fields, not from
    the score that produced it. ``occupations`` (the occupation index) reads experience and wish lines
    again; without it, no claim resting on a line's occupation can hold."""
    return [f"{r.kind}: {r.text}" for r in reasons if not _holds(r, profile, limits, job, occupations)]


def _holds(r: Reason, profile: Profile, limits: ResidentLimits, job: JobFacts, occupations) -> bool:
    said = {s: {i.text for i in profile.items if i.source == s} for s in ("skills", "experience", "wishes")}
    name = occupations.name(r.code) if occupations is not None and r.code else None
    if r.kind == "experience":
        return (r.item in said["experience"] and r.code in job.occupation_codes and bool(name) and name in r.text
                and r.code in {m.code for m in occupations.confident(job_phrase(r.item))})
    if r.kind == "registered":
        return r.code in profile.occupation_codes and r.code in job.occupation_codes and bool(name) and name in r.text
    if r.kind == "wish":
        if r.item not in said["wishes"] or not asks_for_work(r.item) or (job.home_based and _about_travel(r.item)):
            return False
        if r.code:
            return (r.code in job.occupation_codes and bool(name) and name in r.text
                    and r.code in {m.code for m in occupations.confident(r.item)})
        return r.word in wanted(r.item) and f"“{r.word}”" in r.text and _title_says(r.word, job.title)
    if r.kind == "skill":
        return r.item in said["skills"] and r.word in r.text and _says(r.item, r.word, job.text)
    if r.kind == "not_needed":
        level = limits.levels.get(r.domain, MAX_LEVEL)
        return (level < MAX_LEVEL and r.level is not None and r.level < MAX_LEVEL
                and demand_ceiling(dict(job.demands), r.domain) <= r.level
                and r.text == DOMAINS[r.domain].not_needed[r.level])
    if r.kind == "adjustment":
        eases = ADJUSTMENT_EASES.get(r.adjustment)
        if r.adjustment not in job.adjustments or eases is None or r.text != ADJUSTMENT_WORDS[r.adjustment] \
                or (job.home_based and r.adjustment in NOT_FOR_HOME_JOBS):
            return False
        if not eases:  # flexible hours: for a resident whose days are short
            return limits.max_hours_per_day is not None
        return any(limits.levels[d] < MAX_LEVEL for d in eases)
    if r.kind == "hours":
        preferred = profile.preferred_hours_per_day
        return (job.hours_per_day is not None and r.hours == job.hours_per_day and bool(preferred)
                and abs(job.hours_per_day - preferred) < 0.26)
    return False


def _says(item: str, word: str, text: str) -> bool:
    """``word`` is one the resident wrote in ``item``, and ``text`` says it (or a synonym of it)."""
    alternatives = dict(item_words(item)).get(word.lower()) or dict(item_words(item)).get(word)
    return bool(alternatives) and word in item and bool(alternatives & job_terms(text))


# --------------------------------------------------------------------------- the list as a whole


def limit_outs(effects: Mapping[str, tuple[int, int]], limits: ResidentLimits) -> list[LimitOut]:
    """Each of the resident's limits with (removed, removed by it alone) and what could be done."""
    out = []
    for key in limit_keys(limits):
        removed, alone = effects.get(key, (0, 0))
        out.append(LimitOut(key=key, label=limit_label(key, limits), removed=removed, only_this=alone,
                            advice=advice(key, limits, alone)))
    return out


def advice(key: str, limits: ResidentLimits, alone: int) -> str:
    """What the resident could relax, or ask at the counter, about one limit."""
    more = f"，只改这一条就能多看到{alone}个岗位" if alone else ""
    if key.startswith("physical:"):
        domain = key.split(":", 1)[1]
        return (f"{domain_label(domain)}方面不用勉强自己：可以到服务窗口请工作人员问问单位，"
                f"能不能{DOMAINS[domain].ask}")
    if key == HOURS:
        return f"如果每天能多干一会儿，可以到服务窗口把“每天最多{limits.max_hours_per_day:g}小时”改长一点{more}"
    if key == DISTANCE:
        return f"如果能走远一点，可以到服务窗口把“离家{limits.max_travel_km:g}公里以内”放宽一些{more}"
    if key == HOME_ONLY:
        return f"如果有时能出门干活，可以到服务窗口说一声{more}"
    raise KeyError(key)


def emptied_by(limits_out: Sequence[LimitOut], *, items: int) -> list[str]:
    """With no job left although related jobs exist: the limits that removed them, most first."""
    if items:
        return []
    hit = [lim for lim in limits_out if lim.removed]
    return [lim.key for lim in sorted(hit, key=lambda lim: -lim.removed)]
