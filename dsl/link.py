"""Linking: find in a question, deterministically and fast, the values the DSL needs.

"Kohli's ODI avg vs Aus since 2015" becomes typed mentions: player "Virat Kohli", competition
"odi", stat "average", team "Australia", span "since", year "2015". Each mention has its
character span, up to three scored candidates spelled as the DSL and the database spell them,
and an ambiguity flag ("Smith"). The per-question grammar lets each DSL slot take only the
linked values of its type, and retrieval searches on the masked question ("<player>
<competition> avg vs <team> since <year>"). PILOT.md measured why: a small model chooses well
among given values but spells and places names badly.

How, in order (each step claims text the later ones may not reuse):
1. regular expressions find what needs its neighbouring words: seasons, year spans, tosses,
   over ranges, innings numbers, batting positions, ranking counts and qualifications;
2. the longest token n-grams found in dictionaries built once per database claim the rest
   without overlapping: player names and nicknames, teams and abbreviations, grounds, cities,
   countries, events, and the format, stat and cue words;
3. leftover integers become numbers, and leftover unknown words of 5+ letters get one fuzzy try
   (rapidfuzz) against player and ground names, scored below an exact match.
No model and no database query per question: `Linker.from_engine` loads everything once.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from dsl.resolve import COMPETITIONS
from statsdb import schema

DATA_DIR = Path(__file__).parent / "data"
# Bump when masking changes, so retrieval rebuilds indexes built on the old masked questions.
MASK_VERSION = "link-1"

# Types whose mentions `Linked.masked` replaces: the values. Cue words ("since", "avg", "vs")
# stay, because they carry the question's structure that retrieval should match on.
MASKED_TYPES = ("player", "team", "ground", "place", "event", "competition", "year", "season", "number")
NAME_TYPES = ("player", "team", "ground", "place")
MAX_CANDIDATES = 3
CLOSE = 0.85  # a runner-up scoring at least this share of the best makes a mention ambiguous
KEEP = 0.7  # candidates below this share of the best are dropped
MIN_SURNAME_MATCHES = 10  # "Kohli" alone links only players with this many matches


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

    def values(self, type: str) -> list[str]:
        """Candidate values of one type over all mentions, best first, each once."""
        scored = [
            (-c.score, order, c.value)
            for order, m in enumerate(self.mentions) if m.type == type
            for c in m.candidates
        ]
        return list(dict.fromkeys(value for _, _, value in sorted(scored)))

    def masked(self) -> str:
        """The question with each value mention replaced by "<type>", for retrieval."""
        shown: dict[tuple[int, int], Mention] = {}  # span -> its best-scored maskable mention
        for mention in self.mentions:
            if mention.type in MASKED_TYPES and _maskable(mention):
                old = shown.get((mention.start, mention.end))
                if old is None or mention.candidates[0].score > old.candidates[0].score:
                    shown[(mention.start, mention.end)] = mention
        parts, position = [], 0
        for (start, end), mention in sorted(shown.items(), key=lambda item: (item[0][0], -item[0][1])):
            if start < position:
                continue  # inside a longer span already masked
            parts += [self.question[position:start], f"<{mention.type}>"]
            position = end
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


# --- words the DSL has a keyword for -----------------------------------------------------------
# value -> phrases as fans write them. Phrases are folded like questions ("five-fors" and
# "five fors" are the same key), so list each wording once.

COMPETITION_WORDS = {
    "test": ("test", "tests", "test match", "test matches", "test cricket", "test series", "test format"),
    "odi": ("odi", "odis", "odi cricket", "odi match", "odi matches", "odi series", "odi format", "one day",
            "one days", "one dayer", "one dayers", "one day international", "one day internationals",
            "one day match", "one day matches", "one day cricket", "50 over", "50 overs", "fifty over"),
    "t20i": ("t20i", "t20is", "t20", "t20s", "t20 international", "t20 internationals", "t20i cricket",
             "t20 cricket", "t20 match", "t20 matches", "t20i match", "t20i matches", "t20 series",
             "t20i series", "twenty20", "twenty20s", "twenty20 international", "twenty20 internationals",
             "t 20", "t20 format"),
    "ipl": ("ipl", "ipls", "indian premier league", "ipl cricket", "ipl match", "ipl matches"),
}
GENDER_WORDS = {"women": ("women", "woman", "womens", "female", "females", "ladies", "lady", "girls")}
EVENT_WORDS = {
    "World Cup": ("world cup", "world cups", "worldcup", "wc", "wcs", "cwc", "cricket world cup",
                  "odi world cup", "odi wc", "50 over world cup", "icc world cup", "icc cricket world cup"),
    "T20 World Cup": ("t20 world cup", "t20 world cups", "t20 worldcup", "t20 wc", "t20wc", "t20i world cup",
                      "world t20", "world t20s", "wt20", "world twenty20", "icc world twenty20",
                      "icc world t20", "icc t20 world cup", "twenty20 world cup"),
    "Champions Trophy": ("champions trophy", "champions trophies", "icc champions trophy"),
    "Asia Cup": ("asia cup", "asia cups"),
    "Ashes": ("ashes", "the ashes", "ashes series"),
}
# An event implies its format (a fan's "World Cup" is the ODI one), scored below a format word.
EVENT_FORMAT = {"World Cup": ("odi", 0.8), "T20 World Cup": ("t20i", 0.9),
                "Champions Trophy": ("odi", 0.8), "Ashes": ("test", 0.8)}
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
SUBJECT_WORDS = {
    "batting": ("batter", "batters", "batsman", "batsmen", "batswoman", "batswomen", "batting", "bat",
                "scored", "scorer", "scorers", "scoring", "run scorer", "run scorers", "run getter",
                "run getters", "hitter", "hitters"),
    "bowling": ("bowler", "bowlers", "bowling", "bowl", "took", "taken", "take", "wicket taker",
                "wicket takers", "spinner", "spinners", "seamer", "seamers", "pacer", "pacers", "quicks",
                "fast bowler", "fast bowlers", "conceded", "dismissed"),
    "fielding": ("fielder", "fielders", "fielding", "fielded", "keeper", "keepers", "wicketkeeper",
                 "wicketkeepers", "wicket keeper", "wicket keepers", "wk", "keeping"),
    "team": ("team", "teams", "side", "sides", "beat", "beaten", "nation", "nations", "country",
             "countries", "franchise", "franchises"),
}
PHASE_WORDS = {
    "powerplay": ("powerplay", "powerplays", "power play", "power plays", "pp"),
    "middle overs": ("middle overs", "middle over", "middle phase"),
    "death overs": ("death overs", "death over", "death", "at the death", "slog overs"),
}
RESULT_WORDS = {
    "won": ("won", "in wins", "in victories", "in a winning cause", "in winning causes", "winning cause",
            "winning causes", "won matches", "matches won", "winning matches", "in a win"),
    "lost": ("lost", "in losses", "in defeats", "in a losing cause", "in losing causes", "losing cause",
             "losing causes", "lost matches", "matches lost", "losing matches", "in a loss", "in a defeat"),
    "drawn": ("drawn", "drawn matches", "drawn tests", "in draws"),
    "tied": ("tied", "tied matches", "in ties"),
}
BATTING_ORDER_WORDS = {
    "batting first": ("batting first", "bat first", "batted first", "bats first", "batting 1st",
                      "setting a target", "setting targets", "set a target", "setting a total",
                      "defending", "defending a total", "defending totals"),
    "chasing": ("chasing", "chase", "chases", "chased", "run chase", "run chases", "in chases",
                "while chasing", "batting second", "bat second", "batted second", "bats second",
                "batting 2nd", "chasing down"),
}
HOME_AWAY_WORDS = {
    "home": ("home", "at home", "home matches", "home games", "home soil", "home conditions", "home series"),
    "away": ("away", "away from home", "overseas", "abroad", "away matches", "away games", "on tour"),
    "neutral": ("neutral", "neutral venue", "neutral venues", "neutral ground", "neutral grounds"),
}
DISMISSAL_WORDS = {
    "caught": ("caught", "caught out", "caught behind"),
    "bowled": ("bowled",),
    "lbw": ("lbw", "lbws", "leg before", "leg before wicket"),
    "run out": ("run out", "runout"),
    "stumped": ("stumped",),
    "hit wicket": ("hit wicket", "hit wickets"),
}
STAGE_WORDS = {
    "final": ("final", "finals", "grand final"),
    "knockouts": ("knockout", "knockouts", "knock out", "knock outs", "knockout matches", "knockout stage",
                  "semi final", "semi finals", "semifinal", "semifinals", "semis", "playoff", "playoffs",
                  "play off", "play offs", "eliminator", "eliminators", "qualifier", "qualifiers",
                  "quarter final", "quarter finals", "quarterfinal", "quarterfinals"),
}
KEYWORD_TABLES = {
    "competition": COMPETITION_WORDS, "gender": GENDER_WORDS, "event": EVENT_WORDS, "stat": STAT_WORDS,
    "subject": SUBJECT_WORDS, "phase": PHASE_WORDS, "result": RESULT_WORDS,
    "batting_order": BATTING_ORDER_WORDS, "home_away": HOME_AWAY_WORDS, "dismissal": DISMISSAL_WORDS,
    "stage": STAGE_WORDS,
}
# Phrases that say two things at once, each with its own confidence.
COMPOUND_WORDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "batting average": (("stat", "average", 1.0), ("subject", "batting", 1.0)),
    "bowling average": (("stat", "average", 1.0), ("subject", "bowling", 1.0)),
    "batting strike rate": (("stat", "strike rate", 1.0), ("subject", "batting", 1.0)),
    "bowling strike rate": (("stat", "strike rate", 1.0), ("subject", "bowling", 1.0)),
    "runs scored": (("stat", "runs", 1.0), ("subject", "batting", 1.0)),
    "runs conceded": (("stat", "runs", 1.0), ("subject", "bowling", 1.0)),
    "boundaries": (("stat", "fours", 0.9), ("stat", "sixes", 0.9), ("subject", "batting", 0.6)),
    "boundary": (("stat", "fours", 0.9), ("stat", "sixes", 0.9)),
    "won": (("result", "won", 0.8), ("stat", "wins", 0.7), ("subject", "team", 0.6)),
    "lost": (("result", "lost", 0.8), ("subject", "team", 0.6)),
    "bowled": (("dismissal", "bowled", 0.8), ("subject", "bowling", 0.6)),
    "wicket taker": (("subject", "bowling", 1.0), ("stat", "wickets", 0.8)),
    "wicket takers": (("subject", "bowling", 1.0), ("stat", "wickets", 0.8)),
    "run scorer": (("subject", "batting", 1.0), ("stat", "runs", 0.8)),
    "run scorers": (("subject", "batting", 1.0), ("stat", "runs", 0.8)),
    "run getters": (("subject", "batting", 1.0), ("stat", "runs", 0.8)),
}

# Everyday or cricket words that are also surnames, nicknames or abbreviations: as a name they
# link only when capitalised ("Root's hundreds", not "root of the problem").
COMMON_WORDS = frozenset("""
    a am an as at be by do go he how i if in is it me my no of on or so to up us we ok key man men
    may will can ban bang mark marks major over power rain sandy penny page love long grant cash
    root head cook hope wood best little young short rich king bell broad green stone white hand
    hill hook jack joy lamb main mills moor nation peace price prince rock rocket sunny ball bond
    bull butcher carter chase cross dean deep fields flower foster fowler france frank french glen
    glover hall hay hunter knight knights mason miles north post read rose sharp smart stocks
    sunday tear tribe turner wade walker ward watts webster win worker wright cutting cutler drake
    gale batty butt sole wharf down field fielder holder archer roach marsh baker brown black
    parsons barry cope pope mustard player players ace aces dot dots
    sky punter pigeon pup belly midge fizz
    providence centurion derby nelson victoria
