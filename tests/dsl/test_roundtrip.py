"""The printer and the parser are inverses: parse(to_dsl(q)) == q for every query the grammar allows."""

from hypothesis import given, settings

from dsl.parser import parse
from dsl.printer import describe, to_dsl
from tests.dsl.strategies import queries


@settings(max_examples=1000, deadline=None)
@given(queries())
def test_print_then_parse_gives_the_same_query(query):
    text = to_dsl(query)
    assert parse(text) == query
    assert to_dsl(parse(text)) == text  # canonical text is a fixed point
    assert describe(query).startswith(query.subject.capitalize())
