"""The words the linker (dsl/link.py) reads in questions, loaded once from the files in dsl/data/.

Why each table exists is written in its file where the format allows: `phrases.json` (keyword
phrases and the small tables, explained in its "_comment") and the word lists `common_words.txt`,
`sentence_openers.txt` and `question_words.txt`; for the CSV files, beside their constant below.
Stat words are still written here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


def _read_words(name: str) -> frozenset[str]:
    """A word list: words apart by spaces; lines starting with # are comments."""
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


def _read_pairs(name: str) -> tuple[tuple[str, str], ...]:
    """The rows of a two-column CSV file with a header."""
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return tuple((first, second) for first, second in list(csv.reader(handle))[1:])


_PHRASES = json.loads((DATA_DIR / "phrases.json").read_text(encoding="utf-8"))

# to be derived from dsl/catalogue.py
STAT_WORDS = {
    "runs": ("runs", "run tally", "runs tally", "aggregate"),
    "average": ("average", "averages", "avg", "avgs", "ave", "avge", "averaged", "averaging"),
    "strike rate": ("strike rate", "strike rates", "strikerate", "sr"),
    "economy": ("economy", "economy rate", "economy rates", "econ", "eco", "economical"),
    "wickets": ("wickets", "wicket", "wkts", "wkt", "scalps", "scalp", "wickets taken"),
    "hundreds": ("hundreds", "hundred", "centuries", "century", "tons", "ton", "100s"),
    "fifties": ("fifties", "fifty", "half centuries", "half century", "50s", "half tons"),
    "ducks": ("ducks", "duck", "golden ducks", "golden duck"),
    "sixes": ("sixes", "6s", "maximums", "sixers"),
    "fours": ("fours", "4s"),
    "catches": ("catches", "catch", "catches taken"),
    "stumpings": ("stumpings", "stumping"),
    "run outs": ("run outs", "runouts"),
    "maidens": ("maidens", "maiden", "maiden overs", "maiden over"),
    "five-fors": ("five fors", "fivefors", "5 fors", "5fors", "fifers", "fifer", "five wicket hauls",
                  "five wicket haul", "five wickets hauls", "5 wicket hauls", "5 wicket haul", "5 wkt hauls",
                  "5wi", "5wis", "5 wickets in an innings", "five wickets in an innings",
                  "5 wkts in an innings", "5 fers", "5fers", "five wicket innings"),
    "wins": ("wins", "win", "victories"),
    "losses": ("losses", "loss", "defeats"),
    "draws": ("draws", "draw"),
    "ties": ("ties", "tie"),
    "win %": ("win %", "win percentage", "winning percentage", "win rate", "win ratio", "win percent",
              "success rate", "percentage of wins"),
    "average total": ("average total", "average totals", "average team total"),
    "highest total": ("highest total", "highest totals", "highest team total", "highest team totals",
                      "biggest total", "biggest totals", "highest team score", "highest innings total"),
    "lowest total": ("lowest total", "lowest totals", "lowest team total", "lowest team totals",
                     "lowest team score", "smallest total", "lowest score", "lowest scores"),
    "high score": ("highest score", "highest scores", "high score", "high scores", "top score",
                   "top scores", "best score", "best scores", "highest individual score", "hs",
                   "highest individual scores", "biggest score", "highest knock"),
    "dots": ("dot balls", "dot ball", "dots"),
    "wides": ("wides", "wide balls"),
    "no-balls": ("no balls", "no ball", "noballs", "noball", "nbs"),
    "innings": ("innings", "inns", "knocks", "innings played"),
    "matches": ("matches", "match", "games", "game", "appearances", "matches played", "games played", "caps"),
    "not outs": ("not outs", "not out", "notouts"),
    "dismissals": ("dismissals", "dismissal"),
    "best figures": ("best figures", "best bowling", "best bowling figures", "bbi", "best spell",
                     "best innings figures", "best bowling in an innings"),
    "figures": ("figures", "bowling figures", "spells", "spell"),
    "balls": ("balls", "balls faced", "balls bowled", "deliveries", "deliveries bowled", "deliveries faced"),
    "total": ("total", "totals", "team total", "team totals", "innings total", "innings totals"),
}
# A stat word also says whose stat it is ("wickets" -> bowling), less surely than "bowler" does.
STAT_SUBJECT = {
    "wickets": ("bowling", 0.8), "economy": ("bowling", 0.8), "maidens": ("bowling", 0.8),
    "five-fors": ("bowling", 0.8), "best figures": ("bowling", 0.8), "figures": ("bowling", 0.8),
    "wides": ("bowling", 0.7), "no-balls": ("bowling", 0.7),
    "runs": ("batting", 0.6), "hundreds": ("batting", 0.8), "fifties": ("batting", 0.8),
    "ducks": ("batting", 0.8), "high score": ("batting", 0.8), "not outs": ("batting", 0.8),
    "catches": ("fielding", 0.8), "stumpings": ("fielding", 0.8), "run outs": ("fielding", 0.8),
    "wins": ("team", 0.8), "losses": ("team", 0.8), "draws": ("team", 0.8), "ties": ("team", 0.8),
    "win %": ("team", 0.8), "highest total": ("team", 0.8), "lowest total": ("team", 0.8),
    "average total": ("team", 0.8), "total": ("team", 0.8),
}

# mention type -> DSL value -> the phrases fans write for it
KEYWORD_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    type: {value: tuple(phrases) for value, phrases in table.items()}
    for type, table in _PHRASES["keywords"].items()
} | {"stat": STAT_WORDS}
COMPOUND_WORDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    phrase: tuple((type, value, score) for type, value, score in effects)
    for phrase, effects in _PHRASES["compounds"].items()
}
EVENT_FORMAT: dict[str, tuple[str, float]] = {
    event: (competition, score) for event, (competition, score) in _PHRASES["event_formats"].items()
}
# noun -> qualifier -> stat
SPLIT_STATS: dict[str, dict[str, str]] = {
    noun: group["stats"] for group in _PHRASES["split_stats"] for noun in group["nouns"]
}
SPLIT_SKIPPABLE = frozenset(_PHRASES["split_skippable"])
GENERIC_T20 = frozenset(_PHRASES["generic_t20"])
TEAM_CUES = frozenset(_PHRASES["team_cues"])
PLACE_CUES = frozenset(_PHRASES["place_cues"])
NUMBER_WORDS: dict[str, int] = _PHRASES["number_words"]
ORDINALS: dict[str, int] = _PHRASES["ordinals"]
SURNAME_PARTICLES = frozenset(_PHRASES["surname_particles"])
GROUND_SUFFIXES: tuple[str, ...] = tuple(_PHRASES["ground_suffixes"])

COMMON_WORDS = _read_words("common_words.txt")
SENTENCE_OPENERS = _read_words("sentence_openers.txt")
QUESTION_WORDS = _read_words("question_words.txt")

# Places fans name differently from the database (old city names, islands for their grounds'
# city, abbreviations of host countries): alias -> city or country. The database's own cities and
# countries need no entry.
PLACE_ALIASES: dict[str, str] = dict(_read_pairs("place_aliases.csv"))
# Names fans use that the database does not: (alias, team) and (nickname, display name).
TEAM_ALIASES = _read_pairs("team_aliases.csv")
PLAYER_NICKNAMES = _read_pairs("player_nicknames.csv")
