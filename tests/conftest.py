"""Shared fixtures of the test suite, grouped by concern: add new ones under a heading of their own.

Tests use real services, never mocks. A service that is missing here skips its tests with the
reason, except under CI=true, where a missing service fails them: CI must really run everything.
"""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from analysis.pg_cluster import PostgresUnavailable, start_cluster
from statsdb.build import build_database
from statsdb.cricsheet import DATA_DIR
from statsdb.database import DatabaseMissing, default_url, open_engine

FIXTURES = Path(__file__).parent / "fixtures"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(reason: str) -> None:
    """Skip because something the test needs is missing here; under CI=true, fail instead."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this must run in CI)")
    pytest.skip(reason)


# --- PostgreSQL --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database the tests may fill and overwrite (schemas askcric, askcric_build).

    $ASKCRIC_TEST_PG_URL if set; else a throwaway server from Debian's packages on loopback,
    started for this test session and deleted after it (analysis/pg_cluster.py).
    """
    configured = os.environ.get("ASKCRIC_TEST_PG_URL")
    if configured:
        yield configured
        return
    try:
        cluster = start_cluster()
    except PostgresUnavailable as missing:
        require(f"No PostgreSQL for the tests: {missing}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


# --- the stats database built from a handful of real match files ------------------------------
#
# tests/fixtures/cricsheet/<zip name>/<match id>.json are real Cricsheet files (see its SOURCE.md),
# laid out like the shipped zips so the real build reads them. One match id is in both T20I
# folders with different revisions, as in the shipped data.

FIXTURE_MATCHES = FIXTURES / "cricsheet"
REGISTER_FILES = ("people.csv", "names.csv", "venues.csv")


@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder like statsdb/data/, whose zips hold only the fixture match files."""
    data_dir = tmp_path_factory.mktemp("fixture_data")
    for folder in sorted(p for p in FIXTURE_MATCHES.iterdir() if p.is_dir()):
        with zipfile.ZipFile(data_dir / f"{folder.name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for match_file in sorted(folder.glob("*.json")):
                archive.write(match_file, arcname=match_file.name)
    for name in REGISTER_FILES:
        shutil.copy(DATA_DIR / name, data_dir / name)
    return data_dir


@pytest.fixture(scope="session")
def fixture_sqlite_url(fixture_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fixture_db') / 'stats.sqlite'}"
    build_database(url, data_dir=fixture_data_dir)
    return url


@pytest.fixture(scope="session")
def fixture_pg_url(pg_url: str, fixture_data_dir: Path) -> str:
    build_database(pg_url, data_dir=fixture_data_dir)
    return pg_url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fixture_db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The fixture stats database opened for answering (read-only), on SQLite and on PostgreSQL."""
    url = request.getfixturevalue(
        "fixture_sqlite_url" if request.param == "sqlite" else "fixture_pg_url"
    )
    engine = open_engine(url)
    yield engine
    engine.dispose()


# --- the full stats database ------------------------------------------------------------------

@pytest.fixture(scope="session")
def full_db() -> Iterator[Engine]:
    """The database the README's set-up builds (statsdb.database.default_url()), read-only."""
    url = default_url()
    try:
        engine = open_engine(url)
    except DatabaseMissing as missing:
        require(f"The full stats database is not built: {missing}")
    yield engine
    engine.dispose()


# --- the query database: the fixture matches and more, for the DSL query tests ----------------
#
# tests/fixtures/cricsheet_dsl/<zip name>/<match id>.json are more real Cricsheet files (listed in
# tests/fixtures/cricsheet/SOURCE.md), chosen so every DSL filter has matches to find: India v
# Australia in three formats and many grounds, World Cup knockouts, renamed IPL franchises, women's
# T20Is. They live apart from tests/fixtures/cricsheet/ because tests/statsdb checks that folder's
# exact list of matches. The query database holds both folders' matches; on PostgreSQL it is a
# second database on the test server, so the fixture database stays as it is.

QUERY_MATCH_FOLDERS = (FIXTURE_MATCHES, FIXTURES / "cricsheet_dsl")


@pytest.fixture(scope="session")
def query_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder like statsdb/data/ whose zips hold the match files of both fixture folders."""
    data_dir = tmp_path_factory.mktemp("query_data")
    by_zip: dict[str, list[Path]] = {}
    for root in QUERY_MATCH_FOLDERS:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            by_zip.setdefault(folder.name, []).extend(sorted(folder.glob("*.json")))
    for zip_name, match_files in by_zip.items():
        with zipfile.ZipFile(data_dir / f"{zip_name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for match_file in match_files:
                archive.write(match_file, arcname=match_file.name)
    for name in REGISTER_FILES:
        shutil.copy(DATA_DIR / name, data_dir / name)
    return data_dir


@pytest.fixture(scope="session")
def query_sqlite_url(query_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('query_db') / 'stats.sqlite'}"
    build_database(url, data_dir=query_data_dir)
    return url


def _second_pg_database(url: str, name: str) -> str:
    """A fresh database `name` on the server of `url`, owned by its user; returns its URL.

    The URL's user may not create databases (the throwaway server's cannot), so the server's
    superuser is tried next (trusted on the throwaway server's loopback).
    """
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    failures = []
    for user in dict.fromkeys([parsed.username, "postgres"]):
        password = parsed.password if user == parsed.username else None
        try:
            with psycopg.connect(host=parsed.host, port=parsed.port, user=user, password=password,
                                 dbname=parsed.database, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}" OWNER "{parsed.username}"')
            return parsed.set(database=name).render_as_string(hide_password=False)
        except psycopg.Error as refused:
            failures.append(f"as {user}: {refused}".strip())
    require(f"Cannot create the PostgreSQL query database {name!r}: {'; '.join(failures)}")


@pytest.fixture(scope="session")
def taught_pg_url(pg_url: str) -> str:
    """An empty PostgreSQL database for taught pairs (shared by replicas in the tests)."""
    return _second_pg_database(pg_url, "askcric_taught_test")


@pytest.fixture(scope="session")
def query_pg_url(pg_url: str, query_data_dir: Path) -> str:
    url = _second_pg_database(pg_url, "askcric_query_tests")
    build_database(url, data_dir=query_data_dir)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def query_db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The query database opened for answering (read-only), on SQLite and on PostgreSQL."""
    url = request.getfixturevalue(
        "query_sqlite_url" if request.param == "sqlite" else "query_pg_url"
    )
    engine = open_engine(url)
    yield engine
    engine.dispose()


# --- the REST API on a real uvicorn server ----------------------------------------------------

@dataclass(frozen=True)
class ApiServer:
    url: str  # http://127.0.0.1:PORT
    log_dir: Path  # its query log (queries.jsonl, query_log.sqlite) and its taught pairs (taught.sqlite)
    max_waiting: int  # questions that may wait for the model before 503


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve a FastAPI app with uvicorn from a thread of this process on a free loopback port until
    its pipeline is ready; yields its URL."""
    import socket
    import threading

    import httpx
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        health: dict = {}
        for _ in range(600):  # the model and the example index load in the background
            if server.started:
                health = httpx.get(f"{url}/healthz", timeout=10).json()
                if health["ready"] or health["status"] != "ok":
                    break
            if not thread.is_alive():
                pytest.fail("The API server stopped while starting")
            time.sleep(1)
        if not health.get("ready"):
            pytest.fail(f"The API did not get ready: {health}")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        listener.close()


def require_model() -> None:
    from serving.models import DEFAULT_MODEL, ModelMissing, model_dir

    try:
        model_dir(DEFAULT_MODEL)
    except ModelMissing as missing:
        require(f"The model is not prepared: {missing}")


@pytest.fixture(scope="session")
def api_server(full_db: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """The REST API (serving/api.py) with the local backend and the full database, served by uvicorn
    from a thread of this process on a free loopback port, once per session. One question may wait
    for the model, so that tests can overload it; its query log lives in a temporary folder."""
    from serving.api import create_app
    from serving.backends import get_backend
    from serving.models import DEFAULT_MODEL
    from serving.pipeline import Pipeline
    from serving.querylog import QueryLog

    from retrieval.taught import TaughtStore
    from serving.teaching import Teacher

    require_model()
    log_dir = tmp_path_factory.mktemp("api_query_log")
    taught_url = f"sqlite:///{log_dir / 'taught.sqlite'}"  # feedback waits for review here: no token
    app = create_app(
        lambda: Pipeline.open(get_backend("local", model=DEFAULT_MODEL), full_db),
        model=DEFAULT_MODEL, max_waiting=1, query_log=QueryLog(log_dir, log_dir / "query_log.sqlite"),
        open_teacher=lambda pipeline: Teacher(TaughtStore(taught_url), pipeline),
    )
    with serving(app) as url:
        yield ApiServer(url, log_dir, max_waiting=1)
