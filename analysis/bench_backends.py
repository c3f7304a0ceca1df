"""Benchmark of the two LLM backends on this machine: model load / server start, prefill and
decode speed, a ~20-token DSL with and without the grammar, scoring after a ~1,000-token prompt,
and peak memory.

    python -m analysis.bench_backends                       # both backends, SmolLM2, 5 repeats
    python -m analysis.bench_backends --model gemma3-270m --backends local --repeats 3

Times are wall-clock medians over --repeats runs after one warm-up run; each run uses a prompt of
its own (a different opening line), so neither backend's prefix cache can skip the prompt. The
vLLM figures come from a server this script starts with `running_server` (as `askcric vllm-serve`
does); the local backend is measured first, before the server takes the CPU.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dsl.parser import grammar_text
from serving.backends import Backend, encode_prompt, get_backend
from serving.models import DEFAULT_MODEL, prepare
from serving.vllm_server import group_pids, running_server

EXAMPLES = [
    ("What is Virat Kohli's ODI batting average against Australia since 2015?",
     'batting player "Virat Kohli" odi vs "Australia" since 2015 average'),
    ("How many Test wickets has James Anderson taken against India?",
     'bowling player "James Anderson" test vs "India" wickets'),
    ("Who took the most wickets in IPL 2019?", "bowling ipl year 2019 top 10 wickets"),
    ("India's ODI wins by year", 'team "India" odi by year wins'),
    ("How many hundreds has Joe Root scored in Tests at Lord's?",
     'batting player "Joe Root" test at "Lord\'s" hundreds'),
    ("Jasprit Bumrah's economy rate in the death overs of the IPL",
     'bowling player "Jasprit Bumrah" ipl death overs economy'),
    ("Steve Smith's Test runs by opposition", 'batting player "Steve Smith" test by opposition runs'),
    ("Highest T20I strike rates since 2020, minimum 500 balls",
     "batting t20i since 2020 top 10 strike rate min balls 500"),
]
CANDIDATES = [
    ' batting player "David Warner" test vs "England" runs',
    ' batting player "David Warner" test vs "England" average',
    ' batting player "David Warner" test runs',
    ' batting player "David Warner" test vs "England" hundreds',
    ' bowling player "David Warner" test vs "England" wickets',
    ' batting test vs "England" top 10 runs',
    ' team "England" test wins',
    ' batting player "David Warner" test by year runs',
]
QUESTION = "How many runs has David Warner scored in Tests against England?"
STORY = "Write a long story about a day at a cricket match.\n\nOnce upon a time,"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str


def few_shot(run: int, target_tokens: int, backend: Backend) -> str:
    """A prompt in the product's format whose examples (EXAMPLES, cycled) fill ~target_tokens."""
    header = f"Run {run}. Translate each cricket statistics question into the askcric query language.\n\n"
    question = f"Q: {QUESTION}\nDSL:"
    shots: list[str] = []
    examples = itertools.cycle(EXAMPLES)
    while True:
        q, d = next(examples)
        longer = [*shots, f"Q: {q}\nDSL: {d}\n\n"]
        if len(encode_prompt(backend.tokenizer, header + "".join(longer) + question)) > target_tokens:
            return header + "".join(shots) + question
        shots = longer


def median_time(repeats: int, call: Callable[[int], object]) -> tuple[float, list[object]]:
    """Median seconds of call(run) over `repeats` runs (run 0, a warm-up, is not counted)."""
    call(0)
    times, results = [], []
    for run in range(1, repeats + 1):
        started = time.perf_counter()
        results.append(call(run))
        times.append(time.perf_counter() - started)
    return statistics.median(times), results


def measure(backend: Backend, repeats: int) -> list[Figure]:
    grammar = grammar_text()
    figures = []

    long_prompt = lambda run: few_shot(run, 1000, backend)  # noqa: E731
    n_long = len(encode_prompt(backend.tokenizer, long_prompt(1)))
    prefill, _ = median_time(repeats, lambda run: backend.complete(long_prompt(run), max_tokens=1, stop=None))
    figures.append(Figure(f"prefill ({n_long}-token prompt + 1 token)", n_long / prefill, "tokens/s"))

    story = lambda run, kind: f"{kind} {run}. {STORY}"  # noqa: E731
    first, _ = median_time(repeats, lambda run: backend.complete(story(run, "A"), max_tokens=1, stop=None))
    full, runs = median_time(repeats, lambda run: backend.complete(story(run, "B"), max_tokens=64, stop=None))
    generated = statistics.median(len(c.tokens) for c in runs)
    figures.append(Figure(f"decode ({generated:.0f} tokens after a short prompt)", (generated - 1) / (full - first), "tokens/s"))

    dsl_prompt = lambda run: few_shot(run, 350, backend)  # noqa: E731
    n_dsl = len(encode_prompt(backend.tokenizer, dsl_prompt(1)))
    for label, dsl_grammar in (("with the grammar", grammar), ("no grammar", None)):
        seconds, runs = median_time(repeats, lambda run: backend.complete(dsl_prompt(run), grammar=dsl_grammar))
        tokens = statistics.median(len(c.tokens) for c in runs)
        figures.append(Figure(f"DSL, {label} ({n_dsl}-token prompt, {tokens:.0f} tokens out)", seconds * 1000, "ms"))

    for candidates in (CANDIDATES[:1], CANDIDATES):
        seconds, _ = median_time(repeats, lambda run: backend.score(long_prompt(run), candidates))
        figures.append(Figure(f"score {len(candidates)} candidate(s) after the {n_long}-token prompt", seconds * 1000, "ms"))
    return figures


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def group_peak_rss_mb(group: int) -> float:
    """Sum of the peak RSS (VmHWM) of a process group's processes (shared pages count twice)."""
    total_kib = 0
    for pid in group_pids(group):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


def report(backend: str, figures: list[Figure]) -> None:
    print(f"\n{backend}")
    for figure in figures:
        print(f"  {figure.name:<62} {figure.value:>10,.1f} {figure.unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="local,vllm")
    parser.add_argument("--port", type=int, default=8012, help="port of the benchmark's vLLM server")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    prepare(args.model)
    print(f"model {args.model}, medians of {args.repeats} runs, {os.cpu_count()} CPUs")

    if "local" in args.backends:
        started = time.perf_counter()
        local = get_backend("local", model=args.model)
        loaded = time.perf_counter() - started
        figures = [Figure("model load", loaded, "s"), *measure(local, args.repeats)]
        figures.append(Figure("peak RSS of this process", own_peak_rss_mb(), "MB"))
        report("local (transformers, fp32, 2 threads)", figures)
        local.close()

    if "vllm" in args.backends:
        started = time.perf_counter()
        with running_server(args.model, port=args.port) as server:
            ready = time.perf_counter() - started
            client = get_backend("vllm", model=args.model, url=server.url)
            figures = [Figure("server start until /health answers", ready, "s"), *measure(client, args.repeats)]
            figures.append(Figure("peak RSS of the server's processes", group_peak_rss_mb(server.process.pid), "MB"))
            client.close()
        report("vllm (server: bfloat16, --enforce-eager; HTTP client)", figures)


if __name__ == "__main__":
    main()
