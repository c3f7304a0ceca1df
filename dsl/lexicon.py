"""The names one stats database knows, read once per engine and shared: the linker (dsl/link.py)
builds its dictionary from them and name resolution (dsl/resolve.py) looks query names up in them.

Players with their Cricsheet names and aliases, teams (and which are IPL franchises), grounds with
their cities, countries and aliases, and how many matches each player and ground has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from statsdb import schema


@dataclass(frozen=True)
class Lexicon:
    """Every name of one database as stored, and the case-insensitive lookups resolution uses."""

    players: tuple[tuple[str, str, str], ...]  # (id, Cricsheet name, display name)
    player_aliases: tuple[tuple[str, str], ...]  # (id, alias)
    player_matches: dict[str, dict[tuple[str, str], int]]  # id -> (competition, gender) -> matches
    teams: tuple[tuple[int, str, bool], ...]  # (id, name, is an IPL franchise)
    venues: tuple[tuple[int, str, str | None, str | None], ...]  # (id, ground, city, country)
    venue_aliases: tuple[tuple[int, str], ...]  # (venue id, alias)
    venue_matches: dict[int, int]  # venue id -> matches

    @cached_property
    def team_names(self) -> tuple[str, ...]:
        return tuple(name for _, name, _ in self.teams)

    @cached_property
    def franchises(self) -> frozenset[str]:
        """The names of the IPL sides."""
        return frozenset(name for _, name, is_franchise in self.teams if is_franchise)

    @cached_property
    def player_names(self) -> dict[str, str]:
        """Player id -> display name."""
        return {player_id: full_name for player_id, _, full_name in self.players}

    @cached_property
    def player_ids(self) -> dict[str, tuple[str, ...]]:
        """Lower-cased display name, Cricsheet name or alias -> player ids."""
        found: dict[str, set[str]] = {}
        for player_id, name, full_name in self.players:
            for spelling in (name, full_name):
                found.setdefault(spelling.lower(), set()).add(player_id)
        for player_id, alias in self.player_aliases:
            if " " in alias.strip():  # a bare surname alias ("Smith") would claim every Smith
                found.setdefault(alias.lower(), set()).add(player_id)
        return _sorted_values(found)

    @cached_property
    def team_ids(self) -> dict[str, int]:
        """Lower-cased team name -> team id."""
        return {name.lower(): team_id for team_id, name, _ in self.teams}

    @cached_property
    def ground_venues(self) -> dict[str, tuple[int, ...]]:
        """Lower-cased ground or ground alias -> venue ids."""
        found: dict[str, set[int]] = {}
        for venue_id, ground, _, _ in self.venues:
            found.setdefault(ground.lower(), set()).add(venue_id)
        for venue_id, alias in self.venue_aliases:
            found.setdefault(alias.lower(), set()).add(venue_id)
        return _sorted_values(found)

    @cached_property
    def place_venues(self) -> dict[str, tuple[int, ...]]:
        """Lower-cased city or country -> venue ids."""
        found: dict[str, set[int]] = {}
        for venue_id, _, city, country in self.venues:
            for place in (city, country):
                if place:
                    found.setdefault(place.lower(), set()).add(venue_id)
        return _sorted_values(found)


def _sorted_values(found: dict) -> dict:
    return {key: tuple(sorted(values)) for key, values in found.items()}


@cache
def lexicon(engine: Engine) -> Lexicon:
    """The names of one database, read on first use and kept for the engine's lifetime."""
    p, pa, mp, m, t, v = (schema.players, schema.player_aliases, schema.match_players, schema.matches,
                          schema.teams, schema.venues)
    player_matches: dict[str, dict[tuple[str, str], int]] = {}
    with engine.connect() as conn:
        players = tuple(tuple(row) for row in conn.execute(select(p.c.id, p.c.name, p.c.full_name)))
        aliases = tuple(tuple(row) for row in conn.execute(select(pa.c.player_id, pa.c.alias)))
        counts = conn.execute(
            select(mp.c.player_id, m.c.competition, m.c.gender, func.count())
            .select_from(mp.join(m, m.c.id == mp.c.match_id))
            .group_by(mp.c.player_id, m.c.competition, m.c.gender)
        )
        for player_id, competition, gender, n in counts:
            player_matches.setdefault(player_id, {})[(competition, gender)] = n
        teams = tuple(tuple(row) for row in conn.execute(select(t.c.id, t.c.name, t.c.is_franchise)))
        venues = tuple(tuple(row) for row in conn.execute(select(v.c.id, v.c.ground, v.c.city, v.c.country)))
        venue_matches = dict(conn.execute(select(m.c.venue_id, func.count()).group_by(m.c.venue_id)).all())
    return Lexicon(players, aliases, player_matches, teams, venues, _venue_aliases(engine, venues), venue_matches)


def _venue_aliases(engine: Engine, venues: tuple[tuple, ...]) -> tuple[tuple[int, str], ...]:
    """The venue_aliases table; databases built before it existed fall back to venues.csv."""
    try:
        with engine.connect() as conn:  # a connection of its own: a failed query spoils the rest
            return tuple(tuple(row) for row in conn.execute(select(schema.venue_aliases)))
    except DBAPIError:
        from statsdb.build import read_venue_gazetteer

        venue_ids = {ground: venue_id for venue_id, ground, _, _ in venues}
        aliases = set()
        for key, row in read_venue_gazetteer().items():
            if row["ground"] in venue_ids:
                for alias in [key.raw_venue, *row["nicknames"].split("|")]:
                    if alias:
                        aliases.add((venue_ids[row["ground"]], alias))
        return tuple(sorted(aliases))
