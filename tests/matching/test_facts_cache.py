"""The matcher keeps the candidates' facts between recommendations (FactsCache), never past a change."""

from __future__ import annotations

from estation.jobs.models import Employer, Vacancy, VacancyStatus
from estation.matching.evaluation.harness import limits_of, profile_of
from estation.matching.evaluation.profiles import PROFILES
from estation.matching.service import FactsCache, load_facts
from tests.matching.world import TODAY


def test_kept_facts_are_the_databases_after_every_kind_of_change(db, job_world) -> None:
    cache = FactsCache()
    ids = sorted(job_world.refs.values())[:8]
    first = cache.load(db, "vacancy", ids)
    assert first == load_facts(db, "vacancy", ids)
    again = cache.load(db, "vacancy", ids)
    assert all(again[i] is first[i] for i in ids)  # nothing changed: the kept facts, not read again
    a, b, c = (db.get(Vacancy, i) for i in ids[:3])
    a.hours_per_day = a.hours_per_day + 2  # the listing's own row
    lifting = (b.demands or {}).get("lifting_carrying")
    b.demands = {**(b.demands or {}), "lifting_carrying": 0 if lifting else 2}
    employer = db.get(Employer, c.employer_id)
    employer.name = employer.name + "（新名）"  # another table's fact, the listing's row untouched
    db.flush()
    changed = cache.load(db, "vacancy", ids)
    assert changed == load_facts(db, "vacancy", ids)
    assert changed[ids[0]].hours_per_day == a.hours_per_day and changed[ids[0]] != first[ids[0]]
    assert changed[ids[1]].demands != first[ids[1]].demands
    assert all(changed[i].employer_name == employer.name for i in ids if db.get(Vacancy, i).employer_id == employer.id)
    db.rollback()  # the changes undone: the facts are the first ones again
    assert cache.load(db, "vacancy", ids) == first
    assert cache.load(db, "vacancy", ids[:4] + [10**9]) == {i: first[i] for i in ids[:4]}  # a gone id is absent


def test_a_listing_closed_since_the_last_recommendation_is_not_recommended(matcher, db) -> None:
    p = next(p for p in PROFILES if p.key == "crutch_cashier")
    before = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=5)
    top = before.items[0].id
    vacancy = db.get(Vacancy, top)
    vacancy.status = VacancyStatus.closed  # the index still holds it as open: only the facts can drop it
    db.flush()
    after = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=5)
    assert top not in [m.id for m in after.items]
    db.rollback()
    restored = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=5)
    assert [m.id for m in restored.items] == [m.id for m in before.items]
