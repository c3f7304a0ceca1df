"""Conversations of the REST API: the last answered turn of each, so a follow-up ("and in
Tests?") can be read against it (dsl/followup.py).

Kept in the server's memory only: CONVERSATION_TTL seconds after its last question, at most
MAX_CONVERSATIONS at once (the least recently used is dropped first). An expired or unknown id
starts a new conversation under that id; a restart forgets them all, which costs only the
follow-up reading of the next question.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

CONVERSATION_TTL = 30 * 60  # seconds
MAX_CONVERSATIONS = 10_000


@dataclass(frozen=True)
class Turn:
    """An answered question of a conversation, which the next question may follow up."""

    question: str
    dsl: str


def new_conversation_id() -> str:
    return secrets.token_urlsafe(12)


class Conversations:
    def __init__(self, ttl: float = CONVERSATION_TTL, capacity: int = MAX_CONVERSATIONS):
        self.ttl = ttl
        self.capacity = capacity
        self._turns: OrderedDict[str, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def last(self, conversation_id: str) -> Turn | None:
        with self._lock:
            kept = self._turns.get(conversation_id)
            if kept is None or time.monotonic() - kept[0] > self.ttl:
                self._turns.pop(conversation_id, None)
                return None
            return kept[1]

    def remember(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            self._turns[conversation_id] = (time.monotonic(), turn)
            self._turns.move_to_end(conversation_id)
            while len(self._turns) > self.capacity:
                self._turns.popitem(last=False)
