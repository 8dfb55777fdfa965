"""`estation index rebuild` as an operator runs it: its own process, more than one chunk of uncoded vacancies.

The process loads only what the command imports, so a model missing from the registry
(estation.models) shows here and nowhere in-process: before, the rebuild crashed at its second chunk of
500 with NoReferencedTableError (employer.community_code -> community) when it wrote inferred codes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Vacancy
from estation.jobs.occupations import load_occupations
from estation.matching.limits import job_facts
from estation.matching.vectors import EmbeddingStore, store_path
from estation.config import Settings
from estation.migrate import upgrade
from tests.factories import create_employer, create_vacancy

UNCODED = 520


def test_rebuild_with_more_than_500_uncoded_vacancies_through_the_cli(tmp_path, encoder, model_cache_dir) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        load_occupations(s)
        employer = create_employer(s)
        for n in range(UNCODED):
            create_vacancy(s, employer=employer, title="小区门卫", occupation_code=None, openings=1 + n % 3)
        s.commit()
        text = job_facts(s.scalars(select(Vacancy).limit(1)).one(), kind="vacancy").text
        before = s.execute(select(Vacancy.__table__).order_by(Vacancy.id)).all()
    # The one text of these listings is already embedded: the command loads the model but need not encode.
    store = EmbeddingStore(store_path(Settings(var_dir=tmp_path)))
    store.put(encoder.model_id, [text], encoder.encode_documents([text]))
    store.close()
    env = os.environ | {"ESTATION_DATABASE_URL": url, "ESTATION_VAR_DIR": str(tmp_path), "ESTATION_ENVIRONMENT": "test",
                        "ESTATION_SEARCH_BACKEND": "embedded", "ESTATION_MODEL_CACHE_DIR": str(model_cache_dir)}
    done = subprocess.run([str(Path(sys.executable).parent / "estation"), "index", "rebuild", "--kind", "vacancy"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"已重建岗位索引：{UNCODED} 条" in done.stdout, done.stdout
    with factory() as s:
        # Indexing writes no business data: inference belongs to the vacancy's write, not to the index.
        assert s.scalar(select(func.count()).select_from(Vacancy).where(Vacancy.inferred_occupation_code.is_not(None))) == 0
        assert s.scalar(select(func.count()).select_from(Vacancy).where(Vacancy.occupation_code.is_(None))) == UNCODED
        assert s.execute(select(Vacancy.__table__).order_by(Vacancy.id)).all() == before, "no vacancy column changed"
