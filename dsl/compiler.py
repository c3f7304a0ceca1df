"""Resolved query -> one SQLAlchemy Core select, bound parameters only.

Three steps, each a small registry of functions keyed by name:
1. a *source*: one row per unit the statistic sums over (a batting innings, a delivery, a team's
   match...), with the same column names whatever the table (match_id, player_id, team_id,
   opp_id, innings_number, runs, balls, ...);
2. one condition function per filter of the AST, applied to that source joined to its match and
   venue;
3. one function per output shape (aggregate, grouped, ranking, best innings, listing).
What each stat, innings stat, list kind and group means comes from dsl/catalogue.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

from sqlalchemy import Select, String, and_, case, cast, func, literal, null, or_, select, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement

from dsl import ast, catalogue
from dsl.errors import UnsupportedQuery
from dsl.resolve import Resolved
from dsl.vocabulary import COMPETITIONS, DISMISSAL_GROUPS, KNOCKOUT_STAGES, PHASES
from dsl.sql import flag, ratio
from statsdb import schema

DEFAULT_ROW_LIMIT = 100

m = schema.matches
v = schema.venues
players = schema.players
teams = schema.teams


# --- 1. sources -----------------------------------------------------------------------------------
# Ball-by-ball sources take match_id from innings, not deliveries: deliveries has no match index,
# so a match filter (format, year) could only be applied after reading every ball; through
# innings the database starts from the few matches asked about (`python -m analysis.bench_statsdb`).

def _batting_source() -> Select:
    b, i = schema.batting, schema.innings
    return select(
        b.c.match_id, b.c.innings_id, b.c.player_id, b.c.team_id,
        i.c.bowling_team_id.label("opp_id"), i.c.number.label("innings_number"), b.c.position,
        b.c.runs, b.c.balls, b.c.fours, b.c.sixes, flag(b.c.is_out).label("outs"),
        b.c.dismissal_kind, null().label("dots"),
    ).join_from(b, i, i.c.id == b.c.innings_id)


def _batting_balls_source() -> Select:
    d, i, b = schema.deliveries, schema.innings, schema.batting
    return select(
        i.c.match_id, d.c.innings_id, d.c.batter_id.label("player_id"), i.c.batting_team_id.label("team_id"),
        i.c.bowling_team_id.label("opp_id"), i.c.number.label("innings_number"), b.c.position,
        d.c.over, d.c.bowler_id.label("against_id"), d.c.batter_runs.label("runs"),
        flag(d.c.wides == 0).label("balls"), flag(d.c.is_four).label("fours"),
        flag(d.c.is_six).label("sixes"),
        flag(and_(d.c.player_out_id == d.c.batter_id,
                   d.c.wicket_kind.not_in(schema.NOT_OUT_KINDS))).label("outs"),
        case((d.c.player_out_id == d.c.batter_id, d.c.wicket_kind)).label("dismissal_kind"),
        flag(and_(d.c.is_legal, d.c.batter_runs == 0)).label("dots"),
    ).join_from(d, i, i.c.id == d.c.innings_id).join(
        b, and_(b.c.innings_id == d.c.innings_id, b.c.player_id == d.c.batter_id)
    )


def _batting_faced_source() -> Select:
    """A batter's deliveries in the order he faced them, beside his innings' final score: what
    the balls he took to reach a score are counted from."""
    d, i, b = schema.deliveries, schema.innings, schema.batting
    return select(
        i.c.match_id, d.c.innings_id, d.c.batter_id.label("player_id"), i.c.batting_team_id.label("team_id"),
        i.c.bowling_team_id.label("opp_id"), i.c.number.label("innings_number"), b.c.position,
        d.c.id.label("delivery_id"), d.c.batter_runs.label("ball_runs"), flag(d.c.wides == 0).label("faced"),
        b.c.runs, b.c.balls, flag(b.c.is_out).label("outs"),
    ).join_from(d, i, i.c.id == d.c.innings_id).join(
        b, and_(b.c.innings_id == d.c.innings_id, b.c.player_id == d.c.batter_id)
    )


def _bowling_source() -> Select:
    w, i = schema.bowling, schema.innings
    return select(
        w.c.match_id, w.c.innings_id, w.c.player_id, w.c.team_id, i.c.batting_team_id.label("opp_id"),
        i.c.number.label("innings_number"), w.c.legal_balls.label("balls"), w.c.runs, w.c.wickets,
        w.c.maidens, w.c.dots, w.c.wides, w.c.noballs, w.c.fours, w.c.sixes, w.c.hat_tricks,
    ).join_from(w, i, i.c.id == w.c.innings_id)


def _bowling_balls_source() -> Select:
    d, i = schema.deliveries, schema.innings
    return select(
        i.c.match_id, d.c.innings_id, d.c.bowler_id.label("player_id"), i.c.bowling_team_id.label("team_id"),
        i.c.batting_team_id.label("opp_id"), i.c.number.label("innings_number"), d.c.over,
        d.c.batter_id.label("against_id"), flag(d.c.is_legal).label("balls"),
        (d.c.batter_runs + d.c.wides + d.c.noballs).label("runs"),
        flag(d.c.wicket_kind.in_(schema.BOWLER_WICKET_KINDS)).label("wickets"),
        case((d.c.wicket_kind.in_(schema.BOWLER_WICKET_KINDS), d.c.wicket_kind)).label("dismissal_kind"),
        flag(and_(d.c.is_legal, d.c.batter_runs == 0)).label("dots"),
        flag(d.c.wides > 0).label("wides"), flag(d.c.noballs > 0).label("noballs"),
        flag(d.c.is_four).label("fours"), flag(d.c.is_six).label("sixes"),
    ).join_from(d, i, i.c.id == d.c.innings_id)


def _fielding_source() -> Select:
    """One row per match played (catches 0 where none): a fielder's record counts every match."""
    f, mp = schema.fielding, schema.match_players
    return select(
        mp.c.match_id, mp.c.player_id, mp.c.team_id,
        case((m.c.team1_id == mp.c.team_id, m.c.team2_id), else_=m.c.team1_id).label("opp_id"),
        *(func.coalesce(f.c[name], 0).label(name) for name in ("catches", "stumpings", "run_outs")),
    ).join_from(mp, m, m.c.id == mp.c.match_id).outerjoin(
        f, and_(f.c.match_id == mp.c.match_id, f.c.player_id == mp.c.player_id)
    )


