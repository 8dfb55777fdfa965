"""`estation index rebuild | sync | status` in a real subprocess, against the embedded backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from estation.db import make_engine, make_session_factory
from estation.migrate import upgrade
from tests.factories import seed_places
from tests.search.factories import create_employer, create_vacancy


def estation(*args: str, env: dict) -> subprocess.CompletedProcess:
    code = "from estation.cli import app; app()"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parents[2])


def test_rebuild_sync_and_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        seed_places(s, whole_classification=True)
        employer = create_employer(s)
        create_vacancy(s, employer=employer, title="小区保洁员")
        create_vacancy(s, employer=employer, title="门卫")
        s.commit()
        env = {**os.environ, "ESTATION_DATABASE_URL": url, "ESTATION_VAR_DIR": str(tmp_path / "var"),
               "ESTATION_SEARCH_BACKEND": "embedded", "ESTATION_EMBEDDING_MODEL": "test-model"}
        r = estation("index", "rebuild", env=env)
        assert r.returncode == 0, r.stderr
        assert "已重建岗位索引：2 条" in r.stdout
        # a model that cannot load leaves the index without vectors, said plainly, never half-built
        assert "嵌入模型不可用" in r.stdout
        assert (tmp_path / "var" / "search.sqlite3").exists()
        create_vacancy(s, employer=employer, title="帮厨", index=True)
        s.commit()
        r = estation("index", "sync", env=env)
        assert r.returncode == 0, r.stderr
        assert "已同步 1 条变更，失败 0 条，尚待处理 0 条" in r.stdout
        r = estation("index", "status", env=env)
        assert r.returncode == 0, r.stderr
        assert "vacancy: 3 条" in r.stdout and "'none'" in r.stdout and "test-model" not in r.stdout
    engine.dispose()


def test_help_names_the_commands() -> None:
    r = estation("index", "--help", env=dict(os.environ))
    assert r.returncode == 0
    assert "rebuild" in r.stdout and "sync" in r.stdout and "status" in r.stdout
