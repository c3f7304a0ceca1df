"""ICL convergence: how the probability of the gold DSL's tokens rises with each example in the prompt.

For each of n questions of a split (a seeded shuffle of the split, then the first n) and each
k = 0..kmax, the gold DSL is scored by teacher forcing after a prompt holding k examples (the
product's prompt format, retrieval/prompt.py, with the examples nearest-last):
- "nearest": the k nearest train pairs (the store's masked retrieval, as the pipeline serves);
- "random": the first k of kmax train pairs drawn at random (seeded per question), so each k's
  examples are the previous k's plus one, as with the nearest ones.
One `backend.score` call per (question, k), top_k=20: per token the probability, rank and entropy
of the next-token distribution; for the first DSL token also how the top-20 mass splits between
the tokens that can start a DSL query (" batting", " bowling", " fielding", " team": their first
tokens under the model's tokenizer) and everything else in the top 20 (ordinary English words),
with the mass outside the top 20 kept apart.

Aggregates per (model, order, k), each question weighing the same:
- per question: mean token probability, geometric-mean token probability exp(mean ln p), and
  bits = -sum log2 p over the DSL's tokens (its total surprise);
- across questions: the mean, median and IQR (25th-75th percentile, numpy's linear interpolation)
  of those, the geometric mean of the per-question geometric means, the pooled mean over all
  tokens, and the first token's DSL / English / outside-top-20 mass.

Outputs (into one folder): tokens.csv (one row per model, order, question, k, token),
summary.json, prob_vs_k.png, bits_vs_k.png, first_token_vs_k.png and a per-token heatmap for one
question across k per model (heatmap-<model>.png, the same question for each model).

`--from-log` draws the same outputs from live traffic instead: the records `askcric serve
--log-convergence` keeps in the query log (each answered question's chosen query scored with
k = 0..8 of the examples it was answered with, order "live"). The log keeps each token's
probability but not its alternatives, so first_token_vs_k.png is not drawn from it.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from retrieval.prompt import render
from retrieval.store import Pair
from serving.backends import Backend, TokenInfo

Order = Literal["nearest", "random", "live"]
ORDERS: tuple[Order, ...] = ("nearest", "random")
"""The example orders a run scores; "live" is what the query log holds (`--from-log`)."""
ALL_ORDERS: tuple[Order, ...] = (*ORDERS, "live")

TOP_K = 20
"""Alternatives asked per token (vLLM's maximum, and the first-token mass is taken over them)."""

DSL_START_WORDS = ("batting", "bowling", "fielding", "team")
"""The words a DSL query can start with (dsl/cricket.lark: `start: batting | bowling | fielding | team`)."""

Progress = Callable[[str, int], Callable[[], None]]
"""progress(label, total) -> advance(), as elsewhere in askcric."""


def _no_progress(_label: str, _total: int) -> Callable[[], None]:
    return lambda: None


# --- scoring -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scored:
    """The gold DSL of one question scored after k examples."""

    model: str
    order: Order
    question_id: str
    k: int
    prompt_tokens: int
    tokens: tuple[TokenInfo, ...]
    first_dsl_mass: float  # top-20 mass of the first DSL token on DSL-start tokens (nan: not known)
    first_english_mass: float  # the rest of the top-20 mass
    first_outside_mass: float  # 1 - top-20 mass


def dsl_start_tokens(tokenizer: Any) -> frozenset[str]:
    """The text of the first token of " batting", " bowling", ... under the model's tokenizer.

    SmolLM2 splits " batting" into " bat" + "ting" and " fielding" into " field" + "ing", so its
    DSL-start tokens are " bat", " bowling", " field", " team"; Gemma has each as one token.
    """
    texts = set()
    for word in DSL_START_WORDS:
        ids = tokenizer(" " + word, add_special_tokens=False).input_ids
        texts.add(tokenizer.decode(ids[:1]))
    return frozenset(texts)


def first_token_masses(token: TokenInfo, dsl_texts: frozenset[str]) -> tuple[float, float, float]:
    """(DSL-start mass, English mass, outside mass) of a token's top alternatives."""
    top = [(text, math.exp(logprob)) for text, logprob in token.top]
    dsl = sum(p for text, p in top if text in dsl_texts)
    total = sum(p for _, p in top)
    return dsl, max(0.0, total - dsl), max(0.0, 1.0 - total)


def convergence_prompt(question: str, ranked: Sequence[Pair], k: int) -> str:
    """The prompt with the first k of `ranked` (nearest first), nearest last as the product serves."""
    return render(question, list(ranked[:k])[::-1])


def score_question(
    backend: Backend,
    pair: Pair,
    ranked: Sequence[Pair],
    kmax: int,
    *,
    order: Order,
    dsl_texts: frozenset[str],
    advance: Callable[[], None] = lambda: None,
) -> list[Scored]:
    """The gold DSL of `pair` scored with k = 0..kmax of `ranked` examples (one call per k)."""
    results = []
    continuation = " " + pair.dsl
    for k in range(kmax + 1):
        prompt = convergence_prompt(pair.question, ranked, k)
        tokens = backend.score(prompt, [continuation], top_k=TOP_K)[0]
        dsl, english, outside = first_token_masses(tokens[0], dsl_texts)
        results.append(Scored(
            model=backend.model, order=order, question_id=pair.id, k=k,
            prompt_tokens=len(backend.tokenizer(prompt).input_ids), tokens=tokens,
            first_dsl_mass=dsl, first_english_mass=english, first_outside_mass=outside,
        ))
        advance()
    return results


def pick_questions(pairs: Sequence[Pair], split: str, n: int, seed: int = 0) -> list[Pair]:
    """The first n of the split's pairs after a seeded shuffle (the corpus is grouped by subject).

    A larger n keeps the smaller n's questions as its first ones.
    """
    chosen = [pair for pair in pairs if pair.split == split]
    random.Random(seed).shuffle(chosen)
    return chosen[:n]


def random_examples(pair: Pair, train: Sequence[Pair], kmax: int, seed: int = 0) -> list[Pair]:
    """kmax train pairs drawn for this question (the same whatever else runs)."""
    return random.Random(f"{seed}:{pair.id}").sample(list(train), min(kmax, len(train)))


@dataclass
class Run:
    """All scorings of one model, and how long they took."""

    model: str
    backend: str
    scored: list[Scored] = field(default_factory=list)
    seconds: float = 0.0


def run_convergence(
    backend: Backend,
    questions: Sequence[Pair],
    *,
    kmax: int,
    orders: Sequence[Order],
    nearest: Callable[[Pair, int], list[Pair]],
    train: Sequence[Pair],
    seed: int = 0,
    progress: Progress = _no_progress,
) -> Run:
    """Score every question's gold DSL with k = 0..kmax examples in each order.

    `nearest(pair, kmax)` gives the pair's kmax nearest train pairs, nearest first.
    """
    dsl_texts = dsl_start_tokens(backend.tokenizer)
    run = Run(model=backend.model, backend=backend.name)
    advance = progress(f"{backend.model}", len(questions) * len(orders) * (kmax + 1))
    started = time.perf_counter()
    for pair in questions:
        for order in orders:
            ranked = nearest(pair, kmax) if order == "nearest" else random_examples(pair, train, kmax, seed)
            run.scored += score_question(backend, pair, ranked, min(kmax, len(ranked)), order=order,
                                         dsl_texts=dsl_texts, advance=advance)
    run.seconds = time.perf_counter() - started
    return run


def scored_from_log(db_path: Path) -> tuple[list[Scored], list[Pair]]:
    """The query log's convergence records as scorings of order "live", and their questions.

    Each logged answer is one question (id "log-<first row id>"), its chosen query standing in
    for the gold one: what the curves show is how sure the model became of what it answered.
    """
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT id, ts, question, dsl, coalesce(model, 'unknown'), k, tokens, token_probs "
                          "FROM convergence_log ORDER BY id").fetchall()
    answers: dict[tuple[str, str, str, str], list[tuple]] = {}
    for row_id, ts, question, dsl, model, k, tokens, probs in rows:
        answers.setdefault((ts, question, dsl, model), []).append((row_id, k, tokens, probs))
    scored, questions = [], []
    nan = float("nan")
    for (_ts, question, dsl, model), records in answers.items():
        pair = Pair(id=f"log-{records[0][0]}", question=question, dsl=dsl)
        questions.append(pair)
        for _id, k, tokens, probs in records:
            infos = tuple(TokenInfo(text, math.log(max(p, 1e-12)), None, None, ())
                          for text, p in zip(json.loads(tokens), json.loads(probs)))
            scored.append(Scored(model=model, order="live", question_id=pair.id, k=k, prompt_tokens=0,
                                 tokens=infos, first_dsl_mass=nan, first_english_mass=nan, first_outside_mass=nan))
    return scored, questions


