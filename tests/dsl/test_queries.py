"""DSL queries on real matches: every answer equals the test's own arithmetic over the match files.

Each test runs one query through the whole tail of the pipeline (parse -> resolve -> compile ->
execute, `dsl.execute.run_dsl`) on the query database (tests/conftest.py, `query_db`: the real
loader's database of the fixture match files, on SQLite and PostgreSQL), and compares it with the
answer tests/dsl/reference.py computes from the same JSON files by itself, following DESIGN.md's
cricket conventions. The database is read only for display names (players.full_name).

Ratios are compared to 2 decimals (the compiler rounds); rankings and lists row by row, in order.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from sqlalchemy import Engine, select

from dsl.errors import UnsupportedQuery
from dsl.execute import run_dsl
from statsdb import schema
from tests.dsl import reference as ref
from tests.dsl.reference import pid, r2

KOHLI, ROHIT, SMITH = pid("V Kohli"), pid("RG Sharma"), pid("SPD Smith")
BUMRAH, SHAMI, CUMMINS = pid("JJ Bumrah"), pid("Mohammed Shami"), pid("PJ Cummins")
HARMANPREET, INGLIS = pid("H Kaur"), pid("JP Inglis")
MEN, WOMEN = ref.men, ref.women


@pytest.fixture(scope="module")
def names(query_db: Engine) -> dict[str, str]:
    """Registry id -> the name the database shows (only names are read from the database)."""
    with query_db.connect() as conn:
        return dict(conn.execute(select(schema.players.c.id, schema.players.c.full_name)).all())


def ask(db: Engine, text: str) -> tuple[list[str], list[list]]:
    answer = run_dsl(text, db)
    return answer.columns, answer.rows


def one_row(db: Engine, text: str) -> dict:
    columns, rows = ask(db, text)
    assert len(rows) == 1, rows
    return dict(zip(columns, rows[0]))


def both(*predicates):
    return lambda m: all(p(m) for p in predicates)


def bat_row(line: ref.BatLine, names: dict[str, str]) -> list:
    """A batting innings as a list or single-innings ranking shows it."""
    m = line.match
    return [m.start.isoformat(), names[line.player], line.team, line.innings.opposition, m.ground,
            m.competition, line.runs, line.balls, "out" if line.out else "not out", line.fours,
            line.sixes, r2(line.runs, line.balls, 100)]


def bowl_row(line: ref.BowlLine, names: dict[str, str]) -> list:
    m = line.match
    return [m.start.isoformat(), names[line.player], line.team, line.innings.team, m.ground,
            m.competition, f"{line.wickets}/{line.runs}", line.balls, line.maidens, line.economy]


def team_innings_row(inn: ref.Innings) -> list:
    m = inn.match
    return [m.start.isoformat(), inn.team, inn.opposition, m.ground, m.competition, inn.total,
            inn.wickets, inn.number]


def match_row(m: ref.Match, side: str) -> list:
    return [m.start.isoformat(), side, m.opponent(side), m.ground, m.competition, ref.result_text(m)]


def by_date(lines):
    """Innings in date order, and within a match in innings and batting (or bowling) order."""
    return sorted(lines, key=lambda b: (b.match.start, b.match.id, b.innings.number))


def per_match(rows: list[list]) -> list[tuple]:
    """Rows of a list grouped by date, in order; the order within one match is checked apart
    (test_lists_keep_the_innings_order_within_a_match)."""
    groups: list[tuple] = []
    for row in rows:
        if groups and groups[-1][0] == row[0]:
            groups[-1][1].append(row)
        else:
            groups.append((row[0], [row]))
    return [(day, sorted(map(repr, group))) for day, group in groups]


# === batting: one figure ==========================================================================

def test_batting_runs_in_odis(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI")))
    assert one_row(query_db, 'batting player "Virat Kohli" odi runs') == {
        "player": "Virat Kohli", "runs": f.runs, "innings": f.innings}
    assert (f.runs, f.innings) == (575, 9)  # a third opinion, from the scorecards


def test_batting_accepts_the_cricsheet_name(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI")))
    assert one_row(query_db, 'batting player "V Kohli" odi runs') == {
        "player": "Virat Kohli", "runs": f.runs, "innings": f.innings}


def test_batting_without_a_competition_covers_every_mens_format(query_db):
    lines = ref.batting(KOHLI, MEN())
    assert {b.match.competition for b in lines} == {"Test", "ODI", "T20I", "IPL"}
    f = ref.batting_figures(lines)
    assert one_row(query_db, 'batting player "Virat Kohli" runs') == {
        "player": "Virat Kohli", "runs": f.runs, "innings": f.innings}


def test_batting_average_against_an_opposition(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("ODI"), lambda m: "Australia" in m.teams)))
    row = one_row(query_db, 'batting player "Virat Kohli" odi vs "Australia" average')
    assert row == {"player": "Virat Kohli", "average": f.average, "innings": f.innings}


def test_batting_strike_rate_in_t20is(query_db):
    f = ref.batting_figures(ref.batting(ROHIT, MEN("T20I")))
    assert one_row(query_db, 'batting player "Rohit Sharma" t20i strike rate')["strike rate"] == f.strike_rate


def test_batting_for_a_renamed_franchise_counts_its_old_name(query_db):
    lines = ref.batting(KOHLI, MEN("IPL"), lambda b: b.team == "Royal Challengers Bengaluru")
    assert any(b.match.year < 2024 for b in lines)  # "Royal Challengers Bangalore" in the file
    f = ref.batting_figures(lines)
    row = one_row(query_db, 'batting player "Virat Kohli" for "Royal Challengers Bengaluru" ipl runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_womens_figures_need_women(query_db):
    f = ref.batting_figures(ref.batting(HARMANPREET, WOMEN()))
    assert one_row(query_db, 'batting player "H Kaur" women runs') == {
        "player": "H Kaur", "runs": f.runs, "innings": f.innings}
    # Without "women" a query means men's cricket, where she has no innings: not a real zero.
    with pytest.raises(UnsupportedQuery, match="only women's matches: add `women`"):
        run_dsl('batting player "H Kaur" runs', query_db)
    with pytest.raises(UnsupportedQuery, match="only men's matches: leave out `women`"):
        run_dsl('bowling player "Jasprit Bumrah" women wickets', query_db)


@pytest.mark.parametrize("stat, value", [
    ("hundreds", lambda f: f.hundreds), ("fifties", lambda f: f.fifties),
    ("ducks", lambda f: f.ducks), ("high score", lambda f: f.high),
    ("not outs", lambda f: f.not_outs), ("balls", lambda f: f.balls),
    ("fours", lambda f: f.fours), ("sixes", lambda f: f.sixes),
    ("dismissals", lambda f: f.outs),
])
def test_batting_career_counts(query_db, stat, value):
    f = ref.batting_figures(ref.batting(KOHLI, MEN()))
    assert one_row(query_db, f'batting player "Virat Kohli" {stat}')[stat] == value(f)


def test_batting_matches(query_db):
    played = ref.matches_played(KOHLI, MEN())
    assert len({b.match.id for b in ref.batting(KOHLI, MEN())}) == len(played)  # he batted in each
    assert one_row(query_db, 'batting player "Virat Kohli" matches')["matches"] == len(played)


def test_batting_ducks_are_zero_and_out(query_db):
    lines = ref.batting(None, MEN("T20I"))
    zero_not_out = [b for b in lines if b.runs == 0 and not b.out]
    assert zero_not_out  # there are 0 not outs to leave out
    ducks = sum(b.runs == 0 and b.out for b in lines)
    columns, rows = ask(query_db, "batting t20i top 100 ducks")
    assert sum(row[1] for row in rows) == ducks


def test_batting_balls_faced_exclude_wides(query_db):
    lines = ref.batting(ROHIT, MEN("ODI"))
    assert any(s.ball.wides for s in ref.balls(MEN("ODI"), lambda s: s.ball.batter == ROHIT))
    assert one_row(query_db, 'batting player "Rohit Sharma" odi balls')["balls"] == sum(b.balls for b in lines)


def test_batting_fours_and_sixes_leave_out_overthrows(query_db):
    """Stokes's 6 in the 2019 final came off an overthrow: runs, but no boundary."""
    stokes = pid("BA Stokes")
    lines = ref.batting(stokes, MEN("ODI"))
    assert one_row(query_db, 'batting player "Ben Stokes" odi fours')["fours"] == sum(b.fours for b in lines)
    assert one_row(query_db, 'batting player "Ben Stokes" odi sixes')["sixes"] == sum(b.sixes for b in lines) == 2


# --- where ----------------------------------------------------------------------------------------

