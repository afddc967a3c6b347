"""A rich progress bar for `batch`, drawn on standard error (only used when it is a terminal)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


@contextlib.contextmanager
def progress_bar(stream: TextIO, total_bytes: int | None) -> Iterator[Callable[[int, int], None]]:
    """Yield `update(lines, bytes)`. With a known input size the bar measures bytes read;
    from a pipe it counts lines. Refreshed by the caller (no thread), so forking workers is safe."""
    columns = [TextColumn("assessing"), BarColumn(), TextColumn("{task.fields[lines]:,} cases")]
    if total_bytes:
        columns += [TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn()]
    else:
        columns += [TimeElapsedColumn()]
    with Progress(*columns, console=Console(file=stream), auto_refresh=False, transient=True) as bar:
        task = bar.add_task("batch", total=total_bytes or None, lines=0)

        def update(lines: int, done_bytes: int) -> None:
            bar.update(task, completed=done_bytes if total_bytes else lines, lines=lines)
            bar.refresh()

        yield update
