"""The candidate stage without the model: for a question and its neighbours' shapes, the exact
candidate queries and their order (the first one is what askcric answers with no model at all).

Each case states a general rule of dsl/candidates.py; the shapes stand in for retrieved examples,
so the tests do not depend on the example index. Runs on the full stats database (names, roles).
"""

from __future__ import annotations

from datetime import date

import pytest

from dsl.candidates import candidates_for, extra_parts, frame, missing_parts
from dsl.link import Linker
from dsl.parser import parse
from dsl.printer import to_dsl
from dsl.spans import scan_patterns


@pytest.fixture(scope="module")
def stage(full_db):
    linker = Linker.from_engine(full_db)

    def run(question: str, shapes: list[str]) -> list[str]:
        return [to_dsl(q) for q in candidates_for(linker.link(question), [parse(s) for s in shapes], full_db).queries]

    return run


CASES = {
    "the question's values fill the nearest shape; a ranking filtered to one player is no candidate": (
        "Kohli's ODI average against Australia since 2015",
        ['batting player "Joe Root" test average', 'bowling player "James Anderson" test economy',
         'batting test top 10 runs'],
        ['batting player "Virat Kohli" odi vs "Australia" since 2015 average'],
    ),
    "a best-innings shape needs words asking for single innings": (
        "most sixes in the IPL since 2020",
        ['batting ipl best 10 sixes', 'batting ipl top 10 sixes'],
        ['batting ipl since 2020 top 10 sixes'],
    ),
    "a verb names the subject: sixes hit are batting": (
        "sixes hit by Rashid Khan in the IPL",
        ['bowling player "Jasprit Bumrah" ipl sixes', 'batting player "Virat Kohli" ipl sixes'],
        ['batting player "Rashid Khan" ipl sixes'],
    ),
    "a ranking word with no player named keeps only rankings, of the stat asked for": (
        "most wickets in the IPL in 2019",
        ['bowling player "Jasprit Bumrah" ipl wickets', 'bowling ipl top 10 wickets', 'batting ipl top 10 runs'],
        ['bowling ipl year 2019 top 10 wickets'],
    ),
    "a group word turns an aggregate into one figure per group": (
        "Steve Smith's Test runs by opposition",
        ['batting player "Joe Root" test runs', 'batting player "Joe Root" test by year runs'],
        ['batting player "Steve Smith" test by opposition runs'],
    ),
    "'highest' of a less-is-better stat is the bottom of its ranking; numbers become the qualification,"
    " and the qualification's word is not a stat asked for": (
        "highest economy in T20Is since 2020, min 300 balls",
        ['bowling t20i top 10 economy', 'bowling t20i top 10 wickets'],
        ['bowling t20i since 2020 bottom 10 economy min balls 300'],
    ),
    "a bowler's strike rate is his bowling one when no word says batting": (
        "Shoaib Akhtar's strike rate in ODIs",
        ['batting player "Joe Root" odi strike rate', 'bowling player "Dale Steyn" odi strike rate'],
        ['bowling player "Shoaib Akhtar" odi strike rate'],
    ),
    "two teams: the one after 'against' is the opposition, and both are used": (
        "India's ODI wins against Pakistan",
        ['team "England" odi matches', 'team "England" test wins'],
        ['team "India" odi vs "Pakistan" wins'],
    ),
    "for a team's results the result word is the stat": (
        "Tests New Zealand won in 2022",
        ['team "England" test matches', 'team "England" test list matches'],
        ['team "New Zealand" test year 2022 wins', 'team test vs "New Zealand" year 2022 wins'],
    ),
    "a list word turns a count into the innings themselves": (
        "list Joe Root's Test hundreds",
        ['batting player "Kane Williamson" test hundreds'],
        ['batting player "Joe Root" test list hundreds'],
    ),
    "'lowest totals' reverses a best-innings shape; a team named without a cue may be either side": (
        "lowest ODI totals by Ireland",
        ['team odi best 10 total', 'team "India" odi highest total'],
        ['team "Ireland" odi worst 10 total', 'team odi vs "Ireland" worst 10 total'],
    ),
    "a stat word re-types a neighbour of another subject": (
        "How many catches has Joe Root taken in Tests?",
        ['team "India" odi wins'],
        ['fielding player "Joe Root" test catches'],
    ),
    "a shape whose filter the subject cannot take is dropped, not answered without it": (
        "Bumrah's economy in the death overs in IPL",
        ['bowling player "Rashid Khan" ipl economy', 'fielding player "MS Dhoni" ipl catches'],
        ['bowling player "Jasprit Bumrah" ipl death overs economy'],
    ),
    "'last N innings' is recent form: a filter; the innings it counts are no stat": (
        "Kane Williamson's average in his last 8 Test innings",
        ['batting player "Joe Root" test average', 'batting player "Joe Root" test innings'],
        ['batting player "Kane Williamson" test last 8 average'],
    ),
    "'last N innings' alone asks to see them, most recent first": (
        "David Warner's previous six ODI knocks",
        ['batting player "Joe Root" odi runs', 'batting player "Joe Root" odi list hundreds'],
        ['batting player "David Warner" odi last 6 list innings'],
    ),
    "'in a single season' ranks (player, season) records, also from a plain figure's shape": (
        "most wickets in one IPL season",
        ['bowling player "Jasprit Bumrah" ipl wickets', 'bowling ipl top 10 wickets'],
        ['bowling ipl top 10 wickets per season'],
    ),
    "'in a calendar year' and 'in a single Test' are units too; a career ranking is incomplete": (
        "most runs by a batter in a single Test",
        ['batting test top 10 runs', 'batting test best 10 runs'],
        ['batting test top 10 runs per match'],
    ),
    "an ordinal over is a single over": (
        "wickets taken in the 20th over of T20Is",
        ['bowling t20i death overs wickets', 'bowling player "Jasprit Bumrah" t20i wickets'],
        ['bowling t20i over 20 wickets'],
    ),
    "a list of a condition (hundreds, wins) only when the question names it": (
        "India's last 5 ODIs",
        ['team "England" odi list draws', 'team "England" odi list matches'],
        ['team "India" odi last 5 list matches'],
    ),
    "'how many times N+' counts the innings with at least N runs": (
        "how often has Kane Williamson passed 50+ against England",
        ['batting player "Joe Root" vs "India" fifties', 'batting player "Joe Root" vs "India" runs'],
        ['batting player "Kane Williamson" vs "England" with runs 50+ innings'],
    ),
    "'N+ runs in a season' qualifies each season and shows everyone who has it": (
        "bowlers with 25+ wickets in one IPL season",
        ['bowling ipl top 10 wickets'],
        ['bowling ipl top 100 wickets per season min wickets 25'],
    ),
    "several stats listed together are shown side by side": (
        "Pat Cummins Test wickets, average and economy",
        ['bowling player "James Anderson" test wickets'],
        ['bowling player "Pat Cummins" test wickets average economy'],
    ),
    "a partnership is only what the question calls one; 'Nth-wicket' names the stand, not wickets": (
        "highest 5th-wicket stands in ODIs",
        ['batting odi best 10 runs', 'partnership test top 10 runs'],
        ['partnership odi wicket 5 best 10 runs'],
    ),
    "two batters of a partnership question are the pair, whoever is named first": (
        "Kohli and Rohit's partnership runs in ODIs",
        ['partnership player "Joe Root" test and "Ben Stokes" runs'],
        ['partnership player "Virat Kohli" odi and "Rohit Sharma" runs'],
    ),
    "a side's biggest wins are matches ranked by margin; a possessive names the side; defeats are losses": (
        "Sri Lanka's heaviest T20I defeats",
        ['team "India" t20i wins', 'team "India" t20i best 10 total'],
        ['team "Sri Lanka" t20i lost best 10 runs margin'],
    ),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_candidates(stage, rule):
    question, shapes, expected = CASES[rule]
    assert stage(question, shapes) == expected


@pytest.mark.parametrize("question, expected", [
    ("Nathan Lyon's caught dismissals in Tests", 'bowling player "Nathan Lyon" test out caught wickets'),
    ("lbw dismissals by Jimmy Anderson in Tests", 'bowling player "James Anderson" test out lbw wickets'),
    ("Adil Rashid stumped dismissals in ODIs", 'bowling player "Adil Rashid" odi out stumped wickets'),
    ("Trent Boult bowled dismissals in ODIs since 2019", 'bowling player "Trent Boult" odi since 2019 out bowled wickets'),
    ("Virat Kohli's lbw dismissals in ODIs", 'batting player "Virat Kohli" odi out lbw dismissals'),
    ("Kane Williamson bowled dismissals in Tests", 'batting player "Kane Williamson" test out bowled dismissals'),
])
def test_a_bowlers_dismissals_are_his_wickets(stage, question, expected):
    """ "Dismissals" asks for a bowler's wickets and a batter's times out: the named player's main
    role decides, even when the nearest shape is of the other subject."""
    assert stage(question, ['batting player "Joe Root" test out lbw dismissals'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Tabraiz Shamsi T20I wickets when South Africa won the toss",
     ['bowling player "Tabraiz Shamsi" for "South Africa" t20i toss won wickets']),
    ("Babar Azam T20I runs when Pakistan batted first", ['batting player "Babar Azam" for "Pakistan" t20i batting first runs']),
    ("Kagiso Rabada Test wickets England", ['bowling player "Kagiso Rabada" test vs "England" wickets']),
    # He played for Ireland and against them: both readings stay, for the model to choose.
    ("Eoin Morgan ODI runs Ireland", ['batting player "Eoin Morgan" odi vs "Ireland" runs',
                                      'batting player "Eoin Morgan" for "Ireland" odi runs']),
])
def test_a_side_is_read_as_the_player_played_it(stage, question, expected):
    shapes = ['bowling player "Jasprit Bumrah" t20i vs "Australia" wickets',
              'batting player "Virat Kohli" for "India" t20i runs']
    assert stage(question, shapes) == expected