# --- aggregation ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionStats:
    """One question's gold DSL after k examples, in three numbers and the first token's view."""

    mean_prob: float
    mean_logprob: float  # nats per token; exp() of it is the geometric-mean token probability
    bits: float
    n_tokens: int
    first_prob: float
    first_dsl_mass: float
    first_english_mass: float
    first_outside_mass: float
    mean_entropy: float | None
    top1_share: float  # share of tokens that were the model's first choice

    @property
    def geo_prob(self) -> float:
        return math.exp(self.mean_logprob)


def question_stats(scored: Scored) -> QuestionStats:
    logprobs = [t.logprob for t in scored.tokens]
    entropies = [t.entropy for t in scored.tokens if t.entropy is not None]
    return QuestionStats(
        mean_prob=float(np.mean(np.exp(logprobs))),
        mean_logprob=float(np.mean(logprobs)),
        bits=-sum(logprobs) / math.log(2),
        n_tokens=len(logprobs),
        first_prob=math.exp(logprobs[0]),
        first_dsl_mass=scored.first_dsl_mass,
        first_english_mass=scored.first_english_mass,
        first_outside_mass=scored.first_outside_mass,
        mean_entropy=float(np.mean(entropies)) if entropies else None,
        top1_share=sum(t.rank == 1 for t in scored.tokens) / len(scored.tokens),
    )