def test_batting_at_a_ground(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("Test"), lambda m: m.ground == "Perth Stadium")))
    row = one_row(query_db, 'batting player "Virat Kohli" test at "Perth Stadium" runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings) == (105, 2)


def test_batting_in_a_city(query_db):
    f = ref.batting_figures(ref.batting(ROHIT, both(MEN(), lambda m: m.city == "Sydney")))
    row = one_row(query_db, 'batting player "Rohit Sharma" in "Sydney" runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_in_a_host_country(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("ODI"), lambda m: m.country == "India")))
    row = one_row(query_db, 'batting player "Virat Kohli" odi in "India" average')
    assert (row["average"], row["innings"]) == (f.average, f.innings)


@pytest.mark.parametrize("where", ["home", "away", "neutral"])
def test_batting_home_away_neutral(query_db, where):
    lines = ref.batting(KOHLI, MEN("ODI"), lambda b: b.match.where_for(b.team) == where)
    assert lines
    f = ref.batting_figures(lines)
    row = one_row(query_db, f'batting player "Virat Kohli" odi {where} runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


# --- when -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("span, keep", [
    ("year 2023", lambda m: m.year == 2023),
    ("since 2020", lambda m: m.year >= 2020),
    ("before 2019", lambda m: m.year < 2019),
    ("from 2016 to 2019", lambda m: 2016 <= m.year <= 2019),
])
def test_batting_years(query_db, span, keep):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN(), keep)))
    row = one_row(query_db, f'batting player "Virat Kohli" {span} runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_in_a_split_season(query_db):
    """IPL 2020 was played in the UAE in Cricsheet's season "2020/21"."""
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("IPL"), lambda m: m.season == "2020/21")))
    row = one_row(query_db, 'batting player "Virat Kohli" ipl season 2020/21 runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings) == (72, 2)


def test_batting_in_one_innings_of_a_test(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("Test"), lambda b: b.innings.number == 3))
    row = one_row(query_db, 'batting player "Virat Kohli" test in innings 3 runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_positions_ranking(query_db, names):
    """Openers' ODI runs: position = order of coming to the crease."""
    figures = {}
    for b in ref.batting(None, MEN("ODI"), lambda b: b.position <= 2):
        figures.setdefault(b.player, []).append(b)
    table = sorted(((names[p], ref.batting_figures(ls)) for p, ls in figures.items()),
                   key=lambda t: (-t[1].runs, t[0]))
    expected = [[name, f.runs, f.innings] for name, f in table[:5]]
    assert ask(query_db, "batting odi position 1-2 top 5 runs")[1] == expected


def test_batting_at_one_position(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI"), lambda b: b.position == 3))
    row = one_row(query_db, 'batting player "Virat Kohli" odi position 3 innings')
    assert row["innings"] == f.innings


# --- how ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("result, keep", [
    ("won", lambda b: ref.won(b.match, b.team)),
    ("lost", lambda b: ref.lost(b.match, b.team)),
])
def test_batting_in_matches_won_or_lost(query_db, result, keep):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI"), keep))
    row = one_row(query_db, f'batting player "Virat Kohli" odi {result} average')
    assert (row["average"], row["innings"]) == (f.average, f.innings)


def test_batting_in_drawn_tests_ranking(query_db, names):
    table = _batting_table(MEN("Test"), lambda b: b.match.result == "draw")
    ranked = sorted(table, key=lambda p: (-table[p].runs, names[p]))[:3]
    expected = [[names[p], table[p].runs, table[p].innings] for p in ranked]
    assert ask(query_db, "batting test drawn top 3 runs")[1] == expected


def test_batting_in_tied_matches(query_db):
    """A tie settled by a super over is still a tie; the super over's runs are left out."""
    lines = ref.batting(None, MEN("T20I"), lambda b: b.match.result == "tie")
    assert lines
    columns, rows = ask(query_db, "batting t20i tied top 100 runs")
    assert sum(row[1] for row in rows) == sum(b.runs for b in lines)


