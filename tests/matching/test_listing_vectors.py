"""The index's vectors hook with the real model: re-embedding resumes after a stop; and vacancies written
without an occupation code get one read from their title, by the jobs service (never by indexing)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Occupation, Vacancy
from estation.jobs import service
from estation.jobs.occupations import load_occupations
from estation.jobs.schemas import VacancyCreate, VacancyUpdate
from estation.matching.vectors import EmbeddingStore, listing_text, listing_vectors
from estation.migrate import upgrade
from estation.physical import DOMAIN_NAMES
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.factories import create_employer, create_vacancy, seed_places

TODAY = date.today()


@pytest.fixture
def factory(tmp_path):
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

    def __init__(self, encoder, stop_after: int | None = None) -> None:
        self.inner, self.stop_after, self.calls, self.passages = encoder, stop_after, 0, 0
        self.model_id, self.dim = encoder.model_id, encoder.dim

    def encode_documents(self, texts):
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.passages += len(texts)
        return self.inner.encode_documents(texts)

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)


def test_a_stopped_reembedding_resumes_where_it_stopped(factory, encoder, tmp_path) -> None:
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
        got = backend.vector_matrix("vacancy", dims=encoder.dim, model_id=encoder.model_id).rows([r.id for r in rows])
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


def test_forgetting_drops_vectors_no_listing_asked_for(tmp_path, encoder) -> None:
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    store.encode(encoder, ["旧的岗位介绍", "保洁员"])
    import time

    moment = time.time() + 0.01
    time.sleep(0.02)
    store.encode(encoder, ["保洁员"])
    assert store.forget_unused_since(moment) == 1
    assert store.count() == 1 and store.encoded == 2 and store.reused == 1
    store.close()


def _code(s, name: str) -> str:
    return s.scalar(select(Occupation.code).where(Occupation.name == name, Occupation.level == 4))


def _posting(employer_id: int, title: str, code: str | None = None) -> VacancyCreate:
    return VacancyCreate(employer_id=employer_id, title=title, occupation_code=code, address="甸柳新村", lat=36.664,
                         lon=117.052, wage_min=2800, wage_max=3500, hours_per_day=8, employment_type="full_time",
                         demands=dict.fromkeys(DOMAIN_NAMES, 1), valid_until=TODAY + timedelta(days=30))


def test_the_occupation_is_read_from_the_title_when_the_vacancy_is_written(factory, occupation_index) -> None:
    """Inference happens in the jobs service as the vacancy is written: a confident code only, the
    employer's own field left as they set it, cleared as soon as they choose one."""
    def index():  # the app passes its runtime's index the same way
        return occupation_index

    with factory() as s:
        employer = create_employer(s)
        guard, cashier = _code(s, "保安员"), _code(s, "收银员")
        door = service.create_vacancy(s, data=_posting(employer.id, "小区保安员"), minimum_wage=2200, occupations=index)
        chosen = service.create_vacancy(s, data=_posting(employer.id, "小区保安员", guard), minimum_wage=2200,
                                        occupations=index)
        vague = service.create_vacancy(s, data=_posting(employer.id, "急招多名"), minimum_wage=2200, occupations=index)
        assert door.occupation_code is None and door.inferred_occupation_code == guard
        assert chosen.occupation_code == guard and chosen.inferred_occupation_code is None
        assert vague.inferred_occupation_code is None, "no code without a confident match"

        service.update_vacancy(s, vacancy=door, data=VacancyUpdate(title="超市收银员"), minimum_wage=2200,
                               occupations=index)
        assert door.occupation_code is None and door.inferred_occupation_code == cashier
        service.update_vacancy(s, vacancy=door, data=VacancyUpdate(occupation_code=guard), minimum_wage=2200,
                               occupations=index)
        assert door.occupation_code == guard and door.inferred_occupation_code is None
        # Without a model nothing is read, and a code read from an old title does not outlive it.
        service.update_vacancy(s, vacancy=vague, data=VacancyUpdate(title="小区保安员"), minimum_wage=2200,
                               occupations=index)
        assert vague.inferred_occupation_code == guard
        service.update_vacancy(s, vacancy=vague, data=VacancyUpdate(title="急招多名"), minimum_wage=2200,
                               occupations=lambda: None)
        assert vague.inferred_occupation_code is None
        s.commit()