def _spread(name: str, values: Sequence[float]) -> dict[str, float]:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {f"{name}_median": float(median), f"{name}_q1": float(q1), f"{name}_q3": float(q3)}


def _mean_if_known(values: Sequence[float]) -> float | None:
    """The mean, or None where the values are not known (nan: a query log's records)."""
    known = [v for v in values if not math.isnan(v)]
    return float(np.mean(known)) if known else None


def aggregate(scored: Sequence[Scored]) -> list[dict[str, Any]]:
    """Per (model, order, k): the statistics across questions (see the module's docstring)."""
    groups: dict[tuple[str, str, int], list[Scored]] = defaultdict(list)
    for item in scored:
        groups[(item.model, item.order, item.k)].append(item)
    rows = []
    for (model, order, k), items in sorted(groups.items(), key=lambda g: (g[0][0], ALL_ORDERS.index(g[0][1]), g[0][2])):
        stats = [question_stats(item) for item in items]
        all_probs = [t.prob for item in items for t in item.tokens]
        entropies = [s.mean_entropy for s in stats if s.mean_entropy is not None]
        rows.append({
            "model": model, "order": order, "k": k, "n_questions": len(stats),
            "mean_prob": float(np.mean([s.mean_prob for s in stats])),
            **_spread("mean_prob", [s.mean_prob for s in stats]),
            "geo_mean_prob": math.exp(float(np.mean([s.mean_logprob for s in stats]))),
            **_spread("geo_prob", [s.geo_prob for s in stats]),
            "token_mean_prob": float(np.mean(all_probs)),
            "bits_mean": float(np.mean([s.bits for s in stats])),
            **_spread("bits", [s.bits for s in stats]),
            "first_token_prob": float(np.mean([s.first_prob for s in stats])),
            "first_dsl_mass": _mean_if_known([s.first_dsl_mass for s in stats]),
            "first_english_mass": _mean_if_known([s.first_english_mass for s in stats]),
            "first_outside_top20_mass": _mean_if_known([s.first_outside_mass for s in stats]),
            "mean_entropy_nats": float(np.mean(entropies)) if entropies else None,
            "top1_share": float(np.mean([s.top1_share for s in stats])),
        })
    return rows