def _squad_source() -> Select:
    """One row per match a player was in the side for: what "matches" counts."""
    mp = schema.match_players
    return select(
        mp.c.match_id, mp.c.player_id, mp.c.team_id,
        case((m.c.team1_id == mp.c.team_id, m.c.team2_id), else_=m.c.team1_id).label("opp_id"),
    ).join_from(mp, m, m.c.id == mp.c.match_id)


def _team_innings_source() -> Select:
    i = schema.innings
    return select(
        i.c.match_id, i.c.id.label("innings_id"), i.c.batting_team_id.label("team_id"),
        i.c.bowling_team_id.label("opp_id"), i.c.number.label("innings_number"),
        i.c.runs.label("total"), i.c.wickets, i.c.completed,
    )


def _team_balls_source() -> Select:
    """A team's batting, ball by ball: what its phase totals and run rates count."""
    d, i = schema.deliveries, schema.innings
    return select(
        i.c.match_id, d.c.innings_id, i.c.batting_team_id.label("team_id"), i.c.bowling_team_id.label("opp_id"),
        i.c.number.label("innings_number"), d.c.over, d.c.total_runs.label("runs"),
        flag(d.c.is_legal).label("balls"),
        flag(and_(d.c.player_out_id.is_not(None), d.c.wicket_kind.not_in(schema.NOT_OUT_KINDS))).label("wickets"),
        flag(d.c.is_four).label("fours"), flag(d.c.is_six).label("sixes"),
    ).join_from(d, i, i.c.id == d.c.innings_id)


def _partnerships_source() -> Select:
    """Each stand twice, once from each batter's side (player_id, and the partner as against_id),
    so "Kohli's stands" and "stands with Rohit" are plain filters; a query naming no batter keeps
    the row where player_id is the pair's first (see _conditions)."""
    p, i = schema.partnerships, schema.innings

    def side(player, partner) -> Select:
        return select(
            i.c.match_id, p.c.innings_id, p.c.team_id, i.c.bowling_team_id.label("opp_id"),
            i.c.number.label("innings_number"), p.c.wicket, player.label("player_id"), partner.label("against_id"),
            p.c.first_id, p.c.runs, p.c.balls, p.c.unbroken,
        ).join_from(p, i, i.c.id == p.c.innings_id)

    return union_all(side(p.c.first_id, p.c.second_id), side(p.c.second_id, p.c.first_id))


def _team_matches_source():
    """One row per match and side: (match, team, opposition)."""
    return union_all(
        select(m.c.id.label("match_id"), m.c.team1_id.label("team_id"), m.c.team2_id.label("opp_id")),
        select(m.c.id.label("match_id"), m.c.team2_id.label("team_id"), m.c.team1_id.label("opp_id")),
    )


SOURCES: dict[str, Callable] = {
    "batting": _batting_source,
    "batting_balls": _batting_balls_source,
    "batting_faced": _batting_faced_source,
    "bowling": _bowling_source,
    "bowling_balls": _bowling_balls_source,
    "fielding": _fielding_source,
    "squad": _squad_source,
    "team_innings": _team_innings_source,
    "team_matches": _team_matches_source,
    "team_balls": _team_balls_source,
    "partnerships": _partnerships_source,
}

# The source a subject counts from, and its ball-by-ball twin used when a filter or a group needs
# a column only deliveries have (the over, the bowler faced, a bowler's dismissal kinds).
OWN_SOURCE = {"batting": "batting", "bowling": "bowling", "fielding": "fielding", "team": "team_matches",
              "partnership": "partnerships"}
