"""Bad input raises only the DSL's own errors, and names are always data, never SQL or DSL."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.errors import DslError, DslSyntaxError
from dsl.parser import parse
from dsl.printer import to_dsl
from tests.dsl.strategies import queries

VALID = [
    'batting player "Virat Kohli" odi vs "Australia" since 2015 average',
    'bowling ipl year 2019 top 10 wickets min innings 5',
    'team "India" odi toss won bat batting first by year win %',
    'batting player "Joe Root" test at "Lord\'s" list hundreds',
]


def _parse_or_dsl_error(text: str) -> None:
    try:
        parse(text)
    except DslError:
        pass  # anything else propagates and fails the test


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_random_text_raises_only_dsl_errors(text):
    _parse_or_dsl_error(text)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["insert", "delete", "swap"]))
        if operation == "insert":
            text = text[:position] + draw(st.sampled_from(['"', " ", "top", "-", "\\", "'", "9", "vs", "\x00"])) + text[position:]
        elif operation == "delete":
            text = text[:position] + text[position + 3:]
        else:
            words = text.split(" ")
            i, j = draw(st.integers(0, len(words) - 1)), draw(st.integers(0, len(words) - 1))
            words[i], words[j] = words[j], words[i]
            text = " ".join(words)
    return text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_queries_raise_only_dsl_errors(text):
    _parse_or_dsl_error(text)


@settings(max_examples=200, deadline=None)
@given(queries())
def test_truncated_valid_queries_raise_only_dsl_errors(query):
    text = to_dsl(query)
    for cut in range(0, len(text), max(1, len(text) // 7)):
        _parse_or_dsl_error(text[:cut])


def test_syntax_error_says_where_and_what_was_expected():
    with pytest.raises(DslSyntaxError) as caught:
        parse("batting player Kohli average")
    error = caught.value
    assert error.position == len("batting player ")
    assert "a quoted player name" in error.expected
    assert "^" in str(error)


@pytest.mark.parametrize("name", [
    "x'; DROP TABLE players; --",
    'Robert") runs',
    'Kohli" odi average',
    "batting player \"V Kohli\" runs",
    "1 OR 1=1",
])
def test_names_with_quotes_sql_or_dsl_are_data(name):
    text = to_dsl(parse('batting player "X" runs').__class__(subject="batting", output=parse('batting runs').output, player=name))
    query = parse(text)
    assert query.player == name  # the whole name survived as one quoted value
    assert query.filters() == {"player": name}
