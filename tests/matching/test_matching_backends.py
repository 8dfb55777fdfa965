"""Hard limits, metamorphic relations and explanations, end to end on both real backends."""

from __future__ import annotations

from dataclasses import replace

import pytest

from estation.matching.evaluation.harness import limits_of, profile_of
from estation.matching.evaluation.profiles import PROFILES
from estation.matching.limits import DISTANCE, HOURS, listing_over, violations
from estation.matching.scoring import build_profile
from estation.matching.service import load_jobs
from tests.matching.world import (  # noqa: F401 - fixtures
    TODAY,
    cached_vectors,
    db,
    job_world,
    matcher,
    matching_backend,
)

ALL = 500  # more than the corpus: the whole eligible set comes back, not just a top N
BY_KEY = {p.key: p for p in PROFILES}
PARTIAL = ["wheelchair_typist", "crutch_cashier", "knee_guard", "deaf_knitter", "blind_masseur", "cook_back",
           "seamstress", "id_simple", "hemiplegia_knitter", "stroke_door"]


def _all_vacancies(db, job_world):  # noqa: ANN001, ANN202
    return {i: f for i, (f, _r) in load_jobs(db, "vacancy", list(job_world.refs.values())).items()}


@pytest.mark.parametrize("key", PARTIAL)
def test_no_recommendation_ever_breaks_a_hard_limit(matcher, db, job_world, key) -> None:  # noqa: ANN001
    p = BY_KEY[key]
    limits = limits_of(p)
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=ALL)
    facts = _all_vacancies(db, job_world)
    eligible = {i for i, f in facts.items() if not violations(f, limits, today=TODAY)}
    got = [m.id for m in result.items]
    assert got, "a partially able resident still gets jobs they can do"
    assert set(got) <= eligible
    assert all(not listing_over(facts[i], today=TODAY) for i in got)  # never closed or expired
    if p.home_only:
        assert all(facts[i].home_based for i in got)
    # The list is the eligible set, not a sample of it: the limits, not the retrieval, decide.
    assert set(got) == eligible
    # Counts over the pool are real: each counted job breaks that limit.
    pool_facts = list(facts.values())
    for key_, n in result.removed.items():
        assert n <= sum(1 for f in pool_facts if key_ in violations(f, limits, today=TODAY))


def test_the_best_job_for_a_seated_cashier_is_a_seated_cashier_job(matcher, db, job_world) -> None:  # noqa: ANN001
    p = BY_KEY["crutch_cashier"]
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=3)
    assert job_world.ref_of(result.items[0].id).startswith("cashier/")
    # e5 alone ranks standing jobs near a cashier; the hard limit keeps the sales floor out.
    assert not any(job_world.ref_of(m.id).startswith("sales/") for m in result.items)


def test_adding_a_matching_skill_never_lowers_a_jobs_score(matcher, db) -> None:  # noqa: ANN001
    p = BY_KEY["crutch_cashier"]
    limits = limits_of(p)
    before = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=ALL)
    after_profile = profile_of(p).with_item("skills", "电脑录入")
    after = matcher.match_profile(db, profile=after_profile, limits=limits, today=TODAY, limit=ALL)
    b = {m.id: m.score for m in before.items}
    a = {m.id: m.score for m in after.items}
    assert set(a) == set(b)  # a skill changes the order, never who qualifies
    assert all(a[i] >= b[i] - 1e-9 for i in b)
    raised = [i for i in b if a[i] > b[i] + 1e-6]
    assert raised, "the new skill matched something"


@pytest.mark.parametrize("change", [
    {"physical": {"standing_walking": 1}},
    {"physical": {"lifting_carrying": 1, "seeing": 2}},
    {"max_hours_per_day": 4.0},
    {"max_travel_km": 0.5},
    {"home_based_only": True},
])
def test_tightening_a_limit_never_adds_a_job(matcher, db, change) -> None:  # noqa: ANN001
    p = BY_KEY["retired_guard"]
    limits = limits_of(p)
    before = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=ALL)
    tighter = limits.tightened(**change)
    after = matcher.match_profile(db, profile=profile_of(p), limits=tighter, today=TODAY, limit=ALL)
    assert {m.id for m in after.items} <= {m.id for m in before.items}
    assert len(after.items) < len(before.items)  # each of these changes removes something here


