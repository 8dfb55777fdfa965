"""Hard limits, metamorphic relations and explanations, end to end on both real backends."""

from __future__ import annotations

from dataclasses import replace

import pytest

from estation.matching.evaluation.harness import limits_of, profile_of
from estation.matching.evaluation.profiles import PROFILES
from estation.matching.limits import DISTANCE, HOURS, listing_over, violations
from estation.matching.evaluation.jobs import BY_KEY as ARCHETYPES
from estation.matching.scoring import build_profile, job_phrase
from estation.matching.service import load_jobs
from tests.matching.world import TODAY

ALL = 500  # more than the corpus: the whole eligible set comes back, not just a top N
BY_KEY = {p.key: p for p in PROFILES}
PARTIAL = ["wheelchair_typist", "crutch_cashier", "knee_guard", "deaf_knitter", "blind_masseur", "cook_back",
           "seamstress", "id_simple", "hemiplegia_knitter", "stroke_door"]


def _all_vacancies(db, job_world):
    return {i: f for i, (f, _r) in load_jobs(db, "vacancy", list(job_world.refs.values())).items()}


@pytest.mark.parametrize("key", PARTIAL)
def test_no_recommendation_ever_breaks_a_hard_limit(matcher, db, job_world, key) -> None:
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
    # Counts over the pool are real: each counted job breaks that limit (alone, for only_this).
    pool_facts = list(facts.values())
    for lim in result.limits:
        broken = [violations(f, limits, today=TODAY) for f in pool_facts if not listing_over(f, today=TODAY)]
        assert lim.removed <= sum(1 for b in broken if lim.key in b)
        assert lim.only_this <= sum(1 for b in broken if b == [lim.key]) and lim.only_this <= lim.removed


def test_the_best_job_for_a_seated_cashier_is_a_seated_cashier_job(matcher, db, job_world) -> None:
    p = BY_KEY["crutch_cashier"]
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=3)
    assert job_world.ref_of(result.items[0].id).startswith("cashier/")
    # e5 alone ranks standing jobs near a cashier; the hard limit keeps the sales floor out.
    assert not any(job_world.ref_of(m.id).startswith("sales/") for m in result.items)


def test_adding_a_matching_skill_never_lowers_a_jobs_score(matcher, db) -> None:
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


@pytest.mark.parametrize(("key", "line", "archetype"), [
    ("retired_guard", "在超市做过三年收银员", "cashier"),
    ("crutch_cashier", "2015年-2019年在社区服务中心做打字员", "data_entry"),
    ("wheelchair_typist", "在电商公司做过呼叫中心服务员", "online_cs"),
])
def test_adding_a_matching_experience_line_never_lowers_that_job(matcher, db, job_world, key, line, archetype) -> None:
    """Work done is read from the line as an occupation (the resident's history): the jobs of that
    occupation keep their score and their place, and every one of them the resident can do is listed."""
    code = ARCHETYPES[archetype].code
    assert code in {m.code for m in matcher.occupations.confident(job_phrase(line))}, "the line names that occupation"
    p = BY_KEY[key]
    limits = limits_of(p)
    before = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=ALL)
    after = matcher.match_profile(db, profile=profile_of(p).with_item("experience", line), limits=limits,
                                  today=TODAY, limit=ALL)
    facts = _all_vacancies(db, job_world)
    targets = [i for ref, i in job_world.refs.items() if ref.startswith(archetype + "/")
               and not violations(facts[i], limits, today=TODAY)]
    assert targets, "the resident can do some of these jobs"
    rank_b = {m.id: n for n, m in enumerate(before.items)}
    rank_a = {m.id: n for n, m in enumerate(after.items)}
    score_b = {m.id: m.score for m in before.items}
    score_a = {m.id: m.score for m in after.items}
    for i in targets:
        assert i in rank_a, job_world.ref_of(i)
        assert score_a[i] >= score_b[i] - 1e-9, job_world.ref_of(i)
        assert rank_a[i] <= rank_b[i], (job_world.ref_of(i), rank_b[i], rank_a[i])
        card = next(m for m in after.items if m.id == i)
        assert any(r.kind == "experience" and r.item == line for r in card.reasons), card.explanation


