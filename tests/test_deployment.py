"""docker-compose.yml is valid and runs the same engine version as the tests."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_is_accepted_by_the_validator() -> None:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose (Debian's package) is installed by scripts/test"
    env = os.environ | {"ESTATION_SECRET_KEY": "x" * 32, "ESTATION_DATA_KEY": "y" * 32}
    result = subprocess.run([tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")}
    result = subprocess.run([shutil.which("docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode != 0 and "ESTATION_SECRET_KEY" in result.stderr


def test_engine_version_matches_the_test_node() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    version = (ROOT / "scripts" / "elasticsearch.version").read_text().strip()
    assert compose["services"]["search"]["image"].endswith(f":{version}")
    assert version.startswith("8.")
