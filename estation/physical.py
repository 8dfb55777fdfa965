"""The functional-limit domains, declared once, and the one scale residents' limits and vacancies'
physical demands share.

Each functional domain has levels 0-4. A vacancy states the level it demands; a resident with partial
capacity states the highest level they can manage. A job fits only if, in every domain, demand <= limit.

A vacancy's ``demands`` hold only the domains its employer stated. A domain missing from them is
unknown, never the lowest level: the job may demand anything there (:func:`demand_ceiling`), so it is
never claimed to suit anyone limited in that domain. Rows written before every demand had to be stated
lost their 0s in the ``demands_stated`` migration (a 0 then could not be told from "not answered").

Adding a domain is one more :class:`Domain` in :data:`DECLARED`. Everything else follows from it: the
employer's demand form and its errors, the kiosk's badges and icons, the API schemas and search
parameters, import and export columns, the search documents, the index columns and mapping, the hard
limits, the reasons and the counter's advice. Demands and limits are JSON, so no migration is needed:
rows written before the domain existed read as "not stated" (a vacancy) and "no limit" (a resident).
The one step left is rebuilding the search indexes (``estation index rebuild``), which then hold the
new demand column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MAX_LEVEL: Final = 4


@dataclass(frozen=True)
class Domain:
    """One functional domain: what it is called, asked and said wherever it appears."""

    key: str
    """The identifier in demands, limits, API fields, form fields and index columns (snake_case)."""
    label: str
    """Its name on every screen, sheet header and API description."""
    question: str
    """What the counter asks a resident about it, in plain words."""
    levels: tuple[str, str, str, str, str]
    """What a job demands (and a resident manages) at each level 0-4, lightest first."""
    not_needed: tuple[str, str, str, str]
    """What a job demanding at most level 0-3 does not ask, said to a resident limited here."""
    ask: str
    """What the counter could ask an employer to arrange for a resident limited here (能不能……)."""
    icon: str
    """The kiosk icon's name (``#i-<icon>`` in the page's sprite)."""
    icon_svg: str
    """The icon's drawing: SVG elements on a 24x24 grid, stroked (see kiosk.css ``.icon``)."""
    on_card: bool = False
    """Shown on the kiosk's result cards (the detail page shows every domain)."""
    eased_by: tuple[tuple[str, int], ...] = ()
    """(adjustment, highest resident level it helps at): a ramp helps someone who walks little."""


