"""A database built by another version of askcric is refused with the command that rebuilds it,
not read with today's queries (a per-innings fielding table would count a Test twice)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.schema import DropTable

from statsdb import schema
from statsdb.database import DatabaseMissing, open_engine, sqlite_path


@pytest.fixture
def copied_db(fixture_sqlite_url: str, tmp_path: Path) -> str:
    copy = tmp_path / "stats.sqlite"
    shutil.copy(sqlite_path(fixture_sqlite_url), copy)
    return f"sqlite:///{copy}"


def test_the_built_database_records_the_schema_it_was_built_with(copied_db):
    open_engine(copied_db).dispose()  # no error


@pytest.mark.parametrize("change", [
    update(schema.build_info).values(schema_version=schema.SCHEMA_VERSION - 1),
    DropTable(schema.build_info),  # built before askcric recorded its schema
], ids=["older version", "unrecorded"])
def test_a_database_of_another_schema_is_refused_with_the_rebuild_command(copied_db, change):
    writable = open_engine(copied_db, read_only=False)
    with writable.begin() as conn:
        conn.execute(change)
    writable.dispose()
    with pytest.raises(DatabaseMissing, match="built by another version of askcric.*askcric db build"):
        open_engine(copied_db)
