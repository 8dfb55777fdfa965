"""Occupation normalisation: free text -> codes of the 2022 classification, cached per model."""

from __future__ import annotations

import numpy as np
import pytest

from estation.matching.occupations import OccupationIndex
from tests.matching.world import occupation_index  # noqa: F401 - fixture


@pytest.mark.parametrize("text, code", [
    ("在工厂当过十年保安", "4-07-05-01"),
    ("超市收银员", "4-01-02-04"),
    ("饭店厨师十年", "4-03-02-01"),
    ("照顾老人、护理", "4-10-01-05"),
    ("看大门", "4-07-05-01"),
])
def test_free_text_finds_its_occupation_first(occupation_index, text, code) -> None:  # noqa: ANN001
    top = occupation_index.top(text, k=3)
    assert top[0].code == code, top
    assert top[0].score > top[1].score and len(top) == 3
    assert occupation_index.confident(text)[0].code == code


def test_unrelated_text_is_not_confidently_classified(occupation_index) -> None:  # noqa: ANN001
    assert occupation_index.confident("希望离家近一点") == []
    assert occupation_index.top("", k=3) == []


def test_the_matrix_is_cached_per_model_and_reused(occupation_index, tmp_path) -> None:  # noqa: ANN001
    occupation_index.save(tmp_path)
    files = list(tmp_path.rglob("occupations-*.npy"))
    assert len(files) == 1 and occupation_index.encoder.model_id.split("@")[0] in str(files[0].parent.name)

    class Refuses:
        """The same encoder identity, but encoding is an error: a reload must come from the cache."""

        model_id = occupation_index.encoder.model_id
        dim = occupation_index.encoder.dim

        def encode_documents(self, texts):  # noqa: ANN001, ANN202
            raise AssertionError("the cached matrix should have been read")

    again = OccupationIndex.load(Refuses(), cache_dir=tmp_path)
    assert np.array_equal(again.matrix, occupation_index.matrix) and again.codes == occupation_index.codes
