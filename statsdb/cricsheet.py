"""Reading Cricsheet match files: which files make up the database, and one match -> table rows.

Pure functions over the parsed JSON; nothing here touches a database, so the scorecard rules
(DESIGN.md's cricket conventions) can be read and tested in one place.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson

from statsdb.schema import BOWLER_WICKET_KINDS, NOT_OUT_KINDS

DATA_DIR = Path(__file__).parent / "data"

# (zip file, competition). Men's T20Is come from t20s_male_json, which holds every men's match
# of t20s_json and newer ones; a match id present in both keeps the higher meta.revision.
MATCH_ZIPS = (
    ("tests_json.zip", "Test"),
    ("odis_json.zip", "ODI"),
    ("t20s_json.zip", "T20I"),
    ("t20s_male_json.zip", "T20I"),
    ("ipl_json.zip", "IPL"),
)

# IPL franchises that were renamed: a fan asking about "Delhi Capitals" means the whole history.
TEAM_RENAMES = {
    "Delhi Daredevils": "Delhi Capitals",
    "Kings XI Punjab": "Punjab Kings",
    "Royal Challengers Bangalore": "Royal Challengers Bengaluru",
    "Rising Pune Supergiants": "Rising Pune Supergiant",
}


@dataclass(frozen=True)
class MatchFile:
    match_id: int
    competition: str
    revision: int
    data: dict


def team_name(raw: str) -> str:
    return TEAM_RENAMES.get(raw, raw)


def select_match_members(data_dir: Path = DATA_DIR) -> list[tuple[str, str, str]]:
    """(zip file, member, competition) of every match of the database once, in match id order.

    Only a match id found in two zips (the T20I overlap) needs its files parsed to compare revisions.
    """
    found: dict[int, list[tuple[str, str, str]]] = {}
    for zip_name, competition in MATCH_ZIPS:
        with zipfile.ZipFile(data_dir / zip_name) as archive:
            for member in archive.namelist():
                if member.endswith(".json"):
                    found.setdefault(int(Path(member).stem), []).append((zip_name, member, competition))
    archives = {name: zipfile.ZipFile(data_dir / name) for name, _ in MATCH_ZIPS}
    try:
        def revision(copy: tuple[str, str, str]) -> int:
            data = orjson.loads(archives[copy[0]].read(copy[1]))
            return int(data["meta"].get("revision", 1))

        return [
            max(copies, key=revision) if len(copies) > 1 else copies[0]
            for _, copies in sorted(found.items())
        ]
    finally:
        for archive in archives.values():
            archive.close()


def iter_match_files(members: list[tuple[str, str, str]], data_dir: Path = DATA_DIR) -> Iterator[MatchFile]:
    archives: dict[str, zipfile.ZipFile] = {}
    try:
        for zip_name, member, competition in members:
            if zip_name not in archives:
                archives[zip_name] = zipfile.ZipFile(data_dir / zip_name)
            data = orjson.loads(archives[zip_name].read(member))
            yield MatchFile(
                match_id=int(Path(member).stem),
                competition=competition,
                revision=int(data["meta"].get("revision", 1)),
                data=data,
            )
    finally:
        for archive in archives.values():
            archive.close()


# ---------------------------------------------------------------------------------------------
# The player register


@dataclass(frozen=True)
class RegisterEntry:
    name: str
    unique_name: str
    aliases: tuple[str, ...]


def _is_full_form(name: str) -> bool:
    """'Virat Kohli' is a full form; 'V Kohli', 'MS Dhoni', 'M S Dhoni', 'LRPL Taylor' are initials."""
    first = name.split()[0].replace(".", "")
    return len(name.split()) > 1 and not (first.isupper() and len(first) <= 5)  # "LRPL Taylor"


def read_register(data_dir: Path = DATA_DIR) -> dict[str, RegisterEntry]:
    """people.csv + names.csv -> id -> names; the first full-form variant becomes the display name."""
    variants: dict[str, list[str]] = {}
    with open(data_dir / "names.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            variants.setdefault(row["identifier"], []).append(row["name"].strip())
    register = {}
    with open(data_dir / "people.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names = [row["name"], row["unique_name"], *variants.get(row["identifier"], [])]
            register[row["identifier"]] = RegisterEntry(
                name=row["name"],
                unique_name=row["unique_name"],
                aliases=tuple(dict.fromkeys(n for n in names if n)),
            )
    return register


def display_name(cricsheet_name: str, entry: RegisterEntry | None) -> str:
    if entry is not None:
        for alias in entry.aliases:
            if _is_full_form(alias):
                return alias
    return cricsheet_name


# ---------------------------------------------------------------------------------------------
# One match -> rows


@dataclass(frozen=True)
class VenueKey:
    raw_venue: str
    raw_city: str


@dataclass
class MatchRows:
    """Rows of one match, with names (not database ids) for teams and the venue."""

    match: dict
    people: dict[str, str]  # Cricsheet id -> Cricsheet name, for everyone who played
    squads: list[tuple[str, str]]  # (player id, team name)
    innings: list[dict] = field(default_factory=list)
    batting: list[dict] = field(default_factory=list)
    bowling: list[dict] = field(default_factory=list)
    fielding: list[dict] = field(default_factory=list)
    deliveries: list[dict] = field(default_factory=list)
    partnerships: list[dict] = field(default_factory=list)


def match_info_rows(match: MatchFile) -> MatchRows:
    info = match.data["info"]
    registry = info["registry"]["people"]
    teams = [team_name(t) for t in info["teams"]]
    outcome = info.get("outcome", {})
    by = outcome.get("by", {})
    toss = info.get("toss", {})
    event = info.get("event", {})
    dates = sorted(date.fromisoformat(d) for d in info["dates"])
    # A tie stays a tie even when a super over or bowl-out then picked a winner (StatsGuru's way).
    if "winner" in outcome:
        result, winner = "win", team_name(outcome["winner"])
    else:
        result, winner = outcome.get("result", "no result"), None
    player_of_match = info.get("player_of_match") or [None]
    squads = [
        (registry[name], team_name(team))
        for team, names in info.get("players", {}).items()
        for name in names
    ]
    officials = {name for group in info.get("officials", {}).values() for name in group}
    people = {person_id: name for name, person_id in registry.items() if name not in officials}
    row = {
        "id": match.match_id,
        "competition": match.competition,
        "gender": info["gender"],
        "team1": teams[0],
        "team2": teams[1],
        "start_date": dates[0],
        "end_date": dates[-1],
        "year": dates[0].year,
        "season": str(info.get("season", dates[0].year)),
        "event": event.get("name"),
        "stage": event.get("stage"),
        "venue": VenueKey(info["venue"], info.get("city", "")),
        "toss_winner": team_name(toss["winner"]) if "winner" in toss else None,
        "toss_decision": toss.get("decision"),
        "result": result,
        "winner": winner,
        "win_by_runs": by.get("runs"),
        "win_by_wickets": by.get("wickets"),
        "win_by_innings": "innings" in by,
        "method": outcome.get("method"),
        "player_of_match_id": registry.get(player_of_match[0]) if player_of_match[0] else None,
        "batting_first": next(
            (team_name(i["team"]) for i in match.data["innings"] if not i.get("super_over")), None
        ),
        "balls_per_over": int(info.get("balls_per_over", 6)),
        "revision": match.revision,
    }
    return MatchRows(match=row, people=people, squads=squads)


def _fielder_names(wicket: dict) -> list[str]:
    return [f["name"] for f in wicket.get("fielders", []) if "name" in f]


def _credited_fielders(wicket: dict) -> list[str]:
    """Fielders credited with the dismissal: a substitute's catch is not his record (StatsGuru)."""
    return [f["name"] for f in wicket.get("fielders", []) if "name" in f and not f.get("substitute")]


