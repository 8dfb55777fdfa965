"""Load the evaluation job set, index it, run every labelled profile, and measure.

Metrics: nDCG@10 (graded relevance, a listing breaking a hard limit has relevance 0; a resident whose
limits leave nothing is right only with an empty list), the number of hard-limit violations in the
recommendations (must be 0), the reasons shown that are false claims (estation.matching.explain), and
the same nDCG@10 for two baselines in the same run: the encoder alone and a character n-gram ranking.
Used by the tests, by ``benchmarks/matching.py`` and by ``python -m estation.matching.evaluation``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.identifiers import make_uscc
from estation.jobs.models import (
    Employer,
    EmployerStatus,
    EmploymentType,
    Occupation,
    Shift,
    StartupKind,
    StartupOpportunity,
    Vacancy,
    VacancyStatus,
)
from estation.jobs.occupations import load_occupations, read_csco22
from estation.matching.evaluation.jobs import BY_KEY, CENTRE, JobSpec, job_specs
from estation.matching.evaluation.profiles import EMPTY, PROFILES, EvalProfile
from estation.matching.limits import ResidentLimits, violations
from estation.matching.scoring import build_profile
from estation.matching.titles import ngram_matrix
from estation.physical import DOMAIN_NAMES
from fixtures.places import load_places

EVAL_COMMUNITY = "370102009001"


def seed_occupations(session: Session) -> None:
    if session.get(Occupation, "4-07-05-01") is None or session.scalar(select(Occupation.code).limit(1).offset(100)) is None:
        load_occupations(session, read_csco22())
    session.flush()


def seed_jobs(session: Session, *, today: date | None = None, specs: Iterable[JobSpec] | None = None) -> dict[str, int]:
    """Insert the job set (employers too); returns listing ref -> vacancy id, with the reference data it needs
    (the communities as `estation init` loads them, the occupation classification)."""
    today = today or clock.today()
    load_places(session)
    seed_occupations(session)
    employers: dict[str, Employer] = {}
    refs: dict[str, int] = {}
    now = datetime.now(timezone.utc)
    for n, spec in enumerate(specs or job_specs()):
        a = BY_KEY[spec.archetype]
        emp = employers.get(a.employer)
        if emp is None:
            emp = Employer(uscc=make_uscc(f"91370102MA3E{len(employers) + 1:05d}"), name=a.employer, contact_name="张经理",
                           contact_phone="13805319999", address="历下区", community_code=EVAL_COMMUNITY,
                           lat=CENTRE[0], lon=CENTRE[1], status=EmployerStatus.approved)
            session.add(emp)
            session.flush()
            employers[a.employer] = emp
        v = Vacancy(
            employer_id=emp.id, title=spec.title, description=a.description, occupation_code=a.code,
            community_code=None, address="济南市历下区", lat=spec.lat, lon=spec.lon,
            wage_min=a.wage[0], wage_max=a.wage[1], hours_per_day=spec.hours, days_per_week=5,
            shift=Shift(a.shift), employment_type=EmploymentType(a.employment_type), home_based=a.home_based,
            demands=dict(a.demands), adjustments=list(a.adjustments), openings=1,
            posted_at=now - timedelta(hours=n), status=VacancyStatus(spec.status),
            valid_until=today - timedelta(days=1) if spec.expired else today + timedelta(days=60),
        )
        session.add(v)
        session.flush()
        refs[spec.ref] = v.id
    return refs


STARTUPS = (
    ("canteen_stall", StartupKind.shop_space, "社区食堂档口承包", "甸柳社区长者食堂对外招租早餐和面食档口，适合有餐饮、厨师经验的居民",
     "有餐饮或厨师经验，持健康证", ["4-03-02-01", "4-03-02-02"], {"standing_walking": 3, "lifting_carrying": 2}, False),
    ("online_shop", StartupKind.project, "居家电商创业项目", "在家开网店卖济南特产，免费培训网店运营", "会用电脑或手机",
     ["4-01-06-01"], {"fine_hand": 2, "seeing": 3}, True),
    ("repair_booth", StartupKind.shop_space, "便民修补摊位", "社区便民服务点免费提供修鞋、缝补、配钥匙摊位", "有修鞋、缝补手艺",
     ["4-12-04-02", "6-05-01-03"], {"fine_hand": 3}, False),
    ("loan", StartupKind.loan, "创业担保贷款", "个人最高可贷30万元，财政贴息", "登记失业人员、就业困难人员等", [], {}, False),
    ("housekeeping_franchise", StartupKind.project, "家政服务站加盟", "社区家政服务站招募合伙人，承接保洁、育婴订单",
     "有家政或保洁经验", ["4-10-01-06"], {"standing_walking": 4, "lifting_carrying": 2}, False),
)


def seed_startups(session: Session, *, today: date | None = None) -> dict[str, int]:
    today = today or clock.today()
    out = {}
    for key, kind, title, desc, cond, codes, dem, home in STARTUPS:
        s = StartupOpportunity(kind=kind, title=title, description=desc, provider="甸柳街道就业服务站",
                               community_code=EVAL_COMMUNITY, address="甸柳新村", lat=CENTRE[0], lon=CENTRE[1],
                               conditions=cond, occupation_codes=codes, demands={d: dem.get(d, 0) for d in DOMAIN_NAMES},
                               home_based=home, valid_until=today + timedelta(days=90), status=VacancyStatus.open)
        session.add(s)
        session.flush()
        out[key] = s.id
    return out


def limits_of(p: EvalProfile, *, home: tuple[float, float] = CENTRE) -> ResidentLimits:
    return ResidentLimits(physical=tuple((d, p.limits[d]) for d in DOMAIN_NAMES), max_hours_per_day=p.max_hours,
                          max_travel_km=p.max_km, home_based_only=p.home_only, home=home)


def profile_of(p: EvalProfile):
    return build_profile(skills=p.skills, experience=p.experience, wishes=p.wishes,
                         preferred_hours_per_day=p.preferred_hours)


# --------------------------------------------------------------------------- metrics


def ndcg(ranked_rels: list[int], ideal_rels: list[int], k: int = 10) -> float:
    def dcg(rels: list[int]) -> float:
        return sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(rels[:k]))

    ideal = dcg(sorted(ideal_rels, reverse=True))
    return dcg(ranked_rels) / ideal if ideal > 0 else 0.0


@dataclass
class EvalResult:
    profiles: int
    ndcg_at_10: float
    hard_limit_violations: int
    per_profile: dict[str, float]
    judgements: int = 0
    """Labelled (resident, job kind) pairs: graded relevant ones and those marked unsuitable."""
    false_claims: list[str] = field(default_factory=list)
    """"<profile> / <job>: <claim>" for every reason on a recommendation that does not hold
    (estation.matching.explain.false_claims)."""
    baselines: dict[str, float] = field(default_factory=dict)
    """nDCG@10 of the encoder alone and of a character n-gram ranking, over the same listings and limits."""


def _baseline_orders(matcher, p: EvalProfile, facts: dict, allowed: list[int], job_vectors: dict) -> dict[str, list[int]]:
    """The listings within the limits, ranked by the encoder alone (the closest of the resident's phrases
    to the listing's passage) and by character n-grams (the closest phrase to the listing's title)."""
    texts = profile_of(p).texts
    if not texts or not allowed:
        return {"encoder": [], "ngram": []}
    cos = np.stack([job_vectors[i] for i in allowed]) @ matcher.retriever.encode_items(texts).T
    grams = ngram_matrix([facts[i].title for i in allowed], list(texts))
    order = {}
    for name, scores in (("encoder", cos.max(axis=1)), ("ngram", grams.max(axis=1))):
        order[name] = [allowed[n] for n in np.lexsort((np.array(allowed), -scores))]
    return order


def evaluate(matcher, session: Session, refs: dict[str, int], *, today: date | None = None,
             profiles: Iterable[EvalProfile] = PROFILES, k: int = 10) -> EvalResult:
    """nDCG@10 of the matcher and of the two baselines; a profile whose limits leave nothing (EMPTY)
    scores 1 when its list is empty, else 0. Every reason shown is checked as a claim."""
    from estation.matching.explain import false_claims
    from estation.matching.service import load_jobs

    today = today or clock.today()
    facts = {i: f for i, (f, _row) in load_jobs(session, "vacancy", list(refs.values())).items()}
    archetype_of = {refs[s.ref]: s.archetype for s in job_specs() if s.ref in refs}
    ids = sorted(facts)
    job_vectors = dict(zip(ids, matcher.retriever.encode_jobs([facts[i] for i in ids])))
    scores, bad, claims, judged = {}, 0, [], 0
    base: dict[str, list[float]] = {"encoder": [], "ngram": []}
    for p in profiles:
        lim = limits_of(p)
        judged += len(p.relevant) + len(p.unsuitable)
        rel = {i: (p.relevant.get(archetype_of[i], 0) if not violations(f, lim, today=today) else 0)
               for i, f in facts.items()}
        result = matcher.match_profile(session, profile=profile_of(p), limits=lim, today=today, limit=k)
        got = [m.id for m in result.items]
        bad += sum(1 for i in got if violations(facts[i], lim, today=today))
        for m in result.items:
            claims += [f"{p.key} / {m.title}: {c}" for c in false_claims(
                m.reasons, profile=profile_of(p), limits=lim, job=facts[m.id], occupations=matcher.occupations)]
        allowed = [i for i in ids if not violations(facts[i], lim, today=today)]
        orders = _baseline_orders(matcher, p, facts, allowed, job_vectors)
        if p.key in EMPTY:
            scores[p.key] = 1.0 if not got else 0.0
            for name in base:
                base[name].append(1.0 if not orders[name] else 0.0)
            continue
        scores[p.key] = ndcg([rel.get(i, 0) for i in got], list(rel.values()), k)
        for name in base:
            base[name].append(ndcg([rel.get(i, 0) for i in orders[name][:k]], list(rel.values()), k))
    mean = sum(scores.values()) / len(scores) if scores else 0.0
    return EvalResult(profiles=len(scores), ndcg_at_10=round(mean, 4), hard_limit_violations=bad, per_profile=scores,
                      judgements=judged, false_claims=claims,
                      baselines={n: round(sum(v) / len(v), 4) if v else 0.0 for n, v in base.items()})
