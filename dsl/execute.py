"""DSL text -> answer table: parse, resolve, compile, execute, in one call (the pipeline's tail)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import Engine, Select

from dsl.ast import Query
from dsl.compiler import compile_query
from dsl.errors import DslError
from dsl.parser import parse
from dsl.printer import describe, to_dsl
from dsl.resolve import Resolved, resolve
from statsdb.database import run_select


@dataclass(frozen=True)
class DslResult:
    dsl: str  # canonical text
    query: Query
    resolved: Resolved
    description: str
    sql: str
    columns: list[str]
    rows: list[list]
    timings_ms: dict[str, float] = field(default_factory=dict)


def show_sql(statement: Select, engine: Engine) -> str:
    """The SQL as text for people to read; execution itself always binds parameters."""
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


class Laps:
    """Milliseconds per stage into `timings`, each stage timed from the previous lap."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.started = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round((now - self.started) * 1000, 2)
        self.started = now


def compile_error(query: Query, engine: Engine) -> DslError | None:
    """Why the query cannot run (a name that does not resolve, a shape the compiler refuses), or None."""
    try:
        compile_query(resolve(query, engine))
    except DslError as error:
        return error
    return None


def run_dsl(text: str, engine: Engine) -> DslResult:
    timings: dict[str, float] = {}
    lap = Laps(timings).lap
    query = parse(text)
    lap("parse")
    resolved = resolve(query, engine)
    lap("resolve")
    statement = compile_query(resolved)
    lap("compile")
    columns, rows = run_select(engine, statement)
    lap("execute")
    return DslResult(
        dsl=to_dsl(query), query=query, resolved=resolved, description=describe(query), sql=show_sql(statement, engine),
        columns=columns, rows=rows, timings_ms=timings,
    )
