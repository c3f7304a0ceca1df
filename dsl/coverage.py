"""Coverage notes: where the data behind an answer is known to be incomplete.

Cricsheet's ball-by-ball data starts around 2002 (each competition on its own date), so careers,
team histories and records that began earlier are counted only from there; and Cricsheet withholds
Afghanistan men's matches. An answer that touches either says so (DESIGN: cricket conventions),
and names the date the data starts, so a fan can tell a short career from a cut one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, func, select

from dsl import ast
from dsl.notes import Note
from dsl.resolve import Resolved
from dsl.vocabulary import COMPETITIONS
from statsdb import schema

COVERAGE = json.loads((Path(__file__).parent / "data" / "coverage.json").read_text(encoding="utf-8"))
# Cricsheet's early years hold only some of the matches played: coverage counts as dense from the
# first year with at least this share of the median matches per year over the last ten years.
DENSE_SHARE = 0.5
PLURAL = {"Test": "Tests", "ODI": "ODIs", "T20I": "T20Is", "IPL": "IPL matches"}


@dataclass(frozen=True)
class Span:
    first: date
    last: date
    dense_from: int  # the first year whose matches are (nearly) all in the data


@cache
def covered_spans(engine: Engine) -> dict[tuple[str, str], Span]:
    """(competition, gender) -> the first and last match dates in the database, and the year from
    which its coverage is dense."""
    m = schema.matches
    statement = (select(m.c.competition, m.c.gender, m.c.year, func.count(), func.min(m.c.start_date),
                        func.max(m.c.start_date)).group_by(m.c.competition, m.c.gender, m.c.year))
    per_year: dict[tuple[str, str], list[tuple[int, int, date, date]]] = {}
    with engine.connect() as conn:
        for competition, gender, year, count, first, last in conn.execute(statement):
            per_year.setdefault((competition, gender), []).append((year, count, _date(first), _date(last)))
    spans = {}
    for key, years in per_year.items():
        years.sort()
        recent = sorted(count for _, count, _, _ in years[-10:])
        threshold = DENSE_SHARE * recent[len(recent) // 2]
        dense_from = next(year for year, count, _, _ in years if count >= threshold)
        spans[key] = Span(years[0][2], max(last for *_, last in years), dense_from)
    return spans


@cache
def complete_careers_after(engine: Engine) -> tuple[tuple[str, str, int], ...]:
    """(competition, gender, year): a career whose first match in the data falls after `year` is
    all in the data (year 0 where the data begins with the competition itself)."""
    official = COVERAGE["first_official_year"]
    return tuple(
        (competition, gender, 0 if span.first.year <= official.get(competition, {}).get(gender, 0) else span.dense_from)
        for (competition, gender), span in sorted(covered_spans(engine).items()))


def year_spans(engine: Engine) -> dict[str | None, tuple[int, int]]:
    """The first and last year of the data: over everything (key None) and per DSL competition."""
    spans = covered_spans(engine)
    years = {None: (min(s.first.year for s in spans.values()), max(s.last.year for s in spans.values()))}
    for keyword, competitions in COMPETITIONS.items():
        held = [span for (c, _), span in spans.items() if c in competitions]
        if held:
            years[keyword] = (min(s.first.year for s in held), max(s.last.year for s in held))
    return years


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _earliest_year(span: ast.Span | None) -> int | None:
    match span:
        case ast.InYear(year) | ast.Since(year):
            return year
        case ast.Between(first, _):
            return first
        case ast.Season(season):
            return int(season[:4])
    return None


def _first_match(engine: Engine, competition: str, gender: str, *, player_id: str | None = None,
                 team_id: int | None = None) -> date | None:
    mp, m = schema.match_players, schema.matches
    conditions = [m.c.competition == competition, m.c.gender == gender]
    if player_id is not None:
        statement = select(func.min(m.c.start_date)).select_from(mp.join(m, m.c.id == mp.c.match_id))
        conditions.append(mp.c.player_id == player_id)
    else:
        statement = select(func.min(m.c.start_date))
        conditions.append((m.c.team1_id == team_id) | (m.c.team2_id == team_id))
    with engine.connect() as conn:
        first = conn.execute(statement.where(*conditions)).scalar()
    return _date(first) if first else None


def _early_history(resolved: Resolved, engine: Engine, competition: str, gender: str, span: Span) -> Note | None:
    """A note when the answer may need matches from before the data is complete."""
    query = resolved.query
    official = COVERAGE["first_official_year"].get(competition, {}).get(gender)
    if official is None or span.first.year <= official:
        return None  # the data starts with the competition
    earliest = _earliest_year(query.span)
    if earliest is not None and earliest >= span.dense_from or isinstance(query.span, ast.Before) and query.span.year <= span.first.year:
        return None
    partial = f"The data's {PLURAL[competition]} start on {span.first:%-d %b %Y} and hold only some matches before {span.dense_from}"
    if resolved.player_id:
        first = _first_match(engine, competition, gender, player_id=resolved.player_id)
        if first is None or first.year > span.dense_from:
            return None
        return Note("coverage", f"{partial}; {resolved.player_name}'s first one in it is on {first:%-d %b %Y}, so "
                                f"the figures may be below the official ones.")
    if resolved.team_id is not None:
        first = _first_match(engine, competition, gender, team_id=resolved.team_id)
        if first is None or first.year > span.dense_from:
            return None
        return Note("coverage", f"{partial}: {query.team}'s earlier matches are missing, so figures may be "
                                f"below the official ones.")
    return Note("coverage", f"{partial}: careers and records from before then are incomplete, so figures may "
                            f"differ from the official ones.")


def _withheld(query: ast.Query, gender: str, competitions: list[str]) -> Note | None:
    withheld = COVERAGE["withheld_teams"].get(gender, [])
    if not withheld or not set(competitions) & {"Test", "ODI", "T20I"}:
        return None
    named = {query.team, query.opposition} & set(withheld)
    if named:
        return Note("coverage", f"Cricsheet withholds {', '.join(sorted(named))}'s men's matches, so the data has none of them.")
    across_all = query.player is None and query.team is None and query.opposition is None
    if across_all or query.event in COVERAGE["withheld_events"].get(gender, []):
        return Note("coverage", f"Cricsheet withholds the men's matches of {', '.join(withheld)}, so they are "
                                f"missing from these figures.")
    return None


def _league_only(resolved: Resolved, engine: Engine) -> Note | None:
    """A player the data knows only from the IPL, asked about with no competition named: their
    international matches are missing (Cricsheet withholds some sides' matches)."""
    if not resolved.player_id or resolved.query.competition:
        return None
    mp, m = schema.match_players, schema.matches
    with engine.connect() as conn:
        played = set(conn.execute(select(m.c.competition).distinct().select_from(mp.join(m, m.c.id == mp.c.match_id))
                                  .where(mp.c.player_id == resolved.player_id)).scalars())
    if played != {"IPL"}:
        return None
    return Note("coverage", f"The data has only {resolved.player_name}'s IPL matches: no international matches of "
                            f"theirs are in it (Cricsheet withholds Afghanistan men's matches), so these are IPL figures.")


def coverage_notes(resolved: Resolved, engine: Engine) -> list[Note]:
    """What the answer to this query cannot count, as notes (none when its data is complete)."""
    query = resolved.query
    gender = "female" if query.women else "male"
    spans = covered_spans(engine)
    if query.competition:
        competitions = list(COMPETITIONS[query.competition])
    else:
        competitions = sorted(c for c, g in spans if g == gender)
    notes = [note for c in competitions if (c, gender) in spans
             for note in [_early_history(resolved, engine, c, gender, spans[(c, gender)])] if note]
    extra = [_withheld(query, gender, competitions), _league_only(resolved, engine)]
    return notes + [note for note in extra if note]
