"""Build the stats database from the shipped Cricsheet zips, atomically.

Two passes over the match files: the first collects players, teams, venues and matches (the
parents every scorecard row points at), the second computes scorecards and deliveries and streams
them in batches. The build writes into a temporary SQLite file (or the PostgreSQL schema
`askcric_build`) and only replaces the live database once everything is in, so a failed or
interrupted build leaves the previous database untouched.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.schema import CreateSchema, CreateTable, DropSchema

from statsdb import schema
from statsdb.cricsheet import (
    DATA_DIR,
    VenueKey,
    add_innings_rows,
    display_name,
    iter_match_files,
    match_info_rows,
    read_register,
    select_match_members,
)
from statsdb.database import (
    PG_BUILD_SCHEMA,
    PG_SCHEMA,
    default_url,
    enable_sqlite_bulk_load,
    is_sqlite,
    open_engine,
    sqlite_path,
)

BATCH_ROWS = 20_000

Progress = Callable[[str, int], Callable[[], None]]
"""progress(label, total) -> advance(): how the caller shows a progress bar."""


@dataclass(frozen=True)
class BuildReport:
    url: str
    seconds: float
    row_counts: dict[str, int]


def _no_progress(_label: str, _total: int) -> Callable[[], None]:
    return lambda: None


def read_venue_gazetteer(data_dir: Path = DATA_DIR) -> dict[VenueKey, dict]:
    """venues.csv: Cricsheet's venue spellings -> one ground, its city and host country."""
    with open(data_dir / "venues.csv", newline="", encoding="utf-8") as handle:
        return {
            VenueKey(row["raw_venue"], row["raw_city"]): row for row in csv.DictReader(handle)
        }


def _venue_of(key: VenueKey, gazetteer: dict[VenueKey, dict]) -> tuple[str, str | None, str | None, list[str]]:
    """(ground, city, country, aliases) of a Cricsheet venue spelling."""
    known = gazetteer.get(key)
    if known:
        nicknames = [n for n in known["nicknames"].split("|") if n]
        return known["ground"], known["city"] or None, known["country"] or None, [key.raw_venue, *nicknames]
    # A venue newer than the gazetteer: keep it, unplaced, rather than fail the build.
    ground = key.raw_venue.rsplit(",", 1)[0] if key.raw_city and key.raw_venue.endswith(key.raw_city) else key.raw_venue
    return ground, key.raw_city or None, None, [key.raw_venue]


def build_database(
    url: str | None = None, data_dir: Path = DATA_DIR, progress: Progress = _no_progress
) -> BuildReport:
    url = url or default_url()
    started = time.perf_counter()
    if is_sqlite(url):
        final_path = sqlite_path(url)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own, so two builds at once cannot write into each other's file.
        handle, temp_name = tempfile.mkstemp(prefix=final_path.name + ".", suffix=".building", dir=final_path.parent)
        os.close(handle)
        temp_path = Path(temp_name)
        engine = open_engine(f"sqlite:///{temp_path}", read_only=False)
        enable_sqlite_bulk_load(engine)
        try:
            _load(engine, data_dir, progress)
            engine.dispose()
            temp_path.chmod(0o644)  # mkstemp made it private; the database is for every reader
            os.replace(temp_path, final_path)  # atomic on POSIX
        finally:
            engine.dispose()
            temp_path.unlink(missing_ok=True)
    else:
        engine = open_engine(url, schema=PG_BUILD_SCHEMA, read_only=False)
        with engine.begin() as conn:
            conn.execute(DropSchema(PG_BUILD_SCHEMA, cascade=True, if_exists=True))
            conn.execute(CreateSchema(PG_BUILD_SCHEMA))
        try:
            _load(engine, data_dir, progress)
            _swap_pg_schema(engine)
        finally:
            with engine.begin() as conn:
                conn.execute(DropSchema(PG_BUILD_SCHEMA, cascade=True, if_exists=True))
            engine.dispose()
    counts = table_row_counts(open_engine(url))
    return BuildReport(url=url, seconds=time.perf_counter() - started, row_counts=counts)


def _swap_pg_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(DropSchema(PG_SCHEMA, cascade=True, if_exists=True))
        conn.execute(text(f"ALTER SCHEMA {PG_BUILD_SCHEMA} RENAME TO {PG_SCHEMA}"))


def table_row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in schema.LOAD_ORDER
        }


def _load(engine: Engine, data_dir: Path, progress: Progress) -> None:
    members = select_match_members(data_dir)
    with engine.begin() as conn:
        for table in schema.LOAD_ORDER:
            conn.execute(CreateTable(table))  # indexes come after the bulk insert: faster
        team_ids = _load_parents(conn, members, data_dir, progress)
        _load_scorecards(conn, members, data_dir, team_ids, progress)
        advance = progress("indexing", len(schema.LOAD_ORDER))
        for table in schema.LOAD_ORDER:
            for index in table.indexes:
                index.create(conn)
            advance()
        conn.execute(CreateTable(schema.build_info))
        conn.execute(insert(schema.build_info).values(schema_version=schema.SCHEMA_VERSION))
        # Planner statistics now, not whenever PostgreSQL's autovacuum gets round to it.
        conn.execute(text("ANALYZE"))


