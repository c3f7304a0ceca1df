"""Both backends on the real model (the local one in-process, vLLM through a real server):
grammar-constrained greedy outputs, agreement of their scores, and their errors."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from serving.backends import (
    Backend,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    GrammarError,
    encode_continuation,
    encode_prompt,
    get_backend,
)
from serving.backends.vllm import VllmBackend
from serving.models import DEFAULT_MODEL
from serving.vllm_server import VllmServer
from tests.serving.conftest import ADAPTER, free_port
from tests.serving.corpus import cases, decoding_grammar, is_valid_dsl, render_prompt

pytestmark = pytest.mark.slow

OFF_TOPIC = render_prompt("Tell me a joke about cricket.", list(cases()[:4]))
"""A prompt the model answers with something other than DSL when unconstrained."""


def test_constrained_greedy_outputs_are_valid_dsl(backend: Backend) -> None:
    invalid = []
    for case in cases():
        completion = backend.complete(case.prompt, grammar=decoding_grammar())
        assert "".join(token.text for token in completion.tokens) == completion.text
        if not (is_valid_dsl(completion.text) and completion.finish_reason == "stop"):
            invalid.append((case.id, completion.text, completion.finish_reason))
    assert not invalid, f"{len(invalid)}/{len(cases())} constrained outputs are not DSL: {invalid}"


def test_the_grammar_is_really_applied(backend: Backend) -> None:
    free = backend.complete(OFF_TOPIC)
    assert not is_valid_dsl(free.text), f"the off-topic prompt gave DSL unconstrained: {free.text!r}"
    constrained = backend.complete(OFF_TOPIC, grammar=decoding_grammar())
    assert is_valid_dsl(constrained.text), (
        f"{backend.name}: with the grammar the output is still not DSL: {constrained.text!r}"
    )


def test_backends_agree_on_scores(local_backend: Backend, vllm_backend: Backend) -> None:
    differences = []
    for i, case in enumerate(cases()):
        other = cases()[(i + 1) % len(cases())]  # a second candidate, to score a batch of two
        continuations = [" " + case.dsl, " " + other.dsl]
        local = local_backend.score(case.prompt, continuations)
        served = vllm_backend.score(case.prompt, continuations)
        for mine, theirs in zip(local, served):
            assert [t.text for t in mine] == [t.text for t in theirs]
            differences += [abs(a.logprob - b.logprob) for a, b in zip(mine, theirs)]
    mean = sum(differences) / len(differences)
    assert mean < 0.05, f"mean |local - vLLM| logprob over {len(differences)} tokens: {mean:.4f} nats"


def _mean_difference(first: Backend, second: Backend) -> float:
    """Mean |logprob difference| of the two backends over every case's gold DSL tokens."""
    differences = []
    for case in cases():
        (mine,), (theirs,) = first.score(case.prompt, [" " + case.dsl]), second.score(case.prompt, [" " + case.dsl])
        differences += [abs(a.logprob - b.logprob) for a, b in zip(mine, theirs)]
    return sum(differences) / len(differences)


def test_both_backends_serve_the_lora_adapter_alike(vllm_lora_server: VllmServer, local_backend: Backend) -> None:
    from serving.backends.local import LocalBackend

    local = LocalBackend(DEFAULT_MODEL, adapter=ADAPTER)
    served = VllmBackend(DEFAULT_MODEL, adapter=ADAPTER, url=vllm_lora_server.url)
    try:
        assert local.model == served.model == "smollm2-135m+smollm2-135m-askcric"
        assert _mean_difference(local, served) < 0.05
        assert _mean_difference(local, local_backend) > 0.05, "the adapted model scores like the base"
        two = [" " + case.dsl for case in cases()[:2]]  # a batch, which the LoRA server takes one by one
        scored = served.score(cases()[0].prompt, two)
        assert [len(tokens) for tokens in scored] == [len(encode_continuation(served.tokenizer, t)) for t in two]
    finally:
        local.close()
        served.close()


