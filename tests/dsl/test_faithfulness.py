"""Faithfulness checks without the model: refusals by name, number audits, completeness."""

from __future__ import annotations

from datetime import date

import pytest

from dsl.candidates import frame
from dsl.errors import CannotAnswer
from dsl.faithfulness import audit_numbers, check_complete, refuse_mixed_genders, refuse_unanswerable, spelling_notes
from dsl.link import Linker
from dsl.parser import parse

SPANS = {None: (2001, 2026), "ipl": (2008, 2026)}


@pytest.fixture(scope="module")
def linker(full_db) -> Linker:
    return Linker.from_engine(full_db)


@pytest.mark.parametrize("question, part", [
    ("Dhoni's ODI average as captain", "captaincy"),
    ("how many runs did Rohit make while captaining India", "captaincy"),
    ("best Test average in Asia since 2015", "a region"),
    ("slowest ODI hundred by balls", "slowest to a milestone"),
    ("Tests with most debutants", "debut dates and debutants"),
    ("India's longest winning streak in ODIs", "streaks of matches, results or balls"),
    ("back-to-back Test wins for Pakistan", "streaks of matches, results or balls"),
    ("Kohli's home and away ODI average", "a split of one player's figures"),
    ("most runs in a single Test series", "a record within one series, or a match aggregate"),
    ("how has Steve Smith been batting lately", "recent form without a number of innings or matches"),
    ("most player of the series awards in ODIs", "player-of-the-series awards"),
    ("David Warner's Test average against spin", "bowling style"),
    ("most wickets by left-arm spinners in T20Is", "bowling style"),
    ("who will win the next World Cup", "a prediction"),
    ("most IPL runs by Indian players", "player origin"),  # in the IPL, where the players come from
    ("overseas bowlers with the most wickets in T20Is", "player origin"),
    ("most wickets in the Sheffield Shield", "a competition the data does not hold"),
    ("Babar Azam's runs in the PSL", "a competition the data does not hold"),
    ("most Test wickets on the fourth day", "a day or session of a match"),
    ("runs scored in the morning session of Tests at Lord's", "a day or session of a match"),
    ("Shubman Gill's ODI runs in March 2023", "a month"),
    ("most T20I runs in a calendar month", "a month"),
    ("how many batters has Jofra Archer dismissed with bouncers", "the kind of delivery"),
    ("Ben Stokes catches in the slips", "a fielding position"),
    ("how often has Usman Khawaja been caught behind", "a fielding position"),
    ("Tests South Africa won after enforcing the follow-on", "a match situation the data does not mark"),
    ("highest score by a nightwatchman in Tests", "a match situation the data does not mark"),
    ("how many times has Joe Root been dismissed for 99", "an exact score or a score band"),
    ("most IPL runs excluding the playoffs", "leaving something out"),
    ("highest ODI score without hitting a four", "leaving something out"),
    ("Steve Smith's conversion rate of fifties to hundreds", "a derived figure"),
    ("what share of England's runs did Root score in 2021", "a derived figure"),
    ("what percentage of Nicholas Pooran's T20I runs came in sixes", "a derived figure"),
    ("best T20I economy by bowlers from associate nations", "associate and full-member groups"),
    ("most runs conceded in a single over in ODIs", "a record within one over"),
    ("who is ranked number one in the ICC Test batting rankings", "official rankings and ratings"),
    ("Labuschagne's runs in Boxing Day Tests", "a day or session of a match"),
    ("which bowler went for the costliest over in ODIs", "a record within one over"),
    ("Starc's bouncer wickets in Tests", "the kind of delivery"),
    ("How many Test series wins has South Africa had in England?", "a record within one series, or a match aggregate"),
    ("Babar's T20I strike rate since the 2022 T20 World Cup", "a period that starts or ends at a tournament"),
    ("highest ODI knock with no 6s", "a condition on another stat of the innings"),
    ("most ten-wicket match hauls in Tests since 2010", "ten-wicket matches, golden ducks and twin hundreds"),
    ("who bagged the most golden ducks in the IPL", "ten-wicket matches, golden ducks and twin hundreds"),
    ("most leg byes conceded by England in ODIs", "extras"),
    ("which fielder has dropped the most chances in T20Is", "events the data does not record"),
    ("most IPL runs last season", "a period named from today without a number of years"),
    ("Kohli's ODI average in recent years", "a period named from today without a number of years"),
    ("who has taken the most Test wickets over the last few years", "a period named from today without a number of years"),
    ("Rashid Khan's economy this IPL season", "a period named from today without a number of years"),
    ("Who has the most runs in Tests without scoring a hundred?", "a career without a hundred, fifty or five-for"),
    ("most ODI wickets for a bowler who never took a five-for", "a career without a hundred, fifty or five-for"),
    ("What is Joe Root's conversion of fifties?", "a derived figure"),
    ("how many times have India been bowled out for under 100 in ODIs", "a side bowled out"),
    ("England all out for less than 150 in Tests", "a side bowled out"),
])
def test_unanswerable_parts_are_refused_by_name(question, part):
    with pytest.raises(CannotAnswer) as refused:
        refuse_unanswerable(question)
    assert refused.value.part == part


