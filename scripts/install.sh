#!/usr/bin/env bash
# Installs codemeld and everything it needs into ./.venv (idempotent).
# torch is pinned first: anything that pulls it in later must find the CPU
# build 2.13.0 already there, or pip would fetch a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --disable-pip-version-check -q)
"${PIP[@]}" --upgrade pip >&2
"${PIP[@]}" "torch==2.13.0" >&2
# setuptools announces how it made the editable install (a path finder) on
# every run; that notice is expected, anything else pip prints is not.
PYTHONWARNINGS="ignore:Editable installation" "${PIP[@]}" -e ".[embed,share,test]" >&2
# Bytecode for codemeld's own modules, as a wheel install has: with
# PYTHONDONTWRITEBYTECODE set (as on these machines) every `codemeld` call
# otherwise compiled its sources again, about 0.25 s of CPU (evals/bench_cli.py).
.venv/bin/python -m compileall -q indexer server evals >&2
