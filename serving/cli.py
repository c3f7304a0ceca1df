"""The `askcric` command: subcommands that call into the packages, with no logic of their own."""

from __future__ import annotations

import argparse
import os
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


# --- dsl ----------------------------------------------------------------------------------------

def print_table(columns: list[str], rows: list[list], title: str | None = None) -> None:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)


def cmd_dsl(args: argparse.Namespace) -> int:
    from dsl.errors import DslError
    from dsl.execute import run_dsl
    from serving.answer import Answer, ErrorInfo
    from statsdb.database import DatabaseMissing, open_engine

    try:
        result = run_dsl(args.query, open_engine(args.url))
    except (DslError, DatabaseMissing) as error:
        kind = getattr(error, "kind", "database_missing")
        if args.json:
            print(Answer(dsl=args.query, error=ErrorInfo(kind=kind, message=str(error))).model_dump_json())
        else:
            err_console.print(f"[red]{kind}[/red]: {error}", highlight=False)
        return 1
    if args.json:
        answer = Answer(
            dsl=result.dsl, description=result.description, sql=result.sql,
            columns=result.columns, rows=result.rows, timings_ms=result.timings_ms,
        )
        print(answer.model_dump_json())
        return 0
    console.print(f"[bold]{result.dsl}[/bold]\n{result.description}", highlight=False)
    print_table(result.columns, result.rows)
    if args.sql:
        console.print(result.sql, highlight=False)
    return 0


# --- model and vLLM server ----------------------------------------------------------------------

def cmd_model_prepare(args: argparse.Namespace) -> int:
    from serving.models import DEFAULT_MODEL, ModelMissing, prepare

    model = args.model or DEFAULT_MODEL
    try:
        with progress_bar() as bar:
            path = prepare(model, progress=rich_progress(bar))
    except ModelMissing as error:
        err_console.print(f"[red]{error}[/red]", highlight=False)
        return 1
    console.print(f"[bold]{model}[/bold] is ready in {path}", highlight=False, soft_wrap=True)
    return 0


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # a service manager's SIGTERM stops the server as Ctrl-C does


def cmd_vllm_serve(args: argparse.Namespace) -> int:
    import signal

    from serving.models import DEFAULT_MODEL, ModelMissing, prepare
    from serving.vllm_server import VllmServerError, running_server

    model = args.model or DEFAULT_MODEL
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with progress_bar() as bar:
            prepare(model, progress=rich_progress(bar))
        err_console.print(f"Starting vLLM for {model} on port {args.port} (about 40 s)...")
        with running_server(model, port=args.port) as server:
            console.print(
                f"vLLM serves {server.model} at {server.url}  (log: {server.log_path})\n"
                f"Use it with: askcric serve --backend vllm --vllm-url {server.url}   Ctrl-C stops it.",
                highlight=False, soft_wrap=True,
            )
            status = server.process.wait()
            err_console.print(f"[red]The vLLM server exited ({status}).[/red]\n{server.log_tail()}")
            return 1
    except (ModelMissing, VllmServerError) as error:
        err_console.print(f"[red]{error}[/red]", highlight=False)
        return 1
    except KeyboardInterrupt:
        err_console.print("vLLM server stopped.")
        return 0


# --- examples -----------------------------------------------------------------------------------