""".split())

# Everyday words that often open a question ("Best economy in IPL", "How many"): there, a capital
# says nothing, so as the first word they link as a name only in the possessive ("Head's").
SENTENCE_OPENERS = frozenset("""
    a am an as at be by do go how i if in is it me my no of on or so to up us we ok key man may will
    can best short young little long over down head win post read main major page field fields dot
    ace deep power rain love grant
""".split())

# Words a question uses that are never names: a leftover word in this list gets no fuzzy try.
VOCABULARY = frozenset("""
    what which who whose whom when where why how many much most least more less fewest highest lowest
    biggest smallest best worst fastest slowest top bottom leading record records career overall total
    number numbers list show give tell find compare comparison against versus between since after
    before during until from with without while across per each every their there these those them
    they this that than then have has had been being were was does did done doing scored scoring score
    scores take taken took hit hits hitting made make makes making play played playing plays player
    players cricketer cricketers debut captain captains captaincy skipper partnership partnerships
    series season seasons tournament tournaments edition editions year years decade month months
    opponents opponent opposition against grounds ground venue venues stadium stadiums city cities
    country countries nation nations world cricket international internationals league leagues format
    formats innings inning match matches batting bowling fielding batter bowler fielder keeper
    average strike economy wickets runs hundreds fifties centuries ducks sixes fours catches stumpings
    maidens figures spell spells delivery deliveries balls over overs powerplay death middle first
    second third fourth fifth last final finals semi semis opening opener openers position order
    lower upper middle chasing chase defending target targets total totals margin margins victory
    victories defeat defeats result results toss tosses elected chose decided field bat bowl
    home away abroad overseas neutral conditions pitch pitches surface under lights day night
    above below under about around almost nearly exactly least minimum maximum qualify qualifying
    qualification innings minimum highest ever all time alltime history historic
    currently current active retired still recent recently latest previous earlier later
    whole entire full half double triple single quickest longest shortest youngest oldest
    times time instances occasions often frequently again twice thrice once
    runs wicket wickets hundred century fifty duck six four catch stumping maiden
    average averages rate rates percent percentage ratio strike economy balls faced bowled conceded
    please could would should shall might must need want know like about also only just even
    including include includes excluding exclude excludes among within outside inside without
    other others another same different both either neither none any some such very really
    teams team side sides squad squads members member nations tour tours touring tourists hosts
    australia india england pakistan zealand africa lanka indies bangladesh zimbabwe ireland
    scotland netherlands handers hander handed left right arm armers spin spinner pace pacer seam
    swing bouncer bouncers yorker yorkers googly
