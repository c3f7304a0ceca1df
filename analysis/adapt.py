"""Weight adaptation: a LoRA adapter for the served model, trained on the train split in the prompt format.

The pilot (PILOT.md, third round) showed that an adapter trained on bare `Q:/DSL:` pairs forgets
how to learn from examples in its prompt, while one trained in the served retrieval format keeps
and sharpens it. So each training sequence here is exactly what the pipeline sends the model:

    render(question, k nearest train examples)  +  " " + dsl  +  "\n"

- the examples are the pair's nearest train pairs by masked retrieval (as `Pipeline` selects them),
  never the pair itself, nearest last; k is drawn per pair from a mix (e.g. 0, 1, 2, 4) so the
  adapter works with any number of examples, including none;
- the loss is on the continuation only (the DSL tokens and the newline that ends generation): the
  prompt's tokens are labelled -100;
- fp32 on the CPU, AdamW, batches of pairs with the same k (similar lengths, little padding).

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
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: two threads stall otherwise

import torch  # noqa: E402

from retrieval.prompt import render  # noqa: E402
from retrieval.store import DEFAULT_CORPUS, ExampleStore, Pair  # noqa: E402
from serving.backends import encode_continuation, encode_prompt  # noqa: E402

DEFAULT_ADAPTER_DIR = Path(__file__).resolve().parent.parent / "serving" / "adapters" / "smollm2-135m-askcric"
STOP = "\n"
"""Generation stops at a newline (serving.backends): the adapter learns to emit it after the DSL."""

TARGETS = {
    "attention": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "all": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
}
"""Which linear layers get a LoRA: the attention projections only, or the MLP ones too."""


@dataclass(frozen=True)
class AdaptConfig:
    k_mix: tuple[int, ...] = (0, 1, 2, 4)
    steps: int | None = None  # optimizer steps; None = one pass over the train split
    minutes: float = 10.0  # wall-clock budget for the training loop (the adapter is saved at the end)
    rank: int = 16
    alpha: int = 32  # LoRA scale = alpha / rank
    targets: str = "attention"  # a key of TARGETS
    dropout: float = 0.05
    lr: float = 2e-4
    warmup: int = 10  # steps of linear warm-up, then a constant rate
    batch: int = 4  # pairs per optimizer step
    seed: int = 0
    threads: int = 2


@dataclass(frozen=True)
class TrainingSequence:
    """One training sequence: token ids and the labels (-100 on the prompt)."""

    pair_id: str
    k: int
    ids: tuple[int, ...]
    labels: tuple[int, ...]


@dataclass
class StepInfo:
    """What the progress display shows after each optimizer step."""

    step: int
    total_steps: int
    loss: float
    tokens: int  # tokens run through the model so far (prompt + continuation, no padding)
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

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


# --- data ----------------------------------------------------------------------------------------

def training_prompts(
    store: ExampleStore, mask: Callable[[str], str], k_mix: Sequence[int], seed: int = 0,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> list[tuple[Pair, int, str]]:
    """(pair, k, prompt) for every train pair: k drawn from `k_mix`, its k nearest other train pairs.

    Retrieval is the pipeline's (masked question); the pair itself is left out of its own examples.
    """
    rng = random.Random(seed)
    advance = progress("retrieve", len(store.pairs)) if progress else (lambda: None)
    prompts = []
    for pair in store.pairs:
        k = rng.choice(list(k_mix))
        examples = []
        if k:
            found = store.select(pair.question, k + 1, masked_question=mask(pair.question))
            examples = [example for example in found if example.id != pair.id][:k]
        prompts.append((pair, k, render(pair.question, examples[::-1])))  # nearest last, as served
        advance()
    return prompts


def encode(tokenizer, pair: Pair, k: int, prompt: str) -> TrainingSequence:
    """The prompt's ids (labels -100) then " " + dsl and the stop (labels = ids), as the backends tokenize."""
    prompt_ids = encode_prompt(tokenizer, prompt)
    target = encode_continuation(tokenizer, " " + pair.dsl) + encode_continuation(tokenizer, STOP)
    return TrainingSequence(pair.id, k, tuple(prompt_ids + target), tuple([-100] * len(prompt_ids) + target))


