"""The one-sentence answer: it states the figure, the leader or the record from the rows, and the
filters the query was asked under (on the fixture query database)."""

import pytest

from dsl.execute import run_dsl
from dsl.summary import summarize


def sentence(db, text: str) -> tuple[str, list[str], list[list]]:
    result = run_dsl(text, db)
    return summarize(result.query, result.columns, result.rows), result.columns, result.rows


def test_a_figure_names_its_player_value_sample_and_filters(query_db):
    said, columns, rows = sentence(query_db, 'batting player "Virat Kohli" odi average')
    (name, average, innings), = rows
    assert said == f"Virat Kohli: average {average} ({innings} innings) — ODIs."


def test_a_comparison_says_who_leads(query_db):
    said, _, rows = sentence(query_db, 'batting player "Rohit Sharma" or "Virat Kohli" odi runs')
    assert said.startswith(f"{rows[0][0]} leads: runs {rows[0][1]:,}")
    assert rows[1][0] in said


@pytest.mark.parametrize("text, start", [
    ("batting odi top 5 runs", "leads with runs"),
    ("bowling odi bottom 3 economy min balls 60", "ranks bottom with economy"),
    ("batting odi best 3 runs", "Best: "),
    ("batting fastest 2 to 50 runs by balls", "reached 50 runs in"),
    ("batting longest 2 streak with runs 20+", "consecutive innings"),
])
def test_every_shape_has_a_sentence(query_db, text, start):
    said, _, rows = sentence(query_db, text)
    assert rows and start in said
    assert str(rows[0][0]) in said or said.startswith("Best")


def test_nothing_matches_says_so(query_db):
    said, _, rows = sentence(query_db, 'batting player "Virat Kohli" odi year 2003 list innings')
    assert rows == []
    assert said == "Nothing matches — Virat Kohli · ODIs · in 2003."
