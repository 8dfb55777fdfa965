"""The embedded backend's approximate vector index (indexing/ann.py) against its exact scan, the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexing.ann import recall_at
from indexing.embedded import EmbeddedBackend
from indexing.query import SearchQuery
from tests.search.test_embedded import TODAY, doc

DIMS = 48
N = 20_000


CENTRES = np.random.default_rng(1).standard_normal((300, DIMS)).astype(np.float32)


def vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit vectors around 300 centres (kinds of work), every one distinct: a harder test than the
    product's listings, many of which share a text and so a vector."""
    centres = CENTRES
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, DIMS)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def backends(tmp_path_factory) -> tuple[EmbeddedBackend, EmbeddedBackend, np.ndarray]:
    """The same index file read twice: approximately (from 1,000 vectors on) and by the exact scan."""
    path: Path = tmp_path_factory.mktemp("ann") / "search.sqlite3"
    rng = np.random.default_rng(7)
    vecs = vectors(rng, N)
    # Six in ten work days (a filter the approximate index answers), one in ten home-based (one that
    # leaves few enough listings for an exact scan of them).
    docs = [doc(i, "小区保洁员", vector=[float(x) for x in vecs[i - 1]], shift="day" if i % 10 < 6 else "night",
                home_based=i % 10 == 9) for i in range(1, N + 1)]
    EmbeddedBackend(path, prefix="a").rebuild("vacancy", docs, vector_dims=DIMS, model_id="m")
    approximate = EmbeddedBackend(path, prefix="a", approximate_from=1000)
    exact = EmbeddedBackend(path, prefix="a", approximate_from=None)
    queries = vectors(np.random.default_rng(8), 40)  # residents' words: near some kind of work
    return approximate, exact, queries


REQUESTS = [
    (10, SearchQuery(today=TODAY)),
    (120, SearchQuery(today=TODAY, shifts=("day",))),
    (50, SearchQuery(today=TODAY, home_based=True)),
    (60, [SearchQuery(today=TODAY, shifts=("night",)), SearchQuery(today=TODAY, home_based=True)]),
]


def test_the_approximate_index_is_the_one_asked(backends) -> None:
    approximate, exact, _ = backends
    index = approximate.vector_matrix("vacancy", dims=DIMS, model_id="m").approximate
    assert index is not None and index.index.ntotal == N and 100 < index.nlist < 200
    assert exact.vector_matrix("vacancy", dims=DIMS, model_id="m").approximate is None


def test_recall_at_10_against_the_exact_scan(backends) -> None:
    approximate, exact, queries = backends
    got = approximate.knn_sets("vacancy", queries, REQUESTS, model_id="m")
    want = exact.knn_sets("vacancy", queries, REQUESTS, model_id="m")
    for (k, _f), g, w in zip(REQUESTS, got, want):
        assert all(len(a) == len(b) == k for a, b in zip(g, w))
        assert recall_at(w, g, 10) >= 0.95, (k, recall_at(w, g, 10))
        # The bulk of the k found, too (the candidates matching ranks), not only the first ten.
        assert recall_at(w, g, k) >= 0.9
    # A filter leaving few listings is scanned exactly: the same ids in the same order.
    assert [[i for i, _ in hits] for hits in got[2]] == [[i for i, _ in hits] for hits in want[2]]
    assert np.allclose([[c for _, c in hits] for hits in got[2]], [[c for _, c in hits] for hits in want[2]],
                       atol=1e-5)


def test_cosines_are_exact_and_filters_hold(backends) -> None:
    approximate, exact, queries = backends
    matrix = exact.vector_matrix("vacancy", dims=DIMS, model_id="m")
    (day,) = approximate.knn_sets("vacancy", queries[:5], [(120, SearchQuery(today=TODAY, shifts=("day",)))],
                                  model_id="m")
    for q, hits in zip(queries[:5], day):
        rows = matrix.rows([i for i, _ in hits])
        assert all(i % 10 < 6 for i, _ in hits)  # day shifts only
        assert np.allclose([c for _, c in hits], [float(rows[i] @ q) for i, _ in hits], atol=1e-5)
        assert all(a[1] >= b[1] for a, b in zip(hits, hits[1:]))


def test_writes_reach_the_approximate_index(tmp_path: Path) -> None:
    """A patched approximate index finds a changed vector and forgets a removed listing, as a fresh
    build would."""
    path = tmp_path / "search.sqlite3"
    vecs = vectors(np.random.default_rng(3), 3000)
    writer = EmbeddedBackend(path, prefix="w", approximate_from=None)
    writer.rebuild("vacancy", [doc(i, "门卫", vector=[float(x) for x in vecs[i - 1]]) for i in range(1, 3001)],
                   vector_dims=DIMS, model_id="m")
    reader = EmbeddedBackend(path, prefix="w", approximate_from=1000)
    everything = SearchQuery(today=TODAY)
    q = vecs[41]
    before = reader.knn("vacancy", q, 5, everything, model_id="m")
    assert before[0] == (42, pytest.approx(1.0, abs=1e-5))
    built = reader.vector_matrix("vacancy", dims=DIMS, model_id="m").approximate
    writer.delete("vacancy", [42])
    target = -q  # the farthest point from q until listing 7 moves onto it
    writer.upsert("vacancy", [doc(7, "门卫", vector=[float(x) for x in target])])
    writer.upsert("vacancy", [doc(3001, "门卫", vector=[float(x) for x in q])])
    patched = reader.vector_matrix("vacancy", dims=DIMS, model_id="m").approximate
    assert patched is not None and patched is not built and patched.index.ntotal == 3000
    assert built is not None and built.index.ntotal == 3000  # the old one is untouched for its readers
    after = reader.knn("vacancy", q, 5, everything, model_id="m")
    assert after[0] == (3001, pytest.approx(1.0, abs=1e-5)) and 42 not in {i for i, _ in after}
    assert reader.knn("vacancy", target, 1, everything, model_id="m")[0] == (7, pytest.approx(1.0, abs=1e-5))
