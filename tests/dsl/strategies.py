"""Hypothesis strategies that generate every shape of valid query the grammar allows."""

from __future__ import annotations

from hypothesis import strategies as st

from dsl import ast, catalogue

names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
numbers = st.integers(min_value=1, max_value=5000)
years = st.integers(min_value=1900, max_value=2099)

STATS = {subject: list(stats) for subject, stats in catalogue.SUBJECT_STATS.items() if stats}
INNINGS_STATS = {subject: list(stats) for subject, stats in catalogue.SUBJECT_INNINGS_STATS.items() if stats}
LISTS = {subject: list(kinds) for subject, kinds in catalogue.SUBJECT_LISTS.items() if kinds}
GROUPS = list(catalogue.GROUP)
QUALIFIERS = list(catalogue.QUALIFIER)

spans = st.one_of(
    st.builds(ast.InYear, years), st.builds(ast.Since, years), st.builds(ast.Before, years),
    st.builds(ast.Between, years, years),
    st.builds(ast.Season, st.from_regex(r"20[0-9][0-9](/[0-9][0-9])?", fullmatch=True)),
)
qualifications = st.none() | st.builds(ast.Qualification, st.sampled_from(QUALIFIERS), numbers)


def outputs(subject: str):
    several = st.lists(st.sampled_from(STATS[subject]), min_size=1, max_size=4, unique=True)
    choices = [
        several.map(lambda stats: ast.Aggregate(stats[0], tuple(stats[1:]))),
        st.builds(ast.Grouped, st.sampled_from(GROUPS), st.sampled_from(STATS[subject])),
        st.builds(ast.Ranking, st.sampled_from(["top", "bottom"]), numbers, st.sampled_from(STATS[subject]), qualifications,
                  maybe(st.sampled_from(["season", "year", "match", "opposition", "ground"]))),
    ]
    if subject in INNINGS_STATS:
        choices.append(st.builds(
            ast.BestInnings, st.sampled_from(["best", "worst"]), numbers, st.sampled_from(INNINGS_STATS[subject]),
            qualifications if subject != "team" else st.none(),
        ))
        choices.append(st.builds(ast.Listing, st.sampled_from(LISTS[subject])))
    if subject in ("batting", "bowling"):
        stat = "runs" if subject == "batting" else "wickets"
        units = ["balls", "innings", "matches"] if subject == "batting" else ["innings", "matches"]
        choices.append(st.builds(ast.Milestone, numbers, numbers, st.just(stat), st.sampled_from(units)))
        choices.append(st.builds(ast.Streak, numbers, st.builds(ast.Threshold, st.sampled_from(["runs", "wickets"]), numbers)))
    return st.one_of(*choices)


def maybe(strategy):
    return st.none() | strategy


@st.composite
def queries(draw) -> ast.Query:
    subject = draw(st.sampled_from(["batting", "bowling", "fielding", "team"]))
    player_query = subject != "team"
    balls = subject in ("batting", "bowling")
    overs = subject != "fielding"
    first = draw(numbers)
    return ast.Query(
        subject=subject,
        output=draw(outputs(subject)),
        player=draw(maybe(names)) if player_query else None,
        team=draw(maybe(names)),
        rivals=tuple(draw(st.lists(names, max_size=2))),
        competition=draw(maybe(st.sampled_from(["test", "odi", "t20i", "ipl"]))),
        women=draw(st.booleans()),
        opposition=draw(maybe(names)),
        ground=draw(maybe(names)),
        place=draw(maybe(names)),
        home_away=draw(maybe(st.sampled_from(["home", "away", "neutral"]))),
        span=draw(maybe(spans)),
        innings_number=draw(maybe(numbers)),
        position=draw(maybe(st.builds(ast.Position, st.just(first), st.integers(first, first + 10)))) if subject == "batting" else None,
        threshold=draw(maybe(st.one_of(st.builds(ast.Threshold, st.sampled_from(["runs", "wickets"]), numbers),
                                       st.builds(ast.Without, st.sampled_from(["runs", "wickets"]))))) if balls else None,
        debut=draw(st.booleans()) if player_query else False,
        result=draw(maybe(st.sampled_from(["won", "lost", "drawn", "tied"]))),
        toss=draw(maybe(st.builds(ast.Toss, st.sampled_from(["won", "lost"]), maybe(st.sampled_from(["bat", "field"]))))),
        batting_order=draw(maybe(st.sampled_from(["batting first", "chasing"]))),
        event=draw(maybe(names)),
        stage=draw(maybe(st.sampled_from(["final", "knockouts"]))),
        last=draw(maybe(numbers)),
        overs=draw(maybe(st.one_of(st.builds(ast.Overs, numbers, numbers),
                                   st.builds(ast.Phase, st.sampled_from(["powerplay", "middle overs", "death overs"]))))) if overs else None,
        against=draw(maybe(names)) if balls else None,
        dismissal=draw(maybe(st.sampled_from(["caught", "bowled", "lbw", "run out", "stumped", "hit wicket"]))) if balls else None,
    )
