"""A bounded load test of `askcric serve`: N clients asking for a fixed time, on loopback.

Starts the server (local backend, the full database) on a free loopback port, waits until it is
ready, then runs `--clients` clients for `--seconds`, `--runs` times in a row. Each client asks
questions of the dev splits in its own shuffled order (different questions, so no run measures a
cache), and after a 503 waits as the Retry-After header says (at most 2 s). Printed per run:
answers per second, the statuses, p50/p95 of the answered requests' latency, and the server's
peak resident memory; then the server is stopped. It stops by itself: nothing outlives it.

    python -m analysis.load_test [--clients 32] [--seconds 60] [--runs 2] [--workers N] [--queue N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import psutil

from retrieval.store import DEFAULT_CORPUS, load_pairs

RETRY_CAP = 2.0  # seconds a client waits after a 503 at most
READY_TIMEOUT = 300


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds, of answered (200) requests
    statuses: Counter = field(default_factory=Counter)
    peak_rss: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss(process: psutil.Process) -> int:
    """Resident memory of the server and any processes it started."""
    total = 0
    for each in [process, *process.children(recursive=True)]:
        try:
            total += each.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


async def client(base: str, questions: list[str], until: float, run: Run) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for question in questions * 10:
            if time.monotonic() >= until:
                return
            started = time.monotonic()
            try:
                response = await http.post("/v1/ask", json={"question": question})
            except httpx.HTTPError as error:
                run.statuses[type(error).__name__] += 1
                continue
            run.statuses[response.status_code] += 1
            if response.status_code == 200:
                run.latencies.append(time.monotonic() - started)
            elif response.status_code == 503:
                await asyncio.sleep(min(float(response.headers.get("Retry-After", 1)), RETRY_CAP))


async def load(base: str, server: psutil.Process, questions: list[str], clients: int, seconds: float, seed: int) -> Run:
    run = Run()
    until = time.monotonic() + seconds
    orders = [random.Random(seed * 1000 + i).sample(questions, len(questions)) for i in range(clients)]
    tasks = [asyncio.create_task(client(base, order, until, run)) for order in orders]
    while not all(task.done() for task in tasks):
        run.peak_rss = max(run.peak_rss, rss(server))
        await asyncio.sleep(0.5)
    await asyncio.gather(*tasks)
    return run


def wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"askcric serve exited with {server.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"askcric serve was not ready after {READY_TIMEOUT} s")


def report(number: int, run: Run, seconds: float) -> None:
    answered = run.statuses.get(200, 0)
    latencies = sorted(run.latencies)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(run.statuses.items(), key=str))
    print(f"run {number}: {answered / seconds:.2f} answers/s ({answered} in {seconds:.0f} s); "
          f"answered p50 {p50:.2f} s, p95 {p95:.2f} s; statuses {statuses}; peak RSS {run.peak_rss / 2**20:.0f} MiB",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=2, help="runs in a row, to see whether memory stays flat")
    parser.add_argument("--workers", type=int, help="askcric serve --workers (default: its own)")
    parser.add_argument("--queue", type=int, help="askcric serve --queue (default: its own)")
    args = parser.parse_args()

    questions = [pair.question for pair in load_pairs(DEFAULT_CORPUS) if pair.split in ("dev", "dev-new")]
    port = free_port()
    command = [sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "serve",
               "--port", str(port), "--log-level", "warning"]
    command += ["--workers", str(args.workers)] if args.workers else []
    command += ["--queue", str(args.queue)] if args.queue is not None else []
    server = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        process = psutil.Process(server.pid)
        print(f"askcric serve ready on {base}; RSS {rss(process) / 2**20:.0f} MiB; "
              f"{args.clients} clients x {args.seconds:.0f} s, {args.runs} run(s), {len(questions)} dev questions; "
              f"{os.cpu_count()} cores", flush=True)
        for number in range(1, args.runs + 1):
            run = asyncio.run(load(base, process, questions, args.clients, args.seconds, seed=number))
            report(number, run, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
