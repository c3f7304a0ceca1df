"""The REST API and the web page: FastAPI over the question pipeline (`askcric serve`).

`POST /v1/ask` answers with the Answer object of DESIGN.md's contract, whatever happens: a question
the pipeline refuses gets the Answer with its `error`, and the HTTP status that `STATUS_BY_KIND`
maps the error's kind to. The pipeline (model, linker, example store) loads in a background thread
when the server starts, so `/healthz` answers at once; until it is ready `/v1/ask` answers 503.
Questions reach the model through a bounded queue, `workers` at a time (the local backend runs
one question per core at once): when `max_waiting` questions already wait, the next one gets 503
with Retry-After at once instead of waiting without end. The
light requests (/v1/link, /v1/examples, /v1/feedback) have a queue of their own, so that a crowd
of them cannot take the CPU from the model, nor wait behind it.

`POST /v1/feedback` stores a user's verdict on an answer (serving/teaching.py): without a token it
waits for review (`askcric review`); with `Authorization: Bearer $ASKCRIC_ADMIN_TOKEN` the reading
is live at once. A server started without ASKCRIC_ADMIN_TOKEN refuses every token: teaching over
HTTP is off, feedback still goes to the review queue.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator, BaseModel, Field, StrictBool
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from serving.answer import Answer, ErrorInfo, ExampleUsed, printable
from serving.convergence_log import ConvergenceLogger
from serving.conversation import Conversations, Turn, new_conversation_id
from serving.querylog import QueryLog

if TYPE_CHECKING:
    from serving.pipeline import Pipeline
    from serving.teaching import Teacher

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_QUESTION_CHARS = 300  # the same limit as serving.pipeline (not imported: it pulls in torch)
DEFAULT_MAX_WAITING = 4
BACKEND_RETRY_AFTER = 30  # seconds, when the model server did not answer a question
MAX_RETRY_PAUSE = 30.0  # seconds between attempts to open a database that cannot be read yet
EXAMPLE_QUESTION = "Virat Kohli's ODI runs in 2018"
MAX_BODY_BYTES = 16 * 1024  # a question, a query and a flag: far below this
MAX_HEADERS = 100  # browsers send about 20
MAX_HEADER_BYTES = 16 * 1024
DEFAULT_MAX_WAITING_LIGHT = 16  # link, examples, feedback: milliseconds each
DEFAULT_MAX_QUEUE_WAIT = 30.0  # seconds a question may wait for the model before 503


def _text(value: str) -> str:
    """Text that can be stored and sent back: a lone UTF-16 surrogate ("\\ud800" in JSON) cannot."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds a character that is not valid text (a lone surrogate); send the question as plain UTF-8") from None
    return value


Text = Annotated[str, AfterValidator(_text)]

# The one place an error kind becomes an HTTP status. Kinds not listed are server faults (500).
STATUS_BY_KIND: dict[str, int] = {
    "question_too_long": 422,
    "empty_question": 422,
    "invalid_question": 422,
    "invalid_request": 422,
    "out_of_domain": 422,
    "unknown_name": 422,
    "ambiguous_name": 422,
    "unsupported_query": 422,
    "unsupported": 422,
    "invalid_number": 422,
    "no_data": 422,
    "no_candidate": 422,
    "syntax_error": 422,
    "dsl_error": 422,
    "query_timeout": 504,
    "backend_unavailable": 503,
    "database_missing": 503,
    "database_unavailable": 503,
    "not_ready": 503,
    "forbidden": 403,
    "teaching_off": 403,
    "no_such_pair": 404,
    "overloaded": 503,
    "model_error": 500,
    "internal_error": 500,
}


def status_for(kind: str | None) -> int:
    return 200 if kind is None else STATUS_BY_KIND.get(kind, 500)


# --- request and response bodies ----------------------------------------------------------------

class AskRequest(BaseModel):
    question: Text = Field(max_length=MAX_QUESTION_CHARS, examples=[EXAMPLE_QUESTION],
                          description=f"A cricket statistics question in English, at most {MAX_QUESTION_CHARS} characters.")
    dsl: Text | None = Field(None, max_length=MAX_QUESTION_CHARS * 2,
                            description="Answer with this query instead of translating the question: one of "
                                        "an answer's `alternatives`, or a query the fan edited.")
    converge: StrictBool = Field(False, description="Also score the chosen DSL with k = 0..8 of its examples "
                                              "(the `convergence` curve); several extra model calls.")
    conversation_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$",
                                        description="The `conversation_id` of an earlier answer: a follow-up "
                                                    "(\"and in Tests?\", \"what about Smith?\") is read against "
                                                    "its query. Kept 30 minutes after the last question; "
                                                    "without it, a new conversation starts.")


