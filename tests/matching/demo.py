"""The demo data set served by a real app, as `estation migrate; estation demo; estation index rebuild`
leave it: migrated SQLite, the demo loaded, every listing embedded (through the embedding store) into the
app's own search backend. The app's matcher is
the one the server builds. Import the fixtures you use into the test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from estation.config import Settings
from estation.migrate import upgrade
from tests.conftest import ApiHarness, LiveServer


class DemoHarness(ApiHarness):
    def __init__(self, url: str, tmp: Path, model_cache_dir: Path) -> None:
        from estation.app import create_app

        self.settings = Settings(database_url=url, environment="test", var_dir=tmp, model_cache_dir=model_cache_dir)
        self.app = create_app(self.settings)
        self.factory = self.app.state.parts.session_factory
        self.anonymous = TestClient(self.app)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path, converted_model_dir: Path
         ) -> Iterator[DemoHarness]:
    from estation.composition import shared_encoder
    from estation.matching.vectors import EmbeddingStore, listing_vectors, store_path
    from fixtures.demo import load_demo
    from indexing.sync import rebuild

    tmp = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{tmp / 'estation.sqlite3'}"
    upgrade(url)
    harness = DemoHarness(url, tmp, model_cache_dir)
    with harness.db() as s:
        load_demo(s)
        s.commit()
    settings = harness.settings
    encoder = shared_encoder(settings)
    # The listings' vectors are kept beside the converted model (the repository's var/ when it exists, as
    # the model is): the demo's 850 texts are encoded once, not on every run. The app reads them back from
    # the index it is fed here.
    from tests.matching.conftest import REPO_MODELS  # here: the conftest imports this module's fixtures

    store = EmbeddingStore(model_cache_dir.parent / "demo-embeddings.sqlite3" if model_cache_dir == REPO_MODELS
                           else store_path(settings))
    backend = harness.app.state.parts.search.backend
    with harness.db() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id,
                vectors=listing_vectors(encoder, store=store))
        s.commit()
    store.close()
    for kind in ("vacancy", "startup"):
        backend.refresh(kind)
    yield harness
    harness.app.state.parts.stop_workers()


@pytest.fixture(scope="session")
def demo_live(demo: DemoHarness) -> Iterator[LiveServer]:
    server = LiveServer(demo)
    yield server
    server.stop()
