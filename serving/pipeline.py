"""The question pipeline: question -> link -> retrieve -> pack -> choose a DSL -> run it -> answer.

How the DSL is chosen is a configuration (`Strategy`), so the evaluation can run the baselines
and the product's default through the same code:
- "generate": the model writes the DSL under a grammar (the generic one, or the question's typed
  grammar whose name and number slots accept only the linked values);
- "rank": candidate DSLs (the nearest examples' shapes filled with the linked values, see
  dsl/candidates.py) that resolve and compile are scored by the model's summed log-likelihood
  given the few-shot prompt, and the most likely one wins (PILOT.md: 34/60 against 8/60);
- "rank+generate" (the default): as "rank", but when the best candidate leaves out part of the
  question (askcric would refuse it) the model's own query under the typed grammar competes with it
  per token. It does not compete with a complete candidate the model finds unlikely: on the dev
  splits that chose the model's own query for 10 of 1121 questions, 2 right and 7 wrong, and cost
  ~0.45 s on a quarter of the questions (analysis/RESULTS.md, issue 17);
- "first": the first candidate in the rules' order, no model (the baseline).
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from dsl import ast
from dsl.candidates import Frame, asks_a_sides_record, candidates_for, extra_parts, missing_parts
from dsl.coverage import coverage_notes, year_spans
from dsl.errors import CannotAnswer, DslError, UnknownName
from dsl.execute import Laps, compile_error, run_dsl
from dsl.faithfulness import (Audited, audit_numbers, check_complete, refuse_conditioned_on_another_player,
                              refuse_mixed_genders, refuse_unanswerable,
                              spelling_notes)
from dsl.followup import follow_up
from dsl.lexicon import lexicon
from dsl.link import MASK_VERSION, NAME_TYPES, Linked, Linker
from dsl.notes import Note
from dsl.parser import grammar_text, parse
from dsl.printer import describe, to_dsl
from dsl.resolve import suggest
from dsl.retarget import retarget, same_form
from dsl.specialize import allowed_values, specialize
from dsl.summary import summarize
from retrieval.prompt import DEFAULT_BUDGET, pack, render
from retrieval.store import ExampleStore, ScoredExample
from retrieval.taught import TaughtIndex, TaughtPair
from serving.answer import Alternative, Answer, ErrorInfo, ExampleUsed, NoteInfo, error_info, printable
from serving.backends import Backend, BackendError, BackendTimeout, BackendUnavailable, TokenInfo
from serving.chart import chart_spec
from serving.conversation import Turn
from statsdb.database import QueryTimeout

MAX_QUESTION_CHARS = 300
# A candidate at most this much less likely than the chosen one (log-likelihood, nats; ln 4: at
# least a quarter as likely) is shown as another reading of the question.
ALTERNATIVE_NATS = math.log(4)
MAX_ALTERNATIVES = 3
CONVERGE_KMAX = 8  # `ask(converge=True)` scores the DSL with k = 0..8 of the prompt's examples
# Taught pairs at least this similar (masked cosine) to a question offer it their reading as a
# candidate; only one of the same form answers without the model (analysis/taught_threshold.py).
TAUGHT_MIN_SIMILARITY = 0.9
TAUGHT_NEIGHBOURS = 5
# Mentions that show a question is about cricket statistics at all. A team or a place alone does
# not: "What is the capital of France?" names a cricket team too.
log = logging.getLogger(__name__)

DOMAIN_TYPES = {"player", "ground", "competition", "stat", "event", "subject", "phase", "result", "toss",
                "batting_order", "dismissal", "stage"}


class QuestionError(Exception):
    """A question the pipeline will not answer, with a message a fan can act on."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Strategy:
    retrieval: Literal["none", "random", "nearest", "masked"] = "masked"
    grammar: Literal["generic", "typed"] = "typed"
    # "first": the first candidate, no model at all (the baseline that shows what the model adds)
    decide: Literal["generate", "rank", "rank+generate", "first"] = "rank+generate"
    # Examples in the prompt (fewer if the budget is reached). With the shipped adapter 4 are as
    # accurate on the dev splits and 100 ms faster, but misread more questions silently
    # (tests/serving/faithfulness.jsonl: 11 of 351, over the 2% bound), so 8 (analysis/RESULTS.md).
    k: int = 8
    pool: int = 16  # neighbours whose shapes become candidates
    budget: int = DEFAULT_BUDGET


