#!/usr/bin/env bash
# Installs everything, then runs the whole test suite. Exit code is pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