@pytest.mark.parametrize("question", [
    "Most sixes in a single IPL innings",  # a single innings is a best-innings ranking
    "Kagiso Rabada IPL wickets per season",  # per season is by year
    "Most hundreds in Asia Cup ODIs",  # an event, not a region
    "Nathan Lyon's favourite bunnies in Tests",
    "Kohli's ODI average against Australia since 2015",
    "Babar Azam's back-to-back T20I fifties",  # a streak of innings
    "fastest T20I hundreds by Indian batters",  # outside the IPL, India's batters
    "Ireland v Scotland head to head in T20Is",  # a side's record against another
    "most one day international runs in 2019",  # "one day" is a format
    "Catches off Mitchell Starc's bowling in Tests",  # his wickets that were caught
    "most stumpings by wicketkeepers in the IPL",
    "most runs in the first over of T20Is",  # an over number, not one over's record
    "Tim Southee's Test wickets in matches New Zealand won",
    "Shai Hope's ODI innings of 150 or more",
    "Mitchell Starc, the yorker specialist: ODI death overs economy",  # the word names no kind of ball asked about
])
def test_answerable_questions_pass(question):
    refuse_unanswerable(question)


@pytest.mark.parametrize("question, kind", [
    ("Kohli's ODI runs in 99999", "invalid_number"),
    ("Kohli's ODI runs in -1", "invalid_number"),
    ("Kohli's ODI runs in 0", "invalid_number"),
    ("Kohli's ODI runs in 2099", "no_data"),
    ("Kohli's ODI runs in 1975", "no_data"),
    ("IPL 2007 top wicket-takers", "no_data"),  # the IPL began in 2008
    ("Shubman Gill runs in IPL 2035", "no_data"),
    ("top 0 run scorers in ODIs", "invalid_number"),
    ("top -5 run scorers in ODIs", "invalid_number"),
    ("top 100000000000000000000 run scorers in ODIs", "invalid_number"),
    ("highest ODI average min 10000000000000000000 runs", "invalid_number"),
])
def test_hostile_numbers_get_a_clear_error(linker, question, kind):
    with pytest.raises(CannotAnswer) as refused:
        audit_numbers(linker.link(question), SPANS)
    assert refused.value.kind == kind


@pytest.mark.parametrize("question, note, number_values", [
    ("Kohli's ODI runs since 1800", "Read 'since 1800' as all the data", []),
    ("top 500 run scorers in ODIs", "Showing the top 100", ["100"]),
    ("Kohli's ODI runs between 2020 and 2010", "as 2010 to 2020", []),
    ("Root's Test hundreds from 2023 back to 2018", "as 2018 to 2023", []),
])
def test_numbers_read_differently_carry_a_note(linker, question, note, number_values):
    audited = audit_numbers(linker.link(question), SPANS)
    assert [n.kind for n in audited.notes] == ["interpreted"] and note in audited.notes[0].message
    assert [m.candidates[0].value for m in audited.linked.mentions if m.type == "number"] == number_values


@pytest.mark.parametrize("question, note", [
    ("highest ODI average in the last 5 years", 'Read "in the last 5 years" as since 2022 (whole calendar years), as of 6 Dec 2026.'),
    ("Joe Root's Test runs last year", 'Read "last year" as 2025, as of 6 Dec 2026.'),
])
def test_a_period_counted_back_from_today_is_said(linker, monkeypatch, question, note):
    monkeypatch.setattr("dsl.spans.today", lambda: date(2026, 12, 6))
    assert [n.message for n in audit_numbers(linker.link(question), SPANS).notes] == [note]


def test_a_year_from_today_that_the_data_has_not_reached_is_refused(linker, monkeypatch):
    monkeypatch.setattr("dsl.spans.today", lambda: date(2028, 2, 1))
    with pytest.raises(CannotAnswer) as refused:
        audit_numbers(linker.link("Joe Root's Test runs this year"), SPANS)
    assert refused.value.kind == "no_data" and "2028" in refused.value.message


