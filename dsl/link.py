"""Linking: find in a question, deterministically and fast, the values the DSL needs.

"Kohli's ODI avg vs Aus since 2015" becomes typed mentions: player "Virat Kohli", competition
"odi", stat "average", team "Australia", span "since", year "2015". Each mention has its
character span, up to three scored candidates spelled as the DSL and the database spell them,
and an ambiguity flag ("Smith"). The per-question grammar lets each DSL slot take only the
linked values of its type, and retrieval searches on the masked question ("<player>
<competition> avg vs <team> since <year>"). PILOT.md measured why: a small model chooses well
among given values but spells and places names badly.

How, in order (each step claims text the later ones may not reuse):
0. (`respelled`, before linking) an everyday word one slip from a common English word is put
   right ("sinse 2019"), unless it may be a name;
1. regular expressions find what needs its neighbouring words: seasons, year spans, tosses,
   over ranges, innings numbers, batting positions, ranking counts and qualifications;
2. the longest token n-grams found in a dictionary built once per database claim the rest
   without overlapping: player names and nicknames, teams and abbreviations, grounds, cities,
   countries, events, and the format, stat and cue words;
3. leftover integers become numbers, and leftover unknown words of 5+ letters get one fuzzy try
   (rapidfuzz) against player and ground names, scored below an exact match, then against the
   keywords ("centurys"). In a question without capitals a common English word (pyspellchecker's
   counts) is no misspelt name, and a capitalised English word opening a sentence is no name.
No model and no database query per question: `Linker.from_engine` builds its dictionary once.

The patterns of step 1 are dsl/spans.py; the words are data files read by dsl/vocabulary.py; the
names are the database's lexicon (dsl/lexicon.py), which name resolution shares.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process
from sqlalchemy import Engine

from dsl.lexicon import Lexicon, lexicon
from dsl.spans import Hit, scan_patterns
from dsl.vocabulary import (
    COMMON_WORDS, COMPETITIONS, COMPOUND_WORDS, EVENT_FORMAT, GENERIC_T20, GROUND_SUFFIXES, KEYWORD_TABLES, NUMBER_WORDS,
    PLACE_ALIASES, PLACE_CUES, PLAYER_NICKNAMES, QUESTION_WORDS, SENTENCE_OPENERS, SPLIT_SKIPPABLE, SPLIT_STATS,
    STAT_SUBJECT, STAT_WORDS, SURNAME_PARTICLES, TEAM_ALIASES, TEAM_CUES, VERB_OBJECTS, WITHHELD_TEAMS,
    english_correction, is_english_word,
)

# Bump when masking changes, so retrieval rebuilds indexes built on the old masked questions.
MASK_VERSION = "link-1"

# Types whose mentions `Linked.masked` replaces: the values. Cue words ("since", "avg", "vs")
# stay, because they carry the question's structure that retrieval should match on.
MASKED_TYPES = ("player", "team", "ground", "place", "event", "competition", "year", "season", "number")
NAME_TYPES = ("player", "team", "ground", "place")
MISSPELT_MIN = 5  # letters: shorter words are too close to too many others to be read as misspelt
NAME_CUTOFF = 80  # rapidfuzz ratio a misspelt one-word name must reach
KEYWORD_CUTOFF = 85  # and a misspelt keyword: stricter, since a wrong keyword changes the question
TRANSPOSED_MIN = 4  # letters of a keyword whose swapped letters are read as it ("tets"; "odi" -> "doi" is too short)
MAX_CANDIDATES = 3
CLOSE = 0.85  # a runner-up scoring at least this share of the best makes a mention ambiguous
KEEP = 0.7  # candidates below this share of the best are dropped
MIN_SURNAME_MATCHES = 10  # "Kohli" alone links only players with this many matches
FIRST_NAME_SCORE = 0.8  # a lone first name: below a surname or full name, above a misspelt one


# --- the result --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    value: str  # the DSL's canonical spelling ("Virat Kohli", "Australia", "odi", "2015")
    score: float  # 1.0 for an exact, unambiguous match; lower for fuzzy, implied or less likely


@dataclass(frozen=True)
class Mention:
    type: str
    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]  # best first
    ambiguous: bool  # the best two candidates score too close to choose without more context
    fuzzy: bool = False  # matched as a misspelling: the question may mean another name


@dataclass(frozen=True)
class Linked:
    question: str
    mentions: tuple[Mention, ...]  # in text order
    # Words written like names (capitalised mid-question, or possessive) that match no name, even
    # fuzzily: the question names someone the data does not know, so it must not be answered
    # as if the name were not there.
    unknown_names: tuple[str, ...] = ()

    def values(self, type: str) -> list[str]:
        """Candidate values of one type over all mentions, best first, each once."""
        scored = [
            (-c.score, order, c.value)
            for order, m in enumerate(self.mentions) if m.type == type
            for c in m.candidates
        ]
        return list(dict.fromkeys(value for _, _, value in sorted(scored)))

    def masked_mentions(self) -> list[Mention]:
        """The value mentions `masked` replaces, in text order: per span its best-scored one,
        none inside a longer one."""
        shown: dict[tuple[int, int], Mention] = {}  # span -> its best-scored maskable mention
        for mention in self.mentions:
            if mention.type in MASKED_TYPES and _maskable(mention):
                old = shown.get((mention.start, mention.end))
                if old is None or mention.candidates[0].score > old.candidates[0].score:
                    shown[(mention.start, mention.end)] = mention
        kept, position = [], 0
        for (start, end), mention in sorted(shown.items(), key=lambda item: (item[0][0], -item[0][1])):
            if start >= position:
                kept.append(mention)
                position = end
        return kept

    def masked(self) -> str:
        """The question with each value mention replaced by "<type>", for retrieval."""
        parts, position = [], 0
        for mention in self.masked_mentions():
            parts += [self.question[position:mention.start], f"<{mention.type}>"]
            position = mention.end
        parts.append(self.question[position:])
        return "".join(parts)


def _maskable(mention: Mention) -> bool:
    # A number read from a word ("opener" -> 1 and 2) keeps its word: the word is the cue.
    if mention.type != "number":
        return True
    return any(ch.isdigit() for ch in mention.text) or _fold(mention.text) in NUMBER_WORDS


# --- normalising text --------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|%")


@dataclass(frozen=True)
class Token:
    norm: str  # lower case, accents and apostrophes removed, possessive 's dropped
    start: int
    end: int
    capitalised: bool
    all_caps: bool  # "SKY", "KP": an abbreviation, not a word at the start of a sentence
    possessive: bool


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _fold_word(raw: str) -> tuple[str, bool]:
    word = _strip_accents(raw.lower()).replace("’", "'")
    possessive = word.endswith("'s")
    if possessive:
        word = word[:-2]
    return word.replace("'", ""), possessive


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        norm, possessive = _fold_word(match.group())
        if norm:
            raw = match.group()
            tokens.append(Token(norm, match.start(), match.end(), raw[0].isupper(),
                                len(raw) > 1 and raw.isupper(), possessive))
    return tokens


def _fold(text: str) -> str:
    return " ".join(t.norm for t in tokenize(text))


def name_keys(name: str) -> set[str]:
    """Lookup keys of a name: "Lord's" -> {"lord", "lords"}; "MS Dhoni" -> {"ms dhoni", "m s dhoni"}."""
    words = [(match.group(), *_fold_word(match.group())) for match in _TOKEN.finditer(name)]
    keys = {
        " ".join(w for _, w, _ in words),
        " ".join(w + "s" if possessive else w for _, w, possessive in words),
    }
    # Cricsheet initials: a question may write them apart or with dots ("M.S. Dhoni").
    if any(raw.isupper() and raw.isalpha() and 2 <= len(raw) <= 4 for raw, _, _ in words):
        keys.add(" ".join(
            " ".join(w) if raw.isupper() and raw.isalpha() and len(raw) <= 4 else w for raw, w, _ in words
        ))
    return {k for k in keys if k}


# --- the dictionaries --------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """What one lookup key can mean."""

    type: str
    value: str
    score: float
    needs_capital: bool = False  # an everyday word ("root") counts as a name only when capitalised


class _DictionaryBuilder:
    """Collects key -> entries, keeping the best score per (type, value) of a key."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[tuple[str, str], Entry]] = {}

    def add(self, key: str, type: str, value: str, score: float) -> None:
        if not key:
            return
        needs_capital = type in NAME_TYPES and key in COMMON_WORDS
        known = self.entries.setdefault(key, {})
        old = known.get((type, value))
        if old is None or old.score < score:
            known[(type, value)] = Entry(type, value, score, needs_capital)

    def add_phrases(self, type: str, table: dict[str, Iterable[str]], score: float = 1.0) -> None:
        for value, phrases in table.items():
            for phrase in phrases:
                self.add(_fold(phrase), type, value, score)

    def has_other_than(self, key: str, type: str) -> bool:
        return any(t != type for t, _ in self.entries.get(key, {}))

    def replace(self, key: str, type: str, values: Iterable[tuple[str, float]]) -> None:
        known = self.entries.setdefault(key, {})
        for old in [k for k in known if k[0] == type]:
            del known[old]
        for value, score in values:
            self.add(key, type, value, score)


