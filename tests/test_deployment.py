"""docker-compose.yml is valid and runs the same engine version as the tests; the image, compose and
`make run` start the way issue 13 asks (a real instance never loads the demo)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_is_accepted_by_the_validator() -> None:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose (Debian's package) is installed by scripts/test"
    env = os.environ | {"ESTATION_DATA_KEY": "y" * 32}
    result = subprocess.run([tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")}
    result = subprocess.run([shutil.which("docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode != 0 and "ESTATION_DATA_KEY" in result.stderr


def test_engine_version_matches_the_test_node() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    version = (ROOT / "scripts" / "elasticsearch.version").read_text().strip()
    assert compose["services"]["search"]["image"].endswith(f":{version}")
    assert version.startswith("8.")


def _dockerfile() -> dict[str, str]:
    """The Dockerfile's CMD (as one shell line) and ENV settings."""
    text = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(next(line for line in text.splitlines() if line.startswith("CMD "))[4:])
    env = dict(pair.split("=", 1) for line in text.splitlines() if line.startswith("ENV ") for pair in line[4:].split())
    return {"cmd": " ".join(cmd), **env}


def test_the_image_starts_with_migrate_init_and_serve_never_demo() -> None:
    docker = _dockerfile()
    steps = [step.strip().split()[:2] for step in docker["cmd"].removeprefix("sh -c ").split("&&")]
    assert steps == [["estation", "migrate"], ["estation", "init"], ["estation", "index"], ["estation", "serve"]]
    assert "demo" not in docker["cmd"]
    # a real instance: the development keys are refused and the demo-only routes are off
    assert docker["ESTATION_ENVIRONMENT"] == "production" and "ESTATION_DEMO" not in docker


def test_compose_runs_the_image_command_in_production_without_demo() -> None:
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["app"]
    assert "command" not in app and "entrypoint" not in app  # the Dockerfile's CMD above
    env = app["environment"]
    assert env["ESTATION_ENVIRONMENT"] == "production"
    assert str(env.get("ESTATION_DEMO", "false")).lower() == "false"
    assert "ESTATION_ADMIN_PASSWORD" in env  # the first admin for `estation init`


def test_make_run_still_loads_the_demo_with_the_demo_routes_on() -> None:
    text = (ROOT / "Makefile").read_text()
    recipe = text[text.index("\nrun:"):].split("\n\n")[0]
    assert "$(BIN)/estation demo" in recipe
    assert "ESTATION_DEMO=true $(BIN)/estation serve" in recipe