@pytest.mark.parametrize("dtype, tolerance", [
    (torch.float32, 1e-4),  # the cached prefill and the batch are exactly one forward pass
    (torch.bfloat16, 0.5),  # bf16 rounds differently with each pass's length: up to ~0.32 nats seen
])
def test_local_score_equals_a_direct_forward_pass(model_path, dtype, tolerance) -> None:
    """Each way `score` runs: a lone continuation in the prompt's own pass, a lone one after the
    cached prompt, a batch after it; and generation after them starts from the prompt alone."""
    from serving.backends.local import LocalBackend

    prompt = "Q: Virat Kohli's ODI average?\nDSL:"
    continuations = [' batting player "Virat Kohli" odi average', " team odi wins"]
    backend = LocalBackend(DEFAULT_MODEL, dtype=dtype, lanes=1)
    try:
        alone = [backend.score(prompt, [continuation], top_k=3)[0] for continuation in continuations]
        batched = backend.score(prompt, continuations, top_k=3)
        generated = backend.complete(prompt, max_tokens=1).tokens[0]
    finally:
        backend.close()

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype).eval()
    prompt_ids = encode_prompt(tokenizer, prompt)
    for continuation, *ways in zip(continuations, alone, batched):
        ids = encode_continuation(tokenizer, continuation)
        with torch.inference_mode():
            logits = model(torch.tensor([prompt_ids + ids])).logits[0].float()
        logprobs = torch.log_softmax(logits[len(prompt_ids) - 1 : -1], dim=-1)
        for tokens in ways:
            assert len(tokens) == len(ids)
            for position, (token_id, token) in enumerate(zip(ids, tokens)):
                row = logprobs[position]
                assert token.logprob == pytest.approx(float(row[token_id]), abs=tolerance)
                if dtype == torch.float32:
                    assert token.rank == int((row > row[token_id]).sum()) + 1
                assert token.entropy == pytest.approx(float(-(row.exp() * row).sum()), abs=tolerance)
                assert token.top[0][1] == pytest.approx(float(row.max()), abs=tolerance)
    assert generated.logprob == pytest.approx(float(logprobs[0].max()), abs=tolerance)


def test_a_call_runs_in_the_lane_that_holds_its_prompt(model_path, monkeypatch) -> None:
    """Another prompt, then scoring and generating on one prompt: the generation takes the lane
    whose cache holds its prompt (not the one free longest), so no pass runs the prompt again."""
    from serving.backends.local import LocalBackend

    first, other = cases()[0].prompt, cases()[1].prompt
    backend = LocalBackend(DEFAULT_MODEL, lanes=2)
    try:
        backend.score(other, [" x"])
        backend.score(first, [" x"])
        passes: list[int] = []  # tokens fed to each model pass
        forward = backend._forward

        def counted_forward(input_ids, *args, **kwargs):
            passes.append(input_ids.shape[1])
            return forward(input_ids, *args, **kwargs)

        monkeypatch.setattr(backend, "_forward", counted_forward)
        backend.complete(first, grammar=decoding_grammar(), max_tokens=8)
        assert passes and max(passes) < len(encode_prompt(backend.tokenizer, first)) / 4
    finally:
        backend.close()


def test_local_generation_is_greedy_decoding(model_path, monkeypatch) -> None:
    """Prompt lookup only saves passes: in fp32 the completions (text and every token's logprob)
    are plain greedy decoding's, free (against transformers' generate) and under the grammar
    (against the same backend with lookup turned off), whatever likely texts it is given, right
    or wrong."""
    from serving.backends import local

    prompts = [case.prompt for case in cases()[:6]]
    likely = [[" " + other.dsl, " " + case.dsl] for case, other in zip(cases()[:6], cases()[6:12])]
    backend = local.LocalBackend(DEFAULT_MODEL, dtype=torch.float32)
    try:
        looked_up = [backend.complete(p, grammar=decoding_grammar(), max_tokens=40) for p in prompts]
        looked_up += [backend.complete(p, grammar=decoding_grammar(), max_tokens=40, likely=texts)
                      for p, texts in zip(prompts, likely)]
        free = [backend.complete(p, grammar=None, max_tokens=24).text for p in prompts]
        monkeypatch.setattr(local, "LOOKUP_TOKENS", 0)
        plain = [backend.complete(p, grammar=decoding_grammar(), max_tokens=40) for p in prompts]
    finally:
        backend.close()
    for fast, slow in zip(looked_up, plain + plain):
        assert fast.text == slow.text and fast.finish_reason == slow.finish_reason
        assert [t.logprob for t in fast.tokens] == pytest.approx([t.logprob for t in slow.tokens], abs=1e-4)

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
    for prompt, text in zip(prompts, free):
        ids = torch.tensor([encode_prompt(tokenizer, prompt)])
        with torch.inference_mode():
            out = model.generate(ids, max_new_tokens=24, do_sample=False, pad_token_id=tokenizer.eos_token_id)
        greedy = tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
        assert text == greedy.split("\n")[0]