def batches(sequences: Sequence[TrainingSequence], size: int, seed: int) -> list[list[TrainingSequence]]:
    """Batches of `size` sequences with the same k (so similar lengths), in a shuffled order."""
    rng = random.Random(seed)
    by_k: dict[int, list[TrainingSequence]] = defaultdict(list)
    for sequence in sequences:
        by_k[sequence.k].append(sequence)
    result = []
    for group in by_k.values():
        rng.shuffle(group)
        result += [group[i : i + size] for i in range(0, len(group), size)]
    rng.shuffle(result)
    return result


def collate(batch: Sequence[TrainingSequence], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded input ids, attention mask and labels (-100 on padding)."""
    longest = max(len(s.ids) for s in batch)
    ids = torch.full((len(batch), longest), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), longest), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), longest), dtype=torch.long)
    for row, s in enumerate(batch):
        ids[row, : len(s.ids)] = torch.tensor(s.ids)
        labels[row, : len(s.labels)] = torch.tensor(s.labels)
        mask[row, : len(s.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# --- training ------------------------------------------------------------------------------------

def train(
    model_path: Path,
    prompts: Sequence[tuple[Pair, int, str]],
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
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
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

    sequences = [encode(tokenizer, pair, k, prompt) for pair, k, prompt in prompts]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    plan = batches(sequences, config.batch, config.seed)
    total_steps = config.steps or len(plan)
    # More steps than one pass: go round again, each pass reshuffled.
    epoch = 1
    while len(plan) < total_steps:
        plan += batches(sequences, config.batch, config.seed + epoch)
        epoch += 1
    plan = plan[:total_steps]

    deadline = time.monotonic() + config.minutes * 60
    started = time.perf_counter()
    losses: list[float] = []
    tokens = pairs_seen = 0
    stopped_by = "steps"
    for step, batch in enumerate(plan, start=1):
        if time.monotonic() > deadline:
            stopped_by = "time"
            break
        loss = model(**collate(batch, pad_id)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        tokens += sum(len(s.ids) for s in batch)
        pairs_seen += len(batch)
        on_step(StepInfo(step, total_steps, losses[-1], tokens, time.perf_counter() - started))
    seconds = time.perf_counter() - started

    adapter_bytes = save_adapter(model, out)
    report = AdaptReport(
        out=out, config=config, steps=len(losses), pairs_seen=pairs_seen, tokens=tokens,
        seconds=seconds, stopped_by=stopped_by, adapter_bytes=adapter_bytes,
        trainable_params=sum(p.numel() for p in trainable), losses=losses,
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


def main(args) -> int:
    """`askcric adapt`: train the LoRA adapter on the train split in the served prompt format."""
    from rich.progress import TextColumn

    from dsl.link import Linker
    from serving.models import DEFAULT_MODEL, model_dir
    from serving.pipeline import example_store
    from serving.progress import console, err_console, progress_bar, rich_progress
    from statsdb.database import DatabaseMissing, open_engine

    config = AdaptConfig(k_mix=tuple(int(k) for k in args.k_mix.split(",")), steps=args.steps,
                         minutes=args.minutes, rank=args.rank, alpha=2 * args.rank, targets=args.targets,
                         lr=args.lr, batch=args.batch)
    try:
        linker = Linker.from_engine(open_engine(args.url))
    except DatabaseMissing as error:
        err_console.print(f"[red]database_missing[/red]: {error}", highlight=False)
        return 1
    with progress_bar() as bar:
        store = example_store(linker, progress=rich_progress(bar))
        prompts = training_prompts(store, store.mask, config.k_mix, config.seed, progress=rich_progress(bar))
    out = Path(args.out) if args.out else DEFAULT_ADAPTER_DIR
    model = args.model or DEFAULT_MODEL
    err_console.print(f"Training a LoRA (r={config.rank}, {config.targets}) on {len(prompts)} train pairs, "
                      f"k from {config.k_mix}, at most {config.minutes:g} min...", highlight=False)
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
