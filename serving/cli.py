"""The `askcric` command: subcommands that call into the packages, with no logic of their own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

err_console = Console(stderr=True)
console = Console()


def rich_progress(progress: Progress) -> Callable[[str, int], Callable[[], None]]:
    """Adapter from the packages' progress(label, total) -> advance() hook to a rich bar."""

    def start(label: str, total: int) -> Callable[[], None]:
        task = progress.add_task(label, total=total)
        return lambda: progress.advance(task)

    return start


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:>12}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console,
    )


# --- db -----------------------------------------------------------------------------------------

def cmd_db_build(args: argparse.Namespace) -> int:
    from statsdb.build import build_database

    with progress_bar() as bar:
        report = build_database(args.url, progress=rich_progress(bar))
    table = Table("table", "rows", title=f"Built in {report.seconds:.0f} s")
    for name, count in report.row_counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    return 0


def cmd_db_info(args: argparse.Namespace) -> int:
    from statsdb.info import database_info

    info = database_info(args.url)
    console.print(f"[bold]{info.url}[/bold]  {info.size_bytes / 1e6:,.0f} MB")
    coverage = Table("competition", "gender", "matches", "first", "last", title="Coverage")
    for row in info.coverage:
        coverage.add_row(row.competition, row.gender, f"{row.matches:,}", str(row.first), str(row.last))
    console.print(coverage)
    sizes = Table("table", "rows", title="Tables")
    for name, count in info.row_counts.items():
        sizes.add_row(name, f"{count:,}")
    console.print(sizes)
    return 0


# --- wiring -------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="askcric", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="build or inspect the stats database").add_subparsers(
        dest="db_command", required=True
    )
    build = db.add_parser("build", help="build the stats database from the shipped Cricsheet data")
    build.add_argument("--url", help="SQLAlchemy URL (default: $ASKCRIC_DB or a per-user SQLite file)")
    build.set_defaults(handler=cmd_db_build)
    info = db.add_parser("info", help="coverage and sizes of the stats database")
    info.add_argument("--url", help="SQLAlchemy URL (default: $ASKCRIC_DB or a per-user SQLite file)")
    info.set_defaults(handler=cmd_db_info)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
