"""The answer in one plain sentence, before its table: "Virat Kohli: average 54.21 (35 innings) —
ODIs · v Australia · since 2015".

Written from the query and the rows the compiler returned (their columns are the compiler's:
the named player or team first, then the stats, then the sample size), one small function per
output shape, like the printer. The filters are read back as the printer's English, so the
sentence never claims more than the query asked.
"""

from __future__ import annotations

from collections.abc import Callable

from dsl import ast, catalogue
from dsl.printer import describe_filters

Rows = list[list]


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "no figure" if value is None else str(value)


def _label(stat: str) -> str:
    entry = catalogue.STAT.get(stat) or catalogue.INNINGS_STAT.get(stat)
    return entry.label if entry else stat


def _figures(columns: list[str], row: list, stats: tuple[str, ...]) -> str:
    """ "average 54.21, hundreds 9 (35 innings)": the stats, then the sample size if shown."""
    shown = [f"{_label(stat)} {_number(row[columns.index(stat)])}" for stat in stats if stat in columns]
    extra = [column for column in columns[1:] if column not in stats and column in catalogue.STAT]
    context = f" ({_number(row[columns.index(extra[0])])} {extra[0]})" if extra else ""
    return ", ".join(shown) + context


def _aggregate(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    output = query.output
    stats = (output.stat, *output.more)
    if query.rivals:  # a comparison: rows are best first
        leader, *others = rows
        behind = "; ".join(f"{row[0]} {_figures(columns, row, stats)}" for row in others)
        return f"{leader[0]} leads: {_figures(columns, leader, stats)}; {behind}"
    row = rows[0]
    named = columns[0] in ("player", "team")
    subject = f"{row[0]}: " if named else ""
    return subject + _figures(columns, row, stats)


def _ranking(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    output = query.output
    stat = output.stat
    top = rows[0]
    unit = [str(top[columns.index(c)]) for c in ("season", "year", "date", "opposition", "ground") if c in columns]
    where = f" ({', '.join(unit)})" if unit else ""
    place = "ranks bottom" if output.direction == "bottom" else "leads"
    return f"{top[0]}{where} {place} with {_label(stat)} {_number(top[columns.index(stat)])}"


def _grouped(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    group = catalogue.GROUP[query.output.group]
    if group.ordered:
        return f"By {group.label or query.output.group}: {len(rows)} rows, {rows[0][0]} to {rows[-1][0]}"
    return f"{rows[0][0]} leads with {_label(query.output.stat)} {_number(rows[0][1])}"


def _rows_of_innings(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    unit = {"partnership": "stands"}.get(query.subject, "matches" if "result" in columns else "innings")
    return f"{len(rows)} {unit}" + (f", from {rows[-1][0]} to {rows[0][0]}" if query.last else "")


def _best_innings(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    output = query.output
    top = dict(zip(columns, rows[0]))
    if "result" in top:  # whole matches: the result says who won and by how much
        return f"{output.direction.capitalize()}: {top['result']} v {top['opposition']}, on {top['date']}"
    who = next(top[c] for c in ("player", "batters", "team") if c in top)
    value = next(top[c] for c in ("figures", "total", output.stat) if c in top)
    return f"{output.direction.capitalize()}: {who} {_number(value)}, on {top['date']}"


def _milestone(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    output = query.output
    player, taken, date = rows[0][:3]
    return f"{player} reached {output.target:,} {output.stat} in {taken} {output.unit}, on {date}"


def _streak(query: ast.Query, columns: list[str], rows: Rows) -> str | None:
    player, innings, first, last = rows[0][:4]
    return f"{player}: {innings} consecutive innings, {first} to {last}"


_SHAPES: dict[type, Callable[[ast.Query, list[str], Rows], str | None]] = {
    ast.Aggregate: _aggregate,
    ast.Ranking: _ranking,
    ast.Grouped: _grouped,
    ast.BestInnings: _best_innings,
    ast.Listing: _rows_of_innings,
    ast.Milestone: _milestone,
    ast.Streak: _streak,
}


def summarize(query: ast.Query, columns: list[str], rows: Rows) -> str:
    """One sentence answering the query from its rows, with the filters it was asked under."""
    if not rows:
        return f"Nothing matches — {describe_filters(query) or 'no filters'}."
    sentence = _SHAPES[type(query.output)](query, columns, rows)
    # The sentence names the player (or team) of a figure, a milestone or a streak itself.
    named = isinstance(query.output, (ast.Aggregate, ast.Milestone, ast.Streak))
    without = ("player", "rivals") + (("team",) if query.subject == "team" else ()) if named else ()
    filters = describe_filters(query, without=without)
    return f"{sentence} — {filters}." if filters else f"{sentence}."
