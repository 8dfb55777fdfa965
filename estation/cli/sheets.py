"""`estation import` and `estation export`: the counter's sheets (xlsx/csv) in and out, with row reports."""

from __future__ import annotations

import os
from enum import Enum
from typing import TYPE_CHECKING
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from estation.cli.common import cli_session, console, progress_bar, progress_callback
from estation.config import get_settings

if TYPE_CHECKING:
    from estation.imports.importer import ImportReport

MAX_SHOWN = 200
"""Beyond this the terminal is no place for the list; ``--report`` writes all of it to a sheet."""

EXIT_OK, EXIT_ROWS_REFUSED, EXIT_FILE_REFUSED = 0, 1, 2


def run_import(kind: str, path: Path, *, dry_run: bool, report_path: Path | None) -> int:
    from estation.imports.files import UploadRefused, read_path
    from estation.imports.importer import import_table

    try:
        table = read_path(path)
        with cli_session() as session, progress_bar() as progress:
            report = import_table(
                session, kind=kind, table=table, filename=path.name,
                minimum_wage=get_settings().minimum_wage_monthly, dry_run=dry_run,
                progress=progress_callback(progress),
            )
    except UploadRefused as exc:
        console.print(f"[bold red]文件未导入：[/]{escape(exc.message)}")
        return EXIT_FILE_REFUSED
    if table.encoding:
        console.print(f"文件编码：{table.encoding}")
    for note in report.notes:
        console.print(f"[yellow]提示：[/]{escape(note)}")
    if report_path is not None and report.errors:
        from estation.imports.exporter import write_error_report

        write_error_report(report, report_path)
        console.print(f"完整错误报告已保存到 {escape(str(report_path))}")
    return _print_report(report, report_path)


def _print_report(report: ImportReport, report_path: Path | None) -> int:
    from estation.imports.columns import KIND_NAMES

    what = KIND_NAMES[report.kind]
    if report.ok:
        if report.dry_run:
            console.print(f"[green]试导入通过：[/]共{report.rows}行{what}全部有效（试运行，未写入数据库）。")
        else:
            console.print(f"[green]导入成功：[/]已导入{report.imported}行{what}。")
        return EXIT_OK
    bad_rows = len({e.row for e in report.errors})
    table = RichTable(title=f"{escape(report.filename)}：{bad_rows}行有错误，共{len(report.errors)}处")
    for header in ("行号", "列", "原因"):
        table.add_column(header)
    for error in report.errors[:MAX_SHOWN]:
        table.add_row(str(error.row or ""), escape(error.column), escape(error.reason))
    console.print(table)
    if len(report.errors) > MAX_SHOWN:
        hint = "" if report_path else "，用 --report 错误报告.xlsx 保存完整清单"
        console.print(f"另有{len(report.errors) - MAX_SHOWN}处错误未显示{hint}。")
    console.print(
        f"[bold red]整个文件未导入：[/]共{report.rows}行，其中{bad_rows}行有错误。"
        "为避免只导入一半，任何一行有错时全部不写入；请改正后重新导入整个文件。"
    )
    return EXIT_ROWS_REFUSED


def run_export(kind: str, out: Path, *, full: bool, community: str | None) -> int:
    from estation.imports.columns import KIND_NAMES
    from estation.imports.exporter import export_xlsx

    if out.suffix.lower() != ".xlsx":
        console.print("[bold red]导出失败：[/]输出文件名应以 .xlsx 结尾")
        return EXIT_FILE_REFUSED
    # Written beside the target and renamed at the end, so a failure never leaves half a workbook.
    partial = out.with_name(out.name + ".part")
    try:
        # Opened first, so an unwritable place fails before any work (and before openpyxl holds temp files).
        with partial.open("wb") as target, cli_session() as session, progress_bar() as progress:
            count = export_xlsx(
                session, kind=kind, out=target, full=full, community_code=community,
                progress=progress_callback(progress),
            )
        os.replace(partial, out)
    except OSError as exc:
        if partial.parent.is_dir():
            partial.unlink(missing_ok=True)
        console.print(f"[bold red]导出失败：[/]无法写入 {escape(str(out))}（{escape(exc.strerror or str(exc))}）")
        return EXIT_FILE_REFUSED
    masked = "" if full or kind == "vacancies" else "（身份证号、手机号已脱敏）"
    console.print(f"[green]已导出{count}条{KIND_NAMES[kind]}到[/] {escape(str(out))}{masked}")
    return EXIT_OK


class Sheet(str, Enum):
    residents = "residents"
    periods = "periods"
    vacancies = "vacancies"


def import_(
    kind: Sheet = typer.Argument(..., help="What the file holds: residents (居民), periods (参保缴费期) or vacancies (岗位)."),
    file: Path = typer.Argument(..., help=".xlsx or .csv (UTF-8 or GB18030) with the Chinese headers of `estation export`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and print the report; write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Also save the full error list to this .xlsx."),
) -> None:
    """Import a sheet from the counter: all rows or none; every bad row is listed with its column and reason.

    Exit code 0 = imported (or dry run passed), 1 = rows refused, 2 = file refused (type, size, encoding).
    """
    raise typer.Exit(run_import(kind.value, file, dry_run=dry_run, report_path=report))


def export(
    kind: Sheet = typer.Argument(..., help="residents (居民), periods (参保缴费期) or vacancies (岗位)."),
    out: Path = typer.Argument(..., help="The .xlsx file to write."),
    full: bool = typer.Option(False, "--full", help="Write id numbers and phones in full (needed to re-import)."),
    community: str | None = typer.Option(None, "--community", help="Only this community (12-digit code)."),
) -> None:
    """Export to .xlsx with the import headers; id numbers and phones are masked unless --full."""
    raise typer.Exit(run_export(kind.value, out, full=full, community=community))
