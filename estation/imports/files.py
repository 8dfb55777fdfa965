"""Turning an uploaded .xlsx or .csv into header-keyed rows, refusing anything that is not a plain table.

Every check here runs before a single cell is interpreted, so a hostile or broken file costs a bounded
amount of memory and time and ends in one Chinese sentence, never a traceback.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from estation.errors import EstationError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 5_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
"""An .xlsx is a zip: a small file can inflate to gigabytes (a zip bomb), so its members are summed first."""
MAX_BLANK_ROWS = 10_000
"""Excel often carries thousands of formatted but empty rows; beyond this the sheet is not a table."""

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .et
BINARY_MAGIC = {
    b"%PDF": "PDF文档",
    b"\x89PNG": "PNG图片",
    b"\xff\xd8\xff": "JPEG图片",
    b"GIF8": "GIF图片",
    b"\x1f\x8b": "gzip压缩包",
    b"Rar!": "RAR压缩包",
    b"7z\xbc\xaf": "7z压缩包",
    b"MZ": "可执行程序",
    b"\x7fELF": "可执行程序",
}

Cell = str | int | float | bool | date | datetime | time | None


class UploadRefused(EstationError):
    """The file as a whole cannot be read as a table; nothing in it was looked at row by row."""

    status_code = 400


class FileTooLarge(UploadRefused):
    status_code = 413


class WrongFileType(UploadRefused):
    status_code = 415


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    """(row number as the spreadsheet shows it, cells in header order)."""
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def read_upload(data: bytes, filename: str) -> Table:
    """Sniff the content (not just the name), decode, and return the first sheet as a table."""
    if len(data) > MAX_BYTES:
        raise FileTooLarge(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB，请分批导入")
    if not data.strip():
        raise UploadRefused("文件是空的")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        if suffix in (".xls", ".et", ".xlsm", ".xlsb", ".ods", ".numbers"):
            raise WrongFileType(f"不支持{suffix}格式，请在Excel中“另存为”Excel工作簿（.xlsx）或CSV后再导入")
        raise WrongFileType("只能导入 .xlsx 或 .csv 文件")
    if data.startswith(OLE_MAGIC):
        raise WrongFileType("这是旧版Excel（.xls）文件，只是改了扩展名；请在Excel中“另存为”.xlsx后再导入")
    if data.startswith(ZIP_MAGIC):
        if suffix != ".xlsx":
            raise WrongFileType("文件内容是Excel工作簿或压缩包，但扩展名是.csv；请核对文件")
        return _read_xlsx(data)
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise WrongFileType(f"文件内容是{what}，不是表格")
    if suffix == ".xlsx":
        raise WrongFileType("文件扩展名是.xlsx，但内容不是Excel工作簿（可能已损坏或是改名的其他文件）")
    return _read_csv(data)


def read_path(path: Path) -> Table:
    """Read a file from disk without ever loading more than the size limit into memory."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileTooLarge(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB，请分批导入")
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UploadRefused(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise UploadRefused(f"这是一个文件夹，不是文件：{path}") from None
    except PermissionError:
        raise UploadRefused(f"没有权限读取文件：{path}") from None
    return read_upload(data, path.name)


# --- xlsx -------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> Table:
    # Checked with zipfile before openpyxl sees it: openpyxl would inflate shared strings into memory.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise WrongFileType("Excel文件已损坏，无法打开") from None
    if "xl/workbook.xml" not in names:
        raise WrongFileType("这是一个压缩包或其他Office文档，不是Excel工作簿")
    if inflated > MAX_UNZIPPED_BYTES:
        raise FileTooLarge("Excel文件解压后过大，疑似异常文件，已拒绝")

    from openpyxl import load_workbook

    try:
        # data_only=False: a formula comes back as its text ("=...") so it can be refused, never evaluated.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many unrelated types for a damaged package
        raise WrongFileType(f"Excel文件无法读取（{type(exc).__name__}），请在Excel中重新另存为.xlsx") from None
    try:
        if not workbook.worksheets:
            raise UploadRefused("Excel文件中没有工作表")
        sheet = workbook.worksheets[0]
        # max_col bounds the work when a sheet claims all 16,384 columns in its dimension record.
        return _table(enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1))
    finally:
        workbook.close()


# --- csv --------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's “Unicode text”), or GB18030 (Chinese Excel)."""
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WrongFileType("文件含有二进制内容，不是CSV文本")
    candidates: list[str]
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        # Strict UTF-8 first: valid UTF-8 of Chinese text is almost never also the GB18030 the user meant.
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\ufffd" in text:
            raise UploadRefused("文件中有乱码（�），可能在之前的转换中已经损坏；请从原始Excel重新导出")
        return text, encoding
    raise UploadRefused("文件编码无法识别：既不是UTF-8也不是GB18030（GBK）。请在Excel中“另存为”CSV UTF-8或.xlsx后再导入")


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if any(d in first_line for d in ",\t;") else ","
    # csv's own per-field limit (128 KB) is process-wide, so it is left alone; long cells are refused below.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Numbered by record, not by line: that is the row number Excel shows when the CSV is opened.
        table = _table(enumerate(reader, start=1))
    except csv.Error as exc:
        raise UploadRefused(f"CSV格式有误（第{reader.line_num}行附近：引号未闭合或字段过长）") from exc
    table.encoding = encoding
    return table


# --- shared -----------------------------------------------------------------------------------------


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows) -> Table:
    """Header = first non-blank row; rows are (number as Excel shows it, cells)."""
    headers: list[str] | None = None
    out: list[tuple[int, list[Cell]]] = []
    blank_run = 0
    for row_no, cells in rows:
        if all(_blank(c) for c in cells):
            blank_run += 1
            if blank_run > MAX_BLANK_ROWS:
                raise UploadRefused(f"表格中连续空行超过{MAX_BLANK_ROWS}行，请删除多余的空行后再导入")
            continue
        blank_run = 0
        if len(cells) > MAX_COLUMNS and any(not _blank(c) for c in cells[MAX_COLUMNS:]):
            raise UploadRefused(f"第{row_no}行超过{MAX_COLUMNS}列，不像是本系统的导入模板")
        cells = list(cells[:MAX_COLUMNS])
        if headers is None:
            headers = [normalise_header(c) for c in cells]
            continue
        if len(out) >= MAX_ROWS:
            raise FileTooLarge(f"数据超过{MAX_ROWS}行，请分批导入")
        cells += [None] * (len(headers) - len(cells))
        for c in cells:
            if isinstance(c, str) and len(c) > MAX_CELL_CHARS:
                raise UploadRefused(f"第{row_no}行有超过{MAX_CELL_CHARS}字的单元格，不像是正常数据")
        out.append((row_no, cells[: len(headers)] if len(cells) > len(headers) else cells))
    if headers is None:
        raise UploadRefused("表格中没有内容（找不到表头行）")
    return Table(headers=headers, rows=out)


def normalise_header(value: Cell) -> str:
    """Tolerate what staff do to headers: spaces, full-width brackets, a '*' marking required columns."""
    if value is None:
        return ""
    text = str(value).replace("\u3000", " ").strip().strip("*＊").strip()
    return text.replace("（", "(").replace("）", ")").replace(" ", "")
