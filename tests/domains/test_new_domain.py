"""A new functional-limit domain is one more Domain in estation.physical.DECLARED, and nothing else.

The test copies the tree, adds one domain to that declaration (the only file it changes) and runs
tests/domains/new_domain_checks.py in the copy, against the real database, both search engines, the real
model and a real browser: the employer's demand form, the API, the import and export columns, the kiosk
with the new icon, the search index and matching must all show the new domain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from estation import physical
from tests.tree_copy import copy_with_edit, run_checks

pytestmark = [pytest.mark.browser, pytest.mark.engine]

KEY = "heat_cold_dust"
DECLARATION = '''\
    Domain(
        key="heat_cold_dust", label="冷热粉尘", question="能在冷、热或有粉尘的地方干活吗？",
        levels=("在室内，冷热适中", "偶尔到室外", "常在室外", "在冷库、高温处或粉尘中", "长期在冷热粉尘中"),
        not_needed=("在屋里干，不冷不热", "很少到室外去", "不用常在室外", "不用长时间待在冷库、高温处或粉尘里"),
        ask="安排在屋里干的活", icon="weather",
        icon_svg='<circle cx="12" cy="12" r="4"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2"/>',
        eased_by=(("home_based", 1),),
    ),
'''
CHECKS = "tests/domains/new_domain_checks.py"


def declare(source: str, declaration: str) -> str:
    """``source`` (estation/physical.py) with ``declaration`` added as the last entry of DECLARED."""
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)
                and "DECLARED" in [t.id for t in (n.targets if isinstance(n, ast.Assign) else [n.target])])
    assert isinstance(node.value, ast.Tuple), "DECLARED is a tuple of Domain"
    lines = source.splitlines(keepends=True)
    end = node.value.elts[-1].end_lineno
    return "".join(lines[:end]) + declaration + "".join(lines[end:])


def test_one_declaration_brings_the_domain_everywhere(tmp_path: Path) -> None:
    assert KEY not in physical.DOMAINS  # the checks could not pass here: only the copy declares it
    tree = copy_with_edit(tmp_path / "tree", "estation/physical.py", lambda source: declare(source, DECLARATION))
    passed = run_checks(tree, CHECKS, tmp_path / "checks.xml", env={"ESTATION_NEW_DOMAIN": KEY}, timeout=1200)
    assert passed == {
        "test_the_copy_declares_the_new_domain_last_and_the_demo_data_still_loads",
        "test_api_and_sheets_ask_for_the_new_domain",
        "test_the_employer_states_it_and_the_kiosk_shows_it_with_its_icon",
        "test_both_backends_index_and_filter_the_new_demand[embedded]",
        "test_both_backends_index_and_filter_the_new_demand[elasticsearch]",
        "test_matching_and_the_counter_keep_the_new_limit",
    }
