"""ExampleStore: selection (raw, masked, combined, MMR), the index cache, online add."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from retrieval.embed import embed
from retrieval.store import CorpusError, ExampleStore, Pair, cache_paths, load_pairs


def cosine(a: str, b: str) -> float:
    first, second = embed([a, b])
    return float(first @ second)


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- selection -----------------------------------------------------------------------------------

def test_select_returns_the_nearest_train_pairs_first_with_their_cosines(store):
    question = "Virat Kohli's ODI average in 2018"
    results = store.select(question, 5)
    assert [r.id for r in results][0] == "t02"  # the same question is in the store
    assert results[0].score == pytest.approx(1.0, abs=1e-4)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    for result in results:
        assert result.score == pytest.approx(cosine(question, result.question), abs=1e-4)
    assert results[0].dsl == 'batting | player "Virat Kohli" | format ODI | year 2018 | show average'
    assert results[0].tags == ("batting", "aggregate")


def test_only_the_train_split_is_stored(store):
    assert len(store) == 40
    results = store.select("What is Steve Smith's ODI average in 2016?", 40)
    assert len(results) == 40
    assert all(r.split == "train" and r.id.startswith("t") for r in results)


def test_k_beyond_the_store_and_k_zero(store):
    assert len(store.select("Most IPL runs", 100)) == 40
    assert store.select("Most IPL runs", 0) == []
    with pytest.raises(ValueError):
        store.select("Most IPL runs", -1)


def test_selection_is_deterministic(store):
    question = "Rohit Sharma's ODI hundreds against Australia"
    first = store.select(question, 8)
    assert store.select(question, 8) == first
    # A second store opened from the same corpus (and so from the cache) agrees.
    reopened = ExampleStore(store.corpus, mask=store.mask, mask_version=store.mask_version)
    assert not reopened.rebuilt
    assert reopened.select(question, 8) == first


def test_masked_selection_searches_the_masked_questions(store, masking):
    mask = masking["mask"]
    question = "What is Steve Smith's ODI average in 2016?"
    masked = mask(question)
    assert masked == "What is <player>'s ODI average in <year>?"
    results = store.select(question, 5, masked_question=masked)
    # Each score is the cosine between the masked question and the pair's masked question.
    for result in results:
        assert result.score == pytest.approx(cosine(masked, mask(result.question)), abs=1e-4)
    # With names out of the way, the nearest is a player's ODI average in a year.
    assert results[0].dsl.startswith("batting | player") and "| year " in results[0].dsl
    assert results[0].dsl.endswith("show average")


def test_combined_scores_weigh_raw_and_masked_cosines(store, masking):
    mask = masking["mask"]
    question = "Jasprit Bumrah Test wickets in England"
    results = store.select(question, 4, masked_question=mask(question), raw_weight=0.25)
    for result in results:
        expected = (0.25 * cosine(question, result.question)
                    + 0.75 * cosine(mask(question), mask(result.question)))
        assert result.score == pytest.approx(expected, abs=1e-4)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    # raw_weight=1 is plain raw selection.
    assert (store.select(question, 4, masked_question=mask(question), raw_weight=1.0)
            == store.select(question, 4))


def test_masked_question_needs_a_store_with_a_mask(corpus):
    plain = ExampleStore(corpus)
    with pytest.raises(ValueError, match="no masked index"):
        plain.select("Most ODI wickets", 3, masked_question="Most ODI wickets")
    with pytest.raises(ValueError, match="together"):
        ExampleStore(corpus, mask=str.lower)


def test_mmr_picks_diverse_examples(store):
    # The store holds Kohli's ODI average in four years: plain selection returns all four.
    question = "Virat Kohli's ODI average in 2015"
    near_duplicates = {"t02", "t03", "t04", "t05"}
    plain = store.select(question, 4)
    assert {r.id for r in plain} == near_duplicates
    diverse = store.select(question, 4, mmr=0.5)
    assert diverse[0] == plain[0]  # the first pick is always the most relevant
    assert len({r.id for r in diverse} & near_duplicates) <= 2

    def mean_pairwise_cosine(results):
        vectors = embed([r.question for r in results])
        similarity = vectors @ vectors.T
        return similarity[np.triu_indices(len(results), 1)].mean()

    assert mean_pairwise_cosine(diverse) < mean_pairwise_cosine(plain) - 0.1
    # lambda = 1 is relevance only: the plain order.
    assert store.select(question, 4, mmr=1.0) == plain


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_indexes_agree_with_exact_on_a_small_store(store, kind, masking):
    approximate = ExampleStore(store.corpus, index_kind=kind, **masking)
    assert approximate.cache_path.name.endswith(f".{kind}.npz")
    for question in ["Most Test wickets in 2022", "England's T20I wins by year"]:
        assert ([r.id for r in approximate.select(question, 5)]
                == [r.id for r in store.select(question, 5)])
        assert (approximate.select(question, 3, mmr=0.6) == store.select(question, 3, mmr=0.6))


# --- the corpus file -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", ":2:"),
        ('{"id": "x", "question": "q", "dsl": "d", "split": "test", "tags": []}', "split"),
        ('{"id": "x", "question": "", "dsl": "d", "split": "train", "tags": []}', "question"),
        ('{"id": "x", "question": "q", "dsl": "d", "split": "train", "tags": "a"}', "tags"),
        ('{"id": "t01", "question": "q", "dsl": "d", "split": "train", "tags": []}', "twice"),
    ],
)
def test_bad_corpus_lines_are_reported_with_their_line_number(tmp_path, line, message):
    path = tmp_path / "pairs.jsonl"
    good = '{"id": "t01", "question": "q", "dsl": "d", "split": "train", "tags": []}'
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message) as error:
        load_pairs(path)
    assert ":2:" in str(error.value)


# --- the cache: persistence and rebuilds ---------------------------------------------------------

def recording_progress(calls: list):
    def progress(label: str, total: int):
        calls.append((label, total))
        return lambda: None

    return progress


def test_the_index_is_cached_beside_the_corpus_and_loaded_next_time(corpus, masking):
    calls: list = []
    first = ExampleStore(corpus, progress=recording_progress(calls), **masking)
    assert first.rebuilt
    assert calls == [("embedding questions", 8), ("embedding masked questions", 8)]
    assert first.cache_path == corpus.parent / ".index" / "pairs.flat.npz"
    assert first.cache_path.exists()

    calls.clear()
    second = ExampleStore(corpus, progress=recording_progress(calls), **masking)
    assert not second.rebuilt and calls == []
    question = "Joe Root's ODI average in 2018"
    assert second.select(question, 3) == first.select(question, 3)
    assert (second.select(question, 3, masked_question=masking["mask"](question))
            == first.select(question, 3, masked_question=masking["mask"](question)))


def test_changing_a_question_rebuilds_the_index(corpus, masking):
    ExampleStore(corpus, **masking)
    lines = read_lines(corpus)
    lines[5]["question"] = "Which wicketkeeper made the most stumpings in IPL 2020?"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    changed = ExampleStore(corpus, **masking)
    assert changed.rebuilt
    best = changed.select("most stumpings by a keeper in the IPL", 1)[0]
    assert best.id == lines[5]["id"]
    assert not ExampleStore(corpus, **masking).rebuilt


def test_changing_only_a_dsl_needs_no_rebuild_but_is_seen(corpus, masking):
    ExampleStore(corpus, **masking)
    lines = read_lines(corpus)
    lines[1]["dsl"] = 'batting | player "Virat Kohli" | format ODI | year 2018 | show avg'
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    store = ExampleStore(corpus, **masking)
    assert not store.rebuilt  # the vectors depend on the questions only
    assert store.select(lines[1]["question"], 1)[0].dsl.endswith("show avg")


def test_a_new_mask_version_or_no_mask_rebuilds(corpus, masking):
    ExampleStore(corpus, **masking)
    assert ExampleStore(corpus, mask=masking["mask"], mask_version="fixture-2").rebuilt
    assert ExampleStore(corpus).rebuilt
    assert not ExampleStore(corpus).rebuilt


def test_a_damaged_cache_is_rebuilt(corpus, masking, caplog):
    store = ExampleStore(corpus, **masking)
    store.cache_path.write_bytes(b"PK\x03\x04 not really a zip file")
    with caplog.at_level(logging.WARNING, logger="retrieval.store"):
        again = ExampleStore(corpus, **masking)
    assert again.rebuilt
    assert "unreadable index cache" in caplog.text
    assert not ExampleStore(corpus, **masking).rebuilt


def test_the_cache_falls_back_to_the_user_folder(corpus, askcric_home):
    # A file where the cache folder should be: the folder cannot be created, even by root.
    (corpus.parent / ".index").write_text("in the way")
    store = ExampleStore(corpus)
    assert store.cache_path == cache_paths(corpus, "flat")[1]
    assert store.cache_path.is_relative_to(askcric_home)
    assert not ExampleStore(corpus).rebuilt


# --- online add ----------------------------------------------------------------------------------

NEW_PAIR = Pair(
    id="new1", question="How many stumpings has MS Dhoni made in ODIs?",
    dsl='fielding | player "MS Dhoni" | format ODI | show stumpings', split="train",
    tags=("fielding",),
)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_an_added_pair_is_selected_at_once_and_persisted(corpus, masking, kind):
    store = ExampleStore(corpus, index_kind=kind, **masking)
    store.add(NEW_PAIR)
    assert len(store) == 9
    best = store.select("MS Dhoni's stumpings in ODIs", 1)[0]
    assert best.id == "new1" and best.dsl == NEW_PAIR.dsl and best.tags == ("fielding",)
    masked = masking["mask"]("Virat Kohli stumpings in ODIs")
    assert store.select("Virat Kohli stumpings in ODIs", 1, masked_question=masked)[0].id == "new1"
    assert store.select("MS Dhoni's stumpings in ODIs", 3, mmr=0.5)[0].id == "new1"

    assert read_lines(corpus)[-1] == {
        "id": "new1", "question": NEW_PAIR.question, "dsl": NEW_PAIR.dsl, "split": "train",
        "tags": ["fielding"],
    }
    # The cache was rewritten with the grown corpus's hash: the next open loads it.
    reopened = ExampleStore(corpus, index_kind=kind, **masking)
    assert not reopened.rebuilt
    assert reopened.select("MS Dhoni's stumpings in ODIs", 1)[0].id == "new1"


def test_add_refuses_duplicates_and_dev_pairs_and_changes_nothing(corpus):
    store = ExampleStore(corpus)
    before = corpus.read_bytes()
    with pytest.raises(ValueError, match="already"):
        store.add(Pair(id="t01", question="Any question", dsl="batting | show runs"))
    with pytest.raises(ValueError, match="already"):  # ids are unique across both splits
        store.add(Pair(id="d10", question="Any question", dsl="batting | show runs"))
    with pytest.raises(ValueError, match="train"):
        store.add(Pair(id="x", question="Any question", dsl="batting | show runs", split="dev"))
    with pytest.raises(ValueError, match="question"):
        store.add(Pair(id="x", question=" ", dsl="batting | show runs"))
    assert corpus.read_bytes() == before
    assert len(store) == 8


def test_add_keeps_the_corpus_valid_without_a_final_newline(corpus):
    corpus.write_bytes(corpus.read_bytes().rstrip(b"\n"))
    store = ExampleStore(corpus)
    store.add(NEW_PAIR)
    assert [pair.id for pair in load_pairs(corpus)][-3:] == ["d09", "d10", "new1"]
    assert not ExampleStore(corpus).rebuilt
