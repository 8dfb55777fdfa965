"""On PostgreSQL the listings' vectors live in the database (estation.matching.vectors.DatabaseEmbeddingStore):
what one process encoded, another reads back and never encodes again; the embedded default keeps its file."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine

from estation.config import Settings
from estation.db import make_engine
from estation.matching.vectors import DatabaseEmbeddingStore, EmbeddingStore, embedding_store
from estation.migrate import upgrade
from tests.conftest import fresh_postgres_database
from tests.matching.test_listing_vectors import Counting


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database("estation_vectors") as url:
        upgrade(url)
        yield url


def test_two_processes_share_one_store_in_the_database(postgres_url: str, encoder, tmp_path) -> None:
    # Two engines, as two app processes have: each store is what embedding_store gives the app.
    engines: list[Engine] = [make_engine(postgres_url), make_engine(postgres_url)]
    try:
        first, second = (embedding_store(Settings(var_dir=tmp_path), e) for e in engines)
        assert isinstance(first, DatabaseEmbeddingStore) and isinstance(second, DatabaseEmbeddingStore)
        texts = ["小区保洁员，每天四小时", "社区食堂帮厨", "电话客服，可居家"]
        one, two = Counting(encoder), Counting(encoder)
        made = first.encode(one, texts)
        again = second.encode(two, [*texts, "手工编织，计件"])
        assert one.passages == 3 and two.passages == 1, "the other process's vectors are read back, not encoded"
        assert np.allclose(again[:3], made) and second.count(encoder.model_id) == 4
        assert all(np.allclose(v, m) for v, m in zip(second.lookup(encoder.model_id, texts), made))
        assert second.lookup(encoder.model_id, ["没有的岗位"]) == [None]
        moment = time.time()
        time.sleep(0.01)
        first.encode(one, texts[:1])  # a rebuild asks for what listings still say
        assert second.forget_unused_since(moment) == 3 and first.count() == 1
        assert not list(tmp_path.iterdir()), "no file beside the process"
    finally:
        for e in engines:
            e.dispose()


def test_the_embedded_default_keeps_its_file(tmp_path) -> None:
    store = embedding_store(Settings(var_dir=tmp_path), make_engine(f"sqlite:///{tmp_path / 'estation.sqlite3'}"))
    assert isinstance(store, EmbeddingStore) and store.path == tmp_path / "embeddings.sqlite3"
    store.close()
