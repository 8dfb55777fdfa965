"""Matching residents with jobs: retrieval, hard limits, score, explanation.

:class:`Matcher` is built once per process (estation.matching.runtime) with the encoder and the
search service; everything it decides is done by the pure functions of limits.py, scoring.py and
explain.py on rows read from the database, so the tests can check the rules without the engine.

The module-level functions at the end (``recommend``, ``residents_for_vacancy``, ``match_household``)
are the entry points of the kiosk, the employer pages and the cadres' ledger: each answers with the
matcher of the app whose state it is given.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from types import SimpleNamespace
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation import clock
from estation.geo import walking_minutes
from estation.jobs.models import Employer, Occupation, StartupOpportunity, Vacancy
from estation.kit import get_or_404
from estation.labour.models import Household, Resident, WorkCapacity
from estation.matching import explain
from estation.matching.eligibility import eligibility
from estation.matching.limits import JobFacts, ResidentLimits, job_facts, limit_effects, violations
from estation.matching.retrieval import Retrieved, Retriever
from estation.matching.runtime import MatchingRuntime
from estation.matching.schemas import JobMatchOut, LimitOut, Reason
from estation.matching.titles import clean_title
from estation.matching.vacancies import SEEKING
from estation.matching.scoring import (
    COS_FLOOR,
    WEIGHTS,
    Profile,
    ProfileItem,
    ResidentOccupations,
    Scored,
    build_profile,
    job_phrase,
    profile_of,
    rank,
    score_job,
)
from indexing.query import EngineUnavailable
from indexing.vectors import VectorSpaceMismatch

log = logging.getLogger("estation.matching")


class JobMatch(JobMatchOut):
    """One recommended job as the API shows it, plus its ORM row for the templates."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    row: object = Field(default=None, exclude=True, repr=False)
    """The Vacancy or StartupOpportunity row (for templates); never serialised."""

    @property
    def vacancy(self):
        return self.row


@dataclass
class Recommendations:
    """What matching answers for one resident: the jobs, and what shaped the list."""

    items: list[JobMatch]
    limits: list[LimitOut]
    """Each of the resident's limits, with how many related jobs it removed and what could be done."""
    pool: int
    """Jobs related to the resident's words, before any limit."""
    emptied_by: list[str]
    """With no job left although related jobs exist: the keys of the limits that removed them."""
    backend: str
    degraded: bool = False
    considerations: list[str] = field(default_factory=list)
    """What to keep in mind for every job (past pension age), in plain Chinese."""
    resident_id: int | None = None
    kind: str = "vacancy"

    def limit(self, key: str) -> LimitOut:
        return next(lim for lim in self.limits if lim.key == key)


def load_jobs(session: Session, kind: str, ids: Sequence[int]) -> dict[int, tuple[JobFacts, object]]:
    """Facts and ORM rows (with employer and occupation) for ``ids``; ids whose row is gone are absent."""
    if not ids:
        return {}
    if kind == "vacancy":
        stmt = select(Vacancy).where(Vacancy.id.in_(list(ids))).options(
            selectinload(Vacancy.employer), selectinload(Vacancy.occupation))
    else:
        stmt = select(StartupOpportunity).where(StartupOpportunity.id.in_(list(ids)))
    return {row.id: (job_facts(row, kind=kind), row) for row in session.scalars(stmt)}


_VACANCY_COLUMNS = ("id", "title", "description", "occupation_code", "inferred_occupation_code", "lat", "lon",
                    "demands", "hours_per_day", "days_per_week", "home_based", "adjustments", "wage_min", "wage_max",
                    "status", "valid_until", "shift", "employment_type")


def load_facts(session: Session, kind: str, ids: Sequence[int]) -> dict[int, JobFacts]:
    """Only the facts, read as plain columns: the candidate pool is hundreds of rows per request, and
    building ORM objects for rows that are only checked and scored would cost more than the search."""
    if kind != "vacancy" or not ids:
        return {i: f for i, (f, _r) in load_jobs(session, kind, ids).items()}
    cols = [getattr(Vacancy, c) for c in _VACANCY_COLUMNS]
    stmt = (select(*cols, Employer.name, Occupation.name)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .outerjoin(Occupation, Occupation.code == Vacancy.occupation_code)
            .where(Vacancy.id.in_(list(ids))))
    out = {}
    for r in session.execute(stmt):
        values = dict(zip(_VACANCY_COLUMNS, r))
        row = SimpleNamespace(**values, employer=SimpleNamespace(name=r[-2]),
                              occupation=SimpleNamespace(name=r[-1]) if r[-1] else None)
        out[row.id] = job_facts(row, kind="vacancy")
    return out


