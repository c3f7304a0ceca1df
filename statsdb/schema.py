"""The stats database schema (SQLAlchemy Core): one table per thing a scorecard shows.

Scorecard tables (batting, bowling, fielding, innings) are computed once from the deliveries at
build time, so aggregate questions read a few thousand rows instead of millions of balls. Every
scorecard row carries its match id so filters on the match (competition, venue, year, result)
are one join away.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()

SCHEMA_VERSION = 2
"""Bumped when a table's layout or meaning changes. statsdb.database refuses a database built with
another version (askcric's queries would misread it) and asks for a rebuild."""

COMPETITIONS = ("Test", "ODI", "T20I", "IPL")
# Kinds of dismissal credited to the bowler (DESIGN.md, bowling conventions).
BOWLER_WICKET_KINDS = ("bowled", "caught", "caught and bowled", "lbw", "stumped", "hit wicket")
# Ways of leaving the crease that do not count as a dismissal for the batting average.
NOT_OUT_KINDS = ("retired hurt", "retired not out")

players = Table(
    "players",
    metadata,
    Column("id", String(8), primary_key=True),  # Cricsheet registry id
    Column("name", String(80), nullable=False),  # the name Cricsheet uses in match files
    Column("full_name", String(80), nullable=False),  # shown to users
    Column("unique_name", String(80)),
    Index("ix_players_name", "name"),
    Index("ix_players_full_name", "full_name"),
)

player_aliases = Table(
    "player_aliases",
    metadata,
    Column("player_id", ForeignKey("players.id"), primary_key=True),
    Column("alias", String(80), primary_key=True),
    Index("ix_player_aliases_alias", "alias"),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("is_franchise", Boolean, nullable=False),  # IPL sides; the rest are national teams
)

venues = Table(
    "venues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ground", String(120), nullable=False, unique=True),
    Column("city", String(60)),
    Column("country", String(60)),  # host country as cricket names it ("West Indies", "England")
)

venue_aliases = Table(
    "venue_aliases",
    metadata,
    Column("venue_id", ForeignKey("venues.id"), primary_key=True),
    Column("alias", String(120), primary_key=True),  # Cricsheet spellings and fans' short names
)

