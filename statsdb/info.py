"""What the stats database holds: matches per competition and gender, date range, sizes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text

from statsdb import schema
from statsdb.build import table_row_counts
from statsdb.database import PG_SCHEMA, default_url, is_sqlite, open_engine, sqlite_path


@dataclass(frozen=True)
class Coverage:
    competition: str
    gender: str
    matches: int
    first: date
    last: date


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    size_bytes: int
    coverage: list[Coverage]
    row_counts: dict[str, int]


def database_info(url: str | None = None) -> DatabaseInfo:
    url = url or default_url()
    engine = open_engine(url)
    m = schema.matches
    query = (
        select(m.c.competition, m.c.gender, func.count(), func.min(m.c.start_date), func.max(m.c.start_date))
        .group_by(m.c.competition, m.c.gender)
        .order_by(m.c.competition, m.c.gender)
    )
    with engine.connect() as conn:
        coverage = [Coverage(*row) for row in conn.execute(query)]
        if is_sqlite(url):
            size = sqlite_path(url).stat().st_size
        else:
            size = conn.execute(
                text("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema"),
                {"schema": PG_SCHEMA},
            ).scalar_one()
    return DatabaseInfo(url=url, size_bytes=int(size or 0), coverage=coverage, row_counts=table_row_counts(engine))
