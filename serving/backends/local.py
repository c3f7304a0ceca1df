"""The embedded backend: the prepared model run by transformers on the CPU, no server needed.

bf16 where the CPU has bf16 instructions (as vLLM serves it), else fp32; greedy. bf16 prefills
a 337-token prompt in 0.29 s on one core of this machine against 0.86 s in fp32, and moves a
candidate's summed log-likelihood by ~0.02-0.15 nats.

The model runs in `lanes` (one per core by default), one call at a time each, with its own prompt
cache, sharing the weights. Each model pass takes the cores no other lane is using: alone, a call
runs on both cores of this machine (that prefill: 0.19 s instead of 0.29 s), and two questions at
once run on one core each, which answers more per second than sharing two threads
(`python -m analysis.load_test` measures it).

Grammar-constrained decoding uses llguidance on the Lark grammar text: each step the grammar's
token mask is applied to the logits. The tokens the grammar forces, or else a guess looked up in
the prompt (LOOKUP_TOKENS), ride along in the pass of the chosen token and are kept while greedy
decoding agrees, so a pass usually yields several tokens.

The KV cache of a lane's last prompt is kept, and a call takes the free lane whose cache its prompt
extends, so a question's calls on one prompt (`score`, then `complete`, then `score`) run that prompt
once; `score` runs the prompt once and all continuations as one batch against its cache, or a
lone continuation in the prompt's own pass.
"""

from __future__ import annotations

import os

# Two torch threads spin-wait and stall each other on a busy machine unless OpenMP waits
# passively. OpenMP reads this once, when torch is first imported, hence before the imports.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import copy  # noqa: E402
import ctypes  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import llguidance  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

from serving.backends import (  # noqa: E402
    Backend,
    BackendTimeout,
    Completion,
    GrammarError,
    TokenInfo,
    continuation_grammar,
    cut_at_stop,
    encode_continuation,
    encode_prompt,
    tokens_in_text,
)
from serving.models import DEFAULT_MODEL, model_dir, served_name  # noqa: E402

SCORE_LOGITS_BYTES = 128 * 2**20
"""Upper bound on the logits of one scoring batch (continuations x tokens x vocabulary x fp32):
two lanes scoring at once each hold theirs, and the allocator keeps the high-water mark."""

PARALLEL_MIN_TOKENS = 64
"""A pass over fewer tokens runs on one thread: its matrix products are too small to split."""

LOOKUP_NGRAM = 3
LOOKUP_TOKENS = 4
"""Prompt lookup decoding: a generated query repeats runs of the candidate queries it is told are
likely, and of the examples' queries in its prompt, so the tokens that followed its last few tokens
there are a likely continuation. They are checked in the pass that runs the chosen token, and kept
as long as they are what greedy decoding picks, so the output is greedy decoding's; on CPU a pass
over 11 tokens costs little more than over one."""


@dataclass
class _Lane:
    """What one call at a time may use: the KV cache of the last prompt run in this lane."""

    prefix: _Prefix | None = None

    def reusable(self, ids: Sequence[int]) -> int:
        """How many of the prompt `ids` this lane's cache already holds (0 unless all of its prompt
        begins `ids`: `_prefill` reuses a cache only whole)."""
        held = self.prefix.ids if self.prefix is not None else ()
        return len(held) if len(held) <= len(ids) and tuple(ids[: len(held)]) == held else 0


@dataclass(frozen=True)
class _Prefix:
    """A prompt already run through the model: its ids, KV cache and next-token logits."""

    ids: tuple[int, ...]
    cache: DynamicCache
    logits: torch.Tensor


