"""Coverage notes on the full database: an answer says when its data cannot be complete."""

from __future__ import annotations

import pytest

from dsl.coverage import coverage_notes
from dsl.parser import parse
from dsl.resolve import resolve


def notes(db, text: str) -> list[str]:
    return [note.message for note in coverage_notes(resolve(parse(text), db), db)]


def test_a_career_begun_before_the_data_is_flagged(full_db):
    (message,) = notes(full_db, 'batting player "Sachin Tendulkar" odi vs "Australia" runs')
    assert "Sachin Tendulkar" in message and "29 Dec 2002" in message and "before 2003" in message


def test_a_career_begun_while_the_data_was_sparse_is_flagged(full_db):
    (message,) = notes(full_db, 'batting player "Ricky Ponting" test hundreds')
    assert "Ricky Ponting" in message and "before 2005" in message


@pytest.mark.parametrize("text", [
    'batting player "Virat Kohli" odi vs "Australia" runs',  # career wholly inside the data
    'batting ipl top 10 runs',  # the IPL's data starts with the IPL
    'batting player "Joe Root" test since 2015 average',  # a span inside the data
])
def test_complete_data_has_no_note(full_db, text):
    assert notes(full_db, text) == []


def test_records_over_all_players_name_both_gaps(full_db):
    messages = notes(full_db, "batting test top 10 runs")
    assert any("19 Dec 2001" in m for m in messages)
    assert any("Afghanistan" in m for m in messages)


def test_a_team_older_than_the_data_is_flagged(full_db):
    (message,) = notes(full_db, 'team "India" test wins')
    assert "India" in message and "missing" in message