def _surname_keys(display: str) -> set[str]:
    """"Virat Kohli" -> {"kohli"}; "AB de Villiers" -> {"villiers", "de villiers"}."""
    words = _fold(display).split()
    if len(words) < 2:
        return set()
    keys = {words[-1]}
    for i in range(1, len(words) - 1):
        if words[i] in SURNAME_PARTICLES:
            keys.add(" ".join(words[i:]))
            break
    return {k for k in keys if len(k) >= 3}


def _is_cased(question: str) -> bool:
    """Lower and upper case both: in an all-lower-case or all-capitals question, capitals say
    nothing about names."""
    return any(ch.islower() for ch in question) and any(ch.isupper() for ch in question)


def _pairs_by_word(phrases: Iterable[str]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Two-word phrases by each of their words and its place: ("half", 0) -> ("half centuries", ...)."""
    by_word: dict[tuple[str, int], set[str]] = {}
    for phrase in phrases:
        for place, word in enumerate(phrase.split(" ")):
            by_word.setdefault((word, place), set()).add(phrase)
    return {key: tuple(sorted(found)) for key, found in by_word.items()}


def _ground_short_forms(ground: str) -> set[str]:
    """"Sawai Mansingh Stadium" -> {"sawai mansingh"}: fans drop the generic tail."""
    key = _fold(ground)
    for tail in GROUND_SUFFIXES:
        if key.endswith(" " + tail):
            return {key[: -len(tail) - 1]}
    return set()


def _popularity_scores(weights: dict[str, float], popularity: dict[str, int]) -> list[tuple[str, float]]:
    """Candidates best first: the match's own weight, scaled by how often each one played."""
    top = max((popularity.get(v, 0) for v in weights), default=0)
    scored = [
        (value, round(weight * (0.6 + 0.4 * popularity.get(value, 0) / top) if top else weight, 3))
        for value, weight in weights.items()
    ]
    scored.sort(key=lambda vs: (-vs[1], vs[0]))
    best = scored[0][1] if scored else 0
    return [vs for vs in scored if vs[1] >= KEEP * best][:MAX_CANDIDATES]


@dataclass(frozen=True)
class Dictionary:
    """What step 2 looks words up in, built once from the lexicon and the vocabulary."""

    entries: dict[str, tuple[Entry, ...]]  # folded key -> what it can mean
    popularity: dict[str, dict[tuple[str, str], int]]  # player display name -> matches by (format, gender)
    fuzzy_keys: frozenset[str]  # database names a misspelt word may be matched against


def build_dictionary(names: Lexicon) -> Dictionary:
    """Every name and keyword the linker knows, with the player popularity prior."""
    builder = _DictionaryBuilder()
    fuzzy_keys: set[str] = set()  # names as the database spells them, not nicknames or short forms
    for type, table in KEYWORD_TABLES.items():
        builder.add_phrases(type, table)
    for phrase, effects in COMPOUND_WORDS.items():
        for type, value, score in effects:
            builder.add(_fold(phrase), type, value, score)
    for stat, phrases in STAT_WORDS.items():
        if stat in STAT_SUBJECT:
            subject, score = STAT_SUBJECT[stat]
            for phrase in phrases:
                builder.add(_fold(phrase), "subject", subject, score)
    for event, phrases in KEYWORD_TABLES["event"].items():
        if event in EVENT_FORMAT:
            competition, score = EVENT_FORMAT[event]
            for phrase in phrases:
                builder.add(_fold(phrase), "competition", competition, score)

    # Places first: a team alias that is also a city ("mumbai") is a weaker team reading.
    places: dict[str, set[str]] = {}
    countries = {country for _, _, _, country in names.venues if country}
    for _, _, city, country in names.venues:
        for place in (city, country):
            if place:
                for key in name_keys(place):
                    places.setdefault(key, set()).add(place)
    for alias, place in PLACE_ALIASES.items():
        places.setdefault(_fold(alias), set()).add(place)
    for key, values in places.items():
        for place in values:
            builder.add(key, "place", place, 0.9 if place in countries else 1.0)

    teams = set(names.team_names)
    for team in teams:
        for key in name_keys(team):
            builder.add(key, "team", team, 1.0)
    for alias, team in TEAM_ALIASES:
        if team in teams:
            key = _fold(alias)
            builder.add(key, "team", team, 0.7 if key in places and team not in countries else 1.0)

    # Read, so that a question about them is refused by name rather than answered without them.
    for team in WITHHELD_TEAMS:
        for key in name_keys(team):
            builder.add(key, "withheld", team, 1.0)

    venue_by_id = {venue_id: ground for venue_id, ground, _, _ in names.venues}
    ground_popularity = {ground: names.venue_matches.get(venue_id, 0) for venue_id, ground in venue_by_id.items()}
    grounds: dict[str, dict[str, float]] = {}
    for venue_id, ground, _, _ in names.venues:
        for key in name_keys(ground):
            grounds.setdefault(key, {})[ground] = 1.0
            fuzzy_keys.add(key)
    for venue_id, alias in names.venue_aliases:
        for key in name_keys(alias):
            fuzzy_keys.add(key)
            # A nickname that is also a city ("Galle") is more often the place than the ground.
            grounds.setdefault(key, {}).setdefault(venue_by_id[venue_id], 0.8 if key in places else 1.0)
    for ground in ground_popularity:
        for key in _ground_short_forms(ground):
            if key not in grounds and key not in places and key not in COMMON_WORDS:
                grounds[key] = {ground: 0.9}
    for key, weights in grounds.items():
        for ground, score in _popularity_scores(weights, ground_popularity):
            builder.add(key, "ground", ground, score)

    # Players: exact names and aliases, then first+last of long names, surnames, and the
    # hand-written nicknames, which override whatever else a nickname key meant for players.
    display = {player_id: full_name for player_id, _, full_name in names.players}
    total = {pid: sum(c.values()) for pid, c in names.player_matches.items()}
    for player_id, cricsheet_name, full_name in names.players:
        for name in (cricsheet_name, full_name):
            for key in name_keys(name):
                if not builder.has_other_than(key, "player"):
                    builder.add(key, "player", full_name, 1.0)
    for player_id, alias in names.player_aliases:
        for key in name_keys(alias):
            if player_id in display and not builder.has_other_than(key, "player"):
                builder.add(key, "player", display[player_id], 1.0)
    for player_id, _, full_name in names.players:
        if total.get(player_id, 0) < MIN_SURNAME_MATCHES:
            continue
        words = _fold(full_name).split()
        derived = set()
        if len(words) >= 3 and not full_name.split()[0].isupper():
            derived.add((f"{words[0]} {words[-1]}", 0.95))  # "Yashasvi Jaiswal"
        derived |= {(key, 0.9) for key in _surname_keys(full_name)}
        for key, score in derived | {(key, 1.0) for key in name_keys(full_name)}:
            if not builder.has_other_than(key, "player"):
                builder.add(key, "player", full_name, score)
                fuzzy_keys.add(key)
    by_display: dict[str, str] = {}
    for player_id, _, full_name in names.players:
        by_display.setdefault(full_name, player_id)
    nicknames: dict[str, list[str]] = {}
    for nickname, full_name in PLAYER_NICKNAMES:
        if full_name in by_display:
            nicknames.setdefault(_fold(nickname), []).append(full_name)
    for key, values in nicknames.items():
        builder.replace(key, "player", [(value, 1.0) for value in values])

    popularity: dict[str, dict[tuple[str, str], int]] = {}
    for player_id, counts in names.player_matches.items():
        if player_id in display:
            mine = popularity.setdefault(display[player_id], {})
            for context, n in counts.items():
                mine[context] = mine.get(context, 0) + n
    entries = {key: tuple(found.values()) for key, found in builder.entries.items() if found}
    fuzzy_keys = {
        key for key in fuzzy_keys
        if len(key) >= 5 and key in entries and key not in QUESTION_WORDS
        and all(e.type in ("player", "ground") and not e.needs_capital for e in entries[key])
    }
    return Dictionary(entries, popularity, frozenset(fuzzy_keys))


def _first_name_fits(first: str, part: str) -> bool:
    """Does the first name a fan typed fit a register name's part before the surname?
    "jamie" fits "jl" (initials) and "jamie"; "chris" fits "christopher"."""
    words = part.split()
    if len(words) == 1 and len(words[0]) <= 4 and words[0] != first and not words[0].startswith(first):
        return words[0][0] == first[0]  # initials: "jl", "rk"
    return any(w.startswith(first) or (first.startswith(w) and len(w) >= 3) for w in words)


# --- the linker --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Linker:
    """The dictionary of one database and the rules: build once, then `link` each question."""

    # repr=False: printing twenty thousand keys helps nobody reading a test failure.
    dictionary: dict[str, tuple[Entry, ...]] = field(repr=False)  # folded key -> what it can mean
    longest: dict[str, int] = field(repr=False)  # first word of a key -> words in its longest key
    popularity: dict[str, dict[tuple[str, str], int]] = field(repr=False)  # display name -> matches
    fuzzy_single: tuple[str, ...] = field(repr=False)  # one-word player/ground keys for misspelt words
    fuzzy_multi: tuple[str, ...] = field(repr=False)  # several-word keys
    fuzzy_words: tuple[str, ...] = field(repr=False, default=())  # one-word keyword phrases ("hundreds", "economy")
    key_words: frozenset[str] = field(repr=False, default=frozenset())  # every word of every key ("jofra", "getters")
    # (one word of a two-word keyword phrase, its place 0 or 1) -> the phrases: "half" -> "half centuries"
    fuzzy_pairs: dict[tuple[str, int], tuple[str, ...]] = field(repr=False, default_factory=dict)
    # surname -> (first part, display name) of every player: "Jamie Smith" finds "JL Smith"
    by_surname: dict[str, tuple[tuple[str, str], ...]] = field(repr=False, default_factory=dict)
    # a whole first name (no initial) -> the display names of the players who have it
    by_first_name: dict[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    # a one-word keyword with two neighbouring letters swapped -> the keyword: "wkst" -> "wkts"
    transposed: dict[str, str] = field(repr=False, default_factory=dict)

    @classmethod
    def from_engine(cls, engine: Engine) -> Linker:
        return cls.from_lexicon(lexicon(engine))

    @classmethod
    def from_lexicon(cls, names: Lexicon) -> Linker:
        built = build_dictionary(names)
        longest: dict[str, int] = {}
        for key in built.entries:
            words = key.split(" ")
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
        fuzzy = sorted(built.fuzzy_keys)
        keyword_keys = {_fold(phrase) for table in KEYWORD_TABLES.values() for phrases in table.values() for phrase in phrases}
        by_surname: dict[str, set[tuple[str, str]]] = {}
        for _, cricsheet_name, display in names.players:
            for name in {cricsheet_name, display}:
                words = _fold(name).split()
                if len(words) >= 2:
                    by_surname.setdefault(words[-1], set()).add((" ".join(words[:-1]), display))
        return cls(
            dictionary=built.entries, longest=longest, popularity=built.popularity,
            fuzzy_single=tuple(k for k in fuzzy if " " not in k),
            fuzzy_multi=tuple(k for k in fuzzy if " " in k),
            fuzzy_words=tuple(sorted(key for key in keyword_keys if " " not in key and len(key) >= MISSPELT_MIN)),
            fuzzy_pairs=_pairs_by_word(key for key in keyword_keys if key.count(" ") == 1),
            key_words=frozenset(word for key in built.entries for word in key.split(" ")),
            by_surname={k: tuple(sorted(v)) for k, v in by_surname.items()},
            by_first_name=_by_first_name(by_surname),
            transposed=_transpositions(key for key in keyword_keys if " " not in key and len(key) >= TRANSPOSED_MIN),
        )

    def respelled(self, question: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The question with misspelt everyday words put right ("sinse 2019", "hieghest"), and the
        (written, read) pairs. Only a word of MISSPELT_MIN+ letters that is no word of a name or
        keyword, no English word, not capitalised mid-question, and close to no name (a misspelt name
        is asked about, not guessed) or keyword; its correction is a common English word one slip
        away with the same first letter."""
        fixes = []
        cased = _is_cased(question)

        def respell(match: re.Match) -> str:
            written = match.group()
            word = written.lower()
            if (len(word) < MISSPELT_MIN or word in self.key_words or is_english_word(word)
                    or cased and written[0].isupper() and match.start() > 0  # a name, likely
                    or process.extractOne(word, self.fuzzy_single, scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF)
                    or process.extractOne(word, self._keywords_near(word), scorer=fuzz.ratio, score_cutoff=KEYWORD_CUTOFF)):
                return written  # a misspelt name, or a keyword the linker reads (with a note)
            better = english_correction(word)
            if better is None:
                return written
            fixes.append((written, better))
            return better

        return re.sub(r"(?<![\w'’])[A-Za-z]+(?![\w'’])", respell, question), tuple(fixes)

    def link(self, question: str) -> Linked:
        tokens = [replace(t, capitalised=False) if self._opens_a_sentence(question, t) else t for t in tokenize(question)]
        hits, claimed = scan_patterns(question)
        free = [not any(t.start < end and start < t.end for start, end in claimed) for t in tokens]
        # In an all-lower-case or all-capitals question, capitals say nothing about names.
        cased = _is_cased(question)
        hits += _split_stats(tokens, free)
        hits += self._first_name_hits(tokens, free, cased)
        hits += self._dictionary_hits(question, tokens, free, cased)
        hits += _leftover_numbers(tokens, free)
        hits += self._fuzzy_hits(tokens, free)
        unknown = self._unknown_names(question, tokens, free, hits, cased)
        return Linked(question, self._mentions(question, tokens, hits), unknown)

    def with_keywords_read(self, linked: Linked) -> Linked:
        """The question linked again with each misspelt keyword written as the keyword it was read
        as ("fastest centurys" -> "fastest hundreds"): the candidate stage's cue words read the
        text, not the mentions. The first link's fuzzy mentions are what the notes say."""
        text, end_of_next = linked.question, len(linked.question)
        for mention in sorted(misspelt_readings(linked), key=lambda m: (m.start, m.end), reverse=True):
            keyword = mention.candidates[0].value
            if mention.end <= end_of_next and keyword in self.dictionary:  # (overlapping readings: the later one)
                text, end_of_next = text[:mention.start] + keyword + text[mention.end:], mention.start
        return self.link(text) if text != linked.question else linked

    def _heads_a_query(self, tokens: list[Token], i: int) -> bool:
        """The first word, no sentence opener, before a format, event or stat, a word for the
        player's own record ("root scores"), another name ("root v cummins", "root or smith") or a
        recent span ("head last 10 inns", "root since 2021"); or any word right after "v" ("kohli v
        root")."""
        if i and tokens[i - 1].norm in _VERSUS:
            return True
        if i or len(tokens) < 2:
            return False
        if tokens[1].norm in {"last", "since"} and len(tokens) > 2 and (
                tokens[2].norm.isdecimal() or tokens[2].norm in NUMBER_WORDS):
            return tokens[0].norm not in QUESTION_WORDS  # ("best last 5 years" ranks)
        return tokens[0].norm not in SENTENCE_OPENERS and (
            tokens[1].norm in _VERSUS | {"or", "and"} | _OWN_RECORD
            or bool(self._key_types_at(tokens, 1) & {"competition", "event", "stat"}))

    def _key_types_at(self, tokens: list[Token], j: int) -> set[str]:
        """The types of the dictionary keys that start at token j ("no balls": a stat)."""
        longest = min(self.longest.get(tokens[j].norm, 0), len(tokens) - j)
        return {entry.type for n in range(1, longest + 1)
                for entry in self.dictionary.get(" ".join(t.norm for t in tokens[j:j + n]), ())}

    def _opens_a_sentence(self, question: str, token: Token) -> bool:
        """An English word capitalised only because it starts a sentence ("... by country. Split
        them by year"), no word of a name the linker knows ("Jamie Smith"): its capital says nothing."""
        before = question[:token.start].rstrip()
        return (token.capitalised and not token.possessive and not token.all_caps and (not before or before[-1] in ".?!:;")
                and token.norm not in self.key_words and is_english_word(token.norm))

    def _unknown_names(self, question: str, tokens: list[Token], free: list[bool], hits: list[Hit],
                       cased: bool) -> tuple[str, ...]:
        """Name-like words no step explained (see Linked.unknown_names); neighbours join into one name.

        A question's first word is name-like only in the possessive (its capital says nothing), and
        a word right next to a linked player is that player's other name ("Nat Sciver-Brunt")."""
        players = [h for h in hits if h.type == "player"]

        def next_to_a_player(token: Token) -> bool:
            return any(0 <= h.start - token.end <= 1 or 0 <= token.start - h.end <= 1 for h in players)

        def name_like(i: int) -> bool:
            token = tokens[i]
            return (free[i] and token.norm.isalpha() and len(token.norm) >= 3
                    and not any(h.start <= token.start and token.end <= h.end for h in hits)
                    and token.norm not in QUESTION_WORDS and token.norm not in COMMON_WORDS
                    and token.norm not in NUMBER_WORDS and token.norm not in self.dictionary
                    and (token.possessive or (cased and token.capitalised and i > 0))
                    and not next_to_a_player(token))

        names, run = [], []
        for i in range(len(tokens) + 1):
            if i < len(tokens) and name_like(i):
                run.append(tokens[i])
            elif run:
                names.append(re.sub(r"['’]s$", "", question[run[0].start:run[-1].end]))
                run = []
        return tuple(names)

    # --- step 2: longest dictionary keys, without overlaps --------------------------------------

    def _dictionary_hits(self, question: str, tokens: list[Token], free: list[bool], cased: bool) -> list[Hit]:
        found = []  # (length, first token, entries)
        for i, token in enumerate(tokens):
            if not free[i]:
                continue
            for length in range(min(self.longest.get(token.norm, 0), len(tokens) - i), 0, -1):
                if not all(free[i:i + length]):
                    continue
                if _CLAUSE_BREAK.search(question, token.end, tokens[i + length - 1].start):
                    continue  # "matches, won, lost" lists three words; "matches won" is one phrase
                entries = self.dictionary.get(" ".join(t.norm for t in tokens[i:i + length]))
                # In a question without capitals, the possessive says "name" ("root's hundreds"), and
                # so does a search-box query's first word before a format or stat ("root test 100s").
                if entries and length == 1 and not (
                        _looks_like_a_name(token, i) if cased else token.possessive or self._heads_a_query(tokens, i)):
                    entries = tuple(e for e in entries if not e.needs_capital)
                if entries:
                    found.append((length, i, entries))
        hits = []
        for length, i, entries in sorted(found, key=lambda f: (-f[0], f[1])):
            if not all(free[i:i + length]):
                continue
            for j in range(i, i + length):
                free[j] = False
            start, end = tokens[i].start, tokens[i + length - 1].end
            by_type: dict[str, list[tuple[str, float]]] = {}
            for entry in entries:
                by_type.setdefault(entry.type, []).append((entry.value, entry.score))
            hits += [Hit(type, start, end, tuple(values)) for type, values in by_type.items()]
        return hits

    # --- step 2a: a first name and a surname the register only has with initials ------------------

    def _first_name_hits(self, tokens: list[Token], free: list[bool], cased: bool) -> list[Hit]:
        """ "Jamie Smith" -> JL Smith, "Kushal Bhurtel" -> K Bhurtel, "Chris Rogers" -> Christopher
        Rogers: a capitalised word before a capitalised surname picks the players whose initials or
        first name it fits ("Hasan won" is no "Han Won"); in a question without capitals, a player's
        whole first name does ("jos butler"). Without this the first name is fuzzily read as some
        other player's surname."""
        hits = []
        for i in range(len(tokens) - 1):
            first, surname = tokens[i], tokens[i + 1]
            named = first.capitalised and surname.capitalised or not cased and first.norm in self.by_first_name
            if not (free[i] and free[i + 1] and named and first.norm.isalpha()
                    and first.norm not in QUESTION_WORDS and f"{first.norm} {surname.norm}" not in self.dictionary
                    and not (i and f"{tokens[i - 1].norm} {first.norm} {surname.norm}" in self.dictionary)):
                continue  # ("Shaheen Shah Afridi" is one name, not Shaheen and "Shah Afridi")
            fits = {display for part, display in self.by_surname.get(surname.norm, ())
                    if _first_name_fits(first.norm, part)}
            if fits and all(len(part) == 1 for part, display in self.by_surname.get(surname.norm, ()) if display in fits):
                # An initial is weaker evidence than the whole first name: "Jos Butler" is Jos
                # Buttler (one letter off the surname), not J Butler, when Buttler played far more.
                fits = self._same_first_name(first.norm, surname.norm, above=max(map(self._matches, fits))) or fits
            if fits:
                free[i] = free[i + 1] = False
                hits.append(Hit("player", first.start, surname.end, tuple((d, 0.95) for d in sorted(fits))))
        return hits

    def _same_first_name(self, first: str, surname: str, above: int) -> set[str]:
        """Players with this exact first name, a surname a letter or two from `surname`, and at
        least MIN_SURNAME_MATCHES and ten times `above` matches."""
        close = process.extract(surname, self.by_surname.keys(), scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF + 5,
                                limit=MAX_CANDIDATES)
        return {display for key, _, _ in close for part, display in self.by_surname[key]
                if first in part.split() and self._matches(display) >= max(MIN_SURNAME_MATCHES, 10 * above)}

    def _first_name_alone(self, word: str) -> str | None:
        """The player a lone first name no other step explained means ("mominul"): the one of that
        whole first name with MIN_SURNAME_MATCHES+ matches and ten times the next one's. Tried
        before a misspelt surname: an exact first name says more than a near surname."""
        ranked = sorted(((self._matches(display), display) for display in self.by_first_name.get(word, ())), reverse=True)
        if ranked and ranked[0][0] >= MIN_SURNAME_MATCHES and (len(ranked) == 1 or ranked[0][0] >= 10 * ranked[1][0]):
            return ranked[0][1]
        return None

    def _matches(self, player: str) -> int:
        return sum(self.popularity.get(player, {}).values())

    # --- step 3: misspelt names -------------------------------------------------------------------

    def _fuzzy_hits(self, tokens: list[Token], free: list[bool]) -> list[Hit]:
        # Names are capitalised: in a question that uses capitals, a lower-case word is no name.
        any_capitals = any(t.capitalised for t in tokens)

        def unknown(i: int) -> bool:
            token = tokens[i]
            return (free[i] and token.norm.isalpha() and len(token.norm) <= 30
                    and (token.capitalised or not any_capitals and not is_english_word(token.norm))
                    and token.norm not in QUESTION_WORDS and token.norm not in NUMBER_WORDS
                    and token.norm not in self.dictionary)

        hits = self._transposed_keywords(tokens, free)
        i = 0
        while i < len(tokens):
            if not unknown(i):
                i += 1
                continue
            # Two unknown words in a row may be one misspelt full name ("Jasprit Bumra").
            if i + 1 < len(tokens) and unknown(i + 1):
                pair = f"{tokens[i].norm} {tokens[i + 1].norm}"
                best = process.extractOne(pair, self.fuzzy_multi, scorer=fuzz.ratio, score_cutoff=85)
                if best:
                    hits += self._fuzzy_hit(tokens[i].start, tokens[i + 1].end, best[0], best[1])
                    i += 2
                    continue
            # A first name beside another unexplained word is someone else's ("Lionel Messi").
            beside_unknown = i + 1 < len(tokens) and unknown(i + 1) or i > 0 and unknown(i - 1)
            if not beside_unknown and (player := self._first_name_alone(tokens[i].norm)):
                hits.append(Hit("player", tokens[i].start, tokens[i].end, ((player, FIRST_NAME_SCORE),)))
            elif len(tokens[i].norm) >= MISSPELT_MIN:
                best = process.extractOne(tokens[i].norm, self.fuzzy_single, scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF)
                if best:
                    hits += self._fuzzy_hit(tokens[i].start, tokens[i].end, best[0], best[1])
            i += 1
        return hits + self._misspelt_keywords(tokens, free, {hit.start for hit in hits})

    def _transposed_keywords(self, tokens: list[Token], free: list[bool]) -> list[Hit]:
        """A word that is a keyword with two neighbouring letters swapped ("wkst", "tets", "sixse")
        is that keyword, before any name is guessed for it: the commonest slip in typing, and one
        that rapidfuzz's ratio counts as two edits, too far for a short keyword."""
        hits = []
        for i, token in enumerate(tokens):
            key = self.transposed.get(token.norm)
            if key and free[i] and token.norm not in self.dictionary and not is_english_word(token.norm):
                hits += self._fuzzy_hit(token.start, token.end, key, fuzz.ratio(token.norm, key))
                free[i] = False
        return hits

    def _misspelt_keywords(self, tokens: list[Token], free: list[bool], named: set[int]) -> list[Hit]:
        """A word no step explained that is a letter or two from a keyword ("centurys", "wickts")
        is that keyword; with the word beside it, a two-word keyword first ("half centurys" is
        fifties). Capitals do not matter; the cutoff is stricter than for names, since a wrong
        keyword changes the question. A misspelling keeps the first letter, and a word that begins
        a keyword is another form of it ("dismiss"), not a misspelling: the phrase tables list the
        forms that mean it."""
        hits = []
        for i, token in enumerate(tokens):
            word = token.norm
            if not (free[i] and token.start not in named and word.isalpha() and len(word) >= MISSPELT_MIN
                    and word not in self.dictionary and word not in QUESTION_WORDS):
                continue
            readings = []  # (first token, last token, the words, the keywords they may misspell)
            if i > 0:
                readings.append((tokens[i - 1], token, f"{tokens[i - 1].norm} {word}", self.fuzzy_pairs.get((tokens[i - 1].norm, 0), ())))
            if i + 1 < len(tokens):
                readings.append((token, tokens[i + 1], f"{word} {tokens[i + 1].norm}", self.fuzzy_pairs.get((tokens[i + 1].norm, 1), ())))
            readings.append((token, token, word, self._keywords_near(word)))
            for first, last, text, keys in readings:
                best = process.extractOne(text, keys, scorer=fuzz.ratio, score_cutoff=KEYWORD_CUTOFF) if keys else None
                if best:
                    hits += self._fuzzy_hit(first.start, last.end, best[0], best[1])
                    break
        return hits

    def _keywords_near(self, word: str) -> list[str]:
        """The one-word keywords a misspelling of `word` may be: the same first letter, and not
        keywords it begins (another form of the word, not a misspelling)."""
        return [key for key in self.fuzzy_words if key[0] == word[0] and not key.startswith(word)]

    def _fuzzy_hit(self, start: int, end: int, key: str, ratio: float) -> list[Hit]:
        scale = 0.85 * ratio / 100  # always below an exact match
        by_type: dict[str, list[tuple[str, float]]] = {}
        for entry in self.dictionary[key]:
            by_type.setdefault(entry.type, []).append((entry.value, round(entry.score * scale, 3)))
        return [Hit(type, start, end, tuple(values), fuzzy=True) for type, values in by_type.items()]

    # --- hits -> mentions, scored in the question's context ---------------------------------------

    def _mentions(self, question: str, tokens: list[Token], hits: list[Hit]) -> tuple[Mention, ...]:
        competitions = {name for h in hits if h.type == "competition" for v, s in h.values if s >= 1.0 for name in COMPETITIONS[v]}
        women = any(h.type == "gender" for h in hits)
        types_on_span: dict[tuple[int, int], set[str]] = {}
        for hit in hits:
            types_on_span.setdefault((hit.start, hit.end), set()).add(hit.type)

        mentions = []
        for hit in hits:
            values = list(hit.values)
            hit_text = question[hit.start:hit.end]
            rivals = types_on_span[(hit.start, hit.end)] - {hit.type}
            if hit.type == "player":
                weights: dict[str, float] = {}
                for value, weight in values:
                    weights[value] = max(weight, weights.get(value, 0.0))
                values = _popularity_scores(weights, self._player_popularity(weights, competitions, women))
            elif hit.type in ("team", "place", "ground") and rivals & {"team", "place", "ground"}:
                values = _rescore_by_cue(hit, rivals | {hit.type}, _words_before(tokens, hit))
            elif hit.type == "competition" and "IPL" in competitions and _fold(hit_text) in GENERIC_T20:
                values = [(v, 0.5) for v, _ in values]  # "T20 strike rates in IPL 2023": any T20
            values = sorted(values, key=lambda vs: (-vs[1], vs[0]))[:MAX_CANDIDATES]
            candidates = tuple(Candidate(v, s) for v, s in values)
            ambiguous = len(candidates) > 1 and candidates[1].score >= CLOSE * candidates[0].score
            mentions.append(Mention(hit.type, hit.start, hit.end, hit_text, candidates, ambiguous, hit.fuzzy))
        mentions = _modals_not_names(question, _guesses_not_subjects(question, mentions))
        mentions = _batters_scoring_off(question, _verbs_not_dismissals(question, mentions))
        if not women:
            mentions += self._implied_women(mentions)
        return tuple(sorted(mentions, key=lambda m: (m.start, m.end, m.type, m.candidates[0].value)))

    def genders_played(self, player: str) -> set[str]:
        """"male", "female" or both: the kinds of cricket a player (display name) has matches in."""
        return {gender for _, gender in self.popularity.get(player, {})}

    def _implied_women(self, mentions: list[Mention]) -> list[Mention]:
        """A named women's player means women's cricket without the word (DESIGN's convention):
        when every player the question names has played only women's matches."""
        players = [m for m in mentions if m.type == "player" and not m.fuzzy]
        if not players or not all(
            self.genders_played(m.candidates[0].value) == {"female"} for m in players
        ):
            return []
        return [Mention("gender", m.start, m.end, m.text, (Candidate("women", 0.9),), False) for m in players[:1]]

    def _player_popularity(self, weights: dict[str, float], competitions: set[str], women: bool) -> dict[str, int]:
        """Matches each candidate played in the question's formats (and women's cricket if asked)."""
        def count(value: str, formats: set[str]) -> int:
            return sum(
                n for (competition, gender), n in self.popularity.get(value, {}).items()
                if (not formats or competition in formats) and (not women or gender == "female")
            )
        in_context = {value: count(value, competitions) for value in weights}
        if competitions and not any(in_context.values()):
            in_context = {value: count(value, set()) for value in weights}
        return in_context


# What comes before "<player> bowled" when the player did the bowling: an auxiliary ("has Starc
# bowled"), a clause ("when Starc bowled") or what was bowled ("the spells Starc bowled"); "was
# Smith bowled" is a dismissal.
_ACTIVE_BEFORE = re.compile(r"\b((has|have|had|did|does|do|when|while|whenever)|(innings|spells?|overs?|balls|deliveries|maidens|matches|games)"
                            r"(\s+(that|which))?)\s+$", re.I)


# "Can you list them", "can u show": a modal verb before a pronoun is no team ("can": Canada).
_MODAL_BEFORE_PRONOUN = re.compile(r"(can|could|will|would|may|shall|should|did|does|do)\s+"
                                   r"(you|u|i|we|someone|anyone|somebody|anybody|they)\b", re.I)


def _modals_not_names(question: str, mentions: list[Mention]) -> list[Mention]:
    def a_modal_verb(mention: Mention) -> bool:
        modal = _MODAL_BEFORE_PRONOUN.match(question, mention.start)
        return modal is not None and modal.end(1) == mention.end

    return [m for m in mentions if not (m.type in NAME_TYPES and a_modal_verb(m))]


# "Who has the most ODI tons? I reckon Lanning, but is Mandhana close?": names in the asker's own
# guess are what the answer will show, not whom the question is about.
_GUESS = re.compile(r"\b(i reckon|i think|i guess|i bet|i believe|i suspect|i'?d (say|guess|bet|have thought)|"
                    r"my (money|guess|bet) (is|'?s|would be)|my money'?s on|surely it'?s)\b[^.?!]*[.?!]?", re.I)
_WHO_ASKED = re.compile(r"\bwho\b|\bwhich (batters?|bowlers?|players?|sides?|teams?)\b", re.I)


def _guesses_not_subjects(question: str, mentions: list[Mention]) -> list[Mention]:
    guesses = [match.span() for match in _GUESS.finditer(question)]
    if not guesses or not _WHO_ASKED.search(re.sub(_GUESS, " ", question)):
        return mentions
    return [m for m in mentions if not (m.type == "player" and any(a <= m.start < b for a, b in guesses))]


# "Runs scored off Bumrah" are the bowler's (a compound, dsl/data/phrases.json); after a player,
# "Gayle (has) scored off Malinga", they are the batter's.
_SCORED_OFF = re.compile(r"(scored|taken|score|scores|scoring|made)\s+off$")


def _batters_scoring_off(question: str, mentions: list[Mention]) -> list[Mention]:
    def after_a_player(mention: Mention) -> bool:
        return any(m.type == "player" and re.fullmatch(r"\s+((has|have|had)\s+)?", question[m.end:mention.start])
                   for m in mentions)

    return [replace(m, candidates=(Candidate("batting", m.candidates[0].score),))
            if m.type == "subject" and _SCORED_OFF.search(_fold(m.text)) and after_a_player(m) else m
            for m in mentions]


def _verbs_not_dismissals(question: str, mentions: list[Mention]) -> list[Mention]:
    """ "bowled the most wides", "dot balls bowled", "the innings Starc bowled": a dismissal word
    next to what the verb acts on, or right after the player who did it, is the verb, so it is no
    dismissal filter ("was Smith bowled", "Smith bowled dismissals" stay dismissals)."""
    def acts_on_a_stat(mention: Mention) -> bool:
        objects = VERB_OBJECTS.get(_fold(mention.text), frozenset())
        return any(m.type == "stat" and (0 <= m.start - mention.end <= 16 or 0 <= mention.start - m.end <= 2)
                   and m.candidates[0].value in objects for m in mentions)

    def done_by_a_player(mention: Mention) -> bool:
        if _fold(mention.text) not in VERB_OBJECTS:
            return False
        return any(m.type == "player" and 0 < mention.start - m.end <= 2 and question[m.end:mention.start].isspace()
                   and _ACTIVE_BEFORE.search(question[:m.start]) for m in mentions)

    return [m for m in mentions if not (m.type == "dismissal" and (acts_on_a_stat(m) or done_by_a_player(m)))]


def misspelt_readings(linked: Linked) -> list[Mention]:
    """The likeliest reading of each word read as a misspelt keyword (names are asked about, not
    read), one per span: what the notes say and what the question is rewritten with."""
    best: dict[tuple[int, int], Mention] = {}
    for mention in linked.mentions:
        if mention.fuzzy and mention.type not in NAME_TYPES:
            kept = best.get((mention.start, mention.end))
            if kept is None or mention.candidates[0].score > kept.candidates[0].score:
                best[(mention.start, mention.end)] = mention
    return list(best.values())


_VERSUS = frozenset({"v", "vs", "versus", "agst", "against"})
# Words after a name that ask for that player's own record ("root scores at lords").
_OWN_RECORD = frozenset({"scores", "knocks", "innings", "figures", "spells", "stats", "statistics", "record", "career",
                         "numbers"})
_INTERROGATIVES = frozenset({"what", "which", "who", "whose", "whom", "when", "where", "why", "how"})
_CLAUSE_BREAK = re.compile(r"[,;:()]")


def _by_first_name(by_surname: dict[str, set[tuple[str, str]]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for parts in by_surname.values():
        for first_part, display in parts:
            first = first_part.split()[0]
            if len(first) >= 3:  # a whole name, not initials ("ms")
                found.setdefault(first, set()).add(display)
    return {first: tuple(sorted(players)) for first, players in found.items()}


def _transpositions(keys: Iterable[str]) -> dict[str, str]:
    """Each key with two neighbouring (different) letters swapped -> the key; a swap that two keys
    share names neither."""
    found: dict[str, set[str]] = {}
    for key in keys:
        for j in range(len(key) - 1):
            if key[j] != key[j + 1]:
                found.setdefault(key[:j] + key[j + 1] + key[j] + key[j + 2:], set()).add(key)
    return {swapped: next(iter(owners)) for swapped, owners in found.items() if len(owners) == 1}


def _looks_like_a_name(token: Token, index: int) -> bool:
    """May an everyday word ("Root", "Hope", "Best") be read as a name here?

    Only capitalised; and as a question's first word, where a capital says nothing, a common
    sentence opener only in the possessive or in capitals: "Head's hundreds", "SKY's strike
    rate" and "Holder test wickets" yes, "Best economy in IPL" and "How many..." no.
    """
    if not token.capitalised:
        return False
    if index == 0 and token.norm in _INTERROGATIVES:
        return False  # "How's Stokes going" is "how is": no one's possessive
    return index > 0 or token.possessive or token.all_caps or token.norm not in SENTENCE_OPENERS


def _words_before(tokens: list[Token], hit: Hit) -> tuple[str | None, bool]:
    """(the word before a mention, "the" skipped, or the two when they end in "of" or "to" ("tour of");
    whether the mention ends in a possessive)."""
    inside = [i for i, t in enumerate(tokens) if t.start >= hit.start and t.end <= hit.end]
    if not inside:
        return None, False
    before = [t.norm for t in tokens[:inside[0]] if t.norm != "the"]
    word = " ".join(before[-2:]) if before[-2:-1] and before[-1] in ("of", "to") else (before[-1] if before else None)
    return word, tokens[inside[-1]].possessive


def _rescore_by_cue(hit: Hit, types_here: set[str], context: tuple[str | None, bool]) -> list[tuple[str, float]]:
    """One name read as team, place or ground ("India", "Galle"): the words around it decide.

    "vs India", "India's" -> the team; "in India" -> the place; "at Galle" -> the ground.
    Without a cue the dictionary scores stand (a country's team before the country).
    """
    word, possessive = context
    if possessive or word in TEAM_CUES:
        cued = "team"
    elif word == "at" and "ground" in types_here:
        cued = "ground"
    elif word in PLACE_CUES:
        cued = "place"
    else:
        return list(hit.values)
    if cued not in types_here:
        return list(hit.values)
    if hit.type != cued:
        return [(value, round(score * 0.5, 3)) for value, score in hit.values]
    lift = 1.0 - max(score for _, score in hit.values)  # the cued reading's best becomes 1.0
    return [(value, round(score + lift, 3)) for value, score in hit.values]


def _split_stats(tokens: list[Token], free: list[bool]) -> list[Hit]:
    """"highest Test score", "lowest ODI totals": a stat phrase cut in two by a format word.

    The noun ("score") becomes the stat when a qualifier ("highest") stands up to three words
    before it and only format, gender or innings words lie between.
    """
    hits = []
    for j, token in enumerate(tokens):
        nouns = SPLIT_STATS.get(token.norm)
        if not nouns or not free[j]:
            continue
        for k in range(j - 2, max(-1, j - 4), -1):
            between = tokens[k + 1:j]
            if not all(t.norm in SPLIT_SKIPPABLE or not free[k + 1 + n] for n, t in enumerate(between)):
                break
            if tokens[k].norm in nouns:
                hits.append(Hit("stat", token.start, token.end, ((nouns[tokens[k].norm], 1.0),)))
                free[j] = False
                break
    return hits


def _leftover_numbers(tokens: list[Token], free: list[bool]) -> list[Hit]:
    """Integers no rule explained ("with 5 wickets") are still numbers, scored lower. isdecimal, not
    isdigit: int() cannot read digits such as '፩' or '²'."""
    hits = []
    for i, token in enumerate(tokens):
        if free[i] and token.norm.isdecimal() and len(token.norm) <= 6 and int(token.norm) > 0:
            free[i] = False
            hits.append(Hit("number", token.start, token.end, ((str(int(token.norm)), 0.7),)))
    return hits
