"""A change story shown for real: the one edit made in a copy of the tree, and a checks file run in the copy.

docs/architecture.md says which files a change touches (a new limit domain, another embedding model).
tests/domains/test_new_domain.py and tests/matching/test_new_model.py make that edit in a copy, check that
no other file differs, and run their checks file there with pytest: the checks can only pass with the edit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_with_edit(target: Path, path: str, edit: Callable[[str], str]) -> Path:
    """A copy of the tree in ``target`` whose file ``path`` is ``edit`` of this tree's; no other file differs."""
    copy_tree(target)
    edited = target / path
    edited.write_text(edit(edited.read_text(encoding="utf-8")), encoding="utf-8")
    assert changed_files(target) == [edited]
    return target


def copy_tree(target: Path) -> None:
    """The packages, the tests and pyproject.toml; ``var/models`` is the real one (the converted model)."""
    for package in ("estation", "indexing", "fixtures", "tests"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target)
    (target / "var").mkdir()
    (target / "var" / "models").symlink_to(ROOT / "var" / "models")


def changed_files(tree: Path) -> list[Path]:
    """The Python files of the copy that differ from this tree's."""
    return [p for p in tree.rglob("*.py") if p.read_bytes() != (ROOT / p.relative_to(tree)).read_bytes()]


def run_checks(tree: Path, checks: str, report: Path, *, env: dict[str, str], timeout: float) -> set[str]:
    """Run the checks file ``checks`` in the copy with pytest; the names of the checks that passed."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", checks, f"--junitxml={report}"],
        cwd=tree, env=os.environ | env | {"PYTHONPATH": str(tree)}, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    cases = ET.parse(report).getroot().iter("testcase")
    return {str(c.get("name")) for c in cases if not list(c)}  # no failure, error or skipped child
