"""Plain words on every page (issue 16.4): headless Chromium signs in as each role on the demo data, follows
every same-site link of that role's UI (GET only, a few pages per kind of address) and reads what the user
sees (the rendered text, visible fields' values, placeholders and list choices, alt texts, titles and the
labels a screen reader speaks; never hidden inputs): no raw codes, internal ids, enum values, English or None.

``pytest -s`` prints the pages read per role."""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from estation.accounts.models import User
from estation.cases.models import Case
from estation.labour.models import Resident
from estation.matching.encoder import model_id_for, vector_dims_for
from estation.migrate import upgrade
from fixtures.demo import DEMO_PASSWORD, KIOSK_PIN, load_demo
from fixtures.personas import PERSONA_ID_NUMBERS
from indexing.sync import rebuild
from tests.conftest import ApiHarness, LiveServer, sign_in

PER_KIND = 2
"""Pages visited per kind of address (the path with its numbers taken out, and the query's names); seeded
start pages always."""
PER_ROLE = 150

ALLOWED_ENGLISH = {"PIN", "Excel", "CSV", "xlsx", "e", "X", "DL", "SYB", "A4", "Word", "Photoshop", "AI"}
"""Latin a user meets in real life: the kiosk's PIN, the file kinds of imports and exports, 就业e站, the last
character of an id number, the “DL” printed before a case number, 创业培训（SYB） (the national programme's
own name), A4 paper, the software residents name in their own skills (会用Word、Excel和Photoshop), the AI of
employers' own job titles (AI训练数据标注员)."""
ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
NOT_CODES = [
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # a mobile phone number, shown to those who may call it
    re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{12}(?!\d)"),  # a reference printed on a receipt (DL…, YX…, LY…)
    re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])"),  # 统一社会信用代码
    re.compile(r"(?<![A-Za-z])[A-D][1-3](?=(?:或[A-D][1-3])?驾照)"),  # a driving licence's class (持C1驾照)
]
"""Numbers and codes that are what people read, copy and say themselves: taken out before the checks."""
CHECKS: dict[str, re.Pattern[str]] = {
    "a long number (a code or an id)": re.compile(r"(?<![\d.])\d{9,}(?![\d.])"),
    "an occupation code": re.compile(r"(?<![\d-])\d-\d{2}-\d{2}(?:-\d{2})?(?![\d-])"),
    "a code in brackets": re.compile(r"(?:省|市|区|县|社区|街道)（\d{2,}）"),  # 山东省（37）; a count may be bracketed
    "an internal id": re.compile(r"(?:编号|ID|id|#)[ \t]*[:：]?[ \t]*\d+"),
}

SKIP_PATHS = ("/static/", "/api/", "/docs", "/redoc", "/openapi.json", "/kiosk/ping", "/healthz")
SKIP_ENDINGS = (".xlsx", ".csv", ".json")

VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('input, textarea, select, img, [title], [aria-label]')) {
    if (el.type === 'hidden' || !el.checkVisibility()) continue;
    if (el.tagName === 'SELECT') for (const o of el.options) parts.push(o.text);
    if (el.placeholder) parts.push(el.placeholder);
    if ((el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') && !['checkbox', 'radio'].includes(el.type)) parts.push(el.value);
    if (el.tagName === 'IMG') parts.push(el.alt || '');
    parts.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '');
  }
  return parts.join('\\n');
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def findings(text: str, usernames: frozenset[str] = frozenset()) -> list[str]:
    """What in a page's visible text is not plain Chinese for its user (``usernames`` are names people sign in
    with, which an admin's screens show)."""
    for pattern in NOT_CODES:
        text = pattern.sub(" ", text)
    out = [f"{what}: {m.group(0)!r}" for what, pattern in CHECKS.items() for m in pattern.finditer(text)]
    out += [f"English: {w!r}" for w in ENGLISH.findall(text) if w not in ALLOWED_ENGLISH and w not in usernames]
    return out


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"/\d+", "/{n}", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)


def crawl(page, base: str, starts: list[str], within: tuple[str, ...], usernames: frozenset[str]) -> Crawl:
    """Visit the start pages and every link under ``within`` from them, breadth first, GET only."""
    seen: set[str] = set()
    per_kind: Counter[str] = Counter()
    seeds = {base + s for s in starts}
    queue = deque(base + s for s in starts)
    result = Crawl()
    while queue and len(result.visited) < PER_ROLE:
        url = queue.popleft().split("#")[0]
        path = urlsplit(url).path
        if (url in seen or not url.startswith(base + "/") or not path.startswith(within)
                or path.startswith(SKIP_PATHS) or path.endswith(SKIP_ENDINGS)
                or (per_kind[kind_of(url)] >= PER_KIND and url not in seeds)):
            continue
        seen.add(url)
        per_kind[kind_of(url)] += 1
        response = page.goto(url)
        result.visited.append(url.removeprefix(base))
        problems = [] if response is not None and response.status == 200 else [f"answered {response and response.status}"]
        problems += findings(page.evaluate(VISIBLE_TEXT), usernames)
        if problems:
            result.problems[url.removeprefix(base)] = sorted(set(problems))
        queue.extend(page.evaluate(LINKS))
    return result


