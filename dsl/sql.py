"""SQL building blocks over a source's standard columns (runs, balls, outs, wickets, team_id, ...).

The catalogue's stat expressions and the compiler are written with these, so a ratio or a count
means the same thing everywhere and on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Float, Numeric, String, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from statsdb import schema

matches = schema.matches
venues = schema.venues


def flag(condition: ColumnElement) -> ColumnElement:
    return case((condition, 1), else_=0)


def total(column) -> ColumnElement:
    return func.coalesce(func.sum(column), 0)


def count_of(condition: ColumnElement) -> ColumnElement:
    return total(flag(condition))


def ratio(numerator, denominator, scale: float = 1.0) -> ColumnElement:
    """numerator * scale / denominator, rounded to 2 places; NULL when the denominator is 0."""
    value = cast(numerator, Float) * scale / func.nullif(denominator, 0)
    return func.round(cast(value, Numeric), 2)


def per_ball(numerator, denominator) -> ColumnElement:
    """An unrounded float ratio, for ordering single innings."""
    return cast(numerator, Float) / func.nullif(denominator, 0)


def count_innings(src) -> ColumnElement:
    """Players' innings: one team innings holds several. A scorecard source has one row per
    player's innings (none where he did not bat); a ball-by-ball one ("over" column) many."""
    if "over" in src.c:
        return func.count((cast(src.c.innings_id, String) + ":" + src.c.player_id).distinct())
    return func.count(src.c.innings_id)


def count_matches(src) -> ColumnElement:
    return func.count(src.c.match_id.distinct())


def best_figures(src) -> ColumnElement:
    """'7/45': most wickets, then fewest runs, as text."""
    key = func.max(src.c.wickets * 1000 - src.c.runs)
    wickets = (key + 999) // 1000
    runs = wickets * 1000 - key
    return cast(wickets, String) + "/" + cast(runs, String)


def won(src) -> ColumnElement:
    return matches.c.winner_id == src.c.team_id


def lost(src) -> ColumnElement:
    return matches.c.winner_id == src.c.opp_id


def named_team(column, alias: str) -> tuple[ColumnElement, tuple]:
    """(the team's name, the join that provides it) for a team id column."""
    table = schema.teams.alias(alias)
    return table.c.name, (table, table.c.id == column)


def named_player(column, alias: str) -> tuple[ColumnElement, tuple]:
    """(the player's full name, the join that provides it) for a player id column."""
    table = schema.players.alias(alias)
    return table.c.full_name, (table, table.c.id == column)
