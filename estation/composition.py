"""The composition root: every part of a running estation is built and wired here, in this order.

    settings -> engine and sessions
             -> search backend (embedded or Elasticsearch) -> search service
             -> encoder (loaded at server start-up) -> matcher
             -> workers: the search-index worker, the notifier worker, the daily digest worker
             -> the ID-card reader adapter

:func:`build` is used by ``create_app`` (estation.app keeps the result as ``app.state.parts``; routes read
it through :func:`estation.deps.parts`) and by the command line (estation.cli). Everything a part needs
is handed to it here: no module keeps "the current app", and two apps in one process share nothing but
the model's weights (:func:`shared_encoder`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from estation.accounts.idcard import IdCardReader, SimulatedReader
from estation.cases.figures import FiguresCache
from estation.config import Settings
from estation.db import make_engine, make_session_factory, session_scope, utcnow
from estation.jobs.models import Vacancy
from estation.jobs.search import SearchService
from estation.labour.models import Resident
from estation.matching.encoder import Encoder, load_encoder, model_id_for, vector_dims_for
from estation.matching.occupations import OccupationIndex, occupation_index
from estation.matching.digest import DigestRun, due, run_daily
from estation.matching.runtime import MatchingRuntime
from estation.matching.service import Matcher, residents_for_vacancy
from estation.matching.vectors import embedding_store, listing_vectors
from estation.notifications.notifier import Notifier, build_notifier, deliver_pending
from estation.notifications.wechat import WeChatAccount, build_wechat
from estation.outbox import Worker, one_runner
from indexing.query import EngineUnavailable, SearchBackend
from indexing.sync import kick_after_commit, sync_pending

log = logging.getLogger("estation")

INDEX_INTERVAL = 5.0
"""Seconds between the index worker's rounds when no commit kicks it (how it catches up after an outage)."""
NOTIFY_INTERVAL = 10.0
"""Seconds between the notifier worker's rounds."""
DIGEST_INTERVAL = 300.0
"""Seconds between the digest worker's looks at the clock (ESTATION_ALERT_DIGEST_TIME)."""


@dataclass
class Parts:
    """One app's parts, as :func:`build` made them."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    search: SearchService
    matching: MatchingRuntime
    search_worker: Worker
    """Applies the outbox's index rows to the search backend."""
    notifier: Notifier
    """The SMS / WeChat adapter (ESTATION_EXTERNAL_NOTIFICATIONS; estation.notifications.notifier)."""
    wechat: WeChatAccount
    """The official account: template messages (through ``notifier``) and residents binding their WeChat."""
    notify_worker: Worker
    """Hands the outbox's ``notify`` rows to ``notifier``, retrying the ones it refused."""
    digest_worker: Worker
    """From ESTATION_ALERT_DIGEST_TIME on, writes the day's digests of new matching jobs not yet written
    (estation.matching.digest: once per person per day, whichever process gets there first)."""
    card_reader: IdCardReader
    """The kiosk's ID-card reader: the simulated one (a hardware adapter would be chosen here)."""
    figures: FiguresCache = field(default_factory=FiguresCache)
    """The counter's figures, kept while no case changes (estation.cases.figures)."""

    def rank_residents(self, session: Session, vacancy: Vacancy, limit: int) -> list[tuple[Resident, float | None]]:
        """The employer pages' ranking (estation.jobs.candidates.ResidentRanking): the residents this app's
        matcher finds for ``vacancy``, consenting ones only (jobs itself does not know matching)."""
        found = residents_for_vacancy(session, vacancy=vacancy, limit=limit, matching=self.matching)
        return [(m.resident, m.score) for m in found]

    def start_workers(self) -> None:
        self.search_worker.start()
        self.notify_worker.start()
        self.digest_worker.start()

    def stop_workers(self) -> None:
        self.search_worker.stop()
        self.notify_worker.stop()
        self.digest_worker.stop()

    def close(self) -> None:
        self.stop_workers()
        self.search.close()
        self.engine.dispose()


def database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """The first step, all that the database commands need."""
    engine = make_engine(settings.sqlalchemy_url)
    return engine, make_session_factory(engine)


def search_backend(settings: Settings) -> SearchBackend:
    """The engine named by ``ESTATION_SEARCH_BACKEND``; engine clients are imported only here."""
    if settings.search_backend == "elasticsearch":
        from indexing.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(settings.elasticsearch_url, prefix=settings.index_prefix)
    from indexing.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.var_dir / "search.sqlite3", prefix=settings.index_prefix)


