"""The model registry and its one-time preparation (GGUF -> HF folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.cli import main
from serving.models import (
    MODELS, NO_ADAPTER, SHIPPED_ADAPTERS, ModelMissing, ModelSource, adapter_rank, is_model_folder, model_dir, prepare,
    resolve_adapter,
)

pytestmark = pytest.mark.slow


def test_prepare_is_idempotent(model_path: Path) -> None:
    assert is_model_folder(model_path)
    weights = next(model_path.glob("*.safetensors"))
    written = weights.stat().st_mtime_ns
    assert prepare(model_path.name) == model_path
    assert weights.stat().st_mtime_ns == written


def test_a_model_folder_path_is_accepted(model_path: Path) -> None:
    assert model_dir(str(model_path)) == model_path.resolve()
    assert prepare(str(model_path)) == model_path.resolve()


def test_the_default_model_is_served_with_the_adapter_askcric_ships(tmp_path: Path) -> None:
    shipped = SHIPPED_ADAPTERS["smollm2-135m"]
    assert resolve_adapter("smollm2-135m", None) == str(shipped) and adapter_rank(str(shipped)) > 0
    assert resolve_adapter("smollm2-135m", NO_ADAPTER) is None
    assert resolve_adapter("smollm2-135m", str(tmp_path)) == str(tmp_path)
    assert resolve_adapter("qwen2.5-coder-0.5b", None) is None  # no adapter trained for it


def test_unknown_names_list_the_known_models() -> None:
    with pytest.raises(ModelMissing, match="smollm2-135m, gemma3-270m"):
        model_dir("gpt-5")


def test_an_unprepared_model_says_how_to_prepare_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from serving.backends.local import LocalBackend

    monkeypatch.setenv("ASKCRIC_HOME", str(tmp_path))
    with pytest.raises(ModelMissing, match="askcric model prepare --model smollm2-135m"):
        LocalBackend("smollm2-135m")


def test_a_failed_conversion_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKCRIC_HOME", str(tmp_path))
    not_a_gguf = tmp_path / "broken.gguf"
    not_a_gguf.write_bytes(b"this is not a GGUF file")
    monkeypatch.setitem(MODELS, "broken", ModelSource("broken", "a truncated download", lambda _: not_a_gguf))
    with pytest.raises(Exception):
        prepare("broken")
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == []


def test_cli_model_prepare(model_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "prepare"]) == 0
    assert str(model_path) in capsys.readouterr().out.replace("\n", "")
    assert main(["model", "prepare", "--model", "no-such-model"]) == 1


def test_the_qwen_chunks_join_into_the_checked_gguf(tmp_path: Path) -> None:
    import gguf

    joined = MODELS["qwen2.5-coder-0.5b"].gguf(tmp_path)  # raises unless the sha256 matches
    assert gguf.GGUFReader(joined).get_field("general.architecture").contents() == "qwen2"
