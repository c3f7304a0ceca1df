"""Weight adaptation: a LoRA adapter for the served model, trained on the train split in the prompt format.

The pilot (PILOT.md, third round) showed that an adapter trained on bare `Q:/DSL:` pairs forgets
how to learn from examples in its prompt, while one trained in the served retrieval format keeps
and sharpens it. So each training item here is exactly what the pipeline sends the model:

    render(question, k nearest train examples)  +  " " + dsl  +  "\n"

- the examples are the pair's nearest train pairs by masked retrieval (as `Pipeline` selects them),
  never the pair itself, nearest last; k is drawn per pair from a mix (e.g. 0, 2, 4, 8) so the
  adapter works with any number of examples, including none;
- two objectives, summed: the gold query's token loss (its tokens and the newline that ends
  generation: what generation and the convergence record need), and with `rank_weight` > 0 a
  ranking loss over the candidates the pipeline really builds for the question (dsl/candidates.py,
  from the shapes of its 16 nearest *other* train pairs, plus the gold query if they miss it): the
  cross-entropy of the softmax over the candidates' summed log-likelihoods — the very score the
  pipeline ranks by — with the gold query as the target;
- the prompt (all but its last token) runs once without gradient and its key/value cache is shared
  by the gold query and every candidate: the continuations are all that is back-propagated, which
  makes a step several times cheaper than back-propagating through a 400-token prompt (the
  LoRA still shapes the prompt's keys and values in the forward pass; they are just not trained
  through it);
- the base weights in bfloat16 where the CPU computes it natively (as the local backend serves), the
  LoRA weights and the losses in fp32; AdamW; `batch` pairs per optimizer step.

Training stops after `steps` optimizer steps or when the `minutes` budget runs out, whichever comes
first, and the adapter is saved either way: peft's folder (adapter_config.json and
adapter_model.safetensors, its weights cast to 16-bit to halve the file) plus training.json (what
was trained, on what, how fast). `LocalBackend(adapter=folder)` loads it and merges it into the
weights, so it costs nothing at inference.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: two threads stall otherwise

import torch  # noqa: E402

from retrieval.prompt import render  # noqa: E402
from retrieval.store import DEFAULT_CORPUS, ExampleStore, Pair  # noqa: E402
from serving.backends import encode_continuation, encode_prompt  # noqa: E402

STOP = "\n"
"""Generation stops at a newline (serving.backends): the adapter learns to emit it after the DSL."""

TARGETS = {
    "attention": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "all": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
}
"""Which linear layers get a LoRA: the attention projections only, or the MLP ones too."""


@dataclass(frozen=True)
class AdaptConfig:
    k_mix: tuple[int, ...] = (0, 2, 4, 8, 8)  # the served prompt holds 8 examples (budget allowing)
    steps: int | None = None  # optimizer steps; None = one pass over the train split
    minutes: float = 10.0  # wall-clock budget for the training loop (the adapter is saved at the end)
    rank: int = 16
    alpha: int = 32  # LoRA scale = alpha / rank
    targets: str = "attention"  # a key of TARGETS
    dropout: float = 0.05
    lr: float = 2e-4
    warmup: int = 10  # steps of linear warm-up, then a constant rate
    batch: int = 4  # pairs per optimizer step
    rank_weight: float = 1.0  # weight of the ranking loss; 0 = the gold query's token loss only
    pool: int = 16  # neighbours whose shapes become candidates (the pipeline's Strategy.pool)
    seed: int = 0
    threads: int = 2


@dataclass(frozen=True)
class TrainingItem:
    """One train pair as the model sees it: the prompt, the gold query, the candidates it must beat."""

    pair_id: str
    k: int
    prompt_ids: tuple[int, ...]
    gold_ids: tuple[int, ...]  # " " + gold dsl, then the stop
    rival_ids: tuple[tuple[int, ...], ...]  # " " + each other candidate (scored without the stop, as served)

    @property
    def tokens(self) -> int:
        return len(self.prompt_ids) + len(self.gold_ids) + sum(map(len, self.rival_ids))


@dataclass
class StepInfo:
    """What the progress display shows after each optimizer step."""

    step: int
    total_steps: int
    loss: float
    tokens: int  # tokens run through the model so far (prompt + continuations, no padding)
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


@dataclass
class AdaptReport:
    out: Path
    config: AdaptConfig
    steps: int
    pairs_seen: int
    tokens: int
    seconds: float
    stopped_by: str  # "steps" or "time"
    adapter_bytes: int
    trainable_params: int
    losses: list[float] = field(default_factory=list)  # mean loss per step
    ranked_share: float = 0.0  # share of pairs that had candidates to rank against

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


# --- data ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingPrompt:
    pair: Pair
    k: int
    prompt: str
    candidates: tuple[str, ...]  # the pipeline's candidate queries for the question (may miss the gold one)

    @property
    def rivals(self) -> tuple[str, ...]:
        """The candidates that are not the gold query."""
        gold = canonical(self.pair.dsl)
        return tuple(text for text in self.candidates if text != gold)


def training_prompts(
    store: ExampleStore, mask: Callable[[str], str], k_mix: Sequence[int], seed: int = 0, *,
    pool: int = 16, candidates: Callable[[Pair, list[Pair]], list[str]] = lambda _pair, _shapes: [],
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> list[TrainingPrompt]:
    """Every train pair with k drawn from `k_mix`: its k nearest other train pairs as the prompt's
    examples, and `candidates(pair, its pool nearest other pairs)` as the queries to rank.

    Retrieval is the pipeline's (masked question); the pair itself is never among its own neighbours.
    """
    rng = random.Random(seed)
    advance = progress("retrieve", len(store.pairs)) if progress else (lambda: None)
    prompts = []
    for pair in store.pairs:
        k = rng.choice(list(k_mix))
        found = store.select(pair.question, max(k, pool) + 1, masked_question=mask(pair.question))
        others = [example for example in found if example.id != pair.id]
        prompts.append(TrainingPrompt(pair, k, render(pair.question, others[:k][::-1]),  # nearest last, as served
                                      tuple(candidates(pair, others[:pool]))))
        advance()
    return prompts


def encode(tokenizer, item: TrainingPrompt) -> TrainingItem:
    """The prompt's ids, " " + gold dsl + stop, and the other candidates, as the backends tokenize them."""
    gold = canonical(item.pair.dsl)
    return TrainingItem(
        item.pair.id, item.k, tuple(encode_prompt(tokenizer, item.prompt)),
        tuple(encode_continuation(tokenizer, " " + gold) + encode_continuation(tokenizer, STOP)),
        tuple(tuple(encode_continuation(tokenizer, " " + text)) for text in item.rivals),
    )


