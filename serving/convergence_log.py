"""The convergence record of live answers, logged off the request path (`serve --log-convergence`).

For a sampled share of answers, the chosen query's token probabilities with k = 0..8 of the
question's nearest examples (`Pipeline.convergence_of`) go to the query log's `convergence_log` table. A daemon
thread does the scoring, one k at a time, and before each k waits until no question is being
answered or waiting for the model (`idle`): logging never takes the model from a question. At most
MAX_PENDING answers wait to be logged; beyond that new ones are skipped (and counted), so a busy
server drops samples rather than memory.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Callable

from serving.answer import Answer
from serving.querylog import QueryLog

log = logging.getLogger(__name__)

MAX_PENDING = 32
IDLE_POLL_SECONDS = 0.05


class ConvergenceLogger:
    def __init__(self, pipeline, query_log: QueryLog, rate: float, idle: Callable[[], bool]):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"the share of answers logged is between 0 and 1, not {rate}")
        self.pipeline = pipeline
        self.query_log = query_log
        self.rate = rate
        self.idle = idle
        self.skipped = 0  # sampled answers dropped because MAX_PENDING were already waiting
        self._pending: queue.Queue[Answer | None] = queue.Queue(MAX_PENDING)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._work, name="askcric-convergence-log", daemon=True)
        self._thread.start()

    def offer(self, answer: Answer) -> bool:
        """Queue the answer for logging if it is sampled; True if it was queued."""
        if answer.error is not None or not answer.dsl or random.random() >= self.rate:
            return False
        try:
            self._pending.put_nowait(answer)
        except queue.Full:
            self.skipped += 1
            return False
        return True

    def close(self) -> None:
        self._closed.set()
        try:
            self._pending.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout=30)

    def _wait_until_idle(self) -> None:
        while not self.idle() and not self._closed.is_set():
            self._closed.wait(IDLE_POLL_SECONDS)
        if self._closed.is_set():
            raise _Closed

    def _work(self) -> None:
        while not self._closed.is_set():
            answer = self._pending.get()
            if answer is None:
                return
            try:
                nearest = self.pipeline.nearest_examples(answer.question)
                records = self.pipeline.convergence_of(answer.question, nearest, answer.dsl,
                                                       before_each=self._wait_until_idle)
            except _Closed:
                return
            except Exception:  # noqa: BLE001 - a sample lost; the server goes on
                log.warning("Cannot log the convergence of %r", answer.question, exc_info=True)
                continue
            self.query_log.record_convergence(answer.question, answer.dsl, records, answer.model)


class _Closed(Exception):
    """The server is stopping: abandon the record being computed."""
