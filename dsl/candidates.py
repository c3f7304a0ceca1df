"""The candidate stage: the neighbours' query shapes filled with the question's values.

PILOT.md measured that a 135M model writes poor queries but ranks good ones well. So the model
never spells a query here: the *filters* come from the linked mentions (deterministic), the
*shape* (subject, output, stat, group) comes from the nearest examples and from the stat and
subject words the linker found, and the model only chooses among the results by likelihood.

`candidates_for()` is the whole stage, in order: the question's frame; each neighbour's shape and its
variants filled with the frame's values; shapes that contradict the question's cue words dropped;
queries that do not resolve and compile dropped; the player's main role deciding between batting
and bowling when the words do not; a side the player has only played for (against) read as his team
(opposition); queries that leave out a named player, team or filter dropped (unless none is complete). The
order is stable (nearest neighbour's shape first), so with no model the first candidate is a
baseline (`askcric eval` reports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from dsl import ast, catalogue
from dsl.compiler import DEFAULT_ROW_LIMIT
from dsl.execute import compile_error
from dsl.errors import AmbiguousName
from dsl.link import Candidate, Linked, Mention
from dsl.lexicon import lexicon
from dsl.resolve import primary_role, sides
from dsl.vocabulary import CUES, DISMISSAL_NOUNS, FORMAT_WORD, NUMBER_WORDS, number_value

QUALIFIERS = tuple(catalogue.QUALIFIER)
DEFAULT_COUNT = 10
# For a team's results, the result word is the stat ("matches England lost" counts losses).
RESULT_STATS = {"won": "wins", "lost": "losses", "drawn": "draws", "tied": "ties"}
# What "the best" of a subject ranks by when no stat is named ("Steve Smith's best partners").
_MAIN_STAT = {"batting": "runs", "bowling": "wickets", "partnership": "runs", "team": "wins"}
_MAIN_INNINGS_STAT = {"batting": "runs", "bowling": "figures", "partnership": "runs", "team": "total"}



@dataclass(frozen=True)
class Frame:
    """What the question itself says, independent of any example: the filters and the values."""

    players: tuple[str, ...]  # in question order
    teams: tuple[tuple[str, str], ...]  # (team, role) with role "opposition", "team" or "either"
    filters: dict  # Query field -> value, for every filter a mention settles
    numbers: dict  # role -> int: count, minimum, innings_number ...
    qualifier_stat: str | None
    stats: tuple[str, ...]  # stat words in the question, canonical
    subjects: tuple[str, ...]  # subject cue words, canonical
    groups: tuple[str, ...] = ()  # "by opposition", "per year"...: one figure per group
    ranking_cue: bool = False  # "most", "highest", "who", ...: a ranking or record is asked for
    list_cue: bool = False  # "list", "show", "which": the innings or matches themselves
    strong_subjects: tuple[str, ...] = ()  # subjects the question names outright ("batters", "bowler")
    bottom_cue: bool = False  # "lowest average", "fewest runs": the bottom of a ranking
    bottom_cue_lower_better: bool = False  # "highest economy": the bottom of a less-is-better stat
    verb_subjects: tuple[str, ...] = ()  # subjects a verb names ("hit" batting, "went for" bowling)
    innings_cue: bool = False  # "innings", "spell", "scores", "totals": single innings may be asked for
    per: str | None = None  # "in a single season / calendar year / match": records within one unit
    several_stats: bool = False  # "runs, average and hundreds": the stats side by side
    stand_record: bool = False  # "the highest stands": single partnerships, not a pair's total
    compare: str | None = None  # "strong" ("Root or Smith: better average?"), "maybe" ("Root vs Smith")
    milestone: ast.Milestone | None = None  # "fastest ODI hundreds", "fewest innings to 5000 runs"
    streak: ast.Streak | None = None  # "most consecutive Test fifties"
    teammates: bool = False  # "when batting with Rohit": the players are on one side, not opponents
    partners_asked: bool = False  # "who has Rohit put on the most runs with": his partners, ranked
    single_innings: bool = False  # "in a single Test innings": one innings, never a career's total
    result_of: str | None = None  # "in matches Pakistan won": the side whose result the word is


def _top(mention: Mention) -> str:
    return mention.candidates[0].value


def _of_type(linked: Linked, kind: str) -> list[Mention]:
    return [m for m in linked.mentions if m.type == kind and m.candidates]


def _before(linked: Linked, mention: Mention, chars: int = 24) -> str:
    return linked.question[max(0, mention.start - chars):mention.start]


def _after(linked: Linked, mention: Mention, chars: int = 24) -> str:
    return linked.question[mention.end:mention.end + chars]


_MEMBERS_AFTER = re.compile(r"\s*(batters?|batsm[ae]n|bowlers?|players?|openers?|spinners?|pacers?|seamers?|quicks"
                            r"|fast bowlers?|(wicket[- ]?)?keepers?|cricketers?|fielders?|all[- ]?rounders?)\b", re.I)


def _team_role(linked: Linked, mention: Mention) -> str:
    if mention.text.lower().endswith(("'s", "’s")) or re.match(r"['’]s?\b", _after(linked, mention, 3)):
        return "team"  # "New Zealand's biggest wins": the possessive is the side itself
    if _MEMBERS_AFTER.match(_after(linked, mention)):
        return "team"  # "Pakistan bowlers", "an Indian opener": the side's own players
    if CUES["opposition"].search(_before(linked, mention)):
        return "opposition"
    if CUES["for_team"].search(_before(linked, mention)):
        return "team"
    return "either"


# Words before a second player that put him on the first one's side: he is a partner, never the
# bowler or batter faced ("when batting with Rohit", "alongside Bumrah", "in the same XI as Root").
_TEAMMATE_BEFORE = re.compile(r"\b((bat|bats|batted|batting|partner|partners|partnered|partnering|paired|pairing|"
                              r"opened|opening|played|playing|bowled|bowling)\s+(together\s+)?with|alongside|"
                              r"together\s+with|same\s+(side|team|xi|eleven)\s+as)\s*$", re.I)


_SINGLE_INNINGS = re.compile(r"\b(in|during|from)\s+(a|an|one|a single|single|any one|any single)\s+"
                             r"((test|odi|t20i|t20|ipl)\s+)?(innings|inns|knock|spell)\b|\bsingle[- ]innings\b"
                             r"|\blongest\s+((test|odi|t20i|t20|ipl)\s+)?(innings|inns|knocks?)\b", re.I)
_MULTIPLE_HUNDRED = re.compile(r"\b(double|triple|treble)[\s-]+(hundreds?|centur(y|ies)|tons?)\b", re.I)
_PARTNERS_ASKED = re.compile(r"\bwho\b[^?]*\bwith\b|\bwith whom\b|\b(which|what|best|most successful|favourite|"
                             r"favorite|top|leading)\s+(batting\s+|opening\s+)?partners?\b", re.I)


def _number_roles(linked: Linked) -> tuple[dict, str | None]:
    """Give each number its role from the words around it ("top 5", "min 500 balls", "4th innings")."""
    roles: dict[str, int] = {}
    qualifier = None
    numbers = _of_type(linked, "number")
    positions = []
    overs = []
    single_overs = []
    for mention in numbers:
        value = int(_top(mention))
        before = _before(linked, mention).lower()
        after = _after(linked, mention).lower()
        text = mention.text.lower()
        if re.search(r"\b(innings|inns|inning)\b", after[:12]) and re.search(r"(st|nd|rd|th|first|second|third|fourth)", text + after[:3]) \
                or _INNINGS_BEFORE.search(before) and 1 <= value <= 4:  # "3rd innings", "innings 4"
            roles["innings_number"] = value
        elif _WICKET_AFTER.match(after) and _ORDINAL.fullmatch(text) or text == "opening" and _STAND_AFTER.match(after):
            roles["wicket"] = value  # "7th-wicket stand", "opening partnership"
        elif _RECENT_BEFORE.search(before) and _RECENT_UNIT_AFTER.match(after) or (
                (recent := _RECENT_AFTER.match(after)) and _RECENT_UNIT_AFTER.match(
                    _after(linked, mention, 48).lower()[recent.end():])):
            roles["last"] = value
        elif _HAUL_AFTER.match(after) or _PASSED_BEFORE.search(before) and _TIMES.search(linked.question) or (
                _SCORE_AFTER.match(after) and (_SCORES_WORDS.match(after) or _TIMES.search(linked.question))
                and not (_PLAYED_BEFORE.search(before) and _INNINGS_PLUS_AFTER.match(after))) or (
                _WICKETS_PLUS_AFTER.match(after) and re.search(r"\binnings\b", linked.question, re.I)) or (
                _RUN_SCORE_AFTER.match(after) or _SCORE_AFTER.match(after) and _SCORED_BEFORE.search(before)):
            wickets = _HAUL_AFTER.match(after) or _WICKETS_PLUS_AFTER.match(after)
            boundaries = _BOUNDARIES_PLUS_AFTER.match(after)
            roles["threshold"] = ("wickets" if wickets else _BOUNDARY_STATS[boundaries.group(1)[0]] if boundaries
                                  else "runs", value)
        elif re.match(r"\s*over\b", after) and re.fullmatch(r"\d{1,2}(st|nd|rd|th)|first|opening|last|final", text):
            single_overs.append(value)  # "the 19th over", "the last over"
        elif re.search(r"(open|number|no\.?|#|position|at)[\s-]*$", before) or "open" in text or value <= 11 and (
                re.search(r"\bbatting\s*$", before) or positions and re.search(r"\d\s*(-|–|to)\s*$", before)):
            positions.append(value)  # "at 5", "batting 5 to 7", "at 4-6": both ends
        elif _MINIMUM_BEFORE.search(before):  # before the over ranges: "min 30 overs" is no over number
            word = re.match(r"\s*" + FORMAT_WORD + r"([a-z]+)", after)
            qualifier = _qualifier(word.group(1) if word else "")
            roles["minimum"] = value
            if qualifier is None and word and word.group(1) in ("overs", "over", "ovs"):
                qualifier, roles["minimum"] = "balls", value * 6  # six balls an over
        elif re.search(r"(over|overs)\s*$", before) or re.search(r"^\s*(-|to)?\s*(\d+|[a-z]+)?\s*overs", after) \
                or "over" in text or _OVERS_RANGE_BEFORE.search(before):  # "overs 7-15": both ends
            overs.append(value)
        elif re.search(r"(top|best|worst|bottom|lowest|highest|first|leading)\s*$", before):
            roles["count"] = value
        elif (plus := re.match(r"\s*(\+|-?plus|or more)\s*" + FORMAT_WORD + r"([a-z]+)", after)) and _qualifier(plus.group(2)):
            roles["minimum"] = value  # "600+ runs in a season": a qualification, and every one who has it
            qualifier = _qualifier(plus.group(2))
            roles.setdefault("count", MAX_COUNT)
        elif re.search(r"^\s*(innings|matches|games|runs|balls|wickets)", after) and "count" in roles:
            roles["minimum"] = value
            word = re.match(r"\s*([a-z]+)", after).group(1)
            qualifier = _qualifier(word)
        else:
            roles.setdefault("count", value)
    if positions:
        roles["position"] = (min(positions), max(positions))
    if len(overs) >= 2:
        roles["overs"] = (min(overs), max(overs))
    elif single_overs:
        roles["overs"] = (single_overs[0], single_overs[0])
    return roles, qualifier


# The units a record can be ranked within, in the order their cues are tried ("in a single Test
# at one ground" is a match record).
PER_UNITS = ("match", "year", "season", "opposition", "ground")
_RECORD_WORDS = re.compile(r"\b(highest|best|biggest|largest|record)\b", re.I)
WORDED_SUBJECTS = ("partnership",)  # subjects only a word of the question can make ("stand", "partnership")
MAX_COUNT = DEFAULT_ROW_LIMIT  # the longest ranking askcric shows
_WICKET_AFTER = re.compile(r"[\s-]*(wicket|wkt)\b(?!s)(?!\s+(hauls?|takers?|wins?|victory))")
_ORDINAL = re.compile(r"\d{1,2}(st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last")
_INNINGS_BEFORE = re.compile(r"\binnings[\s-]*(no\.?|number|#)?\s*$")
_OVERS_RANGE_BEFORE = re.compile(r"\bovers?\s*\d{1,2}\s*(-|–|to|and)\s*$")
_STAND_AFTER = re.compile(r"\s*(stand|partnership|pair|combination|duo)s?\b")
_RECENT_BEFORE = re.compile(r"\b(last|previous|past|latest|recent|most recent)\s*$")
_RECENT_AFTER = re.compile(r"\s*(most recent|latest|previous|last)\b")  # "his 8 most recent Tests"
_RECENT_UNIT = (r"\s*((women'?s|men'?s)\s+)?((test|odi|t20i?|ipl|international|world cup)s?\s+)?"
                r"(innings|inns|knocks|matches|games|outings|tests|odis|t20is|appearances|spells|results|fixtures)\b")
_RECENT_UNIT_AFTER = re.compile(_RECENT_UNIT)
# "his last 5 Test innings": the innings are what "last" counts, not a stat that was asked for.
_COUNT = r"\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))  # a count, in digits or words
_COUNT_WORDS = f"({_COUNT})"
_RECENT_PHRASE = re.compile(r"(\b(last|previous|past|latest|recent)\s+" + _COUNT_WORDS
                            + r"|\b" + _COUNT_WORDS + r"\s+(most recent|latest|previous|last))" + _RECENT_UNIT, re.I)


# Innings thresholds: "50+ scores", "how many times 100 or more", "4-wicket hauls", "3+ wickets in
# an innings". A "+" after a career figure ("5000+ Test runs") stays a qualification.
_SCORE_AFTER = re.compile(r"\s*(\+|-?plus\b|or more\b|or above\b)")
# "batters with 50+ innings" counts the innings they played: a qualification, not 50-run innings.
_PLAYED_BEFORE = re.compile(r"\b(with|having|played|playing)\s*$")
_INNINGS_PLUS_AFTER = re.compile(r"\s*(\+|-?plus|or more)\s*" + FORMAT_WORD + r"innings\b")
_SCORES_WORDS = re.compile(r"\s*(\+|-?plus|or more|or above)\s*" + FORMAT_WORD + r"(run\s+)?(scores?|knocks?|innings)\b")
_HAUL_AFTER = re.compile(r"\s*(\+|-?plus|or more)?\s*-?\s*(wickets?|wkts?|wicket|wkt)[- ]?(hauls?|innings)\b"
                         r"|\s*(\+|-?plus|or more)?\s*-?\s*(fors|fers)\b"
                         r"|\s*(\+|-?plus|or more)\s*(wickets?|wkts?)\s+in\s+an?\s+(innings|spell)\b")
# Thresholds a catalogue stat already counts: the stat is the reading.
_STAT_THRESHOLDS = {ast.Threshold("wickets", 5): "five-fors", ast.Threshold("runs", 100): "hundreds"}
_TIMES = re.compile(r"\bhow (many times|often)\b|\bnumber of times\b|\bhow many\b(?!.*\b(runs|wickets)\b)", re.I)
_COUNT_ASKED = re.compile(r"\bhow (many|often)\b|\bnumber of\b|\bcount\b|\btally\b", re.I)  # a count, never a list
_PASSED_BEFORE = re.compile(r"\b(passed|gone past|gone beyond|crossed|reached|got past|past)\s*$")
# "200-run stands", "150-run innings": the score each must reach; so "scored 150 or more".
_RUN_SCORE_AFTER = re.compile(r"\s*-?\s*runs?\s+(partnerships?|stands?|innings|knocks?|scores?)\b")
_SCORED_BEFORE = re.compile(r"\b(score|scores|scored|scoring|make|makes|made|get|gets|got|hit|hits|hitting|struck|"
                            r"(innings|knocks?|scores?)\s+(of|with|having|had))\s*$")
_OFF_BEFORE = re.compile(r"\boff\s*$", re.I)  # "hit off", "scored off": the player after is the bowler
# "innings with 5 or more sixes": the sixes are what the innings must hold, not runs
_BOUNDARIES_PLUS_AFTER = re.compile(r"\s*(?:\+|-?plus|or more|or above)\s*(sixes|6s|fours|4s)\b")
_BOUNDARY_STATS = {"s": "sixes", "6": "sixes", "f": "fours", "4": "fours"}
_MINIMUM_BEFORE = re.compile(r"(min(imum)?( of)?|at least|atleast|more than|over|qualification:?|qual\.?)\s*$")
_WICKETS_PLUS_AFTER = re.compile(r"\s*(\+|-?plus|or more)\s*(wickets?|wkts?)\b")


def _qualifier(word: str) -> str | None:
    """The qualifier a word after a minimum names ("wkts" -> wickets), through the stat words."""
    for qualifier in QUALIFIERS:
        if word.startswith(qualifier.rstrip("s")) or word in catalogue.STAT_WORDS.get(qualifier, ()):
            return qualifier
    return None


def _span(linked: Linked):
    years = sorted(int(_top(m)) for m in _of_type(linked, "year"))
    seasons = _of_type(linked, "season")
    kinds = [_top(m) for m in _of_type(linked, "span")]
    kind = kinds[0] if kinds else None
    if seasons and (kind in (None, "season")):
        return ast.Season(_top(seasons[0]))
    if not years:
        return None
    if kind == "between" and len(years) >= 2 or (kind is None and len(years) >= 2):
        return ast.Between(years[0], years[-1])
    if kind == "since":
        return ast.Since(years[0])
    if kind == "before":
        return ast.Before(years[0])
    return ast.InYear(years[0])


# A group of bowlers is the batting side's view ("which bowlers dismissed him"), and the reverse:
# the role word names the group, not the subject.
_GROUP_ROLES = {("bowler",): ("bowling",), ("batter",): ("batting",)}
_COMPARED_GROUPS = ("batter", "bowler", "team")  # "which side has won more, A or B": the ones compared
_KEYWORD_FILTERS = ("home_away", "result", "batting_order", "stage", "dismissal")


def frame(linked: Linked, franchises: frozenset[str] = frozenset()) -> Frame:
    """Everything the question's mentions settle, before any example is looked at.

    `franchises`: the team names that play in the IPL (a franchise named implies the IPL)."""
    filters: dict = {}
    players = _players(linked)
    ranked = _ranked(linked.question)
    teams, places = _teams_and_places(linked)
    if places:
        filters["place"] = places[0]
    if teams and not _of_type(linked, "competition") and any(team in franchises for team, _ in teams):
        filters["competition"] = "ipl"
    grounds = _of_type(linked, "ground")
    place_spans = {(m.start, m.end) for m in _of_type(linked, "place")}
    if grounds and "place" in filters and (grounds[0].start, grounds[0].end) in place_spans:
        grounds = []  # "in Dubai": the city, not Dubai's ground, unless the question says "at"
    if grounds:
        filters["ground"] = _top(grounds[0])
    for kind in ("competition", "event") + _KEYWORD_FILTERS:
        found = _of_type(linked, kind)
        if found and kind not in filters:
            filters[kind] = _top(found[0])
    if _of_type(linked, "gender"):
        filters["women"] = True
    span = _span(linked)
    if span:
        filters["span"] = span
    phase = _of_type(linked, "phase")
    toss = _of_type(linked, "toss")
    if toss:
        words = _top(toss[0]).split()
        filters["toss"] = ast.Toss(words[0], words[1] if len(words) > 1 else None)
    numbers, qualifier = _number_roles(linked)
    if phase:
        filters["overs"] = ast.Phase(_top(phase[0]))
    elif "overs" in numbers:
        filters["overs"] = ast.Overs(*numbers.pop("overs"))
    if "innings_number" in numbers:
        filters["innings_number"] = numbers.pop("innings_number")
    if "last" in numbers:
        filters["last"] = numbers.pop("last")
    if "wicket" in numbers:
        filters["wicket"] = numbers.pop("wicket")
    if "threshold" in numbers:
        filters["threshold"] = ast.Threshold(*numbers.pop("threshold"))
    if "position" in numbers:
        filters["position"] = ast.Position(*numbers.pop("position"))
    if filters.get("event") == "World Cup" and filters.get("competition") == "t20i":
        filters["event"] = "T20 World Cup"  # "T20I ... in World Cups"
    asked_groups = {group.keyword: [m.span() for m in re.finditer(group.asked, linked.question, re.I)]
                    for group in catalogue.GROUPS if group.keyword not in _OTHER_PLAYER_GROUPS or players}
    groups = tuple(group for group, spans in asked_groups.items() if spans)
    group_spans = [span for spans in asked_groups.values() for span in spans]
    listed = _listed_together(linked, group_spans)
    unit_spans = [match.span() for unit in PER_UNITS for match in CUES[f"per_{unit}"].finditer(linked.question)]
    stats = _stats(linked, listed, unit_spans, group_spans)
    if qualifier and len(stats) > 1 and _only_qualifies(linked, qualifier, numbers.get("minimum")):
        stats = tuple(s for s in stats if s != qualifier)  # "min 50 innings" names the qualification
    if numbers.get("count") == MAX_COUNT and set(stats) - {qualifier} and ranked:
        # "600+ runs" lists everyone who has them; but "the most economical of those with 30+ wickets"
        # ranks by another stat, and a ranking shows its top ones.
        numbers["count"] = DEFAULT_COUNT
    if "last" in filters:
        counted = [m.span() for m in _RECENT_PHRASE.finditer(linked.question)]
        units = {_top(m) for m in _of_type(linked, "stat") if any(a <= m.start < b for a, b in counted)}
        others = {_top(m) for m in _of_type(linked, "stat") if not any(a <= m.start < b for a, b in counted)}
        stats = tuple(s for s in stats if s not in units or s in others)
    subject_words = _subject_words(linked, unit_spans, group_spans)
    named = _of_type(linked, "player")
    if len({_top(m) for m in named}) == 1 and _OFF_BEFORE.search(_before(linked, named[0])):
        # "runs scored off Bumrah": his bowling; "the most runs off him", his batters ranked.
        subject_words = [m for m in subject_words if _top(m) != "batting"]
        subject_words += [replace(m, type="subject", candidates=(Candidate("bowling", 1.0),)) for m in named[:1]]
        if ranked and not groups:
            groups = ("batter",)
    subjects = tuple(dict.fromkeys(_top(m) for m in subject_words))
    if "dot-ball %" in stats:  # "the share of his balls that were dots": the dots are what the % counts
        stats = tuple(s for s in stats if s != "dots")
    if filters.get("threshold") in _STAT_THRESHOLDS and _STAT_THRESHOLDS[filters["threshold"]] in stats:
        del filters["threshold"]  # "5-wicket hauls" are the five-fors stat itself
    if CUES["debut"].search(linked.question):
        filters["debut"] = True
    for stat in ("wickets", "runs"):
        if CUES[f"without_{stat}"].search(linked.question):
            filters["threshold"] = ast.Without(stat)
    passed = _passed_score(linked)
    if passed and "threshold" not in filters:
        filters["threshold"] = passed  # "passed fifty": the innings of 50 or more, hundreds included
    if not stats and players and _SCORE_VERB.search(linked.question):
        stats = ("runs",)  # "what did he score on debut"
    if "threshold" in filters:  # "how many 50+ scores": the innings that pass are what is counted
        counted = filters["threshold"].stat
        unit = "partnerships" if "partnership" in subjects else "innings"  # "150-run stands" count stands
        units = (counted, "fifties", "hundreds", "five-fors", "matches", "innings", "figures", "partnerships")
        # A figure over those innings ("his economy in wicketless games") is the stat; else they are counted.
        stats = tuple(s for s in stats if s not in units) or (unit,)
        if _TIMES.search(linked.question):
            stats = (unit,)
    if {"runs margin", "wickets margin"} & set(stats):  # "biggest wins by runs / by wickets", "heaviest defeats"
        unit = "wickets margin" if "wickets" in stats or "wickets margin" in stats else "runs margin"
        stats = (unit,) + tuple(s for s in stats if s not in ("runs", "wickets", "runs margin", "wickets margin", "wins",
                                                               "losses"))
        if re.search(r"\b(defeats?|losses|lost|beaten|thrashings?)\b", linked.question, re.I):
            filters["result"] = "lost"
        subjects = ("team",)  # a margin is a side's; "by wickets" names no bowler
    if "wicket" in filters:  # "the 7th-wicket stand": the word names which stand, not a bowler's wickets
        stats = tuple(s for s in stats if s != "wickets")
        subjects = tuple(s for s in subjects if s != "bowling") or ("partnership",)
    if "partnership" in subjects and stats == ("partnerships",) and _RECORD_WORDS.search(linked.question):
        stats = ("runs",)  # "the best 7th-wicket stand": the runs of single stands, not how many
    if filters.get("result") and len(stats) >= 2 and listed and \
            {RESULT_STATS[filters["result"]], "matches"} & set(stats):
        del filters["result"]  # "played, won, lost": the results side by side are stats, not a filter
    if "match awards" in stats:  # awards are "won": the verb names no result, team or win count
        stats = tuple(s for s in stats if s != "wins")
        if filters.get("result") == "won":
            del filters["result"]
        subjects = tuple(s for s in subjects if s != "team")
    if len(stats) == 1 and stats[0] in ("highest total", "lowest total") and any(
            _top(m) == stats[0] and m.text.lower().endswith("s") for m in _of_type(linked, "stat")):
        stats = ("total",)  # "Ireland's highest ODI totals": its single innings, best first
    if stats == ("average",) and not players and _AVERAGE_SCORE.search(linked.question):
        stats = ("average total",)  # "the average first-innings score at Eden Gardens": a side's total
    if stats == ("innings",) and _BEST_INNINGS.search(linked.question):
        stats = ()  # "his 5 best Test innings": single innings ranked by their main figure, not a count of them
    if not stats and teams and not players and _COUNT_ASKED.search(linked.question) \
            and {"toss", "batting_order"} & set(filters) and "result" not in filters:
        stats = ("matches",)  # "how many times has Australia won the toss": the matches it did, not their wins
    chase_record = not stats and not players and bool(_CHASE_RECORD.search(linked.question))
    if chase_record:
        stats, subjects = ("total",), ("team",)  # "the highest successful chases": the chasing side's totals
    # A side's "results" are its record too, unless few enough to show: its finals, its last ten.
    if not stats and teams and (asks_a_sides_record(linked) or _RESULTS.search(linked.question) and not (
            filters.get("stage") or "last" in filters)):
        stats = _RECORD_STATS.get(filters.get("competition"), _RECORD_STATS[None])  # "India's record at Lord's"
        listed = True
    milestone = _milestone(linked, numbers)
    streak = None
    if not milestone and (multiple := _MULTIPLE_HUNDRED.search(linked.question)):
        # "double hundreds" are innings of 200 or more: the threshold, counted or listed as innings
        filters.setdefault("threshold", ast.Threshold("runs", 200 if multiple.group(1) == "double" else 300))
        stats = tuple(dict.fromkeys("innings" if stat == "hundreds" else stat for stat in stats))
    if milestone:
        stats = ()
        target_years = [m for m in _of_type(linked, "year") if int(_top(m)) == milestone.target]
        if target_years:  # "who reached 2000 T20I runs first": the target, not a year
            span = _span(replace(linked, mentions=tuple(m for m in linked.mentions if (m.start, m.end) not in
                                                         {(y.start, y.end) for y in target_years})))
            filters.pop("span", None)
            if span:
                filters["span"] = span
    elif CUES["streak"].search(linked.question):
        condition = filters.pop("threshold", None) or _streak_condition(linked.question, stats)
        if isinstance(condition, ast.Threshold):
            _drop_number(numbers, condition.minimum)
            streak, stats = ast.Streak(_count(linked, numbers), condition), ()
    if "wickets" in stats:  # "wickets that were stumpings": how the wickets fell
        for noun, kind in DISMISSAL_NOUNS.items():
            if noun in stats:
                filters.setdefault("dismissal", kind)
                stats = tuple(s for s in stats if s != noun)
    compare = _compare_cue(linked, teams)
    listed_words = bool(CUES["list"].search(_blanked(linked.question, group_spans))) and compare != "strong"
    if listed_words and _career_minimum(numbers, qualifier) and not ranked:
        # "Which bowlers have 300+ Test wickets?" lists the players who qualify, not innings.
        listed_words = False
        numbers.setdefault("count", MAX_COUNT)
    return Frame(
        players=players,
        teams=teams,
        filters=filters,
        numbers=numbers,
        qualifier_stat=qualifier,
        stats=stats,
        subjects=subjects,
        # "by innings" is how a milestone is counted; "which batter has more, A or B" compares the two
        groups=() if milestone or streak else tuple(
            group for group in groups if not (compare == "strong" and group in _COMPARED_GROUPS)),
        ranking_cue=ranked,
        # "Which side has won more, A or B?" compares the two: it lists nothing.
        list_cue=listed_words or (
            "last" in filters and not stats) or _own_innings(linked, filters, stats) or _events_of_anyone(
            linked, stats, groups) or _sides_knockout_results(linked, filters, stats, groups),
        strong_subjects=tuple(dict.fromkeys(
            _top(m) for m in subject_words
            if m.candidates[0].score >= 0.8 and _top(m) not in _GROUP_ROLES.get(groups, ()) and _top(m) in subjects
        )),
        bottom_cue=bool(CUES["bottom"].search(linked.question)),
        # "most runs in successful chases": the chases are a filter, the runs a career's
        innings_cue=chase_record or bool(CUES["innings"].search(_blanked(linked.question, [
            (m.start, m.end) for m in _of_type(linked, "batting_order")] if stats else []))),
        verb_subjects=tuple(dict.fromkeys(
            _top(m) for m in subject_words if 0.7 <= m.candidates[0].score < 0.8 and _top(m) in subjects
        )),
        bottom_cue_lower_better=bool(CUES["bottom_lower_better"].search(linked.question)),
        # "how many times have they won when they lost the toss in a Test": a count, no record per match
        per=None if milestone or streak or _COUNT_ASKED.search(linked.question) and not ranked else next(
            (unit for unit in PER_UNITS if CUES[f"per_{unit}"].search(linked.question)), None),
        several_stats=len(stats) >= 2 and listed,
        stand_record="partnership" in subjects and bool(_RECORD_WORDS.search(linked.question))
        and not re.search(r"\bmost\b", linked.question, re.I),
        compare=compare,
        milestone=milestone,
        streak=streak,
        teammates=any(_TEAMMATE_BEFORE.search(_before(linked, m)) for m in _of_type(linked, "player")[1:]),
        single_innings=bool(_SINGLE_INNINGS.search(linked.question) or _BEST_INNINGS.search(linked.question))
        and "threshold" not in filters
        and not set(stats) & set(_EVENTS),
        partners_asked="partnership" in subjects and len(players) == 1 and bool(
            _PARTNERS_ASKED.search(linked.question)),
        result_of=next((_top(team) for result in _of_type(linked, "result") for team in _of_type(linked, "team")
                        if team.end <= result.start and _RESULT_OF.fullmatch(linked.question, team.end, result.start)),
                       None),
    )


# Groups of the players faced: they need a named player ("which batters did he dismiss"); with none,
# "which batter has the most runs" asks for a ranking.
_OTHER_PLAYER_GROUPS = ("batter", "bowler")


def _inside(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(start <= mention.start and mention.end <= end for start, end in spans)


def _subject_words(linked: Linked, unit_spans: list[tuple[int, int]],
                   group_spans: list[tuple[int, int]]) -> list[Mention]:
    """Subject words, except a side named as a record's unit ("against one country" names no
    side; "match hauls" still names bowling) or inside the words asking for groups ("for each of
    his teams" names no team)."""
    return [m for m in _of_type(linked, "subject")
            if not (_top(m) == "team" and _inside(m, unit_spans)) and not _inside(m, group_spans)]


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans' characters replaced by spaces (so no cue is read inside them)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


_QUALIFYING_GAP = re.compile(r"\s*(\+|-?plus|or more|or above)?\s*" + FORMAT_WORD, re.I)


def _only_qualifies(linked: Linked, stat: str, minimum: int | None) -> bool:
    """Every word naming the stat comes right after the minimum ("at least 20 innings", "600+ runs",
    "120 or more ODI wickets")."""
    numbers = [m for m in _of_type(linked, "number") if _top(m) == str(minimum)]
    words = [m for m in _of_type(linked, "stat") if _top(m) == stat]
    return bool(words) and all(any(_QUALIFYING_GAP.fullmatch(linked.question, number.end, word.start) for number in numbers)
                               for word in words)


def _own_innings(linked: Linked, filters: dict, stats: tuple[str, ...]) -> bool:
    """A player's innings themselves, unless counted, ranked or summed up in a figure: "his scores
    in finals", "her wicketless outings", "his bowling on debut" (one match: its figures). "How
    many wicketless innings" counts them; "his economy in wicketless games" is one figure."""
    question = linked.question
    if _COUNT_ASKED.search(question) or CUES["ranking"].search(question) or not _players(linked):
        return False
    if CUES["own_innings"].search(question) or _UNITS_WHERE.search(question) and not set(stats) - {
            "innings", "matches", *_EVENTS}:  # (not "his economy in games where he took none": a figure)
        return True
    return bool(isinstance(filters.get("threshold"), ast.Without) or filters.get("debut")
                or _HIS_INNINGS.search(question)) and not set(stats) - {"innings"}


# "the highest successful ODI chase", "biggest run chases", "the record chase": a chase is the
# chasing side's innings, so its size is that side's total.
_CHASE_RECORD = re.compile(r"\b(highest|biggest|largest|record|lowest|smallest)\s+((successful|winning|odi|test|t20i?|"
                           r"ipl|women'?s|run)\s+){0,3}(run[- ])?chases?\b", re.I)
_BEST_INNINGS = re.compile(r"\b(best|highest|biggest|greatest|finest)\s+(\d+\s+)?((test|odi|t20i|ipl)\s+)?(innings|knocks)\b",
                           re.I)
_AVERAGE_SCORE = re.compile(r"\b(average|avg)\s+((\w+|\w+-\w+)\s+){0,2}scores?\b(?!\s+(by|of|for)\b)", re.I)
_UNITS_WHERE = re.compile(r"\b(matches|games|innings|knocks|outings|occasions|tests|odis|t20is)\s+(where|in which|when)\b",
                          re.I)  # "the matches where he made a hundred": those matches themselves
_HIS_INNINGS = re.compile(r"(\b(his|her|their)|'s)\s+(\w+\s+){0,2}(innings|inns)\b", re.I)  # and no figure of them
_SIDES_RECORD = re.compile(r"\b(record\b(?!\s+(for|of)\b)|head[\s-]to[\s-]head|h2h)", re.I)
_RESULTS = re.compile(r"\bresults\b", re.I)


def asks_a_sides_record(linked: Linked) -> bool:
    """A side named with its "record" or "head to head", and no player: its results."""
    return bool(_of_type(linked, "team")) and not _players(linked) and bool(_SIDES_RECORD.search(linked.question))

# A side's record, when no figure is named: its results, with the draws of Tests and the ties of
# limited-overs matches (and both when no format is named).
_RECORD_STATS = {"test": ("matches", "wins", "losses", "draws"), None: ("matches", "wins", "losses", "draws", "ties")}
_RECORD_STATS |= {competition: ("matches", "wins", "losses", "ties") for competition in ("odi", "t20i", "ipl")}
_EVENTS = ("hundreds", "fifties", "ducks", "five-fors", "hat-tricks")
_TOTAL = re.compile(r"\b(total|overall|altogether|in all)\b", re.I)


def _events_of_anyone(linked: Linked, stats: tuple[str, ...], groups: tuple[str, ...]) -> bool:
    """Hundreds, ducks, hat-tricks... with no player or side named are the innings themselves
    ("hat-tricks at Lord's"), unless counted ("how many", "total"), ranked or grouped."""
    if _players(linked) or _of_type(linked, "team") or groups or not stats or set(stats) - set(_EVENTS):
        return False
    return not _counted_or_ranked(linked.question)


def _sides_knockout_results(linked: Linked, filters: dict, stats: tuple[str, ...], groups: tuple[str, ...]) -> bool:
    """A side's finals or knockout matches, wins or defeats are those matches themselves, few
    enough to show ("Pakistan's World Cup final defeats"), unless counted, ranked or grouped."""
    if not (filters.get("stage") and _of_type(linked, "team")) or groups or _players(linked):
        return False
    if set(stats) - {"matches", *RESULT_STATS.values()}:
        return False
    return not (_counted_or_ranked(linked.question) or _SIDES_RECORD.search(linked.question))


def _counted_or_ranked(question: str) -> bool:
    return bool(_COUNT_ASKED.search(question) or _TOTAL.search(question) or _ranked(question))


# "Who has scored a hundred...": everyone who did it once, not who did it most.
_WHO_DID_ONE = re.compile(r"\bwho(\s+(has|have|had|'s))?(\s+ever)?(\s+\w+){1,2}\s+(a|an)\s+(?=((\w+)[\s-]+)?"
                          r"(hundred|century|ton|fifty|half|duck|five|5|hat|double))", re.I)


def _ranked(question: str) -> bool:
    return bool(CUES["ranking"].search(_WHO_DID_ONE.sub(" ", question)))


def _compare_cue(linked: Linked, teams) -> str | None:
    """Two players (or teams) named with words that set them side by side. "vs" between two
    players may also be the batter against the bowler, so it only suggests a comparison."""
    players = _players(linked)
    if len(players) < 2 and len(teams) < 2:
        return None
    if CUES["compare"].search(linked.question):
        return "strong"
    named = _of_type(linked, "player")
    if len(named) >= 2 and _JOINED.fullmatch(linked.question, named[0].end, named[1].start) \
            and not _FACED_WORDS.search(linked.question):
        return "strong"  # "Root and Stokes Test averages": both players' own figures
    return "maybe" if len(players) >= 2 and CUES["compare_maybe"].search(linked.question) else None


_JOINED = re.compile(r"\s*('s)?\s*(and|&)\s*")
_FACED_WORDS = re.compile(r"\bhead[\s-]*to[\s-]*head|\bh2h\b|\bagainst each other\b|\bbattles?\b|\bduels?\b|\bcontests?\b|"
                          r"\brivalry\b|\bmatch-?ups?\b", re.I)
# Score words, tried in this order ("half-centuries" is a fifty, "double hundred" 200).
_MILESTONE_WORDS = {"double": 200, "half": 50, "fift": 50, "hundred": 100, "centur": 100, "ton": 100}
_TARGET = re.compile(r"\b(?P<number>\d[\d,]*)(?P<k>k)?\s*((test|odi|t20i|ipl|international|career)\s+)?(?P<stat>runs|wickets|wkts)\b", re.I)


def _count(linked: Linked, numbers: dict) -> int:
    """Rows asked for: the question's count; one for a named player ("his fastest hundred")."""
    return numbers.get("count", 1 if _players(linked) else DEFAULT_COUNT)


def _milestone(linked: Linked, numbers: dict) -> ast.Milestone | None:
    """How fast a score was reached: over a career ("fewest innings to 5000 Test runs") or
    within one innings by balls ("fastest ODI hundred")."""
    question = linked.question
    if CUES["milestone_career"].search(question) and (target := _TARGET.search(question)):
        value = int(target["number"].replace(",", "")) * (1000 if target["k"] else 1)
        stat = "runs" if target["stat"].lower() == "runs" else "wickets"
        # Runs are counted in innings and wickets in matches, unless the question says otherwise.
        named = re.search(r"\b(innings|inns|knocks)\b|\b(matches|games|tests|odis|t20is|appearances)\b", question, re.I)
        unit = ("innings" if named[1] else "matches") if named else ("innings" if stat == "runs" else "matches")
        _drop_number(numbers, value)
        return ast.Milestone(_count(linked, numbers), value, stat, unit)
    balls = CUES["milestone_balls"].search(question)
    if balls:
        words = balls.group(0).lower()
        value = next((v for word, v in _MILESTONE_WORDS.items() if word in words), None)
        if value is None:
            digits = re.findall(r"\d{2,3}", words) or re.findall(r"\b(\d{2,3})\b", question)
            value = int(digits[-1]) if digits else None
        if value:
            _drop_number(numbers, value)
            one = not re.search(r"(hundreds|centuries|fifties|tons|\d0s)\b", words)  # "the fastest hundred": the record
            return ast.Milestone(numbers.get("count", 1) if one else _count(linked, numbers), value, "runs", "balls")
    return None


def _drop_number(numbers: dict, value: int) -> None:
    """A milestone's target (a streak's threshold) is not also a count or a minimum, nor is the
    longest ranking a minimum implies ("every one with 600+")."""
    if numbers.get("minimum") == value:
        del numbers["minimum"]
        if numbers.get("count") == MAX_COUNT:
            del numbers["count"]
    if numbers.get("count") == value:
        del numbers["count"]


# What a streak's innings each need, from the stat word that names them ("consecutive fifties").
_STREAK_CONDITIONS = {"fifties": ast.Threshold("runs", 50), "hundreds": ast.Threshold("runs", 100),
                      "five-fors": ast.Threshold("wickets", 5), "wickets": ast.Threshold("wickets", 1)}


_STREAK_NUMBER = re.compile(r"\b(?P<number>" + _COUNT + r")\s*(\+|-?plus\b|or more\b|or above\b)\s*"
                            r"(?P<stat>runs|wickets|wkts|scores?)?"
                            r"|\b(at least|min(imum)?( of)?)\s+(?P<least>" + _COUNT + r")\s*(?P<unit>runs|wickets|wkts)\b"
                            r"|\b(?P<double>double[- ]figures?)\b", re.I)


def _streak_condition(question: str, stats: tuple[str, ...]) -> ast.Threshold | None:
    """What each innings of a streak needs: "50+", "3 or more wickets", or a stat word ("fifties")."""
    number = _STREAK_NUMBER.search(question)
    if number and number["double"]:
        return ast.Threshold("runs", 10)  # "double-figure scores"
    if number:
        stat = number["stat"] or number["unit"]
        wickets = (stat or "").lower().startswith("w") or not stat and "wickets" in stats
        return ast.Threshold("wickets" if wickets else "runs", number_value(number["number"] or number["least"]))
    return next((_STREAK_CONDITIONS[stat] for stat in stats if stat in _STREAK_CONDITIONS), None)


def _listed_together(linked: Linked, group_spans: list[tuple[int, int]]) -> bool:
    """Two stat words (or a format's matches) with only a comma, "and", "&" or "+" between them
    ("runs, avg and 100s", "Test matches and runs"), three in a row with only spaces between them
    ("wins losses ties"), or one asked after the others ("..., and at what average")."""
    mentions = sorted([m for m in _of_type(linked, "stat") if not _inside(m, group_spans)] + [
        m for m in _of_type(linked, "competition") if _FORMAT_MATCHES.search(m.text)], key=lambda m: m.start)
    gaps = [linked.question[a.end:b.start] if _top(a) != _top(b) and re.fullmatch(
        r"\s*(,|and|&|\+|/)?\s*(and\s+)?((batting|bowling)\s+)?", linked.question[a.end:b.start], re.I) else None
            for a, b in zip(mentions, mentions[1:])]
    asked_after = any(_AND_WHAT_BEFORE.search(linked.question[:m.start]) for m in mentions[1:])
    return asked_after or any(gap and gap.strip() for gap in gaps) or any(
        first is not None and second is not None for first, second in zip(gaps, gaps[1:]))


# "How many runs ..., and at what average?": a second stat asked after the first.
_AND_WHAT_BEFORE = re.compile(r"(,|\band)\s*(at|with|in)?\s*what\s+((is|was|are|were)\s+)?((his|her|their|the)\s+)?$", re.I)


_PLAY_VERB = re.compile(r"play|played|plays", re.I)
_FORMAT_MATCHES = re.compile(r"\b(matches|games)$", re.I)
_LIST_SEPARATOR = re.compile(r"\s*(,|&|\+|/|and\b)", re.I)


_ONE_BEFORE = re.compile(r"\b(a|an|one|each|every|per|the same|single|that)\s+((test|odi|t20i?|ipl)\s+)?$", re.I)


_SCORE_VERB = re.compile(r"\b(score|scored)\b", re.I)  # one score: the runs ("his scores" are the innings)
_PASSED_SCORE = {"fifties": 50, "hundreds": 100}


def _passed_score(linked: Linked) -> ast.Threshold | None:
    """ "How many times has he passed fifty": the innings of at least that score, not the fifties."""
    if not _TIMES.search(linked.question):
        return None
    return next((ast.Threshold("runs", _PASSED_SCORE[_top(m)]) for m in _of_type(linked, "stat")
                 if _top(m) in _PASSED_SCORE and _PASSED_BEFORE.search(re.sub(r"\s*\b(a|an|the)\s*$", "",
                                                                              _before(linked, m).lower()))), None)


def _without(words: list[Mention], unwanted: Callable[[Mention], object]) -> list[Mention]:
    """The words but the unwanted ones, unless that leaves none."""
    return [m for m in words if not unwanted(m)] or words


def _in_a_list(linked: Linked, mention: Mention) -> bool:
    """A separator (",", "and", "&"...) right before or after the word."""
    return bool(_LIST_SEPARATOR.match(linked.question[mention.end:])
                or re.search(r"(,|&|\+|/|\band)\s*$", linked.question[:mention.start], re.I))


def _one_innings(linked: Linked, mention: Mention) -> bool:
    """ "In the first over of an ODI innings": the innings is where, not a count asked for."""
    return _top(mention) == "innings" and bool(_ONE_BEFORE.search(_before(linked, mention)))


def _stats(linked: Linked, listed: bool, unit_spans: list[tuple[int, int]],
           group_spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The stat words of the question, canonical, and the stats its cue words imply. "Played" asks
    for matches only with no other stat named, or in a list of them (`listed`: "played, won,
    lost"): "runs in a Test played in India" asks for runs. Nor does the match that is a record's
    unit ("match hauls", "in a single match") ask for matches when another stat is named, nor do
    the words asking for groups ("wicket by wicket"), nor "an innings" with others. A format's
    matches do, when listed with other stats or alone ("Test matches, runs and average")."""
    words = _without(_of_type(linked, "stat"), lambda m: _inside(m, group_spans))
    # "Played" is a stat when it is one of the list ("played, won"), not in "Tests played in India".
    words = _without(words, lambda m: _PLAY_VERB.fullmatch(m.text) and not (listed and _in_a_list(linked, m)))
    words = _without(words, lambda m: _top(m) == "matches" and _inside(m, unit_spans))
    words = _without(words, lambda m: _one_innings(linked, m))
    colon = linked.question.find(":")
    if listed and colon > 0 and sum(m.start > colon for m in words) >= 2:
        words = [m for m in words if m.start > colon]  # "their stands: runs, average": the list is asked for
    named = sorted([(m.start, _top(m)) for m in words] + [
        (m.start, "matches") for m in _of_type(linked, "competition")  # "Test matches, runs and average"
        if _FORMAT_MATCHES.search(m.text) and (not words or _LIST_SEPARATOR.match(linked.question[m.end:])
                                               or any(0 < w.start - m.end <= 1 for w in words))])  # "T20I matches wins"
    return tuple(dict.fromkeys(
        [stat for _, stat in named]
        + (["strike rate"] if re.search(r"\b(quickest|fastest|slowest)\b", linked.question, re.I) else [])
        + (["dismissals"] if CUES["times_out"].search(linked.question) else [])
    ))


def _players(linked: Linked) -> tuple[str, ...]:
    """Players in question order; of two names with only a space between them ("George Munsey"),
    the first is the second's first name if his name holds it, not another player ("kohli abd")."""
    mentions = _of_type(linked, "player")
    kept = [m for m, after in zip(mentions, mentions[1:] + [None])
            if not (after and linked.question[m.end:after.start].strip() == "" and _may_be_first_name(m.text, _top(after)))]
    return tuple(dict.fromkeys(_top(m) for m in kept))


def _may_be_first_name(word: str, player: str) -> bool:
    """ "George" of George Munsey or of HG Munsey (Cricsheet's initials), "Phil" of Philip Salt,
    "Nitish Kumar" of Nithish Kumar Reddy; not "kohli" of AB de Villiers."""
    first, names = player.split()[0], player.lower().split()[:-1]
    return any(name.startswith(part) for part in word.lower().split() for name in names) or (
        first.isupper() and word[:1].upper() in first)


def _teams_and_places(linked: Linked) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """Teams (with their role) and host places. A country named once is one or the other, as the
    linker scored it from the words around it ("in India" a place, "against India" a team)."""
    place_score = {(m.start, m.end): m.candidates[0].score for m in _of_type(linked, "place")}
    team_score = {(m.start, m.end): m.candidates[0].score for m in _of_type(linked, "team")}
    teams = tuple(dict.fromkeys(
        (_top(m), _team_role(linked, m)) for m in _of_type(linked, "team")
        if m.candidates[0].score >= place_score.get((m.start, m.end), 0.0)
    ))
    places = [_top(m) for m in _of_type(linked, "place")
              if m.candidates[0].score > team_score.get((m.start, m.end), 0.0)]
    return teams, places


# --- filling an example's shape ----------------------------------------------------------------------

def _output_for(subject: str, output: ast.Output, frame: Frame, stat: str | None) -> ast.Output | None:
    """The example's output shape with the question's numbers (and optionally another stat)."""
    count = frame.numbers.get("count", DEFAULT_COUNT)
    qualification = None
    if "minimum" in frame.numbers and frame.qualifier_stat:
        qualification = ast.Qualification(frame.qualifier_stat, frame.numbers["minimum"])
    match output:
        case ast.Aggregate(more=more) if more:
            # The shape of several stats side by side, filled with the question's own stats.
            stats = frame.stats if frame.several_stats else ()
            if stat is not None or not stats or not set(stats) <= set(catalogue.SUBJECT_STATS[subject]):
                return None
            if subject in ("batting", "bowling") and any(
                    catalogue.STAT_SUBJECT.get(s, (subject,))[0] in {"batting", "bowling"} - {subject} for s in stats):
                return None  # "runs and wickets" are a batting and a bowling figure: not one subject's
            return ast.Aggregate(stats[0], tuple(stats[1:]))
        case ast.Aggregate() | ast.Grouped() | ast.Ranking():
            stat = _subject_stat(subject, stat, catalogue.SUBJECT_STATS, catalogue.STAT) if stat else output.stat
            if stat not in catalogue.SUBJECT_STATS[subject]:
                return None
            if isinstance(output, ast.Ranking):
                return ast.Ranking(output.direction, count, stat, qualification, frame.per)
            return replace(output, stat=stat)
        case ast.BestInnings():
            stat = _subject_stat(subject, stat, catalogue.SUBJECT_INNINGS_STATS, catalogue.INNINGS_STAT) if stat else output.stat
            if stat not in catalogue.SUBJECT_INNINGS_STATS[subject]:
                return None
            return ast.BestInnings(output.direction, count, stat, qualification if subject != "team" else None)
        case ast.Listing():
            kind = stat if stat in catalogue.SUBJECT_LISTS[subject] else output.kind  # "list ducks" from "list hundreds"
            return ast.Listing(kind) if kind in catalogue.SUBJECT_LISTS[subject] else None
        case ast.Milestone() if frame.milestone and subject == _COUNTED_BY[frame.milestone.stat]:
            return frame.milestone
        case ast.Streak() if frame.streak and subject == _COUNTED_BY[frame.streak.condition.stat]:
            return frame.streak
    return None


def _subject_stat(subject: str, stat: str, subject_stats: dict, entries: dict) -> str | None:
    """The subject's stat a question's stat word asks for: the word's own, or one it asks for
    ("wickets" -> a bowler's best figures; "dismissals" -> a bowler's wickets)."""
    if stat in subject_stats[subject]:
        return stat
    return next((keyword for keyword in subject_stats[subject] if stat in entries[keyword].asked_by), None)


def _role_fills(subject: str, frame: Frame) -> Iterable[dict]:
    """Ways to put the question's players and teams into the subject's slots."""
    players = list(frame.players)
    teams = list(frame.teams)
    player_options: list[dict] = [{}]
    if subject != "team":
        if len(players) == 1:
            player_options = [{"player": players[0]}]
        elif len(players) >= 2:
            if subject == "partnership":  # the pair: who is named first does not change a stand
                player_options = [{"player": players[0], "against": players[1]}]
            elif frame.compare == "strong" or frame.teammates:
                player_options = []
            elif subject in ("batting", "bowling"):
                player_options = [{"player": players[0], "against": players[1]},
                                  {"player": players[1], "against": players[0]}]
            else:
                player_options = [{"player": players[0]}]
            if frame.compare and subject != "partnership":
                player_options.append({"player": players[0], "rivals": tuple(players[1:3])})
    elif players:
        return  # a team query cannot hold a player the question names
    team_options: list[dict] = [{}]
    if len(teams) == 1:
        team, role = teams[0]
        if subject == "team":
            team_options = {"opposition": [{"opposition": team}], "team": [{"team": team}]}.get(
                role, [{"team": team}, {"opposition": team}])
        elif role == "team":
            team_options = [{"team": team}]
        elif role == "opposition":
            team_options = [{"opposition": team}]
        elif subject == "partnership":  # a side's stands, unless a word makes it the opposition
            team_options = [{"team": team}, {"opposition": team}]
        else:
            team_options = [{"opposition": team}, {"team": team}]
    elif len(teams) >= 2 and subject == "team" and frame.compare == "strong":
        team_options = [{"team": teams[0][0], "rivals": tuple(team for team, _ in teams[1:3])}]
    elif len(teams) >= 2:
        (first, first_role), (second, second_role) = teams[:2]
        if first_role == "opposition" or second_role == "team":
            first, second, first_role, second_role = second, first, second_role, first_role
        team_options = [{"team": first, "opposition": second}]
        if first_role == "either" and second_role == "either":  # no cue word: let the model choose
            team_options.append({"team": second, "opposition": first})
    for player_fill in player_options:
        for team_fill in team_options:
            yield {**player_fill, **team_fill}


def fill(example: ast.Query, frame: Frame, *, stat: str | None = None, subject: str | None = None) -> list[ast.Query]:
    """The example's subject and output, the question's filters and values: every role assignment."""
    subject = subject or example.subject
    output = _output_for(subject, example.output, frame, stat)
    if output is None:
        return []
    filters = dict(frame.filters)
    if subject not in ("batting", "bowling") and "dismissal" in filters or subject == "fielding" and "overs" in filters:
        return []  # the question's dismissal filter needs a batting or bowling query, an over filter no fielding one
    if subject != "batting" and "position" in filters or subject != "partnership" and "wicket" in filters:
        return []
    if subject in ("team", "partnership") and "debut" in filters:
        return []
    if "threshold" in filters and subject not in _THRESHOLD_SUBJECTS[filters["threshold"].stat]:
        return []  # an innings of N runs is a batting innings (or a stand), of N wickets a bowling one
    if subject == "team" and "result" in filters and not _counts_team_innings(output):
        # For a team's results the result is the stat, not a filter.
        stat = RESULT_STATS[filters.pop("result")]
        if isinstance(output, ast.Listing):
            output = ast.Listing(stat)
        elif output.stat == "matches" or output.stat in RESULT_STATS.values():
            output = replace(output, stat=stat)
    return [ast.Query(subject=subject, output=output, **filters, **roles) for roles in _role_fills(subject, frame)]


_COUNTED_BY = {"runs": "batting", "wickets": "bowling"}  # whose innings a score of runs (wickets) is
_THRESHOLD_SUBJECTS = {"runs": ("batting", "partnership"), "wickets": ("bowling",),  # whose rows `with N+` keeps
                       "sixes": ("batting",), "fours": ("batting",)}


def _counts_team_innings(output: ast.Output) -> bool:
    if isinstance(output, (ast.BestInnings, ast.Listing)):
        return isinstance(output, ast.BestInnings)
    return catalogue.STAT[output.stat].forms["team"].source == "team_innings"


def _variants(example: ast.Query, frame: Frame) -> list[ast.Query]:
    """The example itself, grouped by each group the question names, its ranking or best innings
    reversed, and its figure as a list when the question asks to see the innings or matches."""
    variants = [example]
    output = example.output
    stat = getattr(output, "stat", None) or getattr(output, "kind", None)
    if not isinstance(output, ast.Aggregate) and stat in catalogue.SUBJECT_STATS[example.subject]:
        variants.append(replace(example, output=ast.Aggregate(stat)))  # the plain figure is always a reading
    if isinstance(output, (ast.Aggregate, ast.Grouped)):
        for group in frame.groups:
            if example.subject == "team" and group == "team":  # "wins by team" ranks the teams
                variants.append(replace(example, output=ast.Ranking("top", DEFAULT_COUNT, output.stat)))
            else:
                variants.append(replace(example, output=ast.Grouped(group, output.stat)))
    if frame.list_cue and isinstance(output, (ast.Aggregate, ast.Grouped, ast.Ranking)) \
            and output.stat in catalogue.SUBJECT_LISTS[example.subject]:
        variants.append(replace(example, output=ast.Listing(output.stat)))
    if frame.list_cue and isinstance(output, (ast.Aggregate, ast.Grouped, ast.Listing)):
        # the plain list of the subject's innings (or matches), whatever the example counted
        plain = next((kind for kind in ("innings", "matches") if kind in catalogue.SUBJECT_LISTS[example.subject]), None)
        if plain:
            variants.append(replace(example, output=ast.Listing(plain)))
    if not frame.stats and frame.innings_cue and frame.ranking_cue and example.subject in _MAIN_INNINGS_STAT:
        # "his best ODI innings": single innings by their main figure
        variants.append(replace(example, output=ast.BestInnings("best", DEFAULT_COUNT, _MAIN_INNINGS_STAT[example.subject])))
    for stat in frame.stats:  # a stat only single innings (or matches) have: "biggest wins by runs"
        if stat in catalogue.INNINGS_STAT and (stat not in catalogue.STAT or frame.single_innings):
            variants += [replace(example, output=ast.BestInnings(direction, DEFAULT_COUNT, stat)) for direction in ("best", "worst")]
    if frame.milestone:
        variants.append(replace(example, subject=_COUNTED_BY[frame.milestone.stat], output=frame.milestone))
    if frame.streak:
        variants.append(replace(example, subject=_COUNTED_BY[frame.streak.condition.stat], output=frame.streak))
    if frame.stand_record:
        variants.append(replace(example, subject="partnership", output=ast.BestInnings("best", DEFAULT_COUNT, "runs")))
    if frame.several_stats and isinstance(output, ast.Aggregate):
        variants.append(replace(example, output=ast.Aggregate(frame.stats[0], frame.stats[1:])))
    if frame.per and isinstance(output, (ast.Aggregate, ast.Grouped)):
        variants.append(replace(example, output=ast.Ranking("top", DEFAULT_COUNT, output.stat)))
    if frame.numbers.get("count") == MAX_COUNT and _career_minimum(frame.numbers, frame.qualifier_stat) and \
            isinstance(output, (ast.Aggregate, ast.Grouped, ast.Listing)):  # "players with 100+ ODI matches": all of them
        variants.append(replace(example, output=ast.Ranking("top", MAX_COUNT, frame.qualifier_stat)))
    if isinstance(output, ast.Ranking):
        flipped = "bottom" if output.direction == "top" else "top"
        variants.append(replace(example, output=replace(output, direction=flipped)))
        if not frame.stats and example.subject in _MAIN_STAT:
            variants.append(replace(example, output=replace(output, stat=_MAIN_STAT[example.subject])))
    if isinstance(output, ast.BestInnings):
        flipped = "worst" if output.direction == "best" else "best"
        variants.append(replace(example, output=replace(output, direction=flipped)))
    return variants


def _fits_direction(query: ast.Query, frame: Frame) -> bool:
    """A ranking runs from the bottom (the worst innings) only when the question's words say so."""
    output = query.output
    if isinstance(output, ast.Ranking):
        lower_better = catalogue.STAT[output.stat].forms[query.subject].lower_is_better  # top economy = lowest
        return (output.direction == "bottom") == (frame.bottom_cue_lower_better if lower_better else frame.bottom_cue)
    if isinstance(output, ast.BestInnings):
        lower_better = catalogue.INNINGS_STAT[output.stat].forms[query.subject].lower_is_better
        return (output.direction == "worst") == (frame.bottom_cue_lower_better if lower_better else frame.bottom_cue)
    return True


def _fits_cues(query: ast.Query, frame: Frame) -> bool:
    """Does the query's shape fit the question's shape words? A question naming no player that
    asks "who has the most..." wants a ranking; one naming groups wants them."""
    output = query.output
    if isinstance(output, ast.Milestone) != bool(frame.milestone) or isinstance(output, ast.Streak) != bool(frame.streak):
        return False  # "fastest to", "consecutive": their own shapes, and only when asked
    if frame.compare == "strong" and not query.rivals and query.subject != "partnership":
        return False  # "Root or Smith": the figures of both
    if frame.partners_asked and not isinstance(output, ast.Ranking):
        return False  # the partners of the one named batter, ranked
    if frame.stand_record and not isinstance(output, (ast.BestInnings, ast.Listing)):
        return False  # the highest stands are single stands (best N runs); "most runs" is a pair's total
    if frame.per and not isinstance(output, ast.Ranking):
        return False  # a record within one season or match ranks (player, unit) pairs
    if frame.several_stats != bool(getattr(output, "more", ())):
        return False  # several stats named together are shown together
    if query.subject == "team" and not query.team and "team" in frame.groups:  # "wins by team" ranks the sides
        if not isinstance(output, ast.Ranking):
            return False
    elif frame.groups and not (isinstance(output, ast.Grouped) and output.group in frame.groups):
        return False
    if isinstance(output, ast.Grouped) and not frame.groups:
        return False  # one figure per group only when the question names the groups
    if isinstance(output, (ast.Ranking, ast.Aggregate, ast.Grouped)) and catalogue.STAT[output.stat].innings_record \
            and (isinstance(output, ast.Ranking) or not frame.players):
        return False  # "highest scores" are single innings: best N runs lists them, once per innings
    if isinstance(output, (ast.Milestone, ast.Streak)):
        return True  # its subject is the one its score is of (runs: batting), whatever the verbs say
    if not _subject_fits(query, frame):
        return False
    if isinstance(output, ast.Ranking) and query.player is not None and not output.per \
            and query.subject != "partnership":  # (a batter's stands rank his partners)
        return False  # a ranking of players filtered to one player says nothing a figure does not
    if isinstance(output, ast.BestInnings) and not frame.innings_cue and not frame.list_cue:
        return False  # "most sixes" is a career ranking; single innings only when the words say so
    if isinstance(output, ast.BestInnings) and _career_minimum(frame.numbers, frame.qualifier_stat):
        return False
    if isinstance(output, ast.Listing) and not frame.list_cue:
        return False
    if isinstance(output, ast.Listing) and output.kind not in ("innings", "matches") \
            and output.kind not in frame.stats and output.kind != RESULT_STATS.get(frame.filters.get("result")):
        return False  # a list of hundreds (or wins) only when the question names them
    stat = getattr(output, "stat", None)
    results_counted = {"matches"} if query.subject == "team" and stat == RESULT_STATS.get(frame.filters.get("result")) \
        else set()
    if frame.stats and stat is not None and stat not in frame.stats \
            and (_asked_by(output) | results_counted).isdisjoint(frame.stats):
        return False  # (a side's tied matches played are its ties)
    ranked = isinstance(output, (ast.Ranking, ast.BestInnings))
    if ranked and not (frame.ranking_cue or frame.bottom_cue or "count" in frame.numbers or frame.per):
        return False  # "how many sixes have India hit" asks for one figure, not the top ten hitters
    if frame.ranking_cue and not frame.players and not frame.groups and not isinstance(output, ast.Listing):
        if not ranked and not (query.subject == "team" and query.team):
            return False
    if not _fits_direction(query, frame):
        return False
    if "count" in frame.numbers and not ranked and not isinstance(output, ast.Listing):
        return False  # "Ireland's five highest totals": a number of rows was asked for
    if frame.list_cue and not frame.ranking_cue and not isinstance(output, ast.Listing):
        return False
    return True


# The most one innings holds: a minimum above it ("min 1,000 balls") qualifies careers, not innings.
_ONE_INNINGS_MOST = {"balls": 500, "runs": 400, "wickets": 10}


def _career_minimum(numbers: dict, qualifier_stat: str | None) -> bool:
    """A minimum no single innings could meet: of innings, matches or stands, or more balls, runs
    or wickets than one innings holds."""
    minimum = numbers.get("minimum")
    return minimum is not None and qualifier_stat is not None and minimum > _ONE_INNINGS_MOST.get(qualifier_stat, 0)


def _subject_fits(query: ast.Query, frame: Frame) -> bool:
    """The subject the question's words name outright ("bowler", "conceded", "hit") is kept; a
    partnership is only ever what the question calls one."""
    if query.subject in WORDED_SUBJECTS and query.subject not in frame.subjects:
        return False
    if frame.strong_subjects:
        return query.subject in frame.strong_subjects
    return not frame.verb_subjects or query.subject in frame.verb_subjects + ("team",)


def _asked_by(output: ast.Output) -> set[str]:
    """Other stat words that ask for the output's stat ("wickets" asks for best figures)."""
    entry = catalogue.INNINGS_STAT if isinstance(output, ast.BestInnings) else catalogue.STAT
    return set(entry[output.stat].asked_by)


def shaped_candidates(frame: Frame, examples: Iterable[ast.Query], limit: int = 24) -> list[ast.Query]:
    """Candidate queries in a stable order: each example's own shape first, then the variants
    the question's stat, subject, group and direction words suggest. Shapes that contradict the
    question's words are dropped (unless nothing else is left)."""
    examples = [variant for example in examples for variant in _variants(example, frame)]
    seen: dict[ast.Query, None] = {}
    for example in examples:
        for query in fill(example, frame):
            seen.setdefault(query, None)
    # A stat only some subjects have ("dismissals") re-types a neighbour of another subject.
    stat_subjects = tuple(
        subject for subject in catalogue.SUBJECTS
        if any(_subject_stat(subject, stat, catalogue.SUBJECT_STATS, catalogue.STAT)
               or _subject_stat(subject, stat, catalogue.SUBJECT_INNINGS_STATS, catalogue.INNINGS_STAT)
               for stat in frame.stats)
        and subject not in WORDED_SUBJECTS)
    for example in examples:
        for subject in frame.subjects or (example.subject,) + stat_subjects:
            for stat in frame.stats or (None,):
                for query in fill(example, frame, stat=stat, subject=subject):
                    seen.setdefault(query, None)
    candidates = list(seen)
    fitting = [query for query in candidates if _fits_cues(query, frame)]
    # With no shape fitting every cue, the rest are readings, but never of another subject than
    # the question names, nor the bottom of a ranking no word asked for: that would answer a
    # different question.
    return (fitting or [query for query in candidates
                        if _subject_fits(query, frame) and _fits_direction(query, frame)])[:limit]


def _filter_used(query: ast.Query, name: str, value: object) -> bool:
    if name == "result" and query.subject == "team":  # a team's result may be the stat itself
        stat = getattr(query.output, "stat", None) or getattr(query.output, "kind", None)
        return query.result == value or stat == RESULT_STATS[value]
    return getattr(query, name) == value


def missing_parts(query: ast.Query, question: Frame) -> list[str]:
    """What the question names that the query leaves out (players, teams, filters), as words."""
    named = set(_name_slots(query))
    missing = [player for player in question.players if player not in named]
    missing += [team for team, _ in question.teams if team not in named]
    missing += [f"{name.replace('_', ' ')} {value}" for name, value in question.filters.items()
                if not _filter_used(query, name, value) and not (
                    name == "result" and question.result_of and query.opposition == question.result_of
                    and query.result == _OTHER_RESULT.get(value))]  # the opposition's result, seen from the side
    if question.stats and not set(question.stats) & _stats_used(query):
        missing.append(" or ".join(question.stats))
    if question.groups and not _grouped_as_asked(query, question):
        missing.append(" or ".join(f"by {group}" for group in question.groups))
    if question.several_stats and not set(question.stats) <= _stats_used(query):
        missing.append(", ".join(s for s in question.stats if s not in _stats_used(query)) or "several stats at once")
    if question.per and getattr(query.output, "per", None) != question.per:
        missing.append(f"within a single {question.per}")
    if "minimum" in question.numbers and question.qualifier_stat and not getattr(query.output, "qualification", None):
        missing.append(f"at least {question.numbers['minimum']} {question.qualifier_stat}")
    if question.milestone and query.output != question.milestone:
        missing.append("how fast the score was reached")
    if question.streak and query.output != question.streak:
        missing.append("consecutive innings")
    if question.compare == "strong" and not query.rivals and query.subject != "partnership":
        missing.append("the comparison")
    if question.single_innings and not (isinstance(query.output, (ast.BestInnings, ast.Listing, ast.Milestone))
                                        or getattr(query.output, "per", None) == "match"):
        missing.append("a single innings")
    if getattr(query.output, "count", 0) > MAX_COUNT:
        missing.append(f"what the number {query.output.count} counts")
    elif "count" in question.numbers and not hasattr(query.output, "count"):
        missing.append(f"what the number {question.numbers['count']} counts")  # a list or a figure has no count
    return missing


_NAME_FIELDS = ("player", "against", "team", "opposition", "rivals")


def _name_slots(query: ast.Query) -> list[str]:
    """The players and teams a query names, slot by slot (a name in two slots twice)."""
    return [name for field in _NAME_FIELDS for name in _as_tuple(getattr(query, field)) if name]


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def extra_parts(query: ast.Query, question: Frame) -> list[str]:
    """What the query adds to the question, as words: a name it does not name, one name in two
    slots, or groups it does not ask for. The rules' candidates never add them; a model's own
    query may."""
    slots = _name_slots(query)
    named = set(question.players) | {team for team, _ in question.teams}
    extra = [name for name in dict.fromkeys(slots) if name not in named]
    extra += [f"{name} twice" for name in dict.fromkeys(slots) if slots.count(name) > 1]
    if isinstance(query.output, ast.Grouped) and not _grouped_as_asked(query, question):
        extra.append(f"by {query.output.group}")
    if question.teammates and query.subject != "partnership" and (query.against or query.rivals):
        extra.append("the partners as opponents or rivals")
    extra += [f"{name.replace('_', ' ')} {value}" for name, value in query.filters().items()
              if name not in _NAME_FIELDS and name not in question.filters]
    return extra


def _grouped_as_asked(query: ast.Query, question: Frame) -> bool:
    output = query.output
    if isinstance(output, ast.Grouped):
        return output.group in question.groups
    return query.subject == "team" and "team" in question.groups and isinstance(output, ast.Ranking)


def _stats_used(query: ast.Query) -> set[str]:
    """The stat words a query answers: its stat (and the words that ask for it), list kind, qualifier."""
    output = query.output
    used = {getattr(output, "stat", None), getattr(output, "kind", None), *getattr(output, "more", ())}
    qualification = getattr(output, "qualification", None)
    if qualification:
        used.add(qualification.stat)
    if isinstance(output, ast.BestInnings):
        used |= set(catalogue.INNINGS_STAT[output.stat].asked_by)
    elif getattr(output, "stat", None):
        used |= set(catalogue.STAT[output.stat].asked_by)
    if query.subject == "team" and used & set(RESULT_STATS.values()):
        used.add("matches")  # "matches England won" asks for wins
    return used - {None}


def _main_roles(question: Frame, engine: Engine) -> dict[str, str | None]:
    """The first two named players' main roles, "batting" or "bowling"."""
    return {player: primary_role(engine, player) for player in question.players[:2]}


def _by_main_role(candidates: list[ast.Query], question: Frame, engine: Engine) -> list[ast.Query]:
    """A named player's main role (batting or bowling) decides the subject when the question's
    words do not: a bowler's "strike rate" is his bowling one. Of a batter and a bowler named
    together ("A v B") either may hold the query's player slot, so each query's own player's role
    decides, and the first named player's side comes first."""
    if not question.players or question.strong_subjects or question.verb_subjects:
        return candidates
    roles = _main_roles(question, engine)
    first_role = roles[question.players[0]]
    other = {"batting": "bowling", "bowling": "batting"}
    if len(set(roles.values())) < 2:
        return [q for q in candidates if q.subject != other.get(first_role)] or candidates
    kept = [q for q in candidates if q.subject != other.get(roles.get(q.player, first_role))] or candidates
    return sorted(kept, key=lambda q: q.player != question.players[0])


def _sides_as_played(candidates: list[ast.Query], question: Frame, engine: Engine) -> list[ast.Query]:
    """A side the named player has only ever played for is his team, and one he has only ever played
    against his opposition ("Shamsi's wickets when South Africa won the toss"). A cue word that
    leaves only the other reading ("for", "against") keeps it: nothing else is left. A result the
    opposition had ("in matches Pakistan won") is the other one for the player's side."""
    if len(question.players) != 1:
        return candidates
    played_for, played_against = sides(engine, question.players[0])
    only_for, only_against = played_for - played_against, played_against - played_for
    kept = [q for q in candidates if q.opposition not in only_for and q.team not in only_against] or candidates
    return [replace(q, result=_OTHER_RESULT.get(q.result, q.result)) if question.result_of and
            q.opposition == question.result_of else q for q in kept]


_OTHER_RESULT = {"won": "lost", "lost": "won"}
_RESULT_OF = re.compile(r"\s+((have|has|had|were|was)\s+)?")  # "Pakistan won", "Pakistan have lost"


_DISMISSED_AFTER = re.compile(r"\s+(got|gets|dismissed|dismisses|removed|removes|trapped|troubled|had)\b", re.I)
_SCORED_OFF = re.compile(r"\b(scored|scores|score|scoring|made|makes|hit|hits|taken|took|plundered)\s+(\w+\s+)?(off|from)\s*$", re.I)


def _compared_or_faced(candidates: list[ast.Query], question: Frame, engine: Engine,
                       linked: Linked) -> list[ast.Query]:
    """Two players named: two batters (or two bowlers) "A vs B" are compared; a batter and a bowler
    faced each other, the batter in the batting query's player slot (the bowler in the bowling one's).
    "A got (dismissed, removed) B" names the bowler first, whatever the two mostly do; "A scored off B"
    the batter."""
    if len(question.players) < 2:
        return candidates
    first, second = _of_type(linked, "player")[:2]
    between = linked.question[first.end:second.start]
    if _DISMISSED_AFTER.match(between):
        bowler, batter = _top(first), _top(second)
        return [q for q in candidates if (q.subject, q.player) in {("bowling", bowler), ("batting", batter)}] or candidates
    if _SCORED_OFF.search(between):  # the batter's own runs: a bowler's would count his wides and no-balls
        return [q for q in candidates if (q.subject, q.player) == ("batting", _top(first))] or candidates
    roles = _main_roles(question, engine)
    if question.compare == "maybe":
        compared = len(set(roles.values())) == 1
        candidates = [q for q in candidates if bool(q.rivals) == compared] or candidates
    if len(set(roles.values())) == 2:
        candidates = [q for q in candidates if not (q.against and q.subject in ("batting", "bowling")
                                                    and roles.get(q.player, q.subject) != q.subject)] or candidates
    return candidates


def _main_stat_first(candidates: list[ast.Query], question: Frame) -> list[ast.Query]:
    """With no stat named, nor single innings or a kind of dismissal (which imply their own), "the
    best" batters, bowlers or partners rank by runs or wickets."""
    if question.stats or question.innings_cue or "dismissal" in question.filters:
        return candidates
    main = [q for q in candidates if isinstance(q.output, ast.Ranking) and q.output.stat == _MAIN_STAT.get(q.subject)]
    return main + [q for q in candidates if q not in main]


@dataclass(frozen=True)
class Candidates:
    question: Frame  # what the question itself says
    queries: list[ast.Query]  # best guess first


def candidates_for(linked: Linked, shapes: Iterable[ast.Query], engine: Engine) -> Candidates:
    """The candidate queries for a linked question (see the module docstring)."""
    question = frame(linked, franchises=lexicon(engine).franchises)
    shaped = shaped_candidates(question, shapes)
    errors = [compile_error(q, engine) for q in shaped]
    valid = [q for q, error in zip(shaped, errors) if error is None]
    ambiguous = [error for error in errors if isinstance(error, AmbiguousName)]
    if not valid and ambiguous:
        raise ambiguous[0]  # ask which player is meant, rather than let generation pick one
    valid = _compared_or_faced(_sides_as_played(_by_main_role(valid, question, engine), question, engine),
                               question, engine, linked)
    complete = [q for q in valid if not missing_parts(q, question)]
    return Candidates(question, _main_stat_first(complete or valid, question))
