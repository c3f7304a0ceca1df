"""pack(): the exact prompt format, the order of examples, and the token budget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.prompt import (
    DEFAULT_BUDGET,
    DEFAULT_HEADER,
    PromptTooLong,
    count_tokens,
    pack,
    render,
)
from retrieval.store import Pair

NEAREST_FIRST = [
    Pair(id="a", question="Kohli ODI average in 2018", dsl='batting | player "Kohli" | show average'),
    Pair(id="b", question="Root Test runs", dsl='batting | player "Root" | show runs'),
    Pair(id="c", question="Most IPL wickets", dsl="bowling | competition IPL | rank wickets"),
]


def test_the_prompt_format_is_exact(tokenizer):
    packed = pack("Smith ODI average", NEAREST_FIRST[:2], DEFAULT_BUDGET, tokenizer,
                  header="Write the DSL.")
    assert packed.text == (
        "Write the DSL.\n"
        "\n"
        "Q: Root Test runs\n"
        'DSL: batting | player "Root" | show runs\n'
        "\n"
        "Q: Kohli ODI average in 2018\n"
        'DSL: batting | player "Kohli" | show average\n'
        "\n"
        "Q: Smith ODI average\n"
        "DSL:"
    )
    assert packed.n_tokens == len(tokenizer(packed.text, add_special_tokens=False)["input_ids"])


def test_examples_go_from_least_to_most_similar(tokenizer):
    packed = pack("Smith ODI average", NEAREST_FIRST, DEFAULT_BUDGET, tokenizer)
    assert packed.text.startswith(DEFAULT_HEADER + "\n\nQ: Most IPL wickets\n")
    assert packed.examples == tuple(reversed(NEAREST_FIRST))
    # The nearest example is the last one, right before the question.
    assert packed.text.endswith("Q: Kohli ODI average in 2018\nDSL: batting | player \"Kohli\" "
                                "| show average\n\nQ: Smith ODI average\nDSL:")


def test_the_farthest_examples_are_dropped_first(tokenizer):
    full = pack("Smith ODI average", NEAREST_FIRST, DEFAULT_BUDGET, tokenizer)
    packed = pack("Smith ODI average", NEAREST_FIRST, full.n_tokens - 1, tokenizer)
    assert packed.examples == (NEAREST_FIRST[1], NEAREST_FIRST[0])
    assert packed.n_tokens < full.n_tokens


def test_a_question_that_cannot_fit_is_a_clear_error(tokenizer):
    bare = count_tokens(render("Smith ODI average", []), tokenizer)
    assert pack("Smith ODI average", NEAREST_FIRST, bare, tokenizer).examples == ()
    with pytest.raises(PromptTooLong, match=f"over the budget of {bare - 1}"):
        pack("Smith ODI average", NEAREST_FIRST, bare - 1, tokenizer)


def test_packing_is_deterministic(tokenizer):
    assert (pack("Smith ODI average", NEAREST_FIRST, 60, tokenizer)
            == pack("Smith ODI average", NEAREST_FIRST, 60, tokenizer))


def test_the_default_budget_leaves_room_for_the_dsl():
    assert DEFAULT_BUDGET == 2048 - 64


def test_selected_examples_pack_into_the_default_budget(store, tokenizer):
    question = "Kane Williamson's Test hundreds at Basin Reserve"
    examples = store.select(question, 8)
    packed = pack(question, examples, DEFAULT_BUDGET, tokenizer)
    assert packed.examples == tuple(reversed(examples))
    assert packed.text.endswith(f"DSL: {examples[0].dsl}\n\nQ: {question}\nDSL:")


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
examples = st.lists(
    st.builds(lambda q, d: Pair(id="x", question=q, dsl=d), text, text), max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(question=text, examples=examples, budget=st.integers(0, 600),
       header=st.sampled_from([DEFAULT_HEADER, "", "Two\nlines."]))
def test_the_budget_is_never_exceeded(tokenizer, question, examples, budget, header):
    try:
        packed = pack(question, examples, budget, tokenizer, header=header)
    except PromptTooLong:
        assert count_tokens(render(question, [], header=header), tokenizer) > budget
        return
    assert packed.n_tokens <= budget
    assert packed.n_tokens == count_tokens(packed.text, tokenizer)
    kept = len(packed.examples)
    # The kept examples are the nearest ones, farthest first in the prompt...
    assert packed.examples == tuple(reversed(examples[:kept]))
    assert packed.text == render(question, packed.examples, header=header)
    assert packed.text.endswith(f"Q: {question}\nDSL:")
    # ...and as many as fit: one more would go over the budget.
    if kept < len(examples):
        one_more = render(question, list(reversed(examples[:kept + 1])), header=header)
        assert count_tokens(one_more, tokenizer) > budget
