"""Faithfulness: askcric answers the question asked, or says plainly what it did or could not do.

Three checks around the candidate stage (serving/pipeline.py runs them in this order):
1. `refuse_unanswerable` — before any work: parts of a question askcric's language or data cannot
   express (captaincy, bowling styles, a prediction...; dsl/data/unanswerable.json) are refused by
   name, never answered without them.
2. `audit_numbers` — every number written in the question is checked against what it can mean:
   years against the data's span (outside it: `no_data`, or a note when a "since"/"before" still
   covers data), ranks (1 to 100; more is capped with a note), minimums, negative numbers and
   reversed year ranges. It returns the question's mentions with those readings applied.
3. `check_complete` — after the choice: every player, team, place and filter the question names
   is in the chosen query; otherwise the answer would be to another question, so it is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dsl import ast, spans
from dsl.candidates import Frame, extra_parts, missing_parts
from dsl.compiler import DEFAULT_ROW_LIMIT
from dsl.errors import CannotAnswer
from dsl.link import Candidate, Linked, Mention, misspelt_readings
from dsl.notes import Note
from dsl.vocabulary import FORMAT_WORD

MAX_ROWS = DEFAULT_ROW_LIMIT  # the most rows a ranking shows
MAX_MINIMUM = 1_000_000  # no career reaches a million runs, balls or matches
RULES = [
    (rule["kind"], rule["part"], re.compile(rule["pattern"]), rule["message"])
    for rule in json.loads((Path(__file__).parent / "data" / "unanswerable.json").read_text(encoding="utf-8"))["rules"]
]


def refuse_unanswerable(question: str) -> None:
    """Raise CannotAnswer when the question asks for something askcric cannot express."""
    folded = " ".join(question.lower().replace("’", "'").split())
    for kind, part, pattern, message in RULES:
        if pattern.search(folded):
            raise CannotAnswer(kind, message, part)


def refuse_mixed_genders(linked: Linked, genders_played: Callable[[str], set[str]]) -> None:
    """A named player's gender decides between men's and women's cricket, so a question naming a
    men's and a women's player (or "women" with a men's player) has no one answer."""
    named = [m for m in linked.mentions if m.type == "player" and not m.fuzzy and not m.ambiguous]
    only = {gender: [m.candidates[0].value for m in named if genders_played(m.candidates[0].value) == {gender}]
            for gender in ("male", "female")}
    # The linker adds an implied "women" mention on a women's player's own span; only a word of
    # the question's own asks for women's cricket.
    player_spans = {(m.start, m.end) for m in named}
    asked_women = any(m.type == "gender" and (m.start, m.end) not in player_spans for m in linked.mentions)
    if only["male"] and only["female"]:
        raise CannotAnswer(
            "unsupported",
            f"{only['male'][0]} has played only men's cricket and {only['female'][0]} only women's, so no "
            "one query covers both. Ask about each separately.", "men's and women's players")
    if only["male"] and asked_women:
        raise CannotAnswer(
            "unsupported",
            f"{only['male'][0]} has played only men's cricket, but the question asks about women's cricket. "
            "Drop \"women\" or name a women's player.", "women's cricket")


# "... in matches where Stokes scored a hundred": another player's doing picks the matches. Bowling
# verbs are left out: "when Starc bowled" is the bowler filter, which the language has.
_CONDITION_BEFORE = re.compile(r"\b(where|when|in which|that|whenever|if)\s+$", re.I)
_DOING_AFTER = re.compile(r"\s+(also\s+|has\s+|had\s+|have\s+)?(scored|scores|made|makes|hit|hits|took|takes|"
                          r"got|gets|played|plays|captained|kept|failed|fails|did|does|top[- ]?scored|(was|were|is)(?!\s+bowl))\b",
                          re.I)


def refuse_conditioned_on_another_player(linked: Linked) -> None:
    """One player's figures in the matches another player did something in (scored a hundred,
    played, captained) need a join the language does not have; answering without it would answer
    another question."""
    players = [m for m in linked.mentions if m.type == "player"]
    named = {m.candidates[0].value for m in players}
    for mention in players:
        if named - {mention.candidates[0].value} and _CONDITION_BEFORE.search(linked.question[:mention.start]) \
                and _DOING_AFTER.match(linked.question, mention.end):
            raise CannotAnswer(
                "unsupported",
                f"askcric cannot pick matches by what {mention.candidates[0].value} did in them and then "
                "give another player's figures in those matches. Ask about each player on their own.",
                "another player's performance as a filter")


# --- numbers ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])(-\s?)?(\d[\d,]*)(?![\w])")
_RANK_WORDS = re.compile(r"\b(top|best|worst|bottom|lowest|highest|leading|first)\s+$")
_MINIMUM_WORDS = re.compile(r"\b(min(imum)?|at least|more than|over|qualification:?|qual\.?)\s+$")
_YEAR_WORDS = re.compile(r"\b(in|since|from|after|before|until|till|during|of|year|between|and|to|pre|post|prior to)\s+$")
_UNIT_AFTER = re.compile(r"\s*(\+|" + FORMAT_WORD + r"(runs|wickets|wkts|balls|deliveries|innings|matches|"
                         r"games|overs|sixes|fours|catches|dismissals|points|plus|or more)\b)", re.I)
_REVERSED_RANGE = re.compile(r"\b(between|from)\s+(\d{4})\s*(and|to|till|until|-|back to|down to)\s*(\d{4})\b")
# Asking for a chart or another presentation: the answer is a table, so the request is noted.
_PRESENTATION = re.compile(r"\b(as|in|into|with) (a |an )?(\w+ )?(chart|graph|plot|pie|histogram|infographic|spreadsheet)s?\b", re.I)


@dataclass(frozen=True)
class Audited:
    """The question's mentions with the numbers read as the notes say."""

    linked: Linked
    notes: list[Note]


def audit_numbers(linked: Linked, year_spans: dict[str | None, tuple[int, int]]) -> Audited:
    """Check every number written in the question (see the module docstring). `year_spans`: the
    data's first and last year, overall (None) and per competition keyword."""
    question, notes = linked.question, []
    competitions = [m.candidates[0].value for m in linked.mentions
                    if m.type == "competition" and m.candidates[0].score >= 1.0]
    first_year, last_year = year_spans.get(competitions[0] if competitions else None, year_spans[None])
    linked, reversed_note = _reversed_range(linked)
    notes += reversed_note
    for match in _NUMBER.finditer(question):
        text = match.group(0)
        value = int(match.group(2).replace(",", ""))
        before = question[max(0, match.start() - 16):match.start()].lower()
        if match.group(1):
            raise CannotAnswer("invalid_number", f"{text!r} is negative: years, ranks and minimums are positive numbers.")
        if _RANK_WORDS.search(before):
            linked, note = _rank(linked, match, value)
        elif _MINIMUM_WORDS.search(before):
            note = _minimum(value)
        elif _YEAR_WORDS.search(before) and (len(match.group(2)) >= 4 or value == 0) and not _UNIT_AFTER.match(
                question, match.end()) or _bare_year(match, value):  # "to 5000 Test runs" is no year
            linked, note = _year(linked, match, value, before, first_year, last_year)
        else:
            note = None
        notes += [note] if note else []
    notes += _relative_years(linked, first_year, last_year)
    if _PRESENTATION.search(question):
        notes.append(Note("ignored", "askcric answers with a table here; the requested chart or format was not used."))
    return Audited(linked, notes)


def spelling_notes(linked: Linked, respelled: tuple[tuple[str, str], ...] = ()) -> list[Note]:
    """A word read as another ("centurys" as hundreds, "sinse" as since: Linker.respelled) is
    said, so a wrong guess is seen."""
    return [Note("interpreted", f"Read \"{written}\" as \"{word}\".")
            for written, word in [*respelled, *((m.text, m.candidates[0].value) for m in misspelt_readings(linked))]]


def _bare_year(match: re.Match, value: int) -> bool:
    """A four-digit number with no unit after it ("IPL 2007") is a year; "2000 runs" is not."""
    return 1000 <= value <= 2999 and len(match.group(2)) == 4 and not _UNIT_AFTER.match(match.string, match.end())


def _covered(linked: Linked, match: re.Match) -> list[Mention]:
    return [m for m in linked.mentions if m.start <= match.start(2) and match.end(2) <= m.end]


def _without(linked: Linked, match: re.Match) -> Linked:
    """The mentions minus those reading this number."""
    return replace(linked, mentions=tuple(m for m in linked.mentions if m not in _covered(linked, match)))


def _rank(linked: Linked, match: re.Match, value: int) -> tuple[Linked, Note | None]:
    if value == 0:
        raise CannotAnswer("invalid_number", "A ranking needs at least one row: ask for e.g. the top 10.")
    if value > MAX_MINIMUM:
        raise CannotAnswer("invalid_number", f"{value:,} rows is more than any ranking has; askcric shows up to {MAX_ROWS}.")
    if value <= MAX_ROWS:
        return linked, None
    capped = Mention("number", match.start(2), match.end(2), match.group(2), (Candidate(str(MAX_ROWS), 1.0),), False)
    linked = _without(linked, match)
    linked = replace(linked, mentions=tuple(sorted(linked.mentions + (capped,), key=lambda m: (m.start, m.end))))
    return linked, Note("interpreted", f"Showing the top {MAX_ROWS}: askcric lists at most {MAX_ROWS} rows, not {value:,}.")


def _minimum(value: int) -> Note | None:
    if value > MAX_MINIMUM:
        raise CannotAnswer("invalid_number", f"A minimum of {value:,} is more than any career holds; no one would qualify.")
    return None


def _year(linked: Linked, match: re.Match, value: int, before: str, first: int, last: int) -> tuple[Linked, Note | None]:
    if first <= value <= last:
        return linked, None
    covered = f"the data covers {first} to {last}"
    if value < 1000 or value > 9999:
        raise CannotAnswer("invalid_number", f"{match.group(2)} is not a year; {covered}.")
    cue = before.split()[-1] if before.split() else ""
    if cue in ("since", "from", "after", "post") and value < first:
        return _without(linked, match), Note("interpreted", f"Read 'since {value}' as all the data: {covered}.")
    if cue in ("before", "until", "till", "pre") and value > last:
        return _without(linked, match), Note("interpreted", f"Read 'before {value}' as all the data: {covered}.")
    raise CannotAnswer("no_data", f"There is no data for {value}: {covered}.")


def _relative_years(linked: Linked, first: int, last: int) -> list[Note]:
    """A period counted back from today ("the last 5 years", "last year") is said with the
    calendar years it became, so the reading can be checked; a year the data has not reached is
    refused, as a written one is."""
    notes = []
    for span in (m for m in linked.mentions if m.type == "span" and spans.RELATIVE_YEARS.fullmatch(m.text.lower())):
        year = next(int(m.candidates[0].value) for m in linked.mentions
                    if m.type == "year" and span.start <= m.start and m.end <= span.end)
        if year > last:
            raise CannotAnswer("no_data", f"There is no data for {year} yet: the data covers {first} to {last}.")
        now = spans.today()  # (through the module: the one date the years were counted from)
        reading = f"since {year} (whole calendar years)" if span.candidates[0].value == "since" else str(year)
        notes.append(Note("interpreted", f"Read \"{span.text}\" as {reading}, as of {now.day} {now:%b %Y}."))
    return notes


def _reversed_range(linked: Linked) -> tuple[Linked, list[Note]]:
    """'between 2020 and 2010' is read as 2010 to 2020, with a note saying so."""
    match = _REVERSED_RANGE.search(linked.question.lower())
    if not match or int(match.group(2)) <= int(match.group(4)):
        return linked, []
    first, last = match.group(4), match.group(2)
    kept = tuple(m for m in linked.mentions if m.end <= match.start() or m.start >= match.end())
    read = (
        Mention("span", match.start(), match.end(), linked.question[match.start():match.end()], (Candidate("between", 1.0),), False),
        Mention("year", match.start(4), match.end(4), first, (Candidate(first, 1.0),), False),
        Mention("year", match.start(2), match.end(2), last, (Candidate(last, 1.0),), False),
    )
    mentions = tuple(sorted(kept + read, key=lambda m: (m.start, m.end)))
    return replace(linked, mentions=mentions), [Note("interpreted", f"Read '{match.group(0)}' as {first} to {last}.")]


# --- completeness -------------------------------------------------------------------------------

def check_complete(query: ast.Query, question: Frame, taught: bool = False) -> None:
    """Refuse a query that would answer without a part the question names, or with one it does
    not (a model's own query may add a name, or make a partner the opponent). A `taught` reading
    may add what the question's words mean to users but not to askcric ("in the five-day game")."""
    missing = missing_parts(query, question)
    if missing:
        raise CannotAnswer(
            "unsupported",
            f"askcric found no query that uses {', '.join(repr(str(m)) for m in missing)} together with the rest of "
            f"the question, and will not answer without it. Try asking for it on its own.",
            ", ".join(map(str, missing)),
        )
    extra = [] if taught else extra_parts(query, question)
    if extra:
        raise CannotAnswer(
            "unsupported",
            f"askcric's only reading adds {', '.join(repr(str(e)) for e in extra)}, which the question does not ask "
            "for, so it would answer another question. Try rewording it, or ask for each part on its own.",
            ", ".join(map(str, extra)),
        )
