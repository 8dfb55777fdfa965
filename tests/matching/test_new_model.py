"""Another embedding model, of another vector size, is one more ModelCard in estation/matching/encoder.py.

The test copies the tree, declares one more card there (the only file it changes: the one place for a
model's name, vector size and cosine bands) and runs tests/matching/new_model_checks.py in the copy with
ESTATION_EMBEDDING_MODEL naming it: the index the app makes at start-up, `estation index rebuild`, kNN in
both search engines and matching follow the new size, and an index of the old size is refused. No file
under indexing/ changes. The model is the local e5-small keeping its first 256 dimensions (there is no
model hub); the checks make it once into var/models, beside the converted e5.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estation.matching import encoder
from tests.tree_copy import copy_with_edit, run_checks

pytestmark = [pytest.mark.engine]

NAME = "var/models/multilingual-e5-small-first256"
"""The new model's folder (made by the checks), relative to the tree the app runs in."""
CARD = f'''E5_SMALL_FIRST256 = ModelCard(
    name="{NAME}",
    dims=256,
    bands=CosineBands(phrase=(0.78, 0.92), title=(0.74, 0.95), occupation=(0.78, 0.96)),
)
'''
CHECKS = "tests/matching/new_model_checks.py"


def declare(source: str) -> str:
    """``source`` (estation/matching/encoder.py) with the new card declared and added to CARDS."""
    cards = "CARDS = {card.name: card for card in (E5_SMALL,)}\n"
    assert source.count(cards) == 1, "CARDS lists the cards by name"
    return source.replace(cards, CARD + cards.replace("(E5_SMALL,)", "(E5_SMALL, E5_SMALL_FIRST256)"))


def test_one_card_runs_the_app_on_a_model_of_another_size(tmp_path: Path) -> None:
    assert NAME not in encoder.CARDS  # the checks could not pass here: only the copy declares it
    tree = copy_with_edit(tmp_path / "tree", "estation/matching/encoder.py", declare)
    passed = run_checks(tree, CHECKS, tmp_path / "checks.xml", env={"ESTATION_EMBEDDING_MODEL": NAME}, timeout=1800)
    assert passed == {
        "test_the_card_tells_size_and_space_before_the_model_loads",
        "test_the_app_makes_its_index_of_the_new_size_and_the_command_fills_it",
        "test_both_engines_index_and_match_with_the_new_size_and_refuse_the_old[embedded]",
        "test_both_engines_index_and_match_with_the_new_size_and_refuse_the_old[elasticsearch]",
    }
