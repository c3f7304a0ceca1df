"""The sentence embedder: unit-length float32 vectors, stable, similar questions close."""

from __future__ import annotations

import numpy as np

from retrieval.embed import DIM, embed


def test_vectors_are_unit_length_float32():
    vectors = embed(["Kohli's ODI average in 2018", "Most Test wickets at Lord's"])
    assert vectors.shape == (2, DIM)
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_same_text_gets_the_same_vector():
    first = embed(["Root's Test hundreds"])
    assert np.array_equal(embed(["Root's Test hundreds"]), first)


def test_similar_questions_are_closer_than_unrelated_ones():
    kohli_2018, kohli_2017, toss = embed([
        "Virat Kohli's ODI average in 2018",
        "What was Kohli's ODI batting average in 2017?",
        "Which team won the toss most often in the IPL?",
    ])
    assert kohli_2018 @ kohli_2017 > kohli_2018 @ toss + 0.3


def test_no_texts_no_vectors():
    assert embed([]).shape == (0, DIM)