BALLS_SOURCE = {"batting": "batting_balls", "bowling": "bowling_balls", "team": "team_balls"}


@cache
def _columns(kind: str) -> frozenset[str]:
    return frozenset(SOURCES[kind]().selected_columns.keys())


def _needed_columns(query: ast.Query) -> set[str]:
    needed = {FILTER_COLUMNS[name] for name in query.filters() if name in FILTER_COLUMNS}
    group = catalogue.GROUP.get(getattr(query.output, "group", None))
    if group and group.column:
        needed.add(group.column)
    return needed


def stat_form(query: ast.Query) -> catalogue.StatForm | None:
    """The catalogue's form of the query's stat, for outputs that aggregate one."""
    if not isinstance(query.output, (ast.Aggregate, ast.Grouped, ast.Ranking)):
        return None
    return catalogue.STAT[query.output.stat].forms.get(query.subject)


def source_kind(query: ast.Query) -> str:
    if isinstance(query.output, ast.Milestone) and query.output.unit == "balls":
        return "batting_faced"
    form = stat_form(query)
    if form and form.source in ("squad", "team_innings"):
        return form.source
    if query.subject == "team" and isinstance(query.output, ast.BestInnings):
        return catalogue.INNINGS_STAT[query.output.stat].forms["team"].source or "team_innings"
    own = OWN_SOURCE[query.subject]
    balls = BALLS_SOURCE.get(query.subject)
    if balls and ((form and form.source == "deliveries") or not _needed_columns(query) <= _columns(own)):
        return balls
    return own


# --- 2. filters -----------------------------------------------------------------------------------

Filter = Callable[[Resolved, object], ColumnElement]


def _team_name_of(team_id_column) -> ColumnElement:
    # An alias of its own, so a ranking that joins `teams` cannot swallow this subquery's FROM.
    named = teams.alias()
    return select(named.c.name).where(named.c.id == team_id_column).scalar_subquery()


def _span(r: Resolved, src) -> ColumnElement:
    match r.query.span:
        case ast.InYear(year):
            return m.c.year == year
        case ast.Since(year):
            return m.c.year >= year
        case ast.Before(year):
            return m.c.year < year
        case ast.Between(first, last):
            return m.c.year.between(first, last)
        case ast.Season(season) if "/" in season:
            return m.c.season == season
        case ast.Season(season):  # "season 2020": the season of that name, or the split one starting then
            return or_(m.c.season == season, m.c.season.startswith(season + "/"))
    raise TypeError(r.query.span)


def _home_away(r: Resolved, src) -> ColumnElement:
    own, other = _team_name_of(src.c.team_id), _team_name_of(src.c.opp_id)
    return {
        "home": v.c.country == own,
        "away": v.c.country == other,
        "neutral": and_(v.c.country != own, v.c.country != other),
    }[r.query.home_away]


def _result(r: Resolved, src) -> ColumnElement:
    return {
        "won": m.c.winner_id == src.c.team_id,
        "lost": m.c.winner_id == src.c.opp_id,
        "drawn": m.c.result == "draw",
        "tied": m.c.result == "tie",
    }[r.query.result]


def _toss(r: Resolved, src) -> ColumnElement:
    toss = r.query.toss
    winner = src.c.team_id if toss.outcome == "won" else src.c.opp_id
    condition = m.c.toss_winner_id == winner
    return and_(condition, m.c.toss_decision == toss.decision) if toss.decision else condition


def _batting_order(r: Resolved, src) -> ColumnElement:
    if r.query.batting_order == "batting first":
        return m.c.batting_first_id == src.c.team_id
    return and_(m.c.batting_first_id == src.c.opp_id, m.c.competition != "Test")


def _overs(r: Resolved, src) -> ColumnElement:
    overs = r.query.overs
    if isinstance(overs, ast.Overs):
        return src.c.over.between(overs.first, overs.last)
    if r.query.competition == "test":
        raise UnsupportedQuery("Tests have no powerplay, middle or death overs; give an over range instead.")
    odi, t20 = PHASES["ODI"][overs.name], PHASES["T20"][overs.name]
    return and_(
        m.c.competition != "Test",
        case((m.c.competition == "ODI", src.c.over.between(*odi)), else_=src.c.over.between(*t20)),
    )


def _last(r: Resolved, src) -> ColumnElement:
    """The rows of the N most recent innings (or matches, for sources without innings) that pass
    every other filter: a player's recent form, not the last N rows of the whole database."""
    if r.query.player is None and not (r.query.subject == "team" and r.query.team):
        raise UnsupportedQuery("'last N' needs a player (or a team): whose most recent innings?")
    unit = src.c.innings_id if "innings_id" in src.c else src.c.match_id
    recent = (select(unit).select_from(_from(src)).where(*_conditions(r, src, without=("last",)))
              .group_by(unit).order_by(func.max(m.c.start_date).desc(), unit.desc())
              .limit(r.query.last).correlate(None))
    return unit.in_(recent)