# --- outputs -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "model", "order", "question_id", "k", "prompt_tokens", "position", "token", "prob", "logprob",
    "rank", "entropy_nats", "top1_token", "top1_prob", "first_dsl_mass", "first_english_mass",
    "first_outside_top20_mass",
)


def _mass_cell(mass: float) -> str:
    return "" if math.isnan(mass) else f"{mass:.6g}"


def write_tokens_csv(path: Path, scored: Sequence[Scored]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for item in scored:
            for position, token in enumerate(item.tokens):
                top1 = token.top[0] if token.top else (None, None)
                first = position == 0
                writer.writerow([
                    item.model, item.order, item.question_id, item.k, item.prompt_tokens, position,
                    token.text, f"{token.prob:.6g}", f"{token.logprob:.6g}", token.rank,
                    "" if token.entropy is None else f"{token.entropy:.6g}",
                    "" if top1[0] is None else top1[0],
                    "" if top1[1] is None else f"{math.exp(top1[1]):.6g}",
                    _mass_cell(item.first_dsl_mass) if first else "",
                    _mass_cell(item.first_english_mass) if first else "",
                    _mass_cell(item.first_outside_mass) if first else "",
                ])


def representative_question(scored: Sequence[Scored], model: str) -> str:
    """The question whose nearest-order mean-probability curve lies closest to the median curve."""
    order = next(order for order in ALL_ORDERS if any(s.order == order for s in scored))
    curves: dict[str, dict[int, float]] = defaultdict(dict)
    for item in scored:
        if item.model == model and item.order == order:
            curves[item.question_id][item.k] = question_stats(item).mean_prob
    ks = sorted({k for curve in curves.values() for k in curve})
    median = {k: float(np.median([c[k] for c in curves.values() if k in c])) for k in ks}
    return min(curves, key=lambda q: (sum(abs(curves[q].get(k, 0.0) - median[k]) for k in ks), q))


def write_outputs(
    out: Path,
    runs: Sequence[Run],
    questions: Sequence[Pair],
    *,
    meta: dict[str, Any],
    heatmap_question: str | None = None,
) -> dict[str, Any]:
    """tokens.csv, summary.json and the PNGs in `out`; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    scored = [item for run in runs for item in run.scored]
    write_tokens_csv(out / "tokens.csv", scored)
    per_k = aggregate(scored)
    by_id = {pair.id: pair for pair in questions}
    heatmaps = {}
    done = [run for run in runs if run.scored]
    # One question for every model's heatmap, so that they compare: the first model's typical one.
    chosen = heatmap_question if heatmap_question in by_id else (
        representative_question(done[0].scored, done[0].model) if done else None)
    for run in done:
        name = f"heatmap-{_slug(run.model)}.png"
        plot_heatmap(out / name, run.scored, by_id[chosen], run.model)
        heatmaps[run.model] = {"file": name, "question_id": chosen}
    summary = {
        **meta,
        "models": [{"model": run.model, "backend": run.backend, "seconds": round(run.seconds, 1),
                    "scorings": len(run.scored)} for run in runs],
        "questions": [{"id": pair.id, "question": pair.question, "dsl": pair.dsl} for pair in questions],
        "definitions": {
            "mean_prob": "mean over questions of the question's mean gold-token probability",
            "mean_prob_median": "median over questions of the same (with _q1 / _q3: the IQR); the printed "
                                "table and prob_vs_k.png show this",
            "geo_mean_prob": "exp(mean over questions of the question's mean gold-token log-probability)",
            "token_mean_prob": "mean over all gold tokens of all questions (pooled)",
            "bits": "per question: -sum of log2 p over the gold DSL's tokens; median and IQR across questions",
            "first_dsl_mass": f"top-{TOP_K} probability mass of the first DSL token on the tokens that start a "
                              f"DSL query ({', '.join(DSL_START_WORDS)}); mean over questions",
            "first_english_mass": f"the rest of the top-{TOP_K} mass of the first DSL token",
        },
        "per_k": per_k,
        "heatmaps": heatmaps,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plot_curves(out, per_k)
    return summary


TABLE_STATISTIC = "mean_prob_median"
"""What the printed table shows: the median over questions of each question's mean gold-token
probability — the line of prob_vs_k.png (whose band is the IQR), so the two always agree."""


def table(per_k: Sequence[dict[str, Any]], ks: Sequence[int] = (0, 1, 2, 4, 8),
          column: str = TABLE_STATISTIC) -> list[list[str]]:
    """Rows [model, order, value at each k] for the closing table."""
    values: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for row in per_k:
        values[(row["model"], row["order"])][row["k"]] = row[column]
    return [[model, order, *(f"{v[k]:.3f}" if k in v else "" for k in ks)]
            for (model, order), v in values.items()]


def _slug(model: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(model).name)


# --- plots ---------------------------------------------------------------------------------------

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


_STYLE = {"nearest": "-", "random": "--", "live": "-."}


def _coloured_series(per_k: Sequence[dict[str, Any]]) -> Iterator[tuple[str, str, list[int], list[dict[str, Any]], str]]:
    """(model, order, ks, rows by k, colour) per curve: one colour per model, the order by line style."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in per_k:
        grouped[(row["model"], row["order"])].append(row)
    models = list(dict.fromkeys(model for model, _ in grouped))
    colours = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    for (model, order), rows in grouped.items():
        rows = sorted(rows, key=lambda r: r["k"])
        yield model, order, [r["k"] for r in rows], rows, colours[models.index(model) % len(colours)]


@contextmanager
def _curves_vs_k(path: Path, per_k: Sequence[dict[str, Any]], ylabel: str, title: str,
                 ylim: tuple[float, float] | None) -> Iterator[Any]:
    """The axes of one curves-against-k figure, saved to `path` when the block ends."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    yield ax
    ax.set_xlabel("examples in the prompt (k)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_xticks(sorted({r["k"] for r in per_k}))
    if ylim:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _band_plot(path: Path, per_k: Sequence[dict[str, Any]], name: str, ylabel: str, title: str,
               ylim: tuple[float, float] | None) -> None:
    with _curves_vs_k(path, per_k, ylabel, title, ylim) as ax:
        for model, order, ks, rows, colour in _coloured_series(per_k):
            ax.fill_between(ks, [r[f"{name}_q1"] for r in rows], [r[f"{name}_q3"] for r in rows],
                            color=colour, alpha=0.18 if order == "nearest" else 0.09, linewidth=0)
            ax.plot(ks, [r[f"{name}_median"] for r in rows], _STYLE[order], marker="o", markersize=4,
                    color=colour, label=f"{model}, {order} examples")
        n = max(r["n_questions"] for r in per_k)
        ax.legend(title=f"median, IQR band; {n} questions", fontsize=9, title_fontsize=9)


PROB_TITLE = "Gold DSL token probability vs in-context examples (median over questions)"


def plot_curves(out: Path, per_k: Sequence[dict[str, Any]]) -> None:
    _band_plot(out / "prob_vs_k.png", per_k, "mean_prob", "a question's mean gold-token probability",
               PROB_TITLE, (0.0, 1.0))
    _band_plot(out / "bits_vs_k.png", per_k, "bits", "bits to encode the gold DSL (−Σ log₂ p)",
               "Surprise of the gold DSL vs in-context examples (median over questions)", None)
    if all(row["first_dsl_mass"] is None for row in per_k):  # a query log keeps no alternatives
        return
    with _curves_vs_k(out / "first_token_vs_k.png", per_k, "probability mass (mean over questions)",
                      f"First token: mass on DSL-start words ({' / '.join(DSL_START_WORDS)})\n"
                      f"vs other top-{TOP_K} tokens", (0.0, 1.0)) as ax:
        for model, order, ks, rows, colour in _coloured_series(per_k):
            ax.plot(ks, [r["first_dsl_mass"] for r in rows], _STYLE[order], marker="o", markersize=4,
                    color=colour, label=f"{model}, {order}: DSL-start tokens")
            ax.plot(ks, [r["first_english_mass"] for r in rows], _STYLE[order], marker="x", markersize=5,
                    color=colour, alpha=0.45, label=f"{model}, {order}: other top-{TOP_K} tokens")
        ax.legend(fontsize=8)


def _two_digits(p: float) -> str:
    """A probability in a heatmap cell: ".07", ".93", "1" (0.999 is "1", not ".00")."""
    text = f"{p:.2f}"
    return "1" if text == "1.00" else text[1:]


def _show(token: str) -> str:
    return token.replace(" ", "␣").replace("\n", "⏎") or "∅"


def plot_heatmap(path: Path, scored: Sequence[Scored], pair: Pair, model: str) -> None:
    """Per-token probability of one question's gold DSL (columns) for each k (rows), per order."""
    plt = _pyplot()
    by_order: dict[str, dict[int, Scored]] = defaultdict(dict)
    for item in scored:
        if item.model == model and item.question_id == pair.id:
            by_order[item.order][item.k] = item
    orders = [order for order in ALL_ORDERS if order in by_order]
    first = next(iter(by_order[orders[0]].values()))
    labels = [_show(t.text) for t in first.tokens]
    kmax = max(max(rows) for rows in by_order.values())
    width = max(6.0, 0.55 * len(labels) + 2.0)
    fig, axes = plt.subplots(len(orders), 1, figsize=(width, 1.0 + (0.42 * (kmax + 1) + 1.3) * len(orders)),
                             dpi=120, squeeze=False, layout="constrained")
    image = None
    for ax, order in zip(axes[:, 0], orders):
        rows = by_order[order]
        grid = np.array([[t.prob for t in rows[k].tokens] for k in sorted(rows)])
        image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0)
        for (r, c), value in np.ndenumerate(grid):
            ax.text(c, r, _two_digits(value), ha="center", va="center", fontsize=7,
                    color="black" if value > 0.6 else "white")
        ax.set_yticks(range(len(rows)), [str(k) for k in sorted(rows)])
        ax.set_ylabel(f"k ({order})")
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    fig.suptitle(f"{model}: P(gold token) — {pair.question}\n{pair.dsl}", fontsize=9)
    fig.colorbar(image, ax=axes[:, 0].tolist(), fraction=0.03, pad=0.01, label="probability")
    fig.savefig(path)
    plt.close(fig)


