"""The example store: question→DSL pairs, searched by how similar their questions are to a new one.

The corpus is a JSON-lines file (`examples/pairs.jsonl`), one pair per line:
`{"id": str, "question": str, "dsl": str, "split": one of retrieval.splits.SPLITS, "tags": [str]}`;
"dev-new" holds the dev questions of the question kinds added after the first dev
split, so the old split's figures stay comparable across versions; "test-new" holds questions of
those kinds written apart from the corpus and the rules, measured once at the end of a change.
"outside-dev" and "outside-test" were written by two writers (helper sessions, "out-" and "out2-"
ids) who wrote neither the corpus nor the rules, in their own words and about other players,
across every shape of question: the nearest thing to the question sets askcric is judged on.
Failures on outside-dev may be read to find general rules; outside-test (a third of the first
writer's questions) is measured only at the end of a change. "outside-dev2" holds the questions of
two more such writers ("w3-" in fans' casual words, "w4-" in a journalist's), read to find rules;
"outside-dev3" those of two more ("w5-" typed into a search box, "w6-" in a forum post's full
sentences), measured before any rule was written from them, then read. "outside-test2" holds a
seventh writer's ("w7-", chat messages and voice-assistant transcripts), measured only at the end
of a change, as outside-test is.
A pair whose query a train pair already has is left out, as for every split that is not train.
The store indexes the train split twice with FAISS: once over the questions as written and once
over the masked questions (names and values replaced by their types, "<player> test avg in
<country>" — DAIL-SQL's idea), because two questions with the same structure but different names
should count as neighbours. Masking is done by a function the caller passes in: the linker that
knows the names lives in `dsl/`, which this package must not import.

Both indexes are cached in one file in `.index/` beside the corpus (or in the per-user data folder
when that is not writable), stamped with a hash of exactly what the vectors are computed from:
the train questions in file order, the embedder, the mask version and the index kind. Opening the
store loads the cache when the hash matches and rebuilds it otherwise. Pairs themselves are always
read fresh from the corpus, so correcting a DSL or a tag never costs a rebuild.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal
from zipfile import BadZipFile

import faiss
import numpy as np
from platformdirs import user_data_dir
from tqdm import tqdm

from retrieval.embed import DIM, EMBEDDER_NAME, embed
from retrieval.splits import SPLITS

log = logging.getLogger(__name__)

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "examples" / "pairs.jsonl"

IndexKind = Literal["flat", "hnsw", "ivf"]
"""flat: exact search (the default; ~1,500 pairs need nothing else). hnsw, ivf: approximate
search for large stores — see `python -m analysis.bench_retrieval` for what each costs."""

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
IVF_NPROBE = 16

CACHE_FORMAT = 1
"""Bump when the cache file layout or the hash recipe changes: old caches then get rebuilt."""

POOL_FACTOR, POOL_MIN = 4, 32
"""Combined and MMR selection re-rank the top max(POOL_FACTOR * k, POOL_MIN) of each index."""

Progress = Callable[[str, int], Callable[[], None]]
"""progress(label, total) -> advance(): how the caller shows a progress bar (as in statsdb)."""

Mask = Callable[[str], str]


@dataclass(frozen=True, kw_only=True)
class Pair:
    """One question with its gold DSL."""

    id: str
    question: str
    dsl: str
    split: str = "train"  # one of SPLITS
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScoredExample(Pair):
    """A selected train pair and its similarity to the question (cosine, 1.0 = same direction)."""

    score: float


class CorpusError(ValueError):
    """The pairs file has a line that is not a valid pair (the message names the line)."""


def tqdm_progress(label: str, total: int) -> Callable[[], None]:
    """A progress bar on stderr (shown only on a terminal), closed when it reaches `total`."""
    bar = tqdm(total=total, desc=label, unit="q", file=sys.stderr, disable=None, leave=False)

    def advance() -> None:
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return advance


def load_pairs(path: Path) -> list[Pair]:
    """Every pair in a pairs.jsonl file, in file order (blank lines are skipped)."""
    pairs: list[Pair] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                pair = _pair_from_json(json.loads(line))
            except (ValueError, TypeError) as error:
                raise CorpusError(f"{path}:{number}: {error}") from None
            if pair.id in seen:
                raise CorpusError(f"{path}:{number}: the id {pair.id!r} is used twice")
            seen.add(pair.id)
            pairs.append(pair)
    return pairs


def _pair_from_json(obj: object) -> Pair:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "question", "dsl", "split"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string")
    if obj["split"] not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {obj['split']!r}")
    tags = obj.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError("'tags' must be a list of strings")
    return Pair(id=obj["id"], question=obj["question"], dsl=obj["dsl"], split=obj["split"],
                tags=tuple(tags))


def pair_to_json(pair: Pair) -> str:
    """The pair as one corpus line (without the newline)."""
    return json.dumps({"id": pair.id, "question": pair.question, "dsl": pair.dsl,
                       "split": pair.split, "tags": list(pair.tags)}, ensure_ascii=False)


# --- FAISS indexes -------------------------------------------------------------------------------

def new_index(kind: IndexKind, vectors: np.ndarray) -> faiss.Index:
    """An inner-product index of `kind` holding `vectors` (unit rows; row i gets id i)."""
    if kind == "flat":
        index = faiss.IndexFlatIP(DIM)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf":
        index = _trained_ivf(vectors)
    else:
        raise ValueError(f"unknown index kind {kind!r}: use flat, hnsw or ivf")
    index.add(vectors)
    return index


def _trained_ivf(vectors: np.ndarray) -> faiss.IndexIVFFlat:
    n = len(vectors)
    if n == 0:
        raise ValueError("an IVF index is trained on the stored vectors: it cannot start empty")
    # ~sqrt(n) lists, but never fewer than 39 training points per list (k-means needs them).
    nlist = max(1, min(round(math.sqrt(n)), n // 39))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    # k-means on a fixed sample: training on a million vectors takes minutes and gains nothing.
    sample = np.random.default_rng(0).permutation(n)[: 64 * nlist]
    index.train(vectors[np.sort(sample)])
    index.nprobe = min(IVF_NPROBE, nlist)
    # MMR and combined scores read stored vectors back; IVF needs this map to find them by id.
    index.make_direct_map()
    return index


def nearest_rows(index: faiss.Index, query: np.ndarray, n: int) -> list[int]:
    """Ids of the `n` stored vectors nearest to one query vector (fewer if the index is smaller)."""
    _, rows = index.search(query.reshape(1, DIM), n)
    return [int(row) for row in rows[0] if row >= 0]


def index_hash(questions: Sequence[str], *, index_kind: str, mask_version: str | None) -> str:
    """Hash of everything the stored vectors depend on (and nothing else)."""
    digest = hashlib.sha256()
    recipe = {"format": CACHE_FORMAT, "embedder": EMBEDDER_NAME, "index": index_kind,
              "mask_version": mask_version}
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    for question in questions:
        digest.update(b"\n" + question.encode())
    return digest.hexdigest()


def cache_paths(corpus: Path, index_kind: str) -> list[Path]:
    """Where the index cache may live, first choice first: beside the corpus, then per user."""
    beside = corpus.parent / ".index" / f"{corpus.stem}.{index_kind}.npz"
    # Same rule as statsdb.data_dir(), which this package may not import.
    home = Path(os.environ.get("ASKCRIC_HOME") or user_data_dir("askcric", appauthor=False))
    # Several corpora can share the per-user folder: tell them apart by their full path.
    tag = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:12]
    return [beside, home / "index" / f"{corpus.stem}-{tag}.{index_kind}.npz"]


# --- the store -----------------------------------------------------------------------------------

class ExampleStore:
    """The train pairs of one corpus file, with their raw and masked FAISS indexes.

    `pairs[i]` is the pair stored at id i of both indexes. Safe to share between threads.
    """

    def __init__(
        self,
        corpus: Path = DEFAULT_CORPUS,
        *,
        mask: Mask | None = None,
        mask_version: str | None = None,
        index_kind: IndexKind = "flat",
        progress: Progress = tqdm_progress,
    ) -> None:
        """Open the store, loading its cached indexes or (re)building them.

        `mask` turns a question into its masked form; `mask_version` names that function's
        behaviour and must change whenever its output would (it goes into the cache hash).
        Without a mask there is no masked index and `select` accepts no `masked_question`.
        """
        if (mask is None) != (mask_version is None):
            raise ValueError("pass mask and mask_version together (the version stamps the cache)")
        self.corpus = Path(corpus)
        self.mask = mask
        self.mask_version = mask_version
        self.index_kind: IndexKind = index_kind
        every_pair = load_pairs(self.corpus)
        self._ids = {pair.id for pair in every_pair}
        self.pairs: list[Pair] = [pair for pair in every_pair if pair.split == "train"]
        self._lock = threading.Lock()  # one index operation at a time: no search during an add
        # True when opening had to embed the corpus (no cache, or a stale one).
        self.rebuilt = False
        # The cache file in use (None when no folder was writable).
        self.cache_path: Path | None = None
        loaded = self._load_cache()
        if loaded is None:
            self._raw, self._masked = self._build(progress)
            self.rebuilt = True
            self._save_cache()
        else:
            self._raw, self._masked = loaded

    def __len__(self) -> int:
        return len(self.pairs)

    def select(
        self,
        question: str,
        k: int,
        *,
        masked_question: str | None = None,
        mmr: float | None = None,
        raw_weight: float = 0.0,
    ) -> list[ScoredExample]:
        """The k train pairs most similar to `question`, nearest first.

        masked_question: search the masked index with it instead of the raw one.
        raw_weight: with masked_question, score = raw_weight * raw cosine + (1 - raw_weight) *
            masked cosine (0 = masked only, 0.5 = both equally); re-ranks the union of both
            indexes' top candidates.
        mmr: Maximal Marginal Relevance with this lambda in [0, 1]: re-rank a larger candidate
            pool, each next pick maximizing lambda * score - (1 - lambda) * its highest similarity
            to the pairs already picked (1 = plain nearest; lower = more diverse). The order is
            then the pick order, still most relevant first.
        """
        if k < 0:
            raise ValueError(f"k must be 0 or more, not {k}")
        if mmr is not None and not 0.0 <= mmr <= 1.0:
            raise ValueError(f"mmr is a lambda between 0 and 1, not {mmr}")
        if not 0.0 <= raw_weight <= 1.0:
            raise ValueError(f"raw_weight must be between 0 and 1, not {raw_weight}")
        if masked_question is not None and self._masked is None:
            raise ValueError("this store has no masked index: open it with mask= and mask_version=")

        if masked_question is None:
            searches = [(self._raw, question, 1.0)]
        else:
            searches = [(self._raw, question, raw_weight), (self._masked, masked_question,
                                                             1.0 - raw_weight)]
            searches = [search for search in searches if search[2] > 0.0]
        queries = embed([text for _, text, _ in searches])  # one model call for both texts

        with self._lock:
            n = len(self.pairs)
            if k == 0 or n == 0:
                return []
            plain = mmr is None and len(searches) == 1
            pool = k if plain else min(n, max(POOL_FACTOR * k, POOL_MIN))
            candidates = sorted({row for (index, _, _), query in zip(searches, queries)
                                 for row in nearest_rows(index, query, pool)})
            # Exact cosines of every candidate in every space searched, so that scores from the
            # two indexes can be added, and candidates compared with each other for MMR.
            stored = [index.reconstruct_batch(np.array(candidates, dtype=np.int64))
                      for index, _, _ in searches]
            pairs = [self.pairs[row] for row in candidates]
        weights = [weight for _, _, weight in searches]
        relevance = sum(w * (vectors @ query) for w, vectors, query in zip(weights, stored, queries))
        if mmr is None:
            # Ties go to the earlier pair in the corpus, so results never depend on FAISS's order.
            order = sorted(range(len(candidates)), key=lambda i: (-relevance[i], candidates[i]))[:k]
        else:
            similarity = sum(w * (vectors @ vectors.T) for w, vectors in zip(weights, stored))
            order = mmr_order(relevance, similarity, k, mmr)
        return [ScoredExample(**asdict(pairs[i]), score=float(relevance[i])) for i in order]

    def add(self, pair: Pair) -> None:
        """Store a new train pair: searchable at once, appended to the corpus, cache updated.

        The caller checks the DSL first (this package cannot parse it). The cache is rewritten
        with the hash of the grown corpus, so the next open loads it without rebuilding; if the
        process dies between appending the line and rewriting the cache, the hash no longer
        matches and the next open rebuilds — slower, never wrong.
        """
        if pair.split != "train":
            raise ValueError(f"only train pairs are stored for retrieval, not {pair.split!r} ones")
        _pair_from_json(json.loads(pair_to_json(pair)))  # the same checks as a corpus line
        texts = [pair.question] + ([self.mask(pair.question)] if self.mask else [])
        vectors = embed(texts)
        with self._lock:
            if pair.id in self._ids:
                raise ValueError(f"the id {pair.id!r} is already in {self.corpus}")
            self._append_to_corpus(pair)
            self._raw.add(vectors[:1])
            if self._masked is not None:
                self._masked.add(vectors[1:])
            self.pairs.append(pair)
            self._ids.add(pair.id)
            self._save_cache()

    # --- building and caching --------------------------------------------------------------------

    def _hash(self) -> str:
        return index_hash([pair.question for pair in self.pairs], index_kind=self.index_kind,
                          mask_version=self.mask_version)

    def _build(self, progress: Progress) -> tuple[faiss.Index, faiss.Index | None]:
        questions = [pair.question for pair in self.pairs]
        raw = new_index(self.index_kind, _embed_with_progress(questions, "questions", progress))
        if self.mask is None:
            return raw, None
        masked_questions = [self.mask(question) for question in questions]
        masked_vectors = _embed_with_progress(masked_questions, "masked questions", progress)
        return raw, new_index(self.index_kind, masked_vectors)

    def _load_cache(self) -> tuple[faiss.Index, faiss.Index | None] | None:
        wanted = self._hash()
        for path in cache_paths(self.corpus, self.index_kind):
            try:
                with np.load(path, allow_pickle=False) as saved:
                    meta = json.loads(str(saved["meta"]))
                    if meta.get("hash") != wanted:
                        continue
                    raw = faiss.deserialize_index(saved["raw"])
                    masked = faiss.deserialize_index(saved["masked"]) if "masked" in saved else None
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, EOFError, RuntimeError, BadZipFile) as error:
                # A damaged cache is only a cache: say so and rebuild it.
                log.warning("ignoring unreadable index cache %s: %s", path, error)
                continue
            if raw.ntotal == len(self.pairs) and (masked is None) == (self.mask is None):
                self.cache_path = path
                return raw, masked
        return None

    def _save_cache(self) -> None:
        arrays = {"meta": np.array(json.dumps({
            "hash": self._hash(), "embedder": EMBEDDER_NAME, "mask_version": self.mask_version,
            "index_kind": self.index_kind, "count": len(self.pairs), "corpus": str(self.corpus),
        })), "raw": faiss.serialize_index(self._raw)}
        if self._masked is not None:
            arrays["masked"] = faiss.serialize_index(self._masked)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        for path in cache_paths(self.corpus, self.index_kind):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Write then rename: a reader never sees half a file, whatever happens meanwhile.
                partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
                partial.write_bytes(buffer.getvalue())
                os.replace(partial, path)
            except OSError as error:
                log.info("cannot write the index cache to %s (%s), trying the next place", path,
                         error)
                continue
            self.cache_path = path
            return
        self.cache_path = None
        log.warning("no writable place for the index cache of %s: it will be rebuilt next time",
                    self.corpus)

    def _append_to_corpus(self, pair: Pair) -> None:
        with open(self.corpus, "a+b") as corpus:
            corpus.seek(0, os.SEEK_END)
            # A last line without its newline would otherwise be glued to the new one.
            if corpus.tell() > 0:
                corpus.seek(-1, os.SEEK_END)
                if corpus.read(1) != b"\n":
                    corpus.write(b"\n")
            corpus.write(pair_to_json(pair).encode() + b"\n")


def _embed_with_progress(texts: list[str], label: str, progress: Progress) -> np.ndarray:
    advance = progress(f"embedding {label}", len(texts))
    batches = []
    for start in range(0, len(texts), 64):
        batch = texts[start:start + 64]
        batches.append(embed(batch))
        for _ in batch:
            advance()
    return np.concatenate(batches) if batches else np.zeros((0, DIM), dtype=np.float32)


def mmr_order(relevance: np.ndarray, similarity: np.ndarray, k: int, lam: float) -> list[int]:
    """Greedy Maximal Marginal Relevance (Carbonell & Goldstein, 1998) over candidates 0..n-1.

    relevance[i]: similarity of candidate i to the question; similarity[i, j]: between candidates.
    Each pick maximizes lam * relevance - (1 - lam) * (highest similarity to the picks so far);
    ties go to the lower index.
    """
    chosen = [int(np.argmax(relevance))]
    closest = similarity[chosen[0]].copy()
    while len(chosen) < min(k, len(relevance)):
        gain = lam * relevance - (1.0 - lam) * closest
        gain[chosen] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        closest = np.maximum(closest, similarity[pick])
    return chosen
