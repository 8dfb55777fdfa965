"""Elder mode measured in the page: every figure comes from computed styles and layout boxes, not from
reading the CSS; and axe-core's scan. Used by the kiosk's browser tests."""

from __future__ import annotations

from pathlib import Path

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
    assert AXE.exists(), "run `npm ci` (make install) to get axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    return [f"{name}: {v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
