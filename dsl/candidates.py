"""Candidate queries for a question: the neighbours' query shapes filled with the question's values.

PILOT.md measured that a 135M model writes poor queries but ranks good ones well. So the model
never spells a query here: the *filters* come from the linked mentions (deterministic), the
*shape* (subject, output, stat, group) comes from the nearest examples and from the stat and
subject words the linker found, and the model only chooses among the results by likelihood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dsl import ast
from dsl.link import Linked, Mention

SUBJECT_STATS = {
    "batting": {"runs", "average", "strike rate", "innings", "matches", "not outs", "hundreds", "fifties",
                "ducks", "fours", "sixes", "high score", "balls", "dismissals", "dots"},
    "bowling": {"wickets", "average", "economy", "strike rate", "runs", "balls", "maidens", "five-fors",
                "best figures", "innings", "matches", "dots", "wides", "no-balls", "sixes"},
    "fielding": {"catches", "stumpings", "run outs", "dismissals", "matches"},
    "team": {"matches", "wins", "losses", "draws", "ties", "win %", "average total", "highest total", "lowest total"},
}
INNINGS_STATS = {"batting": {"runs", "strike rate", "sixes", "fours"}, "bowling": {"figures", "economy"},
                 "team": {"total"}}
LISTS = {"batting": {"innings", "hundreds", "fifties", "ducks"}, "bowling": {"innings", "five-fors"},
         "team": {"matches", "wins", "losses", "draws", "ties"}}
QUALIFIERS = ("innings", "matches", "runs", "balls", "wickets")
DEFAULT_COUNT = 10

_OPPOSITION_CUES = re.compile(r"\b(vs?\.?|versus|against|agst|beat|beating|facing|playing)\s*$", re.I)
_FOR_CUES = re.compile(r"\b(for|playing for|representing)\s*$", re.I)


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


def _top(mention: Mention) -> str:
    return mention.candidates[0].value


def _of_type(linked: Linked, kind: str) -> list[Mention]:
    return [m for m in linked.mentions if m.type == kind and m.candidates]


def _before(linked: Linked, mention: Mention, chars: int = 24) -> str:
    return linked.question[max(0, mention.start - chars):mention.start]


def _after(linked: Linked, mention: Mention, chars: int = 24) -> str:
    return linked.question[mention.end:mention.end + chars]


def _team_role(linked: Linked, mention: Mention) -> str:
    if _OPPOSITION_CUES.search(_before(linked, mention)):
        return "opposition"
    if _FOR_CUES.search(_before(linked, mention)):
        return "team"
    return "either"


def _number_roles(linked: Linked) -> tuple[dict, str | None]:
    """Give each number its role from the words around it ("top 5", "min 500 balls", "4th innings")."""
    roles: dict[str, int] = {}
    qualifier = None
    numbers = _of_type(linked, "number")
    positions = []
    overs = []
    for mention in numbers:
        value = int(_top(mention))
        before = _before(linked, mention).lower()
        after = _after(linked, mention).lower()
        text = mention.text.lower()
        if re.search(r"(innings)", after[:12]) and re.search(r"(st|nd|rd|th|first|second|third|fourth)", text + after[:3]):
            roles["innings_number"] = value
        elif re.search(r"(open|number|no\.?|#|position|at)\s*$", before) or "open" in text:
            positions.append(value)
        elif re.search(r"(over|overs)\s*$", before) or re.search(r"^\s*(-|to)?\s*\d*\s*overs", after) or "over" in text:
            overs.append(value)
        elif re.search(r"(min(imum)?|at least|atleast|more than|over|qualification:?|qual\.?)\s*$", before):
            roles["minimum"] = value
            word = re.match(r"\s*([a-z]+)", after)
            qualifier = next((q for q in QUALIFIERS if word and word.group(1).startswith(q.rstrip("s"))), None)
        elif re.search(r"(top|best|worst|bottom|lowest|highest|first|leading)\s*$", before):
            roles["count"] = value
        elif re.search(r"^\s*(innings|matches|games|runs|balls|wickets)", after) and "count" in roles:
            roles["minimum"] = value
            word = re.match(r"\s*([a-z]+)", after).group(1)
            qualifier = next((q for q in QUALIFIERS if word.startswith(q.rstrip("s"))), None)
        else:
            roles.setdefault("count", value)
    if positions:
        roles["position"] = (min(positions), max(positions))
    if len(overs) >= 2:
        roles["overs"] = (min(overs), max(overs))
    return roles, qualifier


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


_KEYWORD_FILTERS = ("home_away", "result", "batting_order", "stage", "dismissal")


def frame(linked: Linked) -> Frame:
    """Everything the question's mentions settle, before any example is looked at."""
    filters: dict = {}
    for kind in ("competition", "ground", "place", "event") + _KEYWORD_FILTERS:
        found = _of_type(linked, kind)
        if found:
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
    if "position" in numbers:
        filters["position"] = ast.Position(*numbers.pop("position"))
    places = {_top(m) for m in _of_type(linked, "place")}
    teams = tuple(
        (_top(m), _team_role(linked, m)) for m in _of_type(linked, "team")
        if not (_top(m) in places and re.search(r"\b(in|at)\s*$", _before(linked, m)))
    )
    if "place" in filters and any(team == filters["place"] for team, _ in teams):
        # "India" linked as both: the cue words decided it is a team, not the host country.
        if not re.search(r"\b(in|at)\s+(the\s+)?$", linked.question[:_place_start(linked)].lower()):
            del filters["place"]
    return Frame(
        players=tuple(dict.fromkeys(_top(m) for m in _of_type(linked, "player"))),
        teams=tuple(dict.fromkeys(teams)),
        filters=filters,
        numbers=numbers,
        qualifier_stat=qualifier,
        stats=tuple(dict.fromkeys(_top(m) for m in _of_type(linked, "stat"))),
        subjects=tuple(dict.fromkeys(_top(m) for m in _of_type(linked, "subject"))),
    )