class FactsCache:
    """The facts of vacancies read before, kept by the process, each checked against the database on
    every read: a recommendation reads a hundred listings' facts, and building them (a wide row, its
    JSON columns, the JobFacts) cost more than the whole vector search at 300,000 listings.

    Every read asks the database for the listings' ``updated_at`` (moved by every ORM or Core update
    of the row) with their employer's and occupation's names (the two facts read from other tables);
    a listing whose answer differs from the one its facts were built with is read again. So what is
    returned is what :func:`load_facts` would return, only cheaper when nothing changed."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._facts: OrderedDict[int, tuple[tuple, JobFacts]] = OrderedDict()

    def load(self, session: Session, kind: str, ids: Sequence[int]) -> dict[int, JobFacts]:
        if kind != "vacancy" or not ids:
            return load_facts(session, kind, ids)
        stmt = (select(Vacancy.id, Vacancy.updated_at, Employer.name, Occupation.name)
                .join(Employer, Employer.id == Vacancy.employer_id)
                .outerjoin(Occupation, Occupation.code == Vacancy.occupation_code)
                .where(Vacancy.id.in_(list(ids))))
        versions = {r[0]: tuple(r[1:]) for r in session.execute(stmt)}
        out: dict[int, JobFacts] = {}
        with self._lock:
            for i, version in versions.items():
                kept = self._facts.get(i)
                if kept is not None and kept[0] == version:
                    out[i] = kept[1]
                    self._facts.move_to_end(i)
        missing = [i for i in versions if i not in out]
        if missing:
            # Read after the versions: facts at least as new as the version they are kept with (a
            # write in between only makes the next read read the row again).
            fresh = load_facts(session, kind, missing)
            with self._lock:
                for i, facts in fresh.items():
                    if versions[i][0] is not None:
                        self._facts[i] = (versions[i], facts)
                while len(self._facts) > self.size:
                    self._facts.popitem(last=False)
            out |= fresh
        return out


PROFILE_BATCH = 512
"""Texts per batch when many residents' phrases are encoded at once (Matcher.encode_profiles)."""


def _titled(phrase: str) -> str:
    """The text the occupation index encodes for ``phrase`` (OccupationIndex.encode: cleaned first)."""
    return clean_title(phrase) or phrase


def profile_texts(profiles: Sequence[Profile]) -> list[str]:
    """Every text matching encodes for ``profiles`` (query side): their phrases, and the job phrases of
    their experience lines as the occupation index reads them. Sorted, each once."""
    texts = {t for p in profiles for t in p.texts}
    texts |= {_titled(phrase) for p in profiles for i in p.items if i.source == "experience"
              if (phrase := job_phrase(i.text).strip())}
    return sorted(texts)