class LocalBackend(Backend):
    name = "local"

    def __init__(
        self, model: str = DEFAULT_MODEL, *, timeout: float = 120.0, lanes: int | None = None, adapter: str | None = None,
        dtype: torch.dtype | None = None,
    ):
        """Load the prepared `model` (a name or a model folder); ModelMissing if not prepared.

        `timeout` (seconds) bounds one call; it is checked between forward passes.
        `adapter`: a peft LoRA folder (e.g. from `askcric adapt`), merged into the weights so that
        it costs nothing per token; the backend's model name then reads "model+adapter-folder".
        `lanes`: calls that run at once (default: one per core); a pass uses the cores no other lane uses.
        `dtype`: of the weights (default: bf16 if the CPU computes it natively, else fp32).
        """
        path = model_dir(model)
        torch.set_num_threads(1)
        hf_logging.disable_progress_bar()
        self.model = served_name(model, adapter)
        self.timeout = timeout
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.dtype = dtype or (torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32)
        self._model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        if adapter is not None:
            from peft import PeftModel

            self._model = PeftModel.from_pretrained(self._model, adapter).merge_and_unload().eval()
        self._model = self._model.to(self.dtype)  # after merging: the adapter's weights are fp32
        # peft leaves the merged weights with requires_grad off. Then torch.matmul does not fold the
        # prefill's last-position state (a strided [1, 1, hidden] slice) into one matrix product: it
        # copies the whole output-embedding matrix for a batched product instead (~70 ms a prompt,
        # pytorch/pytorch#118548). Every pass runs under inference_mode, so no graph is ever kept.
        self._model.requires_grad_(True)
        self._vocab_size = self._model.config.get_text_config().vocab_size
        self._eos_ids = _eos_ids(self._model, self.tokenizer)
        self._ll_tokenizer: llguidance.LLTokenizer | None = None
        self._ll_lock = threading.Lock()
        self.cores = len(os.sched_getaffinity(0))
        self.lanes = lanes or self.cores
        self._free_lanes = [_Lane() for _ in range(self.lanes)]
        self._lane_freed = threading.Condition()

    def close(self) -> None:
        del self._model

    @contextmanager
    def _lane(self, ids: Sequence[int]) -> Iterator[_Lane]:
        """A lane for one call on the prompt `ids`, waiting for one to be free: the free lane whose
        cache holds most of the prompt. A question's calls share one prompt (scoring, then its own
        generation, then scoring that), and in a lane that ran another prompt the next call would
        pay the whole prefill again (~0.4 s)."""
        with self._lane_freed:
            self._lane_freed.wait_for(lambda: self._free_lanes)
            lane = max(self._free_lanes, key=lambda free: free.reusable(ids))
            self._free_lanes.remove(lane)
        try:
            yield lane
        finally:
            _release_freed_memory()
            with self._lane_freed:
                self._free_lanes.append(lane)
                self._lane_freed.notify()

    # --- generation ------------------------------------------------------------------------------

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
        prompt_ids = encode_prompt(self.tokenizer, prompt)
        # Each likely continuation after the prompt's last tokens, so a guess can start at the first token.
        likely_ids = [prompt_ids[-LOOKUP_NGRAM:] + encode_continuation(self.tokenizer, text) for text in likely]
        with self._lane(prompt_ids) as lane:
            deadline = time.monotonic() + self.timeout
            matcher = self._matcher(grammar, stop) if grammar is not None else None
            cache, after_prompt = self._prefill(lane, prompt_ids, deadline)
            logits = after_prompt[0]
            ids: list[int] = []
            rows: list[torch.Tensor] = []  # the (masked) logits each token was chosen from
            finished = False
            while not finished and len(ids) < max_tokens:
                # One model pass: the greedy token, and after it the tokens the grammar forces or,
                # failing those, a guess looked up in the likely texts or the prompt, kept as long
                # as greedy agrees.
                token, row = self._choose(logits, matcher)
                ids.append(token)
                rows.append(row)
                finished = self._accept(token, matcher, ids, stop)
                if finished or len(ids) == max_tokens:
                    break
                forced = matcher.compute_ff_tokens() if matcher is not None else []
                guess = (forced or _lookup(prompt_ids + ids, likely_ids))[: max_tokens - len(ids)]
                out = self._forward(torch.tensor([[token, *guess]]), cache, deadline)[0]
                logits, kept = out[0], 0
                for guessed in guess:
                    choice, row = self._choose(logits, matcher)
                    if not forced and choice != guessed:
                        break
                    ids.append(guessed)
                    rows.append(row)
                    kept += 1
                    logits = out[kept]
                    finished = self._accept(guessed, matcher, ids, stop)
                    if finished:
                        break
                if not finished and kept < len(guess):
                    cache.crop(-(len(guess) - kept))  # the passes of the guessed tokens greedy refused
            text, _ = cut_at_stop(self._decode(ids), stop)
            offsets = [len(self._decode(ids[:i])) for i in range(len(ids))]
            kept = tokens_in_text(offsets, text)
            tokens = self._token_infos(rows[:kept], ids[:kept], top_k, texts=_split(text, offsets[:kept]))
            return Completion(text, tuple(tokens), "stop" if finished else "length")

    def _choose(self, logits: torch.Tensor, matcher: llguidance.LLMatcher | None) -> tuple[int, torch.Tensor]:
        """The greedy next token and the logits it is chosen from (-inf where the grammar forbids)."""
        if matcher is not None:
            logits = logits.masked_fill(~self._allowed(matcher), -torch.inf)
        return int(logits.argmax()), logits

    def _matcher(self, grammar: str, stop: str | None) -> llguidance.LLMatcher:
        with self._ll_lock:
            if self._ll_tokenizer is None:  # ~0.5 s (longer for Gemma's 262k vocabulary): build once
                from llguidance.hf import from_tokenizer  # 0.5 s to import: paid only when a grammar is used

                self._ll_tokenizer = from_tokenizer(self.tokenizer, n_vocab=self._vocab_size)
        lark = continuation_grammar(grammar, stop)
        matcher = llguidance.LLMatcher(
            self._ll_tokenizer, llguidance.LLMatcher.grammar_from_lark(lark), log_level=0
        )
        if matcher.is_error():
            raise GrammarError(f"Invalid grammar: {matcher.get_error()}")
        return matcher

    def _allowed(self, matcher: llguidance.LLMatcher) -> torch.Tensor:
        """The grammar's mask for the next token, as a bool vector over the vocabulary."""
        bits = np.unpackbits(np.frombuffer(matcher.compute_bitmask(), dtype=np.uint8), bitorder="little")
        return torch.from_numpy(bits[: self._vocab_size].astype(bool))

    def _accept(self, token: int, matcher: llguidance.LLMatcher | None, generated: list[int], stop: str | None) -> bool:
        """Advance the grammar by `token`, the last of `generated`; True when generation ends (the
        grammar is done, end of sequence, or the text holds the stop string)."""
        if matcher is not None:
            # An error after an allowed token is a dead end: the grammar let the text so far
            # through but allows nothing after it (only end-of-sequence, which it then rejects).
            if not matcher.consume_token(token) or matcher.is_error():
                raise GrammarError(
                    f"The grammar allows no way to go on after {self._decode(generated[:-1])!r}: one of "
                    "its rules needs a token that nothing matches (e.g. an empty slot)."
                )
            if matcher.is_stopped():
                return True
        return token in self._eos_ids or cut_at_stop(self._decode(generated), stop)[1]

    def _decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    # --- scoring ---------------------------------------------------------------------------------

    def score(
        self, prompt: str, continuations: Sequence[str], *, top_k: int = 0
    ) -> list[tuple[TokenInfo, ...]]:
        prompt_ids = encode_prompt(self.tokenizer, prompt)
        with self._lane(prompt_ids) as lane:
            deadline = time.monotonic() + self.timeout
            encoded = [encode_continuation(self.tokenizer, text) for text in continuations]
            results: list[tuple[TokenInfo, ...]] = [() for _ in encoded]
            todo = [i for i, ids in enumerate(encoded) if ids]
            if len(todo) == 1:  # the usual case: the rules leave one candidate
                ids = encoded[todo[0]]
                _, rows = self._prefill(lane, prompt_ids, deadline, then=ids[:-1])
                results[todo[0]] = tuple(self._token_infos(rows, ids, top_k))
                return results
            cache, after_prompt = self._prefill(lane, prompt_ids, deadline)
            first_logits = after_prompt[0]
            while todo:
                # Right-padded batch against copies of the prompt's cache: causal attention means
                # no real token sees the padding after it, so no attention mask is needed.
                longest = max(len(encoded[i]) for i in todo)
                size = max(1, SCORE_LOGITS_BYTES // (longest * self._vocab_size * 4))
                batch, todo = todo[:size], todo[size:]
                inputs = torch.zeros((len(batch), longest), dtype=torch.long)
                for row, i in enumerate(batch):
                    inputs[row, : len(encoded[i])] = torch.tensor(encoded[i])
                batch_cache = copy.deepcopy(cache)
                batch_cache.batch_repeat_interleave(len(batch))
                out = self._forward(inputs, batch_cache, deadline)
                for row, i in enumerate(batch):
                    ids = encoded[i]
                    rows = torch.cat([first_logits[None], out[row, : len(ids) - 1]])
                    results[i] = tuple(self._token_infos(rows, ids, top_k))
            return results

    # --- the model -------------------------------------------------------------------------------

    def _prefill(
        self, lane: _Lane, ids: list[int], deadline: float, then: Sequence[int] = ()
    ) -> tuple[DynamicCache, torch.Tensor]:
        """A private KV cache holding `ids`, and the logits of the token after them and after each
        token of `then` ([1 + len(then), vocab]).

        Starts from the lane's previous prompt's cache when that prompt is a prefix of this one.
        `then` rides in the prompt's pass (and is cropped from the cache after it): a pass over a
        few tokens reads every weight as a long one does, so on CPU it costs most of a prompt's
        pass (`python -m analysis.bench_pipeline` measures the saving).
        """
        if not ids:
            raise ValueError("The prompt is empty (the model needs at least one token to go on).")
        prefix = lane.prefix
        if lane.reusable(ids):
            cache, first = copy.deepcopy(prefix.cache), prefix.logits
            rest = ids[len(prefix.ids) :]
        else:
            cache, first, rest = DynamicCache(config=self._model.config), None, ids
        if not rest and not then:
            return cache, first[None]
        out = self._forward(torch.tensor([[*rest, *then]]), cache, deadline, keep=len(then) + bool(rest))[0]
        if then:
            cache.crop(-len(then))
        if rest:
            first, out = out[0], out[1:]
            lane.prefix = _Prefix(tuple(ids), copy.deepcopy(cache), first)
        return cache, torch.cat([first[None], out])

    def _forward(
        self, input_ids: torch.Tensor, cache: DynamicCache, deadline: float, keep: int = 0
    ) -> torch.Tensor:
        """Logits [batch, tokens, vocab] of `input_ids` run after `cache` (which grows), as fp32:
        of the last `keep` tokens only, or of all when it is 0."""
        if time.monotonic() > deadline:
            raise BackendTimeout(f"The local model took longer than {self.timeout:g} s.")
        busy = max(1, self.lanes - len(self._free_lanes))
        share = self.cores // busy if input_ids.numel() >= PARALLEL_MIN_TOKENS else 1
        torch.set_num_threads(max(1, share))  # of this thread only
        with torch.inference_mode():
            out = self._model(
                input_ids=input_ids, past_key_values=cache, use_cache=True,
                logits_to_keep=keep,
            )
        return out.logits.float()

    def _token_infos(
        self, rows: torch.Tensor | list[torch.Tensor], ids: Sequence[int], top_k: int,
        texts: Sequence[str] | None = None,
    ) -> list[TokenInfo]:
        """TokenInfo of ids[i] under the logits rows[i] (-inf where a grammar forbids a token)."""
        if not ids:
            return []
        logits = torch.stack(list(rows)) if isinstance(rows, list) else rows
        logprobs = torch.log_softmax(logits, dim=-1)
        index = torch.tensor(ids)
        chosen = logprobs[torch.arange(len(ids)), index]
        ranks = (logprobs > chosen[:, None]).sum(dim=-1) + 1
        probs = logprobs.exp()
        entropies = -torch.where(probs > 0, probs * logprobs, torch.zeros_like(probs)).sum(dim=-1)
        top_values, top_ids = logprobs.topk(top_k, dim=-1) if top_k else (None, None)
        infos = []
        for i, token in enumerate(ids):
            top: tuple[tuple[str, float], ...] = ()
            if top_values is not None:
                top = tuple(
                    (self.tokenizer.decode([int(t)]), float(v))
                    for t, v in zip(top_ids[i], top_values[i]) if torch.isfinite(v)
                )
            infos.append(TokenInfo(
                text=texts[i] if texts is not None else self.tokenizer.decode([token]),
                logprob=float(chosen[i]), rank=int(ranks[i]), entropy=max(0.0, float(entropies[i])),
                top=top,
            ))
        return infos


def _release_freed_memory() -> None:
    """Give the logits of a call back to the OS. glibc keeps freed blocks in per-thread arenas;
    under load a served process's memory then grows run after run (measured by
    analysis/load_test.py)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # glibc only
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()


def _eos_ids(model: torch.nn.Module, tokenizer: object) -> frozenset[int]:
    configured = model.generation_config.eos_token_id
    ids = set(configured if isinstance(configured, list) else [configured])
    ids.add(tokenizer.eos_token_id)
    return frozenset(i for i in ids if i is not None)


def _lookup(context: Sequence[int], likely: Sequence[Sequence[int]] = ()) -> list[int]:
    """Up to LOOKUP_TOKENS tokens that followed the context's last LOOKUP_NGRAM tokens (or fewer,
    down to one) in the first likely text holding them, or else at their latest earlier occurrence
    in the context, as a guess of what comes next."""
    for n in range(min(LOOKUP_NGRAM, len(context) - 1), 0, -1):
        tail = context[-n:]
        for source in (*likely, context):
            for start in range(len(source) - n - 1, -1, -1):
                if source[start : start + n] == tail:
                    return list(source[start + n : start + n + LOOKUP_TOKENS])
    return []


def _split(text: str, offsets: Sequence[int]) -> list[str]:
    """The text of each token, from the tokens' start offsets into `text`."""
    ends = [*offsets[1:], len(text)]
    return [text[start:end] for start, end in zip(offsets, ends)]
