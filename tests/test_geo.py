"""Distances as the pages say them."""

import pytest

from estation.geo import distance_km, distance_words
from estation.web.templating import templates


@pytest.mark.parametrize(("km", "words"), [
    (0.0, "不到1公里"), (0.24, "不到1公里"), (0.99, "不到1公里"),
    (1.0, "约1公里"), (1.2, "约1公里"), (1.3, "约1.5公里"), (2.5, "约2.5公里"), (12.76, "约13公里"),
])
def test_distance_words_never_say_zero_kilometres(km: float, words: str) -> None:
    assert distance_words(km) == words


def test_the_pages_filter_is_the_same_words() -> None:
    # two points about 300 m apart in 甸柳街道: the employer's candidate card once said "距岗位约0.0公里"
    km = distance_km(36.6565, 117.0450, 36.6590, 117.0462)
    assert 0.2 < km < 0.4
    assert templates.env.from_string("距岗位{{ d | distance }}").render(d=km) == "距岗位不到1公里"
