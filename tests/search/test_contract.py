"""One contract, every backend: the same queries give the same answers on embedded and Elasticsearch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from indexing.embedded import EmbeddedBackend
from indexing.query import SearchBackend, SearchQuery, Sort
from tests.search.conftest import Corpus
from tests.search.factories import C1, C2, C3, FAR, NOW, PLACES

TODAY = date.today()
SEARCHABLE = ["cashier", "clean", "cook", "guard", "knit", "nanny", "short"]
NEWEST = ["cashier", "clean", "cook", "guard", "knit", "nanny", "short"]  # by posted_days_ago


def find(backend: SearchBackend, corpus: Corpus, **kw) -> list[str]:
    kind = kw.get("kind", "vacancy")
    q = SearchQuery(today=kw.pop("today", TODAY), per_page=kw.pop("per_page", 100), **kw)
    return corpus.names(backend.search(q).ids, kind=kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("看门", ["guard"]),  # colloquial -> 门卫/保安
        ("做饭", ["cook"]),  # -> 帮厨/厨师
        ("带孩子", ["nanny"]),  # -> 育婴员
        ("保洁", ["clean"]),
        ("找个保洁的工作", ["clean"]),  # stopwords dropped
        ("保安", ["guard"]),  # classification alias: 保安 -> 保安员, the guard's occupation
        ("收银", ["cashier"]),
        ("ＳＹＹ", ["cashier"]),  # full-width pinyin initials of 收银员
        ("bj", ["clean"]),  # pinyin initials of 保洁
        ("手工 居家", ["knit"]),  # every word must match
        ("保洁 夜班", []),
        ("兼职", ["clean"]),  # employment type label is searchable
        ("搬运", ["short"]),
    ],
)
def test_text_queries(backend: SearchBackend, corpus: Corpus, text: str, expected: list[str]) -> None:
    assert sorted(find(backend, corpus, text=text)) == sorted(expected)


def test_closed_draft_and_expired_never_found(backend: SearchBackend, corpus: Corpus) -> None:
    assert sorted(find(backend, corpus)) == SEARCHABLE
    assert find(backend, corpus, text="保洁员") == ["clean"]


def test_validity_is_checked_at_query_time(backend: SearchBackend, corpus: Corpus) -> None:
    # The short job ends in two days: in five days it is not found even though the index still has it.
    assert "short" not in find(backend, corpus, today=TODAY + timedelta(days=5))
    assert len(find(backend, corpus, today=TODAY + timedelta(days=5))) == 6


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"community_codes": (C1,)}, ["clean", "cook"]),
        ({"community_codes": (C2, C3)}, ["cashier", "guard", "knit", "nanny", "short"]),
        ({"near": PLACES[C1][2:], "radius_km": 1.5}, ["clean", "cook", "guard", "knit", "short"]),
        ({"near": PLACES[C1][2:], "radius_km": 0.3}, ["clean", "cook"]),
        ({"near": FAR, "radius_km": 1.0}, ["cashier"]),
        ({"min_wage": 3500}, ["cook", "nanny"]),
        ({"max_hours_per_day": 6}, ["clean", "knit"]),
        ({"max_days_per_week": 5}, ["cashier", "cook", "guard", "knit", "nanny", "short"]),
        ({"shifts": ("night",)}, ["guard"]),
        ({"shifts": ("night", "rotating")}, ["cashier", "guard"]),
        ({"employment_types": ("hourly", "temporary")}, ["knit", "short"]),
        ({"home_based": True}, ["knit"]),
        ({"home_based": False}, ["cashier", "clean", "cook", "guard", "nanny", "short"]),
        ({"adjustments": ("seated_work",)}, ["cashier", "knit"]),
        ({"adjustments": ("seated_work", "step_free")}, ["cashier"]),
        ({"max_demands": (("standing_walking", 2),)}, ["cashier", "guard", "knit", "nanny", "short"]),
        ({"max_demands": (("standing_walking", 2), ("seeing", 2))}, ["knit", "nanny", "short"]),
        ({"max_demands": (("lifting_carrying", 0),)}, ["cashier", "guard", "knit", "nanny"]),
        ({"occupation": "4-07"}, ["guard"]),
        ({"occupation": "4-07-05-01"}, ["guard"]),
        ({"occupation": "4-07-00-00"}, ["guard"]),
        ({"occupation": "4"}, ["cashier", "clean", "cook", "guard", "nanny"]),
        ({"posted_since": NOW - timedelta(days=2.5)}, ["cashier", "clean", "cook"]),
    ],
)
def test_filters(backend: SearchBackend, corpus: Corpus, filters: dict, expected: list[str]) -> None:
    assert sorted(find(backend, corpus, **filters)) == expected


def test_filter_by_employer(backend: SearchBackend, corpus: Corpus) -> None:
    assert sorted(find(backend, corpus, employer_id=corpus.employers["canteen"])) == ["cashier", "cook"]


def test_filters_combine_with_text(backend: SearchBackend, corpus: Corpus) -> None:
    assert find(backend, corpus, text="清洁", community_codes=(C1,)) == ["clean"]
    assert find(backend, corpus, text="看门", shifts=("day",)) == []


def test_sort_newest_is_the_default_without_words(backend: SearchBackend, corpus: Corpus) -> None:
    assert find(backend, corpus) == NEWEST
    assert find(backend, corpus, sort=Sort.newest) == NEWEST


def test_sort_by_wage(backend: SearchBackend, corpus: Corpus) -> None:
    assert find(backend, corpus, sort=Sort.wage) == ["nanny", "cook", "cashier", "guard", "short", "clean", "knit"]


def test_sort_by_distance(backend: SearchBackend, corpus: Corpus) -> None:
    order = find(backend, corpus, sort=Sort.distance, near=PLACES[C3][2:])
    # C3 itself, then C1 (2.2 km), then C2 (2.5 km), then the far shop; ties broken by newest id.
    assert order == ["nanny", "cook", "clean", "short", "knit", "guard", "cashier"]


def test_relevance_ranks_title_and_occupation_above_description(backend: SearchBackend, corpus: Corpus) -> None:
    # 清洁 is in the cleaner's description and occupation aliases, but only in the cashier's description.
    assert find(backend, corpus, text="清洁") == ["clean", "cashier"]


def test_pagination_walks_the_same_order(backend: SearchBackend, corpus: Corpus) -> None:
    pages = []
    for page in (1, 2, 3, 4):
        hits = backend.search(SearchQuery(today=TODAY, page=page, per_page=2))
        assert hits.total == 7
        pages += corpus.names(hits.ids)
    assert pages == NEWEST


def test_facet_counts(backend: SearchBackend, corpus: Corpus) -> None:
    facets = backend.search(SearchQuery(today=TODAY)).facets
    assert facets["community_code"] == {C1: 2, C2: 3, C3: 2}
    assert facets["employment_type"] == {"full_time": 4, "part_time": 1, "hourly": 1, "temporary": 1}
    assert facets["shift"] == {"day": 4, "night": 1, "rotating": 1, "flexible": 1}
    assert facets["home_based"] == {"true": 1, "false": 6}
    assert facets["adjustments"] == {"flexible_hours": 2, "seated_work": 2, "home_based": 1, "step_free": 1}
    assert facets["occupation_mid"] == {"4-09": 1, "4-07": 1, "4-03": 1, "4-10": 1, "4-01": 1}


def test_facets_follow_the_filters(backend: SearchBackend, corpus: Corpus) -> None:
    hits = backend.search(SearchQuery(today=TODAY, community_codes=(C1,)))
    assert hits.total == 2
    assert hits.facets["community_code"] == {C1: 2}
    assert hits.facets["employment_type"] == {"full_time": 1, "part_time": 1}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("保", ["小区保洁员"]),
        ("小区保", ["小区保洁员"]),
        ("食堂", ["食堂帮厨"]),
        ("syy", ["超市收银员"]),  # initials of 收银员
        ("cs", ["超市收银员"]),  # initials of 超市
        ("门", ["门卫"]),
        ("飞行", []),
    ],
)
def test_title_typeahead(backend: SearchBackend, prefix: str, expected: list[str]) -> None:
    assert backend.suggest("vacancy", prefix, today=TODAY) == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"text": "商铺"}, ["shop"]),
        ({"text": "创业"}, ["loan", "online", "shop"]),
        ({"text": "贷款"}, ["loan"]),
        ({"startup_kinds": ("loan", "project")}, ["loan", "online"]),
        ({"home_based": True}, ["online"]),
        ({"occupation": "4-01"}, ["online"]),
        ({"community_codes": (C2,)}, ["loan"]),
        ({"text": "zxdspcyxm"}, []),
        ({"text": "ds"}, ["online"]),  # initials of 电商
    ],
)
def test_startups_search_the_same_way(backend: SearchBackend, corpus: Corpus, kw: dict, expected: list[str]) -> None:
    assert sorted(find(backend, corpus, kind="startup", **kw)) == expected


def test_startup_facets_and_order(backend: SearchBackend, corpus: Corpus) -> None:
    hits = backend.search(SearchQuery(kind="startup", today=TODAY))
    assert corpus.names(hits.ids, kind="startup") == ["shop", "loan", "online"]
    assert hits.facets["startup_kind"] == {"shop_space": 1, "loan": 1, "project": 1}


def test_index_metadata_names_model_and_vector_size(backend: SearchBackend) -> None:
    meta = backend.index_meta("vacancy")
    assert meta["model_id"] == "test-model"
    assert meta["vector_dims"] == 4
    assert meta["documents"] == 7


def test_broad_words_rank_title_and_occupation_first(backend: SearchBackend, corpus: Corpus) -> None:
    # The embedded backend scores words found in more than `bm25_max_hits` listings by matched columns
    # instead of bm25; one over the same index that finds every word that broad must still give the order
    # every backend gives.
    backends = [backend]
    if isinstance(backend, EmbeddedBackend):
        backends.append(EmbeddedBackend(backend.path, prefix=backend.prefix, bm25_max_hits=0))
    try:
        for b in backends:
            assert find(b, corpus, text="清洁") == ["clean", "cashier"]
            assert find(b, corpus, text="保洁") == ["clean"]
            assert find(b, corpus, text="收银 清洁") == ["cashier"]
    finally:
        for b in backends[1:]:
            b.close()