def test_no_fitting_shape_gives_no_candidate(stage):
    """A team shape cannot hold the player a question names, and nothing is invented instead."""
    assert stage("Joe Root in Tests", ['team "India" odi wins']) == []


def test_a_name_of_two_players_that_no_candidate_resolves_is_asked_about(stage):
    from dsl.errors import AmbiguousName

    with pytest.raises(AmbiguousName):  # never left to generation, which would pick one silently
        stage("Rashid Khan economy", ['bowling player "Jasprit Bumrah" economy'])


@pytest.mark.parametrize("question, expected", [
    ("how many Test innings did Nathan Lyon end without a wicket", 'bowling player "Nathan Lyon" test without wickets innings'),
    ("number of wicketless ODI spells for Kuldeep Yadav", 'bowling player "Kuldeep Yadav" odi without wickets innings'),
    ("Mitchell Starc's ODI economy in wicketless games", 'bowling player "Mitchell Starc" odi without wickets economy'),
    ("Sunil Narine's IPL economy when he took no wickets", 'bowling player "Sunil Narine" ipl without wickets economy'),
    ("show Ashwin's wicketless Test innings", 'bowling player "Ravi Ashwin" test without wickets list innings'),
])
def test_wicketless_innings_are_listed_only_when_neither_counted_nor_summed_up(stage, question, expected):
    """"How many" counts the innings; a stat word ("economy") asks for one figure over them; with
    neither, the player's innings themselves are shown."""
    shapes = ['bowling player "Jasprit Bumrah" ipl without wickets list innings',
              'bowling player "Jasprit Bumrah" ipl without wickets innings', 'bowling player "Jasprit Bumrah" ipl economy']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most wickets between overs 11 and 15 in the IPL", 'bowling ipl overs 11-15 top 10 wickets'),
    ("Sunil Narine economy in overs 7-10 of IPL games", 'bowling player "Sunil Narine" ipl overs 7-10 economy'),
    ("most T20I sixes in overs 16 to 20 since 2022", 'batting t20i since 2022 overs 16-20 top 10 sixes'),
    ("Nathan Lyon wickets in innings 4 of Tests", 'bowling player "Nathan Lyon" test in innings 4 wickets'),
    ("Kane Williamson's Test average in innings no. 2", 'batting player "Kane Williamson" test in innings 2 average'),
    ("Ravindra Jadeja innings-3 wickets in Tests", 'bowling player "Ravindra Jadeja" test in innings 3 wickets'),
])
def test_both_ends_of_an_over_range_and_an_innings_number_are_filters(stage, question, expected):
    """"overs 11 and 15" is one range, not over 11 and a top 15; "innings 4" is the fourth innings."""
    shapes = ['bowling ipl overs 16-20 top 10 wickets', 'bowling player "Jasprit Bumrah" ipl overs 16-20 economy',
              'batting t20i overs 16-20 top 10 sixes', 'bowling player "Ravi Ashwin" test in innings 4 wickets',
              'batting player "Joe Root" test in innings 3 average']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("fastest T20I 150s", 'batting t20i fastest 10 to 150 runs by balls'),
    ("quickest men's ODI fifties, top 5", 'batting odi fastest 5 to 50 runs by balls'),
    ("quickest women's T20I hundreds", 'batting t20i women fastest 10 to 100 runs by balls'),
    ("Joe Root innings to 12,000 Test runs", 'batting player "Joe Root" test fastest 1 to 12000 runs by innings'),
    ("matches taken to 300 Test wickets by Ashwin", 'bowling player "Ravi Ashwin" test fastest 1 to 300 wickets by matches'),
    ("fewest innings to 10,000 ODI runs", 'batting odi fastest 10 to 10000 runs by innings'),
])
def test_how_fast_a_score_was_reached(stage, question, expected):
    """Plural scores ("150s", "hundreds") rank ten unless a number says otherwise; "innings to N
    runs" is a career milestone; a number with a thousands separator is the target."""
    shapes = ['batting odi fastest 10 to 100 runs by balls', 'batting player "Steve Smith" test fastest 1 to 5000 runs by innings']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most times run out in ODIs", 'batting odi out run out top 10 dismissals'),
    ("who has been stumped the most times in T20Is", 'batting t20i out stumped top 10 dismissals'),
    ("batters caught the most times in the IPL since 2020", 'batting ipl since 2020 out caught top 10 dismissals'),
    ("fewest times dismissed in Tests, min 40 innings", 'batting test bottom 10 dismissals min innings 40'),
])
def test_most_times_out_ranks_dismissals(stage, question, expected):
    """"Most times out" counts dismissals; "min 40 innings" names the qualification, not the stat."""
    assert stage(question, ['batting test top 10 runs', 'batting player "Joe Root" test out lbw dismissals'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("New Zealand's ODI record at home since 2015: played, won, lost",
     'team "New Zealand" odi home since 2015 matches wins losses'),
    ("England's T20I record in 2022: matches, won, lost", 'team "England" t20i year 2022 matches wins losses'),
    ("How many ODIs did Scotland play in 2023?", 'team "Scotland" odi year 2023 matches'),
    ("number of T20Is Netherlands have played", 'team "Netherlands" t20i matches'),
    ("Tests Bangladesh lost at home since 2015", 'team "Bangladesh" test home since 2015 losses'),
    ("how many drawn Tests has Sri Lanka played at home", 'team "Sri Lanka" test home draws'),
    ("Which ODIs did England lose at home since 2019?", 'team "England" odi home since 2019 list losses'),
    ("how many Tests did Australia lose in 2018", 'team "Australia" test year 2018 losses'),
    ("How many tied matches have Kolkata Knight Riders played in the IPL?", 'team "Kolkata Knight Riders" ipl ties'),
])
def test_a_sides_results_named_together_are_its_record(stage, question, expected):
    """"Played" asks for matches; result words listed side by side are stats, not a filter."""
    assert stage(question, ['team "India" test wins', 'team "India" test matches wins'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Sri Lanka's record against Bangladesh", 'team "Sri Lanka" vs "Bangladesh" matches wins losses draws ties'),
    ("West Indies v Zimbabwe head to head in ODIs", 'team "West Indies" odi vs "Zimbabwe" matches wins losses ties'),
    ("ireland vs scotland h2h since 2018", 'team "Ireland" vs "Scotland" since 2018 matches wins losses draws ties'),
])
def test_a_sides_record_or_head_to_head_is_its_results(stage, question, expected):
    assert stage(question, ['team "India" test wins', 'team "India" test matches wins'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Joe Root's runs in Tests played in India", 'batting player "Joe Root" test in "India" runs'),
    ("highest individual aggregates in one Test played in England", 'batting test in "England" top 10 runs per match'),
])
def test_played_that_describes_the_matches_asks_for_no_count_of_them(stage, question, expected):
    shapes = ['team "India" test matches', 'batting player "Virat Kohli" test runs', 'batting test top 10 runs per match']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Babar Azam's back-to-back T20I fifties", 'batting player "Babar Azam" t20i longest 1 streak with runs 50+'),
    ("most back-to-back five-fors in Tests", 'bowling test longest 10 streak with wickets 5+'),
])
def test_back_to_back_scores_are_a_streak(stage, question, expected):
    assert stage(question, ['batting player "Joe Root" test longest 1 streak with runs 50+'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("which batter has scored the most ODI runs against one country", 'batting odi top 10 runs per opposition'),
    ("best T20I strike rate vs a single team, at least 300 runs", 'batting t20i top 10 strike rate per opposition min runs 300'),
    ("which bowler has taken the most Test wickets against a single opposition", 'bowling test top 10 wickets per opposition'),
    ("which batters has Stuart Broad dismissed most in Tests", 'bowling player "Stuart Broad" test by batter wickets'),
])
def test_the_unit_of_a_record_names_no_subject_and_which_batter_alone_is_a_ranking(stage, question, expected):
    """"Against one country" is the record's unit, not a team query; "which batter(s)" groups by the
    batters faced only when a bowler is named."""
    shapes = ['batting test top 10 runs', 'bowling player "James Anderson" test by batter wickets', 'team test top 10 wins']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most sixes in an ODI innings for Australia", 'batting for "Australia" odi best 10 sixes'),
    ("most fours in a Test innings since 2015", 'batting test since 2015 best 10 fours'),
    ("most sixes in a T20I", 'batting t20i top 10 sixes per match'),  # the match, both innings
])
def test_a_formats_innings_is_a_single_innings_not_a_match(stage, question, expected):
    shapes = ['batting ipl best 10 sixes', 'batting odi top 10 sixes per match']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Kagiso Rabada Test wickets country-wise", 'bowling player "Kagiso Rabada" test by country wickets'),
    ("Shikhar Dhawan's IPL runs for each of his franchises", 'batting player "Shikhar Dhawan" ipl by team runs'),
    ("Mitchell Starc ODI wickets stadium-wise", 'bowling player "Mitchell Starc" odi by ground wickets'),
    ("Usman Khawaja Test average for every one of his opponents",
     'batting player "Usman Khawaja" test by opposition average'),
    ("How did Trent Boult take his Test wickets? by type", 'bowling player "Trent Boult" test by dismissal wickets'),
    ("Piyush Chawla IPL wickets by team", 'bowling player "Piyush Chawla" ipl by team wickets'),
    ("Kuldeep Yadav's ODI wickets against each side", 'bowling player "Kuldeep Yadav" odi by opposition wickets'),
    ("Asia Cup wins by team", 'team event "Asia Cup" top 10 wins'),  # the sides ranked
])
def test_every_wording_of_a_group_noun_asks_for_the_groups(stage, question, expected):
    """"Ground-wise", "for each of his grounds": any group noun in these forms asks for one figure
    per group, and the noun ("franchises") names no team of its own."""
    shapes = ['batting player "Joe Root" test runs', 'bowling player "James Anderson" test wickets',
              'team "India" odi wins']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Washington Sundar's T20I strike rate", 'batting player "Washington Sundar" t20i strike rate'),
    ("Sam Curran IPL average", 'batting player "Sam Curran" ipl average'),
    ("Adil Rashid's ODI average", 'bowling player "Adil Rashid" odi average'),  # a bowler who bats
    ("Ben Stokes's Test strike rate with the ball", 'bowling player "Ben Stokes" test strike rate'),
])
def test_an_all_rounders_figure_is_his_batting_unless_said(stage, question, expected):
    shapes = ['batting player "Joe Root" test average', 'bowling player "James Anderson" test strike rate']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("list every innings Kuldeep Yadav bowled in ODIs", 'bowling player "Kuldeep Yadav" odi list innings'),
    ("How many wides has Jofra Archer bowled in ODIs", 'bowling player "Jofra Archer" odi wides'),
    ("how many times was Joe Root bowled in Tests", 'batting player "Joe Root" test out bowled dismissals'),
    ("Shai Hope bowled dismissals in ODIs", 'batting player "Shai Hope" odi out bowled dismissals'),
    ("Deliveries sent down by Shane Warne in Tests", 'bowling player "Shane Warne" test balls'),
    ("Nathan Lyon's lbw victims in Tests", 'bowling player "Nathan Lyon" test out lbw wickets'),
])
def test_bowled_after_the_bowler_is_the_verb_and_after_the_batter_how_he_was_out(stage, question, expected):
    shapes = ['bowling player "James Anderson" test wickets', 'batting player "Joe Root" test out lbw dismissals',
              'bowling player "Jasprit Bumrah" odi list innings']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("highest successful run chases in T20Is", 'team t20i won chasing best 10 total'),
    ("lowest totals defended in the IPL", 'team ipl won batting first worst 10 total'),
    ("top 5 match hauls in ODIs", 'bowling odi top 5 wickets per match'),
    ("biggest wicket haul in a single IPL season", 'bowling ipl top 10 wickets per season'),
    ("most runs in an Ashes series", 'batting test event "Ashes" top 10 runs per season'),
    ("longest streak of 30+ scores in T20Is", 'batting t20i longest 10 streak with runs 30+'),
])
def test_a_records_words_say_which_innings_and_unit(stage, question, expected):
    """A successful chase is a won chase and a total defended a won match batting first; a haul is
    wickets; an Ashes series is its season; "streak" is a word, not the player Streak."""
    shapes = ['team odi best 10 total', 'batting ipl top 10 runs', 'bowling ipl top 10 wickets']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("hat-tricks in the 2019 World Cup", 'bowling odi year 2019 event "World Cup" list hat-tricks'),
    ("ducks in IPL finals", 'batting ipl final list ducks'),
    ("five-fors on Test debut at Lord's", 'bowling test at "Lord\'s" debut list five-fors'),
    ("how many hundreds were scored in the 2023 World Cup", 'batting odi year 2023 event "World Cup" hundreds'),
    ("total hat-tricks in T20Is", 'bowling t20i hat-tricks'),
    ("Kane Williamson Test hundreds", 'batting player "Kane Williamson" test hundreds'),  # a player's: counted
])
def test_hundreds_or_hat_tricks_of_no_one_named_are_listed_unless_counted(stage, question, expected):
    shapes = ['batting player "Joe Root" test hundreds', 'batting test hundreds', 'bowling test hat-tricks']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("hundreds by Pakistan batters in T20Is", 'batting for "Pakistan" t20i hundreds'),
    ("ODI wickets by New Zealand spinners since 2020", 'bowling for "New Zealand" odi since 2020 wickets'),
    ("ODI wickets against New Zealand since 2020", 'bowling odi vs "New Zealand" since 2020 wickets'),
])
def test_a_side_before_its_players_is_their_team(stage, question, expected):
    shapes = ['batting player "Joe Root" test hundreds', 'bowling player "James Anderson" test wickets']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("England's Test record at Lord's", 'team "England" test at "Lord\'s" matches wins losses draws'),
    ("Sri Lanka's ODI record in Asia Cup finals",
     'team "Sri Lanka" odi event "Asia Cup" final matches wins losses ties'),
    ("netherlands odi wins losses ties", 'team "Netherlands" odi wins losses ties'),
    ("Travis Head Test matches, runs and average", 'batting player "Travis Head" test matches runs average'),
    ("Cheteshwar Pujara's Test matches at Lord's", 'batting player "Cheteshwar Pujara" test at "Lord\'s" matches'),
    ("Shubman Gill's average in Test matches", 'batting player "Shubman Gill" test average'),
    ("the record for most sixes in the IPL", 'batting ipl top 10 sixes'),
])
def test_a_sides_record_and_stats_listed_with_spaces_or_a_formats_matches(stage, question, expected):
    shapes = ['team "India" odi wins', 'team "India" odi wins losses', 'batting player "Joe Root" test runs average',
              'batting player "Joe Root" test runs', 'batting ipl top 10 runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Sri Lanka T20 World Cup knockout wins", 'team "Sri Lanka" t20i event "T20 World Cup" knockouts list wins'),
    ("England's ODI World Cup finals", 'team "England" odi event "World Cup" final list matches'),
    ("How many IPL finals have Chennai Super Kings lost", 'team "Chennai Super Kings" ipl final losses'),
    ("Sunrisers Hyderabad highest IPL totals", 'team "Sunrisers Hyderabad" ipl best 10 total'),
    ("Australia's highest T20I total", 'team "Australia" t20i highest total'),
])
def test_a_sides_knockout_results_and_totals_are_the_matches_themselves(stage, question, expected):
    """A side's finals (knockout wins, defeats) are few and shown unless counted; its "highest
    totals" are its single innings, while its "highest total" is one figure."""
    shapes = ['team "India" odi wins', 'team "India" odi highest total', 'team odi best 10 total']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("All of Jemimah Rodrigues's women's T20I fifties", 'batting player "JI Rodrigues" t20i women list fifties'),
    ("Jemimah Rodrigues's women's T20I fifties", 'batting player "JI Rodrigues" t20i women fifties'),
])
def test_all_of_a_players_fifties_lists_them(stage, question, expected):
    assert stage(question, ['batting player "Joe Root" test hundreds'])[0] == expected


