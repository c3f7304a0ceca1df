"""Moving a taught query onto a new question's names and values (dsl/retarget.py), with the real
linker on the full database."""

from __future__ import annotations

import pytest

from dsl.link import Linker
from dsl.retarget import form, retarget, same_form


@pytest.fixture(scope="module")
def linker(full_db) -> Linker:
    return Linker.from_engine(full_db)


@pytest.mark.parametrize("taught, dsl, question, moved", [
    ("Virat Kohli runs in whites", 'batting player "Virat Kohli" test runs',
     "Joe Root runs in whites", 'batting player "Joe Root" test runs'),
    ("Kohli's ODI average against Australia since 2015", 'batting player "Virat Kohli" odi vs "Australia" since 2015 average',
     "Root's T20I average against India since 2018", 'batting player "Joe Root" t20i vs "India" since 2018 average'),
    # A value the question did not supply (here the stat's threshold) stays as taught.
    ("Bumrah wickets in IPL finals", 'bowling player "Jasprit Bumrah" ipl final wickets',
     "Rashid Khan wickets in T20I finals", 'bowling player "Rashid Khan" t20i final wickets'),
])
def test_the_taught_values_are_swapped_slot_by_slot(linker, taught, dsl, question, moved):
    assert retarget(dsl, linker.link(taught), linker.link(question)) == moved


def test_questions_with_other_kinds_of_value_do_not_pair_up(linker):
    taught = linker.link("Kohli's ODI runs since 2015")
    assert retarget('batting player "Virat Kohli" odi since 2015 runs', taught, linker.link("Kohli's ODI runs")) is None
    assert retarget('batting player "Virat Kohli" odi since 2015 runs', taught,
                    linker.link("Kohli's ODI runs against Australia")) is None


def test_a_taught_value_that_would_become_two_values_stops_the_move(linker):
    taught = linker.link("Australia Test wins against England in England")
    question = linker.link("India Test wins against Australia in South Africa")
    assert retarget('team "Australia" test vs "England" in "England" wins', taught, question) is None


def test_the_same_form_needs_the_same_words_and_players_of_the_same_role(linker, full_db):
    taught = linker.link("Virat Kohli runs in whites")
    assert form(taught) == form(linker.link("virat kohli's runs in whites!"))
    assert same_form(taught, linker.link("Joe Root runs in whites"), full_db)
    assert not same_form(taught, linker.link("Jasprit Bumrah runs in whites"), full_db)  # a bowler
    assert not same_form(taught, linker.link("Joe Root runs in Tests"), full_db)
