"""Elder-mode figures measured in headless Chromium at both kiosk orientations, and an axe-core scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kiosk.conftest import PIN, make_world

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # 为我推荐 is measured in its "unavailable" state: the model setting names a folder that does not exist,
    # so the app's real matcher cannot load (loading the real model here would take minutes). Its list of
    # results is walked with the real matcher in tests/matching/test_personas.py.
    return make_world(tmp_path_factory, embedding_model=str(tmp_path_factory.mktemp("nomodel") / "no-such-model"))


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}

# Runs in the page: every figure comes from computed styles and layout boxes, not from reading the CSS.
MEASURE = """
() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && r.right > 0 && r.bottom > 0;
  };
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !visible(el) || el.closest('.sprite, .sr-only, .skip, script, style')) continue;
    seen.add(el);
    const s = getComputedStyle(el), size = parseFloat(s.fontSize);
    const line = s.lineHeight === 'normal' ? 0 : parseFloat(s.lineHeight);
    const fg = lum(parse(s.color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    texts.push({text: node.textContent.trim().slice(0, 30), size, lineRatio: line / size, contrast: ratio});
  }
  const targets = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, select, label.filter, label.choice')]
    .filter(el => visible(el) && !el.closest('.skip'))
    .map(el => { const r = el.getBoundingClientRect();
      return {what: (el.innerText || el.name || el.id || el.tagName).trim().slice(0, 20), x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; });
  let closest = Infinity, pair = null;
  for (let i = 0; i < targets.length; i++) for (let j = i + 1; j < targets.length; j++) {
    const a = targets[i], b = targets[j];
    const dx = Math.max(0, Math.max(a.x, b.x) - Math.min(a.x + a.w, b.x + b.w));
    const dy = Math.max(0, Math.max(a.y, b.y) - Math.min(a.y + a.h, b.y + b.h));
    const gap = Math.max(dx, dy);
    if (gap < closest) { closest = gap; pair = [a.what, b.what]; }
  }
  return {
    bodySize: parseFloat(getComputedStyle(document.body).fontSize),
    texts, targets, closest, pair,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    lang: document.documentElement.lang,
    dialogs: document.querySelectorAll('dialog[open], [role=dialog], [aria-modal=true]').length,
  };
}
"""


def _pages(world) -> list[tuple[str, str, bool]]:
    """(name, path, signed in)."""
    return [
        ("attract", "/kiosk", False),
        ("home", "/kiosk/home", False),
        ("jobs", "/kiosk/jobs", False),
        ("results", "/kiosk/jobs/results?seated=1", False),
        ("detail", f"/kiosk/jobs/{world.typist_id}", False),
        ("signin", "/kiosk/signin/pin", False),
        ("guide", "/kiosk/guide/pension_transfer", False),
        ("suggest", "/kiosk/suggest", False),
        ("progress", "/kiosk/progress", False),
        ("error", "/kiosk/jobs/999999", False),
        ("insurance", "/kiosk/me/insurance", True),
        ("cases", "/kiosk/me/cases", True),
        ("my guide", "/kiosk/guide/pension_transfer", True),
        ("recommend", "/kiosk/recommend", True),
        ("my profile", "/kiosk/me/profile", True),
        ("my invitations", "/kiosk/me/invitations", True),
        ("my applications", "/kiosk/me/applications", True),
        ("pin change", "/kiosk/me/pin", True),
        ("start-ups", "/kiosk/startups", True),
    ]


def _sign_in(page, base: str, world) -> None:
    page.goto(f"{base}/kiosk/signin/pin")
    page.fill("#id_number", world.pin_id_number)
    page.fill("#pin", PIN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/kiosk/home")


@pytest.mark.parametrize("orientation", sorted(VIEWPORTS))
def test_elder_mode_figures_on_every_main_screen(browser, world, live_kiosk, orientation: str) -> None:
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[orientation])
    page = context.new_page()
    signed_in = False
    problems: list[str] = []
    for name, path, personal in _pages(world):
        if personal and not signed_in:
            _sign_in(page, live_kiosk.url, world)
            signed_in = True
        page.goto(live_kiosk.url + path)
        problems += elder_problems(page, name)
    context.close()
    assert not problems, "\n".join(problems)


def elder_problems(page, name: str) -> list[str]:
    """What on the page breaks elder mode: small or crowded targets, small, cramped or faint text."""
    m = page.evaluate(MEASURE)
    assert m["lang"] == "zh-CN"
    assert m["bodySize"] >= 24, name
    problems = []
    for t in m["texts"]:
        if t["size"] < 24:
            problems.append(f"{name}: text {t['text']!r} is {t['size']}px")
        if t["lineRatio"] < 1.3 - 1e-6:
            problems.append(f"{name}: text {t['text']!r} line height {t['lineRatio']:.2f}")
        if t["contrast"] < 4.5:
            problems.append(f"{name}: text {t['text']!r} contrast {t['contrast']:.2f}")
    assert m["targets"], name
    for t in m["targets"]:
        if t["w"] < 64 or t["h"] < 64:
            problems.append(f"{name}: target {t['what']!r} is {t['w']:.0f}x{t['h']:.0f}")
    if m["closest"] < 8:
        problems.append(f"{name}: targets {m['pair']} only {m['closest']:.0f}px apart")
    if m["overflow"] > 0:
        problems.append(f"{name}: scrolls sideways by {m['overflow']}px")
    if m["dialogs"]:
        problems.append(f"{name}: has a dialog")
    return problems


def axe_problems(page, name: str) -> list[str]:
    """axe-core's serious and critical findings on the page (its context must bypass the CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    return [f"{name}: {v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violation(browser, world, live_kiosk) -> None:
    assert AXE.exists(), "run `npm ci` (make install) to get axe-core"
    # axe-core goes in as an inline script, which the pages' Content-Security-Policy rightly refuses.
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["portrait"], bypass_csp=True)
    page = context.new_page()
    found: list[str] = []
    signed_in = False
    for name, path, personal in _pages(world) + [("print", None, False)]:
        if personal and not signed_in:
            _sign_in(page, live_kiosk.url, world)
            signed_in = True
        if path is None:
            page.goto(f"{live_kiosk.url}/kiosk/jobs/{world.guard_id}")
            page.get_by_role("button", name="打印").click()
            page.wait_for_url(lambda url: "/kiosk/prints/" in url)
        else:
            page.goto(live_kiosk.url + path)
        found += axe_problems(page, name)
    context.close()
    assert not found, "\n".join(found)
