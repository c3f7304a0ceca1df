"""Benchmark of the linker: median and p95 time to link one question, after loading.

Links every hand-labelled question of tests/dsl/link_cases.jsonl several times (the first pass
warms up caches) and prints the load time and the per-question latency. Target: < 5 ms median.

    python -m analysis.bench_link [--url URL] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from dsl.link import Linker
from statsdb.database import open_engine

CASES = Path(__file__).resolve().parent.parent / "tests" / "dsl" / "link_cases.jsonl"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="stats database URL (default: $ASKCRIC_DB or the per-user SQLite file)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    args = parser.parse_args(argv)

    questions = [json.loads(line)["question"] for line in CASES.read_text("utf-8").splitlines() if line]
    engine = open_engine(args.url)
    started = time.perf_counter()
    linker = Linker.from_engine(engine)
    load_s = time.perf_counter() - started

    for question in questions:  # warm-up pass, not timed
        linker.link(question)
    times_ms = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            linker.link(question)
            times_ms.append((time.perf_counter() - started) * 1000)
    times_ms.sort()
    p95 = times_ms[min(len(times_ms) - 1, int(0.95 * len(times_ms)))]
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"load: {load_s:.2f} s, {len(linker.dictionary):,} lookup keys")
    print(f"link: {len(questions)} questions x {args.repeat}: median {statistics.median(times_ms):.3f} ms, "
          f"p95 {p95:.3f} ms, max {times_ms[-1]:.3f} ms")


if __name__ == "__main__":
    main()