class Matcher:
    def __init__(self, *, encoder, search, weights: dict[str, float] | None = None, fusion: str = "rrf",
                 occupations=None, store=None) -> None:
        self.encoder = encoder
        self.search = search
        self.store = store
        """A VectorStore (estation.matching.vectors.embedding_store) or None: the listings' vectors by text."""
        self.weights = dict(weights or WEIGHTS)
        self.retriever = Retriever(search, encoder, fusion=fusion, store=store)
        self.facts = FactsCache()
        """The candidates' facts, kept between recommendations and checked on every read."""
        self.occupations = occupations
        """An OccupationIndex (estation.matching.occupations) or None: resident words -> occupation codes."""

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    # -- the core: a profile and limits -> ranked, explained jobs ------------------------------------

    def resident_occupations(self, profile: Profile, vectors=None) -> ResidentOccupations:
        """Stated codes plus each item's confident classification, with the item it was read from (a
        union: adding words only adds). Read from an experience line (what was done, without when and
        where: scoring.job_phrase), a code is work done."""
        read: list[tuple[ProfileItem, str]] = []
        if self.occupations is not None:
            for n, item in enumerate(profile.items):
                if item.source == "experience":
                    phrase = job_phrase(item.text).strip()
                    vec = self.retriever.encode_items([_titled(phrase)])[0] if phrase else None
                    found = self.occupations.confident(phrase, vector=vec)
                else:
                    vec = vectors[n] if vectors is not None and len(vectors) > n else None
                    found = self.occupations.confident(item.text, vector=vec)
                read += [(item, m.code) for m in found]
        return ResidentOccupations(stated=profile.occupation_codes, read=tuple(read))

    def encode_profiles(self, profiles: Sequence[Profile]) -> int:
        """Encode, in batches, every phrase of ``profiles`` not encoded yet (and the experience lines'
        job phrases the occupation index reads): what scoring many residents at once needs, as a batch
        is many times faster than one resident at a time. Each batch is kept in the vector store as it
        is done, so a rebuild that is stopped resumes. Returns how many texts were asked for."""
        texts = profile_texts(profiles)
        for start in range(0, len(texts), PROFILE_BATCH):
            self.retriever.encode_items(texts[start:start + PROFILE_BATCH])
        return len(texts)

    def match_profile(self, session: Session, *, profile: Profile, limits: ResidentLimits, today: date | None = None,
                      limit: int = 10, kind: str = "vacancy", rows: bool = True) -> Recommendations:
        """``rows``: also read the ORM rows of the results (templates need them; JSON does not)."""
        today = today or clock.today()
        vectors = self.retriever.encode_items(profile.texts)
        got = self.retriever.retrieve(session, kind=kind, profile=profile, limits=limits, today=today,
                                      item_vectors=vectors)
        jobs = self.facts.load(session, kind, sorted(set(got.candidates) | set(got.pool)))
        sims = self._similarities(got, jobs, vectors, kind)
        occupations = self.resident_occupations(profile, vectors)
        scored: list[Scored] = []
        for job_id in got.candidates:
            if job_id not in jobs:
                continue  # the index still holds a listing the database no longer has
            facts = jobs[job_id]
            broken = violations(facts, limits, today=today)
            if broken:
                # Defence in depth: the engine's filters should have removed it already.
                log.warning("index returned %s %s breaking %s; dropped", kind, job_id, broken)
                continue
            scored.append(score_job(profile, limits, facts, sims[job_id], occupations=occupations,
                                    weights=self.weights))
        ranked = rank(scored)[:limit]
        pool = [jobs[i] for i in got.pool if i in jobs]
        found = {i: r for i, (_f, r) in load_jobs(session, kind, [s.job.id for s in ranked]).items()} if rows else {}
        names = self.occupation_names(session, sorted({c for s in ranked for c in s.job.occupation_codes}))
        context = explain.Context(profile=profile, limits=limits, occupations=occupations, names=names)
        reasons = explain.choose([explain.candidates(s, context) for s in ranked])
        limits_out = explain.limit_outs(limit_effects(pool, limits, today=today), limits)
        return Recommendations(
            items=[self._item(s, r, found.get(s.job.id)) for s, r in zip(ranked, reasons)],
            limits=limits_out,
            pool=len(pool),
            emptied_by=explain.emptied_by(limits_out, items=len(ranked)),
            backend=got.backend,
            degraded=got.degraded,
            kind=kind,
        )

    def _similarities(self, got: Retrieved, jobs: dict, vectors, kind: str) -> dict[int, list[float]]:
        """The exact cosine of each of the resident's phrases with each candidate: from the embedding
        store (by the listing's text), else from the index's vectors (a listing indexed without one
        gets no semantic credit), else, with no usable index, encoded here: slow, which is why the
        degraded candidate budget is small."""
        ids = [i for i in got.candidates if i in jobs]
        if not ids or not len(vectors):
            return {i: [0.0] * len(vectors) for i in ids}
        sims: dict[int, list[float]] = {}
        if not got.degraded:
            if self.store is not None:
                stored = self.store.lookup(self.model_id, [jobs[i].text for i in ids])
                have = [(i, v) for i, v in zip(ids, stored) if v is not None]
                if have:
                    cos = np.stack([v for _, v in have]) @ vectors.T
                    sims = {i: [float(x) for x in cos[n]] for n, (i, _) in enumerate(have)}
            missing = [i for i in ids if i not in sims]
            try:
                sims |= self.search.backend.similarities(kind, missing, vectors, model_id=self.model_id)
                floor = [COS_FLOOR - 0.05] * len(vectors)
                return {i: sims.get(i, floor) for i in ids}
            except (EngineUnavailable, LookupError, VectorSpaceMismatch) as exc:
                log.warning("index vectors unavailable, encoding the candidates here: %s", exc)
        missing = [i for i in ids if i not in sims]
        if missing:
            cos = self.retriever.encode_jobs([jobs[i] for i in missing]) @ vectors.T
            sims |= {i: [float(x) for x in cos[n]] for n, i in enumerate(missing)}
        return sims

    def _item(self, s: Scored, reasons: list[Reason], row) -> JobMatch:
        j = s.job
        dist = round(s.distance_km, 2) if s.distance_km is not None else None
        return JobMatch(
            kind=j.kind, id=j.id, title=j.title, employer_name=j.employer_name, score=s.score,
            components={k: round(v, 4) for k, v in s.components.items()}, reasons=reasons,
            explanation=explain.explanation(reasons), distance_km=dist,
            walking_minutes=walking_minutes(dist) if dist is not None and not j.home_based else None,
            hours_per_day=j.hours_per_day, wage_min=j.wage_min, wage_max=j.wage_max, home_based=j.home_based, row=row,
        )

    # -- residents ------------------------------------------------------------------------------------

    def recommend(self, session: Session, *, resident, limit: int = 10, today: date | None = None,
                  kind: str = "vacancy", rows: bool = True) -> Recommendations:
        today = today or clock.today()
        result = self.match_profile(session, profile=profile_of(resident), limits=ResidentLimits.of(resident),
                                    today=today, limit=limit, kind=kind, rows=rows)
        result.resident_id = resident.id
        result.considerations = eligibility(resident, today).considerations
        return result

    def occupation_names(self, session: Session, codes: Sequence[str]) -> dict[str, str]:
        if not codes:
            return {}
        return dict(session.execute(select(Occupation.code, Occupation.name).where(Occupation.code.in_(list(codes)))).all())


