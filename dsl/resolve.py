"""Name resolution: the quoted names of a query -> statsdb ids.

Players match on the display name, the Cricsheet name or any registered alias, case-insensitively.
When one name fits several players, the query's own context (team, format, gender) picks one;
otherwise the error lists the candidates. Unknown names come back with the nearest known names.
The names are the database's lexicon (dsl/lexicon.py), read once per engine and shared with the linker.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from sqlalchemy import Engine, and_, case, func, select

from dsl import ast
from dsl.errors import AmbiguousName, UnknownName, UnsupportedQuery
from dsl.lexicon import Lexicon, lexicon
from dsl.vocabulary import COMPETITIONS, EVENTS
from statsdb import schema

@dataclass(frozen=True)
class Resolved:
    """A query with its names replaced by database ids (the compiler's input)."""

    query: ast.Query
    player_id: str | None = None
    player_name: str | None = None  # display name, for the answer's first column
    team_id: int | None = None
    opposition_id: int | None = None
    venue_ids: tuple[int, ...] | None = None  # from the ground or the city/country
    against_id: str | None = None
    event_names: tuple[str, ...] | None = None
    # The players (or teams) a comparison sets beside the named one: (id, display name) each.
    rivals: tuple[tuple[str | int, str], ...] = ()
    # (competition, gender, year): careers starting after `year` are wholly in the data
    # (dsl.coverage); career milestones and debuts count only those.
    complete_careers_after: tuple[tuple[str, str, int], ...] = ()


def suggest(name: str, known: list[str]) -> tuple[str, ...]:
    return tuple(match for match, score, _ in process.extract(name, known, limit=3) if score >= 60)


def _lookup(what: str, name: str, table: dict, display: list[str] | None = None):
    found = table.get(name.lower())
    if found is None:
        raise UnknownName(what, name, suggest(name, display or list(table)))
    return found


def resolve(query: ast.Query, engine: Engine) -> Resolved:
    names = lexicon(engine)

    def team(name: str | None) -> int | None:
        return None if name is None else _lookup("team", name, names.team_ids, list(names.team_names))

    team_id = team(query.team)
    opposition_id = team(query.opposition)
    _check_team_competition(query, names.franchises)
    venue_ids = None
    if query.ground is not None:
        venue_ids = _lookup("ground", query.ground, names.ground_venues)
    if query.place is not None:
        in_place = set(_lookup("city or country", query.place, names.place_venues))
        venue_ids = tuple(sorted(in_place & set(venue_ids))) if venue_ids else tuple(sorted(in_place))
    event_names = None
    if query.event is not None:
        event_names = _lookup("event", query.event, {k.lower(): v for k, v in EVENTS.items()}, list(EVENTS))
    player_id = _player(query.player, query, team_id, engine, names)
    if query.subject == "team":
        rivals = tuple((team(name), name) for name in query.rivals)
    else:
        rivals = tuple((rival, names.player_names[rival])
                       for rival in (_player(name, query, None, engine, names) for name in query.rivals))
    return Resolved(
        query=query,
        player_id=player_id,
        player_name=names.player_names[player_id] if player_id else None,
        team_id=team_id,
        opposition_id=opposition_id,
        venue_ids=venue_ids,
        against_id=_player(query.against, query, opposition_id, engine, names),
        event_names=event_names,
        rivals=rivals,
        complete_careers_after=_complete_careers_after(query, engine),
    )


def _complete_careers_after(query: ast.Query, engine: Engine) -> tuple[tuple[str, str, int], ...]:
    if not (query.debut or isinstance(query.output, ast.Milestone) and query.output.unit != "balls"):
        return ()
    from dsl.coverage import complete_careers_after  # coverage reads resolved queries: import when needed

    return complete_careers_after(engine)


@cache
def primary_role(engine: Engine, player: str) -> str | None:
    """ "batting" or "bowling": what a player mostly does, so that "Shoaib Akhtar's strike rate"
    means his bowling. A wicket counts as 10 runs: bowlers make fewer runs than that per wicket
    they take, while all-rounders make more, and fans ask for an all-rounder's batting "average"
    or "strike rate" unless they say otherwise. None for an unknown name."""
    ids = lexicon(engine).player_ids.get(player.lower())
    if not ids:
        return None
    with engine.connect() as conn:
        runs = conn.execute(select(func.coalesce(func.sum(schema.batting.c.runs), 0))
                            .where(schema.batting.c.player_id.in_(ids))).scalar_one()
        wickets = conn.execute(select(func.coalesce(func.sum(schema.bowling.c.wickets), 0))
                               .where(schema.bowling.c.player_id.in_(ids))).scalar_one()
    return "bowling" if wickets * 10 > runs else "batting"


@cache
def sides(engine: Engine, player: str) -> tuple[frozenset[str], frozenset[str]]:
    """The teams a player has played for, and the teams he has played against, by name."""
    ids = lexicon(engine).player_ids.get(player.lower())
    if not ids:
        return frozenset(), frozenset()
    mp, m = schema.match_players, schema.matches
    opponent = case((m.c.team1_id == mp.c.team_id, m.c.team2_id), else_=m.c.team1_id)
    with engine.connect() as conn:
        pairs = conn.execute(select(mp.c.team_id, opponent).distinct().join_from(mp, m, m.c.id == mp.c.match_id)
                             .where(mp.c.player_id.in_(ids))).all()
    names = {team_id: name for team_id, name, _ in lexicon(engine).teams}
    return frozenset(names[team] for team, _ in pairs), frozenset(names[other] for _, other in pairs)


def _check_team_competition(query: ast.Query, franchises: frozenset[str]) -> None:
    """An IPL side never plays a Test, and a national side never plays in the IPL."""
    if query.competition is None:
        return
    for name in (query.team, query.opposition):
        if name is None:
            continue
        is_franchise = name in franchises or name.lower() in {f.lower() for f in franchises}
        if is_franchise != (query.competition == "ipl"):
            where = "the IPL" if is_franchise else "international cricket"
            raise UnsupportedQuery(f"{name} play in {where}, so they have no {'/'.join(COMPETITIONS[query.competition])} matches.")


def _player(name: str | None, query: ast.Query, team_id: int | None, engine: Engine, names: Lexicon) -> str | None:
    if name is None:
        return None
    ids = names.player_ids.get(name.lower())
    if ids is None:
        display = sorted(set(names.player_names.values()))
        raise UnknownName("player", name, suggest(name, display))
    if len(ids) == 1:
        _check_player_gender(ids[0], name, query, names)
        return ids[0]
    in_context = _players_in_context(ids, query, team_id, engine)
    if len(in_context) == 1:
        return in_context[0]
    candidates = in_context or ids
    raise AmbiguousName("player", name, tuple(_describe_player(p, engine, names) for p in candidates))


def _check_player_gender(player_id: str, name: str, query: ast.Query, names: Lexicon) -> None:
    """A player of the other gender's matches only would count nothing: every row would be empty
    and read as a real zero."""
    played = {gender for _, gender in names.player_matches.get(player_id, {})}
    wanted = "female" if query.women else "male"
    if played and wanted not in played:
        whose, fix = ("men's", "leave out `women`") if query.women else ("women's", "add `women` to the query")
        raise UnsupportedQuery(f"{name} has played only {whose} matches: {fix}.")


def _players_in_context(ids: tuple[str, ...], query: ast.Query, team_id: int | None, engine: Engine) -> list[str]:
    """The candidates who played a match that fits the query's team, format and gender."""
    mp, m = schema.match_players, schema.matches
    conditions = [mp.c.player_id.in_(ids), m.c.gender == ("female" if query.women else "male")]
    if team_id is not None:
        conditions.append(mp.c.team_id == team_id)
    if query.competition is not None:
        conditions.append(m.c.competition.in_(COMPETITIONS[query.competition]))
    statement = (
        select(mp.c.player_id).join(m, m.c.id == mp.c.match_id).where(and_(*conditions)).distinct()
    )
    with engine.connect() as conn:
        return sorted(conn.execute(statement).scalars())


def _describe_player(player_id: str, engine: Engine, names: Lexicon) -> str:
    mp, m, t = schema.match_players, schema.matches, schema.teams
    statement = (
        select(t.c.name, func.min(m.c.year), func.max(m.c.year), func.count())
        .select_from(mp.join(m, m.c.id == mp.c.match_id).join(t, t.c.id == mp.c.team_id))
        .where(mp.c.player_id == player_id)
        .group_by(t.c.name)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    teams = ", ".join(f"{team} {first}–{last}" for team, first, last, _ in rows[:2])
    return f"{names.player_names[player_id]} ({teams or 'no matches'})"

