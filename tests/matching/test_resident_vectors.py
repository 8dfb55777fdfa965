"""Residents' phrases are encoded once and kept (estation.matching.vectors, query side), so an employer's
candidates page reads them instead of encoding every resident while the employer waits; keyed by the
text itself, so a changed profile is never scored with its old words, and the ranking is the same with
the store cold, warm or absent."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from estation.jobs.models import Vacancy, VacancyStatus
from estation.labour.models import Resident, WorkCapacity
from estation.matching.retrieval import Retriever
from estation.matching.scoring import job_phrase, profile_of
from estation.matching.service import Matcher, encode_resident_phrases
from estation.matching.titles import clean_title
from estation.matching.vacancies import SEEKING, residents_for_vacancy
from estation.matching.vectors import EmbeddingStore, query_key


def test_phrases_are_kept_as_query_vectors_and_read_back_by_another_process(tmp_path, encoder) -> None:
    # Phrases no other test encodes: this process's in-memory cache cannot answer for them.
    texts = ["会开电动三轮车送桶装水（向量存储测试）", "想找小区夜班巡逻的工作（向量存储测试）"]
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    got = Retriever(None, encoder, store=store).encode_items(texts)
    assert store.encoded == 2 and store.count(query_key(encoder.model_id)) == 2
    np.testing.assert_allclose(got, encoder.encode_queries(texts), atol=1e-4)
    store.close()

    # A restarted or second app process opens the same store: the vectors come back, nothing is encoded.
    again = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    np.testing.assert_allclose(again.encode(encoder, texts, queries=True), got, atol=1e-6)
    assert again.encoded == 0 and again.reused == 2
    # The passage side of the same text is another vector (e5's prompts differ), kept apart.
    passage = again.encode(encoder, texts[:1])
    assert again.encoded == 1 and not np.allclose(passage[0], got[0], atol=1e-3)
    assert again.count(encoder.model_id) == 1 and again.count(query_key(encoder.model_id)) == 2
    again.close()


def test_candidates_are_the_same_with_the_store_warm_and_without_it(demo, tmp_path) -> None:
    app_matcher = demo.app.state.parts.matching.matcher()
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    stored = Matcher(encoder=app_matcher.encoder, search=app_matcher.search, occupations=app_matcher.occupations,
                     store=store)
    plain = Matcher(encoder=app_matcher.encoder, search=app_matcher.search, occupations=app_matcher.occupations)
    with demo.db() as s:
        phrases = encode_resident_phrases(s, encoder=app_matcher.encoder, store=store)
        # Every job seeker's every phrase is stored (what `estation index rebuild` leaves for the server).
        seekers = s.scalars(select(Resident).where(Resident.work_capacity != WorkCapacity.none,
                                                   Resident.employment_status.in_(SEEKING))).all()
        texts = sorted({t for r in seekers for t in profile_of(r).texts})
        assert phrases >= len(texts) > 500
        kept = store.lookup(query_key(app_matcher.encoder.model_id), texts)
        assert all(v is not None for v in kept)
        np.testing.assert_allclose(np.stack(kept[:20]), app_matcher.encoder.encode_queries(texts[:20]), atol=1e-4)

        # An experience line's occupation is read from the stored vector of its job phrase exactly as the
        # occupation index reads it when it encodes the phrase itself.
        experience = sorted({job_phrase(i.text).strip() for r in seekers
                          for i in profile_of(r).items if i.source == "experience"} - {""})[:30]
        occupations = app_matcher.occupations
        for phrase in experience:
            stored_vector = store.lookup(query_key(app_matcher.encoder.model_id), [clean_title(phrase) or phrase])[0]
            assert [(m.code, m.confident) for m in occupations.top(phrase, k=3, vector=stored_vector)] == \
                   [(m.code, m.confident) for m in occupations.top(phrase, k=3)]

        vacancies = s.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.open).order_by(Vacancy.id)).all()
        compared = 0
        for vacancy in vacancies[:40]:
            with_store = residents_for_vacancy(stored, s, vacancy=vacancy, limit=20)
            without = residents_for_vacancy(plain, s, vacancy=vacancy, limit=20)
            assert [(f.resident.id, round(f.score, 4), f.reasons) for f in with_store] == \
                   [(f.resident.id, round(f.score, 4), f.reasons) for f in without]
            compared += len(with_store)
        assert compared > 50
        assert store.encoded == phrases, "ranking read every phrase back: nothing was encoded again"


def test_a_changed_profile_is_scored_with_its_new_words(demo, tmp_path) -> None:
    app_matcher = demo.app.state.parts.matching.matcher()
    store = EmbeddingStore(tmp_path / "embeddings.sqlite3")
    stored = Matcher(encoder=app_matcher.encoder, search=app_matcher.search, occupations=app_matcher.occupations,
                     store=store)
    plain = Matcher(encoder=app_matcher.encoder, search=app_matcher.search, occupations=app_matcher.occupations)
    with demo.db() as s:
        encode_resident_phrases(s, encoder=app_matcher.encoder, store=store)
        vacancy = next(v for v in s.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.open)
                                            .order_by(Vacancy.id)) if residents_for_vacancy(stored, s, vacancy=v))
        before = residents_for_vacancy(stored, s, vacancy=vacancy, limit=200)
        resident = before[-1].resident
        # The resident rewrites their skills in the vacancy's own words: a stale vector would keep the old score.
        resident.skills = f"{vacancy.title}，做过三年（向量存储测试）"
        s.flush()
        encoded = store.encoded
        after = residents_for_vacancy(stored, s, vacancy=vacancy, limit=200)
        assert store.encoded > encoded, "the new words were encoded and stored"
        new_words = [t for t in profile_of(resident).texts if "向量存储测试" in t]
        assert new_words and store.lookup(query_key(app_matcher.encoder.model_id), new_words)[0] is not None
        score = {f.resident.id: f.score for f in after}[resident.id]
        assert score > before[-1].score
        assert [(f.resident.id, round(f.score, 4)) for f in after] == \
               [(f.resident.id, round(f.score, 4)) for f in residents_for_vacancy(plain, s, vacancy=vacancy, limit=200)]
        s.rollback()
