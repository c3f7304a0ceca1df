"""Compare example selection modes on the dev split: how often the nearest example has the gold DSL's shape.

    python -m analysis.selection_compare
"""

from analysis.retrieval_eval import nearest_shape_rate
from dsl.link import MASK_VERSION, Linker
from dsl.parser import parse
from retrieval.store import DEFAULT_CORPUS, ExampleStore, load_pairs
from statsdb.database import open_engine

def shape(dsl: str) -> str:
    q = parse(dsl)
    out = q.output
    return " ".join([q.subject, *q.filters(), type(out).__name__, str(getattr(out, "stat", getattr(out, "kind", "")))])

def main() -> None:
    linker = Linker.from_engine(open_engine())
    mask = lambda q: linker.link(q).masked()
    store = ExampleStore(mask=mask, mask_version=MASK_VERSION)
    dev = [p for p in load_pairs(DEFAULT_CORPUS) if p.split == "dev"]
    for name, rate in nearest_shape_rate(store, dev, shape, mask, k=8).items():
        print(f"{name:<12} top-1 {rate.top1:.3f}  any of top-8 {rate.any_top_k:.3f}  (n={rate.n})")


if __name__ == "__main__":
    main()
