"""Filling a new Elasticsearch index (ElasticsearchBackend.rebuild): several bulk requests in flight,
each document's source written as the client would write it, refused documents failing the rebuild,
and the index left merged and searchable (refreshing, durable) after the swap. On the real node."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from elasticsearch import helpers

from indexing import elasticsearch as es
from indexing.documents import SearchDocument
from indexing.elasticsearch import ElasticsearchBackend, source_line, to_source
from indexing.query import SearchQuery
from indexing.text import document_text, initials_tokens
from indexing.vectors import VectorSpaceMismatch
from tests.engines import drop_backend, make_backend

TODAY = date(2026, 11, 27)
DIMS = 8


def doc(i: int, title: str, vector: list[float] | None = None) -> SearchDocument:
    return SearchDocument(
        kind="vacancy", id=i, title=title, text_title=document_text(title), text_body=document_text("小区里的活"),
        text_terms="", initials=initials_tokens(title), lat=36.66 + i / 100_000, lon=117.06,
        community_code="370102009001", posted_at=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=i),
        valid_until=TODAY, wage_min=2500, wage_max=3000 + i % 7, hours_per_day=8.0, days_per_week=5, shift="day",
        employment_type="full_time", demands={}, employer_id=1 + i % 3, vector=vector,
    )


def unit(seed: int) -> list[float]:
    v = np.random.default_rng(seed).normal(size=DIMS)
    return [float(x) for x in v / np.linalg.norm(v)]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ElasticsearchBackend]:
    b = make_backend("elasticsearch", tmp_path, stem="rebuild")
    assert isinstance(b, ElasticsearchBackend)
    yield b
    drop_backend(b)


def test_a_source_line_is_the_source_the_client_would_send_and_a_shared_vector_is_written_once() -> None:
    shared = unit(1)
    memo: dict = {}
    for d in (doc(1, "保洁员", shared), doc(2, "门卫", shared), doc(3, "收银员", unit(2)), doc(4, "厨师")):
        assert json.loads(source_line(d, memo)) == json.loads(json.dumps(to_source(d)))
        assert json.loads(source_line(d)) == json.loads(json.dumps(to_source(d)))
    assert len(memo) == 2  # two distinct vectors, the document without one adds nothing


def test_a_rebuild_over_many_bulk_requests_indexes_every_document_with_its_vector(
        backend: ElasticsearchBackend) -> None:
    n = 2 * es.REBUILD_CHUNK + 230  # three requests, two of them in flight at once
    vectors = [unit(i % 5) for i in range(1, n + 1)]

    def docs() -> Iterator[SearchDocument]:  # a generator, as indexing.sync hands them over
        for i in range(1, n + 1):
            yield doc(i, "小区保洁员" if i % 2 else "门卫", vectors[i - 1])

    written = backend.rebuild("vacancy", docs(), vector_dims=DIMS, model_id="m")
    assert written == n
    assert backend.count("vacancy") == n
    assert backend.index_meta("vacancy")["documents"] == n
    hits = backend.search(SearchQuery(text="保洁", today=TODAY, per_page=10, facets=False))
    assert hits.total == n // 2 and all(i % 2 for i in hits.ids)
    # Every document's vector arrived: the nearest neighbours of one are the documents sharing it.
    sharing = [i for i in range(1, n + 1) if i % 5 == 1]
    (near,), = backend.knn_sets("vacancy", np.array([vectors[0]]), [(len(sharing), SearchQuery(today=TODAY))],
                                model_id="m")
    assert sorted(i for i, _ in near) == sharing
    assert all(abs(cos - 1.0) < 1e-3 for _, cos in near)
    # Merged before the swap: one segment, one vector graph for every kNN search to walk.
    segments = backend.client.indices.segments(index=backend.alias("vacancy")).body["indices"]
    assert [len(copy["segments"]) for idx in segments.values() for copies in idx["shards"].values()
            for copy in copies] == [1]
    # The build's settings are undone: the index refreshes again and writes its translog per request.
    settings = backend.client.indices.get_settings(index=backend.alias("vacancy")).body
    (index_settings,) = [v["settings"]["index"] for v in settings.values()]
    assert index_settings["refresh_interval"] == "1s"
    assert index_settings["translog"]["durability"] == "request"


def test_a_refused_document_fails_the_rebuild_keeps_the_old_index_and_drops_the_new_one(
        backend: ElasticsearchBackend) -> None:
    backend.rebuild("vacancy", [doc(i, "门卫", unit(i)) for i in range(1, 4)], vector_dims=DIMS, model_id="m")
    old = backend.index_meta("vacancy")["index"]
    bad = [doc(i, "保洁员", unit(i)) for i in range(1, 2 * es.REBUILD_CHUNK + 1)]
    bad[es.REBUILD_CHUNK + 33].vector = [1.0, 0.0]  # the wrong size, in the second request: refused
    with pytest.raises(helpers.BulkIndexError) as err:
        backend.rebuild("vacancy", bad, vector_dims=DIMS, model_id="m")
    assert [e["index"]["_id"] for e in err.value.errors] == [str(es.REBUILD_CHUNK + 34)]
    # The alias still names the old index, whole, and the half-filled one is gone.
    assert backend.index_meta("vacancy")["index"] == old
    assert backend.count("vacancy") == 3
    assert backend.search(SearchQuery(text="门卫", today=TODAY, facets=False)).total == 3
    assert list(backend.client.indices.get(index=f"{backend.alias('vacancy')}-*").body) == [old]


def test_knn_and_search_answers_as_knn_sets_and_search_do_one_at_a_time(backend: ElasticsearchBackend) -> None:
    backend.rebuild("vacancy", [doc(i, "小区保洁员" if i % 3 else "门卫", unit(i % 7)) for i in range(1, 61)],
                    vector_dims=DIMS, model_id="m")
    query = np.array([unit(3)])
    near = SearchQuery(today=TODAY, near=(36.66, 117.06), radius_km=0.2, facets=False)
    requests = [(10, [near, SearchQuery(today=TODAY, home_based=True)]), (15, SearchQuery(today=TODAY))]
    words = [SearchQuery(text="保洁", today=TODAY, per_page=5, facets=False),
             SearchQuery(text="门卫", today=TODAY, per_page=30)]
    knn, hits = backend.knn_and_search("vacancy", query, requests, words, model_id="m")
    assert knn == backend.knn_sets("vacancy", query, requests, model_id="m")
    assert hits == [backend.search(q) for q in words]
    assert [len(k[0]) for k in knn] == [10, 15] and hits[0].total == 40 and hits[1].total == 20
    assert hits[1].facets["shift"] == {"day": 20}
    # A vector of another size is refused before anything is sent, as knn_sets refuses it.
    with pytest.raises(VectorSpaceMismatch):
        backend.knn_and_search("vacancy", np.ones((1, 3)), requests, words, model_id="m")