def _place_start(linked: Linked) -> int:
    return next((m.start for m in _of_type(linked, "place")), 0)


# --- filling an example's shape ----------------------------------------------------------------------

def _output_for(subject: str, output: ast.Output, frame: Frame, stat: str | None) -> ast.Output | None:
    """The example's output shape with the question's numbers (and optionally another stat)."""
    count = frame.numbers.get("count", DEFAULT_COUNT)
    qualification = None
    if "minimum" in frame.numbers and frame.qualifier_stat:
        qualification = ast.Qualification(frame.qualifier_stat, frame.numbers["minimum"])
    match output:
        case ast.Aggregate():
            stat = stat or output.stat
            return ast.Aggregate(stat) if stat in SUBJECT_STATS[subject] else None
        case ast.Grouped():
            stat = stat or output.stat
            return ast.Grouped(output.group, stat) if stat in SUBJECT_STATS[subject] else None
        case ast.Ranking():
            stat = stat or output.stat
            if stat not in SUBJECT_STATS[subject]:
                return None
            return ast.Ranking(output.direction, count, stat, qualification)
        case ast.BestInnings():
            stat = {"wickets": "figures", "best figures": "figures", "highest total": "total",
                    "lowest total": "total"}.get(stat, stat) if stat else output.stat
            if stat not in INNINGS_STATS.get(subject, ()):
                return None
            return ast.BestInnings(output.direction, count, stat, qualification if subject != "team" else None)
        case ast.Listing():
            return output if output.kind in LISTS.get(subject, ()) else None
    return None


def _role_fills(subject: str, frame: Frame) -> Iterable[dict]:
    """Ways to put the question's players and teams into the subject's slots."""
    players = list(frame.players)
    teams = list(frame.teams)
    player_options: list[dict] = [{}]
    if subject != "team":
        if len(players) == 1:
            player_options = [{"player": players[0]}]
        elif len(players) >= 2:
            if subject in ("batting", "bowling"):
                player_options = [{"player": players[0], "against": players[1]},
                                  {"player": players[1], "against": players[0]}]
            else:
                player_options = [{"player": players[0]}]
    elif players:
        return  # a team query cannot hold a player the question names
    team_options: list[dict] = [{}]
    if len(teams) == 1:
        team, role = teams[0]
        if subject == "team":
            team_options = [{"team": team}, {"opposition": team}] if role != "opposition" else [{"opposition": team}, {"team": team}]
        elif role == "team":
            team_options = [{"team": team}]
        elif role == "opposition":
            team_options = [{"opposition": team}]
        else:
            team_options = [{"opposition": team}, {"team": team}]
    elif len(teams) >= 2:
        (first, first_role), (second, second_role) = teams[:2]
        if first_role == "opposition" and second_role != "opposition":
            first, second = second, first
        team_options = [{"team": first, "opposition": second}, {"team": second, "opposition": first}]
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
    if subject not in ("batting", "bowling"):
        for ball_filter in ("overs", "dismissal"):
            filters.pop(ball_filter, None)
    if subject != "batting":
        filters.pop("position", None)
    results = []
    for roles in _role_fills(subject, frame):
        try:
            results.append(ast.Query(subject=subject, output=output, **filters, **roles))
        except TypeError:
            continue
    return results


def build_candidates(frame: Frame, examples: Iterable[ast.Query], limit: int = 24) -> list[ast.Query]:
    """Candidate queries in a stable order: each example's own shape first, then the variants
    the question's stat and subject words suggest."""
    examples = list(examples)
    seen: dict[ast.Query, None] = {}
    for example in examples:
        for query in fill(example, frame):
            seen.setdefault(query, None)
    for example in examples:
        subjects = frame.subjects or (example.subject,)
        for subject in subjects:
            for stat in frame.stats or (None,):
                for query in fill(example, frame, stat=stat, subject=subject):
                    seen.setdefault(query, None)
    return list(seen)[:limit]


def uses_all_values(query: ast.Query, frame: Frame) -> bool:
    """True when the query mentions every player and team the question names."""
    named = {query.player, query.against, query.team, query.opposition}
    return all(p in named for p in frame.players) and all(t in named for t, _ in frame.teams)