def _threshold(r: Resolved, src) -> ColumnElement:
    threshold = r.query.threshold
    if threshold.stat not in src.c or "over" in src.c:
        raise UnsupportedQuery(f"'with {threshold.stat} N+' and 'without {threshold.stat}' keep whole batting or "
                               "bowling innings; they cannot be combined with over, bowler or batter filters.")
    if isinstance(threshold, ast.Without):
        return src.c[threshold.stat] == 0
    return src.c[threshold.stat] >= threshold.minimum


def _debut(r: Resolved, src) -> ColumnElement:
    """Each player's first match in the format (and gender) of the match the row is from, when it
    is his debut: his first match in the data after the data became complete (dsl.coverage). An
    international debut is the first match in any international format."""
    mp, first = schema.match_players, m.alias("first_match")
    per_format = () if r.query.competition == "international" else (first.c.competition,)
    number = func.row_number().over(partition_by=(mp.c.player_id, *per_format, first.c.gender),
                                    order_by=(first.c.start_date, first.c.id))
    numbered = select(mp.c.player_id, mp.c.match_id, number.label("number")).join_from(
        mp, first, first.c.id == mp.c.match_id)
    # Only the format and gender asked about need numbering (a debut is per format anyway).
    numbered = numbered.where(first.c.gender == ("female" if r.query.women else "male"))
    if r.query.competition:
        numbered = numbered.where(first.c.competition.in_(COMPETITIONS[r.query.competition]))
    if r.player_id is not None:
        numbered = numbered.where(mp.c.player_id == r.player_id)
    numbered = numbered.add_columns(first.c.competition, first.c.gender, first.c.year).subquery("debuts")
    debuts = select(numbered.c.player_id, numbered.c.match_id).where(
        numbered.c.number == 1, _after_data_start(r, numbered.c, numbered.c.year))
    return tuple_(src.c.player_id, src.c.match_id).in_(debuts)


def _stage(r: Resolved, src) -> ColumnElement:
    return m.c.stage == "Final" if r.query.stage == "final" else m.c.stage.in_(KNOCKOUT_STAGES)


FILTERS: dict[str, Filter] = {
    "player": lambda r, src: src.c.player_id == r.player_id,
    "team": lambda r, src: src.c.team_id == r.team_id,
    "competition": lambda r, src: m.c.competition.in_(COMPETITIONS[r.query.competition]),
    "opposition": lambda r, src: src.c.opp_id == r.opposition_id,
    "ground": lambda r, src: m.c.venue_id.in_(r.venue_ids),
    "place": lambda r, src: m.c.venue_id.in_(r.venue_ids),
    "home_away": _home_away,
    "span": _span,
    "innings_number": lambda r, src: src.c.innings_number == r.query.innings_number,
    "position": lambda r, src: src.c.position.between(r.query.position.first, r.query.position.last),
    "result": _result,
    "toss": _toss,
    "batting_order": _batting_order,
    "event": lambda r, src: m.c.event.in_(r.event_names),
    "stage": _stage,
    "overs": _overs,
    "against": lambda r, src: src.c.against_id == r.against_id,
    "dismissal": lambda r, src: src.c.dismissal_kind.in_(DISMISSAL_GROUPS.get(r.query.dismissal, (r.query.dismissal,))),
    "last": _last,
    "threshold": _threshold,
    "debut": _debut,
    "wicket": lambda r, src: src.c.wicket == r.query.wicket,
}
# The source column each filter reads, where not every source has it.
FILTER_COLUMNS = {
    "player": "player_id", "innings_number": "innings_number", "position": "position",
    "overs": "over", "against": "against_id", "dismissal": "dismissal_kind", "wicket": "wicket",
    "debut": "player_id",
}


def _conditions(r: Resolved, src, without: tuple[str, ...] = ()) -> list[ColumnElement]:
    conditions = [m.c.gender == ("female" if r.query.women else "male")]
    if "first_id" in src.c and r.query.player is None:
        conditions.append(src.c.player_id == src.c.first_id)  # each stand once (_partnerships_source)
    for name in r.query.filters():
        if name in ("women", "rivals") or name in without:
            continue
        column = FILTER_COLUMNS.get(name)
        if column and column not in src.c:
            raise UnsupportedQuery(f"The '{name.replace('_', ' ')}' filter does not apply to {r.query.subject} queries of this kind.")
        conditions.append(FILTERS[name](r, src))
    return conditions


# --- 3. statistics and outputs --------------------------------------------------------------------

def _stat(query: ast.Query, src, stat: str, kind: str) -> ColumnElement:
    form = catalogue.STAT[stat].forms[query.subject]
    if kind == "squad" and form.source != "squad":
        raise UnsupportedQuery(f"Matches played cannot be combined with a condition on {stat}.")
    if kind.endswith("_balls") and form.source == "scorecards":
        raise UnsupportedQuery(f"'{stat}' counts whole innings, so it cannot be combined with over, bowler or batter filters.")
    if kind == "team_balls" and form.source not in ("deliveries", "any"):
        raise UnsupportedQuery(f"A team's '{stat}' counts whole matches or innings, so it cannot be combined with over filters.")
    if kind == "team_matches" and form.source == "deliveries":
        raise UnsupportedQuery(f"A team's '{stat}' comes from its deliveries, so it cannot be combined with match results.")
    return form.sql(src)


