"""Benchmark of the stats database: full build time, and the median time of ten representative
aggregate queries (SQLAlchemy Core over statsdb.schema) and of the newer question kinds as the
DSL compiler writes them, on SQLite and on PostgreSQL.

    python -m analysis.bench_statsdb                  # queries on the built SQLite database and
                                                      # on a throwaway PostgreSQL (built first)
    python -m analysis.bench_statsdb --build          # also time a fresh SQLite build
    python -m analysis.bench_statsdb --pg-url URL     # use that server's askcric schema as it is
    python -m analysis.bench_statsdb --pg-url URL --build   # rebuild it there first (overwrites)

Times are wall-clock medians over --repeats runs after one warm-up run, in one process; the
ratio column is PostgreSQL / SQLite. The throwaway server runs without fsync (analysis/pg_cluster.py).
"""

from __future__ import annotations

import argparse
from decimal import Decimal
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import Engine, Float, Select, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from analysis.pg_cluster import PostgresUnavailable, start_cluster
from dsl.compiler import compile_query
from dsl.parser import parse
from dsl.resolve import resolve
from statsdb import schema
from statsdb.build import build_database
from statsdb.database import default_url, open_engine

b, bw, fd, dl = schema.batting, schema.bowling, schema.fielding, schema.deliveries
m, i, p, t, v = schema.matches, schema.innings, schema.players, schema.teams, schema.venues


# --- the queries ------------------------------------------------------------------------------

def player(name: str):
    return select(p.c.id).where(p.c.name == name).scalar_subquery()


def team(name: str):
    return select(t.c.id).where(t.c.name == name).scalar_subquery()


def ratio(numerator, denominator, scale: float = 1.0):
    return cast(numerator, Float) * scale / func.nullif(denominator, 0)


def count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def opposition(team_id):
    """The other side of the match, for a row whose team is team_id."""
    return case((m.c.team1_id == team_id, m.c.team2_id), else_=m.c.team1_id)


def kohli_odi_average_vs_australia_since_2015() -> Select:
    return (
        select(func.count().label("innings"), func.sum(b.c.runs).label("runs"),
               ratio(func.sum(b.c.runs), count_if(b.c.is_out)).label("average"))
        .join(m, m.c.id == b.c.match_id)
        .where(b.c.player_id == player("V Kohli"), m.c.competition == "ODI", m.c.year >= 2015,
               opposition(b.c.team_id) == team("Australia"))
    )


def top_test_run_scorers() -> Select:
    runs = func.sum(b.c.runs).label("runs")
    return (
        select(p.c.full_name, runs, ratio(func.sum(b.c.runs), count_if(b.c.is_out)).label("average"))
        .join(m, m.c.id == b.c.match_id).join(p, p.c.id == b.c.player_id)
        .where(m.c.competition == "Test", m.c.gender == "male")
        .group_by(p.c.id, p.c.full_name).order_by(runs.desc()).limit(10)
    )


def best_t20i_economy_min_600_balls() -> Select:
    economy = ratio(func.sum(bw.c.runs), func.sum(bw.c.legal_balls), 6.0).label("economy")
    return (
        select(p.c.full_name, economy, func.sum(bw.c.legal_balls).label("balls"))
        .join(m, m.c.id == bw.c.match_id).join(p, p.c.id == bw.c.player_id)
        .where(m.c.competition == "T20I", m.c.gender == "male")
        .group_by(p.c.id, p.c.full_name).having(func.sum(bw.c.legal_balls) >= 600)
        .order_by(economy).limit(10)
    )


def india_odi_wins_by_year() -> Select:
    india = team("India")
    return (
        select(m.c.year, func.count().label("played"), count_if(m.c.winner_id == india).label("won"))
        .where(m.c.competition == "ODI", m.c.gender == "male",
               or_(m.c.team1_id == india, m.c.team2_id == india))
        .group_by(m.c.year).order_by(m.c.year)
    )


def ipl_powerplay_strike_rate_min_500_balls() -> Select:
    balls = count_if(dl.c.wides == 0)
    strike_rate = ratio(func.sum(dl.c.batter_runs), balls, 100.0).label("strike_rate")
    return (
        select(p.c.full_name, strike_rate, balls.label("balls"))
        .join(m, m.c.id == dl.c.match_id).join(p, p.c.id == dl.c.batter_id)
        .where(m.c.competition == "IPL", dl.c.over <= 6)
        .group_by(p.c.id, p.c.full_name).having(balls >= 500)
        .order_by(strike_rate.desc()).limit(10)
    )


