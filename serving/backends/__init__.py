"""The one interface every LLM backend implements, and the registry that picks one by name.

A backend does two things for the rest of askcric:
- `complete`: greedy generation of a DSL after a few-shot prompt, optionally constrained by a Lark
  grammar, with the logprob of every generated token;
- `score`: teacher-forced logprobs of given continuations of one prompt (candidate ranking and the
  ICL convergence analysis).

Conventions shared by the whole product: a prompt ends with "DSL:", a continuation is " " + dsl
(leading space, no trailing newline), and generation stops at "\\n". Token ids are always the
prompt's ids (with the special tokens the model's tokenizer adds, e.g. Gemma's <bos>) followed by
the continuation's ids tokenised on their own; both backends do exactly this, so their scores agree.

Backends: "local" (transformers on CPU, embedded, the default) and "vllm" (HTTP client of a vLLM
OpenAI-compatible server). `get_backend(name, **options)` builds one.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dsl.specialize import lark_literal

BACKENDS: dict[str, str] = {
    "local": "serving.backends.local:LocalBackend",
    "vllm": "serving.backends.vllm:VllmBackend",
}
"""Backend name -> "module:class", imported on first use (the local one imports torch)."""


class BackendError(RuntimeError):
    """A backend could not answer; the message says what to do."""


class BackendUnavailable(BackendError):
    """The model server does not answer."""


class BackendTimeout(BackendError):
    """A request took longer than the backend's timeout."""


class GrammarError(BackendError):
    """The grammar is not valid Lark for the constrained decoder (llguidance)."""


@dataclass(frozen=True)
class TokenInfo:
    """One token of a completion or a scored continuation, and how the model saw it.

    `logprob` is the natural-log probability of this token. `rank` is its rank in the model's
    distribution (1 = the model's first choice), None when unknown. `top` holds the k most likely
    tokens (text, logprob), best first, when k > 0 was asked for.

    `entropy` (nats) of the distribution the token was drawn from: exact in the local backend; the
    vLLM server only returns its top-k, so there it is the entropy of the top-k with the remaining
    mass counted as one more outcome, a lower bound of the true entropy that tightens as k grows
    (None when k = 0).

    In `complete` with a grammar, the distribution is the one actually decoded from: the model's,
    restricted to the tokens the grammar allows and renormalised (vLLM applies the grammar mask
    before computing logprobs; the local backend matches it). `score` is never masked.
    """

    text: str
    logprob: float
    rank: int | None
    entropy: float | None
    top: tuple[tuple[str, float], ...]

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class Completion:
    """Generated text (cut before the stop string) and its tokens.

    `tokens` are the generated tokens that start inside `text` (the stop string's token and an
    end-of-sequence token are not included). `finish_reason` is "stop" (stop string, end of
    sequence or end of grammar) or "length" (max_tokens reached).
    """

    text: str
    tokens: tuple[TokenInfo, ...]
    finish_reason: Literal["stop", "length"]