def print_table(summary: dict[str, Any], kmax: int, title: str) -> None:
    from rich.table import Table

    from serving.progress import console

    ks = [k for k in (0, 1, 2, 4, 8, 16, 32) if k <= kmax]
    result = Table("model", "order", *(f"k={k}" for k in ks), title=title)
    for row in table(summary["per_k"], ks):
        result.add_row(*row)
    console.print(result)


def main_from_log(args) -> int:
    """`askcric converge --from-log [DB]`: the outputs drawn from the query log's live records."""
    from datetime import datetime

    from serving.progress import console, err_console
    from statsdb.database import data_dir

    db_path = Path(args.from_log) if args.from_log else data_dir() / "query_log.sqlite"
    if not db_path.is_file():
        err_console.print(f"[red]No query log at {db_path}[/red]; answers are logged by "
                          "`askcric serve --log-convergence RATE`.", highlight=False)
        return 1
    try:
        scored, questions = scored_from_log(db_path)
    except sqlite3.DatabaseError as error:
        err_console.print(f"[red]Cannot read the convergence records of {db_path}[/red]: {error}", highlight=False)
        return 1
    if not scored:
        err_console.print(f"[red]{db_path} holds no convergence records yet[/red]; start the server with "
                          "`askcric serve --log-convergence RATE` (e.g. 0.1) and ask it questions.", highlight=False)
        return 1
    models = list(dict.fromkeys(item.model for item in scored))
    runs = [Run(model=model, backend="query log", scored=[s for s in scored if s.model == model]) for model in models]
    out = Path(args.out or f"analysis/output/converge-log-{datetime.now():%Y%m%d-%H%M%S}")
    meta = {"created": datetime.now().isoformat(timespec="seconds"), "query_log": str(db_path),
            "n": len(questions), "kmax": max(item.k for item in scored), "orders": ["live"]}
    summary = write_outputs(out, runs, questions, heatmap_question=args.heatmap_question, meta=meta)
    print_table(summary, meta["kmax"], f"{PROB_TITLE}: {len(questions)} logged answers, as in prob_vs_k.png")
    console.print(f"Outputs in {out}", highlight=False)
    return 0


