#!/usr/bin/env bash
# The main job, from a fresh clone: install, index this repository, and answer
# "what breaks if I change X" for a real function: its dependents, the chains
# that reach them, and the tests to run. A cheap slice of the test suite is run
# once under coverage (`codemeld tests learn`) so that tests the graph cannot
# see (names looked up at run time) show up too, marked as learned.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
CODEMELD=.venv/bin/codemeld
TARGET=indexer.analysis.coverage_data.numbits_to_lines
export HF_HUB_OFFLINE=1
$CODEMELD index . --no-embeddings
$CODEMELD status
echo
echo "== What breaks if I change $TARGET? (static: the graph alone)"
$CODEMELD impact "$TARGET" --depth 4
echo
echo "== Learning which tests run it: one cheap slice of the suite under per-test coverage"
$CODEMELD tests learn --python .venv/bin/python -- -q tests/unit/test_impact.py -k "coverage_contexts or value_flow"
echo
echo "== The same question with learned edges merged (each test marked static, learned or both)"
$CODEMELD impact "$TARGET" --depth 4
echo
echo "== Affected tests of the uncommitted changes in this checkout (git diff -> symbols -> tests)"
$CODEMELD tests affected || true
