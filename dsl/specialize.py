"""The per-question grammar: cricket.lark with each typed slot narrowed to the question's values.

Only the value terminals change (PLAYER, TEAM, GROUND, PLACE, EVENT, YEAR, SEASON, NUMBER). A slot
with no linked value gets a terminal that matches nothing, and every clause keyword that leads into
it ("player", "vs", "since"...) is put behind that impossible terminal too: otherwise a constrained
decoder could write the keyword and then find no value to follow it (a dead end). So the model
cannot open that clause at all, and a name it was not given can never be written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from dsl import ast
from dsl.link import Linked
from dsl.parser import grammar_text

NAME_SLOTS = ("PLAYER", "TEAM", "GROUND", "PLACE", "EVENT")
NUMBER_SLOTS = ("YEAR", "SEASON", "NUMBER")
# Always allowed: the count of a ranking when the question gives none ("who has the most..."),
# one row ("his fastest hundred", "her longest streak"), and the scores words name ("a fifty",
# "a hundred", "150s", "a double hundred").
DEFAULT_NUMBERS = ("10", "1", "50", "100", "150", "200")
_MATCHES_NOTHING = "/[^\\s\\S]/"


def lark_literal(text: str) -> str:
    """`text` as a Lark string literal (quotes, backslashes and control characters escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _alternatives(values: Iterable[str], quoted: bool) -> str:
    literals = [lark_literal(json.dumps(v, ensure_ascii=False) if quoted else v) for v in dict.fromkeys(values)]
    return " | ".join(literals) if literals else _MATCHES_NOTHING


def _close_clauses(text: str, slot: str) -> str:
    """Put each `"keyword" SLOT` of the rules behind the impossible terminal NOTHING."""
    # Same line only, and not an optional slot ("team" TEAM? stays open: the team may be absent).
    return re.sub(rf'("[^"\n]+")([ \t]+){slot}\b(?!\?)', rf"NOTHING \1\2{slot}", text)


def specialize(allowed: Mapping[str, Iterable[str]], base: str | None = None) -> str:
    """Grammar text whose slot terminals accept only `allowed[SLOT]` (missing slot: nothing).

    `allowed` maps terminal names (PLAYER, TEAM, ..., NUMBER) to canonical values.
    """
    text = base or grammar_text()
    for slot in NAME_SLOTS + NUMBER_SLOTS:
        values = list(allowed.get(slot, ()))
        if slot == "NUMBER":
            values += DEFAULT_NUMBERS
        replacement = f"{slot}: {_alternatives(values, quoted=slot in NAME_SLOTS)}"
        text, count = re.subn(rf"^{slot}: .*$", lambda _: replacement, text, count=1, flags=re.MULTILINE)
        if count != 1:
            raise ValueError(f"cricket.lark has no single '{slot}:' terminal line to specialise")
        if not values:
            text = _close_clauses(text, slot)
    return text + f"\nNOTHING: {_MATCHES_NOTHING}\n"


GRAMMAR_SLOTS = {
    "player": "PLAYER", "team": "TEAM", "ground": "GROUND", "place": "PLACE", "event": "EVENT",
    "year": "YEAR", "season": "SEASON", "number": "NUMBER",
}


def allowed_values(linked: Linked) -> dict[str, list[str]]:
    """The per-question grammar's slot values from the linked mentions (terminal -> values)."""
    return {slot: linked.values(kind) for kind, slot in GRAMMAR_SLOTS.items()}


def slot_values(query: ast.Query) -> dict[str, set[str]]:
    """The values a query puts in each slot: what its question's grammar must allow."""
    values: dict[str, set[str]] = {slot: set() for slot in NAME_SLOTS + NUMBER_SLOTS}
    for name in ("player", "against"):
        if getattr(query, name):
            values["PLAYER"].add(getattr(query, name))
    for name in ("team", "opposition"):
        if getattr(query, name):
            values["TEAM"].add(getattr(query, name))
    values["TEAM" if query.subject == "team" else "PLAYER"] |= set(query.rivals)
    for name, slot in (("ground", "GROUND"), ("place", "PLACE"), ("event", "EVENT")):
        if getattr(query, name):
            values[slot].add(getattr(query, name))
    match query.span:
        case ast.InYear(year) | ast.Since(year) | ast.Before(year):
            values["YEAR"].add(str(year))
        case ast.Between(first, last):
            values["YEAR"] |= {str(first), str(last)}
        case ast.Season(season):
            values["SEASON"].add(season)
    numbers = values["NUMBER"]
    if query.innings_number:
        numbers.add(str(query.innings_number))
    if query.position:
        numbers |= {str(query.position.first), str(query.position.last)}
    if isinstance(query.overs, ast.Overs):
        numbers |= {str(query.overs.first), str(query.overs.last)}
    if query.last:
        numbers.add(str(query.last))
    if isinstance(query.threshold, ast.Threshold):
        numbers.add(str(query.threshold.minimum))
    output = query.output
    if isinstance(output, (ast.Ranking, ast.BestInnings)):
        numbers.add(str(output.count))
        if output.qualification:
            numbers.add(str(output.qualification.minimum))
    if isinstance(output, ast.Milestone):
        numbers |= {str(output.count), str(output.target)}
    if isinstance(output, ast.Streak):
        numbers |= {str(output.count), str(output.condition.minimum)}
    return values


def missing_values(query: ast.Query, allowed: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Slot values of `query` that a grammar specialised to `allowed` would reject."""
    missing = {}
    for slot, needed in slot_values(query).items():
        permitted = set(allowed.get(slot, ())) | (set(DEFAULT_NUMBERS) if slot == "NUMBER" else set())
        if needed - permitted:
            missing[slot] = needed - permitted
    return missing