def _lower_is_better(query: ast.Query, stat: str) -> bool:
    return catalogue.STAT[stat].forms[query.subject].lower_is_better


def _context_column(query: ast.Query, src, kind: str, shown: set[str]) -> list:
    """The subject's sample size (innings, matches) next to a figure, unless already shown."""
    context = "matches" if kind == "squad" else catalogue.CONTEXT_STAT[query.subject]
    if context in shown:
        return []
    return [catalogue.STAT[context].forms[query.subject].sql(src).label(context)]


def _from(src):
    # Every match has a venue, so the outer join changes no row; it keeps SQLite from scanning the
    # small venues table first and the deliveries once per venue (seconds become minutes).
    return src.join(m, m.c.id == src.c.match_id).outerjoin(v, v.c.id == m.c.venue_id)


def _name_column(query: ast.Query, src):
    """(joins, label column, group keys) naming the rows of a ranking."""
    if query.subject == "team":
        return [(teams, teams.c.id == src.c.team_id)], teams.c.name.label("team"), (teams.c.id, teams.c.name)
    if query.subject == "partnership":
        return _pair_column(query, src)
    return [(players, players.c.id == src.c.player_id)], players.c.full_name.label("player"), (players.c.id, players.c.full_name)


def _pair_column(query: ast.Query, src):
    """A ranking of stands names the pair ("Virat Kohli & Rohit Sharma"), or the partner of the
    batter the query names."""
    partner = players.alias("partner")
    joins = [(partner, partner.c.id == src.c.against_id)]
    if query.player is not None:
        return joins, partner.c.full_name.label("partner"), (partner.c.id, partner.c.full_name)
    one = players.alias("one")
    pair = (one.c.full_name + " & " + partner.c.full_name).label("pair")
    return [(one, one.c.id == src.c.player_id), *joins], pair, (one.c.id, partner.c.id, one.c.full_name, partner.c.full_name)


def _named_subject(r: Resolved) -> list:
    """The player (or team) an aggregate is about, as its first column."""
    if r.player_name:
        return [literal(r.player_name).label("player")]
    if r.query.subject == "team" and r.query.team:
        return [literal(r.query.team).label("team")]
    return []


def _side_by_side(r: Resolved) -> Select:
    """Several stats of one subject and filters: each stat's own aggregate (each from the source it
    needs: matches from the squads, runs from the scorecards...) as one column of one row."""
    output = r.query.output
    stats = (output.stat, *output.more)
    if len(set(stats)) < len(stats):
        raise UnsupportedQuery("The query names a stat twice; name each stat once.")
    columns = _named_subject(r)
    for stat in stats:
        single = compile_query(replace(r, query=replace(r.query, output=ast.Aggregate(stat))))
        columns.append(single.with_only_columns(single.selected_columns[stat]).scalar_subquery().label(stat))
    return select(*columns)


def _aggregate(r: Resolved, src, kind: str) -> Select:
    if r.query.output.more:
        return _side_by_side(r)
    query, stat = r.query, r.query.output.stat
    columns = _named_subject(r)
    columns.append(_stat(query, src, stat, kind).label(stat))
    columns += _context_column(query, src, kind, {stat})
    return select(*columns).select_from(_from(src)).where(*_conditions(r, src))


def _group_key(query: ast.Query, src, group: catalogue.Group):
    if group.column and group.column not in src.c:
        raise UnsupportedQuery(f"{query.subject.capitalize()} figures cannot be grouped by {group.keyword}.")
    return group.key(src)


def _grouped(r: Resolved, src, kind: str) -> Select:
    query, output = r.query, r.query.output
    group = catalogue.GROUP[output.group]
    key, join = _group_key(query, src, group)
    stat = _stat(query, src, output.stat, kind).label(output.stat)
    joined = _from(src)
    if join is not None:
        joined = joined.join(*join)
    statement = (select(key.label(output.group), stat).select_from(joined)
                 .where(*_conditions(r, src), key.is_not(None)).group_by(key))
    if group.ordered:
        return statement.order_by(key)
    order = stat.asc() if _lower_is_better(query, output.stat) else stat.desc()
    return statement.order_by(order.nulls_last(), key).limit(DEFAULT_ROW_LIMIT)


def _qualification_condition(query: ast.Query, src, kind: str, qualification: ast.Qualification) -> ColumnElement:
    qualifier = catalogue.QUALIFIER.get(qualification.stat)
    if qualifier is None or query.subject not in qualifier.subjects:
        raise UnsupportedQuery(f"A {query.subject} ranking cannot be qualified by {qualification.stat}.")
    return _stat(query, src, qualifier.keyword, kind)


