"""The typed AST of a query: frozen dataclasses, one field per clause of the grammar.

A query is flat on purpose: the grammar allows each filter at most once in a fixed order, so a
query is a record of optional filters plus one output shape. Names are kept as written in the DSL
(canonical spellings); `dsl.resolve` turns them into database ids.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

Subject = Literal["batting", "bowling", "fielding", "team", "partnership"]


# --- filters with more than one value -------------------------------------------------------------

@dataclass(frozen=True)
class InYear:
    year: int


@dataclass(frozen=True)
class Since:
    year: int


@dataclass(frozen=True)
class Before:
    year: int


@dataclass(frozen=True)
class Between:
    first: int
    last: int


@dataclass(frozen=True)
class Season:
    season: str  # "2019/20" as Cricsheet writes split seasons


Span = InYear | Since | Before | Between | Season


@dataclass(frozen=True)
class Position:
    first: int
    last: int  # equal to first for a single batting position


@dataclass(frozen=True)
class Threshold:
    """Only the innings in which the player made at least `minimum` of `stat` (runs or wickets)."""

    stat: str
    minimum: int


@dataclass(frozen=True)
class Without:
    """Only the innings in which the player made none of `stat`: no wicket, or no run."""

    stat: str


InningsCondition = Threshold | Without


@dataclass(frozen=True)
class Toss:
    outcome: str  # won / lost
    decision: str | None = None  # bat / field


@dataclass(frozen=True)
class Overs:
    first: int
    last: int


@dataclass(frozen=True)
class Phase:
    name: str  # powerplay / middle overs / death overs


OverRange = Overs | Phase


# --- outputs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Qualification:
    stat: str
    minimum: int


@dataclass(frozen=True)
class Aggregate:
    stat: str
    more: tuple[str, ...] = ()  # further stats shown beside the first ("runs average hundreds")


@dataclass(frozen=True)
class Grouped:
    group: str
    stat: str


@dataclass(frozen=True)
class Ranking:
    direction: str  # top / bottom
    count: int
    stat: str
    qualification: Qualification | None = None
    # season / year / match / opposition / ground: rank each player's (or team's) record within
    # one unit, so a player may appear once per season; None ranks whole careers.
    per: str | None = None


@dataclass(frozen=True)
class BestInnings:
    direction: str  # best / worst
    count: int
    stat: str
    qualification: Qualification | None = None


@dataclass(frozen=True)
class Listing:
    kind: str


@dataclass(frozen=True)
class Milestone:
    """The fastest to `target` of `stat` (runs, wickets): within one innings by balls faced, or
    over a career by innings or matches, counting only what passes the query's filters."""

    count: int
    target: int
    stat: str
    unit: str  # balls / innings / matches


@dataclass(frozen=True)
class Streak:
    """The longest runs of consecutive innings (of those that pass the filters) that each meet
    `condition`, one per player, longest first."""

    count: int
    condition: Threshold


Output = Aggregate | Grouped | Ranking | BestInnings | Listing | Milestone | Streak


@dataclass(frozen=True)
class Query:
    subject: Subject
    output: Output
    player: str | None = None
    team: str | None = None  # the subject of a team query, or "for" team of a player query
    # Players (or teams) compared with the named one: the same figures for each, best first.
    rivals: tuple[str, ...] = ()
    competition: str | None = None
    women: bool = False
    opposition: str | None = None
    ground: str | None = None
    place: str | None = None  # city or host country
    home_away: str | None = None
    span: Span | None = None
    innings_number: int | None = None
    position: Position | None = None
    threshold: InningsCondition | None = None
    debut: bool = False  # only each player's first match in the format
    result: str | None = None
    toss: Toss | None = None
    batting_order: str | None = None
    event: str | None = None
    stage: str | None = None
    last: int | None = None  # the most recent N innings (team: matches) that pass the other filters
    wicket: int | None = None  # a partnership for this wicket (1: the opening stand)
    overs: OverRange | None = None
    against: str | None = None  # the bowler a batter faced, the batter a bowler bowled to, a batter's partner
    dismissal: str | None = None

    def filters(self) -> dict[str, object]:
        """The filters that are set, by field name, in grammar order."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("subject", "output") and getattr(self, f.name) not in (None, False, ())
        }