class Health(BaseModel):
    status: str = Field(description='"ok", or "error" when the pipeline failed to load')
    backend: str
    model: str | None
    ready: bool = Field(description="the pipeline is loaded and answers questions")
    error: str | None = None


class ExamplesFound(BaseModel):
    question: str
    masked: str = Field(description="the question with its names and values replaced by their types, as searched")
    examples: list[ExampleUsed] = Field(description="nearest first; score = cosine similarity of the masked questions")


class LinkedCandidate(BaseModel):
    value: str
    score: float


class LinkedMention(BaseModel):
    type: str
    start: int
    end: int
    text: str
    candidates: list[LinkedCandidate]
    ambiguous: bool


class LinkFound(BaseModel):
    question: str
    masked: str
    mentions: list[LinkedMention]


class ErrorBody(BaseModel):
    error: ErrorInfo


class ExampleQuestions(BaseModel):
    kind: str
    questions: list[str]


# The kinds of question the empty page offers, each as the corpus tags that mark it.
SHOWCASE = (
    ("A player's figures", ("player", "aggregate")), ("Rankings", ("ranking",)), ("Breakdowns: by year, opposition, ground", ("grouped",)),
    ("Best innings and lists", ("bestinnings",)), ("Teams and results", ("team", "result")),
    ("Partnerships", ("partnership",)), ("Comparisons", ("compare",)), ("Records within a season", ("per-season",)),
    ("Fastest and streaks", ("milestone",)),
)


def showcase(pairs, per_kind: int = 3) -> list[ExampleQuestions]:
    """A few train questions of each kind, chosen the same way on every start."""
    import random

    shown = []
    for kind, tags in SHOWCASE:
        fitting = sorted(p.question for p in pairs if set(tags) <= set(p.tags) and p.question[:1].isupper())
        shown.append(ExampleQuestions(kind=kind, questions=random.Random(kind).sample(fitting, min(per_kind, len(fitting)))))
    return [kind for kind in shown if kind.questions]


class FeedbackRequest(BaseModel):
    question: Text = Field(max_length=MAX_QUESTION_CHARS, description="the question as it was asked")
    dsl: Text | None = Field(None, max_length=MAX_QUESTION_CHARS * 2,
                            description='"right": the query the answer used; "wrong": the right query (an '
                                        "alternative or an edited one), or nothing to report the answer only")
    verdict: Literal["right", "wrong"]


class FeedbackStored(BaseModel):
    id: int = Field(description="the taught pair's number (`askcric review` shows it)")
    status: str = Field(description="pending (waits for review) or accepted (live now)")
    dsl: str = Field(description="the query stored, in its canonical spelling; empty for a report")
    confirmations: int = Field(description="how many times this reading of this question was sent")
    new: bool = Field(description="false when the same reading was already stored")


QuestionParam = Annotated[Text, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="a question")]
ExamplesParam = Annotated[int, Query(ge=1, le=50, description="how many examples")]


# --- the pipeline, loaded once in the background ------------------------------------------------

