"""The matcher of a running app: built once (encoder + search service), kept on ``app.state.matching``.

Loading the model takes seconds, so it starts in a background thread when the server starts
(:func:`install` registers the start-up hook) and the first matching request waits for it; an app
that never ran its start-up (a test client, a script) loads on first use. If the model is missing
or fails to load, the app still serves everything else and matching answers 503.
"""

from __future__ import annotations

import logging
import threading

from estation.errors import EstationError

log = logging.getLogger("estation.matching")

UNAVAILABLE_MESSAGE = "匹配服务暂不可用，请稍后再试，或到服务窗口请工作人员帮您查找岗位。"


class MatchingUnavailable(EstationError):
    status_code = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__(UNAVAILABLE_MESSAGE, status_code=503)
        self.detail = detail


class MatchingRuntime:
    def __init__(self, settings, *, encoder=None, search=None, occupations=None, loader=None) -> None:  # noqa: ANN001
        self.settings = settings
        self._encoder = encoder
        self._occupations = occupations
        self._search = search
        self._loader = loader
        self._lock = threading.Lock()
        self._matcher = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> str:
        if self._matcher is not None:
            return "ready"
        if self._error is not None:
            return "unavailable"
        return "loading" if self._thread is not None else "not_loaded"

    def start(self) -> None:
        """Load in the background (server start-up): the app answers while the model loads."""
        if self._thread is None and self._matcher is None:
            self._thread = threading.Thread(target=self._load_quietly, name="estation-matching-load", daemon=True)
            self._thread.start()

    def _load_quietly(self) -> None:
        try:
            self.matcher()
        except MatchingUnavailable:
            pass

    def matcher(self):  # noqa: ANN201
        if self._matcher is not None:
            return self._matcher
        with self._lock:
            if self._matcher is not None:
                return self._matcher
            if self._error is not None:
                raise MatchingUnavailable(self._error)
            try:
                self._matcher = (self._loader or self._build)()
            except Exception as exc:  # noqa: BLE001 - any failure: matching is off, the app is not
                self._error = f"{type(exc).__name__}: {exc}"
                log.error("matching unavailable: %s", self._error)
                raise MatchingUnavailable(self._error) from exc
            return self._matcher

    def _build(self):  # noqa: ANN202
        from estation.matching.occupations import occupation_index
        from estation.matching.service import Matcher
        from estation.matching.vectors import EmbeddingStore, store_path

        encoder = self._encoder or shared_encoder(self.settings)
        search = self._search
        if search is None:
            from estation.jobs.search import build_search

            search = build_search(self.settings, vector_dims=encoder.dim, model_id=encoder.model_id)
        occupations = self._occupations or occupation_index(self.settings, encoder)
        # The listings' vectors as the index was fed them (the outbox worker writes through it too).
        store = EmbeddingStore(store_path(self.settings))
        return Matcher(encoder=encoder, search=search, occupations=occupations, store=store)


_current: MatchingRuntime | None = None
SHARED_ENCODERS: dict[tuple, object] = {}
"""One encoder per model setting per process: an app and the CLI in one process share the weights."""
_encoder_lock = threading.Lock()


def encoder_key(settings) -> tuple:  # noqa: ANN001
    return (settings.embedding_model, str(settings.model_cache_dir), bool(settings.embedding_quantize))


def shared_encoder(settings):  # noqa: ANN001, ANN201
    from estation.matching.encoder import load_encoder

    key = encoder_key(settings)
    with _encoder_lock:
        if key not in SHARED_ENCODERS:
            SHARED_ENCODERS[key] = load_encoder(settings)
        return SHARED_ENCODERS[key]


def install(app, settings) -> MatchingRuntime:  # noqa: ANN001
    """Put the runtime on ``app.state.matching`` and start loading when the server starts."""
    global _current
    runtime = MatchingRuntime(settings, search=app.state.search)
    app.state.matching = runtime
    _current = runtime
    return runtime


def runtime_of(state=None) -> MatchingRuntime:  # noqa: ANN001
    """The runtime of an app's state, or of the app built last in this process."""
    runtime = state.matching if state is not None else _current
    if runtime is None:
        raise MatchingUnavailable("no app has set up matching in this process")
    return runtime


def current_matcher(state=None):  # noqa: ANN001, ANN201
    return runtime_of(state).matcher()


def occupations_for_writes(state) -> object | None:  # noqa: ANN001
    """The app's occupation index, for reading a vacancy's occupation when it is written; None when the
    model is unavailable (the write goes ahead without an inferred code)."""
    try:
        return runtime_of(state).matcher().occupations
    except MatchingUnavailable:
        return None