""".split())

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}
ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "first": 1, "second": 2, "third": 3, "fourth": 4}

# Places fans name differently from the database (old city names, islands for their grounds'
# city, abbreviations of host countries). The database's own cities and countries need no entry.
PLACE_ALIASES = {
    "bangalore": "Bengaluru", "bombay": "Mumbai", "calcutta": "Kolkata", "madras": "Chennai",
    "new delhi": "Delhi", "chittagong": "Chattogram", "port elizabeth": "Gqeberha", "vizag": "Visakhapatnam",
    "barbados": "Bridgetown", "jamaica": "Kingston", "trinidad": "Port of Spain", "st lucia": "Gros Islet",
    "saint lucia": "Gros Islet", "guyana": "Providence", "st kitts": "Basseterre", "grenada": "St George's",
    "antigua": "North Sound", "aus": "Australia", "oz": "Australia", "ind": "India", "eng": "England",
    "uk": "England", "pak": "Pakistan", "sa": "South Africa", "rsa": "South Africa", "nz": "New Zealand",
    "sl": "Sri Lanka", "lanka": "Sri Lanka", "wi": "West Indies", "windies": "West Indies",
    "caribbean": "West Indies", "ban": "Bangladesh", "bd": "Bangladesh", "zim": "Zimbabwe",
    "uae": "United Arab Emirates", "emirates": "United Arab Emirates", "usa": "United States of America",
    "us": "United States of America", "america": "United States of America",
    "united states": "United States of America", "holland": "Netherlands", "the netherlands": "Netherlands",
}

# Stat phrases that a format word can split ("highest Test score"): noun -> qualifier -> stat.
_HIGH_SCORE = {"highest": "high score", "best": "high score", "top": "high score", "biggest": "high score"}
_TOTALS = {"highest": "highest total", "biggest": "highest total", "lowest": "lowest total",
           "smallest": "lowest total", "average": "average total"}
SPLIT_STATS = {"score": _HIGH_SCORE, "scores": _HIGH_SCORE, "total": _TOTALS, "totals": _TOTALS,
               "figures": {"best": "best figures"}}
SPLIT_SKIPPABLE = frozenset("""
    test tests odi odis t20i t20is t20 t20s ipl women womens men mens individual team innings ever
    match career
""".split())
# T20 words that name any T20 match: next to "IPL" they are not T20 internationals.
GENERIC_T20 = frozenset({
    "t20", "t20s", "t20 cricket", "twenty20", "twenty20s", "t 20", "t20 match", "t20 matches",
})

# Words just before a country name that say team ("vs India") or place ("in India").
TEAM_CUES = frozenset("""
    vs v versus against agst beat beating beaten playing facing faced for by represent representing