def test_reordering_words_never_changes_the_result(matcher, db) -> None:  # noqa: ANN001
    p = BY_KEY["wheelchair_typist"]
    limits = limits_of(p)
    one = build_profile(skills="打字、电脑录入、Excel表格", experience="在工厂做过五年文员", wishes="想找坐着用电脑的工作")
    two = build_profile(skills="Excel表格，电脑录入 打字", experience="在工厂做过五年文员", wishes="想找坐着用电脑的工作")
    a = matcher.match_profile(db, profile=one, limits=limits, today=TODAY, limit=ALL)
    b = matcher.match_profile(db, profile=two, limits=limits, today=TODAY, limit=ALL)
    assert [(m.id, m.score, m.explanation) for m in a.items] == [(m.id, m.score, m.explanation) for m in b.items]


def test_explanations_name_the_limits_that_shaped_the_list(matcher, db) -> None:  # noqa: ANN001
    p = replace(BY_KEY["crutch_cashier"], max_hours=6.0)
    limits = limits_of(p)
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=5)
    assert any("站立行走" in line for line in result.limits)
    assert any("搬运提举" in line for line in result.limits)
    assert any("6小时" in line for line in result.limits)
    for item in result.items:
        assert any("站立行走" in x for x in item.limits), item.explanation
        assert "站立行走" in item.explanation and "6小时" in item.explanation
    assert result.removed.get("physical:standing_walking", 0) > 0
    assert result.removed.get(HOURS, 0) > 0
    assert result.removed.get(DISTANCE, 0) > 0
    assert any("站立行走" in line and "排除了" in line for line in result.removed_lines)
    top = result.items[0]
    assert any("收银" in r for r in top.reasons)  # which of the resident's words matched
    assert any("公里" in r for r in top.reasons) and any("小时" in r for r in top.reasons)


def test_catering_experience_finds_the_canteen_stall(matcher, db, job_world) -> None:  # noqa: ANN001
    p = BY_KEY["chef"]
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=2, kind="startup")
    assert result.items and result.items[0].id == job_world.startups["canteen_stall"]


def test_the_embedding_store_gives_the_same_recommendations_as_the_index(  # noqa: ANN001
        matching_backend, encoder, job_world, tmp_path) -> None:
    """The app feeds the index through the embedding store and reads candidates' vectors back from it;
    without a store (or for a listing it lacks) they come from the index itself. Same vectors, same answer."""
    from estation.jobs.search import SearchService
    from estation.matching.service import Matcher
    from estation.matching.vectors import EmbeddingStore, listing_vectors
    from indexing.sync import rebuild
    from tests.matching.world import drop_backend, make_backend

    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    backend = make_backend(matching_backend.name, tmp_path)
    with job_world.factory() as s:
        rebuild(s, backend, kinds=("vacancy",), vector_dims=encoder.dim, model_id=encoder.model_id,
                vectors=listing_vectors(encoder, store=store))
        s.commit()
    backend.refresh("vacancy")
    assert store.encoded > 0
    from_index = Matcher(encoder=encoder, search=SearchService(backend))
    from_store = Matcher(encoder=encoder, search=SearchService(backend), store=store)
    try:
        with job_world.factory() as db:
            for p in PROFILES[:12]:
                a = from_index.match_profile(db, profile=profile_of(p), limits=limits_of(p), limit=10, rows=False)
                b = from_store.match_profile(db, profile=profile_of(p), limits=limits_of(p), limit=10, rows=False)
                scores_a = {i.id: i.score for i in a.items}
                scores_b = {i.id: i.score for i in b.items}
                shared = scores_a.keys() & scores_b.keys()
                assert all(abs(scores_a[i] - scores_b[i]) <= 1e-4 for i in shared), p.key
                assert [i.id for i in a.items] == [i.id for i in b.items], p.key
    finally:
        drop_backend(backend)
        store.close()
