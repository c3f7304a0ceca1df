"""Evaluation on a split of the corpus: execution accuracy and exact-DSL match, per variant of the pipeline.

A variant is a pipeline Strategy (and a model); all variants answer the same questions in one run,
so the table compares like with like. Execution accuracy: the predicted DSL's answer rows equal the
gold DSL's rows (in order for rankings, bests and lists, as a multiset otherwise).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dsl import ast
from dsl.errors import DslError
from dsl.execute import run_dsl
from dsl.parser import parse
from retrieval.store import Pair
from serving.pipeline import Pipeline, QuestionError, Strategy

VARIANTS: dict[str, Strategy] = {
    "zero-shot": Strategy(retrieval="none", grammar="generic", decide="generate"),
    "random-k": Strategy(retrieval="random", grammar="generic", decide="generate"),
    "nearest-k": Strategy(retrieval="nearest", grammar="generic", decide="generate"),
    "+typed-grammar": Strategy(retrieval="nearest", grammar="typed", decide="generate"),
    "+masked-retrieval": Strategy(retrieval="masked", grammar="typed", decide="generate"),
    "first-candidate": Strategy(retrieval="masked", grammar="typed", decide="first"),
    "+candidate-ranking": Strategy(retrieval="masked", grammar="typed", decide="rank"),
    "+ranking-with-own-generation": Strategy(retrieval="masked", grammar="typed", decide="rank+generate"),
    # Not a pipeline: the candidate whose answer is the gold one whenever there is one, i.e. the
    # ceiling of any ranking of these candidates (what a better ranker, or a trained one, could reach).
    "candidate-oracle": Strategy(retrieval="masked", grammar="typed", decide="first"),
}
# The no-model baseline of a ranked variant: the same candidates, the first one taken unscored.
BASELINE_OF = {"+candidate-ranking": "first-candidate", "+ranking-with-own-generation": "first-candidate"}


def with_baselines(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(variant, model) runs plus the no-model baseline beside each ranked variant, once."""
    extended: dict[tuple[str, str], None] = {}
    for variant, model in runs:
        if variant in BASELINE_OF:
            extended.setdefault((BASELINE_OF[variant], model), None)
        extended.setdefault((variant, model), None)
    return list(extended)


ORDERED = (ast.Ranking, ast.BestInnings, ast.Listing)


@dataclass
class Outcome:
    id: str
    question: str
    gold: str
    predicted: str | None
    correct: bool
    exact: bool
    error: str | None  # error kind, when the prediction did not run
    category: str
    competition: str
    ms: float