DEFAULT_STRATEGY = Strategy()


@dataclass
class Translation:
    """A question turned into DSL, with what led there (for the answer, the log and evaluation)."""

    question: str
    linked: Linked
    examples: list[ScoredExample]  # the prompt's, nearest first
    prompt: str
    dsl: str | None = None
    token_probs: list[TokenInfo] = field(default_factory=list)
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (dsl, log-likelihood), most likely first
    # (with decide="first": in the rules' order, log-likelihood nan)
    notes: list[Note] = field(default_factory=list)  # how numbers were read (dsl/faithfulness.py)
    question_frame: Frame | None = None  # what the question names, when candidates were built
    taught: list[TaughtReading] = field(default_factory=list)  # readings users taught for questions like this
    neighbours: list[ScoredExample] = field(default_factory=list)  # all retrieved, nearest first (the prompt's first)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TaughtReading:
    dsl: str  # the taught pair's query with this question's names and values
    pair: TaughtPair
    similarity: float
    same_form: bool  # the same question about other names (dsl/retarget.py): it is the answer


def taught_readings(linked: Linked, nearest: list[tuple[TaughtPair, float]], linker: Linker,
                    engine: Engine) -> list[TaughtReading]:
    """The readings of the nearest taught questions (`TaughtIndex.nearest` of this one, nearest
    first), moved onto its names and values; one of the same form first."""
    readings = []
    for pair, similarity in nearest[:TAUGHT_NEIGHBOURS]:
        taught_linked = linker.link(pair.question)
        moved = retarget(pair.dsl, taught_linked, linked)
        if moved is None or _compiled(moved, engine) is None:
            continue
        same = same_form(taught_linked, linked, engine)
        if same or similarity >= TAUGHT_MIN_SIMILARITY:
            readings.append(TaughtReading(moved, pair, similarity, same))
    return sorted(readings, key=lambda reading: not reading.same_form)


def read_question(question: str, linker: Linker, engine: Engine) -> Audited:
    """Every check of a question that needs no model: its length, its words (domain, names,
    genders, what askcric cannot answer) and its numbers. Raises the error a fan sees; the CLI runs
    it before loading the model, so a typo is answered in about a second."""
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError("question_too_long", f"Questions are limited to {MAX_QUESTION_CHARS} characters.")
    if not question.strip():
        raise QuestionError("empty_question", "Ask a cricket statistics question.")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionError("invalid_question", "The question holds bytes that are not text (not UTF-8); "
                                                "type it again or check the terminal's encoding.") from None
    respelled, fixes = linker.respelled(question)
    linked = linker.link(respelled)
    _check_domain(linked)
    _check_names(linked, engine)
    refuse_mixed_genders(linked, linker.genders_played)
    refuse_conditioned_on_another_player(linked)
    refuse_unanswerable(question)
    audited = audit_numbers(linker.with_keywords_read(linked), year_spans(engine))
    return replace(audited, notes=audited.notes + spelling_notes(linked, fixes))