@pytest.mark.parametrize("question, shapes, expected", [
    ("Shikhar Dhawan's ODI batting partners ranked by average, at least 10 partnerships",
     ['partnership player "Joe Root" test average', 'partnership player "Joe Root" test top 10 runs'],
     'partnership player "Shikhar Dhawan" odi top 10 average min partnerships 10'),  # a minimum ranks
    ("Kane Williamson's best partners in Tests",
     ['partnership player "Joe Root" test top 10 average'], 'partnership player "Kane Williamson" test top 10 runs'),
    ("top bowlers in the IPL in 2021", ['bowling ipl top 10 economy'], 'bowling ipl year 2021 top 10 wickets'),
    ("most sixes struck in the last over of a T20I innings", ['batting t20i top 10 runs'],
     'batting t20i over 20 top 10 sixes'),  # "an innings" is where, not a count
    ("Jos Buttler and Jason Roy ODI stands: runs, average", ['partnership player "Joe Root" odi and "Ben Stokes" runs'],
     'partnership player "Jos Buttler" odi and "Jason Roy" runs average'),  # the list after the colon
])
def test_a_rankings_stat_and_the_stats_listed_are_read_as_asked(stage, question, shapes, expected):
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("How many times has Dean Elgar crossed a hundred in Tests", 'batting player "Dean Elgar" test with runs 100+ innings'),
    ("How many times has Shai Hope passed fifty in ODIs", 'batting player "Shai Hope" odi with runs 50+ innings'),
    ("Shai Hope's ODI fifties", 'batting player "Shai Hope" odi fifties'),
    ("What did Rachin Ravindra score on Test debut?", 'batting player "Rachin Ravindra" test debut runs'),
    ("Who has Ravichandran Ashwin dismissed most often in Tests?",
     'bowling player "Ravi Ashwin" test by batter wickets'),
    ("How many runs have Quinton de Kock and Temba Bavuma put on together in ODIs?",
     'partnership player "Quinton de Kock" odi and "Temba Bavuma" runs'),
    ("How many times has Axar Patel dismissed Joe Root?", 'batting player "Joe Root" bowler "Axar Patel" dismissals'),
])
def test_what_a_verb_asks_for(stage, question, expected):
    """ "Passed fifty" counts the innings of 50 or more; "what did he score" asks for runs; "who has
    the bowler dismissed" groups by batter; two batters' runs "put on together" are their stands;
    "A dismissed B" names the bowler first, an all-rounder too."""
    shapes = ['batting player "Joe Root" test hundreds', 'bowling player "James Anderson" test wickets',
              'batting player "Virat Kohli" test bowler "James Anderson" dismissals',
              'batting player "Joe Root" test debut list innings', 'partnership player "Joe Root" test and "Ben Stokes" runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("who got to 2000 odi runs in the fewest innings", 'batting odi fastest 10 to 2000 runs by innings'),
    ("fewest matches to 2000 Test runs since 2010", 'batting test since 2010 fastest 10 to 2000 runs by matches'),
    ("quickest to 2000 runs in 2019", 'batting year 2019 fastest 10 to 2000 runs by innings'),
])
def test_a_milestone_that_looks_like_a_year_is_the_milestone(stage, question, expected):
    shapes = ['batting test fastest 10 to 5000 runs by innings', 'batting odi top 10 runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("in which odi innings did Shai Hope score 120 or more",
     'batting player "Shai Hope" odi with runs 120+ list innings'),
    ("list Travis Head's innings of 150 or above in Tests", 'batting player "Travis Head" test with runs 150+ list innings'),
    ("how many 150-run innings has Dimuth Karunaratne played",
     'batting player "Dimuth Karunaratne" with runs 150+ innings'),
    ("list all of Kane Williamson's 200-run partnerships in tests",
     'partnership player "Kane Williamson" test with runs 200+ list partnerships'),
    ("how many 150-run stands have Rohit Sharma and Shikhar Dhawan put on",
     'partnership player "Rohit Sharma" with runs 150+ and "Shikhar Dhawan" partnerships'),
])
def test_a_score_each_innings_or_stand_must_reach_is_a_threshold(stage, question, expected):
    shapes = ['batting player "Joe Root" test list innings', 'batting player "Joe Root" test innings',
              'partnership player "Joe Root" test list partnerships', 'partnership player "Joe Root" and "Ben Stokes" runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("How many ODI wickets has Mitchell Santner taken in matches New Zealand went on to win?",
     'bowling player "Mitchell Santner" for "New Zealand" odi won wickets'),
    ("Who are the three slowest-scoring T20I openers, with at least 500 balls faced?",
     'batting t20i position 1-2 bottom 3 strike rate min balls 500'),
    ("Which number-four batters have the best ODI averages, minimum 20 innings?",
     'batting odi position 4 top 10 average min innings 20'),
    ("During the 2023 calendar year, who scored the most T20I runs?", 'batting t20i year 2023 top 10 runs'),
    ("Which Test sides have the poorest win percentage since 2010?", 'team test since 2010 bottom 10 win %'),
    ("Since 2018, which batters have the highest strike rate batting first in T20Is (minimum 800 balls)?",
     'batting t20i since 2018 batting first top 10 strike rate min balls 800'),
])
def test_results_counts_positions_and_qualifications_in_other_words(stage, question, expected):
    """"Went on to win" is a result; a count or position may be written as a word; a year's
    "calendar year" is that year; "poorest" ranks; a minimum no innings could reach ranks careers."""
    shapes = ['bowling player "Tim Southee" odi wickets', 'batting odi top 10 runs', 'batting odi best 10 strike rate',
              'team odi top 10 win %', 'batting odi top 10 strike rate min balls 1000']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Which side has won more ODIs, Netherlands or Scotland?", 'team "Netherlands" or "Scotland" odi wins'),
    ("Which bowler has more Test five-fors, Kagiso Rabada or Pat Cummins?",
     'bowling player "Kagiso Rabada" or "Pat Cummins" test five-fors'),
    ("Shakib Al Hasan or Mehidy Hasan Miraz: who has more ODI wickets, and at what economy?",
     'bowling player "Shakib Al Hasan" or "Mehedi Hasan Miraz" odi wickets economy'),
])
def test_which_of_two_has_more_compares_them(stage, question, expected):
    """"Which side (bowler) has more, A or B" lists nothing and groups nothing: it compares the two;
    a stat asked after the others ("and at what economy") is shown with them."""
    shapes = ['team "India" or "Australia" odi wins', 'bowling player "Trent Boult" or "Tim Southee" test wickets']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("longest streaks of consecutive ODI innings with two or more wickets", 'bowling odi longest 10 streak with wickets 2+'),
    ("Meg Lanning's longest run of double-figure scores in women's ODIs",
     'batting player "Meg Lanning" odi women longest 1 streak with runs 10+'),
    ("List the T20I innings in which Wanindu Hasaranga took three or more wickets",
     'bowling player "Wanindu Hasaranga" t20i with wickets 3+ list innings'),
])
def test_a_threshold_written_in_words(stage, question, expected):
    shapes = ['bowling test longest 10 streak with wickets 5+', 'bowling player "Nathan Lyon" test list innings']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("In ODIs played in India, give Adam Zampa's innings, wickets and economy",
     'bowling player "Adam Zampa" odi in "India" innings wickets economy'),
    ("runs scored off Trent Boult in T20Is", 'bowling player "Trent Boult" t20i runs'),
    ("most sixes hit off Yuzvendra Chahal in the IPL", 'bowling player "Yuzvendra Chahal" ipl by batter sixes'),
    ("how many runs has Jos Buttler scored off Adil Rashid", 'batting player "Jos Buttler" bowler "Adil Rashid" runs'),
])
def test_played_in_a_place_and_runs_scored_off_a_bowler(stage, question, expected):
    """"Tests played in" names where, not matches asked for; the player after "off" is the bowler,
    and before "scored off", the batter."""
    shapes = ['bowling player "Nathan Lyon" test innings wickets maidens', 'batting player "Joe Root" test runs',
              'bowling player "Nathan Lyon" test runs', 'batting player "Joe Root" test bowler "Nathan Lyon" runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Smriti Mandhana total runs in women's internationals",
     'batting player "S Mandhana" international women runs'),
    ("most wickets in successful t20i chases", 'bowling t20i won chasing top 10 wickets'),
    ("how many dismissals has Quinton de Kock made behind the stumps in ODIs",
     'fielding player "Quinton de Kock" odi dismissals'),
    ("scotland odi matches wins and losses", 'team "Scotland" odi matches wins losses'),
    ("when Sri Lanka lose the toss in an ODI, how many times do they win?", 'team "Sri Lanka" odi toss lost wins'),
])
def test_totals_chases_keepers_and_counts_in_other_words(stage, question, expected):
    """"Total runs" are runs; a format inside "successful chases" is still the format, and the
    chases a filter; "behind the stumps" is fielding; a format's matches next to other stats are
    one of them; "how many times" counts, with no record per match."""
    shapes = ['batting player "Joe Root" test runs', 'bowling odi top 10 wickets', 'team odi won chasing best 10 total',
              'fielding player "MS Dhoni" odi stumpings', 'team "India" odi matches wins', 'team "India" test toss won wins']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("query, extra", [
    ('batting player "Tom Latham" test bowler "Tom Latham" average', ["Tom Latham twice"]),
    ('batting player "Tom Latham" test by team hundreds', ["by team"]),
    ('batting player "Tom Latham" test vs "India" average', ["India"]),
    ('batting player "Tom Latham" test average', []),
])
def test_a_query_that_adds_to_the_question_is_seen(full_db, query, extra):
    """A model's own query may name someone twice or group by what was not asked: another question."""
    question = frame(Linker.from_engine(full_db).link("Tom Latham's Test average"))
    assert extra_parts(parse(query), question) == extra


