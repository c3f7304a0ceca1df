"""The embedded backend: the prepared model run by transformers on the CPU, no server needed.

bf16 where the CPU has bf16 instructions (as vLLM serves it), else fp32; greedy. bf16 prefills
a 422-token prompt in 0.47 s on one core of this machine against 1.17 s in fp32, and moves a
candidate's summed log-likelihood by ~0.02-0.15 nats. The model runs in `lanes` (one per core by default), each a single-threaded call
at a time with its own prompt cache, sharing the weights: on this 2-core machine one question
takes the same time on one thread as on two (prefill of a ~330-token prompt is ~0.46 s either
way), so two questions at once in two lanes answer twice as many per second as one on two threads
(`python -m analysis.load_test` measures it). Grammar-constrained decoding uses llguidance on the Lark grammar text:
each step the grammar's token mask is applied to the logits, and tokens the grammar forces are
emitted without choosing them (`compute_ff_tokens`): they ride along in the next forward pass.
The KV cache of a lane's last prompt is kept, so a call whose prompt extends the previous one
(e.g. `complete` then `score` on the same prompt) skips that prefix; `score` runs the prompt once and
all continuations as one batch against its cache.
"""

from __future__ import annotations

import os

# Two torch threads spin-wait and stall each other on a busy machine unless OpenMP waits
# passively. OpenMP reads this once, when torch is first imported, hence before the imports.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import copy  # noqa: E402
import ctypes  # noqa: E402
import queue  # noqa: E402
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