def cmd_examples_stats(args: argparse.Namespace) -> int:
    from analysis.corpus import corpus_stats
    from dsl.link import Linker
    from retrieval.store import DEFAULT_CORPUS, load_pairs
    from statsdb.database import open_engine

    pairs = load_pairs(DEFAULT_CORPUS)
    stats = corpus_stats(pairs, Linker.from_engine(open_engine(args.url)))
    console.print(
        f"[bold]{stats.pairs} pairs[/bold] — " + ", ".join(f"{n} {s}" for s, n in sorted(stats.splits.items()))
    )
    console.print(
        f"players {len(stats.players)}, teams {len(stats.teams)}, grounds {len(stats.grounds)}, "
        f"cities/countries {len(stats.places)}; " + ", ".join(f"{k} {v}" for k, v in stats.genders.items())
    )
    console.print("competitions: " + ", ".join(f"{k} {v}" for k, v in stats.competitions.most_common()))
    console.print(
        f"masked questions: {stats.masked_unique_share:.1%} unique, most repeated {stats.masked_max_repeat}×; "
        f"dev DSLs also in train: {stats.dev_dsl_in_train}"
    )
    console.print(
        f"linking recall (gold DSL fits its question's grammar): {stats.linking_recall:.1%} "
        f"({len(stats.linking_misses)} misses)"
    )
    table = Table("construct", "pairs", title="Coverage per construct")
    for construct, count in sorted(stats.constructs.items()):
        table.add_row(construct, str(count), style="red" if count < 10 else None)
    console.print(table)
    for pair_id, question, missing in stats.linking_misses[: args.show_misses]:
        console.print(f"  miss {pair_id}: {question}  →  {missing}", highlight=False)
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from dsl.link import Linker
    from statsdb.database import DatabaseMissing, open_engine

    try:
        linked = Linker.from_engine(open_engine()).link(args.question)
    except DatabaseMissing as error:
        err_console.print(f"[red]database_missing[/red]: {error}", highlight=False)
        return 1
    if args.json:
        print(json.dumps({"masked": linked.masked(), **asdict(linked)}, ensure_ascii=False))
        return 0
    table = Table("type", "text", "span", "candidates", "ambiguous", title=linked.masked())
    for m in linked.mentions:
        candidates = ", ".join(f"{c.value} ({c.score:g})" for c in m.candidates)
        table.add_row(m.type, m.text, f"{m.start}-{m.end}", candidates, "yes" if m.ambiguous else "")
    console.print(table)
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

    dsl = commands.add_parser("dsl", help="run a query written in the askcric DSL")
    dsl.add_argument("query", help='e.g. \'batting player "Virat Kohli" odi since 2015 average\'')
    dsl.add_argument("--json", action="store_true", help="print the JSON answer object")
    dsl.add_argument("--sql", action="store_true", help="also print the SQL")
    dsl.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    dsl.set_defaults(handler=cmd_dsl)

    link = commands.add_parser("link", help="show the players, teams, places, years, numbers... found in a question")
    link.add_argument("question", help="e.g. \"Kohli's ODI avg vs Aus since 2015\"")
    link.add_argument("--json", action="store_true", help="print the mentions as JSON")
    link.set_defaults(handler=cmd_link)

    model = commands.add_parser("model", help="prepare the language model").add_subparsers(
        dest="model_command", required=True
    )
    prepare = model.add_parser(
        "prepare", help="convert the model's bundled GGUF into the folder both backends load (once)"
    )
    prepare.add_argument("--model", help="smollm2-135m (default), gemma3-270m, or a model folder")
    prepare.set_defaults(handler=cmd_model_prepare)

    vllm_serve = commands.add_parser(
        "vllm-serve", help="run a vLLM OpenAI-compatible server for the model on loopback"
    )
    vllm_serve.add_argument("--port", type=int, default=8011, help="port on 127.0.0.1 (default 8011)")
    vllm_serve.add_argument("--model", help="smollm2-135m (default), gemma3-270m, or a model folder")
    vllm_serve.set_defaults(handler=cmd_vllm_serve)

    examples = commands.add_parser("examples", help="the question→DSL example corpus").add_subparsers(
        dest="examples_command", required=True
    )
    stats = examples.add_parser("stats", help="coverage, uniqueness and linking recall of examples/pairs.jsonl")
    stats.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    stats.add_argument("--show-misses", type=int, default=20, help="linking misses to list")
    stats.set_defaults(handler=cmd_examples_stats)

    return parser


def main(argv: list[str] | None = None) -> int:
    # Before anything imports torch: two OpenMP threads spin and stall on a busy machine otherwise.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
