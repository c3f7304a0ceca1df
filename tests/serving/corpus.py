"""What the serving tests run on: the product's DSL grammar and few-shot prompts from
question->DSL pairs, in the product's prompt format.

The pairs are this folder's `pairs.jsonl` (same format as examples/pairs.jsonl: one
{"id", "question", "dsl", "split", "tags"} per line) until the product corpus exists; switching to
it is the one line PAIRS_FILE below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, LarkError, Token

from dsl.parser import grammar_text
from dsl.specialize import NAME_SLOTS, NUMBER_SLOTS, specialize

PAIRS_FILE = Path(__file__).with_name("pairs.jsonl")  # the product's: ROOT / "examples" / "pairs.jsonl"
N_PROMPTS = 50
N_SHOTS = 6
HEADER = "Translate each cricket statistics question into the askcric query language."

GRAMMAR = grammar_text()
"""dsl/cricket.lark, the product's grammar."""


@dataclass(frozen=True)
class Case:
    """One test prompt: a question after N_SHOTS training examples, and its gold DSL."""

    id: str
    question: str
    dsl: str
    prompt: str


def render_prompt(question: str, examples: list[dict]) -> str:
    """The product's prompt format (retrieval's prompt packer writes the same)."""
    shots = "".join(f"Q: {e['question']}\nDSL: {e['dsl']}\n\n" for e in examples)
    return f"{HEADER}\n\n{shots}Q: {question}\nDSL:"


@cache
def _pairs() -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in PAIRS_FILE.read_text().splitlines() if line.strip())


@cache
def cases() -> tuple[Case, ...]:
    """N_PROMPTS prompts: the first non-train pairs, each after the first N_SHOTS train pairs."""
    shots = [p for p in _pairs() if p["split"] == "train"][:N_SHOTS]
    questions = [p for p in _pairs() if p["split"] != "train"][:N_PROMPTS]
    return tuple(
        Case(p["id"], p["question"], p["dsl"], render_prompt(p["question"], shots)) for p in questions
    )


@cache
def decoding_grammar() -> str:
    """cricket.lark with its name and number slots narrowed to the values of all the pairs.

    Finite like the product's per-question grammars (dsl.specialize), so greedy decoding cannot
    run on inside a quoted name; and no slot is empty, as an empty one leaves its clause open to
    the decoder with nothing to put in it (a dead end).
    """
    values: dict[str, list[str]] = {}
    for pair in _pairs():
        for slot, found in _slot_values(pair["dsl"]).items():
            values.setdefault(slot, []).extend(found)
    return specialize(values)


@cache
def _earley() -> Lark:
    return Lark(GRAMMAR, parser="earley")


def _slot_values(dsl: str) -> dict[str, list[str]]:
    """The names and numbers a DSL puts in each slot (PLAYER, TEAM, ..., NUMBER)."""
    values: dict[str, list[str]] = {}
    for token in _earley().parse(dsl).scan_values(lambda v: isinstance(v, Token)):
        if token.type in NAME_SLOTS:
            values.setdefault(token.type, []).append(json.loads(token))
        elif token.type in NUMBER_SLOTS:
            values.setdefault(token.type, []).append(str(token))
    return values


def is_valid_dsl(text: str) -> bool:
    """Whether `text` (a continuation, leading space and all) is a sentence of cricket.lark.

    Parsed with Lark's Earley parser, which accepts what the grammar accepts: that is what
    constrained decoding guarantees. (dsl.parser's LALR parser rejects a few grammar-valid
    queries, e.g. `batting player "Joe Root" innings`.)
    """
    try:
        _earley().parse(text.strip())
    except LarkError:
        return False
    return True
