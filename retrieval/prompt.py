"""The few-shot prompt: selected examples and the question, packed into a token budget.

The format is used by the whole product (serving, the convergence analysis, adapter training),
so it is defined here once:

    {header}

    Q: {farthest example's question}
    DSL: {its dsl}

    ...

    Q: {nearest example's question}
    DSL: {its dsl}

    Q: {question}
    DSL:

The model's continuation is " " + the DSL. The nearest example sits right before the question,
where a small model attends most; when the budget is short the farthest examples go first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

CONTEXT_TOKENS = 2048
"""The shipped model's context length (serving runs it with --max-model-len 2048)."""

MAX_OUTPUT_TOKENS = 64
"""Room kept for the generated DSL."""

DEFAULT_BUDGET = CONTEXT_TOKENS - MAX_OUTPUT_TOKENS

DEFAULT_HEADER = "Translate each cricket statistics question into the askcric query language."


class Example(Protocol):
    """Anything with a question and its DSL (a store Pair or ScoredExample)."""

    @property
    def question(self) -> str: ...

    @property
    def dsl(self) -> str: ...


@dataclass(frozen=True)
class PackedPrompt:
    """A prompt ready for the model, the examples it holds (prompt order) and its token count."""

    text: str
    examples: tuple[Example, ...]
    n_tokens: int


class PromptTooLong(ValueError):
    """Even with no examples, the header and the question do not fit in the token budget."""


def render(question: str, examples: Sequence[Example], *, header: str = DEFAULT_HEADER) -> str:
    """The prompt text with `examples` in the given order (first = farthest from the question)."""
    parts = [f"{header}\n\n"] if header else []
    parts += [f"Q: {example.question}\nDSL: {example.dsl}\n\n" for example in examples]
    parts.append(f"Q: {question}\nDSL:")
    return "".join(parts)


def count_tokens(text: str, tokenizer: Any) -> int:
    """Tokens in `text` for a Hugging Face tokenizer, or for any object with encode(text) -> ids."""
    if callable(tokenizer):
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])
    return len(tokenizer.encode(text))


def pack(
    question: str,
    examples: Sequence[Example],
    budget: int,
    tokenizer: Any,
    *,
    header: str = DEFAULT_HEADER,
) -> PackedPrompt:
    """The prompt for `question` with as many of the nearest `examples` as fit in `budget` tokens.

    `examples` come nearest first (as `ExampleStore.select` returns them); the prompt holds the
    longest run of them, from the nearest, that fits, farthest first in the text. Tokens are
    counted on the whole text with the serving model's tokenizer — not summed per example,
    because the tokenizer can merge characters across the joins. The shipped setup's budget is
    DEFAULT_BUDGET.
    """
    bare = render(question, [], header=header)
    bare_tokens = count_tokens(bare, tokenizer)
    if bare_tokens > budget:
        raise PromptTooLong(
            f"The question needs {bare_tokens} tokens with the instructions, over the budget of "
            f"{budget}: ask a shorter question."
        )
    # Drop the farthest example until the text fits; the bare prompt is known to fit.
    for keep in range(len(examples), 0, -1):
        kept = tuple(reversed(examples[:keep]))
        text = render(question, kept, header=header)
        n_tokens = count_tokens(text, tokenizer)
        if n_tokens <= budget:
            return PackedPrompt(text, kept, n_tokens)
    return PackedPrompt(bare, (), bare_tokens)
