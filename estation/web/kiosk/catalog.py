"""What the kiosk's job screens offer: picture categories, the filters residents asked for, icons."""

from __future__ import annotations

from dataclasses import dataclass

from estation.jobs.phrases import NEEDS, Need
from estation.physical import DECLARED, DOMAINS


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    occupation: str
    """An occupation group of the 2022 classification; the search filters on it."""
    icon: str


CATEGORIES: tuple[Category, ...] = (
    Category("guard", "保安门卫", "4-07", "guard"),
    Category("clean", "保洁绿化", "4-09", "broom"),
    Category("food", "餐饮厨房", "4-03", "bowl"),
    Category("care", "家政护理", "4-10-01", "heart"),
    Category("shop", "超市销售", "4-01", "cart"),
    Category("logistics", "快递仓储", "4-02", "box"),
    Category("craft", "手工制作", "6", "needle"),
    Category("office", "客服文员", "4-04", "phone"),
)
BY_KEY = {c.key: c for c in CATEGORIES}


@dataclass(frozen=True)
class Filter:
    """A need residents ask for (estation.jobs.phrases), as a button on the search form."""

    need: Need
    icon: str

    @property
    def key(self) -> str:
        return self.need.key

    @property
    def name(self) -> str:
        return self.need.name

    @property
    def note(self) -> str:
        return self.need.note


_ICONS = {"near": "walk", "seated": "chair", "light": DOMAINS["lifting_carrying"].icon, "short": "clock", "home": "house"}
FILTERS: tuple[Filter, ...] = tuple(Filter(n, _ICONS[n.key]) for n in NEEDS)

# Short words for the demand levels: the full labels in estation.physical are too long for a card.
LEVEL_WORDS = ("不需要", "少量", "一般", "较多", "很多")
CARD_DOMAINS = tuple(d.key for d in DECLARED if d.on_card)
"""The demands shown on a result card; the detail page shows every domain."""


def demand_badges(demands: dict[str, int] | None, domains: tuple[str, ...] = CARD_DOMAINS) -> list[dict]:
    """One badge per domain; a demand the employer never stated says so, never "不需要"."""
    demands = demands or {}
    out = []
    for d in domains:
        domain = DOMAINS[d]
        badge = {"domain": d, "name": domain.label, "icon": domain.icon}
        if d in demands:
            level = int(demands[d])
            badge |= {"level": level, "word": LEVEL_WORDS[level], "label": domain.levels[level]}
        else:
            badge |= {"level": "unstated", "word": "未说明", "label": "单位未说明，请到窗口问清楚"}
        out.append(badge)
    return out
