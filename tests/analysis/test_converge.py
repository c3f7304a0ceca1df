"""The ICL convergence analysis (analysis/converge.py, `askcric converge`) and the per-request hook
(`Pipeline.convergence`): the scoring against a forward pass computed here with transformers on the
real model, the aggregation on numbers worked out by hand, and the command's output files."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from analysis.converge import (
    DSL_START_WORDS,
    TOP_K,
    Scored,
    aggregate,
    dsl_start_tokens,
    first_token_masses,
    pick_questions,
    question_stats,
    random_examples,
    score_question,
    table,
)
from retrieval.prompt import DEFAULT_HEADER
from retrieval.store import Pair, pair_to_json
from serving.backends import Backend, TokenInfo
from serving.models import DEFAULT_MODEL, ModelMissing, model_dir, resolve_adapter, served_name
from tests.conftest import require

QUESTION = Pair(id="d1", question="Virat Kohli ODI runs against Australia", split="dev",
                dsl='batting player "Virat Kohli" odi vs "Australia" runs')
NEAR = Pair(id="t1", question="Rohit Sharma ODI runs against England",
            dsl='batting player "Rohit Sharma" odi vs "England" runs')
FAR = Pair(id="t2", question="most Test wickets at Lord's", dsl='bowling test at "Lord\'s" top 10 wickets')


@pytest.fixture(scope="module")
def model_path() -> Path:
    try:
        return model_dir(DEFAULT_MODEL)
    except ModelMissing as missing:
        require(f"The model is not prepared: {missing}")


@pytest.fixture(scope="module")
def local_backend(model_path: Path) -> Iterator[Backend]:
    from serving.backends.local import LocalBackend

    backend = LocalBackend(DEFAULT_MODEL)
    yield backend
    backend.close()


# --- the scoring against a direct forward pass ----------------------------------------------------

@pytest.mark.slow
def test_scoring_equals_a_direct_forward_pass(model_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from serving.backends.local import LocalBackend

    # fp32, so that the cached-prefix path and one forward pass agree to 1e-4 (bf16 rounds them apart)
    backend = LocalBackend(DEFAULT_MODEL, dtype=torch.float32)
    try:
        dsl_texts = dsl_start_tokens(backend.tokenizer)
        scored = score_question(backend, QUESTION, [NEAR, FAR], 2, order="nearest", dsl_texts=dsl_texts)
    finally:
        backend.close()
    assert [s.k for s in scored] == [0, 1, 2]

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
    start_ids = {tokenizer(" " + word, add_special_tokens=False).input_ids[0] for word in DSL_START_WORDS}
    shots = {  # written out here: the nearest example sits last, right before the question
        0: "",
        1: f"Q: {NEAR.question}\nDSL: {NEAR.dsl}\n\n",
        2: f"Q: {FAR.question}\nDSL: {FAR.dsl}\n\nQ: {NEAR.question}\nDSL: {NEAR.dsl}\n\n",
    }
    for item in scored:
        prompt = f"{DEFAULT_HEADER}\n\n{shots[item.k]}Q: {QUESTION.question}\nDSL:"
        prompt_ids = tokenizer(prompt).input_ids
        gold_ids = tokenizer(" " + QUESTION.dsl, add_special_tokens=False).input_ids
        with torch.inference_mode():
            logits = model(torch.tensor([prompt_ids + gold_ids])).logits[0].float()
        logprobs = torch.log_softmax(logits[len(prompt_ids) - 1 : -1], dim=-1)
        assert item.prompt_tokens == len(prompt_ids)
        assert len(item.tokens) == len(gold_ids)
        for position, (token, token_id) in enumerate(zip(item.tokens, gold_ids)):
            row = logprobs[position]
            expected = float(row[token_id])
            assert token.logprob == pytest.approx(expected, abs=1e-4), (item.k, position)
            assert token.rank == int((row > row[token_id]).sum()) + 1
            entropy = float(-(row.exp() * row).sum())
            assert token.entropy == pytest.approx(entropy, abs=1e-4)
            top_values, top_ids = row.topk(TOP_K)
            assert [text for text, _ in token.top] == [tokenizer.decode([int(i)]) for i in top_ids]
            assert [lp for _, lp in token.top] == pytest.approx(top_values.tolist(), abs=1e-4)
        # First token: the top-20 mass on DSL-start tokens, and on the other top-20 tokens.
        first = logprobs[0]
        top_ids = first.topk(TOP_K).indices.tolist()
        dsl_mass = sum(float(first[i].exp()) for i in top_ids if i in start_ids)
        top_mass = sum(float(first[i].exp()) for i in top_ids)
        assert item.first_dsl_mass == pytest.approx(dsl_mass, abs=1e-4)
        assert item.first_english_mass == pytest.approx(top_mass - dsl_mass, abs=1e-4)
        assert item.first_outside_mass == pytest.approx(1 - top_mass, abs=1e-4)


@pytest.mark.slow
def test_the_pipeline_hook_scores_as_the_analysis_does(local_backend: Backend) -> None:
    from serving.answer import Answer
    from serving.pipeline import Pipeline, Translation

    pipeline = Pipeline(local_backend, engine=None, store=None, linker=None)
    translation = Translation(QUESTION.question, linked=None, examples=[NEAR], prompt="", dsl=QUESTION.dsl,
                              neighbours=[NEAR, FAR])
    records = pipeline.convergence(translation, kmax=8)  # capped at the 2 examples retrieved
    assert [r["k"] for r in records] == [0, 1, 2]
    dsl_texts = dsl_start_tokens(local_backend.tokenizer)
    scored = score_question(local_backend, QUESTION, [NEAR, FAR], 2, order="nearest", dsl_texts=dsl_texts)
    for record, item in zip(records, scored):
        assert record["token_probs"] == pytest.approx([t.prob for t in item.tokens], abs=2e-5)
        assert record["tokens"] == [t.text for t in item.tokens]
        assert record["mean_prob"] == pytest.approx(question_stats(item).mean_prob, abs=2e-5)
        assert record["bits"] == pytest.approx(question_stats(item).bits, abs=2e-3)
    assert pipeline.convergence(translation, kmax=1)[-1]["k"] == 1
    assert Answer().convergence is None
    assert Answer(convergence=records).model_dump()["convergence"][2]["k"] == 2


# --- aggregation on a hand-made example ---------------------------------------------------------

def _scored(question_id: str, k: int, probs: list[float], top=(), order="nearest") -> Scored:
    tokens = tuple(TokenInfo(text=f"t{i}", logprob=math.log(p), rank=1 if p >= 0.5 else 2, entropy=0.5,
                             top=top if i == 0 else ()) for i, p in enumerate(probs))
    dsl, english, outside = first_token_masses(tokens[0], frozenset({" bat", " team"}))
    return Scored(model="m", order=order, question_id=question_id, k=k, prompt_tokens=10, tokens=tokens,
                  first_dsl_mass=dsl, first_english_mass=english, first_outside_mass=outside)


def test_first_token_masses_split_the_top_k() -> None:
    token = TokenInfo(text=" bat", logprob=math.log(0.3), rank=1, entropy=1.0,
                      top=((" bat", math.log(0.3)), (" the", math.log(0.2)), (" team", math.log(0.1))))
    dsl, english, outside = first_token_masses(token, frozenset({" bat", " team", " bowling", " field"}))
    assert (dsl, english, outside) == pytest.approx((0.4, 0.2, 0.4))


def test_aggregation_by_hand() -> None:
    top = ((" bat", math.log(0.5)), (" The", math.log(0.25)))
    items = [
        _scored("a", 0, [0.5, 0.25], top=top),  # mean .375, geo sqrt(.125), bits 1 + 2 = 3
        _scored("b", 0, [1.0, 0.5, 0.5]),  # mean 2/3, geo .25^(1/3), bits 2
        _scored("c", 0, [0.125, 0.25]),  # mean .1875, geo sqrt(1/32), bits 3 + 2 = 5
        _scored("a", 1, [1.0, 1.0]),
        _scored("a", 1, [0.5], order="random"),
    ]
    rows = aggregate(items)
    assert [(r["order"], r["k"], r["n_questions"]) for r in rows] == [
        ("nearest", 0, 3), ("nearest", 1, 1), ("random", 1, 1)]
    k0 = rows[0]
    means = [0.375, 2 / 3, 0.1875]
    assert k0["mean_prob"] == pytest.approx(sum(means) / 3)
    assert k0["mean_prob_median"] == pytest.approx(0.375)
    # numpy's linear interpolation over the sorted values .1875, .375, .6667: halfway between neighbours
    assert k0["mean_prob_q1"] == pytest.approx((0.1875 + 0.375) / 2)
    assert k0["mean_prob_q3"] == pytest.approx((0.375 + 2 / 3) / 2)
    geos = [math.sqrt(0.125), 0.25 ** (1 / 3), math.sqrt(1 / 32)]
    assert k0["geo_mean_prob"] == pytest.approx((geos[0] * geos[1] * geos[2]) ** (1 / 3))
    assert k0["geo_prob_median"] == pytest.approx(geos[0])
    assert k0["token_mean_prob"] == pytest.approx((0.5 + 0.25 + 1 + 0.5 + 0.5 + 0.125 + 0.25) / 7)
    assert k0["bits_mean"] == pytest.approx(10 / 3)
    assert (k0["bits_q1"], k0["bits_median"], k0["bits_q3"]) == pytest.approx((2.5, 3.0, 4.0))
    assert k0["first_token_prob"] == pytest.approx((0.5 + 1.0 + 0.125) / 3)
    # only question a has a top list: .5 on " bat" (a DSL start), .25 on " The"; b and c have none
    assert k0["first_dsl_mass"] == pytest.approx(0.5 / 3)
    assert k0["first_english_mass"] == pytest.approx(0.25 / 3)
    assert k0["first_outside_top20_mass"] == pytest.approx((0.25 + 1 + 1) / 3)
    assert k0["top1_share"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert rows[1]["mean_prob"] == rows[1]["geo_mean_prob"] == 1.0
    assert rows[1]["bits_median"] == 0.0


def test_the_printed_table_shows_the_statistic_of_the_probability_plot() -> None:
    """prob_vs_k.png draws each k's median (band: IQR) of the questions' mean gold-token
    probability; the printed table must show the same numbers, not the mean."""
    rows = aggregate([_scored("a", 0, [0.5, 0.25]), _scored("b", 0, [1.0, 0.5, 0.5]), _scored("c", 0, [0.125, 0.25])])
    assert rows[0]["mean_prob_median"] != pytest.approx(rows[0]["mean_prob"])  # the two differ here
    assert table(rows, ks=(0,)) == [["m", "nearest", f"{rows[0]['mean_prob_median']:.3f}"]]


def test_question_and_example_draws_are_seeded() -> None:
    pairs = [Pair(id=f"p{i}", question=f"q{i}", dsl="team wins", split="dev" if i % 3 == 0 else "train")
             for i in range(60)]
    dev = [p for p in pairs if p.split == "dev"]
    first = pick_questions(pairs, "dev", 5, seed=0)
    assert first == pick_questions(pairs, "dev", 5, seed=0)
    assert pick_questions(pairs, "dev", 10, seed=0)[:5] == first  # a larger n keeps the first ones
    assert {p.id for p in first} <= {p.id for p in dev} and len(first) == 5
    train = [p for p in pairs if p.split == "train"]
    drawn = random_examples(first[0], train, 8)
    assert drawn == random_examples(first[0], train, 8) and len(set(drawn)) == 8
    assert drawn != random_examples(first[1], train, 8)


# --- the command --------------------------------------------------------------------------------

TRAIN = [
    ("Joe Root Test runs at Lord's", 'batting player "Joe Root" test at "Lord\'s" runs'),
    ("Steve Smith Test average against India", 'batting player "Steve Smith" test vs "India" average'),
    ("most ODI wickets since 2015", "bowling odi since 2015 top 10 wickets"),
    ("India ODI wins by year", 'team "India" odi by year wins'),
    ("Jasprit Bumrah T20I economy", 'bowling player "Jasprit Bumrah" t20i economy'),
    ("Kane Williamson Test hundreds", 'batting player "Kane Williamson" test hundreds'),
    ("most IPL sixes", "batting ipl top 10 sixes"),
    ("Australia Test wins at home since 2010", 'team "Australia" test home since 2010 wins'),
]
DEV = [
    ("Virat Kohli ODI runs against Australia", 'batting player "Virat Kohli" odi vs "Australia" runs'),
    ("most Test wickets since 2020", "bowling test since 2020 top 10 wickets"),
]


@pytest.mark.slow
def test_the_command_writes_csv_json_and_pngs(tmp_path: Path, model_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from serving.cli import main

    monkeypatch.setenv("ASKCRIC_HOME", str(tmp_path / "home"))  # index caches stay in the test's folder
    corpus = tmp_path / "pairs.jsonl"
    pairs = [Pair(id=f"t{i}", question=q, dsl=d) for i, (q, d) in enumerate(TRAIN)]
    pairs += [Pair(id=f"d{i}", question=q, dsl=d, split="dev") for i, (q, d) in enumerate(DEV)]
    corpus.write_text("".join(pair_to_json(p) + "\n" for p in pairs), encoding="utf-8")
    out = tmp_path / "out"
    status = main(["converge", "--n", "2", "--kmax", "2", "--order", "both", "--retrieval", "raw",
                   "--corpus", str(corpus), "--out", str(out)])
    assert status == 0

    with open(out / "tokens.csv", encoding="utf-8") as rows:
        records = list(csv.DictReader(rows))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {q["id"] for q in summary["questions"]} == {"d0", "d1"}
    seen = {(r["order"], r["question_id"], r["k"]) for r in records}
    assert seen == {(o, q, str(k)) for o in ("nearest", "random") for q in ("d0", "d1") for k in range(3)}
    firsts = [r for r in records if r["position"] == "0"]
    assert len(firsts) == 12 and all(r["first_dsl_mass"] != "" for r in firsts)
    assert all(0.0 < float(r["prob"]) <= 1.0 for r in records)
    for order in ("nearest", "random"):
        for question in ("d0", "d1"):
            text = "".join(r["token"] for r in records
                           if r["order"] == order and r["question_id"] == question and r["k"] == "1")
            assert text == " " + DEV[int(question[1])][1]  # the gold DSL, token by token

    per_k = summary["per_k"]
    assert [(r["order"], r["k"]) for r in per_k] == [(o, k) for o in ("nearest", "random") for k in range(3)]
    served = served_name(DEFAULT_MODEL, resolve_adapter(DEFAULT_MODEL, None))  # with its shipped adapter
    assert all(r["n_questions"] == 2 and r["model"] == served for r in per_k)
    for row in per_k:  # the summary agrees with the CSV
        probs = [float(r["prob"]) for r in records if r["order"] == row["order"] and r["k"] == str(row["k"])]
        assert row["token_mean_prob"] == pytest.approx(np.mean(probs), rel=1e-4)
    assert per_k[0]["k"] == 0 and per_k[0]["mean_prob"] == pytest.approx(per_k[3]["mean_prob"])  # k=0: same prompt
    assert summary["models"][0]["scorings"] == 12
    for name in ("prob_vs_k.png", "bits_vs_k.png", "first_token_vs_k.png", summary["heatmaps"][served]["file"]):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


# --- the same outputs from the query log's live records --------------------------------------------

def logged_record(k: int, probs: list[float]) -> dict:
    tokens = [" bat", "ting", " runs"][: len(probs)]
    return {"k": k, "tokens": tokens, "token_probs": probs, "mean_prob": float(np.mean(probs)),
            "bits": -sum(math.log2(p) for p in probs)}


def test_from_log_draws_the_curves_of_the_logged_answers(tmp_path: Path) -> None:
    from serving.cli import main
    from serving.querylog import QueryLog

    db = tmp_path / "query_log.sqlite"
    query_log = QueryLog(tmp_path / "logs", db)
    query_log.record_convergence("q one", "batting runs", [logged_record(0, [0.2, 0.4]), logged_record(1, [0.8, 0.6])],
                                 "smollm2-135m")
    query_log.record_convergence("q two", "batting runs", [logged_record(0, [0.4, 0.6]), logged_record(1, [1.0, 0.8])],
                                 "smollm2-135m")
    query_log.close()
    out = tmp_path / "out"

    assert main(["converge", "--from-log", str(db), "--out", str(out)]) == 0

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [q["question"] for q in summary["questions"]] == ["q one", "q two"]
    per_k = summary["per_k"]
    assert [(r["model"], r["order"], r["k"], r["n_questions"]) for r in per_k] == [
        ("smollm2-135m", "live", 0, 2), ("smollm2-135m", "live", 1, 2)]
    assert per_k[0]["mean_prob_median"] == pytest.approx(0.4)  # medians of (0.3, 0.5) and (0.7, 0.9)
    assert per_k[1]["mean_prob_median"] == pytest.approx(0.8)
    assert per_k[1]["first_dsl_mass"] is None  # a log keeps no alternatives: not invented
    for name in ("prob_vs_k.png", "bits_vs_k.png", summary["heatmaps"]["smollm2-135m"]["file"]):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert not (out / "first_token_vs_k.png").exists()


def test_from_log_says_how_to_fill_an_empty_log(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from serving.cli import main
    from serving.querylog import QueryLog

    db = tmp_path / "query_log.sqlite"
    QueryLog(tmp_path / "logs", db).record_convergence("q", "batting runs", [], "smollm2-135m")  # creates the tables

    assert main(["converge", "--from-log", str(db), "--out", str(tmp_path / "out")]) == 1
    assert "--log-convergence" in capsys.readouterr().err
    assert main(["converge", "--from-log", str(tmp_path / "absent.sqlite")]) == 1