matches = Table(
    "matches",
    metadata,
    Column("id", Integer, primary_key=True),  # Cricsheet match id
    Column("competition", String(4), nullable=False),
    Column("gender", String(6), nullable=False),
    Column("team1_id", ForeignKey("teams.id"), nullable=False),
    Column("team2_id", ForeignKey("teams.id"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("season", String(7), nullable=False),
    Column("event", String(120)),
    Column("stage", String(60)),  # "Final", "Semi Final", ... where the file says
    Column("venue_id", ForeignKey("venues.id"), nullable=False),
    Column("toss_winner_id", ForeignKey("teams.id")),
    Column("toss_decision", String(5)),  # bat / field
    Column("result", String(9), nullable=False),  # win / draw / tie / no result
    Column("winner_id", ForeignKey("teams.id")),  # None for draws, ties (even after a super over), no results
    Column("win_by_runs", SmallInteger),
    Column("win_by_wickets", SmallInteger),
    Column("win_by_innings", Boolean, nullable=False),
    Column("method", String(20)),  # D/L, VJD, Awarded, ...
    Column("player_of_match_id", ForeignKey("players.id")),
    Column("batting_first_id", ForeignKey("teams.id")),  # who batted in the first innings
    Column("balls_per_over", SmallInteger, nullable=False),
    Column("revision", SmallInteger, nullable=False),
    Index("ix_matches_comp_gender_year", "competition", "gender", "year"),
    Index("ix_matches_venue", "venue_id"),
    Index("ix_matches_team1", "team1_id"),
    Index("ix_matches_team2", "team2_id"),
)

match_players = Table(
    "match_players",
    metadata,
    Column("match_id", ForeignKey("matches.id"), primary_key=True),
    Column("player_id", ForeignKey("players.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Index("ix_match_players_player", "player_id"),
)

innings = Table(
    "innings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("match_id", ForeignKey("matches.id"), nullable=False),
    Column("number", SmallInteger, nullable=False),  # 1..4, super overs excluded
    Column("batting_team_id", ForeignKey("teams.id"), nullable=False),
    Column("bowling_team_id", ForeignKey("teams.id"), nullable=False),
    Column("runs", SmallInteger, nullable=False),  # all extras and penalty runs included
    Column("wickets", SmallInteger, nullable=False),
    Column("legal_balls", SmallInteger, nullable=False),
    Column("target", SmallInteger),
    Column("declared", Boolean, nullable=False),
    Column("all_out", Boolean, nullable=False),  # counting retired hurt and absent hurt as gone
    # All out, or every scheduled over bowled: the innings a "lowest total" may count.
    Column("completed", Boolean, nullable=False),
    Index("ix_innings_match", "match_id"),
    Index("ix_innings_batting_team", "batting_team_id"),
)

batting = Table(
    "batting",
    metadata,
    Column("innings_id", ForeignKey("innings.id"), primary_key=True),
    Column("player_id", ForeignKey("players.id"), primary_key=True),
    Column("match_id", ForeignKey("matches.id"), nullable=False),
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Column("position", SmallInteger, nullable=False),  # order of first appearance, 1-based
    Column("runs", SmallInteger, nullable=False),
    Column("balls", SmallInteger, nullable=False),  # wides excluded
    Column("fours", SmallInteger, nullable=False),
    Column("sixes", SmallInteger, nullable=False),
    Column("is_out", Boolean, nullable=False),
    Column("dismissal_kind", String(24)),
    Column("bowler_id", ForeignKey("players.id")),
    Column("fielders", String(200)),  # "; "-joined names as the file gives them
    Index("ix_batting_player", "player_id"),
    Index("ix_batting_match", "match_id"),
)

bowling = Table(
    "bowling",
    metadata,
    Column("innings_id", ForeignKey("innings.id"), primary_key=True),
    Column("player_id", ForeignKey("players.id"), primary_key=True),
    Column("match_id", ForeignKey("matches.id"), nullable=False),
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Column("legal_balls", SmallInteger, nullable=False),
    Column("maidens", SmallInteger, nullable=False),
    Column("runs", SmallInteger, nullable=False),  # batter runs + wides + no-balls
    Column("wickets", SmallInteger, nullable=False),
    Column("wides", SmallInteger, nullable=False),
    Column("noballs", SmallInteger, nullable=False),
    Column("dots", SmallInteger, nullable=False),
    Column("fours", SmallInteger, nullable=False),
    Column("sixes", SmallInteger, nullable=False),
    # Hat-tricks completed in this innings: the bowler's third (or later) wicket in a row off his
    # consecutive deliveries in the match (wides and no-balls without a wicket do not break it).
    Column("hat_tricks", SmallInteger, nullable=False, server_default="0"),
    Index("ix_bowling_player", "player_id"),
    Index("ix_bowling_match", "match_id"),
)

# One row per match and fielder who took part in a dismissal, over both innings of a Test: every
# fielding question counts matches, and a row per innings had to be grouped by match per question.
fielding = Table(
    "fielding",
    metadata,
    Column("match_id", ForeignKey("matches.id"), primary_key=True),
    Column("player_id", ForeignKey("players.id"), primary_key=True),
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Column("catches", SmallInteger, nullable=False),  # includes keeper catches
    Column("keeper_catches", SmallInteger, nullable=False),
    Column("stumpings", SmallInteger, nullable=False),
    Column("run_outs", SmallInteger, nullable=False),
    Index("ix_fielding_player", "player_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("innings_id", ForeignKey("innings.id"), nullable=False),
    Column("match_id", ForeignKey("matches.id"), nullable=False),
    Column("over", SmallInteger, nullable=False),  # 1-based, as fans count overs
    Column("ball", SmallInteger, nullable=False),  # 1-based position of the delivery in its over
    Column("batter_id", ForeignKey("players.id"), nullable=False),
    Column("non_striker_id", ForeignKey("players.id"), nullable=False),
    Column("bowler_id", ForeignKey("players.id"), nullable=False),
    Column("batter_runs", SmallInteger, nullable=False),
    Column("extras", SmallInteger, nullable=False),
    Column("total_runs", SmallInteger, nullable=False),
    Column("wides", SmallInteger, nullable=False),
    Column("noballs", SmallInteger, nullable=False),
    Column("byes", SmallInteger, nullable=False),
    Column("legbyes", SmallInteger, nullable=False),
    Column("penalty", SmallInteger, nullable=False),
    Column("is_legal", Boolean, nullable=False),  # neither a wide nor a no-ball
    Column("is_four", Boolean, nullable=False),
    Column("is_six", Boolean, nullable=False),
    Column("wicket_kind", String(24)),
    Column("player_out_id", ForeignKey("players.id")),
    Column("fielders", String(200)),
    Index("ix_deliveries_batter", "batter_id"),
    Index("ix_deliveries_bowler", "bowler_id"),
    Index("ix_deliveries_innings", "innings_id"),
)

partnerships = Table(
    "partnerships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("innings_id", ForeignKey("innings.id"), nullable=False),
    Column("match_id", ForeignKey("matches.id"), nullable=False),
    Column("team_id", ForeignKey("teams.id"), nullable=False),  # the batting side
    Column("wicket", SmallInteger, nullable=False),  # 1 = the opening stand; the wicket it was for
    Column("first_id", ForeignKey("players.id"), nullable=False),  # the pair, lower id first
    Column("second_id", ForeignKey("players.id"), nullable=False),
    Column("runs", SmallInteger, nullable=False),  # every run scored while they batted, extras too
    Column("balls", SmallInteger, nullable=False),  # legal balls
    Column("unbroken", Boolean, nullable=False),  # no wicket ended it (innings over, or a retirement)
    Index("ix_partnerships_first", "first_id"),
    Index("ix_partnerships_second", "second_id"),
    Index("ix_partnerships_innings", "innings_id"),
)

build_info = Table("build_info", metadata, Column("schema_version", Integer, nullable=False))

# Tables in the order the loader fills them (parents before children).
LOAD_ORDER = (
    players,
    player_aliases,
    teams,
    venues,
    venue_aliases,
    matches,
    match_players,
    innings,
    batting,
    bowling,
    fielding,
    deliveries,
    partnerships,
)
