"""The adapter's training objective (analysis/adapt.py) against the same losses computed here from
plain forward passes of the real model, and a short training run that the local backend loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.adapt import AdaptConfig, TrainingPrompt, encode, item_loss, train
from retrieval.prompt import render
from retrieval.store import Pair
from serving.models import DEFAULT_MODEL, ModelMissing, model_dir
from tests.conftest import require

pytestmark = pytest.mark.slow

GOLD = Pair(id="d1", question="Virat Kohli ODI runs against Australia",
            dsl='batting player "Virat Kohli" odi vs "Australia" runs')
NEAR = Pair(id="t1", question="Rohit Sharma ODI runs against England",
            dsl='batting player "Rohit Sharma" odi vs "England" runs')
RIVALS = ('batting player "Virat Kohli" odi vs "Australia" average', 'bowling player "Virat Kohli" odi vs "Australia" wickets')
PROMPT = TrainingPrompt(GOLD, 1, render(GOLD.question, [NEAR]), (GOLD.dsl, *RIVALS))


@pytest.fixture(scope="module")
def model_path() -> Path:
    try:
        return model_dir(DEFAULT_MODEL)
    except ModelMissing as missing:
        require(f"The model is not prepared: {missing}")


def test_the_loss_is_the_gold_token_loss_plus_the_ranking_loss_of_plain_forward_passes(model_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
    item = encode(tokenizer, PROMPT)
    assert len(item.rival_ids) == 2  # the gold query is not its own rival

    def continuation_logprobs(ids: tuple[int, ...]) -> torch.Tensor:
        with torch.no_grad():
            logits = model(torch.tensor([item.prompt_ids + ids])).logits[0].float()
        rows = torch.log_softmax(logits[len(item.prompt_ids) - 1 : -1], dim=-1)
        return rows[torch.arange(len(ids)), torch.tensor(ids)]

    gold = continuation_logprobs(item.gold_ids)
    scores = torch.stack([gold[:-1].sum()] + [continuation_logprobs(ids).sum() for ids in item.rival_ids])
    expected_rank = float(-torch.log_softmax(scores, dim=0)[0])
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    with torch.no_grad():
        token_only = float(item_loss(model, item, 0.0, pad))
        both = float(item_loss(model, item, 0.5, pad))
    assert token_only == pytest.approx(float(-gold.mean()), abs=1e-4)
    assert both == pytest.approx(token_only + 0.5 * expected_rank, abs=1e-4)


def test_a_short_run_saves_an_adapter_the_local_backend_scores_with(model_path: Path, tmp_path: Path) -> None:
    import torch

    from serving.backends.local import LocalBackend

    out = tmp_path / "adapter"
    report = train(model_path, [PROMPT] * 4, out, AdaptConfig(steps=3, batch=2, lr=1e-3, warmup=1, minutes=5))
    assert report.steps == 3 and report.pairs_seen == 6 and report.ranked_share == 1.0
    info = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert info["steps"] == 3 and info["pairs_with_rivals"] == 1.0 and len(info["losses"]) == 3

    def gold_margin(backend: LocalBackend) -> float:
        gold, *rivals = backend.score(PROMPT.prompt, [" " + GOLD.dsl] + [" " + text for text in RIVALS])
        return sum(t.logprob for t in gold) - max(sum(t.logprob for t in rival) for rival in rivals)

    base, adapted = LocalBackend(DEFAULT_MODEL, dtype=torch.float32), LocalBackend(
        DEFAULT_MODEL, adapter=str(out), dtype=torch.float32)
    try:
        assert gold_margin(adapted) > gold_margin(base)  # three steps on this one item: it learnt it
    finally:
        base.close()
        adapted.close()
