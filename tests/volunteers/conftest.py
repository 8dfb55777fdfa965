"""The real encoder for the volunteers' proposals (the matching engine's, as the app's parts load it)."""

from __future__ import annotations

import pytest

from estation.matching.runtime import MatchingRuntime
from estation.matching.service import Matcher
from tests.matching.conftest import converted_model_dir, encoder, model_cache_dir  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def matching(encoder) -> MatchingRuntime:  # noqa: F811 - the fixture imported above
    """The runtime as estation.composition builds it, on the real model; proposals use only its encoder,
    so no search index is built."""
    return MatchingRuntime(lambda: Matcher(encoder=encoder, search=None))