@pytest.mark.parametrize("question, expected", [
    # a minimum that only a career reaches, with a format word between the number and its noun
    ("which bowlers have 250+ ODI wickets", 'bowling odi top 100 wickets min wickets 250'),
    ("show me every batter with at least 6000 Test runs", 'batting test top 100 runs min runs 6000'),
    ("list the keepers with 150 or more T20I matches", 'fielding t20i top 100 matches min matches 150'),
    # ranked by another stat, the qualification keeps the ranking to its top ones
    ("lowest economy in ODIs among bowlers with 120 or more wickets", 'bowling odi top 10 economy min wickets 120'),
    ("of batters with 3000+ T20I runs, who strikes fastest", 'batting t20i top 10 strike rate min runs 3000'),
    ("best IPL average for batters with a minimum of 60 innings", 'batting ipl top 10 average min innings 60'),
    # "with 40+ innings" counts the innings played; "the most 50+ innings" counts big scores
    ("highest ODI batting average of players with 40+ innings", 'batting odi top 10 average min innings 40'),
    ("who has the most 50+ innings in T20Is", 'batting t20i with runs 50+ top 10 innings'),
    ("which of Babar Azam's ODI innings had 120+ runs", 'batting player "Babar Azam" odi with runs 120+ list innings'),
])
def test_a_qualification_names_who_counts_and_a_ranking_still_shows_its_top(stage, question, expected):
    shapes = ['bowling test top 10 wickets', 'batting odi list hundreds', 'batting player "Joe Root" test list innings',
              'batting test top 10 average min innings 20', 'fielding odi top 10 catches']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question", [
    "Jadeja's bowling average when batting with Pant",
    "Starc's economy when bowling alongside Cummins in ODIs",
    "Williamson's Test average in the same side as Taylor",
])
def test_a_partner_is_never_read_as_the_opponent(stage, question):
    shapes = ['batting player "Virat Kohli" bowler "James Anderson" average',
              'bowling player "Jasprit Bumrah" batter "Steve Smith" economy', 'batting player "Joe Root" test average']
    assert not [dsl for dsl in stage(question, shapes) if " bowler " in dsl or " batter " in dsl or " or " in dsl]


