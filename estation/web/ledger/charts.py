"""Server-rendered inline SVG bar charts: no chart library, readable on a phone and on paper."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 360
FONT = 13
ROW_H = 30
BAR_H = 18
COLOURS = {"ok": "#1b6e20", "warn": "#8a4b00", "bad": "#b00020", "accent": "#0b5cab", "muted": "#9aa3ad"}


@dataclass
class Bar:
    label: str
    value: float
    target: float | None = None
    """Drawn as a thin mark: e.g. the 10 required visits."""
    tone: str = "accent"
    text: str | None = None
    """Shown after the bar instead of the bare value (e.g. "7/10")."""


def bar_chart(bars: list[Bar], *, title: str, max_value: float | None = None) -> Markup:
    """A horizontal bar chart; the title and a text table alternative make it accessible."""
    top = max([max_value or 0] + [b.value for b in bars] + [b.target or 0 for b in bars]) or 1
    # Room for the longest label on the left and the longest value on the right, so nothing is clipped.
    label_w = min(WIDTH // 2, max([text_width(b.label) for b in bars] + [40]) + 6)
    value_w = max([text_width(b.text or _num(b.value)) for b in bars] + [24]) + 8
    span = WIDTH - label_w - value_w
    height = ROW_H * max(1, len(bars)) + 8
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    if not bars:
        parts.append('<text x="0" y="20" font-size="13" fill="#4a4a4a">暂无数据</text>')
    for i, bar in enumerate(bars):
        y = 4 + i * ROW_H
        w = round(span * bar.value / top, 1)
        colour = COLOURS.get(bar.tone, COLOURS["accent"])
        parts.append(f'<text x="{label_w - 6}" y="{y + BAR_H - 4}" font-size="13" text-anchor="end" '
                     f'fill="#1a1a1a">{escape(bar.label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="{BAR_H}" fill="#eef1f5" rx="3"/>')
        if w > 0:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{BAR_H}" fill="{colour}" rx="3">'
                         f"<title>{escape(bar.label)}：{escape(bar.text or _num(bar.value))}</title></rect>")
        if bar.target:
            tx = label_w + round(span * bar.target / top, 1)
            parts.append(f'<line x1="{tx}" y1="{y - 2}" x2="{tx}" y2="{y + BAR_H + 2}" stroke="#1a1a1a" '
                         f'stroke-width="2" stroke-dasharray="3 2"/>')
        parts.append(f'<text x="{label_w + span + 6}" y="{y + BAR_H - 4}" font-size="13" fill="#1a1a1a">'
                     f"{escape(bar.text or _num(bar.value))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def text_width(text: str) -> float:
    """Rendered width at FONT px: CJK characters are square, Latin digits and letters about half."""
    return sum(FONT if ord(ch) > 0x7F else FONT * 0.6 for ch in text)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
