"""nearest_shape_rate on the fixture corpus, with a simple shape: the DSL without its values."""

from __future__ import annotations

import re

import pytest

from analysis.retrieval_eval import DEFAULT_MODES, SelectionMode, nearest_shape_rate
from retrieval.store import load_pairs


def shape(dsl: str) -> str:
    """The DSL with quoted strings and numbers taken out."""
    return re.sub(r"\d+", "N", re.sub(r'"[^"]*"', "S", dsl))


def test_every_mode_gets_a_rate_over_the_dev_split(store, masking):
    dev = [pair for pair in load_pairs(store.corpus) if pair.split == "dev"]
    rates = nearest_shape_rate(store, dev, shape, masking["mask"], DEFAULT_MODES, k=4)
    assert list(rates) == [mode.name for mode in DEFAULT_MODES]
    for rate in rates.values():
        assert rate.n == 10 and rate.k == 4
        assert 0.0 <= rate.top1 <= rate.any_top_k <= 1.0
    # Only 3 of the 10 dev shapes occur in the train split (d01, d07, d09): no mode can pass 0.3.
    assert all(rate.any_top_k <= 0.3 for rate in rates.values())


def test_masking_finds_the_structure_behind_other_names(store, masking):
    # "Kane Williamson's Test hundreds at Basin Reserve": raw similarity picks another Kane
    # Williamson question (his average against India); masked picks Root's hundreds at Lord's.
    dev = [pair for pair in load_pairs(store.corpus) if pair.id == "d07"]
    modes = [SelectionMode("raw"), SelectionMode("masked", masked=True)]
    rates = nearest_shape_rate(store, dev, shape, masking["mask"], modes, k=1)
    assert (rates["raw"].top1, rates["masked"].top1) == (0.0, 1.0)


def test_a_train_question_finds_itself(store):
    train = store.pairs[:6]
    rates = nearest_shape_rate(store, train, shape, None, [SelectionMode("raw")], k=1)
    assert rates["raw"].top1 == 1.0 and rates["raw"].any_top_k == 1.0


def test_masked_modes_need_the_mask(store):
    with pytest.raises(ValueError, match="mask"):
        nearest_shape_rate(store, store.pairs[:1], shape, None, [SelectionMode("m", masked=True)])
