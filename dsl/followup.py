"""Follow-up questions: "and in Tests?", "what about Smith?", "since 2020?" read against the
previous query of a conversation.

A question is read as a follow-up when it opens like one ("and", "what about", "how about",
"same for", "now", "only") or when it is short and names neither a stat, nor a subject, nor a
ranking. Its own parts then replace the previous query's: a named player replaces the player, a
team replaces the team in the same role, each filter it settles (format, years, ground, place,
result...) replaces that filter, a stat replaces the stat, "by year" groups the figure. What it
does not name stays as it was. None when the question changes nothing or cannot be merged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dsl import ast, catalogue
from dsl.candidates import Frame, frame
from dsl.link import Linked

OPENERS = re.compile(r"^\s*(and|what about|how about|same for|now|only|just|but)\b", re.IGNORECASE)
SHORT_WORDS = 5


def looks_like_follow_up(linked: Linked, question_frame: Frame) -> bool:
    if OPENERS.match(linked.question):
        return True
    words = re.findall(r"\w+", linked.question)
    names_a_shape = question_frame.stats or question_frame.subjects or question_frame.ranking_cue
    return len(words) <= SHORT_WORDS and not names_a_shape


def follow_up(previous: ast.Query, linked: Linked, franchises: frozenset[str] = frozenset()) -> ast.Query | None:
    """The previous query with the follow-up's parts in place of its own, or None."""
    asked = frame(linked, franchises)
    if not looks_like_follow_up(linked, asked):
        return None
    merged = replace(previous, **asked.filters)
    if asked.players:
        if previous.player is None:
            return None  # a name after a ranking asks something else; read it as a new question
        merged = replace(merged, player=asked.players[0], rivals=tuple(asked.players[1:]) or previous.rivals)
    for team, role in asked.teams:
        merged = replace(merged, **{_team_field(previous, role): team})
    merged = replace(merged, output=_output(previous, asked))
    return merged if merged != previous else None


def _team_field(previous: ast.Query, role: str) -> str:
    if role == "opposition":
        return "opposition"
    if role == "team" or previous.subject == "team":
        return "team"
    return "team" if previous.team and not previous.opposition else "opposition"


def _output(previous: ast.Query, asked: Frame) -> ast.Output:
    output = previous.output
    stat = next((s for s in asked.stats if s in catalogue.SUBJECT_STATS[previous.subject]), None)
    if stat and hasattr(output, "stat"):
        output = replace(output, stat=stat)
    if asked.groups and isinstance(output, (ast.Aggregate, ast.Grouped)):
        output = ast.Grouped(asked.groups[0], output.stat)
    return output
