"""The answer object: the JSON contract of `askcric ask --json` and `POST /v1/ask` (DESIGN.md).

One pydantic model shared by the CLI, the REST API and the web page, so the three cannot drift.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_serializer


def printable(text: str | None) -> str | None:
    """Text as it can be echoed and logged, whatever came in: a lone surrogate (from a JSON escape,
    or from bytes that were not UTF-8 on a command line) is written as its escape."""
    return None if text is None else text.encode("utf-8", "backslashreplace").decode("utf-8")


class ErrorInfo(BaseModel):
    kind: str
    message: str
    # unknown_name / ambiguous_name: the words that named nobody (or several), and for an unknown
    # name the nearest names (the page offers them); left out of the JSON for other errors
    name: str | None = None
    suggestions: list[str] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _only_what_is_set(self, handler):
        return {key: value for key, value in handler(self).items()
                if key in ("kind", "message") or value not in (None, [])}


def error_info(error: Exception) -> ErrorInfo:
    """The ErrorInfo of a refusal (a QuestionError or DslError: `kind` and message)."""
    return ErrorInfo(kind=error.kind, message=str(error), name=getattr(error, "name", None),
                     suggestions=list(getattr(error, "suggestions", ()))[:3])


class ExampleUsed(BaseModel):
    question: str
    dsl: str
    score: float


class NoteInfo(BaseModel):
    kind: str  # ignored / interpreted / coverage / taught
    message: str


class Alternative(BaseModel):
    """Another close reading of the question: a query the model found nearly as likely."""

    dsl: str
    description: str
    score: float  # the reading's share of the likelihood among the candidates (0..1)


class Answer(BaseModel):
    question: str | None = None
    dsl: str | None = None
    description: str | None = None  # the DSL read back in English
    summary: str | None = None  # the answer in one sentence, from its rows (dsl/summary.py)
    sql: str | None = None
    columns: list[str] = Field(default_factory=list)
    rows: list[list] = Field(default_factory=list)
    examples: list[ExampleUsed] = Field(default_factory=list)
    dsl_token_probs: list[dict] = Field(default_factory=list)
    # ask(converge=True): the DSL's token probabilities with k = 0..8 of its examples,
    # [{"k", "tokens", "token_probs", "mean_prob", "bits"}]; null otherwise
    convergence: list[dict] | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    backend: str | None = None
    model: str | None = None
    error: ErrorInfo | None = None
    notes: list[NoteInfo] = Field(default_factory=list)  # what the answer left out, reinterpreted or cannot cover
    alternatives: list[Alternative] = Field(default_factory=list)
    # a Vega-Lite spec (with its data) for grouped answers, rankings and comparisons (serving/chart.py)
    chart: dict | None = None
    # the REST API's conversation this answer belongs to: send it back with a follow-up question
    conversation_id: str | None = None
