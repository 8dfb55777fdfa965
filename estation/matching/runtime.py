"""The matcher of a running app: loaded once (at server start-up, before it takes traffic), kept by the app's parts.

Loading the model takes seconds, so every server process loads it at start-up (:meth:`MatchingRuntime.load`,
from the app's lifespan) before it takes traffic, and no request ever waits for it; ``/readyz`` says
whether it loaded. An app that never ran its start-up (a test client, a script) loads on first use. If
the model is missing or fails to load, the app still serves everything else and matching answers 503. What is loaded (encoder, occupation index, matcher)
is decided by the composition root (estation.composition), which hands the runtime its ``load``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from estation.errors import Unavailable

if TYPE_CHECKING:
    from estation.matching.occupations import OccupationIndex
    from estation.matching.service import Matcher

log = logging.getLogger("estation.matching")

UNAVAILABLE_MESSAGE = "匹配服务暂不可用，请稍后再试，或到服务窗口请工作人员帮您查找岗位。"


class MatchingUnavailable(Unavailable):
    def __init__(self, detail: str = "") -> None:
        super().__init__(UNAVAILABLE_MESSAGE, status_code=503)
        self.detail = detail


class MatchingRuntime:
    """Holds one app's matcher: ``load`` builds it (once); a failure is remembered and answered as 503."""

    def __init__(self, load: Callable[[], Matcher]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._error: str | None = None
        self._loading = False

    @property
    def status(self) -> str:
        """``ready``, ``unavailable`` (the load failed), ``loading`` or ``not_loaded``."""
        if self._matcher is not None:
            return "ready"
        if self._error is not None:
            return "unavailable"
        return "loading" if self._loading else "not_loaded"

    def load(self) -> None:
        """Load now (server start-up, before the process takes traffic); a failure is remembered and
        told by :attr:`status`, not raised: the app serves everything else."""
        try:
            self.matcher()
        except MatchingUnavailable:
            pass

    def matcher(self) -> Matcher:
        if self._matcher is not None:
            return self._matcher
        with self._lock:
            if self._matcher is not None:
                return self._matcher
            if self._error is not None:
                raise MatchingUnavailable(self._error)
            self._loading = True
            try:
                self._matcher = self._load()
            except Exception as exc:
                self._error = f"{type(exc).__name__}: {exc}"
                log.error("matching unavailable: %s", self._error)
                raise MatchingUnavailable(self._error) from exc
            finally:
                self._loading = False
            return self._matcher

    def occupations_for_writes(self) -> OccupationIndex | None:
        """The occupation index, for reading a vacancy's occupation when it is written; None when the
        model is unavailable (the write goes ahead without an inferred code)."""
        try:
            return self.matcher().occupations
        except MatchingUnavailable:
            return None
