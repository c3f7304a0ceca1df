"""A taught query moved onto a new question: the taught question's names and values swapped for
the new question's, slot by slot.

When a user teaches "<player>'s <competition> average against <team> since <year>" as some
query, a question of the same masked form about other names means the same query with those
names. The two questions' value mentions (the ones retrieval masks) are paired in text order; the
pairing holds only when both have the same sequence of types, and a value that would have to
become two different ones stops it. Values of the query that no mention supplied stay as taught.

`same_form` says when that is safe enough to answer with no model: the same words once values are
masked and the words that only frame a question ("how many", "has ... scored") are left out, and
players of the same main roles (the words often leave batting or bowling to the player's role).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine

from dsl.link import Linked
from dsl.resolve import primary_role

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"()]+')


def retarget(dsl: str, taught: Linked, question: Linked) -> str | None:
    """`dsl` (taught for `taught`) with `question`'s values, or None when the two questions'
    values do not pair up slot by slot."""
    old = [(m.type, m.candidates[0].value) for m in taught.masked_mentions()]
    new = [(m.type, m.candidates[0].value) for m in question.masked_mentions()]
    if [kind for kind, _ in old] != [kind for kind, _ in new]:
        return None
    swap: dict[str, str] = {}
    for (_, before), (_, after) in zip(old, new):
        if swap.setdefault(before.casefold(), after) != after:
            return None  # one taught value would have to become two different ones

    def replace(token: re.Match) -> str:
        text = token.group(0)
        quoted = text.startswith('"')
        value = swap.get((text[1:-1] if quoted else text).casefold())
        if value is None:
            return text
        return '"' + value.replace('"', '\\"') + '"' if quoted else value

    return _TOKEN.sub(replace, dsl)


# Words that frame a question without changing what it asks ("how many runs has X scored" asks
# for X's runs). Cue words ("in", "against", "since", "by", "most") are never among them.
SCAFFOLDING = frozenset("""
a an the how many much what whats is are was were has have had did does do total number scored made
got get score make makes please overall career his her their in_all altogether ever
""".split())
# Words that say what the value after them is for: "for <team>" and "against <team>" differ.
SLOT_CUES = frozenset("for against vs v versus in at since before after from until off to between and of by".split())


def form(linked: Linked) -> tuple[tuple[tuple[str, str | None], ...], tuple[str, ...]]:
    """What a question asks, with its values masked and its scaffolding words left out: its value
    slots in order (each with the cue word before it) and its other words, in any order."""
    words = re.findall(r"<\w+>|\w+", linked.masked().casefold().replace("'s ", " ").replace("in all", "in_all"))
    slots, others, before = [], [], None
    for word in words:
        if word.startswith("<"):
            slots.append((word, before if before in SLOT_CUES else None))
        elif word not in SCAFFOLDING:
            others.append(word)
        before = word
    return tuple(slots), tuple(sorted(others))


def same_form(taught: Linked, question: Linked, engine: Engine) -> bool:
    """The same question about other names: the same masked form, and each named player of the
    same main role as the one in the taught question's place."""
    if form(taught) != form(question):
        return False
    roles = [[primary_role(engine, player) for player in linked.values("player")] for linked in (taught, question)]
    return roles[0] == roles[1]
