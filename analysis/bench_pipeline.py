"""Latency of the question pipeline: p50/p95 per stage and end to end, per backend, after warm-up.

    python -m analysis.bench_pipeline [--n 40] [--backend local|vllm] [--vllm-url URL] [--converge]

Stages are the pipeline's own timings (link, retrieve, pack, rank or generate, parse, resolve,
compile, execute), each over the questions that went through it (n). With --converge every answer
also gets its convergence record (k = 0..8), timed as the stage "converge" (also counted in "total"): the
cost of the k-sweep the background logger pays per logged answer. Peak memory is this process's maximum resident set size (the vLLM server's
memory is its own process: see analysis.bench_backends).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections import defaultdict

from retrieval.store import DEFAULT_CORPUS, load_pairs
from serving.cli import open_backend
from serving.pipeline import Pipeline
from statsdb.database import open_engine

WARM_UP = 3


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="dev questions to time")
    parser.add_argument("--backend", choices=["local", "vllm"], default="local")
    parser.add_argument("--vllm-url")
    parser.add_argument("--converge", action="store_true", help="also time each answer's convergence record")
    args = parser.parse_args()

    questions = [p.question for p in load_pairs(DEFAULT_CORPUS) if p.split == "dev"][: args.n + WARM_UP]
    started = time.perf_counter()
    pipeline = Pipeline.open(open_backend(args.backend, args.vllm_url), open_engine())
    print(f"backend {args.backend}: pipeline ready in {time.perf_counter() - started:.1f} s")
    for question in questions[:WARM_UP]:
        pipeline.ask(question)
    stages: dict[str, list[float]] = defaultdict(list)
    errors = 0
    sweep_ratios = []
    for question in questions[WARM_UP:]:
        answer = pipeline.ask(question, converge=args.converge)
        errors += answer.error is not None
        for stage, ms in answer.timings_ms.items():
            stages[stage].append(ms)
        if "converge" in answer.timings_ms:
            sweep = answer.timings_ms["converge"]
            sweep_ratios.append(sweep / (answer.timings_ms["total"] - sweep))
    print(f"{len(questions) - WARM_UP} dev questions ({errors} answered with an error)")
    print(f"backend model: {pipeline.backend.model}")
    print(f"{'stage':<10} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9}")
    for stage, values in stages.items():
        print(f"{stage:<10} {len(values):4d} {percentile(values, 0.5):9.1f} {percentile(values, 0.95):9.1f} "
              f"{statistics.mean(values):9.1f}")
    if args.converge:
        print(f"convergence record / the answer without it: median ratio {statistics.median(sweep_ratios):.2f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
