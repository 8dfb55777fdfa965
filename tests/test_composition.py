"""The composition root and the command line built on it (issue 17 points 1 and 5)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from estation.config import Settings
from estation.matching import runtime

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("estation", "indexing") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]


def _run(*command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")} | {"COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)


@pytest.mark.parametrize("args", [("--help",), ("index", "--help"), ("match", "--help"), ("user", "--help")])
def test_python_m_estation_is_the_estation_command(args: tuple[str, ...]) -> None:
    script = _run(str(Path(sys.executable).with_name("estation")), *args)
    module = _run(sys.executable, "-m", "estation", *args)
    assert script.returncode == 0, script.stderr
    assert module.returncode == 0, module.stderr
    assert module.stdout == script.stdout


def test_every_command_group_is_listed() -> None:
    out = _run(sys.executable, "-m", "estation", "--help").stdout
    for command in ("migrate", "init", "user", "demo", "serve", "import", "export", "index", "match", "backup",
                    "restore"):
        assert re.search(rf"│ {command}\s", out), command
    index = _run(sys.executable, "-m", "estation", "index", "--help").stdout
    assert all(c in index for c in ("rebuild", "sync", "status"))


def _attribute_reads() -> set[str]:
    """Every ``x.name`` read anywhere in estation/ and indexing/ (config.py's own checks included)."""
    names: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                names.add(node.attr)
    return names


def test_every_setting_is_read_somewhere() -> None:
    read = _attribute_reads()
    unread = [name for name in Settings.model_fields if name not in read]
    assert unread == [], f"settings nobody reads (read them or remove them, README too): {unread}"


def test_no_module_keeps_the_app_built_last() -> None:
    assert not hasattr(runtime, "_current") and not hasattr(runtime, "runtime_of")
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert "import_module(" not in text and "__import__(" not in text, path
        # the app's parts and a request's findings are typed (Parts, RequestScope), never probed for
        assert not re.search(r"getattr\((request|app|request\.app)\.state\b", text), path
        assert '"allowed_roles"' not in text, path


def test_no_test_patches_our_own_code() -> None:
    """Tests follow the house (issue 17 point 6): a test gives a part what it needs through its constructor
    or a real situation, settings through the environment, never by patching a module or an object."""
    patching = re.compile(r"monkeypatch\.(setattr|delattr|setitem|delitem)\b|\bsetattr\(|unittest\.mock|mock\.patch")
    for path in (ROOT / "tests").rglob("*.py"):
        assert not patching.search(path.read_text(encoding="utf-8")), path


def test_two_apps_in_one_process_have_parts_of_their_own(tmp_path: Path) -> None:
    from estation.app import create_app
    from estation.migrate import upgrade

    apps = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name / 'estation.sqlite3'}"
        upgrade(url)
        apps.append(create_app(Settings(database_url=url, environment="test", var_dir=tmp_path / name,
                                        embedding_model=str(tmp_path / f"no-model-{name}"))))
    a, b = (app.state.parts for app in apps)
    try:
        assert a is not b
        for part in ("engine", "session_factory", "search", "matching", "search_worker", "notify_worker",
                     "notifier", "card_reader"):
            assert getattr(a, part) is not getattr(b, part), part
        assert a.engine.url.database != b.engine.url.database
        with pytest.raises(runtime.MatchingUnavailable):
            a.matching.matcher()
        assert (a.matching.status, b.matching.status) == ("unavailable", "not_loaded")  # b never asked
    finally:
        a.close()
        b.close()


def test_the_cli_builds_through_the_composition_root(tmp_path: Path) -> None:
    """`estation index status` reports the backend the composition root chooses from the settings."""
    from estation.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    env = {"ESTATION_DATABASE_URL": url, "ESTATION_VAR_DIR": str(tmp_path), "ESTATION_SEARCH_BACKEND": "embedded"}
    result = subprocess.run([sys.executable, "-m", "estation", "index", "status"], capture_output=True, text=True,
                            env=os.environ | env | {"COLUMNS": "200"}, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "搜索后端：embedded，可用" in result.stdout
    assert "待同步的变更：0 条" in result.stdout


def test_a_server_loads_the_model_in_the_background_at_start(tmp_path: Path) -> None:
    """Outside tests the lifespan starts loading at once: nobody has to ask, and the app answers meanwhile."""
    import time

    from fastapi.testclient import TestClient

    from estation.app import create_app
    from estation.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, environment="development", var_dir=tmp_path,
                              embedding_model=str(tmp_path / "no-such-model")))
    matching = app.state.parts.matching
    assert matching.status == "not_loaded"
    with TestClient(app) as client:
        assert matching.status in ("loading", "unavailable")
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 60
        while matching.status == "loading" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert matching.status == "unavailable"  # tried by itself, failed, and said so