def main(args) -> int:
    """`askcric converge`: score the gold DSLs of N questions with k = 0..kmax examples, per model."""
    import hashlib
    from collections import Counter
    from datetime import datetime

    from retrieval.store import DEFAULT_CORPUS, ExampleStore, load_pairs
    from serving.backends import open_backend
    from serving.models import DEFAULT_MODEL
    from serving.progress import console, err_console, progress_bar, rich_progress

    if args.from_log is not None:
        return main_from_log(args)
    corpus = Path(args.corpus) if args.corpus else DEFAULT_CORPUS
    if not corpus.is_file():
        err_console.print(f"[red]No corpus at {corpus}[/red]; pass one with --corpus PATH", highlight=False)
        return 1
    pairs = load_pairs(corpus)
    questions = pick_questions(pairs, args.split, args.n, args.seed)
    if not questions:
        err_console.print(f"[red]The corpus {corpus} has no {args.split!r} pairs.[/red]", highlight=False)
        return 1
    train = [pair for pair in pairs if pair.split == "train"]
    orders = ORDERS if args.order == "both" else (args.order,)
    models = args.model or [DEFAULT_MODEL]
    if args.backend == "vllm" and len(models) > 1:
        err_console.print("[red]A vLLM server serves one model: give at most one --model.[/red]")
        return 2
    started = time.perf_counter()
    nearest: dict[str, list] = {}
    if "nearest" in orders:  # retrieved once, before any model runs: the same examples for each model
        with progress_bar() as bar:
            if args.retrieval == "masked":
                from dsl.link import Linker
                from serving.pipeline import example_store
                from statsdb.database import DatabaseMissing, open_engine

                try:
                    linker = Linker.from_engine(open_engine(args.url))
                except DatabaseMissing as error:
                    err_console.print(f"[red]database_missing[/red]: {error} (or use --retrieval raw)", highlight=False)
                    return 1
                store = example_store(linker, corpus, progress=rich_progress(bar))
            else:
                store = ExampleStore(corpus, progress=rich_progress(bar))
            for pair in questions:
                masked = store.mask(pair.question) if store.mask else None
                nearest[pair.id] = store.select(pair.question, args.kmax, masked_question=masked)
    out = Path(args.out or f"analysis/output/converge-{datetime.now():%Y%m%d-%H%M%S}")
    meta = {
        "created": datetime.now().isoformat(timespec="seconds"), "corpus": str(corpus),
        "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(),
        "corpus_pairs": dict(Counter(pair.split for pair in pairs)), "split": args.split,
        "n": len(questions), "kmax": args.kmax, "orders": list(orders), "seed": args.seed,
        "retrieval": args.retrieval, "top_k": TOP_K,
    }
    runs = []
    for model in models:
        with progress_bar(eta=True) as bar:
            backend = open_backend(args.backend, args.vllm_url, model, args.adapter, progress=rich_progress(bar))
            runs.append(run_convergence(
                backend, questions, kmax=args.kmax, orders=orders, nearest=lambda pair, _k: nearest[pair.id],
                train=train, seed=args.seed, progress=rich_progress(bar),
            ))
        backend.close()
        # Written after each model, so a long multi-model run keeps what it has finished.
        summary = write_outputs(out, runs, questions, heatmap_question=args.heatmap_question, meta=meta)
    print_table(summary, args.kmax, f"{PROB_TITLE}: {len(questions)} {args.split} questions, as in prob_vs_k.png")
    seconds = ", ".join(f"{m['model']} {m['seconds']:.0f} s" for m in summary["models"])
    console.print(f"Scoring: {seconds}; wall {time.perf_counter() - started:.0f} s. Outputs in {out}", highlight=False)
    return 0
