#!/usr/bin/env bash
# The main job, from a fresh clone: install, index this repository, and answer
# a real question about it: where is Store.transaction used, across files?
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
CODEMELD=.venv/bin/codemeld
$CODEMELD index . --no-embeddings
$CODEMELD status
echo
echo "References of indexer.store.Store.transaction:"
$CODEMELD refs indexer.store.Store.transaction