def test_a_bowler_bowling_in_a_clause_is_the_bowler_not_a_dismissal(stage):
    shapes = ['batting player "Virat Kohli" bowler "James Anderson" runs']
    assert stage("Root's runs against India while Bumrah bowled", shapes)[0] == \
        'batting player "Joe Root" vs "India" bowler "Jasprit Bumrah" runs'


@pytest.mark.parametrize("question, expected", [
    ("warner khawaja test partnership runs", 'partnership player "David Warner" test and "Usman Khawaja" runs'),
    ("Phil Salt T20I runs", 'batting player "Philip Salt" t20i runs'),
])
def test_two_surnames_side_by_side_are_two_players_and_a_first_name_is_one(stage, question, expected):
    shapes = ['partnership player "Virat Kohli" odi and "Rohit Sharma" runs', 'batting player "Joe Root" test runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("sri lanka vs bangladesh odi results", 'team "Sri Lanka" odi vs "Bangladesh" matches wins losses ties'),
    ("Australia's Test results in England since 2015", 'team "Australia" test in "England" since 2015 matches wins losses draws'),
    ("England's last 5 T20I results", 'team "England" t20i last 5 list matches'),
])
def test_a_sides_results_are_its_record_unless_few_enough_to_list(stage, question, expected):
    shapes = ['team "India" odi wins', 'team "India" odi list matches']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most double hundreds in Tests", 'batting test with runs 200+ top 10 innings'),
    ("how many triple centuries has David Warner made", 'batting player "David Warner" with runs 300+ innings'),
])
def test_double_and_triple_hundreds_are_innings_of_200_and_300(stage, question, expected):
    shapes = ['batting test top 10 hundreds', 'batting player "Joe Root" test hundreds']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("With whom has Shikhar Dhawan added the most ODI partnership runs?",
     'partnership player "Shikhar Dhawan" odi top 10 runs'),
    ("who did Usman Khawaja share the most Test stand runs with", 'partnership player "Usman Khawaja" test top 10 runs'),
])
def test_the_partners_of_one_named_batter_are_ranked(stage, question, expected):
    shapes = ['partnership player "Virat Kohli" odi runs', 'partnership player "Virat Kohli" odi top 10 runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most fours in a single ODI innings", 'batting odi best 10 fours'),
    ("who hit the most sixes in one T20I innings", 'batting t20i best 10 sixes'),
])
def test_a_single_innings_is_ranked_as_single_innings(stage, question, expected):
    assert stage(question, ['batting odi top 10 fours', 'batting t20i top 10 sixes'])[0] == expected