class Unavailable(Exception):
    """The question cannot be taken now; `retry_after` seconds is when to try again (None: don't)."""

    def __init__(self, kind: str, message: str, retry_after: int | None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


class PipelineLoader:
    """Builds the pipeline once, in a daemon thread, and hands it out when ready."""

    def __init__(self, open_pipeline: Callable[[], Pipeline], open_teacher: Callable[[Pipeline], Teacher] | None = None):
        self._open = open_pipeline
        self._open_teacher = open_teacher
        self.teacher: Teacher | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.pipeline: Pipeline | None = None
        self.error: str | None = None
        self.error_kind = "backend_unavailable"
        self.retry_after: int | None = None
        self.started = time.monotonic()
        self._closed = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self.started = time.monotonic()
            self._thread = threading.Thread(target=self._load, name="askcric-pipeline-loader", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        """Open the pipeline; when the database is missing or cannot be read (a PostgreSQL that
        starts later, a file being rebuilt), try again with a growing pause until it can."""
        from sqlalchemy.exc import DBAPIError

        from statsdb.database import DatabaseMissing

        pause = 1.0
        while not self._closed.is_set():
            try:
                pipeline = self._open()
                # Taught pairs are live before the first question: the index is rebuilt from the store.
                self.teacher = self._open_teacher(pipeline) if self._open_teacher else None
                self.pipeline = pipeline
                self.error = None
                break
            except (DatabaseMissing, DBAPIError) as error:
                log.warning("The stats database cannot be opened (retrying in %.0f s): %s", pause, error)
                self.error_kind = "database_missing" if isinstance(error, DatabaseMissing) else "database_unavailable"
                self.error = (str(error) if isinstance(error, DatabaseMissing) else
                              "The statistics database cannot be read right now") + \
                    f"; the server tries again every {pause:.0f} s."
                self.retry_after = math.ceil(pause)
                self._closed.wait(pause)
                pause = min(pause * 2, MAX_RETRY_PAUSE)
            except Exception:  # noqa: BLE001 - reported by /healthz and every request; the trace is logged
                log.exception("The question pipeline failed to load")
                self.error_kind = "backend_unavailable"
                self.error = "The question pipeline failed to load; the server log says why."
                break
        self._ready.set()

    def get(self) -> Pipeline:
        if self.pipeline is not None:
            return self.pipeline
        if self.error is not None:
            raise Unavailable(self.error_kind, self.error, self.retry_after)
        loading = time.monotonic() - self.started
        raise Unavailable("not_ready", f"The model is still loading ({loading:.0f} s so far); try again shortly.", 10)

    def close(self) -> None:
        self._closed.set()
        if self.teacher is not None:
            self.teacher.close()
        if self.pipeline is not None:
            self.pipeline.backend.close()


# --- the bounded queue in front of the model ----------------------------------------------------

Result = TypeVar("Result")


class AskQueue:
    """Runs blocking pipeline calls in worker threads, `workers` at a time; at most `max_waiting`
    wait for a turn.

    Used from the event loop only (the counters need no lock). A call beyond the bound raises
    Unavailable("overloaded") at once, with a Retry-After estimated from recent answer times.
    """

    def __init__(self, max_waiting: int = DEFAULT_MAX_WAITING, seconds_per_call: float = 5.0, workers: int = 1,
                 max_wait: float = DEFAULT_MAX_QUEUE_WAIT):
        if max_waiting < 0 or workers < 1 or max_wait <= 0:
            raise ValueError("max_waiting must be 0 or more, workers 1 or more, max_wait above 0")
        self.max_waiting = max_waiting
        self.max_wait = max_wait  # seconds a call may wait for its turn (a stuck model holds every turn)
        self.workers = workers
        self.running = 0
        self.waiting = 0
        self.seconds_per_call = seconds_per_call  # moving average of recent call times, for Retry-After
        self._turn = asyncio.Semaphore(workers)

    async def run(self, work: Callable[[], Result]) -> tuple[Result, float]:
        """(work's result, ms spent waiting for its turn)."""
        if self.running >= self.workers and self.waiting >= self.max_waiting:
            retry = max(1, math.ceil(self.seconds_per_call * (self.waiting + 1) / self.workers))
            raise Unavailable(
                "overloaded",
                f"The server is busy: {self.running + self.waiting} requests are ahead of yours. "
                f"Try again in about {retry} s.", retry,
            )
        self.waiting += 1
        queued = time.perf_counter()
        try:
            await asyncio.wait_for(self._turn.acquire(), self.max_wait)
        except TimeoutError:
            retry = max(1, math.ceil(self.seconds_per_call))
            raise Unavailable("overloaded", f"The server could not start on your question within {self.max_wait:g} s "
                                            f"(the model is slow or stuck). Try again in about {retry} s.", retry) from None
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            started = time.perf_counter()
            # Not cancellable (anyio waits for the thread): the turn is held until the work is done.
            result = await run_in_threadpool(work)
            self.seconds_per_call = 0.7 * self.seconds_per_call + 0.3 * (time.perf_counter() - started)
            return result, (started - queued) * 1000
        finally:
            self.running -= 1
            self._turn.release()


# --- the app ------------------------------------------------------------------------------------

def create_app(
    open_pipeline: Callable[[], Pipeline],
    *,
    backend: str = "local",
    model: str | None = None,
    max_waiting: int = DEFAULT_MAX_WAITING,
    workers: int = 1,
    max_queue_wait: float = DEFAULT_MAX_QUEUE_WAIT,
    query_log: QueryLog | None = None,
    open_teacher: Callable[[Pipeline], Teacher] | None = None,
    admin_token: str | None = None,
    log_convergence: float = 0.0,
) -> FastAPI:
    """The API app. `open_pipeline()` builds the pipeline (in a background thread at startup);
    `backend` and `model` name it in /healthz until it is loaded. Records go to `query_log`
    (default: the per-user query log). `workers`: questions answered at once; `max_queue_wait`:
    seconds a question may wait for its turn before 503. `open_teacher(pipeline)` opens the taught pairs (none:
    /v1/feedback answers 503); `admin_token` lets feedback go live at once; `log_convergence`: the
    share of answers whose convergence record is logged in the background (serving/convergence_log.py)."""
    loader = PipelineLoader(open_pipeline, open_teacher)
    conversations = Conversations()
    loggers: list[ConvergenceLogger] = []  # made once the pipeline is loaded, if asked for

    def convergence_logger() -> ConvergenceLogger | None:
        if not log_convergence or loader.pipeline is None:
            return None
        if not loggers:
            loggers.append(ConvergenceLogger(loader.pipeline, query_log, log_convergence,
                                             idle=lambda: queue.running == 0 and queue.waiting == 0))
        return loggers[0]
    queue = AskQueue(max_waiting, workers=workers, max_wait=max_queue_wait)
    light_queue = AskQueue(DEFAULT_MAX_WAITING_LIGHT, seconds_per_call=0.1)
    query_log = query_log or QueryLog()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        loader.start()
        yield
        for logger in loggers:
            logger.close()
        loader.close()
        query_log.close()

    app = FastAPI(
        title="askcric",
        version="0.1.0",
        summary="Cricket statistics questions in plain English, answered through a few-shot-learned DSL.",
        lifespan=lifespan,
    )
    app.state.loader, app.state.queue, app.state.query_log = loader, queue, query_log

    @app.middleware("http")
    async def limit_request(request: Request, call_next):
        """Heads with too many or too large headers get 431, bodies over MAX_BODY_BYTES 413,
        before they are read into memory or parsed."""
        head = request.scope["headers"]
        if len(head) > MAX_HEADERS or sum(len(name) + len(value) for name, value in head) > MAX_HEADER_BYTES:
            error = ErrorInfo(kind="headers_too_large",
                              message=f"Requests are limited to {MAX_HEADERS} headers and {MAX_HEADER_BYTES:,} bytes of them.")
            return JSONResponse({"error": error.model_dump()}, status_code=431)
        declared = request.headers.get("content-length", "0" if request.method in ("GET", "HEAD") else "")
        if not declared.isdecimal() or int(declared) > MAX_BODY_BYTES:
            error = ErrorInfo(kind="request_too_large",
                              message=f"Requests are limited to {MAX_BODY_BYTES:,} bytes with a Content-Length header.")
            return JSONResponse({"error": error.model_dump()}, status_code=413)
        return await call_next(request)

    def names() -> tuple[str, str | None]:
        if loader.pipeline is not None:
            return loader.pipeline.backend.name, loader.pipeline.backend.model
        return backend, model

    async def respond(answer: Answer, retry_after: int | None = None) -> JSONResponse:
        status = status_for(answer.error.kind if answer.error else None)
        if answer.error is not None and answer.error.kind == "overloaded":
            await run_in_threadpool(query_log.count_refusal, "overloaded")  # counted: under load they come by the thousand
        else:
            await run_in_threadpool(query_log.record, answer, source="api", status=status)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return JSONResponse(answer.model_dump(mode="json"), status_code=status, headers=headers)

    def refused(question: str | None, kind: str, message: str) -> Answer:
        backend_name, model_name = names()
        return Answer(question=question, backend=backend_name, model=model_name,
                      error=ErrorInfo(kind=kind, message=message))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        """Errors raised before a handler runs (a body that is not JSON, an unknown path) in the one
        error shape; /v1/ask answers with the Answer object, as for every refusal."""
        if request.url.path == "/v1/ask" and error.status_code == 400:
            return await respond(refused(None, "invalid_request",
                                         f'The body is not JSON; send JSON like {{"question": "{EXAMPLE_QUESTION}"}}.'))
        kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "invalid_request")
        return JSONResponse({"error": {"kind": kind, "message": str(error.detail)}}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        """/v1/ask answers bad input with the Answer object too (question_too_long, invalid_request);
        other paths with the one error shape, naming the parameter and never echoing the input."""
        if request.url.path != "/v1/ask":
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
                                 for e in error.errors())
            return JSONResponse({"error": {"kind": "invalid_request", "message": problems}}, status_code=422)
        body = error.body if isinstance(error.body, dict) else {}
        question = printable(body.get("question")) if isinstance(body.get("question"), str) else None
        if any(e["type"] == "string_too_long" and tuple(e["loc"][-1:]) == ("question",) for e in error.errors()):
            answer = refused(question, "question_too_long",
                             f"Questions are limited to {MAX_QUESTION_CHARS} characters; this one has "
                             f"{len(question or '')}. Ask something shorter.")
        else:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
                                 for e in error.errors())
            answer = refused(question, "invalid_request",
                             f'Send JSON like {{"question": "{EXAMPLE_QUESTION}"}} ({problems}).')
        return await respond(answer)

    error_responses = {
        422: {"model": Answer, "description": "A question the pipeline will not answer: `error` says why "
                                              "(out_of_domain, unknown_name, ambiguous_name, unsupported_query, "
                                              "syntax_error, question_too_long, empty_question, invalid_request)"},
        503: {"model": Answer, "description": "Busy (overloaded), still loading (not_ready), no model server "
                                              "(backend_unavailable) or no database (database_missing); "
                                              "see the Retry-After header"},
        500: {"model": Answer, "description": "internal_error"},
    }

    @app.post("/v1/ask", response_model=Answer, responses=error_responses, tags=["questions"])
    async def ask(request: AskRequest) -> JSONResponse:
        """Answer a cricket statistics question: the result table, the DSL that produced it, its
        English reading, the SQL, the examples used, the DSL's token probabilities and timings."""
        conversation = request.conversation_id or new_conversation_id()
        after = conversations.last(conversation)
        try:
            pipeline = loader.get()
            answer, waited_ms = await queue.run(lambda: pipeline.ask(request.question, converge=request.converge,
                                                                     dsl=request.dsl, after=after))
        except Unavailable as busy:
            return await respond(refused(request.question, busy.kind, str(busy)), busy.retry_after)
        except Exception:  # noqa: BLE001 - the caller still gets an Answer; the trace goes to the log
            log.exception("Answering %r failed", request.question)
            return await respond(refused(request.question, "internal_error",
                                         "Something went wrong answering this question; it has been logged."))
        answer.timings_ms["queue"] = round(waited_ms, 2)
        answer.conversation_id = conversation
        if answer.error is None and answer.dsl:
            conversations.remember(conversation, Turn(request.question, answer.dsl))
            logger = convergence_logger()
            if logger is not None and not request.converge:  # asked for: it is in the answer already
                logger.offer(answer)
        unreachable = answer.error is not None and answer.error.kind == "backend_unavailable"
        return await respond(answer, BACKEND_RETRY_AFTER if unreachable else None)

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}}, tags=["service"])
    async def healthz() -> JSONResponse:
        """Liveness and readiness: `ready` once the model and indexes are loaded."""
        backend_name, model_name = names()
        health = Health(status="error" if loader.error else "ok", backend=backend_name, model=model_name,
                        ready=loader.pipeline is not None, error=loader.error)
        return JSONResponse(health.model_dump(), status_code=503 if loader.error else 200)

    @app.get("/livez", tags=["service"])
    async def livez() -> JSONResponse:
        """The process is up and serving HTTP (restart it if this fails)."""
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", responses={503: {"model": ErrorBody}}, tags=["service"])
    async def readyz() -> JSONResponse:
        """Ready to answer: the pipeline is loaded and its model (or model server) answers now."""
        try:
            pipeline = loader.get()
        except Unavailable as unavailable:
            headers = {"Retry-After": str(unavailable.retry_after)} if unavailable.retry_after else None
            return JSONResponse({"error": {"kind": unavailable.kind, "message": str(unavailable)}}, status_code=503,
                                headers=headers)
        if not await run_in_threadpool(pipeline.backend.ready):
            return JSONResponse({"error": {"kind": "backend_unavailable", "message": "The model server does not "
                                           "answer its health check."}}, status_code=503,
                                headers={"Retry-After": str(BACKEND_RETRY_AFTER)})
        return JSONResponse({"status": "ready", "backend": pipeline.backend.name, "model": pipeline.backend.model})

    def error_response(kind: str, message: str, retry_after: int | None = None) -> JSONResponse:
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        body = ErrorBody(error=ErrorInfo(kind=kind, message=message))
        return JSONResponse(body.model_dump(), status_code=status_for(kind), headers=headers)

    async def light(work: Callable[[Pipeline], Result]) -> Result | JSONResponse:
        """Run work that needs the pipeline but not the model, through the light requests' queue."""
        try:
            pipeline = loader.get()
            result, _ = await light_queue.run(lambda: work(pipeline))
        except Unavailable as busy:
            if busy.kind == "overloaded":
                await run_in_threadpool(query_log.count_refusal, "overloaded")
            return error_response(busy.kind, str(busy), busy.retry_after)
        return result

    @app.get("/v1/examples", response_model=ExamplesFound, responses={503: {"model": ErrorBody}},
             tags=["questions"])
    async def examples(q: QuestionParam, k: ExamplesParam = 8):
        """The k stored question→DSL examples nearest to a question (as the pipeline retrieves them)."""
        def nearest(pipeline: Pipeline) -> ExamplesFound:
            masked = pipeline.linker.link(q).masked()
            found = pipeline.store.select(q, k, masked_question=masked)
            return ExamplesFound(question=q, masked=masked, examples=[
                ExampleUsed(question=e.question, dsl=e.dsl, score=round(e.score, 4)) for e in found
            ])

        return await light(nearest)

    @app.get("/v1/link", response_model=LinkFound, responses={503: {"model": ErrorBody}}, tags=["questions"])
    async def link(q: QuestionParam):
        """The players, teams, grounds, places, competitions, years, numbers and stat words found in
        a question, each with its candidate values, best first."""
        def mentions(pipeline: Pipeline) -> LinkFound:
            linked = pipeline.linker.link(q)
            return LinkFound(question=q, masked=linked.masked(),
                             mentions=[LinkedMention(**asdict(m)) for m in linked.mentions])

        return await light(mentions)

    @app.get("/v1/example-questions", response_model=list[ExampleQuestions], responses={503: {"model": ErrorBody}},
             tags=["questions"])
    async def example_questions():
        """Questions of each kind askcric answers, from its example corpus (the empty page shows them)."""
        return await light(lambda pipeline: showcase(pipeline.store.pairs))

    def may_teach(authorization: str | None) -> bool | JSONResponse:
        """False: feedback for review; True: an operator's token, live at once; or the refusal."""
        if authorization is None:
            return False
        if not admin_token:
            return error_response("teaching_off", "This server takes no tokens (it was started without "
                                  "ASKCRIC_ADMIN_TOKEN): send feedback without one and it waits for review.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), admin_token.encode()):
            return error_response("forbidden", "That token does not allow teaching; send feedback without one "
                                               "and it waits for review.")
        return True

    @app.post("/v1/feedback", response_model=FeedbackStored, tags=["learning"],
              responses={403: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def feedback(request: FeedbackRequest, authorization: Annotated[str | None, Header()] = None):
        """A verdict on an answer: "right" confirms its query; "wrong" reports it, with the right
        query if known. The query is checked (it must run and find something), then stored for
        review, or live at once with the operator's token."""
        accept = may_teach(authorization)
        if isinstance(accept, JSONResponse):
            return accept
        if loader.pipeline is not None and loader.teacher is None:
            return error_response("not_ready", "This server keeps no taught pairs.")

        def store(pipeline: Pipeline) -> FeedbackStored | JSONResponse:
            from dsl.errors import DslError
            from serving.pipeline import QuestionError

            try:
                stored = loader.teacher.submit(request.question, request.dsl, request.verdict, accept=accept,
                                               source="api")
            except (QuestionError, DslError) as error:
                return error_response(error.kind, str(error))
            except DBAPIError:  # the details go to the log, not to the user
                log.exception("Storing feedback on %r failed", printable(request.question))
                return error_response("database_unavailable", "Feedback cannot be stored right now; try again shortly.",
                                      BACKEND_RETRY_AFTER)
            return FeedbackStored(id=stored.pair.id, status=stored.pair.status, dsl=stored.pair.dsl,
                                  confirmations=stored.pair.confirmations, new=stored.new)

        return await light(store)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
