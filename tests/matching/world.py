"""Fixtures of the matching suite: the evaluation job set in SQLite, indexed with real vectors in both
real backends, and a Matcher over each; tests/matching/conftest.py offers them to the whole suite.

The engines are tests/engines.py's: the ``elasticsearch`` backend needs the node at
``ESTATION_ELASTICSEARCH_URL``; if it does not answer, those tests FAIL rather than skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from estation.db import make_engine, make_session_factory
from estation.jobs.search import SearchService
from estation.matching.evaluation.harness import seed_jobs, seed_startups
from estation.matching.evaluation.jobs import job_specs
from estation.matching.service import Matcher
from estation.matching.vectors import listing_vectors
from estation.migrate import upgrade
from indexing.sync import rebuild
from tests.engines import BACKENDS, drop_backend, make_backend

TODAY = date.today()
# A quarter of the evaluation's archetypes: enough for every limit to remove something, small
# enough to embed in seconds.
ARCHETYPES = ("guard", "doorman", "parking", "cleaner", "porter", "warehouse", "stock_clerk", "cashier", "sales",
              "cook", "kitchen_help", "canteen_cook", "call_centre", "online_cs", "data_entry", "knit", "beads",
              "sewing", "massage", "companion", "seated_packing", "home_cleaning", "elder_care")


@dataclass
class JobWorld:
    factory: sessionmaker[Session]
    refs: dict[str, int]
    startups: dict[str, int]

    def ref_of(self, vacancy_id: int) -> str:
        return {v: k for k, v in self.refs.items()}[vacancy_id]


@pytest.fixture(scope="session")
def job_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobWorld]:
    url = f"sqlite:///{tmp_path_factory.mktemp('matchdb') / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        refs = seed_jobs(s, today=TODAY, specs=[j for j in job_specs() if j.archetype in ARCHETYPES])
        startups = seed_startups(s, today=TODAY)
        s.commit()
    yield JobWorld(factory, refs, startups)
    engine.dispose()


@pytest.fixture(scope="session")
def cached_vectors(encoder):
    """listing_vectors(encoder), remembered per listing: both backends get the same vectors, encoded once."""
    inner = listing_vectors(encoder)
    memo: dict[tuple[str, int], list[float]] = {}

    def vectors(kind: str, rows: list) -> list[list[float]]:
        missing = [r for r in rows if (kind, r.id) not in memo]
        for r, v in zip(missing, inner(kind, missing)):
            memo[(kind, r.id)] = v
        return [memo[(kind, r.id)] for r in rows]

    return vectors


@pytest.fixture(scope="session", params=BACKENDS)
def matching_backend(request, tmp_path_factory, job_world: JobWorld, encoder, cached_vectors):
    b = make_backend(request.param, tmp_path_factory.mktemp("mindex"), stem="mt")
    with job_world.factory() as s:
        counts = rebuild(s, b, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=cached_vectors)
        s.commit()
    assert counts["vacancy"] == 3 * len(ARCHETYPES) and counts["startup"] == 5
    for kind in ("vacancy", "startup"):
        b.refresh(kind)
    yield b
    drop_backend(b)


@pytest.fixture(scope="session")
def matcher(matching_backend, encoder, occupation_index) -> Matcher:
    """As the app builds it: with the occupation index that reads residents' lines as occupations."""
    return Matcher(encoder=encoder, search=SearchService(matching_backend), occupations=occupation_index)


@pytest.fixture
def db(job_world: JobWorld) -> Iterator[Session]:
    with job_world.factory() as s:
        yield s
        s.rollback()


@pytest.fixture(scope="session")
def occupation_index(encoder, model_cache_dir):
    """The occupations embedded once; cached beside the model (var/), so later runs only read it."""
    from estation.matching.occupations import OccupationIndex

    return OccupationIndex.load(encoder, cache_dir=model_cache_dir.parent / "occupations")