@pytest.mark.parametrize("question, query", [
    # balls are no single-innings stat yet: a career's balls answer another question
    ("who has bowled the most balls in a single Test innings", 'bowling test top 10 balls'),
    # a target to chase is no count of rows
    ("Which batters have the most ODI runs in chases of 250 or more?", 'batting odi chasing top 250 runs'),
])
def test_a_reading_that_drops_a_single_innings_or_misreads_a_number_misses_a_part(full_db, question, query):
    assert missing_parts(parse(query), frame(Linker.from_engine(full_db).link(question)))


@pytest.mark.parametrize("question, expected", [
    ("cummins v root tests", 'batting player "Joe Root" test bowler "Pat Cummins" runs'),
    ("bumrah v warner ipl", 'batting player "David Warner" ipl bowler "Jasprit Bumrah" runs'),
    ("root v cummins tests", 'batting player "Joe Root" test bowler "Pat Cummins" runs'),
])
def test_of_a_bowler_and_a_batter_named_either_way_round_the_batter_faces_the_bowler(stage, question, expected):
    shapes = ['batting player "Virat Kohli" test bowler "James Anderson" runs', 'fielding player "Joe Root" test matches']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("rahul avg at 4-6 odis", 'batting player "KL Rahul" odi position 4-6 average'),
    ("Hardik Pandya's strike rate batting 5 to 7 in ODIs", 'batting player "Hardik Pandya" odi position 5-7 strike rate'),
    ("most runs batting at 3 in odis", 'batting odi position 3 top 10 runs'),
])
def test_a_batting_position_range_keeps_both_ends(stage, question, expected):
    shapes = ['batting player "Joe Root" test position 4 average', 'batting test position 4 top 10 runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Who has scored a hundred on Test debut since 2015?", 'batting test since 2015 debut list hundreds'),
    ("who has taken a five-for at Lord's in Tests since 2015", 'bowling test at "Lord\'s" since 2015 list five-fors'),
    ("who has taken a hat-trick in the IPL", 'bowling ipl list hat-tricks'),
    ("who has scored the most hundreds in World Cup finals", 'batting odi event "World Cup" final top 10 hundreds'),
])
def test_who_did_it_once_lists_them_and_who_did_it_most_ranks(stage, question, expected):
    shapes = ['batting test top 10 hundreds', 'bowling ipl top 10 hat-tricks', 'bowling test top 10 five-fors']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Rashid Khan's IPL bowling innings in 2024", 'bowling player "Rashid Khan" ipl year 2024 list innings'),
    ("Kohli's Test innings at Lord's", 'batting player "Virat Kohli" test at "Lord\'s" list innings'),
    ("how many innings has Kohli played at Lord's", 'batting player "Virat Kohli" at "Lord\'s" innings'),
    ("Kohli's average in his last 10 innings", 'batting player "Virat Kohli" last 10 average'),
])
def test_a_players_innings_are_listed_unless_counted_or_summed_up(stage, question, expected):
    shapes = ['batting player "Joe Root" test innings', 'bowling player "Jasprit Bumrah" ipl innings',
              'batting player "Joe Root" test last 5 average']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("What's the average first-innings score at the Wankhede in the IPL?",
     'team ipl at "Wankhede Stadium" in innings 1 average total'),
    ("average score batting first at Eden Gardens in IPL", 'team ipl at "Eden Gardens" batting first average total'),
    ("Kohli's average score in finals", 'batting player "Virat Kohli" final average'),
])
def test_an_average_score_with_no_one_named_is_a_sides_average_total(stage, question, expected):
    shapes = ['batting player "Joe Root" test average', 'batting ipl at "Eden Gardens" average']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("today, question, expected", [
    # Asked in December, a period of N years is the N calendar years up to this one.
    ((2026, 12, 6), "highest odi average in the last 5 years", 'batting odi since 2022 top 10 average'),
    ((2026, 12, 6), "best last 5 years odi average", 'batting odi since 2022 top 10 average'),
    ((2026, 12, 6), "Kane Williamson's Test runs over the past three years",
     'batting player "Kane Williamson" test since 2024 runs'),
    ((2026, 12, 6), "most T20I sixes during the last decade", 'batting t20i since 2017 top 10 sixes'),
    ((2026, 12, 6), "Pat Cummins test wickets in the past year", 'bowling player "Pat Cummins" test since 2026 wickets'),
    # Asked in January, it starts a year earlier: the nearest 1 January to the date N years ago.
    ((2027, 1, 5), "highest odi average in the last 5 years", 'batting odi since 2022 top 10 average'),
    ((2027, 1, 5), "Pat Cummins test wickets within the last 2 years",
     'bowling player "Pat Cummins" test since 2025 wickets'),
    # A calendar year named from today.
    ((2026, 12, 6), "most test wickets last year", 'bowling test year 2025 top 10 wickets'),
    ((2026, 12, 6), "Joe Root's Test runs this year", 'batting player "Joe Root" test year 2026 runs'),
    ((2026, 12, 6), "Shubman Gill ODI average since last year", 'batting player "Shubman Gill" odi since 2025 average'),
    ((2026, 12, 6), "most ODI runs in the previous calendar year", 'batting odi year 2025 top 10 runs'),
])
def test_a_period_counted_back_from_today_is_whole_calendar_years(stage, monkeypatch, today, question, expected):
    monkeypatch.setattr("dsl.spans.today", lambda: date(*today))
    shapes = ['batting player "Joe Root" test since 2015 runs', 'bowling player "Nathan Lyon" test year 2019 wickets',
              'batting odi top 10 average', 'bowling test top 10 wickets', 'batting t20i top 10 sixes',
              'batting odi top 10 runs', 'batting player "Virat Kohli" odi average']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question", [
    "how England's batters fared in the last innings",  # the last innings of a match, no period
    "the last years of Sachin Tendulkar's Test career",  # no number of years
    "Sachin Tendulkar's runs in the last year of his career",  # his last year, not counted from today
])
def test_last_without_a_number_of_years_names_no_period(question):
    assert not [h for h in scan_patterns(question)[0] if h.type == "year"]


