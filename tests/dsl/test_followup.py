"""Follow-up questions read against the previous query (dsl/followup.py), with the real linker."""

from __future__ import annotations

import pytest

from dsl.followup import follow_up
from dsl.lexicon import lexicon
from dsl.link import Linker
from dsl.parser import parse
from dsl.printer import to_dsl

KOHLI = 'batting player "Virat Kohli" odi vs "Australia" since 2015 average'


@pytest.fixture(scope="module")
def read(full_db):
    linker = Linker.from_engine(full_db)
    franchises = lexicon(full_db).franchises

    def read(previous: str, question: str) -> str | None:
        merged = follow_up(parse(previous), linker.link(question), franchises)
        return None if merged is None else to_dsl(merged)

    return read


@pytest.mark.parametrize("question, expected", [
    ("and in Tests?", 'batting player "Virat Kohli" test vs "Australia" since 2015 average'),
    ("what about Joe Root?", 'batting player "Joe Root" odi vs "Australia" since 2015 average'),
    ("since 2020?", 'batting player "Virat Kohli" odi vs "Australia" since 2020 average'),
    ("and against England", 'batting player "Virat Kohli" odi vs "England" since 2015 average'),
    ("and his strike rate?", 'batting player "Virat Kohli" odi vs "Australia" since 2015 strike rate'),
    ("by year?", 'batting player "Virat Kohli" odi vs "Australia" since 2015 by year average'),
    ("how about at home", 'batting player "Virat Kohli" odi vs "Australia" home since 2015 average'),
])
def test_the_follow_ups_parts_replace_the_previous_querys_and_the_rest_stays(read, question, expected):
    assert read(KOHLI, question) == expected


def test_a_ranking_is_narrowed_by_a_follow_up(read):
    assert read("batting odi top 10 runs", "and in Tests?") == "batting test top 10 runs"
    assert read("batting odi top 10 runs", "since 2020?") == "batting odi since 2020 top 10 runs"


@pytest.mark.parametrize("previous, question", [
    (KOHLI, "Kane Williamson ODI runs"),  # a whole question of its own
    (KOHLI, "most sixes in the IPL"),
    ("batting odi top 10 runs", "what about Kohli"),  # a name after a ranking asks something else
    (KOHLI, "and in ODIs?"),  # changes nothing
])
def test_questions_of_their_own_are_not_follow_ups(read, previous, question):
    assert read(previous, question) is None