# --------------------------------------------------------------------------- entry points
# The kiosk (recommend), the employer pages (residents_for_vacancy) and the cadres' ledger
# (match_household) ask with the app's matching runtime; MatchingUnavailable (503) if the model could not be loaded.


def recommend(session: Session, *, resident, matching: MatchingRuntime, limit: int = 10) -> Recommendations:
    return matching.matcher().recommend(session, resident=resident, limit=limit)


def residents_for_vacancy(session: Session, *, vacancy, matching: MatchingRuntime, limit: int = 20) -> list:
    """Consenting residents who fit the vacancy, best first (each has ``.resident`` and ``.score``)."""
    from estation.matching.vacancies import residents_for_vacancy as find

    return find(matching.matcher(), session, vacancy=vacancy, limit=limit, consented_only=True)


def encode_resident_phrases(session: Session, *, encoder, store) -> int:
    """Every job seeker's phrases into the vector ``store`` (``estation index rebuild``): the residents an
    employer's candidates page scores all at once, read back by every app process instead of encoded
    while the employer waits. (Anyone else's few phrases are encoded, and kept, when first matched.)
    Returns how many distinct texts there are."""
    rows = session.execute(select(Resident.skills, Resident.experience, Resident.wishes).where(
        Resident.work_capacity != WorkCapacity.none, Resident.employment_status.in_(SEEKING)))
    texts = profile_texts([build_profile(skills=skills, experience=experience, wishes=wishes)
                           for skills, experience, wishes in rows])
    for start in range(0, len(texts), PROFILE_BATCH):  # each batch kept as it is done: a stopped rebuild resumes
        store.encode(encoder, texts[start:start + PROFILE_BATCH], queries=True)
    return len(texts)


def match_household(session: Session, *, household_id: int, matching: MatchingRuntime):
    from estation.matching.households import match_household as run

    household = get_or_404(session, Household, household_id, "家庭不存在")
    return run(matching.matcher(), session, household=household)