""".split())
PLACE_CUES = frozenset("in at hosted".split())


# --- the dictionaries --------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """What one lookup key can mean."""

    type: str
    value: str
    score: float
    needs_capital: bool = False  # an everyday word ("root") counts as a name only when capitalised


@dataclass(frozen=True)
class _Names:
    """Everything the database knows by name, as loaded (see `load_names`)."""

    players: list[tuple[str, str, str]]  # (id, Cricsheet name, display name)
    player_aliases: list[tuple[str, str]]  # (id, alias)
    player_matches: dict[str, dict[tuple[str, str], int]]  # id -> (competition, gender) -> matches
    teams: list[str]
    venues: list[tuple[int, str, str | None, str | None]]  # (id, ground, city, country)
    venue_aliases: list[tuple[int, str]]
    venue_matches: dict[int, int]


def load_names(engine: Engine) -> _Names:
    p, pa, mp, m, t, v = (schema.players, schema.player_aliases, schema.match_players, schema.matches,
                          schema.teams, schema.venues)
    player_matches: dict[str, dict[tuple[str, str], int]] = {}
    with engine.connect() as conn:
        players = [tuple(row) for row in conn.execute(select(p.c.id, p.c.name, p.c.full_name))]
        aliases = [tuple(row) for row in conn.execute(select(pa.c.player_id, pa.c.alias))]
        counts = conn.execute(
            select(mp.c.player_id, m.c.competition, m.c.gender, func.count())
            .select_from(mp.join(m, m.c.id == mp.c.match_id))
            .group_by(mp.c.player_id, m.c.competition, m.c.gender)
        )
        for player_id, competition, gender, n in counts:
            player_matches.setdefault(player_id, {})[(competition, gender)] = n
        teams = list(conn.execute(select(t.c.name)).scalars())
        venues = [tuple(row) for row in conn.execute(select(v.c.id, v.c.ground, v.c.city, v.c.country))]
        venue_matches = dict(conn.execute(select(m.c.venue_id, func.count()).group_by(m.c.venue_id)).all())
    return _Names(players, aliases, player_matches, teams, venues, _venue_aliases(engine, venues), venue_matches)


def _venue_aliases(engine: Engine, venues: list[tuple]) -> list[tuple[int, str]]:
    """The venue_aliases table; databases built before it existed fall back to venues.csv."""
    try:
        with engine.connect() as conn:  # a connection of its own: a failed query spoils the rest
            return [tuple(row) for row in conn.execute(select(schema.venue_aliases))]
    except DBAPIError:
        from statsdb.build import read_venue_gazetteer

        venue_ids = {ground: venue_id for venue_id, ground, _, _ in venues}
        aliases = set()
        for key, row in read_venue_gazetteer().items():
            if row["ground"] in venue_ids:
                for alias in [key.raw_venue, *row["nicknames"].split("|")]:
                    if alias:
                        aliases.add((venue_ids[row["ground"]], alias))
        return sorted(aliases)


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle)]


class _LexiconBuilder:
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
        if words[i] in ("de", "du", "van", "von", "der", "al", "ul", "le", "la", "ten", "da"):
            keys.add(" ".join(words[i:]))
            break
    return {k for k in keys if len(k) >= 3}


def _ground_short_forms(ground: str) -> set[str]:
    """"Sawai Mansingh Stadium" -> {"sawai mansingh"}: fans drop the generic tail."""
    key = _fold(ground)
    for tail in ("international cricket stadium", "cricket stadium", "international stadium",
                 "cricket ground", "stadium", "ground"):
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
class Lexicon:
    entries: dict[str, tuple[Entry, ...]]  # folded key -> what it can mean
    popularity: dict[str, dict[tuple[str, str], int]]  # player display name -> matches by (format, gender)
    fuzzy_keys: frozenset[str]  # database names a misspelt word may be matched against


def build_lexicon(names: _Names) -> Lexicon:
    """Every name and keyword the linker knows, with the player popularity prior."""
    lex = _LexiconBuilder()
    fuzzy_keys: set[str] = set()  # names as the database spells them, not nicknames or short forms
    for type, table in KEYWORD_TABLES.items():
        lex.add_phrases(type, table)
    for phrase, effects in COMPOUND_WORDS.items():
        for type, value, score in effects:
            lex.add(_fold(phrase), type, value, score)
    for stat, phrases in STAT_WORDS.items():
        if stat in STAT_SUBJECT:
            subject, score = STAT_SUBJECT[stat]
            for phrase in phrases:
                lex.add(_fold(phrase), "subject", subject, score)
    for event, phrases in EVENT_WORDS.items():
        if event in EVENT_FORMAT:
            competition, score = EVENT_FORMAT[event]
            for phrase in phrases:
                lex.add(_fold(phrase), "competition", competition, score)

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
            lex.add(key, "place", place, 0.9 if place in countries else 1.0)

    teams = set(names.teams)
    for team in teams:
        for key in name_keys(team):
            lex.add(key, "team", team, 1.0)
    for row in read_csv("team_aliases.csv"):
        if row["team"] in teams:
            key = _fold(row["alias"])
            lex.add(key, "team", row["team"], 0.7 if key in places and row["team"] not in countries else 1.0)

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
            lex.add(key, "ground", ground, score)

    # Players: exact names and aliases, then first+last of long names, surnames, and the
    # hand-written nicknames, which override whatever else a nickname key meant for players.
    display = {player_id: full_name for player_id, _, full_name in names.players}
    total = {pid: sum(c.values()) for pid, c in names.player_matches.items()}
    for player_id, cricsheet_name, full_name in names.players:
        for name in (cricsheet_name, full_name):
            for key in name_keys(name):
                if not lex.has_other_than(key, "player"):
                    lex.add(key, "player", full_name, 1.0)
    for player_id, alias in names.player_aliases:
        for key in name_keys(alias):
            if player_id in display and not lex.has_other_than(key, "player"):
                lex.add(key, "player", display[player_id], 1.0)
    for player_id, _, full_name in names.players:
        if total.get(player_id, 0) < MIN_SURNAME_MATCHES:
            continue
        words = _fold(full_name).split()
        derived = set()
        if len(words) >= 3 and not full_name.split()[0].isupper():
            derived.add((f"{words[0]} {words[-1]}", 0.95))  # "Yashasvi Jaiswal"
        derived |= {(key, 0.9) for key in _surname_keys(full_name)}
        for key, score in derived | {(key, 1.0) for key in name_keys(full_name)}:
            if not lex.has_other_than(key, "player"):
                lex.add(key, "player", full_name, score)
                fuzzy_keys.add(key)
    by_display: dict[str, str] = {}
    for player_id, _, full_name in names.players:
        by_display.setdefault(full_name, player_id)
    nicknames: dict[str, list[str]] = {}
    for row in read_csv("player_nicknames.csv"):
        if row["full_name"] in by_display:
            nicknames.setdefault(_fold(row["nickname"]), []).append(row["full_name"])
    for key, values in nicknames.items():
        lex.replace(key, "player", [(value, 1.0) for value in values])

    popularity: dict[str, dict[tuple[str, str], int]] = {}
    for player_id, counts in names.player_matches.items():
        if player_id in display:
            mine = popularity.setdefault(display[player_id], {})
            for context, n in counts.items():
                mine[context] = mine.get(context, 0) + n
    entries = {key: tuple(found.values()) for key, found in lex.entries.items() if found}
    fuzzy_keys = {
        key for key in fuzzy_keys
        if len(key) >= 5 and key in entries and key not in VOCABULARY
        and all(e.type in ("player", "ground") and not e.needs_capital for e in entries[key])
    }
    return Lexicon(entries, popularity, frozenset(fuzzy_keys))


# --- patterns that need the words around them --------------------------------------------------

@dataclass(frozen=True)
class _Hit:
    type: str
    start: int
    end: int
    values: tuple[tuple[str, float], ...]
    fuzzy: bool = False


_YEAR = r"((?:19|20)\d\d)"
_NUM = r"(\d{1,6}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_COUNT = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"  # never a year
_POSITION = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)"


def _number(text: str) -> int:
    return int(text) if text.isdecimal() else NUMBER_WORDS[text]


def _year_ok(year: int) -> bool:
    return 1990 <= year <= 2030


def _span_hits(kind: str, match: re.Match, years: Iterable[tuple[int, Iterable[int]]]) -> list[_Hit]:
    """A span mention over the whole phrase plus one year mention per year group."""
    hits = [_Hit("span", match.start(), match.end(), ((kind, 1.0),))]
    for group, candidates in years:
        scored = tuple((str(y), 1.0 if i == 0 else 0.8) for i, y in enumerate(candidates))
        hits.append(_Hit("year", match.start(group), match.end(group), scored))
    return hits


def _season(match: re.Match, _: str) -> list[_Hit] | None:
    first = int(match.group(1))
    second = match.group(2)
    last = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    if last < first and len(second) == 2:
        last += 100
    if not (_year_ok(first) and _year_ok(last)) or last <= first:
        return None
    if last == first + 1:  # "2019/20", "2019-20": a split season as Cricsheet names it
        season = f"{first}/{last % 100:02d}"
        return [_Hit("span", match.start(), match.end(), (("season", 1.0),)),
                _Hit("season", match.start(1), match.end(2), ((season, 1.0),))]
    return _span_hits("between", match, [(1, [first]), (2, [last])])  # "2012-16"


def _between(match: re.Match, _: str) -> list[_Hit] | None:
    first, last = int(match.group(1)), int(match.group(2))
    if not (_year_ok(first) and _year_ok(last)) or last <= first:
        return None
    return _span_hits("between", match, [(1, [first]), (2, [last])])


def _decade(match: re.Match, _: str) -> list[_Hit] | None:
    first = int(match.group(1)) * 10
    if not _year_ok(first):
        return None
    return [_Hit("span", match.start(), match.end(), (("between", 1.0),)),
            _Hit("year", match.start(1), match.end(), ((str(first), 1.0),)),
            _Hit("year", match.start(1), match.end(), ((str(first + 9), 1.0),))]


# cue word -> (span kind, years to offer relative to the one written, best first). The DSL's
# `since` includes its year and `before` excludes it, so "after 2014" is `since 2015`.
_YEAR_CUES = {
    "since": ("since", (0,)), "from": ("since", (0,)), "starting": ("since", (0,)),
    "after": ("since", (1, 0)), "post": ("since", (1, 0)),
    "before": ("before", (0,)), "pre": ("before", (0,)), "prior to": ("before", (0,)),
    "until": ("before", (1, 0)), "till": ("before", (1, 0)), "up to": ("before", (1, 0)),
    "upto": ("before", (1, 0)), "through": ("before", (1, 0)),
    "in": ("in_year", (0,)), "during": ("in_year", (0,)), "year": ("in_year", (0,)),
    "season": ("in_year", (0,)),
}


def _cued_year(match: re.Match, _: str) -> list[_Hit] | None:
    year = int(match.group(2))
    if not _year_ok(year):
        return None
    kind, offsets = _YEAR_CUES[re.sub(r"\s+", " ", match.group(1))]
    if match.group(3):  # "from 2015 onwards"
        kind, offsets = "since", (0,)
    return _span_hits(kind, match, [(2, [year + o for o in offsets])])


def _onwards(match: re.Match, _: str) -> list[_Hit] | None:
    year = int(match.group(1))
    return _span_hits("since", match, [(1, [year])]) if _year_ok(year) else None


def _count_or_year(match: re.Match, text: str) -> list[_Hit] | None:
    """"2000 runs" is mostly a count; "Asia Cup 2022 runs" a year (left to the bare-year pattern)."""
    value = int(match.group(1))
    if len(match.group(1)) != 4 or not _year_ok(value):
        return [_number_hit(match, 1, value)]
    if re.search(r"\b(?:cup|wc|ipl|trophy|ashes|t20i?|odi|test|series|season|in|of|during)\s*$",
                 text[:match.start()]):
        return None
    start, end = match.span(1)
    return [_Hit("number", start, end, ((str(value), 0.8),)), _Hit("year", start, end, ((str(value), 0.6),)),
            _Hit("span", start, end, (("in_year", 0.6),))]


def _bare_year(match: re.Match, _: str) -> list[_Hit] | None:
    year = int(match.group(1))
    return _span_hits("in_year", match, [(1, [year])]) if _year_ok(year) else None


def _number_hit(match: re.Match, group: int, value: int) -> _Hit:
    return _Hit("number", match.start(group), match.end(group), ((str(value), 1.0),))


def _over_range(match: re.Match, _: str) -> list[_Hit] | None:
    return [_number_hit(match, 1, int(match.group(1))), _number_hit(match, 2, int(match.group(2)))]


def _first_overs(match: re.Match, _: str) -> list[_Hit] | None:
    # "first 6 overs" -> overs 1-6: the 1 is read from the word "first", which stays unmasked.
    return [_number_hit(match, 1, 1), _number_hit(match, 2, _number(match.group(2)))]


def _last_overs(match: re.Match, text: str) -> list[_Hit] | None:
    # "last 4 overs" -> overs 17-20 of a T20 (41-50 when the question is about ODIs).
    length = 50 if re.search(r"\bodis?\b|\bone[\s-]day", text) else 20
    count = _number(match.group(1))
    if not 0 < count <= length:
        return None
    return [_number_hit(match, 1, length - count + 1), _number_hit(match, 1, length)]


def _one_over(match: re.Match, text: str) -> list[_Hit] | None:
    # "the first over" -> overs 1-1; "the last over" -> 20 (50 in an ODI); "the 19th over" -> 19.
    word = match.group(1)
    if word == "first":
        return [_number_hit(match, 1, 1)]
    if word in ("last", "final"):
        return [_number_hit(match, 1, 50 if re.search(r"\bodis?\b|\bone[\s-]day", text) else 20)]
    return [_number_hit(match, 1, int(word[:-2]))] if 0 < int(word[:-2]) <= 50 else None


def _ordinal_innings(match: re.Match, _: str) -> list[_Hit] | None:
    return [_number_hit(match, 1, ORDINALS[match.group(1)])]


def _plain_number(match: re.Match, _: str) -> list[_Hit] | None:
    value = _number(match.group(1))
    return [_number_hit(match, 1, value)] if value > 0 else None


def _position(match: re.Match, _: str) -> list[_Hit] | None:
    value = _number(match.group(1))
    return [_number_hit(match, 1, value)] if 1 <= value <= 11 else None


def _opener(match: re.Match, _: str) -> list[_Hit] | None:
    # Openers bat at 1 and 2: both numbers, on the word itself.
    return [_Hit("number", match.start(), match.end(), (("1", 1.0),)),
            _Hit("number", match.start(), match.end(), (("2", 1.0),))]


def _toss(match: re.Match, _: str) -> list[_Hit] | None:
    outcome = "won" if match.group(1).startswith("w") else "lost"
    decision = match.group(2)
    if decision:
        decision = "bat" if decision.startswith("bat") else "field"
        return [_Hit("toss", match.start(), match.end(), ((f"{outcome} {decision}", 1.0), (outcome, 0.8)))]
    return [_Hit("toss", match.start(), match.end(), ((outcome, 1.0),))]


_STAT_NOUN = r"(?:runs|balls|deliveries|wickets|wkts|matches|games|innings|overs|catches|sixes|fours|points)"
# (pattern, reader). Earlier patterns win: seasons before year ranges before single years, and
# numbers with a stat after them ("2000 runs") before bare years.
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match, str], list[_Hit] | None]]] = [
    (re.compile(r"\b(won|wins|winning|win|lost|lose|loses|losing)\s+(?:the\s+)?toss(?:es)?\b"
                r"(?:\s*,?\s*(?:and\s+)?(?:then\s+)?(?:chose|chosen|choosing|elected|electing|opted|opting|"
                r"decided|deciding)?\s*(?:to\s+)?(bat|bats|batted|batting|field|fields|fielded|fielding|"
                r"bowl|bowls|bowled|bowling)\b(?:\s+first)?)?"), _toss),
    (re.compile(r"(?<![\d/])(?:(?:between|from)\s+)?" + _YEAR + r"\s*[/-]\s*((?:19|20)?\d\d)(?![\d/])"), _season),
    (re.compile(r"\bbetween\s+" + _YEAR + r"\s+and\s+" + _YEAR + r"\b"), _between),
    (re.compile(r"\b(?:from\s+)?" + _YEAR + r"\s+(?:to|till|until|through)\s+" + _YEAR + r"\b"), _between),
    (re.compile(r"\b(?:the\s+)?((?:19|20)\d)0s\b"), _decade),
    (re.compile(r"\b(since|from|starting|after|post|before|pre|prior\s+to|until|till|up\s+to|upto|through|"
                r"in|during|year|season)\s*-?\s*(?:the\s+)?(?:year\s+)?" + _YEAR +
                r"\b(\s+(?:onwards?|on)\b)?(?!\s*(?:[/-]\s*\d|runs|balls|wickets))"), _cued_year),
    (re.compile(r"\b" + _YEAR + r"\s*(?:onwards?|and\s+after|or\s+later|and\s+later)\b"), _onwards),
    (re.compile(r"\bovers?\s+(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\b"), _over_range),
    (re.compile(r"\b(?:between\s+)?overs?\s+(\d{1,2})\s+and\s+(\d{1,2})\b"), _over_range),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|to)\s*(\d{1,2})(?:st|nd|rd|th)?\s+overs?\b"), _over_range),
    (re.compile(r"\b(first)\s+" + _NUM + r"\s+overs?\b"), _first_overs),
    (re.compile(r"\blast\s+" + _NUM + r"\s+overs?\b"), _last_overs),
    (re.compile(r"\b(1st|2nd|3rd|4th|first|second|third|fourth)[\s-]+(?:innings|inns|inning)\b"), _ordinal_innings),
    (re.compile(r"\b(first|last|final|\d{1,2}(?:st|nd|rd|th))\s+over\b"), _one_over),
    (re.compile(r"\b(?:top|bottom|best|worst|leading)\s*-?\s*" + _COUNT +
                r"\b(?!\s*-?\s*(?:fors?\b|fers?\b|wis?\b|wkts?\s+hauls?|wickets?\s+hauls?|%))"), _plain_number),
    (re.compile(r"\b" + _COUNT + r"\s+(?:highest|lowest|best|worst|biggest|most|leading|fastest)\b"), _plain_number),
    (re.compile(r"(?:\bmin(?:imum)?\.?|\bat\s*least|\bmore\s+than|\bover|\bgreater\s+than|\bwith|>=?|≥)\s*"
                r"(\d{1,6})\b(?!\s*(?:st|nd|rd|th|%))"), _plain_number),
    (re.compile(r"\b(\d{1,6})\s*(?:\+|or\s+more|plus)(?=\s*[a-z])"), _plain_number),
    (re.compile(r"(?:\bnumber|\bno\.?|#|\bnum|\bposition|\bpos)\s*" + _POSITION +
                r"\b(?!\s*(?:%|runs|wickets))"), _position),
    (re.compile(r"\bat\s+" + _POSITION +
                r"\b(?!\s*(?:[-/%.:]\s*\d|%|pm|am|runs|wickets|balls|overs|matches|innings))"), _position),
    (re.compile(r"\bopen(?:er|ers|ing|ed|s)\b"
                r"(?!\s+(?:bowler|bowlers|bowling|spell|spells|match|day|game|partnership|stands?))"), _opener),
    (re.compile(r"(?<![\d/])(\d{4,6})(?=\s*" + _STAT_NOUN + r"\b)"), _count_or_year),
    (re.compile(r"(?<![\w/.])" + _YEAR + r"(?![\w/])"), _bare_year),
]


def _fold_for_patterns(text: str) -> str:
    """Lower case with the same length as `text`, so match positions are question positions."""
    swaps = {"’": "'", "‘": "'", "–": "-", "—": "-"}
    return "".join(swaps.get(ch, ch.lower() if len(ch.lower()) == 1 else ch) for ch in text)


def scan_patterns(text: str) -> tuple[list[_Hit], list[tuple[int, int]]]:
    """Pattern hits and the character ranges they claim (the whole matched phrase)."""
    folded = _fold_for_patterns(text)
    hits: list[_Hit] = []
    claimed: list[tuple[int, int]] = []
    for pattern, read in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(match.start() < end and start < match.end() for start, end in claimed):
                continue
            found = read(match, folded)
            if found:
                hits += found
                claimed.append((match.start(), match.end()))
    return hits, claimed


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
    """The gazetteers of one database and the rules: build once, then `link` each question."""

    # repr=False: printing twenty thousand keys helps nobody reading a test failure.
    lexicon: dict[str, tuple[Entry, ...]] = field(repr=False)
    longest: dict[str, int] = field(repr=False)  # first word of a key -> words in its longest key
    popularity: dict[str, dict[tuple[str, str], int]] = field(repr=False)  # display name -> matches
    fuzzy_single: tuple[str, ...] = field(repr=False)  # one-word player/ground keys for misspelt words
    fuzzy_multi: tuple[str, ...] = field(repr=False)  # several-word keys
    # surname -> (first part, display name) of every player: "Jamie Smith" finds "JL Smith"
    by_surname: dict[str, tuple[tuple[str, str], ...]] = field(repr=False, default_factory=dict)

    @classmethod
    def from_engine(cls, engine: Engine) -> Linker:
        return cls.from_names(load_names(engine))

    @classmethod
    def from_names(cls, names: _Names) -> Linker:
        built = build_lexicon(names)
        longest: dict[str, int] = {}
        for key in built.entries:
            words = key.split(" ")
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
        fuzzy = sorted(built.fuzzy_keys)
        by_surname: dict[str, set[tuple[str, str]]] = {}
        for _, cricsheet_name, display in names.players:
            for name in {cricsheet_name, display}:
                words = _fold(name).split()
                if len(words) >= 2:
                    by_surname.setdefault(words[-1], set()).add((" ".join(words[:-1]), display))
        return cls(
            lexicon=built.entries, longest=longest, popularity=built.popularity,
            fuzzy_single=tuple(k for k in fuzzy if " " not in k),
            fuzzy_multi=tuple(k for k in fuzzy if " " in k),
            by_surname={k: tuple(sorted(v)) for k, v in by_surname.items()},
        )

    def link(self, question: str) -> Linked:
        tokens = tokenize(question)
        hits, claimed = scan_patterns(question)
        free = [not any(t.start < end and start < t.end for start, end in claimed) for t in tokens]
        # In an all-lower-case or all-capitals question, capitals say nothing about names.
        cased = any(ch.islower() for ch in question) and any(ch.isupper() for ch in question)
        hits += _split_stats(tokens, free)
        hits += self._first_name_hits(tokens, free)
        hits += self._lexicon_hits(tokens, free, cased)
        hits += _leftover_numbers(tokens, free)
        hits += self._fuzzy_hits(tokens, free)
        return Linked(question, self._mentions(question, tokens, hits))

    # --- step 2: longest dictionary keys, without overlaps --------------------------------------

    def _lexicon_hits(self, tokens: list[Token], free: list[bool], cased: bool) -> list[_Hit]:
        found = []  # (length, first token, entries)
        for i, token in enumerate(tokens):
            if not free[i]:
                continue
            for length in range(min(self.longest.get(token.norm, 0), len(tokens) - i), 0, -1):
                if not all(free[i:i + length]):
                    continue
                entries = self.lexicon.get(" ".join(t.norm for t in tokens[i:i + length]))
                if entries and length == 1 and not (cased and _looks_like_a_name(token, i)):
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
            hits += [_Hit(type, start, end, tuple(values)) for type, values in by_type.items()]
        return hits

    # --- step 2a: a first name and a surname the register only has with initials ------------------

    def _first_name_hits(self, tokens: list[Token], free: list[bool]) -> list[_Hit]:
        """ "Jamie Smith" -> JL Smith, "Kushal Bhurtel" -> K Bhurtel, "Chris Rogers" -> Christopher
        Rogers: a capitalised word before a surname picks the players whose initials or first name
        it fits. Without this the first name is fuzzily read as some other player's surname."""
        hits = []
        for i in range(len(tokens) - 1):
            first, surname = tokens[i], tokens[i + 1]
            if not (free[i] and free[i + 1] and first.capitalised and first.norm.isalpha()
                    and first.norm not in VOCABULARY and f"{first.norm} {surname.norm}" not in self.lexicon):
                continue
            fits = {display for part, display in self.by_surname.get(surname.norm, ())
                    if _first_name_fits(first.norm, part)}
            if fits:
                free[i] = free[i + 1] = False
                hits.append(_Hit("player", first.start, surname.end, tuple((d, 0.95) for d in sorted(fits))))
        return hits

    # --- step 3: misspelt names -------------------------------------------------------------------

    def _fuzzy_hits(self, tokens: list[Token], free: list[bool]) -> list[_Hit]:
        # Names are capitalised: in a question that uses capitals, a lower-case word is no name.
        any_capitals = any(t.capitalised for t in tokens)

        def unknown(i: int) -> bool:
            token = tokens[i]
            return (free[i] and token.norm.isalpha() and len(token.norm) <= 30
                    and (token.capitalised or not any_capitals)
                    and token.norm not in VOCABULARY and token.norm not in NUMBER_WORDS
                    and token.norm not in self.lexicon)

        hits = []
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
            if len(tokens[i].norm) >= 5:
                best = process.extractOne(tokens[i].norm, self.fuzzy_single, scorer=fuzz.ratio, score_cutoff=80)
                if best:
                    hits += self._fuzzy_hit(tokens[i].start, tokens[i].end, best[0], best[1])
            i += 1
        return hits

    def _fuzzy_hit(self, start: int, end: int, key: str, ratio: float) -> list[_Hit]:
        scale = 0.85 * ratio / 100  # always below an exact match
        by_type: dict[str, list[tuple[str, float]]] = {}
        for entry in self.lexicon[key]:
            by_type.setdefault(entry.type, []).append((entry.value, round(entry.score * scale, 3)))
        return [_Hit(type, start, end, tuple(values), fuzzy=True) for type, values in by_type.items()]

    # --- hits -> mentions, scored in the question's context ---------------------------------------

    def _mentions(self, question: str, tokens: list[Token], hits: list[_Hit]) -> tuple[Mention, ...]:
        competitions = {COMPETITIONS[v] for h in hits if h.type == "competition" for v, s in h.values if s >= 1.0}
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
        mentions.sort(key=lambda m: (m.start, m.end, m.type, m.candidates[0].value))
        return tuple(mentions)

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