def _load_parents(conn: Connection, members: list, data_dir: Path, progress: Progress) -> dict[str, int]:
    register = read_register(data_dir)
    gazetteer = read_venue_gazetteer(data_dir)
    people: dict[str, str] = {}
    franchise: dict[str, bool] = {}
    venue_keys: dict[VenueKey, None] = {}
    match_rows, squads = [], []
    advance = progress("matches", len(members))
    for match in iter_match_files(members, data_dir):
        rows = match_info_rows(match)
        people.update(rows.people)
        for team in (rows.match["team1"], rows.match["team2"]):
            franchise[team] = match.competition == "IPL"
        venue_keys[rows.match["venue"]] = None
        match_rows.append(rows.match)
        squads.extend((match.match_id, player_id, team) for player_id, team in rows.squads)
        advance()

    team_ids = {name: number for number, name in enumerate(sorted(franchise), start=1)}
    grounds: dict[str, dict] = {}
    venue_ids: dict[VenueKey, int] = {}
    venue_aliases: dict[tuple[int, str], None] = {}
    for key in venue_keys:
        ground, city, country, aliases = _venue_of(key, gazetteer)
        if ground not in grounds:
            grounds[ground] = {"id": len(grounds) + 1, "ground": ground, "city": city, "country": country}
        venue_ids[key] = grounds[ground]["id"]
        venue_aliases.update(dict.fromkeys((venue_ids[key], alias) for alias in aliases if alias != ground))

    player_rows, alias_rows = [], []
    for player_id, name in sorted(people.items()):
        entry = register.get(player_id)
        player_rows.append({
            "id": player_id, "name": name, "full_name": display_name(name, entry),
            "unique_name": entry.unique_name if entry else name,
        })
        aliases = dict.fromkeys([name, *(entry.aliases if entry else ())])
        alias_rows.extend({"player_id": player_id, "alias": alias} for alias in aliases)

    def with_team_ids(row: dict) -> dict:
        row = dict(row)
        row["venue_id"] = venue_ids[row.pop("venue")]
        for role in ("team1", "team2", "toss_winner", "winner", "batting_first"):
            team = row.pop(role)
            row[f"{role}_id"] = team_ids[team] if team else None
        return row

    conn.execute(schema.players.insert(), player_rows)
    conn.execute(schema.player_aliases.insert(), alias_rows)
    conn.execute(schema.teams.insert(), [
        {"id": team_ids[name], "name": name, "is_franchise": franchise[name]} for name in team_ids
    ])
    conn.execute(schema.venues.insert(), list(grounds.values()))
    conn.execute(schema.venue_aliases.insert(), [
        {"venue_id": venue_id, "alias": alias} for venue_id, alias in venue_aliases
    ])
    conn.execute(schema.matches.insert(), [with_team_ids(row) for row in match_rows])
    conn.execute(schema.match_players.insert(), [
        {"match_id": match_id, "player_id": player_id, "team_id": team_ids[team]}
        for (match_id, player_id), team in dict(((m, p), t) for m, p, t in squads).items()
    ])
    return team_ids


def _load_scorecards(
    conn: Connection, members: list, data_dir: Path, team_ids: dict[str, int], progress: Progress
) -> None:
    tables = {
        "innings": schema.innings, "batting": schema.batting, "bowling": schema.bowling,
        "fielding": schema.fielding, "deliveries": schema.deliveries, "partnerships": schema.partnerships,
    }
    pending: dict[str, list[dict]] = {name: [] for name in tables}

    def flush() -> None:
        for name, table in tables.items():  # parents first, for PostgreSQL's foreign keys
            if pending[name]:
                conn.execute(table.insert(), pending[name])
                pending[name].clear()

    next_innings_id = 1
    advance = progress("scorecards", len(members))
    for match in iter_match_files(members, data_dir):
        rows = match_info_rows(match)
        next_innings_id = add_innings_rows(rows, match, next_innings_id)
        for row in rows.innings:
            row["batting_team_id"] = team_ids[row.pop("batting_team")]
            row["bowling_team_id"] = team_ids[row.pop("bowling_team")]
        for row in (*rows.batting, *rows.bowling, *rows.fielding, *rows.partnerships):
            row["team_id"] = team_ids[row.pop("team")]
        for name in tables:
            pending[name].extend(getattr(rows, name))
        if len(pending["deliveries"]) >= BATCH_ROWS:
            flush()
        advance()
    flush()
