"""No false claim in the demo population: every resident the demo matches gets their recommendations,
and every reason on every card is derived again from the data, twice: by the claim checker the
evaluation uses (estation.matching.explain.false_claims), and here from the database rows themselves.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from estation import clock
from estation.jobs.models import Vacancy
from estation.labour.models import Resident
from estation.matching import explain
from estation.matching.eligibility import eligibility
from estation.matching.limits import ResidentLimits
from estation.matching.scoring import profile_of
from estation.matching.service import load_facts
from estation.physical import MAX_LEVEL
from indexing.lexicon import synonym_table

KINDS = {"experience", "registered", "wish", "skill", "not_needed", "adjustment", "hours"}


def _title_says(word: str, title: str) -> bool:
    """The title says the kind of work: each two characters of it (an occupation's 工/员/师 aside: 档案扫描 is
    said by 档案数字化扫描员, 数据标注 is not by 数据录入员), or a synonym of it."""
    stem = word.rstrip("工员师")
    return all(stem[i:i + 2] in title for i in range(0, len(stem), 2)) or any(
        alt in title for alt in synonym_table().get(word, ()))


def _from_rows(reason, resident: Resident, vacancy: Vacancy) -> bool:
    """The claim, derived again from the resident's and the vacancy's rows as stored."""
    code = vacancy.occupation_code or vacancy.inferred_occupation_code
    if reason.kind == "experience":
        return reason.item in resident.experience and reason.code == code
    if reason.kind == "registered":
        return reason.code == code and reason.code in resident.occupation_codes
    if reason.kind == "wish":
        return (reason.item in resident.wishes and any(w in reason.item for w in ("想", "希望", "愿意", "打算", "要找"))
                and (_title_says(reason.word, vacancy.title) if reason.word else reason.code == code)
                and not any(w in reason.item for w in ("出门", "通勤", "离家", "走路", "无障碍", "路程", "附近")))
    if reason.kind == "skill":
        return reason.word in resident.skills
    if reason.kind == "not_needed":
        stated = vacancy.demands or {}
        return (reason.domain in stated and stated[reason.domain] <= reason.level
                and (resident.limits or {}).get(reason.domain, MAX_LEVEL) < MAX_LEVEL)
    if reason.kind == "adjustment":
        return reason.adjustment in (vacancy.adjustments or []) and not (
            vacancy.home_based and reason.adjustment in ("seated_work", "step_free", "accessible_toilet"))
    if reason.kind == "hours":
        return vacancy.hours_per_day == reason.hours == resident.preferred_hours_per_day
    return False


def test_no_card_in_the_demo_makes_a_false_claim(demo) -> None:
    today = clock.today()
    matcher = demo.app.state.parts.matching.matcher()
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
    assert not false, sorted({f[1:] for f in false})[:40]
    assert cards > 5000
    assert set(said) == KINDS, said  # every kind of claim was made, and checked