class Pipeline:
    def __init__(self, backend: Backend, engine: Engine, store: ExampleStore, linker: Linker):
        self.backend = backend
        self.engine = engine
        self.store = store
        self.linker = linker
        self.taught = TaughtIndex()  # the accepted taught pairs; serving/teaching.py keeps it in step
        self._grammar = grammar_text()

    @classmethod
    def open(cls, backend: Backend, engine: Engine, progress=None, linker: Linker | None = None) -> Pipeline:
        linker = linker or Linker.from_engine(engine)
        return cls(backend, engine, example_store(linker, progress=progress), linker)

    # --- question -> DSL -------------------------------------------------------------------------

    def translate(self, question: str, strategy: Strategy = DEFAULT_STRATEGY) -> Translation:
        timings: dict[str, float] = {}
        clock = Laps(timings)
        audited = read_question(question, self.linker, self.engine)
        linked = audited.linked
        clock.lap("link")
        # One search of the taught pairs (one snapshot: a sync may swap in a new index meanwhile)
        # serves both the examples and the taught readings.
        taught_near = self.taught.nearest(linked.masked(), max(strategy.k, strategy.pool, TAUGHT_NEIGHBOURS))
        examples = self._select(question, linked, strategy, taught_near)
        clock.lap("retrieve")
        packed = pack(question, examples[: strategy.k], strategy.budget, self.backend.tokenizer)
        clock.lap("pack")
        translation = Translation(question, linked, list(reversed(packed.examples)), packed.text, timings_ms=timings,
                                  notes=audited.notes, neighbours=examples,
                                  taught=taught_readings(linked, taught_near, self.linker, self.engine))
        answer_taught = self._taught_answer(translation)
        if answer_taught is not None:
            translation.notes.append(Note("taught", "Read the way users taught askcric to read "
                                                    f"\"{answer_taught.pair.question}\"."))
        if strategy.decide in ("rank", "rank+generate", "first"):
            self._rank(translation, examples[: strategy.pool], strategy)
            clock.lap("rank")
        if strategy.decide == "rank+generate" and self._leaves_out_part(translation):
            self._compete(translation)
            clock.lap("generate")
        if translation.dsl is None and answer_taught is not None:
            translation.dsl = answer_taught.dsl
        if translation.dsl is None and strategy.decide == "first":
            raise QuestionError("no_candidate", "No query shape of the nearest examples fits this question.")
        if translation.dsl is None:
            self._generate(translation, strategy)
            clock.lap("generate")
        if translation.question_frame is not None and translation.dsl:
            check_complete(parse(translation.dsl), translation.question_frame,
                           taught=translation.dsl in {reading.dsl for reading in translation.taught})
        return translation

    def _select(self, question: str, linked: Linked, strategy: Strategy,
                taught_near: list[tuple[TaughtPair, float]]) -> list[ScoredExample]:
        """The nearest examples: the corpus's and the nearest taught pairs, by similarity."""
        wanted = max(strategy.k, strategy.pool)
        if strategy.retrieval == "none":
            return []
        if strategy.retrieval == "random":
            chosen = random.Random(question).sample(self.store.pairs, min(wanted, len(self.store.pairs)))
            return [ScoredExample(**vars(pair), score=0.0) for pair in chosen]
        masked = linked.masked() if strategy.retrieval == "masked" else None
        found = self.store.select(question, wanted, masked_question=masked)
        if taught_near:
            found += [ScoredExample(id=f"taught-{pair.id}", question=pair.question, dsl=pair.dsl, score=score)
                      for pair, score in taught_near[:wanted]]
            found.sort(key=lambda example: -example.score)
        return found[:wanted]

    @staticmethod
    def _taught_answer(translation: Translation) -> TaughtReading | None:
        """A taught reading of the same form answers the question; others are only candidates."""
        return translation.taught[0] if translation.taught and translation.taught[0].same_form else None

    def _rank(self, translation: Translation, neighbours: list[ScoredExample], strategy: Strategy) -> None:
        shapes = [parse(example.dsl) for example in neighbours]
        found = candidates_for(translation.linked, shapes, self.engine)
        texts = [to_dsl(q) for q in found.queries]
        taught = [reading.dsl for reading in translation.taught]
        texts = list(dict.fromkeys(taught + texts)) if self._taught_answer(translation) else list(dict.fromkeys(texts + taught))
        translation.question_frame = found.question
        if strategy.decide == "first":
            translation.dsl = texts[0] if texts else None
            translation.candidates = [(text, math.nan) for text in texts]  # in the rules' order, unscored
        else:
            self._score(translation, texts)

    def _score(self, translation: Translation, texts: list[str]) -> None:
        """The most likely of the candidate texts after the prompt."""
        if not texts:
            return
        scored = self.backend.score(translation.prompt, [" " + text for text in texts], top_k=5)
        forced = self._taught_answer(translation) is not None  # then texts[0] is its reading
        best = 0 if forced else max(range(len(texts)), key=lambda i: _total(scored[i]))
        translation.candidates = _chosen_first(texts[best], [(text, _total(tokens)) for text, tokens in zip(texts, scored)])
        translation.dsl = texts[best]
        translation.token_probs = list(scored[best])

    def _leaves_out_part(self, translation: Translation) -> bool:
        """The chosen candidate (not a taught answer) leaves out a part of the question: askcric
        would refuse it, so the model's own query may answer instead."""
        if translation.dsl is None or self._taught_answer(translation) is not None:
            return False
        return not self._complete_reading(translation, parse(translation.dsl))

    def _compete(self, translation: Translation) -> None:
        """The model's own query under the typed grammar competes with the chosen candidate, if it
        leaves out nothing the question names and adds nothing it does not (a player in two slots,
        a group not asked for: another question). Compared per token: the candidates and the model's
        own query differ in length, and a summed log-likelihood would favour whichever says less."""
        texts = [text for text, _ in translation.candidates]
        likely = [" " + text for text in texts]
        own = self._complete(translation.prompt, self._typed_grammar(translation.linked), likely).text.strip()
        query = _compiled(own, self.engine) if own and own not in texts else None
        if query is None or not self._complete_reading(translation, query) or not self._adds_nothing(translation, query):
            return
        tokens = self.backend.score(translation.prompt, [" " + own], top_k=5)[0]
        if _per_token(tokens) > _per_token(translation.token_probs):
            translation.dsl, translation.token_probs = own, list(tokens)
        translation.candidates = _chosen_first(translation.dsl, [*translation.candidates, (own, _total(tokens))])

    @staticmethod
    def _complete_reading(translation: Translation, query: ast.Query) -> bool:
        """The query uses every player, team, filter and stat the question names."""
        return translation.question_frame is None or not missing_parts(query, translation.question_frame)

    @staticmethod
    def _adds_nothing(translation: Translation, query: ast.Query) -> bool:
        """The query names no one and groups by nothing the question does not."""
        return translation.question_frame is None or not extra_parts(query, translation.question_frame)

    def _typed_grammar(self, linked: Linked) -> str:
        return specialize(allowed_values(linked), self._grammar)

    def _complete(self, prompt: str, grammar: str, likely: Sequence[str] = ()):
        return self.backend.complete(prompt, grammar=grammar, max_tokens=64, top_k=5, likely=likely)

    def _generate(self, translation: Translation, strategy: Strategy) -> None:
        grammar = self._typed_grammar(translation.linked) if strategy.grammar == "typed" else self._grammar
        completion = self._complete(translation.prompt, grammar)
        translation.dsl = completion.text.strip()
        translation.token_probs = list(completion.tokens)

    # --- question -> answer ----------------------------------------------------------------------

    def ask(self, question: str, strategy: Strategy = DEFAULT_STRATEGY, *, converge: bool = False,
            dsl: str | None = None, after: Turn | None = None) -> Answer:
        """The answer; with `converge`, also the chosen DSL's token probabilities for k = 0..8 examples.
        With `dsl`, the question is answered by that query (a reading the fan picked or edited)
        instead of a translated one. With `after`, a follow-up ("and in Tests?") is read against
        that turn's query (dsl/followup.py)."""
        answer = Answer(question=question, backend=self.backend.name, model=self.backend.model)
        started = time.perf_counter()
        try:
            followed = self._follow_up(question, after) if dsl is None and after is not None else None
            if followed is not None:
                dsl = followed
                notes = [Note("interpreted", f"Read as a follow-up to the previous question: {describe(parse(dsl))}.")]
            else:
                notes = [] if dsl is not None else self._translate_into(answer, question, strategy, converge)
            result = run_dsl(dsl if dsl is not None else answer.dsl, self.engine)
            answer.dsl, answer.description, answer.sql = result.dsl, result.description, result.sql
            answer.columns, answer.rows = result.columns, result.rows
            answer.summary = summarize(result.query, result.columns, result.rows)
            answer.chart = chart_spec(result.query, result.columns, result.rows, result.description)
            answer.timings_ms.update(result.timings_ms)
            notes += coverage_notes(result.resolved, self.engine)
            answer.notes = [NoteInfo(kind=n.kind, message=n.message) for n in notes]
        except (QuestionError, DslError) as error:
            answer.error = error_info(error)
        except QueryTimeout as error:
            answer.error = ErrorInfo(kind="query_timeout", message=str(error))
        except DBAPIError:  # the details (SQL, file paths) go to the log, not to the fan
            log.exception("The stats database failed answering %r", printable(question))
            answer.error = ErrorInfo(kind="database_unavailable",
                                     message="The statistics database cannot be read right now; try again shortly.")
        except (BackendUnavailable, BackendTimeout) as error:
            answer.error = ErrorInfo(kind="backend_unavailable", message=str(error))
        except BackendError as error:  # e.g. a grammar the decoder refused: a bug of ours, not the fan's
            answer.error = ErrorInfo(kind="model_error", message=str(error))
        answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def _follow_up(self, question: str, after: Turn) -> str | None:
        """The previous turn's query with this question's parts, if it reads as a follow-up."""
        if not question.strip() or len(question) > MAX_QUESTION_CHARS or printable(question) != question:
            return None  # read_question says what is wrong with it
        linked = self.linker.link(question)
        _check_names(linked, self.engine)
        merged = follow_up(parse(after.dsl), linked, lexicon(self.engine).franchises)
        if merged is None or compile_error(merged, self.engine) is not None:
            return None
        return to_dsl(merged)

    def _translate_into(self, answer: Answer, question: str, strategy: Strategy, converge: bool) -> list[Note]:
        """Translate the question, fill the answer's translation keys, and return its notes."""
        translation = self.translate(question, strategy)
        answer.timings_ms = translation.timings_ms
        answer.examples = [ExampleUsed(question=e.question, dsl=e.dsl, score=round(e.score, 4))
                           for e in translation.examples]
        answer.dsl = translation.dsl
        answer.dsl_token_probs = token_view(translation.token_probs)
        answer.alternatives = alternatives(translation.candidates)
        if converge:
            converge_started = time.perf_counter()
            answer.convergence = self.convergence(translation)
            answer.timings_ms["converge"] = round((time.perf_counter() - converge_started) * 1000, 2)
        return list(translation.notes)

    # --- the per-request convergence record ------------------------------------------------------

    def convergence(self, translation: Translation, kmax: int = CONVERGE_KMAX) -> list[dict]:
        """The chosen DSL's per-token probabilities with the question's k nearest examples, k = 0..kmax.

        The prompt for k holds the first k of `translation.neighbours` (nearest first: the answer's
        prompt holds the first Strategy.k of them), nearest last,
        in the served prompt format: the same scoring as `askcric converge` (analysis/converge.py).
        One teacher-forced scoring call per k; [] when there is no DSL.
        """
        return self.convergence_of(translation.question, translation.neighbours, translation.dsl, kmax)

    def nearest_examples(self, question: str, n: int = CONVERGE_KMAX) -> list[ScoredExample]:
        """The `n` examples nearest the question, nearest first, as `translate` retrieves them."""
        linked = self.linker.link(question)
        return self._select(question, linked, Strategy(k=n), self.taught.nearest(linked.masked(), n))[:n]

    def convergence_of(self, question: str, nearest: list, dsl: str | None, kmax: int = CONVERGE_KMAX,
                       before_each: Callable[[], None] | None = None) -> list[dict]:
        """`convergence` for a question, its examples (nearest first) and its DSL; `before_each`
        runs before each k (the background logger waits there while questions wait)."""
        if not dsl:
            return []
        records = []
        for k in range(min(kmax, len(nearest)) + 1):
            if before_each is not None:
                before_each()
            prompt = render(question, nearest[:k][::-1])
            tokens = self.backend.score(prompt, [" " + dsl])[0]
            probs = [t.prob for t in tokens]
            records.append({
                "k": k,
                "tokens": [t.text for t in tokens],
                "token_probs": [round(p, 5) for p in probs],
                "mean_prob": round(sum(probs) / len(probs), 5) if probs else None,
                "bits": round(-sum(t.logprob for t in tokens) / math.log(2), 3),
            })
        return records