def test_reversed_range_becomes_an_ordered_span(linker):
    audited = audit_numbers(linker.link("Kohli's ODI runs between 2020 and 2010"), SPANS)
    assert frame(audited.linked).filters["span"] == parse('batting between 2010 and 2020 runs'.replace(
        "between 2010 and 2020", "from 2010 to 2020")).span


def test_numbers_inside_the_data_pass_unchanged(linker):
    linked = linker.link("top 5 ODI run scorers since 2015, min 20 innings, with 2000 runs")
    assert audit_numbers(linked, SPANS).linked == linked


def test_the_other_result_answers_only_for_the_side_that_had_it(linker):
    """"In matches Pakistan won" is a defeat for Kohli's side; "in matches his side won" is not."""
    check_complete(parse('batting player "Virat Kohli" vs "Pakistan" lost runs'),
                   frame(linker.link("Kohli's runs in matches Pakistan won")))
    with pytest.raises(CannotAnswer):
        check_complete(parse('batting player "Shubman Gill" ipl lost runs'),
                       frame(linker.link("Shubman Gill's IPL runs in games his side won")))


def test_a_query_without_a_named_filter_is_refused(linker):
    question = frame(linker.link("Kohli's ODI runs against Australia at the MCG"))
    check_complete(parse(f'batting player "Virat Kohli" odi vs "Australia" at "{question.filters["ground"]}" runs'),
                   question)
    with pytest.raises(CannotAnswer) as refused:
        check_complete(parse('batting player "Virat Kohli" odi vs "Australia" runs'), question)
    assert "ground" in refused.value.part


@pytest.mark.parametrize("question, women", [
    ("Mithali Raj ODI runs", True),  # a women's player named without the word
    ("smriti mandhana's t20i strike rate", True),
    ("Virat Kohli ODI runs", False),
])
def test_a_named_womens_player_means_womens_cricket(linker, question, women):
    assert frame(linker.link(question)).filters.get("women", False) is women


@pytest.mark.parametrize("question, part", [
    ("Smriti Mandhana and Virat Kohli: runs in ODIs", "men's and women's players"),
    ("Jasprit Bumrah wickets against Meg Lanning", "men's and women's players"),
    ("Virat Kohli's runs in women's ODIs", "women's cricket"),
])
def test_a_question_mixing_mens_and_womens_cricket_is_refused(linker, question, part):
    with pytest.raises(CannotAnswer) as refused:
        refuse_mixed_genders(linker.link(question), linker.genders_played)
    assert refused.value.part == part


@pytest.mark.parametrize("question", [
    "Mithali Raj ODI runs", "Ellyse Perry wickets in women's ODIs", "Virat Kohli ODI runs against Australia",
    "Smriti Mandhana's T20I runs against Meg Lanning's Australia",
])
def test_one_kind_of_cricket_passes_the_gender_check(linker, question):
    refuse_mixed_genders(linker.link(question), linker.genders_played)


@pytest.mark.parametrize("question, unknown", [
    ("How many runs has Fakey McFakename scored in Tests", ("Fakey McFakename",)),
    ("runs scored by Joe Bloggs in the IPL", ("Joe Bloggs",)),
    ("Best economy in the IPL since 2020", ()),  # an everyday first word is no name
    ("Nat Sciver-Brunt runs in women's Tests", ()),  # the other part of a linked name
])
def test_name_like_words_that_match_no_name_are_kept(linker, question, unknown):
    assert linker.link(question).unknown_names == unknown


@pytest.mark.parametrize("question, dismissal", [
    ("which bowler bowled the most wides in ODIs", None),  # the verb
    ("dot balls bowled by Sunil Narine in IPL", None),
    ("How many times has Alastair Cook been bowled in Tests", "bowled"),  # the dismissal
    ("How many of Kuldeep Yadav's IPL wickets were stumpings?", "stumped"),
    ("the spells Mitchell Starc bowled in the 2015 World Cup", None),  # the bowler did it
    ("How many overs has Rashid Khan bowled in T20Is", None),
    ("was Marnus Labuschagne bowled more often than caught in Tests", "bowled"),
])
def test_dismissal_words_and_verbs(linker, question, dismissal):
    assert frame(linker.link(question)).filters.get("dismissal") == dismissal


def test_a_keyword_read_from_a_misspelling_is_said(linker):
    notes = spelling_notes(linker.link("Dean Elgar test centurys"))
    assert [(n.kind, n.message) for n in notes] == [("interpreted", 'Read "centurys" as "hundreds".')]
    assert spelling_notes(linker.link("Dean Elgar test hundreds")) == []
