"""AST back to text: the canonical DSL (`to_dsl`, so parse(to_dsl(q)) == q) and English (`describe`).

Both walk the filters in the grammar's fixed order, one small function per clause.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from dsl import ast, catalogue


def quote(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _span_dsl(span: ast.Span) -> str:
    match span:
        case ast.InYear(year):
            return f"year {year}"
        case ast.Since(year):
            return f"since {year}"
        case ast.Before(year):
            return f"before {year}"
        case ast.Between(first, last):
            return f"from {first} to {last}"
        case ast.Season(season):
            return f"season {season}"
    raise TypeError(span)


def _overs_dsl(overs: ast.OverRange) -> str:
    if isinstance(overs, ast.Phase):
        return overs.name
    if overs.first == overs.last:
        return f"over {overs.first}"
    return f"overs {overs.first}-{overs.last}"


def _position_dsl(position: ast.Position) -> str:
    if position.first == position.last:
        return f"position {position.first}"
    return f"position {position.first}-{position.last}"


def _toss_dsl(toss: ast.Toss) -> str:
    return " ".join(filter(None, ("toss", toss.outcome, toss.decision)))


def _threshold_dsl(condition: ast.InningsCondition) -> str:
    if isinstance(condition, ast.Without):
        return f"without {condition.stat}"
    return f"with {condition.stat} {condition.minimum}+"


def _against_dsl(query: ast.Query) -> str:
    role = {"batting": "bowler", "partnership": "and"}.get(query.subject, "batter")
    return f"{role} {quote(query.against)}"


# Each filter field -> its DSL text, in grammar order (dict order is the order of the clauses).
_FILTER_DSL: dict[str, Callable[[ast.Query], str]] = {
    "player": lambda q: f"player {quote(q.player)}",
    "team": lambda q: quote(q.team) if q.subject == "team" else f"for {quote(q.team)}",
    "rivals": lambda q: " ".join(f"or {quote(name)}" for name in q.rivals),
    "competition": lambda q: q.competition,
    "women": lambda q: "women",
    "opposition": lambda q: f"vs {quote(q.opposition)}",
    "ground": lambda q: f"at {quote(q.ground)}",
    "place": lambda q: f"in {quote(q.place)}",
    "home_away": lambda q: q.home_away,
    "span": lambda q: _span_dsl(q.span),
    "innings_number": lambda q: f"in innings {q.innings_number}",
    "position": lambda q: _position_dsl(q.position),
    "threshold": lambda q: _threshold_dsl(q.threshold),
    "debut": lambda q: "debut",
    "result": lambda q: q.result,
    "toss": lambda q: _toss_dsl(q.toss),
    "batting_order": lambda q: q.batting_order,
    "event": lambda q: f"event {quote(q.event)}",
    "stage": lambda q: q.stage,
    "overs": lambda q: _overs_dsl(q.overs),
    "against": _against_dsl,
    "dismissal": lambda q: f"out {q.dismissal}",
    "last": lambda q: f"last {q.last}",
    "wicket": lambda q: f"wicket {q.wicket}",
}


def _qualification_dsl(qualification: ast.Qualification | None) -> str:
    return f" min {qualification.stat} {qualification.minimum}" if qualification else ""


def _output_dsl(output: ast.Output) -> str:
    match output:
        case ast.Aggregate(stat, more):
            return " ".join((stat, *more))
        case ast.Grouped(group, stat):
            return f"by {group} {stat}"
        case ast.Ranking(direction, count, stat, qualification, per):
            return f"{direction} {count} {stat}{f' per {per}' if per else ''}{_qualification_dsl(qualification)}"
        case ast.BestInnings(direction, count, stat, qualification):
            return f"{direction} {count} {stat}{_qualification_dsl(qualification)}"
        case ast.Listing(kind):
            return f"list {kind}"
        case ast.Milestone(count, target, stat, unit):
            return f"fastest {count} to {target} {stat} by {unit}"
        case ast.Streak(count, condition):
            return f"longest {count} streak {_threshold_dsl(condition)}"
    raise TypeError(output)


def to_dsl(query: ast.Query) -> str:
    """The canonical text of a query: one space between clauses, filters in grammar order."""
    parts = [query.subject]
    parts += [_FILTER_DSL[name](query) for name in query.filters()]
    parts.append(_output_dsl(query.output))
    return " ".join(parts)


# --- English --------------------------------------------------------------------------------------

_COMPETITION_WORDS = {"test": "Tests", "odi": "ODIs", "t20i": "T20Is", "ipl": "IPL", "international": "internationals"}


def _span_english(span: ast.Span) -> str:
    match span:
        case ast.InYear(year):
            return f"in {year}"
        case ast.Since(year):
            return f"since {year}"
        case ast.Before(year):
            return f"before {year}"
        case ast.Between(first, last):
            return f"{first} to {last}"
        case ast.Season(season):
            return f"season {season}"
    raise TypeError(span)


_FILTER_ENGLISH: dict[str, Callable[[ast.Query], str]] = {
    "player": lambda q: q.player,
    "team": lambda q: q.team if q.subject == "team" else f"for {q.team}",
    "rivals": lambda q: "compared with " + " and ".join(q.rivals),
    "competition": lambda q: _COMPETITION_WORDS[q.competition],
    "women": lambda q: "women",
    "opposition": lambda q: f"v {q.opposition}",
    "ground": lambda q: f"at {q.ground}",
    "place": lambda q: f"in {q.place}",
    "home_away": lambda q: {"home": "at home", "away": "away", "neutral": "neutral venues"}[q.home_away],
    "span": lambda q: _span_english(q.span),
    "innings_number": lambda q: f"innings {q.innings_number}",
    "threshold": lambda q: _threshold_english(q.threshold),
    "debut": lambda q: "on debut",
    "position": lambda q: f"batting at {_position_dsl(q.position).removeprefix('position ')}",
    "result": lambda q: f"in matches {q.result}",
    "toss": lambda q: f"toss {q.toss.outcome}" + (f", chose to {q.toss.decision}" if q.toss.decision else ""),
    "batting_order": lambda q: q.batting_order,
    "event": lambda q: q.event,
    "stage": lambda q: q.stage,
    "overs": lambda q: _overs_dsl(q.overs).replace("-", "–"),
    "against": lambda q: f"{ {'batting': 'against', 'partnership': 'with'}.get(q.subject, 'to')} {q.against}",
    "dismissal": lambda q: f"out {q.dismissal}",
    "last": lambda q: f"last {q.last} {'matches' if q.subject in ('team', 'fielding') else 'innings'}",
    "wicket": lambda q: "opening stands" if q.wicket == 1 else f"wicket {q.wicket}",
}


_ONE = {"runs": "run", "wickets": "wicket", "sixes": "six", "fours": "four"}


def _threshold_english(condition: ast.InningsCondition) -> str:
    if isinstance(condition, ast.Without):
        return f"innings with no {_ONE[condition.stat]}"
    if condition.stat in ("sixes", "fours"):
        return f"innings with {condition.minimum}+ {condition.stat}"
    return f"innings of {condition.minimum}+ {condition.stat}"


def _label(stat: str) -> str:
    entry = catalogue.STAT.get(stat) or catalogue.INNINGS_STAT[stat]
    return entry.label


_WITHIN = {"season": "in a single season", "year": "in a single calendar year", "match": "in a single match",
           "opposition": "against a single opposition", "ground": "at a single ground"}


def _output_english(output: ast.Output, subject: str) -> str:
    qualification = getattr(output, "qualification", None)
    condition = f" (min {qualification.minimum} {qualification.stat})" if qualification else ""
    match output:
        case ast.Aggregate(stat, more):
            return ", ".join(_label(s) for s in (stat, *more))
        case ast.Grouped(group, stat):
            return f"{_label(stat)} by {catalogue.GROUP[group].label or group}"
        case ast.Ranking(direction, count, stat, _, per):
            within = f" {_WITHIN[per]}" if per else ""
            return f"{'top' if direction == 'top' else 'bottom'} {count} by {_label(stat)}{within}{condition}"
        case ast.BestInnings(direction, count, stat):
            unit = "stands" if subject == "partnership" else "single innings"
            if catalogue.INNINGS_STAT[stat].forms[subject].source == "team_matches":
                unit = "matches"
            return f"{direction} {count} {unit} by {_label(stat)}{condition}"
        case ast.Listing(kind):
            return f"list of {kind}"
        case ast.Milestone(count, target, stat, unit):
            within = "in one innings" if unit == "balls" else "in a career"
            return f"fastest {count} to {target} {stat} {within}, by {unit}"
        case ast.Streak(count, condition):
            streaks = "the longest streak" if count == 1 else f"longest {count} streaks"
            return f"{streaks} of consecutive {_threshold_english(condition)}"
    raise TypeError(output)


def describe_filters(query: ast.Query, without: tuple[str, ...] = ()) -> str:
    """The filters alone, in English: "ODIs · v Australia · since 2015"."""
    return " · ".join(_FILTER_ENGLISH[name](query) for name in query.filters() if name not in without)


def describe(query: ast.Query) -> str:
    """ "Batting · Virat Kohli · ODIs · v Australia · since 2015 · average" """
    parts = [query.subject.capitalize(), describe_filters(query), _output_english(query.output, query.subject)]
    return " · ".join(part for part in parts if part)