def _unit_columns(unit: str | None, src) -> tuple[list, list]:
    """(columns shown, group keys) of the unit a record is ranked within: one season, calendar
    year, match, opposition or ground of a player's (or team's) career."""
    match unit:
        case "season":
            return [m.c.season.label("season")], [m.c.season]
        case "year":
            return [m.c.year.label("year")], [m.c.year]
        case "match":
            opposition = teams.alias("opponent")
            return ([m.c.start_date.label("date"), opposition.c.name.label("opposition")],
                    [m.c.id, m.c.start_date, opposition.c.name])
        case "opposition":
            opposition = teams.alias("opponent")
            return [opposition.c.name.label("opposition")], [opposition.c.id, opposition.c.name]
        case "ground":
            return [v.c.ground.label("ground")], [v.c.id, v.c.ground]
    return [], []


def _ranking(r: Resolved, src, kind: str) -> Select:
    query, output = r.query, r.query.output
    joins, name, group_keys = _name_column(query, src)
    stat = _stat(query, src, output.stat, kind).label(output.stat)
    unit_columns, unit_keys = _unit_columns(output.per, src)
    columns = [name, *unit_columns, stat]
    joined = _from(src)
    for join in joins:
        joined = joined.join(*join)
    if output.per in ("match", "opposition"):
        opposition = unit_keys[-1].table
        joined = joined.join(opposition, opposition.c.id == src.c.opp_id)
    having = []
    # A career's default qualification (e.g. 10 innings) would empty a one-match ranking.
    default = stat_form(query).qualification if output.per != "match" else None
    qualification = output.qualification or default
    shown = {output.stat}
    if qualification:
        qualifier_value = _qualification_condition(query, src, kind, qualification)
        having.append(qualifier_value >= qualification.minimum)
        if qualification.stat != output.stat:
            columns.append(qualifier_value.label(qualification.stat))
        shown.add(qualification.stat)
    columns += _context_column(query, src, kind, shown)
    ascending = _lower_is_better(query, output.stat) == (output.direction == "top")
    order = stat.asc() if ascending else stat.desc()
    return (
        select(*columns)
        .select_from(joined)
        .where(*_conditions(r, src))
        .group_by(*group_keys, *unit_keys)
        .having(and_(stat.is_not(None), *having))
        .order_by(order, name)
        .limit(min(output.count, DEFAULT_ROW_LIMIT))
    )


def _innings_columns(query: ast.Query, src) -> tuple[list, list]:
    """Columns describing one innings (who, when, where), and the joins they need."""
    opponent = teams.alias("opponent")
    side = teams.alias("side")
    joins = [(opponent, opponent.c.id == src.c.opp_id), (side, side.c.id == src.c.team_id)]
    columns = [m.c.start_date.label("date")]
    if query.subject == "partnership":
        pair_joins, pair, _ = _pair_column(replace(query, player=None), src)
        joins += pair_joins
        columns.append(pair.label("batters"))
    elif query.subject != "team":
        joins.append((players, players.c.id == src.c.player_id))
        columns.append(players.c.full_name.label("player"))
    columns += [side.c.name.label("team"), opponent.c.name.label("opposition"), v.c.ground.label("ground"),
                m.c.competition.label("competition")]
    return columns, joins


def _innings_figures(query: ast.Query, src) -> list:
    if query.subject == "batting":
        return [src.c.runs.label("runs"), src.c.balls.label("balls"),
                case((src.c.outs == 1, "out"), else_="not out").label("dismissal"),
                src.c.fours.label("fours"), src.c.sixes.label("sixes"),
                ratio(src.c.runs, src.c.balls, 100).label("strike rate")]
    if query.subject == "bowling":
        return [(cast(src.c.wickets, String) + "/" + cast(src.c.runs, String)).label("figures"),
                src.c.balls.label("balls"), src.c.maidens.label("maidens"),
                ratio(src.c.runs, src.c.balls, 6).label("economy")]
    if query.subject == "partnership":
        return [src.c.runs.label("runs"), src.c.balls.label("balls"), src.c.wicket.label("wicket"),
                case((src.c.unbroken, "unbroken"), else_="").label("unbroken")]
    return [src.c.total.label("total"), src.c.wickets.label("wickets"), src.c.innings_number.label("innings")]


def _reverse(order_by: list) -> list:
    return [clause.element.asc() if clause.modifier.__name__ == "desc_op" else clause.element.desc() for clause in order_by]


def _single_innings(r: Resolved, src, kind: str, what: str) -> tuple[list, object, list]:
    """Columns, FROM and conditions of a query that shows single innings (or matches) as rows."""
    if kind.endswith("_balls"):
        raise UnsupportedQuery(f"{what} cannot be combined with over, bowler or batter filters.")
    columns, joins = _innings_columns(r.query, src)
    joined = _from(src)
    for join in joins:
        joined = joined.join(*join)
    return columns, joined, _conditions(r, src)


