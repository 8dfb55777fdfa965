"""No false claim in the demo population: every resident the demo matches gets their recommendations,
and every reason on every card is derived again from the data, twice: by the claim checker the
evaluation uses (estation.matching.explain.false_claims), and here from the database rows themselves.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from estation import clock
from estation.geo import distance_km, walking_minutes
from estation.jobs.models import Vacancy
from estation.labour.models import Resident
from estation.matching import explain
from estation.matching.eligibility import eligibility
from estation.matching.limits import ResidentLimits
from estation.matching.scoring import profile_of
from estation.matching.service import load_facts
from estation.physical import MAX_LEVEL
from tests.matching.demo import demo  # noqa: F401 - fixture

KINDS = {"experience", "registered", "wish", "skill", "not_needed", "adjustment", "home", "near", "hours"}


def _from_rows(reason, resident: Resident, vacancy: Vacancy) -> bool:  # noqa: ANN001, C901, PLR0911
    """The claim, derived again from the resident's and the vacancy's rows as stored."""
    code = vacancy.occupation_code or vacancy.inferred_occupation_code
    if reason.kind == "experience":
        return reason.item in resident.experience and reason.code == code
    if reason.kind == "registered":
        return reason.code == code and reason.code in resident.occupation_codes
    if reason.kind == "wish":
        return reason.item in resident.wishes and not (vacancy.home_based and any(
            w in reason.item for w in ("出门", "通勤", "离家", "走路", "无障碍", "路程", "附近")))
    if reason.kind == "skill":
        return reason.word in resident.skills
    if reason.kind == "not_needed":
        stated = vacancy.demands or {}
        return (reason.domain in stated and stated[reason.domain] <= reason.level
                and (resident.limits or {}).get(reason.domain, MAX_LEVEL) < MAX_LEVEL)
    if reason.kind == "adjustment":
        return reason.adjustment in (vacancy.adjustments or [])
    if reason.kind == "home":
        return vacancy.home_based
    if reason.kind == "near":
        km = distance_km(resident.lat, resident.lon, vacancy.lat, vacancy.lon)
        return not vacancy.home_based and walking_minutes(km) == reason.minutes <= explain.NEAR_MINUTES
    if reason.kind == "hours":
        return vacancy.hours_per_day == reason.hours == resident.preferred_hours_per_day
    return False


def test_no_card_in_the_demo_makes_a_false_claim(demo) -> None:  # noqa: ANN001
    today = clock.today()
    matcher = demo.app.state.matching.matcher()
    said: Counter = Counter()
    false: list[tuple] = []
    cards = 0
    with demo.db() as s:
        residents = [r for r in s.scalars(select(Resident).order_by(Resident.id)) if eligibility(r, today).matched]
        assert len(residents) > 1000
        for r in residents:
            result = matcher.recommend(s, resident=r, today=today, rows=False)
            facts = load_facts(s, "vacancy", [i.id for i in result.items])
            profile, limits = profile_of(r), ResidentLimits.of(r)
            for item in result.items:
                cards += 1
                assert len(item.reasons) <= explain.MAX_REASONS
                vacancy = s.get(Vacancy, item.id)
                for bad in explain.false_claims(item.reasons, profile=profile, limits=limits, job=facts[item.id],
                                                occupations=matcher.occupations):
                    false.append((r.id, item.title, "checker", bad))
                for reason in item.reasons:
                    said[reason.kind] += 1
                    if not _from_rows(reason, r, vacancy):
                        false.append((r.id, item.title, "rows", reason.kind, reason.text))
    assert not false, false[:20]
    assert cards > 5000
    assert set(said) == KINDS, said  # every kind of claim was made, and checked
