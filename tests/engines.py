"""The two real search engines the suites run against (tests/search, tests/matching, tests/domains).

The ``elasticsearch`` backend needs the node at ``ESTATION_ELASTICSEARCH_URL`` (``scripts/elasticsearch
start``). If it does not answer, the tests that want it FAIL: an engine suite that skips when the engine
is missing would pass without ever having tested the engine.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexing.elasticsearch import ElasticsearchBackend
from indexing.embedded import EmbeddedBackend
from indexing.query import SearchBackend

ES_URL = os.environ.get("ESTATION_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
BACKENDS = ["embedded", "elasticsearch"]


def require_elasticsearch() -> None:
    """Wait (10 s at most) for the node to be yellow or green; fail the test, saying how to start it, if not."""
    client = Elasticsearch(ES_URL, request_timeout=5, max_retries=0)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="10s")
    except Exception as exc:  # noqa: BLE001 - any failure: the node is not there
        pytest.fail(f"Elasticsearch is required at {ES_URL} and did not answer ({exc}). "
                    "Start it with: scripts/elasticsearch start", pytrace=False)
    finally:
        client.close()


def make_backend(name: str, tmp: Path, *, stem: str = "test") -> SearchBackend:
    """An empty backend of the kind ``name`` under an index prefix of its own (``stem`` + a random tail)."""
    prefix = f"{stem}{uuid.uuid4().hex[:8]}"
    if name == "embedded":
        return EmbeddedBackend(tmp / f"{prefix}.sqlite3", prefix=prefix)
    require_elasticsearch()
    return ElasticsearchBackend(ES_URL, prefix=prefix)


def drop_backend(backend: SearchBackend) -> None:
    """Delete an Elasticsearch backend's indexes, then close it."""
    if isinstance(backend, ElasticsearchBackend):
        try:
            backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
        except Exception:  # noqa: BLE001 - cleanup after a test that may have stopped the node
            pass
    backend.close()