def canonical(dsl: str) -> str:
    """The printer's spelling of a query: how candidates are written."""
    from dsl.parser import parse
    from dsl.printer import to_dsl

    return to_dsl(parse(dsl))


def item_loss(model, item: TrainingItem, rank_weight: float, pad_id: int) -> torch.Tensor:
    """The gold query's mean token loss, plus `rank_weight` x the ranking loss when there are rivals.

    The prompt but its last token runs without gradient; its cache is repeated for the gold query and
    each rival, which run in one right-padded batch starting from the prompt's last token (right
    padding cannot disturb a causal model's earlier positions).
    """
    continuations = [item.gold_ids, *(item.rival_ids if rank_weight else ())]
    with torch.no_grad():
        cache = model(input_ids=torch.tensor([item.prompt_ids[:-1]]), use_cache=True).past_key_values
    if len(continuations) > 1:
        cache.batch_repeat_interleave(len(continuations))
    longest = max(map(len, continuations))
    ids = torch.full((len(continuations), longest + 1), pad_id, dtype=torch.long)
    ids[:, 0] = item.prompt_ids[-1]
    for row, continuation in enumerate(continuations):
        ids[row, 1 : len(continuation) + 1] = torch.tensor(continuation)
    logits = model(input_ids=ids, past_key_values=cache, use_cache=True).logits[:, :-1].float()
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None])[..., 0]
    gold = logprobs[0, : len(item.gold_ids)]
    loss = -gold.mean()
    if len(continuations) > 1:
        # Scored as the pipeline scores: summed log-likelihood, the gold query without its stop.
        scores = torch.stack([gold[:-1].sum()] + [logprobs[row, : len(c)].sum()
                                                  for row, c in enumerate(continuations[1:], start=1)])
        loss = loss + rank_weight * -torch.log_softmax(scores, dim=0)[0]
    return loss


