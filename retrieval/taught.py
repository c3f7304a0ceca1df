"""Taught pairs: the question→DSL readings users confirm or correct, kept in one database table.

A pair is a question (as the user wrote it) and a DSL; its `status` says where it stands:
- pending: waits in the review queue (`askcric review`); anyone's feedback starts here;
- accepted: live — searched as an example and used as the reading of questions like it;
- rejected: a reviewer said no;
- superseded: it was accepted, then another DSL was accepted for the same question.

Duplicates: the same question (compared by `question_key`: case, spacing and end punctuation
ignored) with the same DSL is one row; sending it again adds a confirmation instead of a row.
Contradictions: the same question with another DSL is a row of its own, so a reviewer sees every
reading proposed (the queue lists how many readings a question has); accepting one supersedes
the question's accepted one, so a question has at most one live reading.

The table lives behind an SQLAlchemy URL: an SQLite file by default, PostgreSQL when several
servers share what they learn (each polls the accepted pairs, see serving/teaching.py). Every
change is committed before it is acknowledged, so a pair reported stored survives a crash.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np
from sqlalchemy import (Column, Engine, Float, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        create_engine, event, func, select, update)
from sqlalchemy.exc import IntegrityError

from retrieval.embed import DIM, embed

Status = Literal["pending", "accepted", "rejected", "superseded"]
Verdict = Literal["right", "wrong"]
STATUSES: tuple[Status, ...] = ("pending", "accepted", "rejected", "superseded")

metadata = MetaData()
taught_pairs = Table(
    "taught_pairs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("question_key", String(400), nullable=False, index=True),
    Column("dsl", Text, nullable=False),  # "" for a "wrong" report that proposes no query
    Column("verdict", String(8), nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("confirmations", Integer, nullable=False, default=1),
    Column("source", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("decided_at", Float),
    UniqueConstraint("question_key", "dsl", name="one_row_per_reading"),
)


@dataclass(frozen=True)
class TaughtPair:
    id: int
    question: str
    dsl: str
    verdict: Verdict
    status: Status
    confirmations: int
    source: str
    created_at: float
    decided_at: float | None


@dataclass(frozen=True)
class Submitted:
    pair: TaughtPair
    new: bool  # False: the same reading was already stored and got one more confirmation


class TaughtError(ValueError):
    """A review decision that cannot be taken (no such pair, or a report with no query)."""


def question_key(question: str) -> str:
    """What makes two questions the same question: case, spacing and end punctuation do not."""
    return re.sub(r"\s+", " ", question.casefold()).strip().rstrip("?.! ")[:400]


class TaughtStore:
    """The taught_pairs table behind `url`; safe to share between threads and processes."""

    def __init__(self, url: str):
        self.url = url
        options = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_wal)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def submit(self, question: str, dsl: str, verdict: Verdict, *, accept: bool, source: str) -> Submitted:
        """Store a reading (or count one more confirmation of it); `accept` makes it live at once."""
        key, now = question_key(question), time.time()
        for attempt in range(2):  # a second server may insert the same reading at the same moment
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(select(taught_pairs).where(
                        taught_pairs.c.question_key == key, taught_pairs.c.dsl == dsl)).first()
                    if row is None:
                        pair_id = conn.execute(taught_pairs.insert().values(
                            question=question, question_key=key, dsl=dsl, verdict=verdict, status="pending",
                            confirmations=1, source=source, created_at=now)).inserted_primary_key[0]
                    else:
                        pair_id = row.id
                        conn.execute(update(taught_pairs).where(taught_pairs.c.id == pair_id).values(
                            confirmations=taught_pairs.c.confirmations + 1))
                    if accept and dsl:
                        _accept(conn, pair_id, key, now)
                    return Submitted(_pair(conn, pair_id), new=row is None)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def decide(self, pair_id: int, accept: bool) -> TaughtPair:
        """A reviewer's decision on one pair."""
        with self.engine.begin() as conn:
            row = conn.execute(select(taught_pairs).where(taught_pairs.c.id == pair_id)).first()
            if row is None:
                raise TaughtError(f"There is no taught pair {pair_id}; `askcric review` lists them.")
            now = time.time()
            if not accept:
                conn.execute(update(taught_pairs).where(taught_pairs.c.id == pair_id)
                             .values(status="rejected", decided_at=now))
            elif not row.dsl:
                raise TaughtError(f"Pair {pair_id} is a report that the answer was wrong, with no query to accept; "
                                  "teach the right query with `askcric teach QUESTION DSL`.")
            else:
                _accept(conn, pair_id, row.question_key, now)
            return _pair(conn, pair_id)

    def pairs(self, statuses: Sequence[Status] = STATUSES) -> list[TaughtPair]:
        """The pairs with these statuses, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(taught_pairs).where(taught_pairs.c.status.in_(statuses))
                                .order_by(taught_pairs.c.id))
            return [TaughtPair(**_fields(row)) for row in rows]

    def readings_per_question(self) -> dict[str, int]:
        """How many different queries were proposed for each question (more than one: contradicting)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(taught_pairs.c.question_key, func.count())
                                .where(taught_pairs.c.dsl != "").group_by(taught_pairs.c.question_key))
            return {key: count for key, count in rows}


def _accept(conn, pair_id: int, key: str, now: float) -> None:
    conn.execute(update(taught_pairs).where(taught_pairs.c.question_key == key, taught_pairs.c.status == "accepted",
                                            taught_pairs.c.id != pair_id).values(status="superseded", decided_at=now))
    conn.execute(update(taught_pairs).where(taught_pairs.c.id == pair_id, taught_pairs.c.status != "accepted")
                 .values(status="accepted", decided_at=now))


def _pair(conn, pair_id: int) -> TaughtPair:
    return TaughtPair(**_fields(conn.execute(select(taught_pairs).where(taught_pairs.c.id == pair_id)).one()))


def _fields(row) -> dict:
    fields = dict(row._mapping)
    del fields["question_key"]
    return fields


def _sqlite_wal(connection, _record) -> None:
    # WAL lets the review CLI read while a server writes; a committed pair survives a killed process.
    connection.execute("PRAGMA journal_mode=WAL")


# --- the index of accepted pairs -----------------------------------------------------------------

class TaughtIndex:
    """The accepted pairs, searchable by masked question like the example store's masked index.

    Rebuilt whole when the accepted pairs change (a few thousand embed in seconds), which also
    makes removal (a superseded pair) trivial.
    """

    def __init__(self, pairs: Sequence[TaughtPair] = (), mask: Callable[[str], str] = str):
        self.pairs = list(pairs)
        self.masked = [mask(pair.question) for pair in self.pairs]
        self._index = faiss.IndexFlatIP(DIM)
        if self.pairs:
            self._index.add(embed(self.masked))

    def __len__(self) -> int:
        return len(self.pairs)

    def nearest(self, masked_question: str, k: int) -> list[tuple[TaughtPair, float]]:
        """The k pairs whose masked questions are most similar (cosine), nearest first."""
        if not self.pairs or k <= 0:
            return []
        scores, rows = self._index.search(np.asarray(embed([masked_question]), dtype=np.float32), min(k, len(self.pairs)))
        return [(self.pairs[row], float(score)) for score, row in zip(scores[0], rows[0]) if row >= 0]
