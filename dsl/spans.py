"""Span patterns: regular expressions for what needs its neighbouring words to be read.

Seasons ("2019/20"), year spans ("since 2015", "between 2010 and 2015", "the 2000s"), tosses, over
ranges, innings numbers, batting positions, ranking counts and qualifications. Each pattern's
reader turns a match into typed hits for the linker (dsl/link.py), which runs these first: the
text they claim is not read again by its dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from dsl.vocabulary import FORMAT_WORD, NUMBER_WORDS, ORDINALS, number_value


@dataclass(frozen=True)
class Hit:
    """A typed reading of part of a question, before the linker scores it in context."""

    type: str
    start: int
    end: int
    values: tuple[tuple[str, float], ...]
    fuzzy: bool = False


_YEAR = r"((?:19|20)\d\d)"
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))  # numbers written as words
_NUM = r"(\d{1,6}|" + _WORDS + r")"
_COUNT = r"(\d{1,3}|" + _WORDS + r")"  # never a year
_POSITION = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)"


def _year_ok(year: int) -> bool:
    return 1990 <= year <= 2030


def _span_hits(kind: str, match: re.Match, years: Iterable[tuple[int, Iterable[int]]]) -> list[Hit]:
    """A span mention over the whole phrase plus one year mention per year group."""
    hits = [Hit("span", match.start(), match.end(), ((kind, 1.0),))]
    for group, candidates in years:
        scored = tuple((str(y), 1.0 if i == 0 else 0.8) for i, y in enumerate(candidates))
        hits.append(Hit("year", match.start(group), match.end(group), scored))
    return hits


def _season(match: re.Match, _: str) -> list[Hit] | None:
    first = int(match.group(1))
    second = match.group(2)
    last = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    if last < first and len(second) == 2:
        last += 100
    if not (_year_ok(first) and _year_ok(last)) or last <= first:
        return None
    if last == first + 1:  # "2019/20", "2019-20": a split season as Cricsheet names it
        season = f"{first}/{last % 100:02d}"
        return [Hit("span", match.start(), match.end(), (("season", 1.0),)),
                Hit("season", match.start(1), match.end(2), ((season, 1.0),))]
    return _span_hits("between", match, [(1, [first]), (2, [last])])  # "2012-16"


def _between(match: re.Match, _: str) -> list[Hit] | None:
    first, last = int(match.group(1)), int(match.group(2))
    if not (_year_ok(first) and _year_ok(last)) or last <= first:
        return None
    return _span_hits("between", match, [(1, [first]), (2, [last])])


def _decade(match: re.Match, _: str) -> list[Hit] | None:
    first = int(match.group(1)) * 10
    if not _year_ok(first):
        return None
    return [Hit("span", match.start(), match.end(), (("between", 1.0),)),
            Hit("year", match.start(1), match.end(), ((str(first), 1.0),)),
            Hit("year", match.start(1), match.end(), ((str(first + 9), 1.0),))]


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


def _cued_year(match: re.Match, _: str) -> list[Hit] | None:
    year = int(match.group(2))
    if not _year_ok(year):
        return None
    kind, offsets = _YEAR_CUES[re.sub(r"\s+", " ", match.group(1))]
    if match.group(3):  # "from 2015 onwards"
        kind, offsets = "since", (0,)
    return _span_hits(kind, match, [(2, [year + o for o in offsets])])


def _onwards(match: re.Match, _: str) -> list[Hit] | None:
    year = int(match.group(1))
    return _span_hits("since", match, [(1, [year])]) if _year_ok(year) else None


def today() -> date:
    """The date relative years count back from ("last year", "the past 5 years"); tests fix it."""
    return date.today()


# "in the last 5 years", "over the past decade", "this year", "since last year". The DSL holds
# whole calendar years, so a period of N years starts on the 1 January nearest the date N years
# ago: asked in December, "the last 5 years" is the five calendar years up to this one; asked in
# January, the five before it plus these days. "Last year" alone is the calendar year before this
# one; "the last year" and "the past year" are the last twelve months.
RELATIVE_YEARS = re.compile(
    r"\b(?:(since|from)\s+)?(?:(?:in|over|during|within|across|for)\s+)?(the\s+)?"
    r"(this|current|last|past|previous|recent)\s+(?:" + _COUNT + r"\s+)?(calendar\s+)?(years?|decade)\b"
    r"(?!\s+(?:of|before|after)\b)")  # "the last year of his career" is his, not counted from today


def _period_start(years: int) -> int:
    now = today()
    start = date(now.year - years, now.month, min(now.day, 28))
    return start.year + (start.month > 6)


def _relative_years(match: re.Match, _: str) -> list[Hit] | None:
    since_cue, the, which, count, calendar, unit = match.groups()
    this_one = which in ("this", "current")
    if count is not None and (this_one or unit == "decade" or not 1 <= number_value(count) <= 50):
        return None
    year = today().year
    if unit == "decade":
        kind, first = "since", year // 10 * 10 if this_one else _period_start(10)
    elif unit == "years":  # "the last 5 years"; "last years" names no period
        if count is None or this_one:
            return None
        kind, first = "since", _period_start(number_value(count))
    elif this_one:
        kind, first = "in_year", year
    elif count is not None or not calendar and (which in ("past", "recent") or the and which == "last"):
        kind, first = "since", _period_start(1)  # "the past year", "in the last year": twelve months
    else:  # "last year", "the previous year", "the past calendar year"
        kind, first = "in_year", year - 1
    if since_cue:
        kind = "since"
    return [Hit("span", match.start(), match.end(), ((kind, 1.0),)),
            Hit("year", match.start(3), match.end(), ((str(first), 1.0),))]


def _count_or_year(match: re.Match, text: str) -> list[Hit] | None:
    """"2000 runs" is mostly a count; "Asia Cup 2022 runs" a year (left to the bare-year pattern)."""
    value = int(match.group(1))
    if len(match.group(1)) != 4 or not _year_ok(value):
        return [_number_hit(match, 1, value)]
    if re.search(r"\b(?:cup|wc|ipl|trophy|ashes|t20i?|odi|test|series|season|in|of|during)\s*$",
                 text[:match.start()]):
        return None
    start, end = match.span(1)
    return [Hit("number", start, end, ((str(value), 0.8),)), Hit("year", start, end, ((str(value), 0.6),)),
            Hit("span", start, end, (("in_year", 0.6),))]


def _bare_year(match: re.Match, _: str) -> list[Hit] | None:
    year = int(match.group(1))
    return _span_hits("in_year", match, [(1, [year])]) if _year_ok(year) else None


def _number_hit(match: re.Match, group: int, value: int) -> Hit:
    return Hit("number", match.start(group), match.end(group), ((str(value), 1.0),))


def _over_range(match: re.Match, _: str) -> list[Hit] | None:
    return [_number_hit(match, 1, int(match.group(1))), _number_hit(match, 2, int(match.group(2)))]


def _first_overs(match: re.Match, _: str) -> list[Hit] | None:
    # "first 6 overs" -> overs 1-6: the 1 is read from the word "first", which stays unmasked.
    return [_number_hit(match, 1, 1), _number_hit(match, 2, number_value(match.group(2)))]


def _last_overs(match: re.Match, text: str) -> list[Hit] | None:
    # "last 4 overs" -> overs 17-20 of a T20 (41-50 when the question is about ODIs).
    length = 50 if re.search(r"\bodis?\b|\bone[\s-]day", text) else 20
    count = number_value(match.group(1))
    if not 0 < count <= length:
        return None
    return [_number_hit(match, 1, length - count + 1), _number_hit(match, 1, length)]


def _one_over(match: re.Match, text: str) -> list[Hit] | None:
    # "the first over" -> overs 1-1; "the last over" -> 20 (50 in an ODI); "the 19th over" -> 19.
    word = match.group(1)
    if word in ("first", "opening"):
        return [_number_hit(match, 1, 1)]
    if word in ("last", "final"):
        return [_number_hit(match, 1, 50 if re.search(r"\bodis?\b|\bone[\s-]day", text) else 20)]
    return [_number_hit(match, 1, int(word[:-2]))] if 0 < int(word[:-2]) <= 50 else None


WICKET_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                   "eighth": 8, "ninth": 9, "tenth": 10, "last": 10}


def _wicket_number(match: re.Match, _: str) -> list[Hit] | None:
    word = match.group(1)
    value = WICKET_ORDINALS[word] if word in WICKET_ORDINALS else int(word[:-2])
    return [_number_hit(match, 1, value)] if 1 <= value <= 10 else None


def _ordinal_innings(match: re.Match, _: str) -> list[Hit] | None:
    return [_number_hit(match, 1, ORDINALS[match.group(1)])]


def _plain_number(match: re.Match, _: str) -> list[Hit] | None:
    value = number_value(match.group(1))
    return [_number_hit(match, 1, value)] if value > 0 else None


def _haul_size(match: re.Match, text: str) -> list[Hit] | None:
    # "4-wicket hauls": a threshold of 4; "five-fors" and "5-wicket hauls" are the five-fors stat itself.
    return None if number_value(match.group(1)) == 5 else _plain_number(match, text)


def _one_five_for(match: re.Match, _: str) -> list[Hit]:
    # "a five-for": the five-fors stat ("top five for India" is a count, hence the article).
    return [Hit("stat", match.start(2), match.end(2), (("five-fors", 1.0),))]


def _share_of_balls(match: re.Match, _: str) -> list[Hit]:
    # "what percentage of balls does he hit to the boundary": the boundary %; "...are dots": dot-ball %
    stat = "dot-ball %" if match.group(1) else "boundary %"
    return [Hit("stat", match.start(), match.end(), ((stat, 1.0),))]


def _position(match: re.Match, _: str) -> list[Hit] | None:
    value = number_value(match.group(1))
    return [_number_hit(match, 1, value)] if 1 <= value <= 11 else None


def _opener(match: re.Match, _: str) -> list[Hit] | None:
    # Openers bat at 1 and 2: both numbers, on the word itself.
    return [Hit("number", match.start(), match.end(), (("1", 1.0),)),
            Hit("number", match.start(), match.end(), (("2", 1.0),))]


def _toss(match: re.Match, _: str) -> list[Hit] | None:
    said = match.group(1)  # "won the toss", "lost the toss", "called right" (won), "called wrong" (lost)
    outcome = "won" if said.startswith("w") or re.search(r"right|\bcorrectly", said) else "lost"
    action = match.group(2) or match.group(3) or ("bat" if match.group(4) else None)  # "put in": to bat
    if not action:
        return [Hit("toss", match.start(), match.end(), ((outcome, 1.0),))]
    batted = action.startswith("bat")
    # The query names the toss winner's choice; a side that lost the toss and "batted" (or "had to
    # bowl", "was put in") did what the winner left it: the winner chose the other.
    decision = "bat" if batted != (outcome == "lost") else "field"
    return [Hit("toss", match.start(), match.end(), ((f"{outcome} {decision}", 1.0), (outcome, 0.8)))]


_TOSS_CHOICE = r"(bat|bats|batted|batting|field|fields|fielded|fielding|bowl|bowls|bowled|bowling)"
# "2015 onwards", "in 2015 and after", "2015 or later": the year and every one since. Not when
# another year follows ("before 2010 and after 2015" is two spans).
_ONWARDS = r"(?:onwards?|and\s+(?:after|later|beyond|since)|or\s+(?:after|later))\b(?!\s*(?:19|20)\d\d)"
_STAT_NOUN = r"(?:runs|balls|deliveries|wickets|wkts|matches|games|innings|overs|catches|sixes|fours|points)"
# (pattern, reader). Earlier patterns win: seasons before year ranges before single years, and
# numbers with a stat after them ("2000 runs") before bare years.
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match, str], list[Hit] | None]]] = [
    (re.compile(r"\b((?:won|wins|winning|win|lost|lose|loses|losing)\s+(?:the\s+)?toss(?:es)?"
                r"|call(?:ed|s|ing)?\s+(?:it\s+)?(?:right|correctly|wrong|wrongly|incorrectly))\b"
                r"(?:\s*,?\s*(?:and\s+)?(?:then\s+)?(?:(?:chose|chosen|choosing|choose|chooses|elected|electing|elect|elects|opted|opting|opt|opts|"
                r"decided|deciding|decide|decides)?\s*(?:to\s+)?" + _TOSS_CHOICE + r"|(?:had|has|have|were|was|got)\s+"
                r"(?:to|(?:put|sent|asked|made)\s+(?:in\s+)?to)\s+" + _TOSS_CHOICE +
                r"|(?:were|was|got|been|being)\s+(put|sent)\s+in)\b(?:\s+first)?)?"), _toss),
    (RELATIVE_YEARS, _relative_years),
    # the words between stay unclaimed: they may name the player
    (re.compile(r"\b(?:percentage|proportion|share|fraction|per\s*cent|%)\s+of\s+(?:(?:his|her|their|the)\s+)?"
                r"(?:balls|deliveries)\b(?=(?:\s+[\w']+){0,6}?\s+(?:(dots?|dot\s+balls?|without\s+a\s+run|scoreless)"
                r"|(?:to|for|into|over|as)\s+(?:the\s+)?(?:boundary|boundaries|rope|ropes)|boundaries"
                r"|(?:for\s+)?(?:a\s+)?(?:4|four)s?\s+or\s+(?:a\s+)?(?:6|six)(?:es|s)?)\b)"), _share_of_balls),
    (re.compile(r"(?<![\d/])(?:(?:between|from)\s+)?" + _YEAR + r"\s*[/-]\s*((?:19|20)?\d\d)(?![\d/])"), _season),
    (re.compile(r"\bbetween\s+" + _YEAR + r"\s+and\s+" + _YEAR + r"\b"), _between),
    (re.compile(r"\b(?:from\s+)?" + _YEAR + r"\s+(?:to|till|until|through)\s+" + _YEAR + r"\b"), _between),
    (re.compile(r"\b(?:the\s+)?((?:19|20)\d)0s\b"), _decade),
    (re.compile(r"\b(since|from|starting|after|post|before|pre|prior\s+to|until|till|up\s+to|upto|through|"
                r"in|during|year|season)\s*-?\s*(?:the\s+)?(?:(?:start|beginning)\s+of\s+(?:the\s+)?)?(?:year\s+)?" + _YEAR +
                r"\b(\s+(?:" + _ONWARDS + r"|on\b))?(?!\s*(?:[/-]\s*\d|runs|balls|wickets))"), _cued_year),
    (re.compile(r"\b" + _YEAR + r"\s*" + _ONWARDS), _onwards),
    (re.compile(r"\bovers?\s+(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\b"), _over_range),
    (re.compile(r"\b(?:between\s+)?overs?\s+(\d{1,2})\s+and\s+(\d{1,2})\b"), _over_range),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|to)\s*(\d{1,2})(?:st|nd|rd|th)?\s+overs?\b"), _over_range),
    (re.compile(r"\b(first)\s+" + _NUM + r"\s+overs?\b"), _first_overs),
    (re.compile(r"\blast\s+" + _NUM + r"\s+overs?\b"), _last_overs),
    (re.compile(r"\b(?:last|previous|past|latest|recent)\s+" + _COUNT +
                r"(?=\s+(?:(?:test|odi|t20i?|ipl|international)s?\s+)?"
                r"(?:innings|inns|knocks|matches|games|outings|tests|odis|t20is|appearances|spells|results|fixtures)\b)"),
     _plain_number),
    (re.compile(r"\b(1st|2nd|3rd|4th|first|second|third|fourth)[\s-]+(?:innings|inns|inning)\b"), _ordinal_innings),
    (re.compile(r"\b(\d{1,2}(?:st|nd|rd|th)|" + "|".join(WICKET_ORDINALS) +
                r")(?=[\s-]*(?:wicket|wkt)\b(?!s)(?!\s+(?:hauls?|takers?|wins?|victory)))"), _wicket_number),
    (re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+)(?![\d,])"),  # "10,000 runs": one number, not 10 and 000
     lambda match, _: [_number_hit(match, 1, int(match.group(1).replace(",", "")))]),
    (re.compile(r"\b(opening)(?=\s+(?:stand|partnership|pair|combination|duo)s?\b)"), lambda match, _: [_number_hit(match, 1, 1)]),
    (re.compile(r"\b(a|an|one|his|her|their|maiden|first)\s+((?:five|5)(?:-for|-fer|fer|for)s?)\b"), _one_five_for),
    (re.compile(r"\b" + _COUNT + r"(?=\s*\+?\s*-?\s*(?:(?:wickets?|wkts?)[\s-]?(?:hauls?|innings)|fors|fers)\b)"), _haul_size),
    (re.compile(r"\b(first|opening|last|final|\d{1,2}(?:st|nd|rd|th))\s+over\b"), _one_over),
    (re.compile(r"\b(?:top|bottom|best|worst|leading)\s*-?\s*" + _COUNT +
                r"\b(?!-fors?\b|\s*-?\s*(?:fors\b|fers?\b|wis?\b|wkts?\s+hauls?|wickets?\s+hauls?|%))"), _plain_number),
    (re.compile(r"\b" + _COUNT + r"\s+(?:highest|lowest|best|worst|biggest|most|leading|fastest|slowest|poorest|"
                r"cheapest|quickest|heaviest|largest|least|fewest)\b"), _plain_number),
    (re.compile(r"(?:\bmin(?:imum)?\.?|\bat\s*least|\bmore\s+than|\bover|\bgreater\s+than|\bwith|>=?|≥)\s*"
                r"(\d{1,6})\b(?!\s*(?:st|nd|rd|th|%))"), _plain_number),
    (re.compile(r"\b(\d{1,6}|" + _WORDS + r")\s*(?:\+|or\s+more|plus)(?=\s*[a-z])"), _plain_number),
    (re.compile(r"(?:\bnumber|\bno\.?|#|\bnum|\bposition|\bpos)[\s-]*" + _POSITION +
                r"\b(?!\s*(?:%|runs|wickets))"), _position),
    (re.compile(r"\bat\s+" + _POSITION +
                r"\b(?!\s*(?:[-/%.:]\s*\d|%|pm|am|runs|wickets|balls|overs|matches|innings|grounds?|venues?|"
                r"stadiums?|places?|times?|stages?|points?|go\b))"), _position),
    (re.compile(r"\bopen(?:er|ers|ing|ed|s)\b"
                r"(?!\s+(?:bowler|bowlers|bowling|spell|spells|match|day|game|partnerships?|stands?|pairs?|"
                r"combinations?|duos?|over))"), _opener),
    (re.compile(r"(?<![\d/])(\d{4,6})(?=\s*" + FORMAT_WORD + _STAT_NOUN + r"\b)"), _count_or_year),
    (re.compile(r"(?<![\w/.])" + _YEAR + r"(?![\w/])"), _bare_year),
]


def _fold_for_patterns(text: str) -> str:
    """Lower case with the same length as `text`, so match positions are question positions."""
    swaps = {"’": "'", "‘": "'", "–": "-", "—": "-"}
    return "".join(swaps.get(ch, ch.lower() if len(ch.lower()) == 1 else ch) for ch in text)


def scan_patterns(text: str) -> tuple[list[Hit], list[tuple[int, int]]]:
    """Pattern hits and the character ranges they claim (the whole matched phrase)."""
    folded = _fold_for_patterns(text)
    hits: list[Hit] = []
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