def _best_innings(r: Resolved, src, kind: str) -> Select:
    query, output = r.query, r.query.output
    form = catalogue.INNINGS_STAT[output.stat].forms[query.subject]
    columns, joined, conditions = _single_innings(r, src, kind, "Single-innings rankings")
    qualification = output.qualification or form.qualification
    if qualification:
        if qualification.stat not in src.c:
            raise UnsupportedQuery(f"A single innings cannot be qualified by {qualification.stat}.")
        conditions.append(src.c[qualification.stat] >= qualification.minimum)
    if form.condition is not None:
        conditions.append(form.condition(src))
    if kind == "team_matches" and query.result is None:
        conditions.append(m.c.winner_id == src.c.team_id)  # a side's margins are its wins ("lost" for defeats)
    order = form.order(src)
    if output.direction == "worst":
        order = _reverse(order)
        if kind == "team_innings":  # lowest totals: completed innings only, not won chases or rain
            conditions.append(src.c.completed)
    figures = [_match_result_text()] if kind == "team_matches" else _innings_figures(query, src)
    return (
        select(*columns, *figures)
        .select_from(joined)
        .where(*conditions)
        .order_by(*order, *_in_match_order(src))
        .limit(min(output.count, DEFAULT_ROW_LIMIT))
    )


def _match_result_text() -> ColumnElement:
    winner = select(teams.c.name).where(teams.c.id == m.c.winner_id).scalar_subquery()
    margin = case(
        (m.c.win_by_innings, "an innings and " + cast(m.c.win_by_runs, String) + " runs"),
        (m.c.win_by_runs.is_not(None), cast(m.c.win_by_runs, String) + " runs"),
        (m.c.win_by_wickets.is_not(None), cast(m.c.win_by_wickets, String) + " wickets"),
        else_="",
    )
    return case(
        (m.c.result == "win", winner + " won by " + margin),
        else_=m.c.result,
    ).label("result")


def _listing(r: Resolved, src, kind: str) -> Select:
    query, output = r.query, r.query.output
    columns, joined, conditions = _single_innings(r, src, kind, "Lists of innings")
    condition = catalogue.LIST_KIND[output.kind].conditions[query.subject](src)
    if condition is not None:
        conditions.append(condition)
    if kind == "team_matches" and query.team is None and query.opposition is None:
        conditions.append(src.c.team_id == m.c.team1_id)  # one row per match, not one per side
    figures = [_match_result_text()] if kind == "team_matches" else _innings_figures(query, src)
    return (
        select(*columns, *figures)
        .select_from(joined)
        .where(*conditions)
        .order_by(*(_reverse_order(src) if query.last else _in_match_order(src)))
        .limit(DEFAULT_ROW_LIMIT)
    )


def _reverse_order(src) -> list:
    """Most recent first: how a fan reads "his last 5 innings"."""
    return [column.desc() for column in _in_match_order(src)]


def _in_match_order(src) -> list:
    """Date, then the order things happened within a match (innings, then batting position)."""
    order = [m.c.start_date, m.c.id]
    order += [src.c[name] for name in ("innings_id", "position", "player_id") if name in src.c]
    return order


def _career_order(src) -> tuple:
    return (m.c.start_date, m.c.id, src.c.innings_id)


def _whole_innings_only(kind: str, what: str) -> None:
    if kind.endswith("_balls"):
        raise UnsupportedQuery(f"{what} count whole innings; they cannot be combined with over, bowler or batter filters.")


def _milestone(r: Resolved, src, kind: str) -> Select:
    """The quickest to a score: the ball (or career innings, or match) at which the running total
    first reached the target, one row per innings (or player), quickest first."""
    output = r.query.output
    _whole_innings_only(kind, "Milestones")
    if output.unit == "balls":
        window = {"partition_by": (src.c.innings_id, src.c.player_id), "order_by": src.c.delivery_id}
        amount, taken = src.c.ball_runs, func.sum(src.c.faced).over(**window)
        conditions = [src.c.runs >= output.target]  # only innings that got there
    else:
        window = {"partition_by": src.c.player_id, "order_by": _career_order(src)}
        amount, conditions = src.c[output.stat], []
        if output.unit == "innings":
            taken = func.row_number().over(**window)
        else:
            taken = func.dense_rank().over(partition_by=src.c.player_id, order_by=(m.c.start_date, m.c.id))
    running = (select(src.c.player_id, src.c.match_id, src.c.opp_id, amount.label("amount"),
                      func.sum(amount).over(**window).label("reached"), taken.label("taken"),
                      *([src.c.runs.label("final")] if output.unit == "balls" else []))
               .select_from(_from(src)).where(*_conditions(r, src), *conditions).subquery("running"))
    opponent = teams.alias("opponent")
    columns = [players.c.full_name.label("player"), running.c.taken.label(output.unit),
               m.c.start_date.label("date"), opponent.c.name.label("opposition")]
    conditions = [running.c.reached >= output.target, running.c.reached - running.c.amount < output.target]
    if output.unit == "balls":
        columns += [v.c.ground.label("ground"), running.c.final.label("runs")]
    else:
        conditions.append(_career_in_data(r, running))
    return (
        select(*columns)
        .select_from(_from(running).join(players, players.c.id == running.c.player_id)
                     .join(opponent, opponent.c.id == running.c.opp_id))
        .where(*conditions)
        .order_by(running.c.taken, m.c.start_date, players.c.full_name)
        .limit(min(output.count, DEFAULT_ROW_LIMIT))
    )