def add_innings_rows(rows: MatchRows, match: MatchFile, next_innings_id: int) -> int:
    """Fill rows.innings/batting/bowling/fielding/deliveries; returns the next free innings id."""
    info = match.data["info"]
    registry = info["registry"]["people"]
    teams = [team_name(t) for t in info["teams"]]
    balls_per_over = rows.match["balls_per_over"]
    keepers: set[str] = set()  # stumped someone in this match -> kept wicket in it
    fielders: dict[str, dict] = {}  # over the whole match (the fielding table has a row per match)
    wickets_in_a_row: dict[str, int] = {}  # bowler -> his consecutive deliveries that took a wicket, over the match
    number = 0
    for raw_innings in match.data["innings"]:
        if raw_innings.get("super_over"):
            continue
        number += 1
        if raw_innings.get("forfeited") or not raw_innings.get("overs"):
            continue
        innings_id = next_innings_id
        next_innings_id += 1
        batting_team = team_name(raw_innings["team"])
        bowling_team = teams[1] if batting_team == teams[0] else teams[0]
        batters: dict[str, dict] = {}
        bowlers: dict[str, dict] = {}
        total_runs = wickets = legal_balls = 0
        stand: dict | None = None  # the partnership at the crease

        def batter_row(name: str) -> dict:
            if name not in batters:
                batters[name] = {
                    "innings_id": innings_id, "player_id": registry[name],
                    "match_id": match.match_id, "team": batting_team,
                    "position": len(batters) + 1, "runs": 0, "balls": 0, "fours": 0,
                    "sixes": 0, "is_out": False, "dismissal_kind": None,
                    "bowler_id": None, "fielders": None,
                }
            return batters[name]

        def bowler_row(name: str) -> dict:
            if name not in bowlers:
                bowlers[name] = {
                    "innings_id": innings_id, "player_id": registry[name],
                    "match_id": match.match_id, "team": bowling_team, "legal_balls": 0,
                    "maidens": 0, "runs": 0, "wickets": 0, "wides": 0, "noballs": 0,
                    "dots": 0, "fours": 0, "sixes": 0, "hat_tricks": 0,
                }
            return bowlers[name]

        def fielder_row(name: str) -> dict:
            if name not in fielders:
                fielders[name] = {
                    "player_id": registry[name],
                    "match_id": match.match_id, "team": bowling_team, "catches": 0,
                    "keeper_catches": 0, "stumpings": 0, "run_outs": 0,
                }
            return fielders[name]

        for over in raw_innings["overs"]:
            over_bowlers: set[str] = set()
            over_legal = over_conceded = 0
            for ball, delivery in enumerate(over["deliveries"], start=1):
                runs = delivery["runs"]
                extras = delivery.get("extras", {})
                wides, noballs = extras.get("wides", 0), extras.get("noballs", 0)
                is_legal = not wides and not noballs
                boundary = runs["batter"] if not runs.get("non_boundary") else 0
                striker = batter_row(delivery["batter"])
                batter_row(delivery["non_striker"])
                pair = sorted((registry[delivery["batter"]], registry[delivery["non_striker"]]))
                if stand is None or [stand["first_id"], stand["second_id"]] != pair:
                    stand = {"innings_id": innings_id, "match_id": match.match_id, "team": batting_team,
                             "wicket": wickets + 1, "first_id": pair[0], "second_id": pair[1],
                             "runs": 0, "balls": 0, "unbroken": True}
                    rows.partnerships.append(stand)  # a new pair without a wicket: a retirement
                stand["runs"] += runs["total"]
                stand["balls"] += is_legal
                bowler = bowler_row(delivery["bowler"])
                conceded = runs["batter"] + wides + noballs

                striker["runs"] += runs["batter"]
                striker["balls"] += 0 if wides else 1
                striker["fours"] += boundary == 4
                striker["sixes"] += boundary == 6
                bowler["legal_balls"] += is_legal
                bowler["runs"] += conceded
                bowler["wides"] += bool(wides)
                bowler["noballs"] += bool(noballs)
                bowler["dots"] += is_legal and runs["batter"] == 0
                bowler["fours"] += boundary == 4
                bowler["sixes"] += boundary == 6
                over_bowlers.add(delivery["bowler"])
                over_legal += is_legal
                over_conceded += conceded
                total_runs += runs["total"]
                legal_balls += is_legal

                for wicket in delivery.get("wickets", []):
                    out = batter_row(wicket["player_out"])
                    kind = wicket["kind"]
                    names = _fielder_names(wicket)
                    credited = _credited_fielders(wicket)
                    out["dismissal_kind"] = kind
                    if kind in NOT_OUT_KINDS:
                        continue
                    wickets += 1
                    stand["unbroken"] = False
                    out["is_out"] = True
                    out["fielders"] = "; ".join(names) or None
                    if kind in BOWLER_WICKET_KINDS:
                        out["bowler_id"] = registry[delivery["bowler"]]
                        bowler["wickets"] += 1
                    if kind == "caught":
                        for name in credited:
                            fielder_row(name)["catches"] += 1
                    elif kind == "caught and bowled":
                        fielder_row(delivery["bowler"])["catches"] += 1
                    elif kind == "stumped":
                        for name in credited:
                            fielder_row(name)["stumpings"] += 1
                            keepers.add(name)
                    elif kind == "run out":
                        for name in credited:
                            fielder_row(name)["run_outs"] += 1

                bowler_wicket = any(w["kind"] in BOWLER_WICKET_KINDS for w in delivery.get("wickets", []))
                if is_legal or bowler_wicket:  # a stumping off a wide counts; a wide alone breaks nothing
                    in_a_row = wickets_in_a_row.get(delivery["bowler"], 0) + 1 if bowler_wicket else 0
                    wickets_in_a_row[delivery["bowler"]] = in_a_row
                    bowler["hat_tricks"] += in_a_row == 3

                first_wicket = (delivery.get("wickets") or [{}])[0]
                rows.deliveries.append({
                    "innings_id": innings_id, "match_id": match.match_id,
                    "over": over["over"] + 1, "ball": ball,
                    "batter_id": registry[delivery["batter"]],
                    "non_striker_id": registry[delivery["non_striker"]],
                    "bowler_id": registry[delivery["bowler"]],
                    "batter_runs": runs["batter"], "extras": runs["extras"],
                    "total_runs": runs["total"], "wides": wides, "noballs": noballs,
                    "byes": extras.get("byes", 0), "legbyes": extras.get("legbyes", 0),
                    "penalty": extras.get("penalty", 0), "is_legal": is_legal,
                    "is_four": boundary == 4, "is_six": boundary == 6,
                    "wicket_kind": first_wicket.get("kind"),
                    "player_out_id": registry.get(first_wicket.get("player_out", "")),
                    "fielders": "; ".join(_fielder_names(first_wicket)) or None,
                })
            if len(over_bowlers) == 1 and over_legal == balls_per_over and over_conceded == 0:
                bowlers[next(iter(over_bowlers))]["maidens"] += 1

        # All out: no pair of batters left, counting those retired hurt and absent hurt as gone.
        gone = wickets + len(raw_innings.get("absent_hurt", [])) + sum(
            1 for b in batters.values() if not b["is_out"] and b["dismissal_kind"] in NOT_OUT_KINDS
        )
        overs_limit = info.get("overs")
        penalty = raw_innings.get("penalty_runs", {})
        rows.innings.append({
            "id": innings_id, "match_id": match.match_id, "number": number,
            "batting_team": batting_team, "bowling_team": bowling_team,
            "runs": total_runs + penalty.get("pre", 0) + penalty.get("post", 0),
            "wickets": wickets, "legal_balls": legal_balls,
            "target": raw_innings.get("target", {}).get("runs"),
            "declared": bool(raw_innings.get("declared")),
            "all_out": gone >= 10,
            "completed": gone >= 10 or bool(overs_limit and legal_balls >= overs_limit * balls_per_over),
        })
        rows.batting.extend(batters.values())
        rows.bowling.extend(bowlers.values())

    keeper_ids = {registry[name] for name in keepers}
    for row in fielders.values():
        if row["player_id"] in keeper_ids:
            row["keeper_catches"] = row["catches"]
    rows.fielding.extend(fielders.values())
    return next_innings_id