def example_store(linker: Linker, corpus=None, progress=None) -> ExampleStore:
    """The example store searched on masked questions (the linker's mask), as the pipeline uses it."""
    options = {"progress": progress} if progress else {}
    if corpus is not None:
        options["corpus"] = corpus
    return ExampleStore(mask=lambda q: linker.link(q).masked(), mask_version=MASK_VERSION, **options)


def _total(tokens: list[TokenInfo]) -> float:
    return sum(token.logprob for token in tokens)


def _per_token(tokens: list[TokenInfo]) -> float:
    return _total(tokens) / max(1, len(tokens))


def _chosen_first(chosen: str, candidates: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The (dsl, log-likelihood) candidates, the chosen one first, then the most likely first."""
    return sorted(candidates, key=lambda item: (item[0] != chosen, -item[1]))


def alternatives(candidates: list[tuple[str, float]]) -> list[Alternative]:
    """Readings nearly as likely as the chosen one (within ALTERNATIVE_NATS), with their likelihood
    share, so a fan sees when the question could mean something else."""
    if len(candidates) < 2:
        return []
    best = candidates[0][1]
    weights = [math.exp(loglik - best) for _, loglik in candidates]
    total = sum(weights)
    return [
        Alternative(dsl=dsl, description=describe(parse(dsl)), score=round(weight / total, 4))
        for (dsl, loglik), weight in zip(candidates[1:], weights[1:])
        if best - loglik <= ALTERNATIVE_NATS
    ][:MAX_ALTERNATIVES]


def token_view(tokens: list[TokenInfo]) -> list[dict]:
    """Per-token probabilities for the answer and the web page's token view."""
    return [
        {"token": t.text, "prob": round(t.prob, 5), "entropy": None if t.entropy is None else round(t.entropy, 4),
         "top": [[text, round(math.exp(logprob), 5)] for text, logprob in t.top]}
        for t in tokens
    ]


def _compiled(text: str, engine: Engine) -> ast.Query | None:
    """The query the text parses to, if it also compiles on this database."""
    try:
        query = parse(text)
    except DslError:
        return None
    return query if compile_error(query, engine) is None else None


def _check_domain(linked: Linked) -> None:
    if not any(m.type in DOMAIN_TYPES for m in linked.mentions) and not asks_a_sides_record(linked):
        raise QuestionError(
            "out_of_domain",
            "That does not look like a cricket statistics question. Try e.g. "
            "\"Kohli's ODI average against Australia since 2015\".",
        )


def _check_names(linked: Linked, engine: Engine) -> None:
    """A name matched only as a misspelling ("Kohly") is answered with a question, not a guess; a
    name that matches nothing is refused with the nearest names, never dropped; a side the data
    does not hold is refused by name."""
    for mention in linked.mentions:
        if mention.type == "withheld":
            team = mention.candidates[0].value
            raise CannotAnswer("no_data", f"There are no {team} matches in the data: Cricsheet withholds them. "
                                          f"Ask about another side, or about {team} players' IPL figures.", part=mention.text)
        if mention.type in NAME_TYPES and mention.fuzzy:
            raise UnknownName(mention.type, mention.text, tuple(c.value for c in mention.candidates))
    for name in linked.unknown_names:
        raise UnknownName("player", name, suggest(name, sorted(set(lexicon(engine).player_names.values()))))
