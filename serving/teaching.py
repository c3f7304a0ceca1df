"""Learning from users: a reading is checked, stored in the taught-pairs table, and once accepted
used by every server that shares the table.

- `check_reading`: a taught DSL must parse, resolve and run with a non-empty answer, for a
  question askcric would read at all (a question it refuses before linking never reaches the
  taught pairs).
- `Teacher.submit`: feedback (anyone: it waits for review) or teaching (an operator: live at once).
- `Teacher.sync`: the pipeline's taught index is rebuilt from the accepted pairs whenever they
  change — at start (so a lost index is rebuilt from the store), after this server's own changes,
  and every `sync_seconds` in a background thread, which is how replicas sharing a PostgreSQL
  store pick up each other's pairs.
"""

from __future__ import annotations

import logging
import os
import threading

from sqlalchemy import Engine

from dsl.execute import run_dsl
from dsl.link import Linker
from retrieval.taught import Submitted, TaughtIndex, TaughtPair, TaughtStore, Verdict
from serving.pipeline import Pipeline, QuestionError, read_question
from statsdb.database import data_dir

SYNC_SECONDS = 2.0
log = logging.getLogger(__name__)


def taught_store_url(url: str | None = None) -> str:
    """`url`, else $ASKCRIC_TAUGHT_URL (an SQLAlchemy URL), else an SQLite file in the data folder."""
    configured = url or os.environ.get("ASKCRIC_TAUGHT_URL")
    return configured if configured else f"sqlite:///{(data_dir() / 'taught.sqlite').resolve()}"


def finds_something(rows: list[list]) -> bool:
    """Rows, and not only zeros: a figure over no innings is one row of 0 runs in 0 innings."""
    numbers = [cell for row in rows for cell in row if isinstance(cell, (int, float)) and not isinstance(cell, bool)]
    return bool(rows) and (not numbers or any(numbers))


def check_reading(question: str, dsl: str, linker: Linker, engine: Engine) -> str:
    """The DSL in its canonical spelling, if it is a reading askcric can use for the question.
    Raises QuestionError (or a DslError) saying what is wrong."""
    read_question(question, linker, engine)
    result = run_dsl(dsl, engine)
    if not finds_something(result.rows):
        raise QuestionError("no_data", "That query runs but finds nothing in the data, so it cannot be taught "
                                       "as the reading of the question.")
    return result.dsl


class Teacher:
    """The taught pairs of one server: its store, and the pipeline whose taught index it keeps."""

    def __init__(self, store: TaughtStore, pipeline: Pipeline, *, sync_seconds: float = SYNC_SECONDS):
        self.store = store
        self.pipeline = pipeline
        self.sync_seconds = sync_seconds
        self._live: tuple[tuple[int, str], ...] = ()  # (id, dsl) of the accepted pairs indexed now
        self._sync_lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, question: str, dsl: str | None, verdict: Verdict, *, accept: bool, source: str) -> Submitted:
        """Store a reading of the question after checking it; "wrong" with no DSL is a report."""
        if verdict == "right" and not dsl:
            raise QuestionError("invalid_request", 'A "right" verdict confirms a query: send the answer\'s "dsl".')
        checked = check_reading(question, dsl, self.pipeline.linker, self.pipeline.engine) if dsl else ""
        submitted = self.store.submit(question, checked, verdict, accept=accept, source=source)
        if submitted.pair.status == "accepted":
            self.sync()
        return submitted

    def decide(self, pair_id: int, accept: bool) -> TaughtPair:
        pair = self.store.decide(pair_id, accept)
        self.sync()
        return pair

    def sync(self) -> bool:
        """Rebuild the taught index if the accepted pairs changed; True if it was rebuilt."""
        with self._sync_lock:
            accepted = self.store.pairs(("accepted",))
            live = tuple((pair.id, pair.dsl) for pair in accepted)
            if live == self._live:
                return False
            linker = self.pipeline.linker
            self.pipeline.taught = TaughtIndex(accepted, mask=lambda question: linker.link(question).masked())
            self._live = live
            log.info("%d taught pairs are live", len(accepted))
            return True

    def start(self) -> None:
        """Sync now, then every `sync_seconds` in a daemon thread until `close`."""
        self.sync()
        self._thread = threading.Thread(target=self._follow, name="askcric-taught-sync", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._closed.wait(self.sync_seconds):
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - a store that is down now may be back at the next turn
                log.warning("Cannot read the taught pairs; trying again in %.0f s", self.sync_seconds, exc_info=True)

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()


def following_teacher(pipeline: Pipeline, url: str | None = None, *, sync_seconds: float = SYNC_SECONDS) -> Teacher:
    """A server's teacher: the taught pairs of the store at `url` live now, and followed from then on."""
    teacher = Teacher(TaughtStore(taught_store_url(url)), pipeline, sync_seconds=sync_seconds)
    teacher.start()
    return teacher


def load_taught_pairs(pipeline: Pipeline, url: str | None = None) -> None:
    """The accepted taught pairs into the pipeline, once (a CLI command lives shorter than a sync)."""
    teacher = Teacher(TaughtStore(taught_store_url(url)), pipeline)
    try:
        teacher.sync()
    finally:
        teacher.close()
