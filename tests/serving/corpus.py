"""What the serving tests run on: the product's DSL grammar and few-shot prompts from
question->DSL pairs, in the product's prompt format.

The pairs are the product corpus, examples/pairs.jsonl.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dsl.errors import DslError
from dsl.parser import grammar_text, parse
from dsl.specialize import slot_values, specialize
from retrieval.prompt import render
from retrieval.store import DEFAULT_CORPUS as PAIRS_FILE
from retrieval.store import Pair, load_pairs

N_PROMPTS = 50
N_SHOTS = 6

GRAMMAR = grammar_text()
"""dsl/cricket.lark, the product's grammar."""


@dataclass(frozen=True)
class Case:
    """One test prompt: a question after N_SHOTS training examples, and its gold DSL."""

    id: str
    question: str
    dsl: str
    prompt: str


def render_prompt(question: str, examples: list[Pair]) -> str:
    """The product's prompt format (retrieval.prompt.render)."""
    return render(question, examples)


@cache
def _pairs() -> tuple[Pair, ...]:
    return tuple(load_pairs(PAIRS_FILE))


@cache
def cases() -> tuple[Case, ...]:
    """N_PROMPTS prompts: the first dev pairs, each after the first N_SHOTS train pairs."""
    shots = [p for p in _pairs() if p.split == "train"][:N_SHOTS]
    questions = [p for p in _pairs() if p.split != "train"][:N_PROMPTS]
    return tuple(Case(p.id, p.question, p.dsl, render_prompt(p.question, shots)) for p in questions)


@cache
def decoding_grammar() -> str:
    """cricket.lark with its name and number slots narrowed to the values of all the pairs.

    Finite like the product's per-question grammars (dsl.specialize), so greedy decoding cannot
    run on inside a quoted name.
    """
    values: dict[str, set[str]] = {}
    for pair in _pairs():
        for slot, found in slot_values(parse(pair.dsl)).items():
            values.setdefault(slot, set()).update(found)
    return specialize({slot: sorted(found) for slot, found in values.items()})


def is_valid_dsl(text: str) -> bool:
    """Whether `text` (a continuation, leading space and all) is a query of cricket.lark."""
    try:
        parse(text.strip())
    except DslError:
        return False
    return True