def five_fors_at_lords() -> Select:
    return (
        select(p.c.full_name, bw.c.wickets, bw.c.runs, m.c.start_date)
        .join(m, m.c.id == bw.c.match_id).join(v, v.c.id == m.c.venue_id)
        .join(p, p.c.id == bw.c.player_id)
        .where(m.c.competition == "Test", v.c.ground == "Lord's", bw.c.wickets >= 5)
        .order_by(m.c.start_date, bw.c.wickets.desc(), p.c.full_name)
    )


def root_test_hundreds_by_opposition() -> Select:
    against = aliased(schema.teams)
    return (
        select(against.c.name, func.count().label("hundreds"))
        .join(m, m.c.id == b.c.match_id)
        .join(against, against.c.id == opposition(b.c.team_id))
        .where(b.c.player_id == player("JE Root"), m.c.competition == "Test", b.c.runs >= 100)
        .group_by(against.c.name).order_by(func.count().desc(), against.c.name)
    )


def highest_odi_team_totals() -> Select:
    return (
        select(t.c.name, i.c.runs, i.c.wickets, m.c.start_date)
        .join(m, m.c.id == i.c.match_id).join(t, t.c.id == i.c.batting_team_id)
        .where(m.c.competition == "ODI", m.c.gender == "male")
        .order_by(i.c.runs.desc(), m.c.start_date).limit(10)
    )


def most_test_catches() -> Select:
    catches = func.sum(fd.c.catches).label("catches")
    return (
        select(p.c.full_name, catches)
        .join(m, m.c.id == fd.c.match_id).join(p, p.c.id == fd.c.player_id)
        .where(m.c.competition == "Test", m.c.gender == "male")
        .group_by(p.c.id, p.c.full_name).order_by(catches.desc()).limit(10)
    )


def bumrah_ipl_death_overs_economy() -> Select:
    return (
        select(ratio(func.sum(dl.c.batter_runs + dl.c.wides + dl.c.noballs), count_if(dl.c.is_legal), 6.0)
               .label("economy"), count_if(dl.c.is_legal).label("balls"))
        .join(m, m.c.id == dl.c.match_id)
        .where(dl.c.bowler_id == player("JJ Bumrah"), m.c.competition == "IPL",
               and_(dl.c.over >= 17, dl.c.over <= 20))
    )


HAND_WRITTEN: dict[str, Callable[[], Select]] = {
    "Kohli ODI average v Australia since 2015": kohli_odi_average_vs_australia_since_2015,
    "top-10 Test run scorers": top_test_run_scorers,
    "best T20I economy, min 600 balls": best_t20i_economy_min_600_balls,
    "India ODI wins by year": india_odi_wins_by_year,
    "IPL powerplay strike rate, min 500 balls": ipl_powerplay_strike_rate_min_500_balls,
    "Test 5-fors at Lord's": five_fors_at_lords,
    "Root Test hundreds by opposition": root_test_hundreds_by_opposition,
    "highest ODI team totals": highest_odi_team_totals,
    "most Test catches": most_test_catches,
    "Bumrah IPL death-overs economy": bumrah_ipl_death_overs_economy,
}

# The newer question kinds, as askcric's compiler writes them (the statements the pipeline runs).
COMPILED: dict[str, str] = {
    "most sixes in an IPL season (per season)": "batting ipl top 10 sixes per season",
    "most Test runs in a match (per match)": "batting test top 10 runs per match",
    "most ODI wickets in a year (per year)": "bowling odi top 10 wickets per year",
    "Smith's last 10 Test innings (last N list)": 'batting player "Steve Smith" test last 10 list innings',
    "Bumrah T20I economy, last 10 (last N)": 'bowling player "Jasprit Bumrah" t20i last 10 economy',
    "wickets in the 20th over of T20Is (over N)": "bowling t20i over 20 wickets",
    "Root or Smith, Test average and hundreds (comparison)": 'batting player "Joe Root" or "Steve Smith" test average hundreds',
    "fastest ODI hundreds by balls (milestone)": "batting odi fastest 10 to 100 runs by balls",
    "fewest innings to 5000 Test runs (career milestone)": "batting test fastest 10 to 5000 runs by innings",
    "most consecutive Test fifties (streak)": "batting test longest 10 streak with runs 50+",
    "best figures on Test debut (debut)": "bowling test debut best 10 figures",
    "Lyon's wicketless Test innings (without)": 'bowling player "Nathan Lyon" test without wickets innings',
    "most ODI hat-tricks (hat-tricks)": "bowling odi top 10 hat-tricks",
    "partnership runs for the 7th wicket in ODI chases (partnership)": "partnership odi chasing wicket 7 best 10 runs",
    "most ODI powerplay dots since 2020 (phase ranking)": "batting odi since 2020 powerplay top 10 dots",
    "most T20I middle-overs sixes (phase ranking)": "batting t20i middle overs top 10 sixes",
    "Rohit's dismissals by Boult (head to head)": 'batting player "Rohit Sharma" bowler "Trent Boult" dismissals',
}


