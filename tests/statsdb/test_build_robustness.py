"""A failed or interrupted build leaves the previous database as it was; answering cannot write.

The "previous database" is the fixture database (conftest.py). Each failing build reads a copy of
the fixture data folder with one thing wrong, or is interrupted from its progress hook the way
Ctrl-C would interrupt it (a KeyboardInterrupt raised in the middle of the load).
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, inspect, select, text, update
from sqlalchemy.schema import DropTable
from sqlalchemy.exc import DBAPIError

from statsdb import schema
from statsdb.build import build_database, table_row_counts
from statsdb.database import PG_BUILD_SCHEMA, PG_SCHEMA, open_engine, sqlite_path

# --- ways for a build to go wrong -------------------------------------------------------------


def damage_member(zip_path: Path, member: str) -> None:
    """Flip bytes in the middle of one member's compressed data, as a bad download would."""
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo(member)
    raw = bytearray(zip_path.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    data_start = info.header_offset + 30 + name_length + extra_length
    middle = data_start + info.compress_size // 2
    raw[middle : middle + 16] = bytes(b ^ 0xFF for b in raw[middle : middle + 16])
    zip_path.write_bytes(bytes(raw))


def interrupt_at(phase: str, after: int) -> Callable:
    """A progress hook that raises KeyboardInterrupt after `after` steps of `phase`."""

    def progress(label: str, _total: int) -> Callable[[], None]:
        steps = 0

        def advance() -> None:
            nonlocal steps
            steps += 1
            if label == phase and steps == after:
                raise KeyboardInterrupt(f"interrupted during {phase}")

        return advance

    return progress


FAILURES = {
    "damaged zip member": ("damage", None),
    "interrupted while loading scorecards": ("interrupt", interrupt_at("scorecards", 5)),
    "interrupted while indexing": ("interrupt", interrupt_at("indexing", 3)),
}


def failing_build(url: str, fixture_data_dir: Path, tmp_path: Path, failure: str) -> None:
    kind, progress = FAILURES[failure]
    data_dir = fixture_data_dir
    if kind == "damage":
        data_dir = tmp_path / "damaged_data"
        shutil.copytree(fixture_data_dir, data_dir)
        damage_member(data_dir / "t20s_json.zip", "1483765.json")  # the last match read
    expected = KeyboardInterrupt if kind == "interrupt" else Exception
    with pytest.raises(expected):
        build_database(url, data_dir=data_dir, progress=progress or (lambda _l, _t: lambda: None))


def snapshot(engine: Engine) -> tuple:
    """Row counts of every table, and the matches with their innings totals."""
    i = schema.innings
    with engine.connect() as conn:
        totals = conn.execute(
            select(i.c.match_id, i.c.number, i.c.runs, i.c.wickets).order_by(i.c.match_id, i.c.number)
        ).all()
    return table_row_counts(engine), [tuple(row) for row in totals]


# --- SQLite -----------------------------------------------------------------------------------

@pytest.mark.parametrize("failure", FAILURES)
def test_failed_sqlite_build_keeps_the_previous_file(
    fixture_sqlite_url: str, fixture_data_dir: Path, tmp_path: Path, failure: str
):
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    previous = db_dir / "stats.sqlite"
    shutil.copy(sqlite_path(fixture_sqlite_url), previous)
    before = hashlib.sha256(previous.read_bytes()).hexdigest()

    failing_build(f"sqlite:///{previous}", fixture_data_dir, tmp_path, failure)

    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before
    assert [p.name for p in db_dir.iterdir()] == ["stats.sqlite"]  # no temporary file left
    engine = open_engine(f"sqlite:///{previous}")
    assert table_row_counts(engine)["matches"] == 10
    engine.dispose()


# --- PostgreSQL -------------------------------------------------------------------------------

@pytest.mark.parametrize("failure", FAILURES)
def test_failed_postgres_build_keeps_the_previous_schema(
    fixture_pg_url: str, fixture_data_dir: Path, tmp_path: Path, failure: str
):
    engine = open_engine(fixture_pg_url)
    before = snapshot(engine)

    failing_build(fixture_pg_url, fixture_data_dir, tmp_path, failure)

    assert snapshot(engine) == before
    assert before[0]["matches"] == 10
    schemas = inspect(engine).get_schema_names()
    assert PG_SCHEMA in schemas and PG_BUILD_SCHEMA not in schemas
    engine.dispose()


# --- answering opens the database read-only ---------------------------------------------------

WRITES = {
    "insert": insert(schema.teams).values(id=9999, name="Intruders", is_franchise=False),
    "update": update(schema.innings).values(runs=0),
    "drop": DropTable(schema.deliveries),
}


@pytest.mark.parametrize("write", WRITES)
def test_the_answering_engine_refuses_writes(fixture_db: Engine, write: str):
    with fixture_db.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(WRITES[write])
        conn.commit()
    message = str(refused.value.orig).lower()
    assert "readonly" in message or "read-only" in message
    with fixture_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.teams)
                            .where(schema.teams.c.name == "Intruders")).scalar() == 0
        assert conn.execute(select(func.min(schema.innings.c.runs))).scalar() > 0
        assert conn.execute(select(func.count()).select_from(schema.deliveries)).scalar() > 0


def test_the_answering_engine_cannot_attach_another_file(fixture_db: Engine, tmp_path: Path):
    if fixture_db.dialect.name != "sqlite":
        pytest.skip("ATTACH is SQLite's; PostgreSQL answers through a read-only transaction")
    other = tmp_path / "attached.sqlite"
    with fixture_db.connect() as conn, pytest.raises(DBAPIError, match="not authorized"):
        conn.execute(text(f"ATTACH DATABASE '{other}' AS other"))
    assert not other.exists()