@pytest.mark.parametrize("question", ["cummins test debut figures", "Jasprit Bumrah's figures at the MCG",
                                      "Root's scores in Ashes Tests"])
def test_no_reading_runs_from_the_bottom_unless_asked(stage, question):
    shapes = ['bowling test debut best 10 figures', 'batting test best 10 runs', 'bowling player "Nathan Lyon" test wickets',
              'batting player "Joe Root" test average']
    found = stage(question, shapes)
    assert found and not [q for q in found if " worst " in q or " bottom " in q]


@pytest.mark.parametrize("question, expected", [
    ("highest successful odi chase", 'team odi won chasing best 10 total'),
    ("What are the biggest successful run chases in T20Is?", 'team t20i won chasing best 10 total'),
    ("the record chase in Tests", 'team test chasing best 10 total'),
    ("India's highest successful chases in ODIs", 'team "India" odi won chasing best 10 total'),
    ("most runs in successful chases in ODIs", 'batting odi won chasing top 10 runs'),  # a career's runs
])
def test_the_size_of_a_chase_is_the_chasing_sides_total(stage, question, expected):
    shapes = ['team odi best 10 total', 'batting odi top 10 runs', 'team "India" odi chasing wins',
              'batting player "Virat Kohli" odi chasing average']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("what percentage of balls does Travis Head hit to the boundary in T20Is",
     'batting player "Travis Head" t20i boundary %'),
    ("the share of deliveries faced by Jos Buttler that went for four or six in ODIs",
     'batting player "Jos Buttler" odi boundary %'),
    ("percentage of balls Bumrah bowls that are dots in T20Is", 'bowling player "Jasprit Bumrah" t20i dot-ball %'),
    ("what proportion of his deliveries were dot balls, Mitchell Starc in ODIs",
     'bowling player "Mitchell Starc" odi dot-ball %'),
    ("how many balls has Travis Head faced in T20Is", 'batting player "Travis Head" t20i balls'),
])
def test_a_share_of_balls_is_the_percentage_stat(stage, question, expected):
    shapes = ['batting player "Joe Root" test balls', 'bowling player "Nathan Lyon" test dots',
              'batting player "Virat Kohli" odi strike rate']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("sa avg 1st inns total tests", 'team "South Africa" test in innings 1 average total'),
    ("india avg total in odis", 'team "India" odi average total'),
])
def test_an_abbreviated_average_total(stage, question, expected):
    assert stage(question, ['team "Australia" test highest total', 'team "England" odi wins'])[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("innings where Jos Buttler hit 5 or more sixes in T20Is", 'batting player "Jos Buttler" t20i with sixes 5+ list innings'),
    ("how many times has Rohit Sharma hit 10+ sixes in an ODI innings",
     'batting player "Rohit Sharma" odi with sixes 10+ innings'),
    ("most innings with 5 or more sixes in the IPL", 'batting ipl with sixes 5+ top 10 innings'),
    ("Joe Root's Test innings with 20 or more fours", 'batting player "Joe Root" test with fours 20+ list innings'),
    ("Jos Buttler's T20I innings with 50 or more runs", 'batting player "Jos Buttler" t20i with runs 50+ list innings'),
])
def test_the_word_after_a_threshold_says_what_the_innings_hold(stage, question, expected):
    shapes = ['batting player "David Warner" with runs 50+ innings', 'batting player "Joe Root" test sixes',
              'batting player "Steve Smith" test with runs 100+ list innings', 'batting ipl top 10 sixes']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Kohli's runs in matches Pakistan won", 'batting player "Virat Kohli" vs "Pakistan" lost runs'),
    ("Root's average in Tests Australia have won", 'batting player "Joe Root" test vs "Australia" lost average'),
    ("Smith's runs in Tests India lost", 'batting player "Steve Smith" test vs "India" won runs'),
    ("Babar's average in ODIs that Pakistan lost", 'batting player "Babar Azam" for "Pakistan" odi lost average'),
    ("Kohli's ODI runs against Pakistan in matches India won",
     'batting player "Virat Kohli" for "India" odi vs "Pakistan" won runs'),
])
def test_a_result_named_after_a_side_is_that_sides(stage, question, expected):
    shapes = ['batting player "Virat Kohli" odi won average', 'batting player "Joe Root" test vs "India" runs',
              'batting player "Steve Smith" for "Australia" test runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Kane Williamson and Ross Taylor runs in Tests", 'batting player "Kane Williamson" or "Ross Taylor" test runs'),
    ("Root and Stokes Test averages", 'batting player "Joe Root" or "Ben Stokes" test average'),
    ("Bumrah and Shami wickets in ODIs", 'bowling player "Jasprit Bumrah" or "Mohammed Shami" odi wickets'),
    ("Root's and Smith's Test hundreds", 'batting player "Joe Root" or "Steve Smith" test hundreds'),
    ("Anderson and Kohli head to head in Tests", 'bowling player "James Anderson" test batter "Virat Kohli" wickets'),
])
def test_two_players_joined_by_and_are_set_side_by_side_unless_they_faced_each_other(stage, question, expected):
    shapes = ['batting player "Virat Kohli" test bowler "James Anderson" runs', 'batting player "Joe Root" test average',
              'bowling player "Nathan Lyon" test wickets', 'batting player "Steve Smith" test hundreds']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("Smith's 5 best Test innings at Lord's", 'batting player "Steve Smith" test at "Lord\'s" best 5 runs'),
    ("Kohli's best ODI innings", 'batting player "Virat Kohli" odi best 10 runs'),
    ("Bumrah's best innings in Tests", 'bowling player "Jasprit Bumrah" test best 10 figures'),
    ("who has played the most Test innings", 'batting test top 10 innings'),  # a count of innings
])
def test_the_best_innings_are_single_innings_by_their_main_figure(stage, question, expected):
    shapes = ['bowling player "Nathan Lyon" test wickets', 'batting player "Joe Root" test innings',
              'batting test top 10 runs']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question", [
    "Kohli innings where he faced 100 balls in ODIs",
    "Rohit's scores in his 20 innings before 2019",
])
def test_a_number_no_reading_uses_leaves_every_candidate_incomplete(full_db, question):
    shapes = ['batting player "Joe Root" test list innings', 'batting player "Steve Smith" test at "Lord\'s" runs']
    found = candidates_for(Linker.from_engine(full_db).link(question), [parse(s) for s in shapes], full_db)
    assert found.queries and all("counts" in " ".join(missing_parts(q, found.question)) for q in found.queries)


