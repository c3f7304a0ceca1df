"""Benchmark of example selection: what each FAISS index kind costs as the example store grows.

For 1.5k, 100k and 1M stored vectors (the corpus's train questions, then synthetic vectors), and
for the exact index (IndexFlatIP) and the approximate ones (HNSW, IVF) with the store's own
settings: build time, index memory, median search latency for one query (k = 8, the call
`ExampleStore.select` makes), and recall@8 of each index against exact search. The
query-embedding time, which every select pays on top, is measured separately.

Synthetic vectors come in two kinds, because recall depends on the data far more than latency:
  corpus-like: drawn from a Gaussian with the mean and principal directions of the real question
      embeddings (plus 20% isotropic noise), normalized; queries are the dev questions and more
      draws. Sentence embeddings of one domain look like this: clustered, low-dimensional.
  uniform: uniform on the sphere, queries too — the worst case for approximate search (every
      vector is almost equally far from every query).

    python -m analysis.bench_retrieval [--sizes 1500,100000,1000000] [--kinds flat,hnsw,ivf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from rich.console import Console
from rich.table import Table

from retrieval.embed import DIM, embed
from retrieval.store import DEFAULT_CORPUS, ExampleStore, load_pairs, nearest_rows, new_index

FIXTURE_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "retrieval" / "pairs.jsonl"
K = 8
ISOTROPIC_SHARE = 0.2
CHUNK = 100_000

err = Console(stderr=True)


@dataclass(frozen=True)
class Row:
    size: int
    kind: str
    build_s: float
    memory_bytes: int
    search_ms: float
    recall: float
    uniform_search_ms: float
    uniform_recall: float


def corpus_like(real: np.ndarray, seed: int) -> Callable[[int], np.ndarray]:
    """A generator of n unit vectors shaped like `real` (see the module docstring)."""
    mean = real.mean(axis=0)
    _, singular, directions = np.linalg.svd(real - mean, full_matrices=False)
    scales = (singular / np.sqrt(len(real) - 1)).astype(np.float32)
    total_variance = float((scales ** 2).sum())
    noise = np.float32(np.sqrt(ISOTROPIC_SHARE * total_variance / (1 - ISOTROPIC_SHARE) / DIM))
    rng = np.random.default_rng(seed)

    def draw(n: int) -> np.ndarray:
        parts = []
        for start in range(0, n, CHUNK):  # in chunks: the temporaries of 1M at once are GBs
            m = min(CHUNK, n - start)
            x = mean + (rng.standard_normal((m, len(scales)), dtype=np.float32) * scales) @ directions
            x += rng.standard_normal((m, DIM), dtype=np.float32) * noise
            parts.append(x / np.linalg.norm(x, axis=1, keepdims=True))
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, DIM), np.float32)

    return draw


def uniform(seed: int) -> Callable[[int], np.ndarray]:
    rng = np.random.default_rng(seed)

    def draw(n: int) -> np.ndarray:
        x = rng.standard_normal((n, DIM), dtype=np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    return draw


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: first calls pay for allocations and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(kind: str, stored: np.ndarray, queries: np.ndarray, exact: np.ndarray
            ) -> tuple[float, int, float, float]:
    """Build seconds, memory bytes, median single-query search ms, recall@K against `exact`."""
    start = time.perf_counter()
    index = new_index(kind, stored)
    build_s = time.perf_counter() - start
    memory = int(faiss.serialize_index(index).nbytes)
    times = []
    found = []
    nearest_rows(index, queries[0], K)  # warm-up
    for query in queries:
        start = time.perf_counter()
        found.append(nearest_rows(index, query, K))
        times.append(time.perf_counter() - start)
    recall = float(np.mean([len(set(rows) & set(truth)) / K for rows, truth in zip(found, exact)]))
    return build_s, memory, statistics.median(times) * 1000, recall


def bench_size(size: int, kinds: list[str], real_train: np.ndarray, real_queries: np.ndarray,
               n_queries: int) -> list[Row]:
    like = corpus_like(np.concatenate([real_train, real_queries]), seed=size)
    real_train = real_train[:size]
    stored = np.concatenate([real_train, like(size - len(real_train))])
    queries = np.concatenate([real_queries, like(n_queries - len(real_queries))])
    draw_uniform = uniform(seed=size)
    uniform_stored, uniform_queries = draw_uniform(size), draw_uniform(n_queries)
    truth = {}
    for name, (data, asked) in {"like": (stored, queries),
                                "uniform": (uniform_stored, uniform_queries)}.items():
        exact = faiss.IndexFlatIP(DIM)
        exact.add(data)
        truth[name] = exact.search(asked, K)[1]
        del exact
    rows = []
    for kind in kinds:
        err.print(f"{size:>9,} vectors: building and searching {kind}")
        build_s, memory, search_ms, recall = measure(kind, stored, queries, truth["like"])
        _, _, uniform_ms, uniform_recall = measure(kind, uniform_stored, uniform_queries,
                                                   truth["uniform"])
        rows.append(Row(size, kind, build_s, memory, search_ms, recall, uniform_ms, uniform_recall))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench_retrieval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1500,100000,1000000")
    parser.add_argument("--kinds", default="flat,hnsw,ivf")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, help="FAISS OpenMP threads (default: all cores)")
    args = parser.parse_args(argv)
    if args.threads:
        faiss.omp_set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    sizes = [int(size) for size in args.sizes.split(",")]
    kinds = args.kinds.split(",")

    corpus = DEFAULT_CORPUS if DEFAULT_CORPUS.exists() else FIXTURE_CORPUS
    pairs = load_pairs(corpus)
    train = [pair.question for pair in pairs if pair.split == "train"]
    dev = [pair.question for pair in pairs if pair.split == "dev"]
    dev = dev[:args.queries]

    err.print(f"embedding {len(train) + len(dev)} questions of {corpus}")
    real_train, real_dev = embed(train), embed(dev)
    one_ms = median_ms(lambda: embed([dev[0]]), runs=30)
    two_ms = median_ms(lambda: embed(dev[:2]), runs=30)
    # The whole select at the corpus's own size: embedding, search, rescoring, pairs.
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "pairs.jsonl"
        shutil.copy(corpus, copy)
        store = ExampleStore(copy, progress=lambda label, total: lambda: None)
        select_ms = median_ms(lambda: store.select(dev[0], K), runs=30)

    rows = [row for size in sizes
            for row in bench_size(size, kinds, real_train, real_dev, args.queries)]

    out = Console(width=120)
    out.print(f"Corpus: {corpus} (its {len(train)} train questions are among the stored vectors, "
              f"its {len(dev)} dev questions among the {args.queries} queries). faiss "
              f"{faiss.__version__} with {faiss.omp_get_max_threads()} threads, {os.cpu_count()} "
              f"cores, load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at "
              "the end (other work on the machine slows everything, threads most).")
    table = Table("vectors", "index", "build s", "memory MB", "search ms", "recall@8",
                  "uniform: search ms", "uniform: recall@8",
                  title="One query, k = 8: median search time and recall against exact search "
                        "(corpus-like data, and uniform)")
    for row in rows:
        table.add_row(f"{row.size:,}", row.kind, f"{row.build_s:.1f}",
                      f"{row.memory_bytes / 2**20:,.1f}", f"{row.search_ms:.3f}",
                      f"{row.recall:.3f}", f"{row.uniform_search_ms:.3f}",
                      f"{row.uniform_recall:.3f}")
    out.print(table)
    out.print(f"Query embedding (median of 30): 1 question {one_ms:.1f} ms, 2 questions in one "
              f"call (raw + masked) {two_ms:.1f} ms.")
    out.print(f"Whole ExampleStore.select(question, 8) on the corpus (flat, {len(train)} pairs, "
              f"embedding included): {select_ms:.1f} ms median.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
