"""The checks a question passes before any model runs (serving.pipeline.read_question), on the full
database: whether it is about cricket at all, and whether the data holds what it names."""

from __future__ import annotations

import pytest

from dsl.errors import CannotAnswer
from dsl.link import Linker
from serving.pipeline import QuestionError, read_question


@pytest.fixture(scope="module")
def linker(full_db) -> Linker:
    return Linker.from_engine(full_db)


@pytest.mark.parametrize("question", [
    "Sri Lanka's record against Bangladesh",
    "Pakistan v New Zealand head to head",
    "england vs west indies h2h in tests",
])
def test_a_sides_record_is_a_cricket_question(linker, full_db, question):
    read_question(question, linker, full_db)


def test_a_team_alone_is_not_a_cricket_question(linker, full_db):
    with pytest.raises(QuestionError, match="cricket statistics"):
        read_question("What is the capital of Pakistan?", linker, full_db)


@pytest.mark.parametrize("question", [
    "How many ODIs have Afghanistan won since 2015?",
    "Mujeeb's wickets against afghanistan",
    "Zimbabwe vs Afghanistan head to head",
])
def test_a_side_the_data_does_not_hold_is_refused_by_name(linker, full_db, question):
    """Answered without the side, the question would be another one (all sides' wins)."""
    with pytest.raises(CannotAnswer, match="no Afghanistan matches") as refused:
        read_question(question, linker, full_db)
    assert refused.value.kind == "no_data"


@pytest.mark.parametrize("question", [
    "Warner's ODI average in games where Smith scored a hundred",
    "how many wickets did Lyon take in Tests that Starc also played",
    "Rizwan's T20I strike rate when Babar top scored",
])
def test_another_players_doing_as_a_filter_is_refused_by_name(linker, full_db, question):
    with pytest.raises(CannotAnswer, match="cannot pick matches by what"):
        read_question(question, linker, full_db)


@pytest.mark.parametrize("question", [
    "Kohli's runs against England when Anderson was bowling",
    "Root's average in matches where England won",
    "Smith's Test runs when he scored a fifty in the first innings",
])
def test_a_bowler_a_result_or_the_players_own_doing_is_no_such_filter(linker, full_db, question):
    read_question(question, linker, full_db)


@pytest.mark.parametrize("question, written, stat, read", [
    ("fastest womens t20i centurys", "centurys", "hundreds", "fastest womens t20i hundreds"),
    ("quickest fifites in the ipl", "fifites", "fifties", "quickest fifties in the ipl"),
])
def test_a_misspelt_keyword_is_read_as_the_keyword_by_every_later_step(linker, full_db, question, written, stat, read):
    """The candidate stage reads cue words ("fastest") beside the stat from the text, so the text
    carries the keyword; the note still says how the word was read."""
    audited = read_question(question, linker, full_db)
    assert audited.linked.question == read and audited.linked.values("stat") == [stat]
    assert [n.message for n in audited.notes] == [f'Read "{written}" as "{stat}".']
