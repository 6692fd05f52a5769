"""Acceptance on a real project (itsdangerous 2.2.0 from PyPI, never committed):
through a real LSP session, rename a widely used function and apply the
WorkspaceEdit; add a required parameter and apply "Update N call sites";
the project's own test suite passes afterwards. Needs the sdist and its test
venv cached by evals/harness/projects.py (network), so it is skipped otherwise."""

from __future__ import annotations

import asyncio

import pytest

from evals.harness import corpora, projects
from evals.harness import refactor as eval_edits

SPEC = projects.PROJECTS["itsdangerous"]
WORK = projects.WorkDir(corpora.cache_root() / "impact" / SPEC.label)

pytestmark = pytest.mark.skipif(
    not (WORK.project / projects._COPIED).exists() or not WORK.python.exists(),
    reason=f"needs the {SPEC.label} sdist and its test venv cached under {WORK.base} (network: run"
           " `python -m evals.impact --project itsdangerous` once)")


@pytest.mark.parametrize("refactoring", [
    eval_edits.Refactoring("rename", "src/itsdangerous/encoding.py", "want_bytes", "as_bytes"),
    eval_edits.Refactoring("signature", "src/itsdangerous/encoding.py", "base64_decode", "strict"),
], ids=lambda r: r.kind)
def test_refactoring_keeps_the_suite_green(tmp_path, refactoring):
    copy = eval_edits.fresh_copy(WORK, tmp_path / "project")
    runner = eval_edits.codemeld_rename if refactoring.kind == "rename" else eval_edits.codemeld_signature
    result = asyncio.run(runner(copy, tmp_path / "cache", refactoring))
    assert result["edits"] >= 2, result
    ok, tail, failed = eval_edits.run_tests(WORK, copy, timeout=300)
    assert ok and not failed, tail
    old = refactoring.name if refactoring.kind == "rename" else None
    if old:
        assert not any(old + "(" in p.read_text() for p in (copy / "src").rglob("*.py"))