class Backend(ABC):
    """A served language model. Deterministic: greedy decoding, no sampling."""

    name: str
    """The registry name ("local", "vllm")."""
    model: str
    """The model's name (e.g. "smollm2-135m") or folder path."""
    tokenizer: Any
    """The served model's HF tokenizer (the prompt packer counts tokens with it)."""

    @abstractmethod
    def complete(
        self,
        prompt: str,
        *,
        grammar: str | None = None,
        max_tokens: int = 64,
        stop: str | None = "\n",
        top_k: int = 0,
        likely: Sequence[str] = (),
    ) -> Completion:
        """Greedy completion of `prompt`, constrained by the Lark `grammar` text when given.

        The grammar describes the DSL alone; the backend lets one leading space before it and the
        stop string after it (see `continuation_grammar`). `top_k` alternatives per token (<= 20).
        `likely` continuations (most likely first) are texts the completion may repeat in part, such
        as candidate queries: a backend may guess ahead from them, and the completion is the same.
        """

    @abstractmethod
    def score(
        self, prompt: str, continuations: Sequence[str], *, top_k: int = 0
    ) -> list[tuple[TokenInfo, ...]]:
        """Teacher-forced per-token logprobs of each continuation given `prompt`, in one batch.

        One tuple of TokenInfo per continuation, in order; its sum of logprobs is the
        continuation's log-likelihood. Not constrained by any grammar.
        """

    def ready(self) -> bool:
        """Can it answer now? In-process models can; a client asks its server (briefly)."""
        return True

    def close(self) -> None:
        """Release what the backend holds (connections, the model); it is unusable after."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def get_backend(name: str, **options: Any) -> Backend:
    """Build the backend registered under `name` with its options (e.g. model=, url=, timeout=)."""
    if name not in BACKENDS:
        raise ValueError(f"Unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[name].split(":")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    return backend_class(**options)


# --- shared by the backends ----------------------------------------------------------------------

def open_backend(name: str, vllm_url: str | None = None, model: str | None = None, adapter: str | None = None,
                 progress=None, timeout: float | None = None) -> Backend:
    """The backend by name; the local one's model is prepared first if needed (with `progress`).

    `adapter`: a LoRA folder (askcric adapt), by default the one askcric ships for the model, "none"
    for the base model (see resolve_adapter): merged into the local model's weights, or named in
    requests to a vLLM server serving the same adapter. `timeout`: seconds one model call may take
    (default: the backend's, 120).
    """
    from serving.models import DEFAULT_MODEL, prepare, resolve_adapter

    model = model or DEFAULT_MODEL
    adapter = resolve_adapter(model, adapter)
    options = {"timeout": timeout} if timeout else {}
    if name == "vllm":
        return get_backend("vllm", model=model, adapter=adapter, **({"url": vllm_url} if vllm_url else {}), **options)
    prepare(model, **({"progress": progress} if progress else {}))
    return get_backend("local", model=model, adapter=adapter, **options)


def encode_prompt(tokenizer: Any, prompt: str) -> list[int]:
    """The prompt's ids, with the special tokens the model's tokenizer adds (as vLLM does)."""
    return list(tokenizer(prompt).input_ids)


def encode_continuation(tokenizer: Any, continuation: str) -> list[int]:
    """A continuation's ids, tokenised on its own (no special tokens) and appended to the prompt's.

    Tokenising it apart from the prompt keeps its tokens the same whatever the prompt ends with
    (no BPE merge across the boundary), which is also how the model generated them.
    """
    return list(tokenizer(continuation, add_special_tokens=False).input_ids)


_START_RULE = re.compile(r"(?m)^(\s*[?!]?)start(?=\s*(?:\.\d+)?\s*:)")
_IGNORE = re.compile(r"(?m)^[ \t]*%ignore\b.*$")
_RULE_START = re.compile(r"^\s*[?!]?[a-z_][a-z0-9_]*(?:\.\d+)?\s*:")
_DEFINITION_START = re.compile(r"^\s*(?:[?!]?[A-Za-z_][A-Za-z0-9_]*(?:\.\d+)?\s*:|%)")
_RULE_ITEM = re.compile(
    r'(?P<comment>//.*$|#.*$)'
    r'|(?P<token>"(?:[^"\\]|\\.)*"i?|/(?:[^/\\\n]|\\.)+/[imslux]*|\b[A-Z_][A-Z_0-9]*\b)'
)
_DSL_RULE = "askcric_dsl"
_SPACE = "ASKCRIC_SPACE"


@functools.lru_cache(maxsize=64)
def continuation_grammar(grammar: str, stop: str | None = "\n") -> str:
    """The Lark grammar both backends decode with: the DSL after the prompt, then the stop.

    Changes to the DSL grammar, all for the prompt convention (the continuation is " " + dsl,
    then "\n"):
    - its `start` rule is renamed and wrapped so that the stop string may follow a complete DSL:
      without it the model, which wants a newline there, is pushed into repeating clauses until
      max_tokens;
    - if the grammar ignores whitespace (`%ignore`), the decoder spells it out instead: at most one
      space before each token, nothing else. With `%ignore WS` the model would end a query early
      with a newline the grammar took for whitespace, or loop on spaces until max_tokens. Every
      text the decoder allows is still one the grammar's parser accepts;
    - otherwise one optional leading space is allowed before the DSL (llguidance accepts no
      ignored whitespace before the first token).
    Needs plain Lark (as the parser reads it). Checked with llguidance; GrammarError if invalid.
    """
    import llguidance

    if not _START_RULE.search(grammar):
        raise GrammarError("The grammar has no `start` rule.")
    wrapped = _START_RULE.sub(rf"\g<1>{_DSL_RULE}", grammar)
    ending = f" {lark_literal(stop)}?" if stop else ""
    if _IGNORE.search(wrapped):
        wrapped = _spell_out_spaces(_IGNORE.sub("", wrapped))
        wrapped += f'\n{_SPACE}: " "\nstart: {_DSL_RULE}{ending}\n'
    else:
        wrapped += f"\nstart: / ?/ {_DSL_RULE}{ending}\n"
    error = llguidance.LLMatcher.validate_grammar(llguidance.LLMatcher.grammar_from_lark(wrapped))
    if error:
        raise GrammarError(f"Invalid grammar: {error}")
    return wrapped


def _spell_out_spaces(grammar: str) -> str:
    """Each token in the rules' bodies (literal, regex, TERMINAL) becomes (SPACE? token)."""
    lines, in_rule = [], False
    for line in grammar.splitlines():
        if _DEFINITION_START.match(line):
            in_rule = bool(_RULE_START.match(line))
        if in_rule:
            head, body = line.split(":", 1) if _RULE_START.match(line) else ("", line)
            body = _RULE_ITEM.sub(
                lambda m: "" if m["comment"] else f"({_SPACE}? {m['token']})", body
            )
            line = f"{head}:{body}" if head else body
        lines.append(line)
    return "\n".join(lines)


def cut_at_stop(text: str, stop: str | None) -> tuple[str, bool]:
    """`text` before the first `stop`, and whether the stop string was found."""
    if stop and stop in text:
        return text[: text.index(stop)], True
    return text, False


def tokens_in_text(offsets: Iterable[int], text: str) -> int:
    """How many leading tokens start inside `text`, given each token's character offset."""
    return sum(1 for offset in offsets if offset < len(text))


def topk_entropy(logprobs: Sequence[float]) -> float:
    """Entropy of a top-k list, the mass outside it counted as one outcome (a lower bound)."""
    probs = [math.exp(lp) for lp in logprobs if math.isfinite(lp)]
    rest = max(0.0, 1.0 - sum(probs))
    return -sum(p * math.log(p) for p in [*probs, rest] if p > 0)
