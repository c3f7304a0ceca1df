"""The `askcric` command: subcommands that call into the packages, with no logic of their own."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from rich.table import Table

from retrieval.splits import EVAL_SPLITS
from serving.progress import console, err_console, progress_bar, rich_progress


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
    from statsdb.database import DatabaseMissing, QueryTimeout, open_engine

    try:
        result = run_dsl(args.query, open_engine(args.url))
    except (DslError, DatabaseMissing, QueryTimeout) as error:
        kind = getattr(error, "kind", "query_timeout" if isinstance(error, QueryTimeout) else "database_missing")
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

    from serving.models import DEFAULT_MODEL, ModelMissing, prepare, resolve_adapter, served_name
    from serving.vllm_server import VllmServerError, running_server

    model = args.model or DEFAULT_MODEL
    adapter = resolve_adapter(model, args.adapter)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with progress_bar() as bar:
            prepare(model, progress=rich_progress(bar))
        err_console.print(f"Starting vLLM for {model} on port {args.port} (about 40 s)...")
        with running_server(model, port=args.port, adapter=adapter) as server:
            console.print(
                f"vLLM serves {server.model}{f' and {served_name(model, adapter)}' if adapter else ''} at {server.url}"
                f"  (log: {server.log_path})\n"
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


# --- ask ----------------------------------------------------------------------------------------

ADAPTER_HELP = (
    "LoRA adapter folder, merged into the local model (default: the one askcric ships for the model, "
    "serving/adapters/smollm2-135m-askcric; 'none': the base model); with --backend vllm, the server "
    "must serve the same adapter"
)


def open_backend(name: str, vllm_url: str | None = None, model: str | None = None, adapter: str | None = None,
                 timeout: float | None = None):
    """The backend by name, preparing the local model first if needed (progress shown)."""
    from serving.backends import open_backend as open_named

    with progress_bar() as bar:
        return open_named(name, vllm_url, model, adapter, progress=rich_progress(bar), timeout=timeout)


def port_number(text: str) -> int:
    """A TCP port for argparse: 1-65535, or a clear error instead of listening elsewhere."""
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return int(text)


def count_from_zero(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return value


def count_from_one(text: str) -> int:
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def cmd_ask(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from serving.answer import Answer, ErrorInfo, error_info, printable
    from serving.backends import BackendError
    from dsl.errors import DslError
    from dsl.link import Linker
    from serving.pipeline import DEFAULT_STRATEGY, Pipeline, QuestionError, read_question
    from serving.teaching import load_taught_pairs
    from statsdb.database import DatabaseMissing, open_engine

    strategy = DEFAULT_STRATEGY
    if args.k is not None:
        strategy = replace(strategy, k=args.k)
    if args.budget is not None:
        strategy = replace(strategy, budget=args.budget)
    try:
        engine = open_engine(args.url)
        linker = Linker.from_engine(engine)
        read_question(args.question, linker, engine)  # a typo or an empty question: answered before the model loads
        backend = open_backend(args.backend, args.vllm_url, args.model, args.adapter)
        with progress_bar() as bar:
            pipeline = Pipeline.open(backend, engine, progress=rich_progress(bar), linker=linker)
        load_taught_pairs(pipeline, args.taught_store)
    except (DatabaseMissing, BackendError) as error:
        kind = "database_missing" if isinstance(error, DatabaseMissing) else "backend_unavailable"
        answer = Answer(question=args.question, backend=args.backend, error=ErrorInfo(kind=kind, message=str(error)))
    except (QuestionError, DslError) as error:
        answer = Answer(question=printable(args.question), backend=args.backend, error=error_info(error))
    else:
        answer = pipeline.ask(args.question, strategy, **({"converge": True} if args.converge else {}))
    from serving.querylog import QueryLog

    QueryLog().record(answer, source="cli")
    if args.json:
        print(answer.model_dump_json())
        return 1 if answer.error else 0
    if (args.show_prompt or args.explain) and answer.error is None:
        err_console.print(pipeline.translate(args.question, strategy).prompt, highlight=False)
    code = print_answer(answer, explain=args.explain)
    if args.chart and code == 0:
        write_chart(answer.chart, args.chart)
    return code


def print_answer(answer, *, explain: bool = False) -> int:
    """The answer for a person: its sentence, table, notes, other readings, query; 1 on an error."""
    if answer.error:
        err_console.print(f"[red]{answer.error.kind}[/red]: {answer.error.message}", highlight=False)
        return 1
    console.print(f"[bold]{answer.summary}[/bold]", highlight=False)
    print_table(answer.columns, answer.rows)
    for note in answer.notes:
        console.print(f"[yellow]{note.kind}[/yellow]: {note.message}", highlight=False)
    for alternative in answer.alternatives:
        console.print(f"[cyan]or did you mean[/cyan] {alternative.description}  [dim]{alternative.dsl}[/dim]", highlight=False)
    console.print(f"[dim]{answer.dsl}\n{answer.description}[/dim]", highlight=False)
    if explain:
        examples = Table("similarity", "example question", "DSL", title="Examples used (nearest last)")
        for example in answer.examples:
            examples.add_row(f"{example.score:.2f}", example.question, example.dsl)
        console.print(examples)
        timings = ", ".join(f"{stage} {ms:.0f}" for stage, ms in answer.timings_ms.items())
        err_console.print(f"{answer.backend} / {answer.model} — ms: {timings}", highlight=False)
    return 0


def write_chart(spec: dict | None, path: str) -> None:
    """The answer's chart as SVG or PNG (by the file's extension), rendered by vl-convert."""
    if spec is None:
        err_console.print(f"[yellow]no chart[/yellow]: this answer has none (charts are drawn for one figure per "
                          f"group, rankings and comparisons); {path} not written.", highlight=False)
        return
    import vl_convert

    fixed = {**spec, "width": 480}  # the page fits the chart to its container; a file needs a width
    try:
        if path.lower().endswith(".png"):
            with open(path, "wb") as out:
                out.write(vl_convert.vegalite_to_png(fixed, scale=2))
        else:
            with open(path, "w", encoding="utf-8") as out:
                out.write(vl_convert.vegalite_to_svg(fixed))
    except OSError as error:
        err_console.print(f"[red]chart_not_written[/red]: {path}: {error.strerror}", highlight=False)
        return
    err_console.print(f"chart written to {path}", highlight=False)


def cmd_chat(args: argparse.Namespace) -> int:
    """Questions one after another; a follow-up ("and in Tests?") is read against the last answer."""
    import readline  # noqa: F401 - line editing and history for input()

    from serving.backends import BackendError
    from serving.conversation import Turn
    from serving.pipeline import Pipeline
    from serving.teaching import load_taught_pairs
    from statsdb.database import DatabaseMissing, data_dir, open_engine

    history = data_dir() / "chat_history"
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    try:
        engine = open_engine(args.url)
        with progress_bar() as bar:
            pipeline = Pipeline.open(open_backend(args.backend, args.vllm_url, args.model, args.adapter), engine,
                                     progress=rich_progress(bar))
        load_taught_pairs(pipeline, args.taught_store)
    except (DatabaseMissing, BackendError) as error:
        err_console.print(f"[red]cannot start[/red]: {error}", highlight=False)
        return 1
    console.print("Ask a cricket statistics question; follow up with e.g. \"and in Tests?\", \"what about Smith?\". "
                  "Ctrl-D or 'quit' ends.", highlight=False)
    last: Turn | None = None
    while True:
        try:
            question = input("askcric> ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if question.lower() in ("quit", "exit"):
            break
        if not question:
            continue
        answer = pipeline.ask(question, after=last)
        if print_answer(answer) == 0 and answer.dsl:
            last = Turn(question, answer.dsl)
    try:
        readline.write_history_file(history)
    except OSError:
        pass
    return 0


# --- serve --------------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from serving.api import create_app
    from serving.models import DEFAULT_MODEL
    from serving.pipeline import Pipeline
    from statsdb.database import open_engine

    from serving.teaching import following_teacher, taught_store_url

    def open_pipeline():  # runs in the server's loader thread, after /healthz already answers
        return Pipeline.open(open_backend(args.backend, args.vllm_url, args.model, args.adapter,
                                          timeout=args.backend_timeout),
                             open_engine(args.url))

    taught_url = taught_store_url(args.taught_store)
    model = args.model or (DEFAULT_MODEL if args.backend == "local" else None)
    app = create_app(open_pipeline, backend=args.backend, model=model, max_waiting=args.queue, workers=args.workers,
                     max_queue_wait=args.queue_wait,
                     log_convergence=args.log_convergence,
                     open_teacher=lambda pipeline: following_teacher(pipeline, taught_url), admin_token=os.environ.get("ASKCRIC_ADMIN_TOKEN") or None)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"[yellow]Listening on {args.host}: reachable from other machines.[/yellow]")
    err_console.print(f"askcric on http://{args.host}:{args.port}/ (API docs at /docs); the model loads in the background.",
                      highlight=False, soft_wrap=True)
    # Limits an exposed server needs (a deployment still puts a proxy with header-read timeouts in
    # front): h11 with a 16 KB cap on a request's head (headers), so a 1 MB header or thousands of
    # them get 400; idle keep-alive connections closed after 5 s; at most 64 connections at once.
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level, http="h11",
                            h11_max_incomplete_event_size=16 * 1024, timeout_keep_alive=5, limit_concurrency=64)
    # uvicorn shuts down cleanly on SIGTERM, then re-raises the signal to the handler that was there
    # before it: a no-op one lets the process exit 0 after a clean shutdown, as service managers expect.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.Server(config).run()
    return 0


# --- teach and review ---------------------------------------------------------------------------

def cmd_teach(args: argparse.Namespace) -> int:
    from dsl.errors import DslError
    from dsl.link import Linker
    from retrieval.taught import TaughtStore
    from serving.pipeline import QuestionError
    from serving.teaching import check_reading, taught_store_url
    from statsdb.database import DatabaseMissing, open_engine

    try:
        engine = open_engine(args.url)
        dsl = check_reading(args.question, args.dsl, Linker.from_engine(engine), engine)
    except DatabaseMissing as error:
        err_console.print(f"[red]database_missing[/red]: {error}", highlight=False)
        return 1
    except (QuestionError, DslError) as error:
        err_console.print(f"[red]{error.kind}[/red]: {error}", highlight=False)
        return 1
    store = TaughtStore(taught_store_url(args.taught_store))
    stored = store.submit(args.question, dsl, "wrong", accept=not args.pending, source="cli")
    store.close()
    where = "live now (running servers pick it up within seconds)" if stored.pair.status == "accepted" else \
        "waiting for review (askcric review)"
    console.print(f"Taught pair {stored.pair.id}, {where}:\n  {args.question}\n  {stored.pair.dsl}", highlight=False)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from retrieval.taught import TaughtError, TaughtStore, question_key
    from serving.teaching import taught_store_url

    if (args.action == "list") != (not args.ids):
        err_console.print("[red]invalid_request[/red]: name pair numbers to accept or reject, and only then, "
                          "e.g. `askcric review accept 12 14`.", highlight=False)
        return 2
    store = TaughtStore(taught_store_url(args.taught_store))
    try:
        if args.action != "list":
            for pair_id in args.ids:
                pair = store.decide(pair_id, accept=args.action == "accept")
                console.print(f"{pair.id}: {pair.status}", highlight=False)
            return 0
        shown = store.pairs(("pending",) if not args.all else ("pending", "accepted", "rejected", "superseded"))
        readings = store.readings_per_question()
        table = Table("id", "status", "sent", "readings", "question", "DSL", title="Taught pairs")
        for pair in sorted(shown, key=lambda pair: (-pair.confirmations, pair.id)):
            table.add_row(str(pair.id), pair.status, str(pair.confirmations),
                          str(readings.get(question_key(pair.question), 0)), pair.question, pair.dsl or "(report only)")
        console.print(table)
        return 0
    except TaughtError as error:
        err_console.print(f"[red]no_such_pair[/red]: {error}", highlight=False)
        return 1
    finally:
        store.close()


# --- eval ---------------------------------------------------------------------------------------

DEFAULT_EVAL_RUNS = (
    "zero-shot", "random-k", "nearest-k", "+typed-grammar", "+masked-retrieval", "+candidate-ranking",
    "+ranking-with-own-generation", "nearest-k@gemma3-270m", "+candidate-ranking@gemma3-270m",
)


def cmd_eval(args: argparse.Namespace) -> int:
    from analysis.evaluate import main

    return main(args)


# --- converge -----------------------------------------------------------------------------------

def cmd_converge(args: argparse.Namespace) -> int:
    from analysis.converge import main

    return main(args)


# --- adapt --------------------------------------------------------------------------------------

def cmd_adapt(args: argparse.Namespace) -> int:
    from analysis.adapt import main

    return main(args)


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

TAUGHT_STORE_HELP = "SQLAlchemy URL of the taught pairs (default: $ASKCRIC_TAUGHT_URL or taught.sqlite in the data folder)"

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
    prepare.add_argument("--model", help="smollm2-135m (default), gemma3-270m, qwen2.5-coder-0.5b, or a model folder")
    prepare.set_defaults(handler=cmd_model_prepare)

    vllm_serve = commands.add_parser(
        "vllm-serve", help="run a vLLM OpenAI-compatible server for the model on loopback"
    )
    vllm_serve.add_argument("--port", type=port_number, default=8011, help="port on 127.0.0.1 (default 8011)")
    vllm_serve.add_argument("--model", help="smollm2-135m (default), gemma3-270m, qwen2.5-coder-0.5b, or a model folder")
    vllm_serve.add_argument(
        "--adapter", help="also serve this LoRA adapter folder (default: the one askcric ships for the model; "
        "'none': only the base model); clients name the same adapter",
    )
    vllm_serve.set_defaults(handler=cmd_vllm_serve)

    ask = commands.add_parser("ask", help="answer a cricket statistics question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print exactly the JSON answer object")
    ask.add_argument("--backend", choices=["local", "vllm"], default="local")
    ask.add_argument("--vllm-url", help="vLLM server URL (default: $ASKCRIC_VLLM_URL or http://127.0.0.1:8011)")
    ask.add_argument("--model", help="model name or HF folder (default: smollm2-135m); with --backend vllm, the served name")
    ask.add_argument("--adapter", help=ADAPTER_HELP)
    ask.add_argument("-k", type=int, help="examples in the prompt (default 8)")
    ask.add_argument("--budget", type=int, help="prompt token budget (default: context minus output)")
    ask.add_argument("--show-prompt", action="store_true", help="print the few-shot prompt (on stderr)")
    ask.add_argument("--explain", action="store_true",
                     help="also show how it was answered: the prompt, the examples used and the timings")
    ask.add_argument("--chart", metavar="FILE", help="write the answer's chart (grouped answers, rankings, "
                                                    "comparisons) to FILE.svg or FILE.png")
    ask.add_argument("--converge", action="store_true", help="add the DSL's token probabilities for k = 0..8 examples")
    ask.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    ask.add_argument("--taught-store", help=TAUGHT_STORE_HELP)
    ask.set_defaults(handler=cmd_ask)

    chat = commands.add_parser("chat", help="ask questions one after another, with follow-ups (\"and in Tests?\")")
    chat.add_argument("--backend", choices=["local", "vllm"], default="local")
    chat.add_argument("--vllm-url", help="vLLM server URL (default: $ASKCRIC_VLLM_URL or http://127.0.0.1:8011)")
    chat.add_argument("--model", help="model name or HF folder (default: smollm2-135m)")
    chat.add_argument("--adapter", help=ADAPTER_HELP)
    chat.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    chat.add_argument("--taught-store", help=TAUGHT_STORE_HELP)
    chat.set_defaults(handler=cmd_chat)

    serve = commands.add_parser("serve", help="the REST API and web page (uvicorn, loopback by default)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=8000, help="port (default 8000)")
    serve.add_argument("--backend", choices=["local", "vllm"], default="local")
    serve.add_argument("--vllm-url", help="vLLM server URL (default: $ASKCRIC_VLLM_URL or http://127.0.0.1:8011)")
    serve.add_argument("--model", help="model name or HF folder for the local backend (default: smollm2-135m)")
    serve.add_argument("--adapter", help=ADAPTER_HELP)
    serve.add_argument("--queue", type=count_from_zero, default=4,
                       help="questions that may wait for the model (default 4); more get 503")
    serve.add_argument("--queue-wait", type=positive_seconds, default=30.0, metavar="SECONDS",
                       help="longest a question waits for the model before 503 with Retry-After (default 30)")
    serve.add_argument("--backend-timeout", type=positive_seconds, default=120.0, metavar="SECONDS",
                       help="longest one model call may take (default 120)")
    serve.add_argument("--workers", type=count_from_one, default=os.cpu_count() or 1,
                       help="questions answered at once (default: one per core, as the local model runs)")
    serve.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    serve.add_argument("--taught-store", help=TAUGHT_STORE_HELP)
    serve.add_argument("--log-convergence", type=share, default=0.0, metavar="RATE",
                       help="share of answers (0-1) whose convergence record (k = 0..8) is logged in the background "
                            "while no question waits (default 0)")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(handler=cmd_serve)

    teach = commands.add_parser("teach", help="teach the right query for a question (live at once, or --pending)")
    teach.add_argument("question", help="the question, as fans ask it")
    teach.add_argument("dsl", help='its query, e.g. \'batting player "Virat Kohli" odi against "Australia" since 2015 average\'')
    teach.add_argument("--pending", action="store_true", help="put it in the review queue instead of making it live")
    teach.add_argument("--taught-store", help=TAUGHT_STORE_HELP)
    teach.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    teach.set_defaults(handler=cmd_teach)

    review = commands.add_parser("review", help="the review queue of taught pairs: list, accept, reject")
    review.add_argument("action", nargs="?", choices=["list", "accept", "reject"], default="list")
    review.add_argument("ids", nargs="*", type=int, help="pair numbers to accept or reject")
    review.add_argument("--all", action="store_true", help="list every pair, not only the pending ones")
    review.add_argument("--taught-store", help=TAUGHT_STORE_HELP)
    review.set_defaults(handler=cmd_review)

    evaluation = commands.add_parser("eval", help="execution accuracy of pipeline variants on a split")
    evaluation.add_argument("--split", default="dev", choices=EVAL_SPLITS,
                            help="dev: the first dev split; dev-new: the question kinds added since; test-new: "
                                 "held-out questions of those kinds (run once, at the end of a change); "
                                 "outside-*: questions of every kind by writers of neither the corpus nor the "
                                 "rules (outside-test, outside-test2: run once, at the end of a change)")
    evaluation.add_argument("--variants", nargs="+", default=list(DEFAULT_EVAL_RUNS),
                            help="variant names, optionally @model (e.g. +candidate-ranking@gemma3-270m)")
    evaluation.add_argument("--backend", choices=["local", "vllm"], default="local")
    evaluation.add_argument("--vllm-url")
    evaluation.add_argument("--model", help="model for variants without @model (default smollm2-135m)")
    evaluation.add_argument("--adapter", help=ADAPTER_HELP)
    evaluation.add_argument("--limit", type=int, help="only the first N questions of the split")
    evaluation.add_argument("--out", default="analysis/output/eval", help="folder for report.md and results.json")
    evaluation.add_argument("--url", help="stats database URL")
    evaluation.set_defaults(handler=cmd_eval)

    converge = commands.add_parser(
        "converge", help="ICL convergence: gold DSL token probabilities with k = 0..kmax examples"
    )
    converge.add_argument("--split", default="dev")
    converge.add_argument("--n", type=int, default=50, help="questions (the first n of the split, seeded shuffle)")
    converge.add_argument("--kmax", type=int, default=8, help="most examples in the prompt (default 8)")
    converge.add_argument("--order", choices=["nearest", "random", "both"], default="both",
                          help="examples: the nearest train pairs, random ones (seeded), or both")
    converge.add_argument("--retrieval", choices=["masked", "raw"], default="masked",
                          help="nearest by the masked question (as served; needs the stats database) or as written")
    converge.add_argument("--backend", choices=["local", "vllm"], default="local")
    converge.add_argument("--vllm-url")
    converge.add_argument("--model", nargs="+", help="model names or folders, each run in turn (default smollm2-135m)")
    converge.add_argument("--adapter", help=ADAPTER_HELP)
    converge.add_argument("--corpus", help="pairs.jsonl (default examples/pairs.jsonl)")
    converge.add_argument("--seed", type=int, default=0)
    converge.add_argument("--heatmap-question", help="pair id for the heatmap (default: the most typical one)")
    converge.add_argument("--from-log", nargs="?", const="", metavar="QUERY_LOG",
                          help="draw the plots from the live answers `serve --log-convergence` logged "
                               "(default: the query log of the data folder) instead of scoring a split")
    converge.add_argument("--out", help="output folder (default analysis/output/converge-<timestamp>)")
    converge.add_argument("--url", help="stats database URL (for the linker of masked retrieval)")
    converge.set_defaults(handler=cmd_converge)

    adapt = commands.add_parser(
        "adapt", help="train a LoRA adapter on the train split in the served prompt format (CPU)"
    )
    adapt.add_argument("--k-mix", default="0,2,4,8,8", help="numbers of retrieved examples to draw from (default 0,2,4,8,8)")
    adapt.add_argument("--rank-weight", type=float, default=1.0,
                       help="weight of the ranking loss over the pipeline's candidates (0: the gold query's token loss only)")
    adapt.add_argument("--steps", type=int, help="optimizer steps (default: one pass over the train split)")
    adapt.add_argument("--minutes", type=float, default=10.0, help="time budget; training stops and saves (default 10)")
    adapt.add_argument("--rank", type=int, default=16, help="LoRA rank (alpha = 2 x rank; default 16)")
    adapt.add_argument("--targets", choices=["attention", "all"], default="attention",
                       help="LoRA on q,k,v,o (default) or on the MLP projections too")
    adapt.add_argument("--lr", type=float, default=2e-4)
    adapt.add_argument("--batch", type=int, default=4, help="pairs per step (default 4)")
    adapt.add_argument("--model", help="base model (default smollm2-135m)")
    adapt.add_argument("--out", help="adapter folder (default serving/adapters/smollm2-135m-askcric)")
    adapt.add_argument("--url", help="stats database URL (for the linker of masked retrieval)")
    adapt.set_defaults(handler=cmd_adapt)

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
    from statsdb.database import DataDirUnusable

    try:
        return args.handler(args)
    except DataDirUnusable as error:
        err_console.print(f"[red]data_dir_unusable[/red]: {error}", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
