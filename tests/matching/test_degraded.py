"""Without usable index vectors (another model, or none) matching still answers, and still keeps every limit."""

from __future__ import annotations

from estation.jobs.search import SearchService
from estation.matching.evaluation.harness import limits_of, profile_of
from estation.matching.evaluation.profiles import PROFILES
from estation.matching.limits import violations
from estation.matching.service import Matcher, load_facts
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.matching.world import TODAY


def test_an_index_of_another_model_degrades_to_encoding_here(db, job_world, encoder, tmp_path) -> None:
    backend = EmbeddedBackend(tmp_path / "other.sqlite3", prefix="other")
    with job_world.factory() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id="another-model")  # and no vectors at all
        s.commit()
    matcher = Matcher(encoder=encoder, search=SearchService(backend))
    p = next(p for p in PROFILES if p.key == "crutch_cashier")
    limits = limits_of(p)
    result = matcher.match_profile(db, profile=profile_of(p), limits=limits, today=TODAY, limit=5)
    assert result.degraded and result.backend == "database"
    assert result.items and result.items[0].title.startswith("超市收银员")
    facts = load_facts(db, "vacancy", [m.id for m in result.items])
    assert all(not violations(facts[m.id], limits, today=TODAY) for m in result.items)
    backend.close()


def test_losing_the_index_after_retrieval_encodes_the_candidates_here(db, job_world, encoder, tmp_path) -> None:
    """The engine can go between finding the candidates and reading their vectors: the similarities
    are then encoded here, the same as the index would have given (not a floor that hides the fit)."""
    from estation.matching.retrieval import Retrieved

    ids = sorted(job_world.refs.values())[:6]
    jobs = load_facts(db, "vacancy", ids)
    vectors = encoder.encode_queries(["收银", "超市工作"])
    gone = EmbeddedBackend(tmp_path / "never-built.sqlite3", prefix="gone")  # no index: LookupError
    matcher = Matcher(encoder=encoder, search=SearchService(gone))
    sims = matcher._similarities(Retrieved(candidates=ids, pool=[]), jobs, vectors, "vacancy")
    expected = encoder.encode_documents([jobs[i].text for i in ids]) @ vectors.T
    assert sorted(sims) == ids
    for n, i in enumerate(ids):
        assert max(abs(a - b) for a, b in zip(sims[i], expected[n])) < 1e-3  # int8 activations vary by batch
    gone.close()