def search_service(settings: Settings) -> SearchService:
    """The backend with its indexes created if missing; an unreachable engine is not fatal (the
    database answers, and the index worker catches up once the engine is back)."""
    backend = search_backend(settings)
    try:
        backend.ensure_indexes(vector_dims=vector_dims_for(settings), model_id=model_id_for(settings))
    except EngineUnavailable as exc:
        log.warning("search engine not reachable at start-up, answering from the database: %s", exc)
    return SearchService(backend)


SHARED_ENCODERS: dict[tuple, Encoder] = {}
"""One encoder per model setting per process: apps and commands in one process share the weights."""
_encoder_lock = threading.Lock()


def shared_encoder(settings: Settings) -> Encoder:
    key = (settings.embedding_model, str(settings.model_cache_dir), bool(settings.embedding_quantize))
    with _encoder_lock:
        if key not in SHARED_ENCODERS:
            SHARED_ENCODERS[key] = load_encoder(settings)
        return SHARED_ENCODERS[key]


def matching(settings: Settings, search: SearchService, *, encoder: Encoder | None = None,
             occupations: OccupationIndex | None = None, engine: Engine | None = None) -> MatchingRuntime:
    """The matcher, loaded when first asked for (or at server start-up, before it takes traffic): the
    encoder, the occupation index, and the listings' vectors as the index was fed them (the store of
    ``engine``'s database: estation.matching.vectors.embedding_store)."""

    def load() -> Matcher:
        enc = encoder or shared_encoder(settings)
        occ = occupations or occupation_index(settings, enc)
        return Matcher(encoder=enc, search=search, occupations=occ, store=embedding_store(settings, engine))

    return MatchingRuntime(load)


def build(settings: Settings) -> Parts:
    """Every part, wired; no thread runs yet (:meth:`Parts.start_workers`, ``parts.matching.load()``)."""
    engine, session_factory = database(settings)
    search = search_service(settings)
    runtime = matching(settings, search, engine=engine)

    # The workers' rounds read the parts when they run (``parts`` is bound below), so a part replaced
    # on a built app (a test's own index) is the one they use.
    def listing_vectors_now(kind: str, rows: list) -> list[list[float]]:
        # Listings are embedded with the app's matcher once it has loaded; while the model is
        # unavailable the index write fails and the outbox row is retried later.
        matcher = parts.matching.matcher()
        return listing_vectors(matcher.encoder, store=matcher.store)(kind, rows)

    # Every app process runs these rounds: each outbox row is claimed and applied once (estation.outbox).
    def index_round() -> object:
        with one_runner(engine.url, "index", wait=INDEX_INTERVAL) as alone, session_scope(session_factory) as session:
            return sync_pending(session, parts.search.backend, vectors=listing_vectors_now) if alone else None

    def notify_round() -> int:
        with one_runner(engine.url, "notify", wait=NOTIFY_INTERVAL) as alone, session_scope(session_factory) as session:
            return deliver_pending(session, parts.notifier, quiet_hours=parts.settings.alert_quiet_hours) if alone else 0

    def digest_round() -> DigestRun | None:
        # Never loads the model itself: the server loads it at start-up, and a round before that waits.
        # Each process's round does the people no other process is doing (held one by one on PostgreSQL;
        # on SQLite one process at a time), so several workers share the day's digests, not repeat them.
        if not due(utcnow(), parts.settings.alert_digest_time) or parts.matching.status != "ready":
            return None
        with one_runner(engine.url, "digest", wait=0) as alone:
            return run_daily(session_factory, parts.matching.matcher()) if alone else None

    search_worker = Worker(index_round, name="estation-index", interval=INDEX_INTERVAL)
    kick_after_commit(session_factory, search_worker.kick)
    notify_worker = Worker(notify_round, name="estation-notify", interval=NOTIFY_INTERVAL)
    digest_worker = Worker(digest_round, name="estation-digest", interval=DIGEST_INTERVAL)
    wechat = build_wechat(settings)
    parts = Parts(settings=settings, engine=engine, session_factory=session_factory, search=search,
                  matching=runtime, search_worker=search_worker, notifier=build_notifier(settings, wechat), wechat=wechat,
                  notify_worker=notify_worker, digest_worker=digest_worker, card_reader=SimulatedReader())
    return parts