@dataclass
class Site:
    server: LiveServer
    residents: list[int]
    cases: list[int]
    usernames: frozenset[str]
    own_community_residents: list[int]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp: Path = tmp_path_factory.mktemp("crawl")
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        load_demo(s)
        s.commit()
        rebuild(s, harness.app.state.parts.search.backend, vector_dims=vector_dims_for(harness.settings),
                model_id=model_id_for(harness.settings))
        s.commit()
        cases = list(s.scalars(select(Case.id).order_by(Case.id.desc()).limit(6)))
        # The personas (who have a kiosk PIN) and the applicants of those cases.
        residents = sorted(set(s.scalars(select(Resident.id).where(Resident.pin_hash.is_not(None))))
                           | set(s.scalars(select(Case.resident_id).where(Case.id.in_(cases)))))
        usernames = frozenset(s.scalars(select(User.username)))
        community = s.scalars(select(User.community_code).where(User.username == "community1")).one()
        own = list(s.scalars(select(Resident.id).where(Resident.community_code == community)
                             .order_by(Resident.id).limit(4)))
    server = LiveServer(harness)
    yield Site(server, residents, cases, usernames, own)
    server.stop()


def _resident(name: str) -> Callable[[object, str], None]:
    def enter(page, base: str) -> None:
        page.goto(f"{base}/kiosk/signin/pin")
        page.fill("#id_number", PERSONA_ID_NUMBERS[name])
        page.fill("#pin", KIOSK_PIN)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/kiosk/home")
    return enter


def _staff(username: str, home: str) -> Callable[[object, str], None]:
    return lambda page, base: sign_in(page, base, username, home, password=DEMO_PASSWORD)


ROLES: dict[str, tuple[Callable[[object, str], None] | None, tuple[str, ...]]] = {
    "anonymous": (None, ("/kiosk", "/login", "/")),
    "resident": (_resident("刘秀兰"), ("/kiosk",)),
    "resident with a temporary account": (_resident("赵建国"), ("/kiosk",)),
    "counter": (_staff("window1", "/counter"), ("/counter",)),
    "community staff": (_staff("community1", "/counter"), ("/counter", "/volunteers")),
    "cadre": (_staff("cadre1", "/ledger"), ("/ledger", "/volunteers")),
    "leader": (_staff("leader1", "/ledger"), ("/ledger", "/volunteers")),
    "employer": (_staff("employer1", "/employer"), ("/employer",)),
    "admin": (_staff("admin", "/admin"), ("/admin",)),
}
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_speaks_plain_chinese(browser, site: Site, role: str) -> None:
    enter, within = ROLES[role]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_navigation_timeout(600_000)  # the first page that matches loads the model
    base = site.server.url
    if enter is not None:
        enter(page, base)
    starts = [within[0] if role != "anonymous" else "/"]
    if role == "counter":  # residents are found by a posted search: their pages are seeded
        starts += [f"/counter/residents/{r}?reason=窗口办理业务" for r in site.residents]
        starts += [f"/counter/cases/{c}" for c in site.cases]
    if role == "community staff":  # their own community's residents only
        starts += [f"/counter/residents/{r}?reason=社区办理业务" for r in site.own_community_residents]
    if role == "anonymous":
        starts += ["/kiosk", "/login", "/m/notices", "/m/answers", "/m/volunteer"]
    if "/volunteers" in within:  # the volunteer alliance: its ledger (those who keep it) and its needs
        starts += ["/volunteers/needs"] + (["/volunteers"] if role != "cadre" else [])
    if "/kiosk" in within:  # the search form is a form: a few searches it would send, a plain one and phrases
        starts += ["/kiosk/jobs/results?q=保洁", "/kiosk/jobs/results?q=离家近的&seated=1", "/kiosk/jobs/results?home=1"]
    result = crawl(page, base, starts, within, site.usernames)
    context.close()
    pages = len(result.visited)
    print(f"\n{role}: {pages} pages read\n    " + "\n    ".join(result.visited))
    assert pages >= (3 if role == "anonymous" else 5), f"{role}: only {pages} pages reached"
    report = "\n".join(f"{url}\n    " + "\n    ".join(p) for url, p in sorted(result.problems.items()))
    assert not result.problems, f"{role}: {len(result.problems)} of {pages} pages\n{report}"


@pytest.mark.parametrize(("text", "found"), [
    ("社区 370102009002", True), ("家政服务员（new）", True), ("山东省（37）", True), ("岗位编号719", True),
    ("职业 4-07-05-01", True), ("None", True), ("状态：pending", True),
    ("请输入PIN码", False), ("导出Excel", False), ("电话 13905310601", False), ("2026-12-07 办结", False),
    ("持A1或B1驾照", False), ("A1级", True), ("上岗跟踪（21）", False), ("甸柳新村第一社区（370102009002）", True),
    ("编号\n2026-12-07", False),
])
def test_the_checks_catch_what_the_issue_saw(text: str, found: bool) -> None:
    assert bool(findings(text)) is found, findings(text)