@dataclass
class VariantResult:
    variant: str
    model: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def exact_match(self) -> float:
        return sum(o.exact for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by(self, key: str) -> dict[str, tuple[int, int]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[getattr(outcome, key)].append(outcome)
        return {name: (sum(o.correct for o in items), len(items)) for name, items in sorted(groups.items())}

    def median_ms(self) -> float:
        times = sorted(o.ms for o in self.outcomes)
        return times[len(times) // 2] if times else 0.0


def same_answer(gold_query: ast.Query, gold_rows: list, rows: list) -> bool:
    if isinstance(gold_query.output, ORDERED):
        return rows == gold_rows
    return Counter(map(repr, rows)) == Counter(map(repr, gold_rows))


def category(query: ast.Query) -> str:
    return f"{query.subject}/{type(query.output).__name__.lower()}"


def evaluate(pipeline: Pipeline, pairs: list[Pair], variant: str, strategy: Strategy, progress=None) -> VariantResult:
    result = VariantResult(variant=variant, model=pipeline.backend.model)
    advance = progress(variant, len(pairs)) if progress else (lambda: None)
    for pair in pairs:
        gold_query = parse(pair.dsl)
        gold = run_dsl(pair.dsl, pipeline.engine)
        started = time.perf_counter()
        predicted, error, correct = None, None, False
        try:
            translation = pipeline.translate(pair.question, strategy)
            predicted = translation.dsl
            if variant == "candidate-oracle":
                predicted = next((text for text, _ in translation.candidates
                                  if same_answer(gold_query, gold.rows, run_dsl(text, pipeline.engine).rows)), predicted)
            answer = run_dsl(predicted, pipeline.engine)
            correct = same_answer(gold_query, gold.rows, answer.rows)
            predicted = answer.dsl
        except (DslError, QuestionError) as failure:
            error = failure.kind
        result.outcomes.append(Outcome(
            id=pair.id, question=pair.question, gold=gold.dsl, predicted=predicted, correct=correct,
            exact=predicted == gold.dsl, error=error, category=category(gold_query),
            competition=gold_query.competition or "all", ms=round((time.perf_counter() - started) * 1000, 1),
        ))
        advance()
    return result


def markdown_table(results: list[VariantResult]) -> str:
    lines = ["| variant | model | execution accuracy | exact DSL | median ms |", "|---|---|---|---|---|"]
    for r in results:
        n = len(r.outcomes)
        lines.append(
            f"| {r.variant} | {r.model} | {r.accuracy:.1%} ({sum(o.correct for o in r.outcomes)}/{n}) "
            f"| {r.exact_match:.1%} | {r.median_ms():.0f} |"
        )
    return "\n".join(lines)


def breakdown_table(result: VariantResult, key: str) -> str:
    lines = [f"| {key} | correct | n | accuracy |", "|---|---|---|---|"]
    for name, (correct, n) in result.by(key).items():
        lines.append(f"| {name} | {correct} | {n} | {correct / n:.0%} |")
    return "\n".join(lines)


def failures_markdown(result: VariantResult) -> str:
    lines = [f"### Failures of {result.variant} ({result.model})", ""]
    for o in result.outcomes:
        if not o.correct:
            lines.append(f"- `{o.id}` {o.question}\n  - gold: `{o.gold}`\n  - got: `{o.predicted}`"
                         + (f" ({o.error})" if o.error else ""))
    return "\n".join(lines)


def write_report(results: list[VariantResult], out: Path, split: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(
        [{"variant": r.variant, "model": r.model, "accuracy": r.accuracy, "exact_match": r.exact_match,
          "median_ms": r.median_ms(), "outcomes": [asdict(o) for o in r.outcomes]} for r in results],
        indent=1,
    ))
    parts = [f"# Evaluation on the {split} split", "", markdown_table(results), ""]
    for r in results:
        parts += [f"## {r.variant} ({r.model}) by category", "", breakdown_table(r, "category"), "",
                  f"## {r.variant} ({r.model}) by competition", "", breakdown_table(r, "competition"), ""]
    parts += [failures_markdown(r) + "\n" for r in results]
    report = out / "report.md"
    report.write_text("\n".join(parts))
    return report


def main(args) -> int:
    """`askcric eval`: the variants on a split, each ranked variant beside its no-model baseline."""
    from retrieval.store import DEFAULT_CORPUS, load_pairs
    from serving.backends import open_backend
    from serving.models import DEFAULT_MODEL
    from serving.progress import console, err_console, progress_bar, rich_progress
    from statsdb.database import open_engine

    pairs = [p for p in load_pairs(DEFAULT_CORPUS) if p.split == args.split][: args.limit]
    runs = [tuple(run.split("@")) if "@" in run else (run, args.model or DEFAULT_MODEL) for run in args.variants]
    unknown = [variant for variant, _ in runs if variant not in VARIANTS]
    if unknown:
        err_console.print(f"[red]Unknown variants {unknown}[/red]; choose from: {', '.join(VARIANTS)}")
        return 2
    runs = with_baselines(runs)
    engine = open_engine(args.url)
    results = []
    for model in dict.fromkeys(model for _, model in runs):
        with progress_bar(eta=True) as bar:
            backend = open_backend(args.backend, args.vllm_url, model, args.adapter, progress=rich_progress(bar))
            pipeline = Pipeline.open(backend, engine, progress=rich_progress(bar))
            for variant, _ in (run for run in runs if run[1] == model):
                results.append(evaluate(pipeline, pairs, variant, VARIANTS[variant], rich_progress(bar)))
        backend.close()
    report = write_report(results, Path(args.out), args.split)
    console.print(markdown_table(results), highlight=False)
    console.print(f"Report with breakdowns and failures: {report}")
    return 0
