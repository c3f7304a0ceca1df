"""Where the stats database lives and how to open it (read-only for answering).

SQLite files hold the tables directly; on PostgreSQL they live in the schema `askcric`, so a build
can fill `askcric_build` next to it and swap the two in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, Select, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from statsdb import schema as stats_schema

PG_SCHEMA = "askcric"
PG_BUILD_SCHEMA = "askcric_build"


# Every answering query stops after this many seconds (ASKCRIC_QUERY_TIMEOUT), so one slow plan
# cannot hold a worker: SQLite through a progress-handler interrupt, PostgreSQL statement_timeout.
QUERY_TIMEOUT_S = float(os.environ.get("ASKCRIC_QUERY_TIMEOUT", "20"))
_PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between deadline checks (~1 ms)


class DatabaseMissing(RuntimeError):
    """The stats database has not been built (or the URL points elsewhere)."""


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was stopped."""


class DataDirUnusable(RuntimeError):
    """ASKCRIC_HOME (or the per-user folder) is not a folder askcric can use."""


def data_dir() -> Path:
    """Per-user folder for the database, the prepared model, logs (override: ASKCRIC_HOME)."""
    path = Path(os.environ.get("ASKCRIC_HOME") or user_data_dir("askcric", appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirUnusable(f"askcric keeps its database, model and logs in {path}, but that is not a folder it "
                              f"can use ({error.strerror}). Set ASKCRIC_HOME to a writable folder.") from None
    return path


def default_url() -> str:
    """ASKCRIC_DB (an SQLAlchemy URL or a file path), else an SQLite file in the data folder."""
    configured = os.environ.get("ASKCRIC_DB")
    if configured and "://" in configured:
        return configured
    path = Path(configured) if configured else data_dir() / "stats.sqlite"
    return f"sqlite:///{path.resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def open_engine(url: str | None = None, *, schema: str = PG_SCHEMA, read_only: bool = True) -> Engine:
    """An engine on the stats database. Read-only unless a build asks otherwise."""
    url = url or default_url()
    if is_sqlite(url):
        path = sqlite_path(url)
        if read_only:
            if not path.exists():
                raise DatabaseMissing(
                    f"No stats database at {path}. Build it with: askcric db build"
                )
            engine = create_engine(
                f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"check_same_thread": False}
            )
            event.listen(engine, "connect", _refuse_attach)
            _check_schema_version(engine, str(path), "askcric db build")
        else:
            engine = create_engine(f"sqlite:///{path}")
        return engine
    options = "-c default_transaction_read_only=on" if read_only else ""
    engine = create_engine(url, connect_args={"options": options} if options else {})
    engine = engine.execution_options(schema_translate_map={None: schema})
    if read_only:
        _check_pg_built(engine, schema)
        _check_schema_version(engine, f"schema {schema!r} of {engine.url.render_as_string(hide_password=True)}",
                              "askcric db build --url URL", schema)
    return engine


def _refuse_attach(connection, _record) -> None:
    """A read-only SQLite connection can still ATTACH (and so create) another file: refuse it."""
    def authorize(action: int, *_args) -> int:
        return sqlite3.SQLITE_DENY if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) else sqlite3.SQLITE_OK

    connection.set_authorizer(authorize)


def _check_pg_built(engine: Engine, schema: str) -> None:
    if "matches" not in inspect(engine).get_table_names(schema=schema):
        raise DatabaseMissing(
            f"No stats tables in schema {schema!r} of {engine.url.render_as_string(hide_password=True)}. "
            "Build them with: askcric db build --url URL"
        )


def _check_schema_version(engine: Engine, where: str, rebuild: str, schema: str | None = None) -> None:
    """Refuse a database whose tables another version of askcric laid out: its queries would
    misread them (count a fielder's match twice, say) rather than fail. A file that cannot be read
    at all raises the driver's error, as any query on it would."""
    with engine.connect() as conn:
        recorded = inspect(conn).has_table(stats_schema.build_info.name, schema=schema)
        built = conn.execute(select(stats_schema.build_info.c.schema_version)).scalar() if recorded else None
    if built != stats_schema.SCHEMA_VERSION:
        raise DatabaseMissing(
            f"The stats database in {where} was built by another version "
            f"of askcric (schema {built or 'unrecorded'}; this one reads schema {stats_schema.SCHEMA_VERSION}). "
            f"Rebuild it with: {rebuild}"
        )


def enable_sqlite_bulk_load(engine: Engine) -> None:
    """A build writes to a private temporary file: durability there only costs time."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-200000")
        cursor.close()


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def run_select(engine: Engine, statement: Select, timeout_s: float = QUERY_TIMEOUT_S) -> tuple[list[str], list[list]]:
    """Execute a compiled query within `timeout_s`: (column names, rows of JSON-ready values)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            deadline = time.monotonic() + timeout_s
            conn.connection.driver_connection.set_progress_handler(
                lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
        else:
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
        try:
            result = conn.execute(statement)
            columns = list(result.keys())
            rows = [[_json_value(value) for value in row] for row in result]
        except (OperationalError, DBAPIError) as error:
            if _timed_out(error):
                raise QueryTimeout(f"The query took longer than {timeout_s:g} s and was stopped.") from None
            raise
        finally:
            if sqlite:
                conn.connection.driver_connection.set_progress_handler(None, 0)
    return columns, rows


def _timed_out(error: DBAPIError) -> bool:
    """SQLite's interrupt or PostgreSQL's statement_timeout cancellation."""
    return "interrupted" in str(error.orig) or getattr(error.orig, "sqlstate", None) == "57014"
