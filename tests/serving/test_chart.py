"""Answer charts (serving/chart.py) on the full database, and their rendering to files."""

from __future__ import annotations

import pytest

from dsl.execute import run_dsl
from serving.chart import chart_spec
from serving.cli import write_chart


def spec_of(dsl: str, engine) -> dict | None:
    result = run_dsl(dsl, engine)
    return chart_spec(result.query, result.columns, result.rows, result.description)


def test_one_figure_per_year_is_a_line_over_the_years(full_db):
    spec = spec_of('batting player "Virat Kohli" odi by year runs', full_db)
    assert spec["mark"]["type"] == "line" and spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    points = spec["data"]["values"]
    rows = run_dsl('batting player "Virat Kohli" odi by year runs', full_db).rows
    assert [(p["group"], p["value"]) for p in points] == [(str(year), runs) for year, runs in rows]
    assert spec["encoding"]["y"]["title"] == "runs" and spec["title"] == "Batting · Virat Kohli · ODIs · runs by year"


@pytest.mark.parametrize("dsl", [
    "batting odi top 10 runs",  # a ranking
    'batting player "Babar Azam" or "Mohammad Rizwan" t20i strike rate',  # a comparison
    'team "India" odi by opposition wins',  # groups that are not years
])
def test_rankings_comparisons_and_other_groups_are_bars_in_the_answers_order(dsl, full_db):
    spec = spec_of(dsl, full_db)
    assert spec["mark"]["type"] == "bar"
    points = spec["data"]["values"]
    rows = run_dsl(dsl, full_db).rows
    assert [p["value"] for p in points] == [row[1] for row in rows]
    categories = spec["encoding"]["x" if "group" in points[0] else "y"]
    assert categories["sort"] is None  # the answer's order (best first), not alphabetical


@pytest.mark.parametrize("dsl", [
    'batting player "Virat Kohli" odi runs',  # one figure
    'batting player "Virat Kohli" odi list hundreds',  # a list of innings
])
def test_a_single_figure_or_a_list_has_no_chart(dsl, full_db):
    assert spec_of(dsl, full_db) is None


@pytest.mark.parametrize("name", ["chart.svg", "chart.png"])
def test_the_cli_writes_the_chart_as_svg_or_png(name, full_db, tmp_path):
    path = tmp_path / name
    write_chart(spec_of("batting odi top 5 runs", full_db), str(path))
    data = path.read_bytes()
    if name.endswith(".svg"):
        assert data.startswith(b"<svg") and b"runs" in data
    else:
        assert data.startswith(b"\x89PNG") and len(data) > 5000
