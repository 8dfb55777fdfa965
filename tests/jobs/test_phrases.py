"""Residents' own words read as needs (estation.jobs.phrases): which words, what is left, what the query becomes.

That the narrowed query finds the right jobs on both engines is tests/search/test_phrases.py.
"""

from __future__ import annotations

import pytest

from estation.jobs import phrases
from estation.jobs.search import SearchQuery, Sort
from estation.physical import DOMAINS
from indexing.text import expand_query

HALL = (36.6652, 117.0538)


@pytest.mark.parametrize(("said", "needs", "rest"), [
    ("离家近的", ["near"], ""),
    ("附近的保洁", ["near"], "保洁"),
    ("离家近点的保洁", ["near"], "保洁"),
    ("不用站着", ["seated"], ""),
    ("能坐着的活", ["seated"], ""),
    ("想坐着干活", ["seated"], ""),
    ("轻活", ["light"], ""),
    ("不累的", ["light"], ""),
    ("半天", ["short"], ""),
    ("时间短的", ["short"], ""),
    ("在家做", ["home"], ""),
    ("在家做饭", ["home"], "做饭"),
    ("不用一直站着的轻活，离家近", ["seated", "light", "near"], ""),
    # Not needs: a job word is never cut (在家 is not read out of 在家政公司), other words are left alone.
    ("在家政公司", [], "在家政公司"),
    ("厨房帮工", [], "厨房帮工"),
    ("电脑", [], "电脑"),
])
def test_needs_are_read_out_of_residents_words(said: str, needs: list[str], rest: str) -> None:
    understood = phrases.understand(said)
    assert [n.key for n in understood.needs] == needs
    assert understood.text == rest


def test_each_need_narrows_the_query_as_its_words_promise() -> None:
    base = SearchQuery(kind="vacancy", text="保洁", near=HALL, sort=Sort.relevance)
    near = phrases.BY_KEY["near"].narrow(base)
    assert near.sort == Sort.distance and near.radius_km == pytest.approx(15 * 67 / 1000)
    seated = phrases.BY_KEY["seated"].narrow(base)
    assert seated.max_demands == (("standing_walking", 1),)
    light = phrases.BY_KEY["light"].narrow(phrases.BY_KEY["seated"].narrow(base))
    assert dict(light.max_demands) == {"standing_walking": 1, "lifting_carrying": 1}
    assert phrases.BY_KEY["short"].narrow(base).max_hours_per_day == 4
    assert phrases.BY_KEY["home"].narrow(base).home_based is True
    # A tighter limit already asked for is kept.
    strict = SearchQuery(kind="vacancy", max_demands=(("standing_walking", 0),), max_hours_per_day=3)
    assert phrases.BY_KEY["seated"].narrow(strict).max_demands == (("standing_walking", 0),)
    assert phrases.BY_KEY["short"].narrow(strict).max_hours_per_day == 3


def test_the_explanations_use_the_declared_demand_levels() -> None:
    seated, light = phrases.BY_KEY["seated"], phrases.BY_KEY["light"]
    assert DOMAINS["standing_walking"].not_needed[1].replace("，", "、") in seated.meaning
    assert light.note == DOMAINS["lifting_carrying"].levels[1]
    assert "5公斤" in light.meaning


def test_the_lexicon_widens_residents_words_for_jobs() -> None:
    kitchen = expand_query("厨房帮工")
    assert len(kitchen) == 1 and {"帮厨", "后厨"} <= set(kitchen[0].alternatives)
    computer = expand_query("会用电脑")
    assert [g.word for g in computer] == ["电脑"] and {"录入", "打字"} <= set(computer[0].alternatives)
