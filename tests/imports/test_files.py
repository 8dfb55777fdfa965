"""Hostile and broken uploads (issue 9, part 4): refused with one clear Chinese sentence, never a traceback."""

from __future__ import annotations

import io
import zipfile

import pytest

from estation.imports import files
from estation.imports.cells import text
from estation.imports.files import FileTooLarge, UploadRefused, WrongFileType, read_upload
from estation.sheets import safe_for_sheet
from tests.imports.helpers import RESIDENT_HEADERS, csv_bytes, resident_row, xlsx_bytes


def test_file_over_the_size_limit_is_refused_before_parsing():
    data = b"a," * (files.MAX_BYTES // 2 + 1)
    with pytest.raises(FileTooLarge, match="文件过大") as caught:
        read_upload(data, "big.csv")
    assert caught.value.status_code == 413


def test_too_many_rows_is_refused() -> None:
    header = ",".join(RESIDENT_HEADERS) + "\n"
    assert len(read_upload((header + "1\n" * files.MAX_ROWS).encode(), "ok.csv").rows) == files.MAX_ROWS
    with pytest.raises(FileTooLarge, match=f"超过{files.MAX_ROWS}行"):
        read_upload((header + "1\n" * (files.MAX_ROWS + 1)).encode(), "big.csv")


def test_zip_bomb_disguised_as_xlsx_is_refused() -> None:
    buffer = io.BytesIO()
    zeros = b"0" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            for _ in range(files.MAX_UNZIPPED_BYTES // len(zeros) + 1):  # one MiB more than the limit
                member.write(zeros)
    assert len(buffer.getvalue()) < files.MAX_BYTES  # small enough to be uploaded
    with pytest.raises(FileTooLarge, match="解压后过大"):
        read_upload(buffer.getvalue(), "bomb.xlsx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.xlsx", "PNG图片"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.csv", "PNG图片"),
        (b"%PDF-1.7\n...", "scan.csv", "PDF文档"),
        (b"MZ\x90\x00" + b"\x00" * 64, "tool.csv", "可执行程序"),
        (files.OLE_MAGIC + b"\x00" * 64, "old.xlsx", "旧版Excel"),
        (b"name,phone\n", "list.xls", "另存为"),
        (b"name,phone\n", "list.txt", "只能导入"),
        (b"name,phone\n", "list.xlsx", "内容不是Excel工作簿"),
    ],
)
def test_wrong_file_type_is_refused_by_content_not_name(data: bytes, name: str, message: str):
    with pytest.raises(WrongFileType, match=message) as caught:
        read_upload(data, name)
    assert caught.value.status_code == 415


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(WrongFileType, match="不是Excel工作簿"):
        read_upload(buffer.getvalue(), "letter.xlsx")


def test_a_real_workbook_named_csv_is_refused():
    with pytest.raises(WrongFileType, match="扩展名是.csv"):
        read_upload(xlsx_bytes(RESIDENT_HEADERS, [resident_row()]), "residents.csv")


def test_truncated_workbook_is_refused_cleanly():
    data = xlsx_bytes(RESIDENT_HEADERS, [resident_row()])
    with pytest.raises(WrongFileType, match="损坏|无法"):
        read_upload(data[: len(data) // 2], "cut.xlsx")


def test_broken_encoding_is_refused():
    # Neither UTF-8 nor GB18030: a lone lead byte followed by an invalid trail byte.
    data = "身份证号,姓名\n".encode("utf-8") + b"\x81\x20\xff\xfe\x80\n"
    with pytest.raises(UploadRefused, match="编码无法识别"):
        read_upload(data, "bad.csv")


def test_mojibake_already_in_the_file_is_refused():
    with pytest.raises(UploadRefused, match="乱码"):
        read_upload("身份证号,姓名\n370102,张\ufffd\n".encode("utf-8"), "bad.csv")


def test_binary_garbage_with_a_csv_name_is_refused():
    with pytest.raises(WrongFileType, match="二进制"):
        read_upload(b"abc\x00\x01\x02def", "x.csv")


def test_gb18030_and_utf8_bom_are_detected():
    rows = [resident_row(姓名="张三")]
    assert read_upload(csv_bytes(RESIDENT_HEADERS, rows, "gb18030"), "a.csv").encoding == "gb18030"
    assert read_upload(csv_bytes(RESIDENT_HEADERS, rows, "utf-8-sig"), "a.csv").encoding == "utf-8-sig"
    table = read_upload(csv_bytes(RESIDENT_HEADERS, rows, "utf-8-sig"), "a.csv")
    assert table.headers[0] == "身份证号"  # the BOM is not glued to the first header


def test_empty_and_headerless_files_are_refused():
    with pytest.raises(UploadRefused, match="空的"):
        read_upload(b"   \n", "empty.csv")
    with pytest.raises(UploadRefused, match="没有内容"):
        read_upload(xlsx_bytes([], []), "empty.xlsx")


def test_row_numbers_are_those_excel_shows_even_after_blank_rows():
    data = "身份证号,姓名\n\n,\n370102,张三\n".encode("utf-8")
    assert [number for number, _ in read_upload(data, "a.csv").rows] == [4]


def test_sheet_wider_than_the_column_limit_is_refused():
    with pytest.raises(UploadRefused, match="超过100列"):
        read_upload(xlsx_bytes([f"列{i}" for i in range(150)], [["x"] * 150]), "wide.xlsx")


def test_formula_cells_in_a_workbook_come_back_as_text_to_be_refused():
    table = read_upload(xlsx_bytes(["姓名"], [["=1+1"]]), "f.xlsx")
    value = table.rows[0][1][0]
    assert value == "=1+1"  # never evaluated
    with pytest.raises(ValueError, match="公式"):
        text(value)


@pytest.mark.parametrize("value", ["=1+1", "+86", "-1", "@x", "\tx", "\rx", "'=x", "''-x"])
def test_export_neutralises_formula_looking_text_and_import_reverses_it(value: str):
    safe = safe_for_sheet(value)
    assert safe == "'" + value
    assert text(safe) == value


def test_export_leaves_ordinary_values_and_numbers_alone():
    assert safe_for_sheet("甸柳新村") == "甸柳新村"
    assert safe_for_sheet(-5) == -5
    assert safe_for_sheet("a\x01b") == "ab"  # control characters would make the workbook unreadable