def _looks_like_a_name(token: Token, index: int) -> bool:
    """May an everyday word ("Root", "Hope", "Best") be read as a name here?

    Only capitalised; and as a question's first word, where a capital says nothing, a common
    sentence opener only in the possessive or in capitals: "Head's hundreds", "SKY's strike
    rate" and "Holder test wickets" yes, "Best economy in IPL" and "How many..." no.
    """
    if not token.capitalised:
        return False
    return index > 0 or token.possessive or token.all_caps or token.norm not in SENTENCE_OPENERS


def _words_before(tokens: list[Token], hit: _Hit) -> tuple[str | None, bool]:
    """(the word before a mention, "the" skipped; whether the mention ends in a possessive)."""
    inside = [i for i, t in enumerate(tokens) if t.start >= hit.start and t.end <= hit.end]
    if not inside:
        return None, False
    before = [t.norm for t in tokens[:inside[0]] if t.norm != "the"]
    return (before[-1] if before else None), tokens[inside[-1]].possessive


def _rescore_by_cue(hit: _Hit, types_here: set[str], context: tuple[str | None, bool]) -> list[tuple[str, float]]:
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


def _split_stats(tokens: list[Token], free: list[bool]) -> list[_Hit]:
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
                hits.append(_Hit("stat", token.start, token.end, ((nouns[tokens[k].norm], 1.0),)))
                free[j] = False
                break
    return hits


def _leftover_numbers(tokens: list[Token], free: list[bool]) -> list[_Hit]:
    """Integers no rule explained ("with 5 wickets") are still numbers, scored lower. isdecimal, not
    isdigit: int() cannot read digits such as '፩' or '²'."""
    hits = []
    for i, token in enumerate(tokens):
        if free[i] and token.norm.isdecimal() and len(token.norm) <= 6 and int(token.norm) > 0:
            free[i] = False
            hits.append(_Hit("number", token.start, token.end, ((str(int(token.norm)), 0.7),)))
    return hits