def _compiled(dsl: str) -> Callable[[Engine], Select]:
    return lambda engine: compile_query(resolve(parse(dsl), engine))


QUERIES: dict[str, Callable[[Engine], Select]] = {
    **{label: (lambda engine, make=make: make()) for label, make in HAND_WRITTEN.items()},
    **{label: _compiled(dsl) for label, dsl in COMPILED.items()},
}


# --- measuring --------------------------------------------------------------------------------

def median_ms(engine: Engine, query: Select, repeats: int) -> tuple[float, list]:
    with engine.connect() as conn:
        rows = conn.execute(query).all()  # warm-up; also the answer
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            conn.execute(query).all()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def comparable(rows: list) -> list:
    # PostgreSQL returns the compiler's rounded ratios as Decimal, SQLite as float.
    return [tuple(round(float(x), 3) if isinstance(x, (float, Decimal)) else x for x in row) for row in rows]


def timed_build(url: str, label: str) -> float:
    print(f"building {label} ...", flush=True)
    report = build_database(url)
    print(f"  {label} build: {report.seconds:.0f} s, {report.row_counts['deliveries']:,} deliveries",
          flush=True)
    return report.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true",
                        help="time a full SQLite build (into a temporary file) and query that")
    parser.add_argument("--pg-url", help="PostgreSQL URL to query (and to build into with --build)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)

    with ExitStack() as cleanup:
        engines: dict[str, Engine] = {}
        sqlite_url = default_url()
        if args.build:
            folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="askcric-bench-")))
            sqlite_url = f"sqlite:///{folder / 'stats.sqlite'}"
            timed_build(sqlite_url, "SQLite")
        engines["SQLite"] = open_engine(sqlite_url)

        if not args.no_pg:
            pg_url = args.pg_url
            if pg_url is None:
                try:
                    cluster = start_cluster()
                except PostgresUnavailable as missing:
                    print(f"PostgreSQL skipped: {missing}")
                else:
                    cleanup.callback(cluster.stop)
                    pg_url = cluster.url
                    timed_build(pg_url, "PostgreSQL (throwaway server)")
            elif args.build:
                timed_build(pg_url, "PostgreSQL")
            if pg_url:
                engines["PostgreSQL"] = open_engine(pg_url)
        for engine in engines.values():
            cleanup.callback(engine.dispose)

        names = list(engines)
        header = f"{'query (median of ' + str(args.repeats) + ' runs, ms)':44}" + "".join(
            f"{name:>12}" for name in names)
        if len(names) == 2:
            header += f"{'PG/SQLite':>11}  same rows"
        print(header)
        totals = dict.fromkeys(names, 0.0)
        for label, make_query in QUERIES.items():
            results = {name: median_ms(engine, make_query(engine), args.repeats) for name, engine in engines.items()}
            line = f"{label:44}" + "".join(f"{results[name][0]:12.1f}" for name in names)
            for name in names:
                totals[name] += results[name][0]
            if len(names) == 2:
                (sq_ms, sq_rows), (pg_ms, pg_rows) = results[names[0]], results[names[1]]
                same = "yes" if comparable(sq_rows) == comparable(pg_rows) else "NO"
                line += f"{pg_ms / sq_ms:11.2f}  {same}"
            print(line, flush=True)
        line = f"{'sum of medians':44}" + "".join(f"{totals[name]:12.1f}" for name in names)
        if len(names) == 2:
            line += f"{totals[names[1]] / totals[names[0]]:11.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