def test_scores_carry_ranks_and_top_alternatives(backend: Backend) -> None:
    case = cases()[0]
    (tokens,) = backend.score(case.prompt, [" " + case.dsl], top_k=5)
    for token in tokens:
        assert len(token.top) == 5
        assert [lp for _, lp in token.top] == sorted((lp for _, lp in token.top), reverse=True)
        assert token.rank >= 1 and token.logprob <= 0
        assert (token.rank == 1) == math.isclose(token.logprob, token.top[0][1], abs_tol=1e-6)
        assert token.entropy is not None and token.entropy >= 0


def test_score_keeps_the_order_and_handles_an_empty_continuation(backend: Backend) -> None:
    case = cases()[1]
    both = backend.score(case.prompt, [" " + case.dsl, ""])
    alone = backend.score(case.prompt, [" " + case.dsl])
    assert both[1] == ()
    assert [t.text for t in both[0]] == [t.text for t in alone[0]]


def test_complete_is_deterministic_and_stops_at_the_newline(backend: Backend) -> None:
    case = cases()[2]
    first = backend.complete(case.prompt, grammar=decoding_grammar(), top_k=2)
    second = backend.complete(case.prompt, grammar=decoding_grammar(), top_k=2)
    assert first.text == second.text
    assert "\n" not in first.text and first.finish_reason == "stop"
    assert all(len(token.top) <= 2 for token in first.tokens)


def test_complete_reports_running_out_of_tokens(backend: Backend) -> None:
    completion = backend.complete(cases()[3].prompt, grammar=decoding_grammar(), max_tokens=2)
    assert completion.finish_reason == "length"
    assert len(completion.tokens) <= 2


def test_an_invalid_grammar_is_a_grammar_error(backend: Backend) -> None:
    with pytest.raises(GrammarError):
        backend.complete(cases()[0].prompt, grammar="start: undefined_rule\n")
    with pytest.raises(GrammarError, match="start"):
        backend.complete(cases()[0].prompt, grammar='query: "batting"\n')


def test_a_grammar_dead_end_is_a_grammar_error(local_backend: Backend) -> None:
    with pytest.raises(GrammarError, match="no way to go on"):
        local_backend.complete(cases()[0].prompt, grammar='start: "batting" NOTHING\nNOTHING: /[^\\s\\S]/\n')


def test_vllm_backend_says_how_to_start_a_missing_server() -> None:
    backend = VllmBackend(url=f"http://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(BackendUnavailable, match="askcric vllm-serve"):
        backend.complete("Q: hello\nDSL:")
    with pytest.raises(BackendUnavailable):
        backend.score("Q: hello\nDSL:", [" batting runs"])


def test_vllm_backend_reports_a_model_the_server_does_not_serve(vllm_server: VllmServer, model_path) -> None:
    backend = VllmBackend(str(model_path), url=vllm_server.url)  # served as "smollm2-135m"
    with pytest.raises(BackendError, match="does not exist"):
        backend.complete("Q: hello\nDSL:")


def test_timeouts(local_backend: Backend, vllm_server: VllmServer) -> None:
    with pytest.raises(BackendTimeout):
        VllmBackend(url=vllm_server.url, timeout=0.001).complete(cases()[0].prompt, max_tokens=64)
    saved, local_backend.timeout = local_backend.timeout, 0.0
    try:
        with pytest.raises(BackendTimeout):
            local_backend.complete(cases()[0].prompt)
    finally:
        local_backend.timeout = saved


def test_unknown_backend_name() -> None:
    with pytest.raises(ValueError, match="local, vllm"):
        get_backend("llamacpp")