@dataclass
class _Lane:
    """What one call at a time may use: the KV cache of the last prompt run in this lane."""

    prefix: _Prefix | None = None


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
        `lanes`: calls that run at once, each on one thread (default: one per core).
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
        self._vocab_size = self._model.config.get_text_config().vocab_size
        self._eos_ids = _eos_ids(self._model, self.tokenizer)
        self._ll_tokenizer: llguidance.LLTokenizer | None = None
        self._ll_lock = threading.Lock()
        self.lanes = lanes or os.cpu_count() or 1
        self._free_lanes: queue.SimpleQueue[_Lane] = queue.SimpleQueue()
        for _ in range(self.lanes):
            self._free_lanes.put(_Lane())

    def close(self) -> None:
        del self._model

    @contextmanager
    def _lane(self) -> Iterator[_Lane]:
        """A lane for one call, waiting for one to be free."""
        lane = self._free_lanes.get()
        try:
            yield lane
        finally:
            _release_freed_memory()
            self._free_lanes.put(lane)

    # --- generation ------------------------------------------------------------------------------

    def complete(
        self,
        prompt: str,
        *,
        grammar: str | None = None,
        max_tokens: int = 64,
        stop: str | None = "\n",
        top_k: int = 0,
    ) -> Completion:
        with self._lane() as lane:
            deadline = time.monotonic() + self.timeout
            matcher = self._matcher(grammar, stop) if grammar is not None else None
            cache, logits = self._prefill(lane, encode_prompt(self.tokenizer, prompt), deadline)
            ids: list[int] = []
            rows: list[torch.Tensor] = []  # the (masked) logits each token was chosen from
            finished = False
            while not finished and len(ids) < max_tokens:
                # One model step: the greedy token, then whatever the grammar forces after it.
                mask = self._allowed(matcher) if matcher is not None else None
                choice = logits if mask is None else logits.masked_fill(~mask, -torch.inf)
                step, step_masks = [int(choice.argmax())], [mask]
                finished = self._accept(step[0], matcher, ids)
                if matcher is not None and not finished:
                    for forced in matcher.compute_ff_tokens()[: max_tokens - len(ids) - 1]:
                        step_masks.append(self._allowed(matcher))
                        step.append(forced)
                        if self._accept(forced, matcher, ids + step[:-1]):
                            finished = True
                            break
                ids.extend(step)
                finished = finished or cut_at_stop(self._decode(ids), stop)[1]
                # Feeding the step's tokens yields the distributions of its forced tokens and of
                # the next token; after the last step only the forced tokens' ones are needed.
                feed = step if not finished and len(ids) < max_tokens else step[:-1]
                out = self._forward(torch.tensor([feed]), cache, deadline)[0] if feed else None
                dists = [logits, *(out if out is not None else [])]
                for dist, allowed in zip(dists, step_masks):
                    rows.append(dist if allowed is None else dist.masked_fill(~allowed, -torch.inf))
                if len(dists) > len(step):
                    logits = dists[len(step)]
            text, _ = cut_at_stop(self._decode(ids), stop)
            offsets = [len(self._decode(ids[:i])) for i in range(len(ids))]
            kept = tokens_in_text(offsets, text)
            tokens = self._token_infos(rows[:kept], ids[:kept], top_k, texts=_split(text, offsets[:kept]))
            return Completion(text, tuple(tokens), "stop" if finished else "length")

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

    def _accept(self, token: int, matcher: llguidance.LLMatcher | None, before: list[int]) -> bool:
        """Advance the grammar by `token` (generated after `before`); True when generation ends."""
        if matcher is not None:
            # An error after an allowed token is a dead end: the grammar let the text so far
            # through but allows nothing after it (only end-of-sequence, which it then rejects).
            if not matcher.consume_token(token) or matcher.is_error():
                raise GrammarError(
                    f"The grammar allows no way to go on after {self._decode(before)!r}: one of "
                    "its rules needs a token that nothing matches (e.g. an empty slot)."
                )
            if matcher.is_stopped():
                return True
        return token in self._eos_ids

    def _decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    # --- scoring ---------------------------------------------------------------------------------

    def score(
        self, prompt: str, continuations: Sequence[str], *, top_k: int = 0
    ) -> list[tuple[TokenInfo, ...]]:
        with self._lane() as lane:
            deadline = time.monotonic() + self.timeout
            cache, first_logits = self._prefill(lane, encode_prompt(self.tokenizer, prompt), deadline)
            encoded = [encode_continuation(self.tokenizer, text) for text in continuations]
            results: list[tuple[TokenInfo, ...]] = [() for _ in encoded]
            todo = [i for i, ids in enumerate(encoded) if ids]
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

    def _prefill(self, lane: _Lane, ids: list[int], deadline: float) -> tuple[DynamicCache, torch.Tensor]:
        """A private KV cache holding `ids`, and the logits of the token after them.

        Starts from the lane's previous prompt's cache when that prompt is a prefix of this one.
        """
        if not ids:
            raise ValueError("The prompt is empty (the model needs at least one token to go on).")
        prefix = lane.prefix
        if prefix is not None and tuple(ids[: len(prefix.ids)]) == prefix.ids:
            cache, logits = copy.deepcopy(prefix.cache), prefix.logits
            rest = ids[len(prefix.ids) :]
            if not rest:
                return cache, logits
        else:
            cache, logits = DynamicCache(config=self._model.config), None
            rest = ids
        if rest:
            logits = self._forward(torch.tensor([rest]), cache, deadline, last_only=True)[0, -1]
        lane.prefix = _Prefix(tuple(ids), copy.deepcopy(cache), logits)
        return cache, logits

    def _forward(
        self, input_ids: torch.Tensor, cache: DynamicCache, deadline: float, last_only: bool = False
    ) -> torch.Tensor:
        """Logits [batch, tokens, vocab] of `input_ids` run after `cache` (which grows), as fp32."""
        if time.monotonic() > deadline:
            raise BackendTimeout(f"The local model took longer than {self.timeout:g} s.")
        with torch.inference_mode():
            out = self._model(
                input_ids=input_ids, past_key_values=cache, use_cache=True,
                logits_to_keep=1 if last_only else 0,
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


def _split(text: str, offsets: Sequence[int]) -> list[str]:
    """The text of each token, from the tokens' start offsets into `text`."""
    ends = [*offsets[1:], len(text)]
    return [text[start:end] for start, end in zip(offsets, ends)]
