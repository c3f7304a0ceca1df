"""The DSL's error types. Each carries a message a fan (or the model pipeline) can act on."""

from __future__ import annotations

from dataclasses import dataclass


class DslError(Exception):
    """Base of every error the DSL raises; `kind` names it in the JSON contract."""

    kind = "dsl_error"


@dataclass
class DslSyntaxError(DslError):
    text: str
    position: int
    found: str
    expected: tuple[str, ...]
    kind = "syntax_error"

    def __str__(self) -> str:
        shown = ", ".join(f"'{e}'" if not e.startswith("a ") else e for e in self.expected[:12])
        more = " …" if len(self.expected) > 12 else ""
        return (
            f"Cannot read the query at character {self.position + 1} (found {self.found!r}); "
            f"expected one of: {shown}{more}\n  {self.text}\n  {' ' * self.position}^"
        )


@dataclass
class UnknownName(DslError):
    what: str  # player / team / ground / place / event
    name: str
    suggestions: tuple[str, ...]
    kind = "unknown_name"

    def __str__(self) -> str:
        hint = f" — did you mean {' or '.join(self.suggestions[:3])}?" if self.suggestions else ""
        return f"No {self.what} named {self.name!r}{hint}"


@dataclass
class AmbiguousName(DslError):
    what: str
    name: str
    candidates: tuple[str, ...]  # readable descriptions of each candidate
    kind = "ambiguous_name"

    def __str__(self) -> str:
        return (
            f"{self.name!r} could be more than one {self.what}: {'; '.join(self.candidates[:6])}. "
            "Add a team or format to the question to pick one."
        )


@dataclass
class UnsupportedQuery(DslError):
    """Grammatical, but asks for a combination the statistics cannot answer."""

    message: str
    kind = "unsupported_query"

    def __str__(self) -> str:
        return self.message


class CannotAnswer(DslError):
    """A question askcric will not answer, with the reason a fan can act on.

    kind: unsupported (a part the language or data cannot express), out_of_domain, invalid_number,
    no_data (a period outside the data); `part` names what could not be used."""

    def __init__(self, kind: str, message: str, part: str | None = None):
        super().__init__(message)
        self.kind, self.message, self.part = kind, message, part
