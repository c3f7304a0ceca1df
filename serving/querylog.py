"""The query log: one structured record per question asked, for seeing what people ask and what failed.

Each record goes to two places: a rotating JSON-lines log file (`<data dir>/logs/queries.jsonl`)
and the `query_log` table of its own writable SQLite file (`<data dir>/query_log.sqlite`), never
the stats database, which is opened read-only for answering. Writing a record never raises: a log
that cannot be written is reported once through `logging` and the question is still answered.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from logging.handlers import RotatingFileHandler
from pathlib import Path

from serving.answer import Answer

log = logging.getLogger(__name__)

LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 5
MAX_LOGGED_CHARS = 2000  # of a question: oversize input is logged, but not all of it

SCHEMA = """
CREATE TABLE IF NOT EXISTS query_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ts          TEXT NOT NULL,      -- ISO 8601, UTC
    source      TEXT NOT NULL,      -- "api" or "cli"
    question    TEXT,
    dsl         TEXT,
    error_kind  TEXT,               -- NULL when answered
    error       TEXT,               -- the error's message
    status      INTEGER,            -- the HTTP status (NULL outside the API)
    row_count   INTEGER,
    total_ms    REAL,
    timings_ms  TEXT NOT NULL,      -- JSON object: stage -> ms
    backend     TEXT,
    model       TEXT
)
"""
REFUSALS_SCHEMA = """
CREATE TABLE IF NOT EXISTS refusal_counts (
    day    TEXT NOT NULL,           -- UTC date
    kind   TEXT NOT NULL,           -- e.g. "overloaded"
    count  INTEGER NOT NULL,
    PRIMARY KEY (day, kind)
)
"""
CONVERGENCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS convergence_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ts           TEXT NOT NULL,     -- ISO 8601, UTC
    question     TEXT NOT NULL,
    dsl          TEXT NOT NULL,
    model        TEXT,              -- the model that scored it (absent in records of before)
    k            INTEGER NOT NULL,  -- examples in the prompt (the nearest k)
    mean_prob    REAL,              -- mean probability of the DSL's tokens
    bits         REAL,              -- -sum log2 p over the DSL's tokens
    tokens       TEXT NOT NULL,     -- JSON list of the DSL's tokens
    token_probs  TEXT NOT NULL      -- JSON list of their probabilities
)
"""
# Retention: records older than this, or beyond this many, are deleted as new ones come in.
MAX_AGE_DAYS = 90
MAX_RECORDS = 200_000
PRUNE_EVERY = 500  # records between two prunings
COLUMNS = ("ts", "source", "question", "dsl", "error_kind", "error", "status", "row_count", "total_ms",
           "timings_ms", "backend", "model")


def record_of(answer: Answer, *, source: str, status: int | None = None) -> dict:
    """The log record of one answered (or refused) question: plain JSON values."""
    return {
        "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "source": source,
        "question": None if answer.question is None else answer.question[:MAX_LOGGED_CHARS],
        "dsl": answer.dsl,
        "error_kind": answer.error.kind if answer.error else None,
        "error": answer.error.message if answer.error else None,
        "status": status,
        "row_count": len(answer.rows),
        "total_ms": answer.timings_ms.get("total"),
        "timings_ms": dict(answer.timings_ms),
        "backend": answer.backend,
        "model": answer.model,
    }


