"""With the engine down, search still answers from the database and says so; nothing is lost.

This test really stops the Elasticsearch node (``scripts/elasticsearch stop``) and starts it again,
so it is marked ``engine_restart`` and sorted to the end of the run (see conftest.py). The node must
have been started by ``scripts/elasticsearch start`` on the port of ESTATION_ELASTICSEARCH_URL.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy.orm import Session

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Shift
from estation.jobs.search import SearchService
from estation.migrate import upgrade
from indexing.elasticsearch import ElasticsearchBackend
from indexing.query import SearchQuery
from indexing.sync import pending_count, rebuild, sync_pending
from tests.engines import ES_URL, require_elasticsearch
from tests.factories import seed_places
from tests.search.factories import create_employer, create_vacancy

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "elasticsearch"


def node(command: str) -> None:
    port = urlparse(ES_URL).port or 9200
    env = {**os.environ, "ESTATION_ES_PORT": str(port)}
    result = subprocess.run([str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, f"scripts/elasticsearch {command} failed:\n{result.stdout}\n{result.stderr}"


def titles(page) -> list[str]:
    return sorted(item.row.title for item in page.items)


@pytest.mark.engine_restart
def test_search_answers_while_the_engine_is_down_and_the_outbox_catches_up(tmp_path: Path) -> None:
    require_elasticsearch()
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    backend = ElasticsearchBackend(ES_URL, prefix=f"degraded{uuid.uuid4().hex[:6]}", request_timeout=5)
    service = SearchService(backend)
    s: Session = factory()
    try:
        seed_places(s, whole_classification=True)
        employer = create_employer(s)
        create_vacancy(s, employer=employer, title="门卫", occupation_code="4-07-05-01", shift=Shift.night)
        create_vacancy(s, employer=employer, title="小区保洁员", occupation_code="4-09-08-01")
        s.commit()
        rebuild(s, backend, vector_dims=4, model_id="test-model")
        s.commit()

        page = service.search(s, SearchQuery(text="看门"))
        assert (page.degraded, page.backend, titles(page)) == (False, "elasticsearch", ["门卫"])

        node("stop")
        try:
            page = service.search(s, SearchQuery(text="看门"))
            assert page.degraded and page.backend == "database" and "数据库" in (page.notice or "")
            assert titles(page) == ["门卫"]  # the colloquial word still reaches 门卫 through the synonyms
            page = service.search(s, SearchQuery(shifts=("night",)))
            assert page.degraded and titles(page) == ["门卫"]
            assert service.suggest(s, "vacancy", "保洁") == (["小区保洁员"], True)

            # A listing saved while the engine is down: the save succeeds, the index write waits.
            new = create_vacancy(s, employer=employer, title="夜班保安", shift=Shift.night, index=True)
            s.commit()
            report = sync_pending(s, backend)
            s.commit()
            assert report.applied == 0 and report.failed == 1 and pending_count(s) == 1
            page = service.search(s, SearchQuery(text="夜班保安"))
            assert page.degraded and titles(page) == ["夜班保安"]
        finally:
            node("start")

        report = sync_pending(s, backend, refresh=True)
        s.commit()
        assert report.applied == 1 and pending_count(s) == 0
        page = service.search(s, SearchQuery(shifts=("night",)))
        assert (page.degraded, titles(page)) == (False, ["夜班保安", "门卫"])
        assert new.id in [item.row.id for item in page.items]
    finally:
        s.close()
        try:
            backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        finally:
            backend.close()
            engine.dispose()
