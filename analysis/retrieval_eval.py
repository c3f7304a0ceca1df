"""Which way of selecting examples puts one with the right clause structure nearest the question?

The pilot found that the nearest examples' DSL shapes are the candidates the model chooses from,
so a direct measure of a selection mode is how often, over the dev split, the top-1 selected
example (and any of the top k) has the same shape as the gold DSL. The shape and mask functions
come from `dsl/` (the clause structure with values removed; the linker's masking).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.store import ExampleStore, Pair


@dataclass(frozen=True)
class SelectionMode:
    """One way of calling ExampleStore.select (see its parameters)."""

    name: str
    masked: bool = False
    raw_weight: float = 0.0
    mmr: float | None = None


DEFAULT_MODES = (
    SelectionMode("raw"),
    SelectionMode("masked", masked=True),
    SelectionMode("combined", masked=True, raw_weight=0.5),
    SelectionMode("raw+mmr", mmr=0.7),
    SelectionMode("masked+mmr", masked=True, mmr=0.7),
)


@dataclass(frozen=True)
class ShapeRate:
    """For one mode: the fraction of dev pairs whose nearest (or any of the top k) selected
    example has the gold DSL's shape."""

    mode: SelectionMode
    n: int
    k: int
    top1: float
    any_top_k: float


def nearest_shape_rate(
    store: ExampleStore,
    dev_pairs: Sequence[Pair],
    shape: Callable[[str], str],
    mask: Callable[[str], str] | None,
    modes: Sequence[SelectionMode] = DEFAULT_MODES,
    *,
    k: int = 8,
) -> dict[str, ShapeRate]:
    """The shape rates of each mode, by mode name, over `dev_pairs`.

    `mask` masks the dev questions for the masked modes; it must be the function the store was
    opened with (the store masks its own questions with it).
    """
    if not dev_pairs:
        raise ValueError("no dev pairs to evaluate on")
    if mask is None and any(mode.masked for mode in modes):
        raise ValueError("the masked modes need the mask function")
    rates = {}
    for mode in modes:
        top1 = any_top_k = 0
        for pair in dev_pairs:
            masked = mask(pair.question) if mode.masked else None
            selected = store.select(pair.question, k, masked_question=masked, mmr=mode.mmr,
                                    raw_weight=mode.raw_weight)
            shapes = [shape(example.dsl) for example in selected]
            gold = shape(pair.dsl)
            top1 += bool(shapes) and shapes[0] == gold
            any_top_k += gold in shapes
        n = len(dev_pairs)
        rates[mode.name] = ShapeRate(mode, n, k, top1 / n, any_top_k / n)
    return rates