class QueryLog:
    """Appends question records to the rotating log file and the `query_log` table. Thread-safe."""

    def __init__(self, log_dir: Path | None = None, db_path: Path | None = None):
        """Defaults: `<data dir>/logs/` and `<data dir>/query_log.sqlite` (statsdb.database.data_dir)."""
        if log_dir is None or db_path is None:
            from statsdb.database import data_dir

            log_dir = log_dir or data_dir() / "logs"
            db_path = db_path or data_dir() / "query_log.sqlite"
        self.log_path = Path(log_dir) / "queries.jsonl"
        self.db_path = Path(db_path)
        self._lock = threading.Lock()
        self._handler: RotatingFileHandler | None = None
        self._db: sqlite3.Connection | None = None
        self._failed: set[str] = set()  # which sinks already reported a failure
        self._since_pruned = 0

    def record(self, answer: Answer, *, source: str, status: int | None = None) -> dict:
        """Write one record to both sinks; returns it. Never raises."""
        entry = record_of(answer, source=source, status=status)
        with self._lock:
            self._write_file(entry)
            self._write_db(entry)
        return entry

    def count_refusal(self, kind: str) -> None:
        """Count a refusal that carries no question worth keeping (an overload 503): under load
        these come by the thousand, so they are counted per day, not recorded one by one. Never raises."""
        day = datetime.now(timezone.utc).date().isoformat()
        with self._lock:
            try:
                self._connection().execute(
                    "INSERT INTO refusal_counts (day, kind, count) VALUES (?, ?, 1) "
                    "ON CONFLICT (day, kind) DO UPDATE SET count = count + 1", (day, kind))
            except Exception as error:  # noqa: BLE001 - a log problem must not fail the request
                self._report("db", f"Cannot write the query log database {self.db_path}: {error}")

    def record_convergence(self, question: str, dsl: str, records: list[dict], model: str) -> None:
        """An answer's convergence record (Pipeline.convergence: one row per k). Never raises."""
        ts = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        rows = [(ts, question[:MAX_LOGGED_CHARS], dsl, model, r["k"], r["mean_prob"], r["bits"],
                 json.dumps(r["tokens"]), json.dumps(r["token_probs"])) for r in records]
        with self._lock:
            try:
                self._connection().executemany(
                    "INSERT INTO convergence_log (ts, question, dsl, model, k, mean_prob, bits, tokens, token_probs) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            except Exception as error:  # noqa: BLE001 - a log problem must not fail anything
                self._report("db", f"Cannot write the query log database {self.db_path}: {error}")

    def close(self) -> None:
        with self._lock:
            if self._handler is not None:
                self._handler.close()
                self._handler = None
            if self._db is not None:
                self._db.close()
                self._db = None

    def _write_file(self, entry: dict) -> None:
        try:
            if self._handler is None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                self._handler = RotatingFileHandler(
                    self.log_path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
                )
            line = json.dumps(entry, ensure_ascii=False)
            self._handler.emit(logging.LogRecord("askcric.queries", logging.INFO, __file__, 0, line, None, None))
        except Exception as error:  # noqa: BLE001 - a log problem must not fail the question
            self._report("file", f"Cannot write the query log file {self.log_path}: {error}")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.db_path, timeout=5.0, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")  # the API and CLI runs may write at once
            db.execute(SCHEMA)
            db.execute(REFUSALS_SCHEMA)
            db.execute(CONVERGENCE_SCHEMA)
            if "model" not in {row[1] for row in db.execute("PRAGMA table_info(convergence_log)")}:
                db.execute("ALTER TABLE convergence_log ADD COLUMN model TEXT")  # a log of before the column
            self._db = db
        return self._db

    def _write_db(self, entry: dict) -> None:
        try:
            db = self._connection()
            values = {**entry, "timings_ms": json.dumps(entry["timings_ms"])}
            db.execute(
                f"INSERT INTO query_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})",
                [values[column] for column in COLUMNS],
            )
            self._since_pruned += 1
            if self._since_pruned >= PRUNE_EVERY:
                self._prune(db)
        except Exception as error:  # noqa: BLE001 - a log problem must not fail the question
            self._report("db", f"Cannot write the query log database {self.db_path}: {error}")

    def _prune(self, db: sqlite3.Connection) -> None:
        """Keep the last MAX_AGE_DAYS days and at most MAX_RECORDS records."""
        self._since_pruned = 0
        cutoff = (datetime.now(timezone.utc) - timedelta(days=MAX_AGE_DAYS)).isoformat(timespec="milliseconds")
        db.execute("DELETE FROM query_log WHERE ts < ? OR id <= (SELECT max(id) FROM query_log) - ?",
                   (cutoff, MAX_RECORDS))

    def _report(self, sink: str, message: str) -> None:
        if sink not in self._failed:
            self._failed.add(sink)
            log.warning(message)
