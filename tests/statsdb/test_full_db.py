"""The full stats database (built by the README's set-up) against SOURCE.md and its own deliveries.

Runs on `statsdb.database.default_url()` through the `full_db` fixture: skipped when that database
has not been built, failed under CI=true (where the set-up builds it).
"""

from __future__ import annotations

import zipfile

import orjson
import pytest
from sqlalchemy import Engine, case, func, select

from statsdb import schema
from statsdb.cricsheet import DATA_DIR

# SOURCE.md's match counts, with the T20I overlap counted once (men's from t20s_male_json).
SOURCE_MATCHES = {
    ("Test", "male"): 877, ("Test", "female"): 23,
    ("ODI", "male"): 2467, ("ODI", "female"): 525,
    ("T20I", "male"): 3305, ("T20I", "female"): 1581,
    ("IPL", "male"): 1239,
}
WELL_KNOWN = ["V Kohli", "JE Root", "JM Anderson", "SPD Smith", "Babar Azam"]


def test_matches_per_competition_and_gender_equal_source_counts(full_db: Engine):
    m = schema.matches
    query = select(m.c.competition, m.c.gender, func.count()).group_by(m.c.competition, m.c.gender)
    with full_db.connect() as conn:
        assert {(c, g): n for c, g, n in conn.execute(query)} == SOURCE_MATCHES


def test_no_super_over_innings(full_db: Engine):
    i, m = schema.innings, schema.matches
    query = (
        select(m.c.competition, func.max(i.c.number))
        .join(m, m.c.id == i.c.match_id).group_by(m.c.competition)
    )
    with full_db.connect() as conn:
        assert dict(conn.execute(query).all()) == {"Test": 4, "ODI": 2, "T20I": 2, "IPL": 2}


def test_the_2019_world_cup_final_has_no_super_over_balls(full_db: Engine):
    with zipfile.ZipFile(DATA_DIR / "odis_json.zip") as archive:
        data = orjson.loads(archive.read("1144530.json"))
    regular = [inn for inn in data["innings"] if not inn.get("super_over")]
    balls = sum(len(over["deliveries"]) for inn in regular for over in inn["overs"])
    dl = schema.deliveries
    with full_db.connect() as conn:
        stored = conn.execute(
            select(func.count()).select_from(dl).where(dl.c.match_id == 1144530)
        ).scalar_one()
    assert (len(regular), stored) == (2, balls)


# --- per-innings tables agree with the deliveries, for well-known players' whole careers -------

def count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def per_innings(conn, query) -> dict[int, tuple]:
    """innings id -> aggregates, leaving out innings where every aggregate is 0."""
    return {row[0]: tuple(row[1:]) for row in conn.execute(query) if any(row[1:])}


def player_id(conn, name: str) -> str:
    return conn.execute(select(schema.players.c.id).where(schema.players.c.name == name)).scalar_one()


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_batting_agrees_with_deliveries(full_db: Engine, name: str):
    """Runs, balls faced (wides excluded), 4s, 6s and dismissals, innings by innings."""
    b, dl = schema.batting, schema.deliveries
    with full_db.connect() as conn:
        player = player_id(conn, name)
        scorecard = per_innings(conn, select(
            b.c.innings_id, b.c.runs, b.c.balls, b.c.fours, b.c.sixes, case((b.c.is_out, 1), else_=0),
        ).where(b.c.player_id == player))
        faced = per_innings(conn, select(
            dl.c.innings_id, func.sum(dl.c.batter_runs), count_if(dl.c.wides == 0),
            count_if(dl.c.is_four), count_if(dl.c.is_six),
        ).where(dl.c.batter_id == player).group_by(dl.c.innings_id))
        dismissed = dict(conn.execute(
            select(dl.c.innings_id, func.count())
            .where(dl.c.player_out_id == player, dl.c.wicket_kind.not_in(schema.NOT_OUT_KINDS))
            .group_by(dl.c.innings_id)
        ).all())
    from_deliveries = {
        innings: (*faced.get(innings, (0, 0, 0, 0)), dismissed.get(innings, 0))
        for innings in faced.keys() | dismissed.keys()
    }
    assert len(scorecard) > 100
    assert scorecard == from_deliveries


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_bowling_agrees_with_deliveries(full_db: Engine, name: str):
    """Wickets (bowler's kinds only), runs conceded (bat + wides + no-balls), legal balls."""
    bw, dl = schema.bowling, schema.deliveries
    with full_db.connect() as conn:
        player = player_id(conn, name)
        scorecard = per_innings(conn, select(
            bw.c.innings_id, bw.c.wickets, bw.c.runs, bw.c.legal_balls
        ).where(bw.c.player_id == player))
        from_deliveries = per_innings(conn, select(
            dl.c.innings_id, count_if(dl.c.wicket_kind.in_(schema.BOWLER_WICKET_KINDS)),
            func.sum(dl.c.batter_runs + dl.c.wides + dl.c.noballs), count_if(dl.c.is_legal),
        ).where(dl.c.bowler_id == player).group_by(dl.c.innings_id))
    assert scorecard == from_deliveries
    if name == "JM Anderson":
        assert sum(wickets for wickets, _, _ in scorecard.values()) > 500
