"""The catalogue: every word of the language that names something to show, once.

Each stat, single-innings stat, list kind, group and qualifier is one entry here: its DSL keyword,
the subjects it applies to and its SQL over a source's standard columns (dsl/sql.py), which
direction is better, its default qualification, the source it needs, the words fans use for it
and its English label. Everything else is derived from these entries: the grammar's keyword rules
(dsl/parser.py), the compiler's tables, the candidate stage's tables and the linker's stat words.
Adding a stat is one entry below (plus example pairs and tests).

Sources (dsl/compiler.py): a subject's own source is its scorecard (batting, bowling, fielding) or
its matches (team), switched to deliveries when a filter or group needs ball-by-ball columns.
A form's `source` overrides that: "deliveries" (only ball-by-ball data has it), "scorecards"
(whole-innings facts deliveries cannot give), "squad" (matches played) or "team_innings"; "any"
marks a team form that is right on a team's matches and on its deliveries alike (matches played).
A team's deliveries are its batting: runs, run rate, wickets lost, boundaries (over filters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, func

from dsl import ast
from dsl.sql import (
    best_figures, count_innings, count_matches, count_of, lost, matches, named_player, named_team, per_ball,
    ratio, total, venues, won,
)

SUBJECTS = ("batting", "bowling", "fielding", "team", "partnership")
PLAYER_SUBJECTS = ("batting", "bowling", "fielding")  # a player's own record, from his matches
# The count shown next to an aggregate or a ranking, so a figure comes with its sample size.
CONTEXT_STAT = {"batting": "innings", "bowling": "innings", "fielding": "matches", "team": "matches",
                "partnership": "partnerships"}


@dataclass(frozen=True)
class StatForm:
    """What a stat keyword means for one subject."""

    sql: Callable  # source -> aggregate column
    lower_is_better: bool = False
    qualification: ast.Qualification | None = None  # a ranking's default "min", against one-innings flukes
    source: str | None = None  # None: the subject's own source (see the module docstring)


@dataclass(frozen=True)
class Stat:
    keyword: str
    forms: dict[str, StatForm]  # subject -> form
    words: tuple[str, ...] = ()  # phrases fans write for it, folded like questions
    implies: tuple[str, float] | None = None  # the subject the stat word suggests, and how surely
    label: str = ""
    asked_by: tuple[str, ...] = ()  # other stat keywords a question may use to ask for this one
    # The best single innings (a high score): ranking players by it would say each player's best
    # once, so questions asking for the highest ones are answered by single-innings rankings.
    innings_record: bool = False

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.keyword)


@dataclass(frozen=True)
class InningsForm:
    """How single innings of one subject are ordered best first by an innings stat."""

    order: Callable  # source -> list of ORDER BY clauses, best first
    lower_is_better: bool = False
    qualification: ast.Qualification | None = None
    # None: the subject's innings; "team_matches": whole matches (a result's margin), one per side
    source: str | None = None
    condition: Callable | None = None  # source -> the rows it ranks at all (e.g. wins by runs)


@dataclass(frozen=True)
class InningsStat:
    keyword: str
    forms: dict[str, InningsForm]
    words: tuple[str, ...] = ()  # only where no aggregate stat has the same keyword
    implies: tuple[str, float] | None = None
    asked_by: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.keyword)


@dataclass(frozen=True)
class ListKind:
    keyword: str
    conditions: dict[str, Callable]  # subject -> (source -> condition, or None for every row)


@dataclass(frozen=True)
class Group:
    keyword: str
    key: Callable  # source -> (key column, join or None)
    nouns: str  # regex of the nouns naming one group ("ground|venue|stadium")
    cue: str  # regex of the other words asking for one figure per group
    column: str | None = None  # the source column the key needs, where not every source has it
    ordered: bool = False  # shown in key order (years) rather than best first
    label: str = ""

    @property
    def asked(self) -> str:
        """The regex of every wording asking for one figure per group: the cue, and the forms any
        group noun takes ("ground-wise", "for each of his grounds")."""
        nouns = f"({self.nouns})"
        common = rf"\b{nouns}[- ]wise\b|\bfor (each|every|each one|every one|all) of (his|her|their|its) {nouns}s?\b"
        return f"{common}|{self.cue}"


@dataclass(frozen=True)
class Qualifier:
    keyword: str  # also the stat it measures
    subjects: tuple[str, ...]


def _batting(sql, **options) -> dict[str, StatForm]:
    return {"batting": StatForm(sql, **options)}


def _bowling(sql, **options) -> dict[str, StatForm]:
    return {"bowling": StatForm(sql, **options)}


def _team(sql, **options) -> dict[str, StatForm]:
    return {"team": StatForm(sql, **options)}


def _played(subjects) -> dict[str, StatForm]:
    return {subject: StatForm(count_matches, source="squad" if subject != "team" else "any") for subject in subjects}


def _team_batting(sql, **options) -> StatForm:
    return StatForm(sql, source="deliveries", **options)


_MIN = ast.Qualification

STATS: tuple[Stat, ...] = (
    # --- batting ---
    Stat("runs", {"batting": StatForm(lambda s: total(s.c.runs)), "bowling": StatForm(lambda s: total(s.c.runs)),
                  "team": _team_batting(lambda s: total(s.c.runs)), "partnership": StatForm(lambda s: total(s.c.runs))},
         ("runs", "run tally", "runs tally", "aggregate", "aggregates", "run aggregate", "run aggregates"), implies=("batting", 0.6)),
    # --- partnerships: a stand between two batters for one wicket ---
    Stat("partnerships", {"partnership": StatForm(lambda s: func.count())},
         ("partnerships", "partnership", "stands", "stand", "opening stands", "opening stand",
          "opening partnerships", "opening partnership"), implies=("partnership", 0.9)),
    Stat("hundred stands", {"partnership": StatForm(lambda s: count_of(s.c.runs >= 100))},
         ("hundred stands", "century stands", "century partnerships", "hundred partnerships", "100 partnerships",
          "100 stands", "100 run stands", "100 run partnerships", "hundred run stands", "hundred run partnerships"),
         implies=("partnership", 0.9), label="hundred stands (100+)"),
    Stat("fifty stands", {"partnership": StatForm(lambda s: count_of(s.c.runs >= 50))},
         ("fifty stands", "fifty partnerships", "50 partnerships", "50 stands", "50 run stands",
          "50 run partnerships", "half century stands", "half century partnerships"),
         implies=("partnership", 0.9), label="fifty stands (50+)"),
    Stat("average", {
        "batting": StatForm(lambda s: ratio(func.sum(s.c.runs), func.sum(s.c.outs)), qualification=_MIN("innings", 10)),
        "bowling": StatForm(lambda s: ratio(func.sum(s.c.runs), func.sum(s.c.wickets)), lower_is_better=True,
                            qualification=_MIN("wickets", 10)),
        # as StatsGuru: runs per stand that ended (an unbroken stand adds its runs, not a stand)
        "partnership": StatForm(lambda s: ratio(func.sum(s.c.runs), count_of(~s.c.unbroken)),
                                qualification=_MIN("partnerships", 10)),
    }, ("average", "averages", "avg", "avgs", "ave", "avge", "averaged", "averaging")),
    Stat("strike rate", {
        "batting": StatForm(lambda s: ratio(func.sum(s.c.runs), func.sum(s.c.balls), 100), qualification=_MIN("balls", 250)),
        "bowling": StatForm(lambda s: ratio(func.sum(s.c.balls), func.sum(s.c.wickets)), lower_is_better=True,
                            qualification=_MIN("wickets", 10)),
    }, ("strike rate", "strike rates", "strikerate", "sr")),
    Stat("innings", {subject: StatForm(count_innings) for subject in ("batting", "bowling")},
         ("innings", "inns", "knocks", "innings played")),
    Stat("matches", _played(PLAYER_SUBJECTS + ("team",)),
         ("matches", "match", "games", "game", "appearances", "matches played", "games played", "caps")),
    # Awards are counted over the matches a player was picked for, whatever he did in them.
    # Keyword "match awards": a stat keyword starting with "player" would compete with the player clause.
    Stat("match awards", {subject: StatForm(lambda s: count_of(matches.c.player_of_match_id == s.c.player_id),
                                                   source="squad") for subject in ("batting", "bowling", "fielding")},
         ("match awards", "player of the match", "player of the match awards", "player of the match award", "man of the match",
          "man of the match awards", "man of the match award", "potm", "motm", "potm awards", "motm awards",
          "mom awards", "pom awards"), label="player-of-the-match awards"),
    Stat("not outs", _batting(lambda s: count_innings(s) - total(s.c.outs)), ("not outs", "not out", "notouts"),
         implies=("batting", 0.8)),
    Stat("hundreds", _batting(lambda s: count_of(s.c.runs >= 100), source="scorecards"),
         ("hundreds", "hundred", "centuries", "century", "tons", "ton", "100s"), implies=("batting", 0.8)),
    Stat("fifties", _batting(lambda s: count_of(s.c.runs.between(50, 99)), source="scorecards"),
         ("fifties", "fifty", "half centuries", "half century", "50s", "half tons"), implies=("batting", 0.8)),
    Stat("ducks", _batting(lambda s: count_of(and_(s.c.runs == 0, s.c.outs == 1)), source="scorecards"),
         ("ducks", "duck", "golden ducks", "golden duck"), implies=("batting", 0.8)),
    # Boundaries are mostly asked of batters; a bowling cue ("conceded", "hit for") still wins.
    Stat("fours", {**{subject: StatForm(lambda s: total(s.c.fours)) for subject in ("batting", "bowling")},
                   "team": _team_batting(lambda s: total(s.c.fours))},
         ("fours", "4s"), implies=("batting", 0.75)),
    Stat("sixes", {**{subject: StatForm(lambda s: total(s.c.sixes)) for subject in ("batting", "bowling")},
                   "team": _team_batting(lambda s: total(s.c.sixes))},
         ("sixes", "6s", "maximums", "sixers"), implies=("batting", 0.75)),
    Stat("high score", _batting(lambda s: func.max(s.c.runs), source="scorecards"),
         ("highest score", "highest scores", "high score", "high scores", "top score", "top scores", "best score",
          "best scores", "highest individual score", "hs", "highest individual scores", "biggest score",
          "highest knock"), implies=("batting", 0.8), asked_by=("runs",), innings_record=True),
    Stat("balls", {**{subject: StatForm(lambda s: total(s.c.balls)) for subject in ("batting", "bowling")},
                   "team": _team_batting(lambda s: total(s.c.balls))},
         ("balls", "balls faced", "balls bowled", "deliveries", "deliveries bowled", "deliveries faced")),
    Stat("dismissals", {"batting": StatForm(lambda s: total(s.c.outs)),
                        "fielding": StatForm(lambda s: total(s.c.catches + s.c.stumpings))},
         ("dismissals", "dismissal")),
    Stat("boundary %", _batting(lambda s: ratio(func.sum(s.c.fours + s.c.sixes), func.sum(s.c.balls), 100),
                                qualification=_MIN("balls", 250)),
         ("boundary %", "boundary percentage", "boundary percentages", "boundary percent", "boundary rate",
          "boundary ball %", "boundary ball percentage", "boundaries per ball", "boundary hitting rate"),
         implies=("batting", 0.8), label="boundary % (of balls faced hit for 4 or 6)"),
    Stat("dots", {"batting": StatForm(lambda s: total(s.c.dots), source="deliveries"),
                  "bowling": StatForm(lambda s: total(s.c.dots))},
         ("dot balls", "dot ball", "dots")),
    # --- bowling ---
    Stat("dot-ball %", _bowling(lambda s: ratio(func.sum(s.c.dots), func.sum(s.c.balls), 100),
                                qualification=_MIN("balls", 300)),
         ("dot ball %", "dot ball percentage", "dot ball percentages", "dot percentage", "dot %", "dots %",
          "dot ball percent", "dot ball rate", "percentage of dot balls", "dot balls %"),
         implies=("bowling", 0.8), label="dot-ball % (of legal balls bowled with no run off the bat)"),
    Stat("wickets", {"bowling": StatForm(lambda s: total(s.c.wickets)),
                     "team": _team_batting(lambda s: total(s.c.wickets), lower_is_better=True)},
         ("wickets", "wicket", "wkts", "wkt", "scalps", "scalp", "wickets taken", "haul", "hauls"), implies=("bowling", 0.8),
         asked_by=("dismissals",)),  # a bowler's "lbw dismissals" are his lbw wickets
    Stat("economy", _bowling(lambda s: ratio(func.sum(s.c.runs), func.sum(s.c.balls), 6), lower_is_better=True,
                             qualification=_MIN("balls", 300)),
         ("economy", "economy rate", "economy rates", "econ", "eco", "economical", "expensive", "cheapest",
          "tightest"),
         implies=("bowling", 0.8)),
    Stat("maidens", _bowling(lambda s: total(s.c.maidens), source="scorecards"),
         ("maidens", "maiden", "maiden overs", "maiden over"), implies=("bowling", 0.8)),
    Stat("five-fors", _bowling(lambda s: count_of(s.c.wickets >= 5), source="scorecards"),
         ("five fors", "fivefors", "5 fors", "5fors", "fifers", "fifer", "five wicket hauls", "five wicket haul",
          "five wickets hauls", "5 wicket hauls", "5 wicket haul", "5 wkt hauls", "5wi", "5wis",
          "5 wickets in an innings", "five wickets in an innings", "5 wkts in an innings", "5 fers", "5fers",
          "five wicket innings"), implies=("bowling", 0.8)),
    Stat("hat-tricks", _bowling(lambda s: total(s.c.hat_tricks), source="scorecards"),
         ("hat-tricks", "hat-trick", "hat tricks", "hat trick", "hattricks", "hattrick"), implies=("bowling", 0.8)),
    Stat("best figures", _bowling(best_figures, source="scorecards"),
         ("best figures", "best bowling", "best bowling figures", "bbi", "best spell", "best innings figures",
          "best bowling in an innings"), implies=("bowling", 0.8), asked_by=("wickets",), innings_record=True),
    Stat("wides", _bowling(lambda s: total(s.c.wides)), ("wides", "wide balls"), implies=("bowling", 0.7)),
    Stat("no-balls", _bowling(lambda s: total(s.c.noballs)), ("no balls", "no ball", "noballs", "noball", "nbs"),
         implies=("bowling", 0.7)),
    # --- fielding ---
    Stat("catches", {"fielding": StatForm(lambda s: total(s.c.catches))}, ("catches", "catch", "catches taken"),
         implies=("fielding", 0.8)),
    Stat("stumpings", {"fielding": StatForm(lambda s: total(s.c.stumpings))}, ("stumpings", "stumping"),
         implies=("fielding", 0.8)),
    Stat("run outs", {"fielding": StatForm(lambda s: total(s.c.run_outs))}, ("run outs", "runouts"),
         implies=("fielding", 0.8)),
    # --- team ---
    Stat("wins", _team(lambda s: count_of(won(s))), ("wins", "win", "victories"), implies=("team", 0.8)),
    Stat("losses", _team(lambda s: count_of(lost(s))), ("losses", "loss", "defeats"), implies=("team", 0.8)),
    Stat("draws", _team(lambda s: count_of(matches.c.result == "draw")), ("draws", "draw"), implies=("team", 0.8)),
    Stat("ties", _team(lambda s: count_of(matches.c.result == "tie")), ("ties", "tie"), implies=("team", 0.8)),
    Stat("win %", _team(lambda s: ratio(count_of(won(s)), count_matches(s), 100), qualification=_MIN("matches", 10)),
         ("win %", "win percentage", "winning percentage", "win rate", "win ratio", "win percent", "success rate",
          "percentage of wins"), implies=("team", 0.8)),
    Stat("run rate", _team(lambda s: ratio(func.sum(s.c.runs), func.sum(s.c.balls), 6), source="deliveries",
                           qualification=_MIN("balls", 300)),
         ("run rate", "run rates", "run-rate", "runs per over", "rpo", "scoring rate", "scoring rates"),
         implies=("team", 0.8), label="run rate (runs per 6 legal balls)"),
    Stat("average total", _team(lambda s: ratio(func.sum(s.c.total), func.count()), source="team_innings"),
         ("average total", "average totals", "average team total", "avg total", "avg totals"), implies=("team", 0.8)),
    Stat("highest total", _team(lambda s: func.max(s.c.total), source="team_innings"),
         ("highest total", "highest totals", "highest team total", "highest team totals", "biggest total",
          "biggest totals", "highest team score", "highest innings total"), implies=("team", 0.8)),
    Stat("lowest total", _team(lambda s: func.min(case((s.c.completed, s.c.total))), lower_is_better=True,
                               source="team_innings"),
         ("lowest total", "lowest totals", "lowest team total", "lowest team totals", "lowest team score",
          "smallest total", "lowest score", "lowest scores"), implies=("team", 0.8)),
)

INNINGS_STATS: tuple[InningsStat, ...] = (
    InningsStat("runs", {subject: InningsForm(lambda s: [s.c.runs.desc(), s.c.balls.asc()])
                         for subject in ("batting", "partnership")},
                asked_by=("high score", "partnerships")),
    InningsStat("strike rate", {"batting": InningsForm(lambda s: [per_ball(s.c.runs, s.c.balls).desc()],
                                                       qualification=_MIN("balls", 10))}),
    InningsStat("sixes", {"batting": InningsForm(lambda s: [s.c.sixes.desc(), s.c.runs.desc()])}),
    InningsStat("fours", {"batting": InningsForm(lambda s: [s.c.fours.desc(), s.c.runs.desc()])}),
    InningsStat("figures", {"bowling": InningsForm(lambda s: [s.c.wickets.desc(), s.c.runs.asc()])},
                ("figures", "bowling figures", "spells", "spell"), implies=("bowling", 0.8),
                asked_by=("wickets", "best figures")),
    InningsStat("economy", {"bowling": InningsForm(lambda s: [per_ball(s.c.runs, s.c.balls).asc()],
                                                   lower_is_better=True, qualification=_MIN("balls", 12))}),
    # A winning margin ranks whole matches; with no result filter, the named side's wins.
    InningsStat("runs margin", {"team": InningsForm(lambda s: [matches.c.win_by_runs.desc()], source="team_matches",
                                                    condition=lambda s: and_(matches.c.win_by_runs.is_not(None),
                                                                             matches.c.win_by_innings.is_not(True)))},
                ("biggest wins", "biggest win", "largest wins", "largest win", "heaviest wins", "heaviest win",
                 "biggest victories", "biggest victory", "largest victories", "biggest wins by runs", "wins by runs",
                 "margin of victory", "margins of victory", "winning margin", "winning margins", "biggest margins",
                 "biggest margin", "narrowest wins", "narrowest win", "closest wins", "closest win",
                 "smallest margins", "victory margins", "runs margin"),
                implies=("team", 0.9), label="margin (runs)"),
    InningsStat("wickets margin", {"team": InningsForm(lambda s: [matches.c.win_by_wickets.desc()], source="team_matches",
                                                       condition=lambda s: matches.c.win_by_wickets.is_not(None))},
                ("wins by wickets", "biggest wins by wickets", "won by the most wickets", "wickets margin",
                 "biggest wins chasing", "biggest chases by wickets"),
                implies=("team", 0.9), label="margin (wickets)"),
    InningsStat("total", {"team": InningsForm(lambda s: [s.c.total.desc()])},
                ("total", "totals", "team total", "team totals", "innings total", "innings totals"),
                implies=("team", 0.8), asked_by=("highest total", "lowest total", "runs")),
)

LIST_KINDS: tuple[ListKind, ...] = (
    ListKind("innings", {"batting": lambda s: None, "bowling": lambda s: None}),
    ListKind("hundreds", {"batting": lambda s: s.c.runs >= 100}),
    ListKind("fifties", {"batting": lambda s: s.c.runs.between(50, 99)}),
    ListKind("ducks", {"batting": lambda s: and_(s.c.runs == 0, s.c.outs == 1)}),
    ListKind("five-fors", {"bowling": lambda s: s.c.wickets >= 5}),
    ListKind("hat-tricks", {"bowling": lambda s: s.c.hat_tricks > 0}),
    ListKind("matches", {"team": lambda s: None}),
    ListKind("partnerships", {"partnership": lambda s: None}),
    ListKind("wins", {"team": won}),
    ListKind("losses", {"team": lost}),
    ListKind("draws", {"team": lambda s: matches.c.result == "draw"}),
    ListKind("ties", {"team": lambda s: matches.c.result == "tie"}),
)

GROUPS: tuple[Group, ...] = (
    Group("year", lambda s: (matches.c.year, None), "year|season|calendar year", ordered=True,
          cue=r"\b(by|per|each|every|in each|split by)\s*((ipl|test|odi|t20i)\s+)?(calendar\s+)?(years?|seasons?)\b|"
              r"\b(year|season)[- ]by[- ](year|season)|\bannual|\b(in|during)\s+(which|what)\s+(calendar\s+)?(years?|seasons?)\b"),
    Group("opposition", lambda s: named_team(s.c.opp_id, "opponent"), "opponent|opposition|opposing team",
          cue=r"\b(by|per|against each|vs each|each|split by|for each|against every|vs every)\s+"
              r"(opponent|opposition|opposing team|team they played)s?\b"
              r"|\b(against|vs|versus|v)\s+(each|every|all|which|what)\s+(team|side|country|nation|opponent|opposition)s?\b"),
    Group("team", lambda s: named_team(s.c.team_id, "side"), "team|franchise|side",
          cue=r"(?<!against )(?<!vs )(?<!versus )\b(by|per|for each|each)\s+(team|franchise|side)s?\b"),
    Group("ground", lambda s: (venues.c.ground, None), "ground|venue|stadium",
          cue=r"\b(by|per|at each|each)\s+(ground|venue|stadium)s?\b|\b(which|what)\s+(grounds?|venues?|stadiums?)\b"
              r"|\bwhere (has|have|had|did|does|do)\b"),
    Group("country", lambda s: (venues.c.country, None), "country|host country|nation", label="host country",
          cue=r"\b(by|per|in each|each)\s+(host\s+)?(country|countries|nation)\b"
              r"|\bin\s+(which|what)\s+(host\s+)?(country|countries|nations?)\b"),
    Group("competition", lambda s: (matches.c.competition, None), "format|competition", ordered=True,
          cue=r"\b(by|per|in each|each|across|split by)\s+(format|formats|competition|competitions)\b"),
    Group("wicket", lambda s: (s.c.wicket, None), "wicket", column="wicket", ordered=True, label="partnership wicket",
          cue=r"\b(by|per|for each|each|for every)\s+wicket\b|\bwicket by wicket\b"),
    Group("innings", lambda s: (s.c.innings_number, None), "innings", column="innings_number", ordered=True,
          label="innings number", cue=r"\b(by|per|each)\s+innings(\s+number)?\b"),
    Group("position", lambda s: (s.c.position, None), "position|batting position|slot", column="position",
          ordered=True, label="batting position",
          cue=r"\b(by|per|at each|each)\s+(batting\s+)?(position|number|slot)s?\b"),
    Group("dismissal", lambda s: (s.c.dismissal_kind, None), "dismissal|mode of dismissal|dismissal (type|kind|mode)",
          column="dismissal_kind", label="mode of dismissal",
          cue=r"\b(by|per|each)\s+(dismissal|mode of dismissal|way)s?\b|\bhow (he|she|they) (got|get|was|were) "
              r"out\b|\bways? of (getting )?out\b|\bhow (has|have|is|was|were|did|does|do)\b.*\b(dismissed|out)\b"
              r"|\b(wickets|dismissals)\b.*\bby (type|kind|mode)\b|\bby (type|kind|mode) of (dismissal|wicket)\b"),
    Group("bowler", lambda s: named_player(s.c.against_id, "other_player"), "bowler", column="against_id",
          cue=r"\b(by|per|each|against each|vs each)\s+bowlers?\b|\bwhich bowlers?\b.*\b(dismissed|got|removed)\b|"
              r"\bwho (has |have )?(dismissed|removed|got rid of|troubled)\b"),
    Group("batter", lambda s: named_player(s.c.against_id, "other_player"), "batter|batsman", column="against_id",
          cue=r"\b(by|per|each|against each|vs each)\s+(batter|batsman|batsmen|batters)\b|"
              r"\bwhich (batters|batsmen|batter|batsman)\b|\bwho (has|have|did|does)\s+\S.*?\s+"
              r"(dismissed|dismiss|removed|remove|got rid of|get rid of)\b"),
)

QUALIFIERS: tuple[Qualifier, ...] = (
    Qualifier("innings", ("batting", "bowling")),
    Qualifier("matches", PLAYER_SUBJECTS + ("team",)),
    Qualifier("partnerships", ("partnership",)),
    Qualifier("runs", ("batting", "bowling", "team")),
    Qualifier("balls", ("batting", "bowling", "team")),
    Qualifier("wickets", ("bowling",)),
)


# --- lookups derived from the entries above ------------------------------------------------------

STAT = {stat.keyword: stat for stat in STATS}
INNINGS_STAT = {stat.keyword: stat for stat in INNINGS_STATS}
LIST_KIND = {kind.keyword: kind for kind in LIST_KINDS}
GROUP = {group.keyword: group for group in GROUPS}
QUALIFIER = {qualifier.keyword: qualifier for qualifier in QUALIFIERS}
SUBJECT_STATS = {subject: tuple(s.keyword for s in STATS if subject in s.forms) for subject in SUBJECTS}
SUBJECT_INNINGS_STATS = {subject: tuple(s.keyword for s in INNINGS_STATS if subject in s.forms) for subject in SUBJECTS}
SUBJECT_LISTS = {subject: tuple(k.keyword for k in LIST_KINDS if subject in k.conditions) for subject in SUBJECTS}
# The linker's stat words: phrase lists by keyword, and the subject each stat word suggests.
STAT_WORDS = {entry.keyword: entry.words for entry in STATS + INNINGS_STATS if entry.words}
STAT_SUBJECT = {entry.keyword: entry.implies for entry in STATS + INNINGS_STATS if entry.implies}