DECLARED: Final[tuple[Domain, ...]] = (
    Domain(
        key="standing_walking", label="站立行走", question="能连续站着、走动多久？",
        levels=("以坐为主", "偶尔站立走动", "约一半时间站立走动", "大部分时间站立走动", "持续站立走动或攀爬"),
        not_needed=("坐着干，不用站着走动", "多半坐着，偶尔站一站", "不用一直站着", "不用一直站着走动或爬高"),
        ask="安排坐着干、进出有无障碍通道", icon="walk", on_card=True,
        icon_svg='<circle cx="13" cy="4" r="2"/><path d="M10 21l2-6-2-3 1-4 3 3h3M11 8l-3 2-1 4M12 15l3 6"/>',
        eased_by=(("seated_work", 2), ("step_free", 2), ("accessible_toilet", 1), ("home_based", 1)),
    ),
    Domain(
        key="lifting_carrying", label="搬运提举", question="能提多重的东西？",
        levels=("不需搬运", "偶尔提5公斤以内", "提10公斤以内", "提25公斤以内", "经常搬运25公斤以上"),
        not_needed=("不用搬东西", "不搬重物，最多提5公斤", "不搬重物，最多提10公斤", "不用经常搬25公斤以上的重物"),
        ask="不让您搬重东西", icon="lift", on_card=True,
        icon_svg='<rect x="6" y="11" width="12" height="9" rx="1"/><path d="M9 11V8a3 3 0 0 1 6 0v3"/>',
    ),
    Domain(
        key="fine_hand", label="手部精细操作", question="手能干多细的活？",
        levels=("几乎不用手", "简单按键操作", "书写打字等一般操作", "较多精细操作", "持续精细操作"),
        not_needed=("几乎不用手干细活", "只要简单按按键", "不用干很细的手工活", "不用一直干精细的手工活"),
        ask="少干细活", icon="hand", on_card=True,
        icon_svg='<path d="M8 12V6a1.5 1.5 0 0 1 3 0v5M11 11V4.5a1.5 1.5 0 0 1 3 0V11M14 11V6a1.5 1.5 0 0 1 3 0v7'
                 'c0 4.5-2.5 8-6.5 8C7 21 5.5 19 4 16l-1-2a1.4 1.4 0 0 1 2.4-1.4L8 15"/>',
    ),
    Domain(
        key="seeing", label="视力", question="眼睛能看清什么？",
        levels=("不依赖视力", "少量看大字", "正常阅读", "长时间看屏幕或细小物件", "精细辨识或驾驶"),
        not_needed=("不用眼睛看也能干", "只看大字，不用看小字", "不用长时间盯屏幕或看细小东西", "不用辨认很细的东西，也不用开车"),
        ask="装读屏软件、用大字", icon="eye", on_card=True,
        icon_svg='<path d="M2 12s3.5-6.5 10-6.5S22 12 22 12s-3.5 6.5-10 6.5S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>',
        eased_by=(("screen_reader", 1),),
    ),
    Domain(
        key="hearing", label="听力", question="能听清别人说话吗？",
        levels=("不需要听", "偶尔交谈", "正常交谈", "以电话沟通为主", "嘈杂环境中听辨"),
        not_needed=("不用听声音也能干", "很少需要听别人说话", "不用打电话", "不用在吵闹的地方听声音"),
        ask="用文字或手语和您沟通", icon="ear",
        icon_svg='<path d="M7 9a5 5 0 0 1 10 0c0 3-3 4-3 7a3 3 0 0 1-6 0"/><path d="M10 10a2 2 0 0 1 4 0"/>',
        eased_by=(("sign_language", 1),),
    ),
    Domain(
        key="speaking", label="言语", question="说话交流方便吗？",
        levels=("不需要说话", "简单交流", "日常交流", "大量沟通", "讲解或授课"),
        not_needed=("不用说话", "只需简单说几句", "不用说很多话", "不用讲解或上课"),
        ask="用文字和您沟通", icon="speak",
        icon_svg='<path d="M4 5h16v11H10l-5 4v-4H4z"/><circle cx="9" cy="10.5" r=".5"/><circle cx="12" cy="10.5" r=".5"/>'
                 '<circle cx="15" cy="10.5" r=".5"/>',
        eased_by=(("sign_language", 1),),
    ),
    Domain(
        key="learning_memory", label="学习记忆", question="学新东西、记步骤怎么样？",
        levels=("简单重复", "几个简单步骤", "一般工作流程", "复杂流程", "高度复杂"),
        not_needed=("简单重复的活，一学就会", "只有几个简单步骤", "按平常的流程干，不用记复杂步骤", "不用处理特别复杂的事"),
        ask="有人带着学、把步骤变简单", icon="brain",
        icon_svg='<path d="M9 4a3 3 0 0 0-3 3 3 3 0 0 0-2 5 3 3 0 0 0 2 5 3 3 0 0 0 3 3h1V4z"/>'
                 '<path d="M15 4a3 3 0 0 1 3 3 3 3 0 0 1 2 5 3 3 0 0 1-2 5 3 3 0 0 1-3 3h-1V4z"/>',
        eased_by=(("training", 2),),
    ),
)
"""Every functional domain, in the order screens, sheets and reasons list them."""

DOMAINS: Final[dict[str, Domain]] = {d.key: d for d in DECLARED}
DOMAIN_NAMES: Final = tuple(DOMAINS)


def full_capacity() -> dict[str, int]:
    return {d: MAX_LEVEL for d in DOMAIN_NAMES}


def no_demand() -> dict[str, int]:
    return {d: 0 for d in DOMAIN_NAMES}


def label(domain: str, level: int) -> str:
    return DOMAINS[domain].levels[level]


def domain_label(domain: str) -> str:
    return DOMAINS[domain].label


def scale(domain: str) -> str:
    """The domain and its 0-4 scale in one line, for API and sheet descriptions."""
    d = DOMAINS[domain]
    return f"{d.label}（{d.question}）：" + "；".join(f"{i} {text}" for i, text in enumerate(d.levels))


def eases(adjustment: str) -> tuple[tuple[str, int], ...]:
    """(domain, highest resident level it helps at) for each domain the adjustment eases, in domain order."""
    return tuple((d.key, most) for d in DECLARED for a, most in d.eased_by if a == adjustment)


def normalise_levels(levels: dict[str, int], *, default: int) -> dict[str, int]:
    """Every domain present, each level an int in 0..MAX_LEVEL; unknown domains are an error."""
    unknown = set(levels) - set(DOMAIN_NAMES)
    if unknown:
        raise ValueError(f"没有这些能力项：{'、'.join(sorted(unknown))}（可填：{'、'.join(DOMAIN_NAMES)}）")
    out = {}
    for d in DOMAIN_NAMES:
        v = levels.get(d, default)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_LEVEL:
            raise ValueError(f"{domain_label(d)}（{d}）应为0到{MAX_LEVEL}的整数")
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