@pytest.mark.parametrize("change", [
    {"physical": {"standing_walking": 1}},
    {"physical": {"lifting_carrying": 1, "seeing": 2}},
    {"max_hours_per_day": 4.0},
    {"max_travel_km": 0.5},
    {"home_based_only": True},
])
def test_tightening_a_limit_never_adds_a_job(matcher, db, change) -> None:
    p = BY_KEY["retired_guard"]
    limits = limits_of(p)
    before = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=ALL)
    tighter = limits.tightened(**change)
    after = matcher.match_profile(db, profile=profile_of(p), limits=tighter, today=TODAY, limit=ALL)
    assert {m.id for m in after.items} <= {m.id for m in before.items}
    assert len(after.items) < len(before.items)  # each of these changes removes something here


def test_reordering_words_never_changes_the_result(matcher, db) -> None:
    p = BY_KEY["wheelchair_typist"]
    limits = limits_of(p)
    one = build_profile(skills="打字、电脑录入、Excel表格", experience="在工厂做过五年文员", wishes="想找坐着用电脑的工作")
    two = build_profile(skills="Excel表格，电脑录入 打字", experience="在工厂做过五年文员", wishes="想找坐着用电脑的工作")
    a = matcher.match_profile(db, profile=one, limits=limits, today=TODAY, limit=ALL)
    b = matcher.match_profile(db, profile=two, limits=limits, today=TODAY, limit=ALL)
    assert [(m.id, m.score, m.explanation) for m in a.items] == [(m.id, m.score, m.explanation) for m in b.items]


def test_the_list_names_the_limits_that_shaped_it_and_each_card_says_at_most_three_things(matcher, db) -> None:
    p = replace(BY_KEY["crutch_cashier"], max_hours=6.0)
    limits = limits_of(p)
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=5)
    labels = {lim.key: lim.label for lim in result.limits}
    assert "站立行走" in labels["physical:standing_walking"] and "搬运提举" in labels["physical:lifting_carrying"]
    assert labels[HOURS] == "每天工作不超过6小时"
    assert result.limit("physical:standing_walking").removed > 0
    assert result.limit(HOURS).removed > 0 and result.limit(DISTANCE).removed > 0
    assert result.items and result.emptied_by == []
    for item in result.items:
        assert 1 <= len(item.reasons) <= 3, item.explanation
        assert item.explanation == "；".join(r.text for r in item.reasons) + "。"
    top = result.items[0]
    # The cashier's own words lead: her wish, or (experience counts) the cashier work she has done.
    assert any(r.kind in ("wish", "experience") and "收银" in r.text for r in top.reasons), top.explanation


def test_limits_that_empty_the_list_are_named_with_what_could_be_done(matcher, db) -> None:
    p = BY_KEY["crutch_cashier"]
    limits = limits_of(p).tightened(physical={"seeing": 0}, max_hours_per_day=2.0, max_travel_km=0.3)
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=5)
    assert result.items == [] and result.pool > 0
    assert result.emptied_by and set(result.emptied_by) <= {lim.key for lim in result.limits if lim.removed}
    removed = [result.limit(k).removed for k in result.emptied_by]
    assert removed == sorted(removed, reverse=True)  # the limit that removed most comes first
    assert all("服务窗口" in result.limit(k).advice for k in result.emptied_by)


def test_catering_experience_finds_the_canteen_stall(matcher, db, job_world) -> None:
    p = BY_KEY["chef"]
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits_of(p), today=TODAY, limit=2, kind="startup")
    assert result.items and result.items[0].id == job_world.startups["canteen_stall"]


def test_the_embedding_store_gives_the_same_recommendations_as_the_index(
        matching_backend, encoder, job_world, tmp_path) -> None:
    """The app feeds the index through the embedding store and reads candidates' vectors back from it;
    without a store (or for a listing it lacks) they come from the index itself. Same vectors, same answer."""
    from estation.jobs.search import SearchService
    from estation.matching.service import Matcher
    from estation.matching.vectors import EmbeddingStore, listing_vectors
    from indexing.sync import rebuild
    from tests.engines import drop_backend, make_backend

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
