"""kNN on both backends: exact order, the same filters as search, OR-ed filters, no mixed vector spaces."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from estation.matching.evaluation.jobs import CENTRE
from estation.matching.service import load_jobs
from indexing.query import SearchQuery
from indexing.vectors import VectorSpaceMismatch
from tests.matching.world import TODAY


def _brute(db, job_world, cached_vectors, query_vec, keep):
    jobs = load_jobs(db, "vacancy", list(job_world.refs.values()))
    rows = [row for f, row in jobs.values() if keep(f)]
    vecs = np.array(cached_vectors("vacancy", rows), dtype=np.float32)
    cos = vecs @ query_vec
    return sorted(((r.id, float(c)) for r, c in zip(rows, cos)), key=lambda t: (-t[1], t[0]))


def test_knn_is_exact_and_filtered(matching_backend, encoder, db, job_world, cached_vectors) -> None:
    q = encoder.encode_queries(["会收银，腿脚不好只能坐着"])
    base = SearchQuery(kind="vacancy", today=TODAY, max_demands=(("standing_walking", 1),))
    hits = matching_backend.knn("vacancy", q[0], 8, base, model_id=encoder.model_id)
    expected = _brute(db, job_world, cached_vectors, q[0],
                      lambda f: f.open and f.valid_until >= TODAY and dict(f.demands)["standing_walking"] <= 1)
    allowed = {i for i, _ in expected}
    assert len(hits) == 8 and {i for i, _ in hits} <= allowed
    # The same cosines as brute force, best first. Listings with the same text tie and may come in
    # either order.
    assert np.allclose([c for _, c in hits], [c for _, c in expected[:8]], atol=1e-4)
    assert all(a[1] >= b[1] - 1e-6 for a, b in zip(hits, hits[1:]))
    if matching_backend.name == "embedded":
        assert [i for i, _ in hits] == [i for i, _ in expected[:8]]  # exact scan, ties by id


def test_several_filters_are_or_ed(matching_backend, encoder, db, job_world) -> None:
    q = encoder.encode_queries(["在家做手工"])
    near = SearchQuery(kind="vacancy", today=TODAY, near=CENTRE, radius_km=0.5)
    home = SearchQuery(kind="vacancy", today=TODAY, home_based=True)
    both = {i for i, _ in matching_backend.knn("vacancy", q[0], 200, [near, home], model_id=encoder.model_id)}
    only_near = {i for i, _ in matching_backend.knn("vacancy", q[0], 200, near, model_id=encoder.model_id)}
    only_home = {i for i, _ in matching_backend.knn("vacancy", q[0], 200, home, model_id=encoder.model_id)}
    assert only_near and only_home and both == only_near | only_home
    facts = {i: f for i, (f, _r) in load_jobs(db, "vacancy", list(both)).items()}
    assert all(facts[i].home_based for i in only_home)


def test_a_query_from_another_model_is_refused(matching_backend, encoder) -> None:
    q = encoder.encode_queries(["保安"])
    with pytest.raises(VectorSpaceMismatch):
        matching_backend.knn("vacancy", q[0], 5, SearchQuery(kind="vacancy", today=TODAY), model_id="some-other-model")
    with pytest.raises(VectorSpaceMismatch):
        matching_backend.knn("vacancy", q[0, :100], 5, SearchQuery(kind="vacancy", today=TODAY),
                             model_id=encoder.model_id)


def test_one_vector_gives_one_list(matching_backend, encoder) -> None:
    q = encoder.encode_queries(["保安"])[0]
    hits = matching_backend.knn("vacancy", q, 3, SearchQuery(kind="vacancy", today=TODAY), model_id=encoder.model_id)
    assert len(hits) == 3 and isinstance(hits[0], tuple)


def test_backends_declare_what_they_can_do() -> None:
    """Capabilities are the protocols a backend class implements, not its name: both engines search by
    words, by meaning and keep an index; the database's degraded path searches by words only."""
    from indexing.database import DatabaseSearch
    from indexing.elasticsearch import ElasticsearchBackend
    from indexing.embedded import EmbeddedBackend
    from indexing.query import IndexStore, LexicalSearch, SearchBackend, VectorSearch

    for engine in (EmbeddedBackend, ElasticsearchBackend):
        assert {SearchBackend, LexicalSearch, VectorSearch, IndexStore} <= set(engine.__mro__)
    assert LexicalSearch in DatabaseSearch.__mro__ and VectorSearch not in DatabaseSearch.__mro__


