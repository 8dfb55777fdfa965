"""Reading one spreadsheet cell as a typed value (writing one is estation.sheets).

Each parser takes what openpyxl or csv produced (str, int, float, datetime, ...) and returns the value
the pydantic schema expects, or raises ``ValueError`` with a Chinese reason for the counter clerk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from estation.geo import provinces
from estation.imports.files import Cell
from estation.labels import Labelled
from estation.sheets import CONTROL, FORMULA_TRIGGERS, is_escaped

_SPACES = " \u3000\u00a0"

Parser = Callable[[Cell], object]


def text(value: Cell) -> str | None:
    """A free-text cell: trimmed, formula-looking content refused, control characters refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    raw = str(value)
    first = raw.lstrip(_SPACES)[:1]
    if not first:
        return None
    if first in FORMULA_TRIGGERS:
        raise ValueError(
            f"内容以“{_show(first)}”开头，可能被Excel当作公式执行（公式注入），已拒绝；"
            "如确需以该符号开头，请在最前面加一个英文单引号'"
        )
    stripped = raw.strip(_SPACES + "\t\r\n")
    if is_escaped(stripped):
        # The escape our own export writes (and careful users type): keep the text, drop the quote.
        stripped = stripped[1:]
    if CONTROL.search(stripped):
        raise ValueError("含有不可见的控制字符，请重新录入该单元格")
    return stripped


def _show(ch: str) -> str:
    return {"\t": "制表符", "\r": "回车符", "\n": "换行符"}.get(ch, ch)


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(value: Cell) -> str | None:
    """For codes, numbers and labels: full-width characters folded to ASCII, then guarded like text."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value)
    return text(value)


def integer(value: Cell) -> int | None:
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("应为整数")
        return int(value)
    s = _numeric_string(value)
    if s is None:
        return None
    try:
        amount = Decimal(s)
    except InvalidOperation:
        raise ValueError("应为整数") from None
    if not amount.is_finite() or amount != amount.to_integral_value():
        raise ValueError("应为整数")
    return int(amount)


def _numeric_string(value: Cell) -> str | None:
    if isinstance(value, (datetime, date)):
        raise ValueError("应为数字，不是日期")
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip(_SPACES)
        if not value:
            return None
        # Numbers are not text: "-1" is a negative number here, and ranges are checked by the schema.
        if value[:1] in ("=", "@", "\t", "\r"):
            text(value)  # raises the formula message
        return value.replace(",", "").removesuffix("元")
    return None if value is None else str(value)


def number(value: Cell) -> float | None:
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, (int, float)):
        return float(value)
    s = _numeric_string(value)
    if s is None:
        return None
    try:
        return float(Decimal(s))
    except InvalidOperation:
        raise ValueError("应为数字") from None


def money(value: Cell) -> Decimal | None:
    if isinstance(value, bool):
        raise ValueError("应为金额（数字）")
    if isinstance(value, float):
        # Excel keeps money as binary floats; 2-decimal rounding recovers what the clerk typed.
        return Decimal(repr(value)).quantize(Decimal("0.01")) if abs(value) < 1e12 else Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    s = _numeric_string(value)
    if s is None:
        return None
    try:
        amount = Decimal(s)
    except InvalidOperation:
        raise ValueError("应为金额（数字）") from None
    if not amount.is_finite():
        raise ValueError("应为金额（数字）")
    return amount


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), re.compile(r"^(\d{4})(\d{2})$"))


def day(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("日期格式应为“2024-01-31”（该单元格是数字，请设为日期或文本格式）")
    s = _plain(value)
    if s is None:
        return None
    s = s.split(" ")[0]  # "2024-01-31 00:00:00" from a CSV saved out of Excel
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(s):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError("不是有效的日期") from None
    raise ValueError("日期格式应为“2024-01-31”")


def month(value: Cell) -> str | None:
    """A calendar month as 'YYYY-MM' (the schemas' Month); Excel often turns "2015-07" into 2015-07-01."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = _number_text(value)
    s = _plain(value)
    if s is None:
        return None
    for pattern in _MONTH_PATTERNS:
        if m := pattern.match(s):
            if not 1 <= int(m[2]) <= 12:
                raise ValueError("月份应在1到12之间")
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
    if d := _try_day(s):
        return f"{d.year:04d}-{d.month:02d}"
    raise ValueError("月份格式应为“2015-07”")


def _try_day(s: str) -> date | None:
    try:
        return day(s)
    except ValueError:
        return None


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗", "不"}


def boolean(value: Cell) -> bool | None:
    if isinstance(value, bool):
        return value
    s = _plain(value)
    if s is None:
        return None
    if s.lower() in _TRUE:
        return True
    if s.lower() in _FALSE:
        return False
    raise ValueError("应填“是”或“否”")


def choice(kind: type[Labelled], also: Mapping[Labelled, tuple[str, ...]]) -> Parser:
    """A value from its label (what exports write), its code, or another word people write for it."""
    lookup: dict[str, Labelled] = {}
    for member in kind:
        lookup[member.value.lower()] = member
        for name in (member.label, *also.get(member, ())):
            lookup[name] = member
    shown = "、".join(member.label for member in kind)

    def parse(value: Cell) -> Labelled | None:
        s = _plain(value)
        if s is None:
            return None
        member = lookup.get(s) or lookup.get(s.lower())
        if member is None:
            raise ValueError(f"应为以下之一：{shown}")
        return member

    return parse


def province(value: Cell) -> str | None:
    """A 2-digit province code, or its name ("山东省", "山东")."""
    s = _plain(value)
    if s is None:
        return None
    if s.isdigit():
        return s.zfill(2) if len(s) == 1 else s
    for code, name in provinces().items():
        short = name.removesuffix("省").removesuffix("市").removesuffix("自治区")
        if s in (name, short) or (len(s) >= 2 and name.startswith(s)):
            return code
    raise ValueError("未知的省份，请填写两位省级代码（如37）或省份名称")


def code(value: Cell) -> str | None:
    """An identifier typed as text; a number here means Excel has already rounded it."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("应为文本格式的编码")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e15:
        raise ValueError("该编码被Excel存成了数字，末几位已经丢失；请把该列设为“文本”格式后重新录入")
    s = _plain(value)
    return s.upper().replace(" ", "") if s is not None else None


def code_list(value: Cell) -> list[str] | None:
    s = _plain(value)
    if s is None:
        return None
    return [part.strip() for part in re.split(r"[,;、，；\s]+", s) if part.strip()]
