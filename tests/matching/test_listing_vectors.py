"""The index's vectors hook with the real model: re-embedding resumes after a stop, and vacancies posted
without an occupation code get one inferred from their title."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Occupation, Vacancy
from estation.jobs.occupations import load_occupations
from estation.matching.vectors import EmbeddingStore, listing_text, listing_vectors
from estation.migrate import upgrade
from estation.outbox import enqueue
from indexing.embedded import EmbeddedBackend
from indexing.query import SearchQuery
from indexing.sync import rebuild, sync_pending
from indexing.vectors import embedded_gather
from tests.factories import create_employer, create_vacancy, seed_places
from tests.matching.world import occupation_index  # noqa: F401 - fixture

TODAY = date.today()


@pytest.fixture
def factory(tmp_path):  # noqa: ANN001, ANN201
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        seed_places(s)
        load_occupations(s)
        s.commit()
    yield factory
    engine.dispose()


class Counting:
    """The real encoder, counting the passages it encodes; ``stop_after`` calls raise KeyboardInterrupt
    (someone pressing Ctrl-C during a long re-embedding)."""

    def __init__(self, encoder, stop_after: int | None = None) -> None:  # noqa: ANN001
        self.inner, self.stop_after, self.calls, self.passages = encoder, stop_after, 0, 0
        self.model_id, self.dim = encoder.model_id, encoder.dim

    def encode_documents(self, texts):  # noqa: ANN001, ANN201
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.passages += len(texts)
        return self.inner.encode_documents(texts)

    def encode_queries(self, texts):  # noqa: ANN001, ANN201
        return self.inner.encode_queries(texts)


def test_a_stopped_reembedding_resumes_where_it_stopped(factory, encoder, tmp_path) -> None:  # noqa: ANN001
    kinds = ["超市理货员", "小区保洁", "社区食堂帮厨", "电话客服", "手工编织"]
    with factory() as s:
        employer = create_employer(s)
        for i in range(1100):  # three chunks of the rebuild (500 rows each)
            create_vacancy(s, employer=employer, title=kinds[i % 5], description=f"第{i}号岗位，离家近")
        s.commit()
    backend = EmbeddedBackend(tmp_path / "search.sqlite3", prefix="t")
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    stopped = Counting(encoder, stop_after=1)
    with factory() as s, pytest.raises(KeyboardInterrupt):
        rebuild(s, backend, kinds=["vacancy"], vector_dims=encoder.dim, model_id=encoder.model_id,
                vectors=listing_vectors(stopped, store=store))
    assert stopped.passages == 500 and store.count(encoder.model_id) == 500
    with pytest.raises(LookupError):
        backend.index_meta("vacancy")  # readers never see the half-built index

    resumed = Counting(encoder)
    with factory() as s:
        written = rebuild(s, backend, kinds=["vacancy"], vector_dims=encoder.dim, model_id=encoder.model_id,
                          vectors=listing_vectors(resumed, store=store))
        s.commit()
    assert written["vacancy"] == 1100
    assert resumed.passages == 600, "only the listings the stopped run had not reached are encoded"
    assert store.reused == 500 and store.encoded == 1100
    # The reused vectors are the ones the model gives for those texts.
    with factory() as s:
        rows = s.scalars(select(Vacancy).order_by(Vacancy.id).limit(3)).all()
        expected = encoder.encode_documents([listing_text("vacancy", r) for r in rows])
        got = embedded_gather(backend, "vacancy", [r.id for r in rows], model_id=encoder.model_id, dims=encoder.dim)
    assert np.allclose(np.stack([got[r.id] for r in rows]), expected, atol=1e-5)
    # An unchanged listing is not encoded again: a second full rebuild reads every vector back.
    again = Counting(encoder)
    with factory() as s:
        rebuild(s, backend, kinds=["vacancy"], vector_dims=encoder.dim, model_id=encoder.model_id,
                vectors=listing_vectors(again, store=store))
        s.commit()
    assert again.passages == 0
    backend.close()
    store.close()


def test_forgetting_drops_vectors_no_listing_asked_for(tmp_path, encoder) -> None:  # noqa: ANN001
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    store.encode(encoder, ["旧的岗位介绍", "保洁员"])
    import time

    moment = time.time() + 0.01
    time.sleep(0.02)
    store.encode(encoder, ["保洁员"])
    assert store.forget_unused_since(moment) == 1
    assert store.count() == 1 and store.encoded == 2 and store.reused == 1
    store.close()


def _code(s, name: str) -> str:  # noqa: ANN001
    return s.scalar(select(Occupation.code).where(Occupation.name == name, Occupation.level == 4))


def test_a_vacancy_without_a_code_gets_one_from_its_title(factory, encoder, occupation_index, tmp_path) -> None:  # noqa: ANN001, F811
    with factory() as s:
        employer = create_employer(s)
        guard = _code(s, "保安员")
        chosen = create_vacancy(s, employer=employer, title="小区门卫", occupation_code=guard)
        door = create_vacancy(s, employer=employer, title="小区门卫", occupation_code=None)
        vague = create_vacancy(s, employer=employer, title="急招多名", occupation_code=None)
        s.commit()
        ids = {"chosen": chosen.id, "door": door.id, "vague": vague.id}
    backend = EmbeddedBackend(tmp_path / "search.sqlite3", prefix="t")
    hook = listing_vectors(encoder, occupations=occupation_index)
    with factory() as s:
        rebuild(s, backend, kinds=["vacancy"], vector_dims=encoder.dim, model_id=encoder.model_id, vectors=hook)
        s.commit()
    with factory() as s:
        got = {k: s.get(Vacancy, i) for k, i in ids.items()}
        assert got["door"].occupation_code is None, "the employer's own field stays empty"
        assert got["door"].inferred_occupation_code == guard
        assert got["chosen"].inferred_occupation_code is None
        assert got["vague"].inferred_occupation_code is None, "no code without a confident match"
    # The occupation filter finds the inferred one beside the chosen one.
    found = backend.search(SearchQuery(kind="vacancy", today=TODAY, occupation=guard, facets=False))
    assert set(found.ids) == {ids["chosen"], ids["door"]}

    # The employer then picks a code: the inference is cleared at the next index write (outbox).
    with factory() as s:
        v = s.get(Vacancy, ids["door"])
        v.occupation_code = _code(s, "保洁员")
        enqueue(s, topic="index.vacancy", entity_id=v.id)
        s.commit()
    with factory() as s:
        report = sync_pending(s, backend, refresh=True, vectors=hook)
        s.commit()
    assert report.applied == 1 and report.failed == 0
    with factory() as s:
        assert s.get(Vacancy, ids["door"]).inferred_occupation_code is None
    found = backend.search(SearchQuery(kind="vacancy", today=TODAY, occupation=guard, facets=False))
    assert set(found.ids) == {ids["chosen"]}
    backend.close()