def _career_in_data(r: Resolved, src) -> ColumnElement:
    """The player's first match in the format came after the data became complete for it (see
    dsl.coverage): a career cut short by the start of the data would look quicker than it was."""
    mp, career = schema.match_players, m.alias("career_match")
    first_of_player = (select(func.min(career.c.year)).join_from(mp, career, career.c.id == mp.c.match_id)
                       .where(mp.c.player_id == src.c.player_id, career.c.competition == m.c.competition,
                              career.c.gender == m.c.gender).scalar_subquery())
    return _after_data_start(r, m.c, first_of_player)


def _after_data_start(r: Resolved, match_columns, first_year) -> ColumnElement:
    """`first_year` (of a career, in the format of `match_columns`) is after the data's incomplete years."""
    return or_(*(and_(match_columns.competition == competition, match_columns.gender == gender, first_year > year)
                 for competition, gender, year in r.complete_careers_after))


def _streak(r: Resolved, src, kind: str) -> Select:
    """Gaps and islands: in each player's innings in order, the innings that meet the condition
    and follow each other share (position among all) - (position among those meeting it)."""
    output = r.query.output
    condition = output.condition
    _whole_innings_only(kind, "Streaks")
    if condition.stat not in src.c:
        raise UnsupportedQuery(f"A {r.query.subject} streak cannot count {condition.stat}.")
    meets = flag(src.c[condition.stat] >= condition.minimum)
    order = _career_order(src)
    position = func.row_number().over(partition_by=src.c.player_id, order_by=order)
    position_meeting = func.row_number().over(partition_by=(src.c.player_id, meets), order_by=order)
    innings = (select(src.c.player_id, m.c.start_date.label("date"), meets.label("meets"),
                      (position - position_meeting).label("island"))
               .select_from(_from(src)).where(*_conditions(r, src)).subquery("innings_in_order"))
    streaks = (select(innings.c.player_id, func.count().label("innings"), func.min(innings.c.date).label("first"),
                      func.max(innings.c.date).label("last"))
               .where(innings.c.meets == 1).group_by(innings.c.player_id, innings.c.island).subquery("streaks"))
    longest_first = func.row_number().over(partition_by=streaks.c.player_id,
                                           order_by=(streaks.c.innings.desc(), streaks.c.first))
    ranked = select(streaks, longest_first.label("rank")).subquery("ranked")
    return (
        select(players.c.full_name.label("player"), ranked.c.innings, ranked.c.first.label("from"),
               ranked.c.last.label("to"))
        .join_from(ranked, players, players.c.id == ranked.c.player_id)
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.innings.desc(), ranked.c.first, players.c.full_name)
        .limit(min(output.count, DEFAULT_ROW_LIMIT))
    )


def _compare(r: Resolved) -> Select:
    """The same figures for each player (or team) named, one row each, the best first."""
    query = r.query
    if not isinstance(query.output, ast.Aggregate):
        raise UnsupportedQuery("A comparison ('A or B') shows the same figures for each; it cannot be a ranking, "
                               "a breakdown or a list.")
    single = replace(query, rivals=())
    if query.subject == "team":
        if query.team is None:
            raise UnsupportedQuery("A comparison of teams needs the first team named: team \"A\" or \"B\".")
        each = [replace(r, query=replace(single, team=name), team_id=team_id) for team_id, name in r.rivals]
    else:
        if query.player is None:
            raise UnsupportedQuery("A comparison of players needs the first player named: player \"A\" or \"B\".")
        each = [replace(r, query=replace(single, player=name), player_id=player_id, player_name=name)
                for player_id, name in r.rivals]
    compared = union_all(*(compile_query(one) for one in [replace(r, query=single, rivals=()), *each])).subquery("compared")
    stat = compared.c[query.output.stat]
    best_first = stat.asc() if _lower_is_better(query, query.output.stat) else stat.desc()
    return select(compared).order_by(best_first.nulls_last())


OUTPUTS: dict[type, Callable[[Resolved, object, str], Select]] = {
    ast.Aggregate: _aggregate,
    ast.Grouped: _grouped,
    ast.Ranking: _ranking,
    ast.BestInnings: _best_innings,
    ast.Listing: _listing,
    ast.Milestone: _milestone,
    ast.Streak: _streak,
}


def compile_query(resolved: Resolved) -> Select:
    """The select answering a resolved query."""
    if resolved.query.rivals:
        return _compare(resolved)
    kind = source_kind(resolved.query)
    src = SOURCES[kind]().subquery(kind)
    return OUTPUTS[type(resolved.query.output)](resolved, src, kind)
