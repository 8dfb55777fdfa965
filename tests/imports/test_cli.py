"""`estation import` and `estation export` through Typer's runner, on a real migrated SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from estation import cli
from estation.labour.models import Household, Resident
from tests.imports.helpers import RESIDENT_HEADERS, csv_bytes, resident_row, xlsx_bytes

# Rich wraps table cells to the terminal's width, which it reads from COLUMNS: a wide terminal keeps each
# reason on one line.
runner = CliRunner(env={"COLUMNS": "250"})


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_and_export_have_help():
    for command, option in (("import", "--dry-run"), ("export", "--full")):
        result = runner.invoke(cli.app, [command, "--help"])
        assert result.exit_code == 0 and option in result.output


def test_import_good_file_exits_zero_and_writes(cli_env, tmp_path, count):
    path = write(tmp_path, "居民.xlsx", xlsx_bytes(RESIDENT_HEADERS, [resident_row(), resident_row()]))
    result = runner.invoke(cli.app, ["import", "residents", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入2行居民" in result.output
    assert count(Resident) == 2 and count(Household) == 2


def test_import_bad_rows_prints_each_and_exits_one_writing_nothing(cli_env, tmp_path, count):
    rows = [resident_row(), resident_row(身份证号="370102198001010013"), resident_row(姓名="=cmd|' /C calc'!A0")]
    path = write(tmp_path, "居民.csv", csv_bytes(RESIDENT_HEADERS, rows, "gb18030"))
    report = tmp_path / "错误.xlsx"
    result = runner.invoke(cli.app, ["import", "residents", str(path), "--report", str(report)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any("3" in line and "身份证号" in line and "校验位不正确" in line for line in lines)
    assert any("4" in line and "姓名" in line and "公式" in line for line in lines)
    assert "整个文件未导入" in result.output and "Traceback" not in result.output
    assert count(Resident) == 0
    saved = [r for r in load_workbook(report).worksheets[0].iter_rows(values_only=True)]
    assert saved[1:] == [(3, "身份证号", "身份证号校验位不正确"), (4, "姓名", saved[2][2])]
    assert saved[2][2].startswith("内容以“=”开头")


def test_dry_run_reports_success_and_writes_nothing(cli_env, tmp_path, count):
    path = write(tmp_path, "居民.xlsx", xlsx_bytes(RESIDENT_HEADERS, [resident_row()]))
    result = runner.invoke(cli.app, ["import", "residents", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "试导入通过" in result.output
    assert count(Resident) == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("居民.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", "PNG图片"),
        ("居民.csv", b"\xb8\xa3\xff\xff\x81\x20", "编码无法识别"),
        ("居民.csv", "姓名,电话\n张三,1\n".encode(), "缺少必填列"),
    ],
)
def test_refused_file_exits_two_with_a_clear_message(cli_env, tmp_path, count, name, data, message):
    result = runner.invoke(cli.app, ["import", "residents", str(write(tmp_path, name, data))])
    assert result.exit_code == 2, result.output
    assert "文件未导入" in result.output and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_is_a_message_not_a_traceback(cli_env, tmp_path):
    result = runner.invoke(cli.app, ["import", "periods", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2 and "找不到文件" in result.output


def test_export_masks_by_default_and_full_on_request(cli_env, tmp_path):
    path = write(tmp_path, "居民.xlsx", xlsx_bytes(RESIDENT_HEADERS, [resident_row(手机号="13605310001")]))
    assert runner.invoke(cli.app, ["import", "residents", str(path)]).exit_code == 0

    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    result = runner.invoke(cli.app, ["export", "residents", str(masked)])
    assert result.exit_code == 0, result.output
    assert "已导出1条居民" in result.output and "脱敏" in result.output
    assert runner.invoke(cli.app, ["export", "residents", str(full), "--full"]).exit_code == 0

    def first_row(p: Path) -> dict:
        rows = list(load_workbook(p).worksheets[0].iter_rows(values_only=True))
        return dict(zip(rows[0], rows[1]))

    assert first_row(masked)["手机号"] == "136****0001"
    assert first_row(full)["手机号"] == "13605310001"
    assert not list(tmp_path.glob("*.part"))


def test_export_to_a_wrong_name_or_place_fails_cleanly(cli_env, tmp_path):
    assert runner.invoke(cli.app, ["export", "vacancies", str(tmp_path / "out.csv")]).exit_code == 2
    result = runner.invoke(cli.app, ["export", "vacancies", str(tmp_path / "no" / "such" / "dir.xlsx")])
    assert result.exit_code == 2 and "无法写入" in result.output
