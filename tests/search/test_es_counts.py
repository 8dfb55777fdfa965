"""Search on Elasticsearch sends a query as two searches in one msearch: the page (``hits_body``, which
counts nothing) and the exact total and facets (``counts_body``, size 0, kept by the node's shard request
cache). What a person sees must be what one combined request (``search_body``) answers, and a count
answered from the cache must still be true after the index changes. On the real node."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from indexing.documents import SearchDocument
from indexing.elasticsearch import ElasticsearchBackend, counts_body, hits_body, parse_facets, search_body
from indexing.query import SearchQuery, Sort
from indexing.text import document_text, initials_tokens
from tests.engines import drop_backend, make_backend

TODAY = date(2026, 11, 27)
TITLES = ("小区保洁员", "门卫", "保洁员（夜班）", "食堂帮厨", "居家手工编织")
COMMUNITIES = ("370102009001", "370102009002", "370102009003")


def doc(i: int) -> SearchDocument:
    title = TITLES[i % len(TITLES)]
    return SearchDocument(
        kind="vacancy", id=i, title=title, text_title=document_text(title), text_body=document_text("小区里的活"),
        text_terms="", initials=initials_tokens(title), lat=36.66 + (i % 9) / 1000, lon=117.06,
        community_code=COMMUNITIES[i % 3], posted_at=datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(hours=i),
        valid_until=TODAY + timedelta(days=i % 4 - 1), wage_min=2500, wage_max=2800 + 100 * (i % 11),
        hours_per_day=4.0 + i % 5, days_per_week=5, shift=("day", "night", "flexible")[i % 2 + (i % 7 == 0)],
        employment_type=("full_time", "part_time", "hourly")[i % 3 and 1 + i % 2],
        home_based=i % 5 == 4, adjustments=["seated_work"] if i % 4 == 0 else [],
        occupation_mid=[("4-07", "4-09", "4-03")[i % 3]], employer_id=1 + i % 3,
    )


QUERIES = [
    SearchQuery(today=TODAY),
    SearchQuery(text="保洁", today=TODAY),
    SearchQuery(text="保洁 夜班", today=TODAY, sort=Sort.wage, per_page=7, page=2),
    SearchQuery(text="bj", today=TODAY, community_codes=COMMUNITIES[:2]),
    SearchQuery(today=TODAY, near=(36.662, 117.06), radius_km=0.3, sort=Sort.distance, min_wage=3000),
    SearchQuery(text="门卫", today=TODAY, shifts=("night",), home_based=False, facets=False),
    SearchQuery(today=TODAY, adjustments=("seated_work",), max_hours_per_day=6.0, sort=Sort.newest),
    SearchQuery(text="编织", today=TODAY, employment_types=("hourly", "part_time"), occupation="4-03"),
    SearchQuery(text="没有这种活", today=TODAY),
]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ElasticsearchBackend]:
    b = make_backend("elasticsearch", tmp_path, stem="counts")
    assert isinstance(b, ElasticsearchBackend)
    b.rebuild("vacancy", [doc(i) for i in range(1, 301)], vector_dims=8, model_id="m")
    yield b
    drop_backend(b)


def combined(backend: ElasticsearchBackend, q: SearchQuery) -> tuple[list[int], int, str, dict]:
    """What one request holding the page, the total and the facets answers."""
    resp = backend.client.search(index=backend.alias("vacancy"), body=search_body(q))
    hits = resp["hits"]
    return ([int(h["_id"]) for h in hits["hits"]], hits["total"]["value"], hits["total"]["relation"],
            parse_facets(resp.get("aggregations", {})))


def cache_hits(backend: ElasticsearchBackend) -> int:
    stats = backend.client.indices.stats(index=backend.alias("vacancy"), metric="request_cache").body
    return stats["_all"]["primaries"]["request_cache"]["hit_count"]


def test_the_page_counts_nothing_and_the_counts_ask_for_no_page() -> None:
    q = SearchQuery(text="保洁", today=TODAY, community_codes=COMMUNITIES[:1])
    page, counts = hits_body(q), counts_body(q)
    assert page["track_total_hits"] is False and "aggs" not in page
    assert page["query"] == search_body(q)["query"] and page["sort"] == search_body(q)["sort"]
    assert counts["size"] == 0 and counts["track_total_hits"] is True and "sort" not in counts
    assert counts["aggs"] == search_body(q)["aggs"]
    # Everything in filter context: the words' clauses and the filters, nothing scored.
    assert set(counts["query"]["bool"]) == {"filter"}
    assert counts["query"]["bool"]["filter"] == search_body(q)["query"]["bool"]["must"] + search_body(q)["query"]["bool"]["filter"]
    assert "aggs" not in counts_body(SearchQuery(today=TODAY, facets=False))


def test_search_answers_what_one_combined_request_answers(backend: ElasticsearchBackend) -> None:
    for q in QUERIES:
        ids, total, relation, facets = combined(backend, q)
        got = backend.search(q)
        assert relation == "eq"
        assert (got.ids, got.total, got.facets) == (ids, total, facets), q
    # The queries are not trivial: pages, totals and facets of every kind were compared.
    assert combined(backend, QUERIES[0])[1] > 100 and combined(backend, QUERIES[-1])[1] == 0
    assert len(combined(backend, QUERIES[1])[3]["community_code"]) == 3


def test_counts_come_from_the_request_cache_and_stay_true_after_the_index_changes(
        backend: ElasticsearchBackend) -> None:
    q = SearchQuery(text="门卫", today=TODAY)
    before = backend.search(q)
    hits = cache_hits(backend)
    again = backend.search(q)
    assert again == before
    assert cache_hits(backend) == hits + 1  # the counts answered from the cache, the page searched anew
    # Another sort and page of the same words and filters share the cached counts.
    other = backend.search(SearchQuery(text="门卫", today=TODAY, sort=Sort.wage, page=2, per_page=5))
    assert cache_hits(backend) == hits + 2 and other.total == before.total and other.facets == before.facets

    # A new 门卫 listing on night shift in community 3, and one counted before deleted: after the refresh
    # the cached counts are gone and the new ones are exact.
    new = replace(doc(1000), title="门卫", text_title=document_text("门卫"), initials=initials_tokens("门卫"),
                  shift="night", community_code=COMMUNITIES[2], valid_until=TODAY)
    gone = before.ids[0]
    backend.upsert("vacancy", [new])
    backend.delete("vacancy", [gone])
    backend.refresh("vacancy")
    after = backend.search(q)
    assert after.total == before.total  # one in, one out
    ids, total, _, facets = combined(backend, q)
    assert (after.ids, after.total, after.facets) == (ids, total, facets)
    assert 1000 in after.ids and gone not in after.ids
    night = before.facets["shift"].get("night", 0) + 1 - (doc(gone).shift == "night")
    assert after.facets["shift"].get("night", 0) == night
