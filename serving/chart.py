"""A chart for answers people would rather look at than read, as a Vega-Lite spec (Altair).

Charted: one figure per group (a line over years or seasons, bars for other groups), rankings and
comparisons (bars, in the answer's order, best first). Not charted: a single figure, lists of
innings or matches, a single row. The spec carries its data, so the page renders it with
vega-embed and the CLI with vl-convert, with nothing else to fetch.
"""

from __future__ import annotations

from numbers import Real

from dsl import ast

TIME_GROUPS = ("year", "season")


def chart_spec(query: ast.Query, columns: list[str], rows: list[list], title: str) -> dict | None:
    """The answer's chart, or None when a chart would add nothing."""
    if len(rows) < 2:
        return None
    output = query.output
    if isinstance(output, ast.Grouped):
        return _over_groups(columns, rows, title, over_time=output.group in TIME_GROUPS)
    if isinstance(output, ast.Ranking) or query.rivals:
        return _ranked_bars(columns, rows, title)
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _over_groups(columns: list[str], rows: list[list], title: str, *, over_time: bool) -> dict | None:
    import altair as alt

    group, stat = columns[0], columns[1]
    points = [{"group": str(row[0]), "value": row[1]} for row in rows if _is_number(row[1])]
    if len(points) < 2:
        return None
    chart = alt.Chart(alt.Data(values=points), title=title)
    x = alt.X("group:O", title=group, sort=None)
    y = alt.Y("value:Q", title=stat)
    marked = chart.mark_line(point=True) if over_time else chart.mark_bar()
    return marked.encode(x=x, y=y, tooltip=[alt.Tooltip("group:N", title=group), alt.Tooltip("value:Q", title=stat)]) \
        .properties(width="container").to_dict()


def _ranked_bars(columns: list[str], rows: list[list], title: str) -> dict | None:
    import altair as alt

    # The names are the columns before the first figure (a player, or a player and his season).
    first_figure = next((i for i, value in enumerate(rows[0]) if _is_number(value) and columns[i] not in TIME_GROUPS),
                        None)
    if not first_figure:
        return None
    stat = columns[first_figure]
    bars = [{"name": " · ".join(str(value) for value in row[:first_figure]), "value": row[first_figure]}
            for row in rows if _is_number(row[first_figure])]
    if len(bars) < 2:
        return None
    label = " · ".join(columns[:first_figure])
    return alt.Chart(alt.Data(values=bars), title=title).mark_bar().encode(
        x=alt.X("value:Q", title=stat),
        y=alt.Y("name:N", title=label, sort=None),
        tooltip=[alt.Tooltip("name:N", title=label), alt.Tooltip("value:Q", title=stat)],
    ).properties(width="container").to_dict()
