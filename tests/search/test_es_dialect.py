"""Golden request bodies for the Elasticsearch dialect.

The files under golden/ were reviewed by hand; a change to the dialect shows up here as a diff to
review, not as a silent change in what the engine is asked. Each golden body is also sent to the
real node once, so a body that the engine would refuse cannot be golden.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from elasticsearch import ApiError

from indexing.elasticsearch import ElasticsearchBackend, mappings, search_body, suggest_body
from indexing.query import SearchQuery, Sort
from tests.engines import ES_URL, drop_backend, make_backend

GOLDEN = Path(__file__).parent / "golden"
DAY = date(2026, 11, 27)

BODIES = {
    "search_all_filters": lambda: search_body(SearchQuery(
        text="看门 bj", today=DAY, community_codes=("370102009001",), near=(36.66, 117.06), radius_km=1.0,
        min_wage=3000, max_hours_per_day=8, shifts=("night",), employment_types=("full_time",), home_based=False,
        adjustments=("seated_work",), max_demands=(("standing_walking", 2),), occupation="4-07-00-00",
        posted_since=datetime(2026, 11, 1, tzinfo=timezone.utc), employer_id=7, sort=Sort.distance, page=2,
        per_page=10)),
    "search_browse_startups": lambda: search_body(
        SearchQuery(kind="startup", today=DAY, startup_kinds=("loan",), facets=False)),
    "search_wage": lambda: search_body(SearchQuery(today=DAY, sort=Sort.wage, facets=False)),
    "search_relevance": lambda: search_body(SearchQuery(text="保洁", today=DAY, facets=False)),
    "suggest_initials": lambda: suggest_body("bj", today=DAY, limit=5),
    "suggest_words": lambda: suggest_body("小区保", today=DAY, limit=5),
    "mappings": lambda: mappings(vector_dims=384, model_id="multilingual-e5-small"),
}


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(BODIES))
def test_body_matches_golden(name: str) -> None:
    assert BODIES[name]() == golden(name)


def test_every_golden_file_is_checked() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(BODIES)


def test_text_fields_use_only_the_whitespace_analyzer() -> None:
    props = golden("mappings")["properties"]
    analyzers = {props[f]["analyzer"] for f in ("text_title", "text_body", "text_terms", "initials")}
    assert analyzers == {"whitespace"}
    assert props["vector"] == {"type": "dense_vector", "dims": 384, "index": True, "similarity": "cosine",
                               "index_options": {"type": "int8_hnsw", "rescore_vector": {"oversample": 2.0}}}


def test_golden_bodies_are_accepted_by_the_real_node(tmp_path: Path) -> None:
    backend = make_backend("elasticsearch", tmp_path)
    assert isinstance(backend, ElasticsearchBackend)
    try:
        backend.ensure_indexes(vector_dims=384, model_id="multilingual-e5-small")
        for name in BODIES:
            if name == "mappings":
                continue
            index = backend.alias("startup" if "startups" in name else "vacancy")
            resp = backend.client.search(index=index, body=golden(name))
            assert resp["hits"]["total"]["value"] == 0
        knn = {"knn": {"field": "vector", "query_vector": [0.1] * 384, "k": 3, "num_candidates": 10}}
        assert backend.client.search(index=backend.alias("vacancy"), body=knn)["hits"]["hits"] == []
    finally:
        backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        backend.close()


def test_processes_starting_at_once_make_one_index_per_alias(tmp_path: Path) -> None:
    """Replicas start together and each makes the indexes it does not find: however their calls
    interleave, each alias ends on one index, and a listing written through any of them is kept."""
    first = make_backend("elasticsearch", tmp_path)
    assert isinstance(first, ElasticsearchBackend)
    starters = [ElasticsearchBackend(ES_URL, prefix=first.prefix) for _ in range(6)]
    try:
        gate = threading.Barrier(len(starters))

        def start(backend: ElasticsearchBackend) -> None:
            gate.wait()
            backend.ensure_indexes(vector_dims=384, model_id="multilingual-e5-small")

        with ThreadPoolExecutor(len(starters)) as pool:
            list(pool.map(start, starters))
        for kind in ("vacancy", "startup"):
            assert len(first.client.indices.get_alias(name=first.alias(kind)).body) == 1
        first.client.index(index=first.alias("vacancy"), id="1", document={"title": "保洁员"}, refresh=True)
        assert first.count("vacancy") == 1
    finally:
        for backend in starters:
            backend.close()
        drop_backend(first)


def test_an_alias_left_on_two_indexes_is_put_back_on_one(tmp_path: Path) -> None:
    """A deployment whose replicas raced before the fix has an alias on two indexes, and every write
    fails; the next start keeps the fuller index and writes go through again."""
    backend = make_backend("elasticsearch", tmp_path)
    assert isinstance(backend, ElasticsearchBackend)
    try:
        alias = backend.alias("vacancy")
        body = dict(settings={"number_of_replicas": 0}, mappings=mappings(vector_dims=384, model_id="multilingual-e5-small"))
        for name in (f"{alias}-1", f"{alias}-2"):
            backend.client.indices.create(index=name, aliases={alias: {}}, **body)
        backend.client.index(index=f"{alias}-1", id="7", document={"title": "保安员"}, refresh=True)
        with pytest.raises(ApiError):
            backend.client.index(index=alias, id="8", document={"title": "保洁员"})
        backend.ensure_indexes(vector_dims=384, model_id="multilingual-e5-small")
        assert list(backend.client.indices.get_alias(name=alias).body) == [f"{alias}-1"]
        assert not backend.client.indices.exists(index=f"{alias}-2")
        backend.client.index(index=alias, id="8", document={"title": "保洁员"}, refresh=True)
        assert backend.count("vacancy") == 2
    finally:
        drop_backend(backend)
