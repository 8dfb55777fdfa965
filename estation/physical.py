"""The one scale shared by residents' limits and vacancies' physical demands.

Each functional domain has levels 0-4. A vacancy states the level it demands; a resident with partial
capacity states the highest level they can manage. A job fits only if, in every domain, demand <= limit.

A vacancy's ``demands`` hold only the domains its employer stated. A domain missing from them is
unknown, never the lowest level: the job may demand anything there (:func:`demand_ceiling`), so it is
never claimed to suit anyone limited in that domain. Rows written before every demand had to be stated
lost their 0s in the ``demands_stated`` migration (a 0 then could not be told from "not answered").
"""

from __future__ import annotations

from typing import Final

MAX_LEVEL: Final = 4

DOMAINS: Final[dict[str, tuple[str, tuple[str, str, str, str, str]]]] = {
    "standing_walking": (
        "站立行走",
        ("以坐为主", "偶尔站立走动", "约一半时间站立走动", "大部分时间站立走动", "持续站立走动或攀爬"),
    ),
    "lifting_carrying": (
        "搬运提举",
        ("不需搬运", "偶尔提5公斤以内", "提10公斤以内", "提25公斤以内", "经常搬运25公斤以上"),
    ),
    "fine_hand": (
        "手部精细操作",
        ("几乎不用手", "简单按键操作", "书写打字等一般操作", "较多精细操作", "持续精细操作"),
    ),
    "seeing": ("视力", ("不依赖视力", "少量看大字", "正常阅读", "长时间看屏幕或细小物件", "精细辨识或驾驶")),
    "hearing": ("听力", ("不需要听", "偶尔交谈", "正常交谈", "以电话沟通为主", "嘈杂环境中听辨")),
    "speaking": ("言语", ("不需要说话", "简单交流", "日常交流", "大量沟通", "讲解或授课")),
    "learning_memory": (
        "学习记忆",
        ("简单重复", "几个简单步骤", "一般工作流程", "复杂流程", "高度复杂"),
    ),
}

DOMAIN_NAMES: Final = tuple(DOMAINS)


def full_capacity() -> dict[str, int]:
    return {d: MAX_LEVEL for d in DOMAIN_NAMES}


def no_demand() -> dict[str, int]:
    return {d: 0 for d in DOMAIN_NAMES}


def label(domain: str, level: int) -> str:
    return DOMAINS[domain][1][level]


def domain_label(domain: str) -> str:
    return DOMAINS[domain][0]


def normalise_levels(levels: dict[str, int], *, default: int) -> dict[str, int]:
    """Every domain present, each level an int in 0..MAX_LEVEL; unknown domains are an error."""
    unknown = set(levels) - set(DOMAIN_NAMES)
    if unknown:
        raise ValueError(f"unknown functional domain(s): {', '.join(sorted(unknown))}")
    out = {}
    for d in DOMAIN_NAMES:
        v = levels.get(d, default)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_LEVEL:
            raise ValueError(f"{d} must be an integer from 0 to {MAX_LEVEL}")
        out[d] = v
    return out


def demand_ceiling(demands: dict[str, int], domain: str) -> int:
    """The most a job may demand in ``domain``: its stated level, or MAX_LEVEL where it stated none."""
    return int(demands.get(domain, MAX_LEVEL))


def unstated_domains(demands: dict[str, int] | None) -> list[str]:
    """The domains whose demand the employer has not stated."""
    return [d for d in DOMAIN_NAMES if d not in (demands or {})]


def exceeded_domains(demands: dict[str, int], limits: dict[str, int]) -> list[str]:
    """Domains in which the job demands (or, unstated, may demand) more than the resident can do."""
    return [d for d in DOMAIN_NAMES if demand_ceiling(demands, d) > limits.get(d, MAX_LEVEL)]
