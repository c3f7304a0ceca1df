"""Notes an answer carries: what askcric read differently from the words, left out, or cannot
fully cover. The pipeline turns them into the answer's `notes` ([{kind, message}])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NoteKind = Literal["ignored", "interpreted", "coverage", "taught"]


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    message: str
