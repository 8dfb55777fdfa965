"""Fixtures of the matching suite: the evaluation job set in SQLite, indexed with real vectors in both
real backends, and a Matcher over each; tests/matching/conftest.py offers them to the whole suite.

The ``elasticsearch`` backend needs the node at ``ESTATION_ELASTICSEARCH_URL`` (``scripts/elasticsearch
start``); if it does not answer, those tests FAIL rather than skip, as in tests/search.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from sqlalchemy.orm import Session, sessionmaker

from estation.db import make_engine, make_session_factory
from estation.jobs.search import SearchService
from estation.matching.evaluation.harness import seed_jobs, seed_startups
from estation.matching.evaluation.jobs import job_specs
from estation.matching.service import Matcher
from estation.matching.vectors import listing_vectors
from estation.migrate import upgrade
from indexing.elasticsearch import ElasticsearchBackend
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild

ES_URL = os.environ.get("ESTATION_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
BACKENDS = ["embedded", "elasticsearch"]
TODAY = date.today()
# A quarter of the evaluation's archetypes: enough for every limit to remove something, small
# enough to embed in seconds.
ARCHETYPES = ("guard", "doorman", "parking", "cleaner", "porter", "warehouse", "stock_clerk", "cashier", "sales",
              "cook", "kitchen_help", "canteen_cook", "call_centre", "online_cs", "data_entry", "knit", "beads",
              "sewing", "massage", "companion", "seated_packing", "home_cleaning", "elder_care")


def require_elasticsearch() -> None:
    client = Elasticsearch(ES_URL, request_timeout=5, max_retries=0)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="10s")
    except Exception as exc:  # noqa: BLE001 - any failure: the node is not there
        pytest.fail(f"Elasticsearch is required at {ES_URL} and did not answer ({exc}). "
                    "Start it with: scripts/elasticsearch start", pytrace=False)
    finally:
        client.close()


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


def make_backend(name: str, tmp: Path):
    prefix = f"mt{uuid.uuid4().hex[:8]}"
    if name == "embedded":
        return EmbeddedBackend(tmp / f"{prefix}.sqlite3", prefix=prefix)
    require_elasticsearch()
    return ElasticsearchBackend(ES_URL, prefix=prefix)


def drop_backend(backend) -> None:
    if isinstance(backend, ElasticsearchBackend):
        try:
            backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        except Exception:  # noqa: BLE001 - cleanup after a test that may have stopped the node
            pass
    backend.close()


@pytest.fixture(scope="session", params=BACKENDS)
def matching_backend(request, tmp_path_factory, job_world: JobWorld, encoder, cached_vectors):
    b = make_backend(request.param, tmp_path_factory.mktemp("mindex"))
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
