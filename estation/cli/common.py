"""What every command shares: the console, the settings check, the database session and the app's parts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from estation.config import get_settings

if TYPE_CHECKING:
    from estation.composition import Parts
    from estation.matching.service import Matcher

console = Console()


def check_settings() -> None:
    """Every command starts by reading the settings: unsafe ones stop it with the reason, not a traceback."""
    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            for problem in error["msg"].removeprefix("Value error, ").split("; "):
                console.print(f"[red]配置有误：{problem}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def cli_session() -> Iterator[Session]:
    """One unit of work on the database of the settings (the composition root's first step)."""
    from estation.composition import database
    from estation.db import session_scope

    engine, factory = database(get_settings())
    try:
        with session_scope(factory) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def cli_parts() -> Iterator[Parts]:
    """Every part, built as the server builds them (estation.composition); no worker runs."""
    from estation.composition import build

    parts = build(get_settings())
    try:
        yield parts
    finally:
        parts.close()


@contextmanager
def cli_matcher() -> Iterator[tuple[Parts, Matcher]]:
    """Every part and the matcher, loaded as the server loads it; exit code 3 if the model is unavailable."""
    from estation.matching.runtime import MatchingUnavailable

    with cli_parts() as parts:
        try:
            matcher = parts.matching.matcher()
        except MatchingUnavailable as exc:
            console.print(f"[red]{exc.message}[/red] ({exc.detail})")
            raise typer.Exit(3) from exc
        yield parts, matcher


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        yield progress


def progress_callback(progress: Progress) -> Callable[[str, int, int], None]:
    """Adapt a rich progress bar to the loaders' ``progress(step, done, total)`` callback."""
    tasks: dict[str, TaskID] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = progress.add_task(step, total=total)
        progress.update(tasks[step], completed=done, total=total)

    return report
