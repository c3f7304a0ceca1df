"""The words the linker (dsl/link.py) reads in questions, loaded once from the files in dsl/data/.

Why each table exists is written in its file where the format allows: `phrases.json` (keyword
phrases and the small tables, explained in its "_comment") and the word lists `common_words.txt`,
`sentence_openers.txt` and `question_words.txt`; for the CSV files, beside their constant below.
Stat words are still written here.
"""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

from dsl.catalogue import STAT_SUBJECT, STAT_WORDS  # the words for each stat live with the stat

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


# A format word that may stand between a number and its noun ("5000 Test runs", "300+ ODI wickets").
FORMAT_WORD = r"(?:(?:test|odi|t20i?|ipl|international|career)s?\s+)?"


def number_value(text: str) -> int:
    """A number written in digits or as a word ("12", "five")."""
    return int(text) if text.isdecimal() else NUMBER_WORDS[text.lower()]


ORDINALS: dict[str, int] = _PHRASES["ordinals"]
SURNAME_PARTICLES = frozenset(_PHRASES["surname_particles"])
GROUND_SUFFIXES: tuple[str, ...] = tuple(_PHRASES["ground_suffixes"])
VERB_OBJECTS: dict[str, frozenset[str]] = {verb: frozenset(stats) for verb, stats in _PHRASES["verb_objects"].items()}

COMMON_WORDS = _read_words("common_words.txt")
SENTENCE_OPENERS = _read_words("sentence_openers.txt")
# How often a word is seen in English text (pyspellchecker's frequency list) for it to be taken for
# an English word rather than a misspelt name: surnames that are words too ("Gayle", "Warner") are
# far rarer.
ENGLISH_MIN_COUNT = 1000


@cache
def _spellchecker():
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)  # one letter added, dropped, changed or two swapped: a slip, not another word


def is_english_word(word: str) -> bool:
    """A common English word ("usually", "better"): in a question without capitals, not a name."""
    return _spellchecker().word_frequency.dictionary.get(word, 0) >= ENGLISH_MIN_COUNT


def english_correction(word: str) -> str | None:
    """The common English word a misspelt one most likely is ("sinse" -> "since"), if any."""
    better = _spellchecker().correction(word)
    return better if better and better != word and better[0] == word[0] and is_english_word(better) else None
QUESTION_WORDS = _read_words("question_words.txt")

# Places fans name differently from the database (old city names, islands for their grounds'
# city, abbreviations of host countries): alias -> city or country. The database's own cities and
# countries need no entry.
PLACE_ALIASES: dict[str, str] = dict(_read_pairs("place_aliases.csv"))
# Names fans use that the database does not: (alias, team) and (nickname, display name).
TEAM_ALIASES = _read_pairs("team_aliases.csv")
PLAYER_NICKNAMES = _read_pairs("player_nicknames.csv")

# Facts of cricket and of the data (dsl/data/cricket.json's comment says what each is).
_CRICKET = json.loads((DATA_DIR / "cricket.json").read_text(encoding="utf-8"))
# A DSL competition keyword -> the database competitions it covers.
COMPETITIONS: dict[str, tuple[str, ...]] = {keyword: tuple(names) for keyword, names in _CRICKET["competitions"].items()}
EVENTS: dict[str, tuple[str, ...]] = {event: tuple(names) for event, names in _CRICKET["events"].items()}
# Sides Cricsheet withholds: none of their matches are in the database (dsl/data/coverage.json).
WITHHELD_TEAMS: tuple[str, ...] = tuple(sorted({
    team for teams in json.loads((DATA_DIR / "coverage.json").read_text(encoding="utf-8"))["withheld_teams"].values()
    for team in teams}))
KNOCKOUT_STAGES: tuple[str, ...] = tuple(_CRICKET["knockout_stages"])
PHASES: dict[str, dict[str, tuple[int, int]]] = {
    fmt: {phase: tuple(overs) for phase, overs in phases.items()} for fmt, phases in _CRICKET["phases"].items()
}
DISMISSAL_NOUNS: dict[str, str] = _CRICKET["dismissal_nouns"]
DISMISSAL_GROUPS: dict[str, tuple[str, ...]] = {word: tuple(kinds) for word, kinds in _CRICKET["dismissal_groups"].items()}

# The candidate stage's cue words (dsl/data/cues.json), compiled once.
CUES: dict[str, re.Pattern] = {
    name: re.compile(pattern, re.I)
    for name, pattern in json.loads((DATA_DIR / "cues.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
