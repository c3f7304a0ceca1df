"""The DSL query tests' own answers: a small calculator over the fixture's Cricsheet JSON files.

It reads the match files under tests/fixtures/ itself and applies DESIGN.md's cricket conventions
in plain Python. It imports nothing from statsdb or dsl and runs no SQL, so a query answer that
agrees with it was computed twice, two different ways. The venue table below is the test's own
(written by hand from the files' venue and city fields), not the shipped gazetteer.

The shapes mirror what a fan asks for: a Match has Innings; an Innings has Balls; a player's
scorecard lines (BatLine, BowlLine) are summed from the balls; filters are plain predicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path

import orjson

FIXTURES = Path(__file__).parents[1] / "fixtures"
# The fixture folders the query database is built from (tests/conftest.py, query_db).
MATCH_FOLDERS = (FIXTURES / "cricsheet", FIXTURES / "cricsheet_dsl")
COMPETITION_OF_FOLDER = {
    "tests_json": "Test", "odis_json": "ODI", "t20s_json": "T20I", "t20s_male_json": "T20I",
    "ipl_json": "IPL",
}
# IPL franchises that were renamed: one team, under today's name.
RENAMED = {
    "Delhi Daredevils": "Delhi Capitals",
    "Kings XI Punjab": "Punjab Kings",
    "Royal Challengers Bangalore": "Royal Challengers Bengaluru",
}
# Every venue spelling of the fixture files -> (ground as shown, city, host country).
VENUES = {
    "Feroz Shah Kotla": ("Arun Jaitley Stadium", "Delhi", "India"),
    "Arun Jaitley Stadium, Delhi": ("Arun Jaitley Stadium", "Delhi", "India"),
    "M Chinnaswamy Stadium": ("M Chinnaswamy Stadium", "Bengaluru", "India"),
    "M.Chinnaswamy Stadium": ("M Chinnaswamy Stadium", "Bengaluru", "India"),
    "M Chinnaswamy Stadium, Bengaluru": ("M Chinnaswamy Stadium", "Bengaluru", "India"),
    "Sheikh Zayed Stadium": ("Zayed Cricket Stadium", "Abu Dhabi", "United Arab Emirates"),
    "Dubai International Cricket Stadium": ("Dubai International Cricket Stadium", "Dubai", "United Arab Emirates"),
    "Lord's": ("Lord's", "London", "England"),
    "Kennington Oval": ("Kennington Oval", "London", "England"),
    "County Ground": ("County Ground, Derby", "Derby", "England"),
    "County Ground, Northampton": ("County Ground, Northampton", "Northampton", "England"),
    "Edgbaston, Birmingham": ("Edgbaston", "Birmingham", "England"),
    "McLean Park": ("McLean Park", "Napier", "New Zealand"),
    "Basin Reserve, Wellington": ("Basin Reserve", "Wellington", "New Zealand"),
    "Sydney Cricket Ground": ("Sydney Cricket Ground", "Sydney", "Australia"),
    "Sydney Showground Stadium": ("Sydney Showground Stadium", "Sydney", "Australia"),
    "Adelaide Oval": ("Adelaide Oval", "Adelaide", "Australia"),
    "Melbourne Cricket Ground": ("Melbourne Cricket Ground", "Melbourne", "Australia"),
    "Perth Stadium": ("Perth Stadium", "Perth", "Australia"),
    "Brisbane Cricket Ground, Woolloongabba, Brisbane": ("Brisbane Cricket Ground", "Brisbane", "Australia"),
    "MA Chidambaram Stadium, Chepauk, Chennai": ("MA Chidambaram Stadium", "Chennai", "India"),
    "Wankhede Stadium, Mumbai": ("Wankhede Stadium", "Mumbai", "India"),
    "Narendra Modi Stadium, Ahmedabad": ("Narendra Modi Stadium", "Ahmedabad", "India"),
    "Holkar Cricket Stadium, Indore": ("Holkar Cricket Stadium", "Indore", "India"),
    "Dr DY Patil Sports Academy, Mumbai": ("Dr DY Patil Sports Academy", "Navi Mumbai", "India"),
    "Vidarbha Cricket Association Stadium, Jamtha, Nagpur": ("Vidarbha Cricket Association Stadium", "Nagpur", "India"),
    "Dr. Y.S. Rajasekhara Reddy ACA-VDCA Cricket Stadium, Visakhapatnam": (
        "Dr. Y.S. Rajasekhara Reddy ACA-VDCA Cricket Stadium", "Visakhapatnam", "India"),
    "Daren Sammy National Cricket Stadium, Gros Islet, St Lucia": (
        "Daren Sammy National Cricket Stadium", "Gros Islet", "West Indies"),
    "Kensington Oval, Bridgetown, Barbados": ("Kensington Oval", "Bridgetown", "West Indies"),
    "Pallekele International Cricket Stadium": ("Pallekele International Cricket Stadium", "Kandy", "Sri Lanka"),
    "Marsa Sports Club": ("Marsa Sports Club", "Marsa", "Malta"),
    "Terdthai Cricket Ground, Bangkok": ("Terdthai Cricket Ground", "Bangkok", "Thailand"),
}

# DESIGN.md: a dismissal is any way out except these; the bowler is credited with these kinds.
NOT_DISMISSED = {"retired hurt", "retired not out"}
BOWLERS_WICKETS = {"bowled", "caught", "caught and bowled", "lbw", "stumped", "hit wicket"}
# Over ranges of the phases (docs/dsl.md): 20-over cricket and ODIs.
PHASES = {
    "T20": {"powerplay": (1, 6), "middle overs": (7, 15), "death overs": (16, 20)},
    "ODI": {"powerplay": (1, 10), "middle overs": (11, 40), "death overs": (41, 50)},
}
KNOCKOUT_STAGES = {"Final", "Semi Final", "Quarter Final", "Eliminator", "Qualifier 1", "Qualifier 2"}


# --- ratios as the answers show them ------------------------------------------------------------

def r2(numerator: int, denominator: int, scale: int = 1) -> float | None:
    """numerator * scale / denominator rounded half up to 2 places (None when dividing by 0)."""
    if denominator == 0:
        return None
    exact = Fraction(numerator * scale, denominator)
    return float(Fraction(int(exact * 100 + Fraction(1, 2)), 100))


# --- the match files ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Wicket:
    kind: str
    player_out: str  # registry id
    fielders: tuple[str, ...]  # registry ids of the named fielders who played in the match
    substitutes: tuple[str, ...]  # registry ids of named substitute fielders (not credited)


@dataclass(frozen=True)
class Ball:
    over: int  # 1-based, as fans count
    batter: str
    non_striker: str
    bowler: str
    batter_runs: int
    wides: int
    noballs: int
    total: int
    non_boundary: bool
    wickets: tuple[Wicket, ...]

    @property
    def legal(self) -> bool:
        return not self.wides and not self.noballs

    @property
    def four(self) -> bool:
        return self.batter_runs == 4 and not self.non_boundary

    @property
    def six(self) -> bool:
        return self.batter_runs == 6 and not self.non_boundary

    @property
    def conceded(self) -> int:
        """Runs against the bowler: off the bat, wides and no-balls (not byes or leg byes)."""
        return self.batter_runs + self.wides + self.noballs


@dataclass
class Innings:
    match: Match
    number: int  # 1..4, super overs left out
    team: str
    opposition: str
    overs: list[list[Ball]]
    penalty: int
    declared: bool
    absent_hurt: int  # batters who could not bat

    @property
    def balls(self) -> list[Ball]:
        return [ball for over in self.overs for ball in over]

    @property
    def total(self) -> int:
        return sum(ball.total for ball in self.balls) + self.penalty

    @property
    def wickets(self) -> int:
        return sum(w.kind not in NOT_DISMISSED for ball in self.balls for w in ball.wickets)

    @property
    def completed(self) -> bool:
        """All out (ten batters gone, counting retired and absent hurt ones), or every scheduled
        over bowled: the innings a lowest total may count (not won chases, declarations, rain)."""
        gone = len({w.player_out for ball in self.balls for w in ball.wickets}) + self.absent_hurt
        scheduled = self.match.scheduled_overs
        return gone >= 10 or bool(scheduled and sum(b.legal for b in self.balls) >= 6 * scheduled)


@dataclass
class Match:
    id: int
    competition: str
    gender: str
    teams: tuple[str, str]
    start: date
    season: str
    event: str | None
    stage: str | None
    ground: str
    city: str
    country: str
    toss_winner: str | None
    toss_decision: str | None
    result: str  # win / tie / draw / no result
    winner: str | None  # only for a result "win": a tie is a tie, whoever won the super over
    margin: str
    scheduled_overs: int | None  # per innings, in limited-overs matches
    players: dict[str, tuple[str, ...]]  # team -> registry ids of its XI
    names: dict[str, str]  # registry id -> the name in the file
    player_of_match: tuple[str, ...] = ()  # registry ids
    innings: list[Innings] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def batting_first(self) -> str:
        return self.innings[0].team

    def opponent(self, team: str) -> str:
        return self.teams[1] if team == self.teams[0] else self.teams[0]

    def where_for(self, team: str) -> str:
        """home / away / neutral for this team, by the host country."""
        if self.country == team:
            return "home"
        if self.country == self.opponent(team):
            return "away"
        return "neutral"

    def team_of(self, player: str) -> str:
        return next(team for team, ids in self.players.items() if player in ids)


def _team(name: str) -> str:
    return RENAMED.get(name, name)


def _margin(outcome: dict) -> str:
    by = outcome.get("by", {})
    if "innings" in by:
        return f"an innings and {by['runs']} runs"
    if "runs" in by:
        return f"{by['runs']} runs"
    if "wickets" in by:
        return f"{by['wickets']} wickets"
    return ""


def _read_match(path: Path, data: dict) -> Match:
    info = data["info"]
    ids = info["registry"]["people"]
    outcome = info.get("outcome", {})
    ground, city, country = VENUES[info["venue"]]
    match = Match(
        id=int(path.stem),
        competition=COMPETITION_OF_FOLDER[path.parent.name],
        gender=info["gender"],
        teams=tuple(_team(t) for t in info["teams"]),
        start=min(date.fromisoformat(d) for d in info["dates"]),
        season=str(info["season"]),
        event=info.get("event", {}).get("name"),
        stage=info.get("event", {}).get("stage"),
        ground=ground, city=city, country=country,
        toss_winner=_team(info["toss"]["winner"]) if "winner" in info.get("toss", {}) else None,
        toss_decision=info.get("toss", {}).get("decision"),
        result="win" if "winner" in outcome else outcome.get("result", "no result"),
        winner=_team(outcome["winner"]) if "winner" in outcome else None,
        margin=_margin(outcome),
        scheduled_overs=info.get("overs"),
        players={_team(t): tuple(ids[n] for n in names) for t, names in info["players"].items()},
        names={pid: name for name, pid in ids.items()},
        player_of_match=tuple(ids[name] for name in info.get("player_of_match", [])),
    )
    regular = [raw for raw in data["innings"] if not raw.get("super_over")]
    for number, raw in enumerate(regular, start=1):
        team = _team(raw["team"])
        overs = [
            [
                Ball(
                    over=over["over"] + 1, batter=ids[d["batter"]], non_striker=ids[d["non_striker"]],
                    bowler=ids[d["bowler"]], batter_runs=d["runs"]["batter"],
                    wides=d.get("extras", {}).get("wides", 0), noballs=d.get("extras", {}).get("noballs", 0),
                    total=d["runs"]["total"], non_boundary=bool(d["runs"].get("non_boundary")),
                    wickets=tuple(
                        Wicket(w["kind"], ids[w["player_out"]],
                               tuple(ids[f["name"]] for f in w.get("fielders", [])
                                     if "name" in f and not f.get("substitute")),
                               tuple(ids[f["name"]] for f in w.get("fielders", [])
                                     if "name" in f and f.get("substitute")))
                        for w in d.get("wickets", [])
                    ),
                )
                for d in over["deliveries"]
            ]
            for over in raw.get("overs", [])
        ]
        penalty = raw.get("penalty_runs", {})
        match.innings.append(Innings(
            match=match, number=number, team=team, opposition=match.opponent(team), overs=overs,
            penalty=penalty.get("pre", 0) + penalty.get("post", 0), declared=bool(raw.get("declared")),
            absent_hurt=len(raw.get("absent_hurt", [])),
        ))
    return match


@cache
def matches() -> tuple[Match, ...]:
    """Every fixture match once (a match in two T20I folders as its higher revision), by date."""
    chosen: dict[int, tuple[int, Path, dict]] = {}
    for folder in MATCH_FOLDERS:
        for path in sorted(folder.glob("*/*.json")):
            data = orjson.loads(path.read_bytes())
            revision = data["meta"].get("revision", 1)
            if path.stem not in chosen or revision > chosen[path.stem][0]:
                chosen[path.stem] = (revision, path, data)
    read = [_read_match(path, data) for _, path, data in chosen.values()]
    return tuple(sorted(read, key=lambda m: (m.start, m.id)))


@cache
def player_ids() -> dict[str, str]:
    """The name a file uses ("V Kohli") -> registry id."""
    return {name: pid for m in matches() for pid, name in m.names.items()}


def pid(cricsheet_name: str) -> str:
    return player_ids()[cricsheet_name]


def matches_played(player: str, where: MatchFilter) -> list[Match]:
    """The matches a player was in the XI for (StatsGuru's "Mat", whatever he did in them)."""
    return [m for m in matches() if where(m) and any(player in ids for ids in m.players.values())]


# --- match filters (the DSL's filters, as predicates) ---------------------------------------------

MatchFilter = Callable[[Match], bool]


def men(competition: str | None = None) -> MatchFilter:
    return lambda m: m.gender == "male" and competition in (None, m.competition)


def women(competition: str | None = None) -> MatchFilter:
    return lambda m: m.gender == "female" and competition in (None, m.competition)


def event_is(kind: str) -> MatchFilter:
    """A tournament as fans name it; qualifying tournaments are not the event itself."""
    def test(m: Match) -> bool:
        name = m.event or ""
        if "Qualifier" in name:
            return False
        t20 = "T20 World Cup" in name or "World Twenty20" in name or "World T20" in name
        if kind == "T20 World Cup":
            return t20
        if kind == "World Cup":  # the 50-over World Cup, men's or women's
            return "World Cup" in name and not t20
        return kind in name
    return test


# --- batting --------------------------------------------------------------------------------------

@dataclass
class BatLine:
    innings: Innings
    player: str
    position: int
    runs: int = 0
    balls: int = 0
    fours: int = 0
    sixes: int = 0
    out: bool = False
    how: str | None = None  # the way out (or retired)
    dots: int = 0

    @property
    def match(self) -> Match:
        return self.innings.match

    @property
    def team(self) -> str:
        return self.innings.team


@cache
def batting_lines() -> tuple[BatLine, ...]:
    """Every batter's innings: order of first appearance is the batting position."""
    lines = []
    for m in matches():
        for inn in m.innings:
            card: dict[str, BatLine] = {}

            def at_crease(player: str) -> BatLine:
                if player not in card:
                    card[player] = BatLine(inn, player, len(card) + 1)
                return card[player]

            for ball in inn.balls:
                striker = at_crease(ball.batter)
                at_crease(ball.non_striker)
                striker.runs += ball.batter_runs
                striker.balls += not ball.wides
                striker.fours += ball.four
                striker.sixes += ball.six
                striker.dots += ball.legal and ball.batter_runs == 0
                for w in ball.wickets:
                    line = at_crease(w.player_out)
                    line.how = w.kind
                    line.out = w.kind not in NOT_DISMISSED
            lines.extend(card.values())
    return tuple(lines)


def batting(player: str | None = None, where: MatchFilter = men(), line: Callable[[BatLine], bool] = lambda b: True) -> list[BatLine]:
    return [
        b for b in batting_lines()
        if (player is None or b.player == player) and where(b.match) and line(b)
    ]


@dataclass(frozen=True)
class BattingFigures:
    innings: int
    matches: int
    runs: int
    balls: int
    outs: int
    fours: int
    sixes: int
    hundreds: int
    fifties: int
    ducks: int
    high: int | None
    dots: int

    @property
    def not_outs(self) -> int:
        return self.innings - self.outs

    @property
    def average(self) -> float | None:
        return r2(self.runs, self.outs)

    @property
    def strike_rate(self) -> float | None:
        return r2(self.runs, self.balls, 100)


def batting_figures(lines: Iterable[BatLine]) -> BattingFigures:
    lines = list(lines)
    return BattingFigures(
        innings=len(lines),
        matches=len({b.match.id for b in lines}),
        runs=sum(b.runs for b in lines),
        balls=sum(b.balls for b in lines),
        outs=sum(b.out for b in lines),
        fours=sum(b.fours for b in lines),
        sixes=sum(b.sixes for b in lines),
        hundreds=sum(b.runs >= 100 for b in lines),
        fifties=sum(50 <= b.runs <= 99 for b in lines),
        ducks=sum(b.runs == 0 and b.out for b in lines),
        high=max((b.runs for b in lines), default=None),
        dots=sum(b.dots for b in lines),
    )


# --- ball by ball ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class BallSeen:
    """One delivery with its innings, for the ball-by-ball filters."""

    innings: Innings
    ball: Ball

    @property
    def match(self) -> Match:
        return self.innings.match


@cache
def all_balls() -> tuple[BallSeen, ...]:
    return tuple(BallSeen(inn, ball) for m in matches() for inn in m.innings for ball in inn.balls)


def balls(where: MatchFilter = men(), ball: Callable[[BallSeen], bool] = lambda s: True) -> list[BallSeen]:
    return [s for s in all_balls() if where(s.match) and ball(s)]


def in_phase(name: str) -> Callable[[BallSeen], bool]:
    def test(seen: BallSeen) -> bool:
        fmt = {"ODI": "ODI", "T20I": "T20", "IPL": "T20"}.get(seen.match.competition)
        if fmt is None:
            return False
        first, last = PHASES[fmt][name]
        return first <= seen.ball.over <= last
    return test


def in_overs(first: int, last: int) -> Callable[[BallSeen], bool]:
    return lambda seen: first <= seen.ball.over <= last


def batter_figures(batter: str, seen: Iterable[BallSeen]) -> BattingFigures:
    """A batter's figures from the balls he faced (and his dismissals on them, as striker)."""
    faced = [s.ball for s in seen if s.ball.batter == batter]
    outs = sum(
        w.player_out == batter and w.kind not in NOT_DISMISSED for b in faced for w in b.wickets
    )
    return BattingFigures(
        innings=len({(s.innings.match.id, s.innings.number) for s in seen if s.ball.batter == batter}),
        matches=len({s.match.id for s in seen if s.ball.batter == batter}),
        runs=sum(b.batter_runs for b in faced), balls=sum(not b.wides for b in faced), outs=outs,
        fours=sum(b.four for b in faced), sixes=sum(b.six for b in faced),
        hundreds=0, fifties=0, ducks=0, high=None,
        dots=sum(b.legal and b.batter_runs == 0 for b in faced),
    )


# --- bowling --------------------------------------------------------------------------------------

@dataclass
class BowlLine:
    innings: Innings
    player: str
    balls: int = 0
    runs: int = 0
    wickets: int = 0
    maidens: int = 0
    dots: int = 0
    wides: int = 0
    noballs: int = 0
    sixes: int = 0

    @property
    def match(self) -> Match:
        return self.innings.match

    @property
    def team(self) -> str:
        return self.innings.opposition

    @property
    def economy(self) -> float | None:
        return r2(self.runs, self.balls, 6)


@cache
def bowling_lines() -> tuple[BowlLine, ...]:
    lines = []
    for m in matches():
        for inn in m.innings:
            card: dict[str, BowlLine] = {}
            for over in inn.overs:
                for ball in over:
                    line = card.setdefault(ball.bowler, BowlLine(inn, ball.bowler))
                    line.balls += ball.legal
                    line.runs += ball.conceded
                    line.wickets += sum(w.kind in BOWLERS_WICKETS for w in ball.wickets)
                    line.dots += ball.legal and ball.batter_runs == 0
                    line.wides += ball.wides > 0
                    line.noballs += ball.noballs > 0
                    line.sixes += ball.six
                # A maiden: one bowler's complete over of legal balls, nothing conceded.
                bowlers = {ball.bowler for ball in over}
                if (len(bowlers) == 1 and sum(b.legal for b in over) == 6
                        and sum(b.conceded for b in over) == 0):
                    card[over[0].bowler].maidens += 1
            lines.extend(card.values())
    return tuple(lines)


def bowling(player: str | None = None, where: MatchFilter = men(), line: Callable[[BowlLine], bool] = lambda b: True) -> list[BowlLine]:
    return [
        b for b in bowling_lines()
        if (player is None or b.player == player) and where(b.match) and line(b)
    ]


@dataclass(frozen=True)
class BowlingFigures:
    innings: int
    matches: int
    balls: int
    runs: int
    wickets: int
    maidens: int
    dots: int
    wides: int
    noballs: int
    sixes: int
    five_fors: int
    best: tuple[int, int] | None  # (wickets, runs) of the best innings

    @property
    def average(self) -> float | None:
        return r2(self.runs, self.wickets)

    @property
    def economy(self) -> float | None:
        return r2(self.runs, self.balls, 6)

    @property
    def strike_rate(self) -> float | None:
        return r2(self.balls, self.wickets)


def bowling_figures(lines: Iterable[BowlLine]) -> BowlingFigures:
    lines = list(lines)
    best = max(((b.wickets, -b.runs) for b in lines), default=None)
    return BowlingFigures(
        innings=len(lines), matches=len({b.match.id for b in lines}),
        balls=sum(b.balls for b in lines), runs=sum(b.runs for b in lines),
        wickets=sum(b.wickets for b in lines), maidens=sum(b.maidens for b in lines),
        dots=sum(b.dots for b in lines), wides=sum(b.wides for b in lines),
        noballs=sum(b.noballs for b in lines), sixes=sum(b.sixes for b in lines),
        five_fors=sum(b.wickets >= 5 for b in lines),
        best=(best[0], -best[1]) if best else None,
    )


def bowler_figures(bowler: str, seen: Iterable[BallSeen]) -> BowlingFigures:
    """A bowler's figures from the balls he bowled."""
    mine = [s for s in seen if s.ball.bowler == bowler]
    bowled = [s.ball for s in mine]
    return BowlingFigures(
        innings=len({(s.match.id, s.innings.number) for s in mine}),
        matches=len({s.match.id for s in mine}),
        balls=sum(b.legal for b in bowled), runs=sum(b.conceded for b in bowled),
        wickets=sum(w.kind in BOWLERS_WICKETS for b in bowled for w in b.wickets),
        maidens=0, dots=sum(b.legal and b.batter_runs == 0 for b in bowled),
        wides=sum(b.wides > 0 for b in bowled), noballs=sum(b.noballs > 0 for b in bowled),
        sixes=sum(b.six for b in bowled), five_fors=0, best=None,
    )


# --- fielding -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldingFigures:
    matches: int
    catches: int
    stumpings: int
    run_outs: int

    @property
    def dismissals(self) -> int:
        return self.catches + self.stumpings


def fielding_figures(player: str, where: MatchFilter = men()) -> FieldingFigures:
    """Catches (a caught and bowled is the bowler's catch), stumpings and run outs made in the
    matches the player played: a substitute's catch is not his (StatsGuru)."""
    catches = stumpings = run_outs = 0
    played = matches_played(player, where)
    for m in played:
        for inn in m.innings:
            if inn.team == m.team_of(player):
                continue
            for ball in inn.balls:
                for w in ball.wickets:
                    if w.kind == "caught and bowled" and ball.bowler == player:
                        catches += 1
                    elif player in w.fielders:
                        catches += w.kind == "caught"
                        stumpings += w.kind == "stumped"
                        run_outs += w.kind == "run out"
    return FieldingFigures(len(played), catches, stumpings, run_outs)


# --- teams ----------------------------------------------------------------------------------------

def team_matches(team: str | None, where: MatchFilter = men()) -> list[tuple[Match, str]]:
    """(match, side) for each match of the team (of every team when team is None)."""
    return [
        (m, side) for m in matches() if where(m) for side in m.teams if team in (None, side)
    ]


def team_innings(team: str | None, where: MatchFilter = men()) -> list[Innings]:
    return [inn for m in matches() if where(m) for inn in m.innings if team in (None, inn.team)]


def won(m: Match, side: str) -> bool:
    return m.result == "win" and m.winner == side


def lost(m: Match, side: str) -> bool:
    return m.result == "win" and m.winner == m.opponent(side)


def result_text(m: Match) -> str:
    return f"{m.winner} won by {m.margin}" if m.result == "win" else m.result


# --- partnerships ---------------------------------------------------------------------------------

@dataclass
class Stand:
    """Two batters together at the crease, from the ball they met to the wicket that parted them."""

    innings: Innings
    wicket: int  # the wicket it was for: 1 + the wickets fallen before it
    pair: frozenset[str]
    runs: int = 0
    balls: int = 0
    unbroken: bool = True

    @property
    def match(self) -> Match:
        return self.innings.match


def stands(where: MatchFilter = men()) -> list[Stand]:
    found = []
    for m in matches():
        if not where(m):
            continue
        for inn in m.innings:
            fallen, stand = 0, None
            for ball in inn.balls:
                pair = frozenset((ball.batter, ball.non_striker))
                if stand is None or stand.pair != pair:
                    stand = Stand(inn, fallen + 1, pair)
                    found.append(stand)
                stand.runs += ball.total
                stand.balls += ball.legal
                for wicket in ball.wickets:
                    if wicket.kind not in NOT_DISMISSED:
                        fallen += 1
                        stand.unbroken = False
    return found
