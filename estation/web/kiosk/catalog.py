"""What the kiosk's job screens offer: picture categories, the four filters residents asked for, icons."""

from __future__ import annotations

from dataclasses import dataclass

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
    key: str
    name: str
    note: str
    icon: str


FILTERS: tuple[Filter, ...] = (
    Filter("near", "离家近", "步行15分钟以内", "walk"),
    Filter("seated", "坐着干", "以坐为主，很少走动", "chair"),
    Filter("short", "时间短", "每天4小时以内", "clock"),
    Filter("home", "在家干", "居家就业", "house"),
)
NEAR_WALK_MINUTES = 15
SHORT_HOURS = 4.0
SEATED_MAX_STANDING = 1
"""Level 1 of standing_walking: mostly seated, standing now and then (a cashier given a stool)."""

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