# --- training ------------------------------------------------------------------------------------

def train(
    model_path: Path,
    prompts: Sequence[TrainingPrompt],
    out: Path,
    config: AdaptConfig = AdaptConfig(),
    *,
    on_step: Callable[[StepInfo], None] = lambda _info: None,
    meta: dict | None = None,
) -> AdaptReport:
    """Train a LoRA on `prompts` (from `training_prompts`) and save it into `out`."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    # bf16 base weights where the CPU has bf16 kernels (the local backend serves so); peft keeps the
    # LoRA weights in fp32.
    dtype = torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype)
    lora = LoraConfig(
        r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
        target_modules=list(TARGETS[config.targets]), task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=0.0)
    warmup = max(1, config.warmup)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup))

    items = [encode(tokenizer, prompt) for prompt in prompts]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    rng = random.Random(config.seed)
    plan: list[TrainingItem] = []
    total_steps = config.steps or -(-len(items) // config.batch)
    while len(plan) < total_steps * config.batch:  # more steps than one pass: round again, reshuffled
        epoch = list(items)
        rng.shuffle(epoch)
        plan += epoch

    deadline = time.monotonic() + config.minutes * 60
    started = time.perf_counter()
    losses: list[float] = []
    tokens = pairs_seen = 0
    stopped_by = "steps"
    for step in range(1, total_steps + 1):
        if time.monotonic() > deadline:
            stopped_by = "time"
            break
        batch = plan[(step - 1) * config.batch : step * config.batch]
        step_loss = 0.0
        for item in batch:
            loss = item_loss(model, item, config.rank_weight, pad_id) / len(batch)
            loss.backward()
            step_loss += loss.item()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(step_loss)
        tokens += sum(item.tokens for item in batch)
        pairs_seen += len(batch)
        on_step(StepInfo(step, total_steps, losses[-1], tokens, time.perf_counter() - started))
    seconds = time.perf_counter() - started

    adapter_bytes = save_adapter(model, out)
    report = AdaptReport(
        out=out, config=config, steps=len(losses), pairs_seen=pairs_seen, tokens=tokens,
        seconds=seconds, stopped_by=stopped_by, adapter_bytes=adapter_bytes,
        trainable_params=sum(p.numel() for p in trainable), losses=losses,
        ranked_share=sum(bool(item.rival_ids) for item in items) / len(items) if items else 0.0,
    )
    write_training_json(report, meta or {})
    return report


def save_adapter(model, out: Path) -> int:
    """peft's adapter folder with the weights in float16 (half of fp32); returns the weights' size in bytes."""
    from safetensors.torch import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    (out / "README.md").unlink(missing_ok=True)  # peft's empty model-card template
    weights = out / "adapter_model.safetensors"
    tensors = {name: tensor.to(torch.float16).contiguous() for name, tensor in load_file(weights).items()}
    save_file(tensors, weights, metadata={"format": "pt"})
    return weights.stat().st_size


def write_training_json(report: AdaptReport, meta: dict) -> None:
    losses = report.losses
    tail = losses[-max(1, len(losses) // 10):] if losses else []
    info = {
        **meta,
        "config": asdict(report.config),
        "targets": list(TARGETS[report.config.targets]),
        "trainable_params": report.trainable_params,
        "steps": report.steps,
        "pairs_seen": report.pairs_seen,
        "tokens": report.tokens,
        "seconds": round(report.seconds, 1),
        "tokens_per_second": round(report.tokens_per_second, 1),
        "stopped_by": report.stopped_by,
        "pairs_with_rivals": round(report.ranked_share, 3),
        "adapter_bytes": report.adapter_bytes,
        "loss_first_10_steps": round(sum(losses[:10]) / len(losses[:10]), 4) if losses else None,
        "loss_last_10pct": round(sum(tail) / len(tail), 4) if tail else None,
        "losses": [round(loss, 4) for loss in losses],
    }
    (report.out / "training.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def corpus_meta(corpus: Path = DEFAULT_CORPUS) -> dict:
    """Which corpus the adapter was trained on (its hash), for training.json."""
    return {"corpus": str(corpus), "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest()}


def human_bytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def pipeline_candidates(pair: Pair, shapes: list[Pair], *, linker, engine) -> list[str]:
    """The pipeline's candidate queries for a train question from these neighbours' shapes (none if
    askcric would refuse the question)."""
    from dsl.candidates import candidates_for
    from dsl.errors import DslError
    from dsl.parser import parse
    from dsl.printer import to_dsl
    from serving.pipeline import QuestionError, read_question

    try:
        linked = read_question(pair.question, linker, engine).linked
        found = candidates_for(linked, [parse(shape.dsl) for shape in shapes], engine)
    except (QuestionError, DslError):
        return []
    return list(dict.fromkeys(to_dsl(query) for query in found.queries))


def main(args) -> int:
    """`askcric adapt`: train the LoRA adapter on the train split in the served prompt format."""
    from rich.progress import TextColumn

    from dsl.link import Linker
    from serving.models import DEFAULT_MODEL, SHIPPED_ADAPTERS, model_dir
    from serving.pipeline import example_store
    from serving.progress import console, err_console, progress_bar, rich_progress
    from statsdb.database import DatabaseMissing, open_engine

    config = AdaptConfig(k_mix=tuple(int(k) for k in args.k_mix.split(",")), steps=args.steps,
                         minutes=args.minutes, rank=args.rank, alpha=2 * args.rank, targets=args.targets,
                         lr=args.lr, batch=args.batch, rank_weight=args.rank_weight)
    try:
        engine = open_engine(args.url)
        linker = Linker.from_engine(engine)
    except DatabaseMissing as error:
        err_console.print(f"[red]database_missing[/red]: {error}", highlight=False)
        return 1
    with progress_bar() as bar:
        store = example_store(linker, progress=rich_progress(bar))
        prompts = training_prompts(store, store.mask, config.k_mix, config.seed, pool=config.pool,
                                   candidates=partial(pipeline_candidates, linker=linker, engine=engine),
                                   progress=rich_progress(bar))
    model = args.model or DEFAULT_MODEL
    out = Path(args.out) if args.out else SHIPPED_ADAPTERS.get(model)
    if out is None:
        err_console.print(f"[red]no default folder for a {model} adapter[/red]: give one with --out", highlight=False)
        return 2
    ranked = sum(bool(prompt.rivals) for prompt in prompts)
    err_console.print(f"Training a LoRA (r={config.rank}, {config.targets}) on {len(prompts)} train pairs "
                      f"({ranked} with candidates to rank against), k from {config.k_mix}, ranking weight "
                      f"{config.rank_weight:g}, at most {config.minutes:g} min...", highlight=False)
    with progress_bar(TextColumn("{task.fields[status]}"), eta=True) as bar:
        task = bar.add_task("adapt", total=None, status="")

        def on_step(info) -> None:
            bar.update(task, completed=info.step, total=info.total_steps,
                       status=f"loss {info.loss:.3f}  {info.tokens_per_second:.0f} tok/s")

        report = train(model_dir(model), prompts, out, config, on_step=on_step,
                       meta={"model": model, **corpus_meta(store.corpus)})
    console.print(
        f"{report.steps} steps ({report.pairs_seen} pairs, stopped by {report.stopped_by}) in "
        f"{report.seconds / 60:.1f} min, {report.tokens_per_second:.0f} tokens/s; loss "
        f"{sum(report.losses[:10]) / max(1, len(report.losses[:10])):.3f} (first 10 steps) -> "
        f"{sum(report.losses[-10:]) / max(1, len(report.losses[-10:])):.3f} (last 10). "
        f"Adapter {human_bytes(report.adapter_bytes)} ({report.trainable_params:,} parameters) in {out}",
        highlight=False, soft_wrap=True,
    )
    return 0
