"""Progress bars and the consoles of the command line (rich), shared by the CLI and analysis mains.

The packages report progress through a plain hook, progress(label, total) -> advance(); these
adapt it to rich bars on stderr, so stdout stays clean for `--json`.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
)

err_console = Console(stderr=True)
console = Console()


def rich_progress(progress: Progress) -> Callable[[str, int], Callable[[], None]]:
    """Adapter from the packages' progress(label, total) -> advance() hook to a rich bar."""

    def start(label: str, total: int) -> Callable[[], None]:
        task = progress.add_task(label, total=total)
        return lambda: progress.advance(task)

    return start


def progress_bar(*extra: ProgressColumn, eta: bool = False) -> Progress:
    """A bar with label, count and elapsed time; `eta` adds the time remaining, `extra` more columns."""
    columns = [TextColumn("{task.description:>12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(*columns, *extra, console=err_console)