@pytest.mark.parametrize("toss, keep", [
    ("toss won", lambda b: b.match.toss_winner == b.team),
    ("toss lost bat", lambda b: b.match.toss_winner != b.team and b.match.toss_decision == "bat"),
    ("toss won field", lambda b: b.match.toss_winner == b.team and b.match.toss_decision == "field"),
])
def test_batting_by_the_toss(query_db, toss, keep):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI"), keep))
    row = one_row(query_db, f'batting player "Virat Kohli" odi {toss} runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


@pytest.mark.parametrize("order, keep", [
    ("batting first", lambda b: b.match.batting_first == b.team),
    ("chasing", lambda b: b.match.batting_first != b.team),
])
def test_batting_first_or_chasing(query_db, order, keep):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI"), keep))
    row = one_row(query_db, f'batting player "Virat Kohli" odi {order} average')
    assert (row["average"], row["innings"]) == (f.average, f.innings)


def test_chasing_means_limited_overs_only(query_db):
    second = lambda b: b.match.batting_first != b.team  # noqa: E731
    lines = ref.batting(KOHLI, MEN(), lambda b: b.match.competition != "Test" and second(b))
    assert ref.batting(KOHLI, MEN("Test"), second)  # Tests: batting second is not chasing
    assert one_row(query_db, 'batting player "Virat Kohli" chasing innings')["innings"] == len(lines)


# --- occasion -------------------------------------------------------------------------------------

def test_batting_at_the_t20_world_cup(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("T20I"), ref.event_is("T20 World Cup"))))
    row = one_row(query_db, 'batting player "Virat Kohli" t20i event "T20 World Cup" runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings) == (158, 3)


def test_batting_at_the_world_cup_includes_2019(query_db):
    """Cricsheet calls the 2019 World Cup just "World Cup" (2015, 2023: "ICC Cricket World Cup")."""
    lines = ref.batting(KOHLI, both(MEN("ODI"), ref.event_is("World Cup")))
    assert {b.match.year for b in lines} == {2015, 2019, 2023}
    f = ref.batting_figures(lines)
    row = one_row(query_db, 'batting player "Virat Kohli" odi event "World Cup" runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_in_finals(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN(), lambda m: m.stage == "Final")))
    row = one_row(query_db, 'batting player "Virat Kohli" final runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings) == (184, 3)


def test_batting_in_knockouts(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, both(MEN("ODI"), lambda m: m.stage in ref.KNOCKOUT_STAGES)))
    row = one_row(query_db, 'batting player "Virat Kohli" odi knockouts average')
    assert (row["average"], row["innings"]) == (f.average, f.innings)


# --- ball by ball ---------------------------------------------------------------------------------

def test_batting_in_an_over_range(query_db):
    f = ref.batter_figures(KOHLI, ref.balls(MEN("ODI"), ref.in_overs(1, 10)))
    row = one_row(query_db, 'batting player "Virat Kohli" odi overs 1-10 runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


@pytest.mark.parametrize("phase", ["powerplay", "middle overs", "death overs"])
def test_batting_phases_in_t20(query_db, phase):
    f = ref.batter_figures(KOHLI, ref.balls(MEN(), ref.in_phase(phase)))
    row = one_row(query_db, f'batting player "Virat Kohli" {phase} strike rate')
    assert (row["strike rate"], row["innings"]) == (f.strike_rate, f.innings)


def test_batting_odi_powerplay(query_db):
    f = ref.batter_figures(ROHIT, ref.balls(MEN("ODI"), ref.in_phase("powerplay")))
    row = one_row(query_db, 'batting player "Rohit Sharma" odi powerplay runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)


def test_batting_against_a_bowler(query_db):
    seen = ref.balls(MEN(), lambda s: s.ball.bowler == CUMMINS)
    f = ref.batter_figures(KOHLI, seen)
    row = one_row(query_db, 'batting player "Virat Kohli" bowler "Pat Cummins" runs')
    assert (row["runs"], row["innings"]) == (f.runs, f.innings)
    assert one_row(query_db, 'batting player "Virat Kohli" bowler "Pat Cummins" dismissals')["dismissals"] == f.outs


def test_batting_dismissed_one_way(query_db):
    lines = ref.batting(KOHLI, MEN(), lambda b: b.how == "bowled")
    assert one_row(query_db, 'batting player "Virat Kohli" out bowled dismissals')["dismissals"] == len(lines) == 2


def test_batting_dot_balls(query_db):
    f = ref.batter_figures(KOHLI, ref.balls(MEN("ODI")))
    assert one_row(query_db, 'batting player "Virat Kohli" odi dots')["dots"] == f.dots


def test_batting_boundary_percentage(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI")))
    row = one_row(query_db, 'batting player "Virat Kohli" odi boundary %')
    assert row["boundary %"] == r2(f.fours + f.sixes, f.balls, 100)


def test_batting_boundary_percentage_ball_by_ball(query_db):
    f = ref.batter_figures(KOHLI, ref.balls(MEN("T20I"), ref.in_phase("powerplay")))
    row = one_row(query_db, 'batting player "Virat Kohli" t20i powerplay boundary %')
    assert row["boundary %"] == r2(f.fours + f.sixes, f.balls, 100)


def test_ranking_by_boundary_percentage(query_db, names):
    by_player: dict[str, list] = {}
    for line in ref.batting(None, MEN("ODI")):
        by_player.setdefault(line.player, []).append(line)
    figures = {player: ref.batting_figures(lines) for player, lines in by_player.items()}
    qualified = [(names[p], r2(f.fours + f.sixes, f.balls, 100)) for p, f in figures.items() if f.balls >= 50]
    expected = sorted(qualified, key=lambda row: (-row[1], row[0]))[:3]
    columns, rows = ask(query_db, "batting odi top 3 boundary % min balls 50")
    assert [row[:2] for row in rows] == [list(row) for row in expected]


# --- grouped ----------------------------------------------------------------------------------------

def test_batting_runs_by_year(query_db):
    years = sorted({b.match.year for b in ref.batting(KOHLI, MEN())})
    expected = [[y, ref.batting_figures(ref.batting(KOHLI, both(MEN(), lambda m, y=y: m.year == y))).runs]
                for y in years]
    assert ask(query_db, 'batting player "Virat Kohli" by year runs') == (["year", "runs"], expected)


def test_batting_runs_by_opposition(query_db):
    runs = {}
    for b in ref.batting(KOHLI, MEN()):
        runs[b.innings.opposition] = runs.get(b.innings.opposition, 0) + b.runs
    expected = [[team, n] for team, n in sorted(runs.items(), key=lambda t: (-t[1], t[0]))]
    assert ask(query_db, 'batting player "Virat Kohli" by opposition runs')[1] == expected


def test_batting_average_by_competition(query_db):
    expected = [[c, ref.batting_figures(ref.batting(KOHLI, MEN(c))).average] for c in ("IPL", "ODI", "T20I", "Test")]
    assert ask(query_db, 'batting player "Virat Kohli" by competition average')[1] == expected


def test_batting_by_ground_and_by_country(query_db):
    lines = ref.batting(ROHIT, MEN())
    for group, key in (("ground", lambda b: b.match.ground), ("country", lambda b: b.match.country)):
        runs = {}
        for b in lines:
            runs[key(b)] = runs.get(key(b), 0) + b.runs
        expected = [[k, n] for k, n in sorted(runs.items(), key=lambda t: (-t[1], t[0]))]
        assert ask(query_db, f'batting player "Rohit Sharma" by {group} runs')[1] == expected


def test_batting_by_innings_number(query_db):
    lines = ref.batting(KOHLI, MEN("Test"))
    numbers = sorted({b.innings.number for b in lines})
    expected = [[n, sum(b.runs for b in lines if b.innings.number == n)] for n in numbers]
    assert ask(query_db, 'batting player "Virat Kohli" test by innings runs')[1] == expected


def test_batting_by_position(query_db):
    lines = ref.batting(ROHIT, MEN())
    positions = sorted({b.position for b in lines})
    expected = [[p, sum(b.position == p for b in lines)] for p in positions]
    assert ask(query_db, 'batting player "Rohit Sharma" by position innings')[1] == expected


def test_batting_dismissals_by_kind(query_db):
    lines = ref.batting(SMITH, MEN())
    kinds = {}
    for b in lines:
        if b.how:
            kinds[b.how] = kinds.get(b.how, 0) + b.out
    expected = [[k, n] for k, n in sorted(kinds.items(), key=lambda t: (-t[1], t[0]))]
    assert ask(query_db, 'batting player "Steve Smith" by dismissal dismissals')[1] == expected


def test_batting_runs_by_bowler(query_db, names):
    runs = {}
    for s in ref.balls(MEN("ODI"), lambda s: s.ball.batter == KOHLI):
        runs[s.ball.bowler] = runs.get(s.ball.bowler, 0) + s.ball.batter_runs
    expected = sorted(([names[b], n] for b, n in runs.items()), key=lambda r: (-r[1], r[0]))
    assert ask(query_db, 'batting player "Virat Kohli" odi by bowler runs')[1] == expected


# --- rankings ---------------------------------------------------------------------------------------

def _batting_table(where, keep=lambda b: True):
    lines = {}
    for b in ref.batting(None, where, keep):
        lines.setdefault(b.player, []).append(b)
    return {p: ref.batting_figures(ls) for p, ls in lines.items()}


def test_batting_top_run_scorers(query_db, names):
    table = _batting_table(MEN("ODI"))
    ranked = sorted(table, key=lambda p: (-table[p].runs, names[p]))[:5]
    expected = [[names[p], table[p].runs, table[p].innings] for p in ranked]
    assert ask(query_db, "batting odi top 5 runs") == (["player", "runs", "innings"], expected)


def test_batting_top_strike_rates_with_a_minimum(query_db, names):
    table = _batting_table(MEN("T20I"))
    qualified = [p for p in table if table[p].balls >= 40]
    ranked = sorted(qualified, key=lambda p: (-table[p].strike_rate, names[p]))[:5]
    expected = [[names[p], table[p].strike_rate, table[p].balls, table[p].innings] for p in ranked]
    assert ask(query_db, "batting t20i top 5 strike rate min balls 40") == (
        ["player", "strike rate", "balls", "innings"], expected)


def test_batting_bottom_strike_rates(query_db, names):
    table = _batting_table(MEN("ODI"))
    qualified = [p for p in table if table[p].balls >= 150]
    ranked = sorted(qualified, key=lambda p: (table[p].strike_rate, names[p]))[:3]
    expected = [[names[p], table[p].strike_rate, table[p].balls, table[p].innings] for p in ranked]
    assert ask(query_db, "batting odi bottom 3 strike rate min balls 150")[1] == expected


def test_batting_top_averages_qualified_by_innings(query_db, names):
    table = _batting_table(MEN())
    qualified = [p for p in table if table[p].innings >= 6 and table[p].outs]
    ranked = sorted(qualified, key=lambda p: (-table[p].average, names[p]))[:5]
    expected = [[names[p], table[p].average, table[p].innings] for p in ranked]
    assert ask(query_db, "batting top 5 average min innings 6")[1] == expected


def test_batting_default_qualification_for_averages(query_db, names):
    """Without min, a batting-average ranking needs 10 innings."""
    table = _batting_table(MEN("ODI"))
    assert max(f.innings for f in table.values()) < 10
    assert ask(query_db, "batting odi top 10 average")[1] == []


def test_batting_top_six_hitters_in_the_ipl(query_db, names):
    table = _batting_table(MEN("IPL"))
    ranked = sorted(table, key=lambda p: (-table[p].sixes, names[p]))[:3]
    expected = [[names[p], table[p].sixes, table[p].innings] for p in ranked]
    assert ask(query_db, "batting ipl top 3 sixes")[1] == expected


def test_batting_top_scorers_in_womens_odis(query_db, names):
    table = _batting_table(WOMEN("ODI"))
    ranked = sorted(table, key=lambda p: (-table[p].runs, names[p]))[:3]
    expected = [[names[p], table[p].runs, table[p].innings] for p in ranked]
    assert ask(query_db, "batting odi women top 3 runs")[1] == expected


# --- single innings -----------------------------------------------------------------------------------

def test_batting_best_innings(query_db, names):
    ranked = sorted(ref.batting(None, MEN("ODI")), key=lambda b: (-b.runs, b.balls, b.match.start))[:5]
    columns, rows = ask(query_db, "batting odi best 5 runs")
    assert columns == ["date", "player", "team", "opposition", "ground", "competition", "runs",
                       "balls", "dismissal", "fours", "sixes", "strike rate"]
    assert rows == [bat_row(b, names) for b in ranked]


def test_batting_best_strike_rate_innings_need_ten_balls(query_db, names):
    lines = ref.batting(None, MEN("T20I"), lambda b: b.balls >= 10)
    ranked = sorted(lines, key=lambda b: (-Fraction(b.runs, b.balls), b.match.start))[:3]
    assert ask(query_db, "batting t20i best 3 strike rate")[1] == [bat_row(b, names) for b in ranked]


def test_batting_most_sixes_in_an_innings(query_db, names):
    ranked = sorted(ref.batting(None, MEN()), key=lambda b: (-b.sixes, -b.runs, b.match.start))[:3]
    assert ask(query_db, "batting best 3 sixes")[1] == [bat_row(b, names) for b in ranked]


def test_batting_womens_best_innings(query_db, names):
    ranked = sorted(ref.batting(None, WOMEN()), key=lambda b: (-b.runs, b.balls, b.match.start))[:3]
    assert ask(query_db, "batting women best 3 runs")[1] == [bat_row(b, names) for b in ranked]


# --- lists ------------------------------------------------------------------------------------------

def test_batting_list_of_hundreds(query_db, names):
    lines = by_date(ref.batting(KOHLI, MEN(), lambda b: b.runs >= 100))
    assert len(lines) == 3
    assert ask(query_db, 'batting player "Virat Kohli" list hundreds')[1] == [bat_row(b, names) for b in lines]


def test_batting_list_of_fifties(query_db, names):
    lines = by_date(ref.batting(KOHLI, MEN("ODI"), lambda b: 50 <= b.runs <= 99))
    assert ask(query_db, 'batting player "Virat Kohli" odi list fifties')[1] == [bat_row(b, names) for b in lines]


def test_batting_list_of_ducks(query_db, names):
    lines = by_date(ref.batting(None, MEN("T20I"), lambda b: b.runs == 0 and b.out))
    assert per_match(ask(query_db, "batting t20i list ducks")[1]) == per_match([bat_row(b, names) for b in lines])


def test_batting_list_of_innings_at_a_ground(query_db, names):
    lines = by_date(ref.batting(ROHIT, both(MEN(), lambda m: m.ground == "Sydney Cricket Ground")))
    assert ask(query_db, 'batting player "Rohit Sharma" at "Sydney Cricket Ground" list innings')[1] == [
        bat_row(b, names) for b in lines]


# === bowling ========================================================================================

def test_bowling_wickets_in_tests(query_db):
    f = ref.bowling_figures(ref.bowling(BUMRAH, MEN("Test")))
    assert one_row(query_db, 'bowling player "Jasprit Bumrah" test wickets') == {
        "player": "Jasprit Bumrah", "wickets": f.wickets, "innings": f.innings}


@pytest.mark.parametrize("stat, value", [
    ("average", lambda f: f.average), ("economy", lambda f: f.economy),
    ("strike rate", lambda f: f.strike_rate), ("runs", lambda f: f.runs),
    ("balls", lambda f: f.balls), ("maidens", lambda f: f.maidens), ("dots", lambda f: f.dots),
    ("wides", lambda f: f.wides), ("no-balls", lambda f: f.noballs), ("sixes", lambda f: f.sixes),
])
def test_bowling_career_figures(query_db, stat, value):
    f = ref.bowling_figures(ref.bowling(SHAMI, MEN()))
    assert one_row(query_db, f'bowling player "Mohammed Shami" {stat}')[stat] == value(f)


def test_bowling_dot_ball_percentage(query_db):
    f = ref.bowling_figures(ref.bowling(SHAMI, MEN()))
    assert one_row(query_db, 'bowling player "Mohammed Shami" dot-ball %')["dot-ball %"] == r2(f.dots, f.balls, 100)


def test_bowling_dot_ball_percentage_ball_by_ball(query_db):
    f = ref.bowler_figures(BUMRAH, ref.balls(MEN("T20I"), ref.in_phase("death overs")))
    row = one_row(query_db, 'bowling player "Jasprit Bumrah" t20i death overs dot-ball %')
    assert row["dot-ball %"] == r2(f.dots, f.balls, 100)


def test_bowling_innings_after_a_filter(query_db):
    f = ref.bowling_figures(ref.bowling(SHAMI, MEN(), lambda b: ref.won(b.match, b.team)))
    assert one_row(query_db, 'bowling player "Mohammed Shami" won innings')["innings"] == f.innings


def test_innings_as_the_stat_right_after_the_player(query_db):
    f = ref.bowling_figures(ref.bowling(SHAMI, MEN()))
    assert one_row(query_db, 'bowling player "Mohammed Shami" innings')["innings"] == f.innings
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI")))
    assert one_row(query_db, 'batting player "Virat Kohli" odi innings')["innings"] == f.innings


def test_bowling_five_fors_and_best_figures(query_db):
    f = ref.bowling_figures(ref.bowling(SHAMI, MEN("ODI")))
    assert one_row(query_db, 'bowling player "Mohammed Shami" odi five-fors')["five-fors"] == f.five_fors == 1
    assert one_row(query_db, 'bowling player "Mohammed Shami" odi best figures')["best figures"] == \
        f"{f.best[0]}/{f.best[1]}" == "7/57"


def test_bowling_runs_conceded_leave_out_byes_and_leg_byes(query_db):
    lines = ref.bowling(BUMRAH, MEN("Test"))
    byes = sum(s.ball.total - s.ball.conceded for s in ref.balls(MEN("Test"), lambda s: s.ball.bowler == BUMRAH))
    assert byes > 0
    assert one_row(query_db, 'bowling player "Jasprit Bumrah" test runs')["runs"] == sum(b.runs for b in lines)


def test_bowling_wickets_leave_out_run_outs(query_db):
    lines = ref.bowling(None, WOMEN("T20I"))
    run_outs = [w for s in ref.balls(WOMEN("T20I")) for w in s.ball.wickets if w.kind in ("run out", "retired out")]
    assert run_outs
    columns, rows = ask(query_db, "bowling t20i women top 100 wickets")
    assert sum(row[1] for row in rows) == sum(b.wickets for b in lines)


def test_bowling_against_an_opposition_in_a_year(query_db):
    f = ref.bowling_figures(ref.bowling(CUMMINS, both(MEN("ODI"), lambda m: "India" in m.teams and m.year == 2023)))
    row = one_row(query_db, 'bowling player "Pat Cummins" odi vs "India" year 2023 economy')
    assert (row["economy"], row["innings"]) == (f.economy, f.innings)


def test_bowling_to_a_batter(query_db):
    f = ref.bowler_figures(CUMMINS, ref.balls(MEN(), lambda s: s.ball.batter == KOHLI))
    row = one_row(query_db, 'bowling player "Pat Cummins" batter "Virat Kohli" wickets')
    assert (row["wickets"], row["innings"]) == (f.wickets, f.innings)
    assert one_row(query_db, 'bowling player "Pat Cummins" batter "Virat Kohli" runs')["runs"] == f.runs


def test_bowling_wickets_of_one_kind(query_db):
    seen = ref.balls(MEN(), lambda s: s.ball.bowler == BUMRAH)
    lbws = sum(w.kind == "lbw" for s in seen for w in s.ball.wickets)
    assert 0 < lbws < sum(w.kind in ref.BOWLERS_WICKETS for s in seen for w in s.ball.wickets)
    assert one_row(query_db, 'bowling player "Jasprit Bumrah" out lbw wickets')["wickets"] == lbws


@pytest.mark.parametrize("phase", ["powerplay", "middle overs", "death overs"])
def test_bowling_phases(query_db, phase):
    f = ref.bowler_figures(BUMRAH, ref.balls(MEN(), ref.in_phase(phase)))
    row = one_row(query_db, f'bowling player "Jasprit Bumrah" {phase} economy')
    assert (row["economy"], row["innings"]) == (f.economy, f.innings)


def test_bowling_in_an_over_range(query_db):
    f = ref.bowler_figures(SHAMI, ref.balls(MEN("ODI"), ref.in_overs(1, 10)))
    row = one_row(query_db, 'bowling player "Mohammed Shami" odi overs 1-10 wickets')
    assert (row["wickets"], row["innings"]) == (f.wickets, f.innings)


def test_bowling_wickets_by_dismissal(query_db):
    kinds = {}
    for s in ref.balls(MEN(), lambda s: s.ball.bowler == SHAMI):
        for w in s.ball.wickets:
            if w.kind in ref.BOWLERS_WICKETS:
                kinds[w.kind] = kinds.get(w.kind, 0) + 1
    expected = [[k, n] for k, n in sorted(kinds.items(), key=lambda t: (-t[1], t[0]))]
    assert ask(query_db, 'bowling player "Mohammed Shami" by dismissal wickets')[1] == expected


def test_bowling_wickets_by_batter(query_db, names):
    wickets = {}
    for s in ref.balls(MEN(), lambda s: s.ball.bowler == CUMMINS):
        wickets.setdefault(s.ball.batter, 0)
        wickets[s.ball.batter] += sum(w.kind in ref.BOWLERS_WICKETS for w in s.ball.wickets)
    expected = sorted(([names[b], n] for b, n in wickets.items()), key=lambda r: (-r[1], r[0]))
    assert ask(query_db, 'bowling player "Pat Cummins" by batter wickets')[1] == expected


def test_bowling_economy_by_opposition(query_db):
    lines = ref.bowling(BUMRAH, MEN())
    teams = {b.innings.team for b in lines}
    table = {t: ref.bowling_figures([b for b in lines if b.innings.team == t]).economy for t in teams}
    expected = [[t, e] for t, e in sorted(table.items(), key=lambda t: (t[1], t[0]))]
    assert ask(query_db, 'bowling player "Jasprit Bumrah" by opposition economy')[1] == expected


def _bowling_table(where):
    lines = {}
    for b in ref.bowling(None, where):
        lines.setdefault(b.player, []).append(b)
    return {p: ref.bowling_figures(ls) for p, ls in lines.items()}


def test_bowling_top_wicket_takers(query_db, names):
    table = _bowling_table(MEN("ODI"))
    ranked = sorted(table, key=lambda p: (-table[p].wickets, names[p]))[:5]
    expected = [[names[p], table[p].wickets, table[p].innings] for p in ranked]
    assert ask(query_db, "bowling odi top 5 wickets") == (["player", "wickets", "innings"], expected)


def test_bowling_best_economy_with_a_minimum(query_db, names):
    table = _bowling_table(MEN("IPL"))
    qualified = [p for p in table if table[p].balls >= 24]
    ranked = sorted(qualified, key=lambda p: (table[p].economy, names[p]))[:3]
    expected = [[names[p], table[p].economy, table[p].balls, table[p].innings] for p in ranked]
    assert ask(query_db, "bowling ipl top 3 economy min balls 24")[1] == expected


def test_bowling_best_average_with_a_minimum(query_db, names):
    table = _bowling_table(MEN())
    qualified = [p for p in table if table[p].wickets >= 5]
    ranked = sorted(qualified, key=lambda p: (table[p].average, names[p]))[:5]
    expected = [[names[p], table[p].average, table[p].wickets, table[p].innings] for p in ranked]
    assert ask(query_db, "bowling top 5 average min wickets 5")[1] == expected


def test_bowling_best_figures_in_an_innings(query_db, names):
    ranked = sorted(ref.bowling(None, MEN("Test")), key=lambda b: (-b.wickets, b.runs, b.match.start))[:3]
    columns, rows = ask(query_db, "bowling test best 3 figures")
    assert columns == ["date", "player", "team", "opposition", "ground", "competition", "figures",
                       "balls", "maidens", "economy"]
    assert rows == [bowl_row(b, names) for b in ranked]


def test_bowling_best_economy_in_an_innings(query_db, names):
    lines = ref.bowling(None, MEN("T20I"), lambda b: b.balls >= 12)
    ranked = sorted(lines, key=lambda b: (Fraction(b.runs, b.balls), b.match.start))[:3]
    assert ask(query_db, "bowling t20i best 3 economy")[1] == [bowl_row(b, names) for b in ranked]


def test_bowling_list_of_five_fors(query_db, names):
    lines = by_date(ref.bowling(None, MEN(), lambda b: b.wickets >= 5))
    assert len(lines) >= 3
    assert per_match(ask(query_db, "bowling list five-fors")[1]) == per_match([bowl_row(b, names) for b in lines])


def test_lists_keep_the_innings_order_within_a_match(query_db, names):
    """Nagpur 2023: Jadeja's 5/47 (1st innings), Murphy's 7/124 (2nd), Ashwin's 5/37 (3rd): a list
    in date order shows the innings of one match in their order too."""
    lines = by_date(ref.bowling(None, MEN("Test"), lambda b: b.wickets >= 5))
    assert [names[b.player] for b in lines][:3] == ["Ravindra Jadeja", "T Murphy", "Ravi Ashwin"]
    assert ask(query_db, "bowling test list five-fors")[1] == [bowl_row(b, names) for b in lines]
    ducks = by_date(ref.batting(None, MEN("T20I"), lambda b: b.runs == 0 and b.out))
    assert ask(query_db, "batting t20i list ducks")[1] == [bat_row(b, names) for b in ducks]


def test_bowling_list_of_innings(query_db, names):
    lines = by_date(ref.bowling(BUMRAH, MEN("T20I")))
    assert ask(query_db, 'bowling player "Jasprit Bumrah" t20i list innings')[1] == [bowl_row(b, names) for b in lines]


# === fielding ========================================================================================

def test_fielding_catches(query_db):
    f = ref.fielding_figures(KOHLI, MEN("ODI"))
    assert one_row(query_db, 'fielding player "Virat Kohli" odi catches')["catches"] == f.catches


def test_matches_are_the_matches_played(query_db):
    played = ref.matches_played(KOHLI, MEN("ODI"))
    assert one_row(query_db, 'fielding player "Virat Kohli" odi catches')["matches"] == len(played)
    assert one_row(query_db, 'bowling player "Virat Kohli" odi matches')["matches"] == len(played)
    bumrah = ref.matches_played(BUMRAH, MEN("ODI"))
    assert len(bumrah) > len({b.match.id for b in ref.batting(BUMRAH, MEN("ODI"))})  # did not bat
    assert one_row(query_db, 'batting player "Jasprit Bumrah" odi matches')["matches"] == len(bumrah)
    expected = [[c, ref.fielding_figures(KOHLI, MEN(c)).catches] for c in ("IPL", "ODI", "T20I", "Test")]
    assert [c for c, n in expected if n == 0] == ["T20I"]
    assert ask(query_db, 'fielding player "Virat Kohli" by competition catches')[1] == expected


def test_fielding_substitute_catches_are_not_the_players(query_db):
    jadeja = pid("RA Jadeja")
    subs = [s for s in ref.balls(MEN("ODI")) for w in s.ball.wickets if jadeja in w.substitutes]
    assert len(subs) == 2
    f = ref.fielding_figures(jadeja, MEN("ODI"))
    assert one_row(query_db, 'fielding player "Ravindra Jadeja" odi catches')["catches"] == f.catches == 4


def test_fielding_stumpings_and_dismissals(query_db, names):
    keepers = sorted({f for s in ref.balls(WOMEN()) for w in s.ball.wickets if w.kind == "stumped"
                      for f in w.fielders})
    assert len(keepers) >= 2
    for player in keepers:
        f = ref.fielding_figures(player, WOMEN())
        row = one_row(query_db, f'fielding player "{names[player]}" women stumpings')
        assert row["stumpings"] == f.stumpings
        row = one_row(query_db, f'fielding player "{names[player]}" women dismissals')
        assert row["dismissals"] == f.dismissals == f.catches + f.stumpings


def test_fielding_run_outs(query_db):
    f = ref.fielding_figures(pid("RA Jadeja"), MEN())
    assert one_row(query_db, 'fielding player "Ravindra Jadeja" run outs')["run outs"] == f.run_outs


def test_fielding_caught_and_bowled_is_the_bowlers_catch(query_db, names):
    """Bowlers' own catches count, as do a wicketkeeper's (Inglis: five in the 2023 final)."""
    f = ref.fielding_figures(INGLIS, MEN())
    assert one_row(query_db, 'fielding player "Josh Inglis" catches')["catches"] == f.catches
    bowlers = {s.ball.bowler for s in ref.balls(MEN()) for w in s.ball.wickets if w.kind == "caught and bowled"}
    assert bowlers
    for player in sorted(bowlers):
        f = ref.fielding_figures(player, MEN())
        assert one_row(query_db, f'fielding player "{names[player]}" catches')["catches"] == f.catches


def test_fielding_top_catchers(query_db, names):
    people = {p for m in ref.matches() if MEN("T20I")(m) for ids in m.players.values() for p in ids}
    table = {p: ref.fielding_figures(p, MEN("T20I")) for p in people}
    ranked = sorted((p for p in table if table[p].catches), key=lambda p: (-table[p].catches, names[p]))[:5]
    rows = ask(query_db, "fielding t20i top 5 catches")[1]
    assert [row[:2] for row in rows] == [[names[p], table[p].catches] for p in ranked]


def test_fielding_catches_by_opposition(query_db):
    """Every catch in men's T20Is, by the side that batted."""
    catches = {}
    for s in ref.balls(MEN("T20I")):
        for w in s.ball.wickets:
            credited = len(w.fielders) if w.kind == "caught" else w.kind == "caught and bowled"
            catches[s.innings.team] = catches.get(s.innings.team, 0) + credited
    expected = sorted(([t, n] for t, n in catches.items() if n), key=lambda r: (-r[1], r[0]))
    assert ask(query_db, "fielding t20i by opposition catches")[1] == expected


# === teams ==========================================================================================

@pytest.mark.parametrize("stat, count", [
    ("matches", lambda ms: len(ms)),
    ("wins", lambda ms: sum(ref.won(m, s) for m, s in ms)),
    ("losses", lambda ms: sum(ref.lost(m, s) for m, s in ms)),
])
def test_team_results_in_odis(query_db, stat, count):
    ms = ref.team_matches("India", MEN("ODI"))
    row = one_row(query_db, f'team "India" odi {stat}')
    assert row[stat] == count(ms)
    assert row["matches"] == len(ms)


def test_team_win_percentage(query_db):
    ms = ref.team_matches("Australia", MEN("ODI"))
    row = one_row(query_db, 'team "Australia" odi win %')
    assert (row["win %"], row["matches"]) == (r2(sum(ref.won(m, s) for m, s in ms), len(ms), 100), len(ms))


def test_team_draws_in_tests(query_db):
    ms = ref.team_matches("India", MEN("Test"))
    assert one_row(query_db, 'team "India" test draws')["draws"] == sum(m.result == "draw" for m, _ in ms) == 1


def test_team_ties_settled_by_a_super_over_are_ties(query_db):
    ms = ref.team_matches("India", MEN("T20I"))
    assert one_row(query_db, 'team "India" t20i ties')["ties"] == sum(m.result == "tie" for m, _ in ms) == 1


def test_team_wins_leave_out_ties_won_in_a_super_over(query_db):
    """India beat Sri Lanka in the super over at Pallekele; the match is a tie all the same."""
    ms = ref.team_matches("India", MEN("T20I"))
    assert one_row(query_db, 'team "India" t20i wins')["wins"] == sum(ref.won(m, s) for m, s in ms)
    lost = ref.team_matches("Sri Lanka", MEN("T20I"))
    assert one_row(query_db, 'team "Sri Lanka" t20i losses')["losses"] == sum(ref.lost(m, s) for m, s in lost)
    women_wins = [(m, s) for m, s in ref.team_matches("India", WOMEN()) if ref.won(m, s)]
    assert ask(query_db, 'team "India" women list wins')[1] == [match_row(m, s) for m, s in women_wins]
    row = one_row(query_db, 'batting player "Virat Kohli" ipl won innings')
    assert row["innings"] == len(ref.batting(KOHLI, MEN("IPL"), lambda b: ref.won(b.match, b.team)))


@pytest.mark.parametrize("stat, value", [
    ("average total", lambda ts: r2(sum(ts), len(ts))),
    ("highest total", max),
])
def test_team_totals(query_db, stat, value):
    totals = [inn.total for inn in ref.team_innings("India", MEN("ODI"))]
    assert one_row(query_db, f'team "India" odi {stat}')[stat] == value(totals)


def test_team_totals_in_one_innings_of_a_test(query_db):
    innings = [inn for inn in ref.team_innings("Australia", MEN("Test")) if inn.number == 2]
    row = one_row(query_db, 'team "Australia" test in innings 2 highest total')
    assert row["highest total"] == max(inn.total for inn in innings)
    assert row["matches"] == len({inn.match.id for inn in innings})


def test_team_lowest_total_counts_completed_innings(query_db):
    """Not India's 8/0 at the end of the drawn Brisbane Test, nor a declaration: 150 all out."""
    innings = ref.team_innings("India", MEN("Test"))
    assert min(inn.total for inn in innings) == 8
    totals = [inn.total for inn in innings if inn.completed]
    assert one_row(query_db, 'team "India" test lowest total')["lowest total"] == min(totals) == 150


def test_team_lowest_total_in_odis_leaves_out_won_chases(query_db):
    innings = ref.team_innings("India", MEN("ODI"))
    assert any(not inn.completed and inn.total < min(i.total for i in innings if i.completed) for inn in innings)
    totals = [inn.total for inn in innings if inn.completed]
    assert one_row(query_db, 'team "India" odi lowest total')["lowest total"] == min(totals)


@pytest.mark.parametrize("where", ["home", "away", "neutral"])
def test_team_wins_home_away_neutral(query_db, where):
    ms = [(m, s) for m, s in ref.team_matches("India", MEN("ODI")) if m.where_for(s) == where]
    row = one_row(query_db, f'team "India" odi {where} wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), len(ms))


def test_team_at_a_ground_across_a_rename(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Royal Challengers Bengaluru", MEN("IPL"))
          if m.ground == "M Chinnaswamy Stadium"]
    row = one_row(query_db, 'team "Royal Challengers Bengaluru" ipl at "M Chinnaswamy Stadium" losses')
    assert (row["losses"], row["matches"]) == (sum(ref.lost(m, s) for m, s in ms), len(ms))


def test_team_against_a_renamed_franchise(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Delhi Capitals", MEN("IPL")) if m.opponent(s) == "Royal Challengers Bengaluru"]
    assert {m.year for m, _ in ms} >= {2008, 2019, 2024}
    row = one_row(query_db, 'team "Delhi Capitals" ipl vs "Royal Challengers Bengaluru" matches')
    assert row["matches"] == len(ms)


def test_team_in_a_host_country(query_db):
    ms = [(m, s) for m, s in ref.team_matches(None, MEN()) if m.country == "United Arab Emirates"]
    columns, rows = ask(query_db, 'team in "United Arab Emirates" top 10 matches')
    expected = {}
    for m, s in ms:
        expected[s] = expected.get(s, 0) + 1
    assert rows == sorted(([t, n] for t, n in expected.items()), key=lambda r: (-r[1], r[0]))


def test_team_in_a_season(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Delhi Capitals", MEN("IPL")) if m.season == "2020/21"]
    assert one_row(query_db, 'team "Delhi Capitals" ipl season 2020/21 wins')["wins"] == sum(ref.won(m, s) for m, s in ms) == 2


@pytest.mark.parametrize("toss, keep", [
    ("toss won bat", lambda m, s: m.toss_winner == s and m.toss_decision == "bat"),
    ("toss lost", lambda m, s: m.toss_winner == m.opponent(s)),
    ("toss lost field", lambda m, s: m.toss_winner == m.opponent(s) and m.toss_decision == "field"),
])
def test_team_wins_by_the_toss(query_db, toss, keep):
    ms = [(m, s) for m, s in ref.team_matches("India", MEN("ODI")) if keep(m, s)]
    row = one_row(query_db, f'team "India" odi {toss} wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), len(ms))


@pytest.mark.parametrize("order, keep", [
    ("batting first", lambda m, s: m.batting_first == s),
    ("chasing", lambda m, s: m.batting_first != s),
])
def test_team_batting_first_or_chasing(query_db, order, keep):
    ms = [(m, s) for m, s in ref.team_matches("India", MEN("ODI")) if keep(m, s)]
    row = one_row(query_db, f'team "India" odi {order} win %')
    assert (row["win %"], row["matches"]) == (r2(sum(ref.won(m, s) for m, s in ms), len(ms), 100), len(ms))


def test_team_world_cup_knockout_wins(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Australia", both(MEN("ODI"), ref.event_is("World Cup")))
          if m.stage in ref.KNOCKOUT_STAGES]
    row = one_row(query_db, 'team "Australia" odi event "World Cup" knockouts wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), len(ms)) == (2, 2)


def test_team_finals_in_womens_t20is(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Australia", WOMEN("T20I")) if m.stage == "Final"]
    row = one_row(query_db, 'team "Australia" t20i women final wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), len(ms)) == (2, 2)


def test_team_event_champions_trophy(query_db):
    ms = ref.team_matches("India", both(MEN(), ref.event_is("Champions Trophy")))
    row = one_row(query_db, 'team "India" event "Champions Trophy" wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), len(ms)) == (1, 1)


def test_team_wins_by_year(query_db):
    ms = ref.team_matches("India", MEN("ODI"))
    years = sorted({m.year for m, _ in ms})
    expected = [[y, sum(ref.won(m, s) for m, s in ms if m.year == y)] for y in years]
    assert ask(query_db, 'team "India" odi by year wins') == (["year", "wins"], expected)


def test_team_matches_by_opposition(query_db):
    counts = {}
    for m, s in ref.team_matches("India", MEN()):
        counts[m.opponent(s)] = counts.get(m.opponent(s), 0) + 1
    expected = sorted(([t, n] for t, n in counts.items()), key=lambda r: (-r[1], r[0]))
    assert ask(query_db, 'team "India" by opposition matches')[1] == expected


def test_team_top_win_percentage(query_db):
    ms = ref.team_matches(None, MEN("ODI"))
    table = {}
    for m, s in ms:
        played, won = table.get(s, (0, 0))
        table[s] = (played + 1, won + ref.won(m, s))
    qualified = [(t, r2(w, p, 100), p) for t, (p, w) in table.items() if p >= 3]
    expected = [[t, pct, p] for t, pct, p in sorted(qualified, key=lambda r: (-r[1], r[0]))[:3]]
    assert ask(query_db, "team odi top 3 win % min matches 3") == (["team", "win %", "matches"], expected)


def test_team_best_totals(query_db):
    ranked = sorted(ref.team_innings(None, MEN("T20I")), key=lambda i: (-i.total, i.match.start))[:3]
    columns, rows = ask(query_db, "team t20i best 3 total")
    assert columns == ["date", "team", "opposition", "ground", "competition", "total", "wickets", "innings"]
    assert rows == [team_innings_row(i) for i in ranked]


def test_team_worst_totals_are_completed_innings(query_db):
    completed = [i for i in ref.team_innings(None, MEN("ODI")) if i.completed]
    assert any(i.wickets < 10 for i in completed)  # 50 overs bowled, not all out
    ranked = sorted(completed, key=lambda i: (i.total, i.match.start))[:5]
    assert ask(query_db, "team odi worst 5 total")[1] == [team_innings_row(i) for i in ranked]


def test_team_best_total_of_one_team(query_db):
    ranked = sorted(ref.team_innings("India", MEN("Test")), key=lambda i: (-i.total, i.match.start))[:2]
    assert ask(query_db, 'team "India" test best 2 total')[1] == [team_innings_row(i) for i in ranked]


@pytest.mark.parametrize("kind, keep", [
    ("matches", lambda m, s: True),
    ("wins", ref.won),
    ("losses", ref.lost),
    ("draws", lambda m, s: m.result == "draw"),
])
def test_team_lists_of_matches(query_db, kind, keep):
    ms = [(m, s) for m, s in ref.team_matches("India", MEN("Test")) if keep(m, s)]
    assert ask(query_db, f'team "India" test list {kind}')[1] == [match_row(m, s) for m, s in ms]


def test_team_list_of_ties(query_db):
    """Without a team, a list of matches shows each match once, from its first-named team's side."""
    ms = [m for m in ref.matches() if MEN()(m) and m.result == "tie"]
    assert len(ms) == 3
    assert ask(query_db, "team list ties")[1] == [match_row(m, m.teams[0]) for m in ms]


def test_team_list_of_womens_wins(query_db):
    ms = [(m, s) for m, s in ref.team_matches("Australia", WOMEN()) if ref.won(m, s)]
    assert ask(query_db, 'team "Australia" women list wins')[1] == [match_row(m, s) for m, s in ms]


# === recent form, records within one unit, single overs ===========================================

def most_recent_first(lines):
    return sorted(lines, key=lambda b: (b.match.start, b.match.id, b.innings.number), reverse=True)


def test_batting_last_innings_are_listed_most_recent_first(query_db, names):
    recent = most_recent_first(ref.batting(KOHLI, MEN()))[:3]
    assert len({b.match.competition for b in ref.batting(KOHLI, MEN())}) > 1  # across formats
    columns, rows = ask(query_db, 'batting player "Virat Kohli" last 3 list innings')
    assert rows == [bat_row(b, names) for b in recent]


def test_batting_average_in_the_last_innings_of_a_format(query_db):
    lines = ref.batting(KOHLI, MEN("ODI"))
    assert len(lines) > 4  # the filter keeps fewer than all
    f = ref.batting_figures(most_recent_first(lines)[:4])
    assert one_row(query_db, 'batting player "Virat Kohli" odi last 4 average') == {
        "player": "Virat Kohli", "average": f.average, "innings": 4}


def test_bowling_economy_in_the_last_innings(query_db):
    lines = ref.bowling(BUMRAH, MEN())
    f = ref.bowling_figures(most_recent_first(lines)[:3])
    row = one_row(query_db, 'bowling player "Jasprit Bumrah" last 3 economy')
    assert (row["economy"], row["innings"]) == (f.economy, 3)


def test_team_wins_in_the_last_matches(query_db):
    ms = sorted(ref.team_matches("India", MEN()), key=lambda ms: (ms[0].start, ms[0].id), reverse=True)[:4]
    row = one_row(query_db, 'team "India" last 4 wins')
    assert (row["wins"], row["matches"]) == (sum(ref.won(m, s) for m, s in ms), 4)


def test_last_needs_a_player_or_a_team(query_db):
    with pytest.raises(UnsupportedQuery):
        run_dsl("batting odi last 5 runs", query_db)


def test_batting_most_runs_in_one_match(query_db, names):
    """Both innings of a Test count towards one match's record."""
    per_match = {}
    for b in ref.batting(None, MEN("Test")):
        key = (b.player, b.match.id)
        per_match.setdefault(key, []).append(b)
    assert any(len(lines) == 2 for lines in per_match.values())
    ranked = sorted(per_match.items(), key=lambda kv: (-sum(b.runs for b in kv[1]), names[kv[0][0]]))[:5]
    expected = [[names[p], lines[0].match.start.isoformat(), lines[0].innings.opposition,
                 sum(b.runs for b in lines), len(lines)] for (p, _), lines in ranked]
    assert ask(query_db, "batting test top 5 runs per match") == (
        ["player", "date", "opposition", "runs", "innings"], expected)


def test_bowling_most_wickets_in_one_season(query_db, names):
    per_season = {}
    for b in ref.bowling(None, MEN("IPL")):
        per_season.setdefault((b.player, b.match.season), []).append(b)
    figures = {key: ref.bowling_figures(lines) for key, lines in per_season.items()}
    ranked = sorted(figures, key=lambda k: (-figures[k].wickets, names[k[0]], k[1]))[:5]
    expected = [[names[p], season, figures[(p, season)].wickets, figures[(p, season)].innings] for p, season in ranked]
    columns, rows = ask(query_db, "bowling ipl top 5 wickets per season")
    assert columns == ["player", "season", "wickets", "innings"]
    assert sorted(map(repr, rows)) == sorted(map(repr, expected))  # ties may fall in either order
    assert [row[2] for row in rows] == [row[2] for row in expected]


def test_batting_most_runs_in_one_calendar_year_with_a_minimum(query_db, names):
    per_year = {}
    for b in ref.batting(None, MEN()):
        per_year.setdefault((b.player, b.match.year), []).append(b)
    figures = {key: ref.batting_figures(lines) for key, lines in per_year.items()}
    qualified = [k for k in figures if figures[k].runs >= 100]
    ranked = sorted(qualified, key=lambda k: (-figures[k].runs, names[k[0]], k[1]))[:5]
    expected = [[names[p], year, figures[(p, year)].runs, figures[(p, year)].innings] for p, year in ranked]
    assert ask(query_db, "batting top 5 runs per year min runs 100") == (
        ["player", "year", "runs", "innings"], expected)


def test_bowling_wickets_in_a_single_over(query_db):
    seen = ref.balls(MEN("T20I"), ref.in_overs(20, 20))
    bowlers = {s.ball.bowler for s in seen}
    assert bowlers
    wickets = sum(ref.bowler_figures(bowler, seen).wickets for bowler in bowlers)
    assert one_row(query_db, "bowling t20i over 20 wickets")["wickets"] == wickets


def test_player_of_the_match_awards_are_counted_over_matches_played(query_db, names):
    awards = {}
    for m in ref.matches():
        if m.gender == "male" and m.competition == "ODI":
            for player in m.player_of_match[:1]:  # the database keeps the first named
                awards[player] = awards.get(player, 0) + 1
    assert awards
    ranked = sorted(awards, key=lambda p: (-awards[p], names[p]))[:3]
    expected = [[names[p], awards[p], len(ref.matches_played(p, MEN("ODI")))] for p in ranked]
    assert ask(query_db, "batting odi top 3 match awards") == (
        ["player", "match awards", "matches"], expected)


def test_several_stats_side_by_side_each_from_its_own_source(query_db):
    f = ref.batting_figures(ref.batting(KOHLI, MEN("ODI")))
    played = ref.matches_played(KOHLI, MEN("ODI"))
    assert one_row(query_db, 'batting player "Virat Kohli" odi matches runs average hundreds') == {
        "player": "Virat Kohli", "matches": len(played), "runs": f.runs, "average": f.average, "hundreds": f.hundreds}


def test_batting_best_average_against_one_opposition(query_db, names):
    per_opposition = {}
    for b in ref.batting(None, MEN()):
        per_opposition.setdefault((b.player, b.innings.opposition), []).append(b)
    figures = {key: ref.batting_figures(lines) for key, lines in per_opposition.items()}
    qualified = [k for k in figures if figures[k].runs >= 100 and figures[k].outs]
    ranked = sorted(qualified, key=lambda k: (-figures[k].average, names[k[0]], k[1]))[:3]
    expected = [[names[p], opp, figures[(p, opp)].average, figures[(p, opp)].runs, figures[(p, opp)].innings]
                for p, opp in ranked]
    assert ask(query_db, "batting top 3 average per opposition min runs 100") == (
        ["player", "opposition", "average", "runs", "innings"], expected)


def test_batting_innings_of_at_least_n_runs(query_db):
    lines = ref.batting(KOHLI, MEN())
    assert any(b.runs >= 50 for b in lines) and any(b.runs < 50 for b in lines)
    row = one_row(query_db, 'batting player "Virat Kohli" with runs 50+ runs innings')
    assert (row["runs"], row["innings"]) == (sum(b.runs for b in lines if b.runs >= 50), sum(b.runs >= 50 for b in lines))


def test_innings_of_everyone_count_each_players_innings(query_db):
    kept = [b for b in ref.batting(None, MEN()) if b.runs >= 30]
    assert len({id(b.innings) for b in kept}) < len(kept)  # some team innings hold two such scores
    assert one_row(query_db, "batting with runs 30+ innings")["innings"] == len(kept)


@pytest.mark.parametrize("stat, minimum", [("sixes", 1), ("fours", 4)])
def test_batting_innings_with_at_least_n_sixes_or_fours(query_db, stat, minimum):
    lines = ref.batting(ROHIT, MEN())
    kept = [b for b in lines if getattr(b, stat) >= minimum]
    assert kept and len(kept) < len(lines)
    row = one_row(query_db, f'batting player "Rohit Sharma" with {stat} {minimum}+ runs innings')
    assert (row["runs"], row["innings"]) == (sum(b.runs for b in kept), len(kept))


def test_bowling_innings_of_at_least_n_wickets_listed(query_db, names):
    lines = [b for b in ref.bowling(None, MEN()) if b.wickets >= 3]
    assert lines
    columns, rows = ask(query_db, "bowling with wickets 3+ list innings")
    assert per_match(rows) == per_match([bowl_row(b, names) for b in by_date(lines)])


# === partnerships =================================================================================

def test_highest_opening_stands(query_db, names):
    opening = [s for s in ref.stands(MEN("Test")) if s.wicket == 1]
    assert opening
    best = sorted(opening, key=lambda s: (-s.runs, s.balls))[:3]
    columns, rows = ask(query_db, "partnership test wicket 1 best 3 runs")
    assert columns == ["date", "batters", "team", "opposition", "ground", "competition", "runs", "balls", "wicket", "unbroken"]
    assert [(row[0], set(row[1].split(" & ")), row[2], row[6], row[7]) for row in rows] == [
        (s.match.start.isoformat(), {names[p] for p in s.pair}, s.innings.team, s.runs, s.balls) for s in best]


def test_a_batters_stands_with_one_partner(query_db):
    together = [s for s in ref.stands(MEN("ODI")) if s.pair == {KOHLI, ROHIT}]
    assert together
    ended = [s for s in together if not s.unbroken]
    row = one_row(query_db, 'partnership player "Virat Kohli" odi and "Rohit Sharma" runs partnerships average')
    assert row == {"player": "Virat Kohli", "runs": sum(s.runs for s in together), "partnerships": len(together),
                   "average": ref.r2(sum(s.runs for s in together), len(ended))}


def test_pairs_ranked_by_partnership_runs(query_db, names):
    totals = {}
    for s in ref.stands(MEN("ODI")):
        runs, count = totals.get(s.pair, (0, 0))
        totals[s.pair] = (runs + s.runs, count + 1)
    assert len(totals) > 5
    top = sorted(totals.values(), key=lambda rc: -rc[0])[:5]
    columns, rows = ask(query_db, "partnership odi top 5 runs")
    assert columns == ["pair", "runs", "partnerships"]
    assert [(row[1], row[2]) for row in rows] == top


def test_biggest_wins_by_runs_leave_out_innings_wins(query_db):
    wins = [(m, m.winner) for m in ref.matches()
            if m.gender == "male" and m.result == "win" and m.margin.endswith(" runs") and "innings" not in m.margin]
    assert wins
    biggest = sorted(wins, key=lambda mw: (-int(mw[0].margin.split()[0]), mw[0].start))[:3]
    columns, rows = ask(query_db, "team best 3 runs margin")
    assert columns == ["date", "team", "opposition", "ground", "competition", "result"]
    assert [(row[0], row[1], row[5]) for row in rows] == [
        (m.start.isoformat(), winner, ref.result_text(m)) for m, winner in biggest]


# === comparisons, innings with none, debuts, milestones, streaks ==================================

def test_players_compared_side_by_side_best_first(query_db):
    rows = {}
    for player, name in ((KOHLI, "Virat Kohli"), (ROHIT, "Rohit Sharma")):
        f = ref.batting_figures(ref.batting(player, MEN("ODI")))
        rows[name] = [name, f.runs, f.average]
    expected = sorted(rows.values(), key=lambda row: -row[1])
    columns, found = ask(query_db, 'batting player "Rohit Sharma" or "Virat Kohli" odi runs average')
    assert columns == ["player", "runs", "average"]
    assert found == expected


def test_teams_compared_with_their_matches(query_db):
    expected = []
    for team in ("India", "Australia"):
        played = ref.team_matches(team, MEN())
        expected.append([team, sum(ref.won(m, s) for m, s in played), len(played)])
    expected.sort(key=lambda row: -row[1])
    assert ask(query_db, 'team "India" or "Australia" wins') == (["team", "wins", "matches"], expected)


def test_a_comparison_is_of_figures_not_rankings(query_db):
    with pytest.raises(UnsupportedQuery):
        run_dsl('batting player "Virat Kohli" or "Rohit Sharma" top 5 runs', query_db)


def test_bowling_innings_without_a_wicket(query_db):
    lines = ref.bowling(SHAMI, MEN())
    wicketless = [b for b in lines if b.wickets == 0]
    assert 0 < len(wicketless) < len(lines)
    assert one_row(query_db, 'bowling player "Mohammed Shami" without wickets innings') == {
        "player": "Mohammed Shami", "innings": len(wicketless)}


def debut_matches(where, complete_after: dict, per_format: bool = True) -> set[tuple[str, int]]:
    """(player, match id) of each player's first match in each format (or, per_format=False, in
    any of the formats `where` keeps), by the squads, where it falls after the years the data is
    incomplete for (dsl.coverage decides which those are)."""
    first: dict[tuple[str, str | None], ref.Match] = {}
    for m in sorted(ref.matches(), key=lambda m: (m.start, m.id)):
        if where(m):
            for ids in m.players.values():
                for player in ids:
                    first.setdefault((player, m.competition if per_format else None), m)
    return {(player, m.id) for (player, _), m in first.items() if m.year > complete_after[(m.competition, m.gender)]}


def complete_after(engine) -> dict:
    from dsl.coverage import complete_careers_after

    return {(c, g): year for c, g, year in complete_careers_after(engine)}


def test_batting_on_debut_ranked(query_db, names):
    debuts = debut_matches(MEN(), complete_after(query_db))
    lines = [b for b in ref.batting(None, MEN()) if (b.player, b.match.id) in debuts]
    assert 0 < len(lines) < len(ref.batting(None, MEN()))
    best = sorted(lines, key=lambda b: (-b.runs, b.match.start, b.match.id, b.innings.number, b.position))[:3]
    columns, rows = ask(query_db, "batting debut best 3 runs")
    assert [row[6] for row in rows] == [b.runs for b in best]
    assert {(row[1], row[6]) for row in rows} == {(names[b.player], b.runs) for b in best}


INTERNATIONAL = ("Test", "ODI", "T20I")


def men_internationals(m: ref.Match) -> bool:
    return m.gender == "male" and m.competition in INTERNATIONAL


def test_internationals_are_every_format_but_the_ipl(query_db):
    lines = ref.batting(KOHLI, men_internationals)
    assert {b.match.competition for b in ref.batting(KOHLI, MEN())} - {b.match.competition for b in lines} == {"IPL"}
    assert one_row(query_db, 'batting player "Virat Kohli" international runs')["runs"] == sum(b.runs for b in lines)


def test_an_international_debut_is_the_first_match_in_any_international_format(query_db, names):
    debuts = debut_matches(men_internationals, complete_after(query_db), per_format=False)
    assert debuts and debuts < debut_matches(men_internationals, complete_after(query_db))
    lines = [b for b in ref.batting(None, men_internationals) if (b.player, b.match.id) in debuts]
    best = sorted(lines, key=lambda b: (-b.runs, b.match.start, b.match.id, b.innings.number, b.position))[:3]
    columns, rows = ask(query_db, "batting international debut best 3 runs")
    assert {(row[1], row[6]) for row in rows} == {(names[b.player], b.runs) for b in best}


def test_a_franchise_has_no_international_matches(query_db):
    with pytest.raises(UnsupportedQuery, match="Test/ODI/T20I"):
        run_dsl('team "Delhi Capitals" international wins', query_db)


def balls_to_reach(target: int, where) -> list[tuple[int, ref.BatLine]]:
    """(balls faced when the batter's score first reached target, the innings), quickest first."""
    reached = []
    for line in ref.batting(None, where, lambda b: b.runs >= target):
        score = faced = 0
        for ball in line.innings.balls:
            if ball.batter == line.player:
                score += ball.batter_runs
                faced += not ball.wides
                if score >= target:
                    reached.append((faced, line))
                    break
    return sorted(reached, key=lambda pair: (pair[0], pair[1].match.start))


def test_fastest_fifties_by_balls(query_db, names):
    quickest = balls_to_reach(50, MEN())[:4]
    assert len(quickest) == 4
    columns, rows = ask(query_db, "batting fastest 4 to 50 runs by balls")
    assert columns == ["player", "balls", "date", "opposition", "ground", "runs"]
    assert [row[1] for row in rows] == [balls for balls, _ in quickest]
    assert sorted((row[0], row[5]) for row in rows) == sorted((names[b.player], b.runs) for _, b in quickest)


def test_fewest_innings_to_a_career_total(query_db, names):
    """Only careers wholly in the data are ranked (dsl.coverage decides which those are)."""
    after = complete_after(query_db)
    by_player: dict[str, list[ref.BatLine]] = {}
    for b in by_date(ref.batting(None, MEN("T20I"))):
        by_player.setdefault(b.player, []).append(b)
    expected = []
    for player, lines in by_player.items():
        total = 0
        debut = min(m.year for m in ref.matches_played(player, MEN("T20I")))
        for number, line in enumerate(lines, start=1):
            total += line.runs
            if total >= 60:
                if debut > after[("T20I", "male")]:
                    expected.append([names[player], number, line.match.start.isoformat()])
                break
    expected.sort(key=lambda row: (row[1], row[2], row[0]))
    assert expected
    columns, rows = ask(query_db, "batting t20i fastest 5 to 60 runs by innings")
    assert columns == ["player", "innings", "date", "opposition"]
    assert [row[:3] for row in rows] == expected[:5]


def test_longest_streaks_of_innings_over_a_score(query_db, names):
    by_player: dict[str, list[ref.BatLine]] = {}
    for b in by_date(ref.batting(None, MEN())):
        by_player.setdefault(b.player, []).append(b)
    longest = {}
    for player, lines in by_player.items():
        run = best = 0
        for line in lines:
            run = run + 1 if line.runs >= 20 else 0
            best = max(best, run)
        if best:
            longest[names[player]] = best
    expected = sorted(longest.items(), key=lambda kv: -kv[1])[:3]
    columns, rows = ask(query_db, "batting longest 3 streak with runs 20+")
    assert columns == ["player", "innings", "from", "to"]
    assert [row[1] for row in rows] == [n for _, n in expected]
    assert all(longest[row[0]] == row[1] for row in rows)


def hat_tricks(where) -> dict[tuple[str, int], int]:
    """(bowler, match id) -> hat-tricks: three wickets in a row off the bowler's own consecutive
    deliveries in the match, across overs and innings (a wide or no-ball without a wicket is skipped)."""
    found: dict[tuple[str, int], int] = {}
    for m in ref.matches():
        if not where(m):
            continue
        in_a_row: dict[str, int] = {}
        for inn in m.innings:
            for ball in inn.balls:
                took = any(w.kind in ref.BOWLERS_WICKETS for w in ball.wickets)
                if ball.legal or took:
                    in_a_row[ball.bowler] = in_a_row.get(ball.bowler, 0) + 1 if took else 0
                    if in_a_row[ball.bowler] == 3:
                        found[(ball.bowler, m.id)] = found.get((ball.bowler, m.id), 0) + 1
    return found


def test_hat_tricks_counted_and_listed(query_db, names):
    found = hat_tricks(MEN())
    assert found  # the fixtures hold a hat-trick (tests/fixtures/cricsheet/SOURCE.md)
    bowler = next(iter(found))[0]
    expected = sum(n for (who, _), n in found.items() if who == bowler)
    assert one_row(query_db, f'bowling player {json.dumps(names[bowler])} hat-tricks')["hat-tricks"] == expected
    columns, rows = ask(query_db, "bowling list hat-tricks")
    assert sorted((row[1], row[0]) for row in rows) == sorted(
        (names[who], next(m.start.isoformat() for m in ref.matches() if m.id == match_id))
        for (who, match_id) in found)


def test_a_season_named_by_its_first_year_includes_the_split_season(query_db):
    """ "season 2020" is Cricsheet's "2020" or "2020/21" (the IPL held in the UAE late in 2020)."""
    ms = [m for m, _ in ref.team_matches("Royal Challengers Bengaluru", MEN("IPL")) if m.season.startswith("2020")]
    assert ms and all(m.season == "2020/21" for m in ms)
    row = one_row(query_db, 'team "Royal Challengers Bengaluru" ipl season 2020 matches')
    assert row["matches"] == len(ms)