@pytest.mark.parametrize("question, expected", [
    ("matches where Glenn Maxwell scored a hundred in ODIs", 'batting player "Glenn Maxwell" odi list hundreds'),
    ("the Tests in which Joe Root made a duck", 'batting player "Joe Root" test list ducks'),
    ("Adil Rashid's T20I economy in matches where he went wicketless",  # a figure over those matches
     'bowling player "Adil Rashid" t20i without wickets economy'),
])
def test_the_matches_where_a_player_did_something_are_listed_unless_a_figure_is_asked(stage, question, expected):
    shapes = ['batting player "Joe Root" test hundreds', 'bowling player "Nathan Lyon" test economy',
              'batting player "Steve Smith" test ducks']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("How many times has Australia won the toss in Tests since 2020?", 'team "Australia" test since 2020 toss won matches'),
    ("how often do Pakistan win the toss in T20Is", 'team "Pakistan" t20i toss won matches'),
    ("how many times has England won after losing the toss in Tests", 'team "England" test toss lost wins'),
])
def test_how_often_a_side_did_something_counts_its_matches_unless_a_result_is_named(stage, question, expected):
    shapes = ['team "India" odi toss won wins', 'team "New Zealand" test home wins', 'team "England" odi matches']
    assert stage(question, shapes)[0] == expected


@pytest.mark.parametrize("question, expected", [
    ("most economical bowler in the 2023 World Cup min 30 overs",
     'bowling odi year 2023 event "World Cup" top 10 economy min balls 180'),
    ("best T20I economy since 2022 minimum 50 overs", 'bowling t20i since 2022 top 10 economy min balls 300'),
    ("best economy in overs 16 to 20 in the IPL min 300 balls", 'bowling ipl overs 16-20 top 10 economy min balls 300'),
])
def test_a_minimum_in_overs_is_six_balls_an_over(stage, question, expected):
    assert stage(question, ['bowling t20i top 10 economy min balls 300', 'bowling odi top 10 wickets'])[0] == expected