def test_similarities_are_the_exact_cosines(matching_backend, encoder, db, job_world, cached_vectors) -> None:
    """A few candidates scored against several phrases: the cosines of the vectors the index was fed."""
    q = encoder.encode_queries(["会收银", "在家做手工"])
    ids = sorted(job_world.refs.values())[:12]
    rows = [row for _f, row in load_jobs(db, "vacancy", ids).values()]
    expected = np.array(cached_vectors("vacancy", rows), dtype=np.float32) @ q.T
    got = matching_backend.similarities("vacancy", ids + [987654], q, model_id=encoder.model_id)
    assert sorted(got) == sorted(r.id for r in rows)  # an id the index does not hold is absent
    assert np.allclose([got[r.id] for r in rows], expected, atol=1e-4)
    with pytest.raises(VectorSpaceMismatch):
        matching_backend.similarities("vacancy", ids, q, model_id="some-other-model")


def test_several_requests_share_one_pass(matching_backend, encoder) -> None:
    """knn_sets answers each (k, filters) for each vector as knn does one at a time."""
    q = encoder.encode_queries(["保安", "保洁"])
    home = SearchQuery(kind="vacancy", today=TODAY, home_based=True)
    every = SearchQuery(kind="vacancy", today=TODAY)
    got = matching_backend.knn_sets("vacancy", q, [(5, home), (7, every)], model_id=encoder.model_id)
    for (k, flt), lists in zip([(5, home), (7, every)], got):
        assert [[i for i, _ in hits] for hits in lists] == [
            [i for i, _ in matching_backend.knn("vacancy", v, k, flt, model_id=encoder.model_id)] for v in q]


def test_embedded_matrix_follows_writes(encoder, db, job_world, cached_vectors, tmp_path) -> None:
    """After an upsert or a delete the next query sees it, without reloading every vector."""
    from indexing.documents import vacancy_document
    from indexing.embedded import EmbeddedBackend
    from indexing.sync import rebuild

    backend = EmbeddedBackend(tmp_path / "w.sqlite3", prefix="w")
    with job_world.factory() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=cached_vectors)
        s.commit()
    q = encoder.encode_queries(["会修自行车"])[0]
    flt = SearchQuery(kind="vacancy", today=TODAY)
    before = backend.knn("vacancy", q, 3, flt, model_id=encoder.model_id)
    row = load_jobs(db, "vacancy", [job_world.refs["cashier/near"]])[job_world.refs["cashier/near"]][1]
    doc = replace(vacancy_document(row, today=TODAY), id=990001, vector=[float(x) for x in q])
    backend.upsert("vacancy", [doc])
    after = backend.knn("vacancy", q, 3, flt, model_id=encoder.model_id)
    assert after[0][0] == 990001 and after[0][1] > 0.99 and after[1:] == before[:2]
    backend.delete("vacancy", [990001])
    assert backend.knn("vacancy", q, 3, flt, model_id=encoder.model_id) == before
    backend.close()


def test_the_index_model_id_is_known_before_the_model_loads(encoder) -> None:
    from estation.config import Settings
    from estation.matching.encoder import DEFAULT_MODEL, E5_SMALL, model_id_for

    assert Settings().embedding_model == DEFAULT_MODEL and encoder.dim == E5_SMALL.dims
    assert model_id_for(Settings()) == encoder.model_id  # the suite's encoder runs with the default settings
    assert model_id_for(Settings(embedding_quantize=False)) == encoder.model_id.removesuffix("+int8")
