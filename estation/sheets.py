"""The one writer of spreadsheets: every .xlsx the product hands out is built with these functions.

Text typed into the platform (an address, a ledger problem, a vacancy's description) must never become
a live formula on a clerk's computer: Excel, WPS and LibreOffice run a cell that begins with = + - @, a
tab, CR or LF (the OWASP "CSV injection" rule), and ``=HYPERLINK(...)`` sends whoever clicks to any site.
Such text is written with a leading apostrophe, which leaves it readable as typed and which our import
takes off again (:func:`estation.imports.cells.text`). openpyxl itself stores any string that begins
with "=" as a formula; after the apostrophe none does. File names built from the same text go through
:func:`file_name`. The product writes no .csv; one written later belongs here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Characters that make Excel, WPS or LibreOffice treat a cell as a formula (OWASP CSV injection)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters openpyxl refuses to write (and Excel would refuse to open)."""
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]')
FILE_NAME_PART = 60
"""Longest piece of free text in a file name (characters), so the name stays within 255 bytes."""


def is_escaped(value: str) -> bool:
    """The form :func:`safe_for_sheet` writes: one apostrophe before a trigger (or before such a form)."""
    return value[:1] == "'" and (value[1:2] in FORMULA_TRIGGERS or is_escaped(value[1:]))


def safe_for_sheet(value: object) -> object:
    """A value made inert for a cell: formula-looking text gets a leading apostrophe; other values pass."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub("", value)
    if value[:1] in FORMULA_TRIGGERS or is_escaped(value):
        return "'" + value
    return value


def new_workbook(*, streaming: bool = False) -> Workbook:
    """``streaming`` writes rows straight to disk (50,000 residents never sit in memory as cells), but
    allows no merged cells or styling after a row is added; the ledger's paper layout needs those."""
    return Workbook(write_only=streaming)


def add_row(sheet, values: Iterable[object], *, bold: bool = False) -> None:
    """Append one row, every value made inert; ``bold`` for a header row."""
    cells = [safe_for_sheet(v) for v in values]
    if bold:
        cells = [_bold(sheet, v) for v in cells]
    sheet.append(cells)


def put(sheet, coordinate: str, value: object) -> Cell:
    """Set one cell of a (non-streaming) sheet, e.g. a title, made inert; returns it for styling."""
    cell = sheet[coordinate]
    cell.value = safe_for_sheet(value)
    return cell


def file_name(*parts: str, suffix: str = ".xlsx") -> str:
    """A download or file name from pieces of text: no path separators or characters Windows refuses,
    no formula-looking piece, each piece at most FILE_NAME_PART characters; joined by "-"."""
    pieces = []
    for part in parts:
        piece = _NOT_IN_FILE_NAMES.sub("_", str(part)).strip()[:FILE_NAME_PART]
        pieces.append(str(safe_for_sheet(piece)))
    return "-".join(pieces) + suffix


def _bold(sheet, value: object) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell
