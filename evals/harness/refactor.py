"""Refactorings through a real LSP session on a real project, judged by the
project's own test suite: rename a definition (prepareRename + rename) or
add a parameter and take the "Update N call sites" code action, apply the
WorkspaceEdit as an editor does, run the suite in the project's venv.

evals/edits.py runs them over a table of projects (and compares rope);
tests/e2e/test_edits_project.py runs two as an acceptance test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from evals.harness.lsp import Doc, eventually, start_client, stop_client
from evals.harness.projects import pytest_env
from evals.harness.workspace_edit import apply_workspace_edit, file_edits, needs_confirmation


@dataclass(frozen=True)
class Refactoring:
    kind: str  # rename | signature
    path: str  # file of the definition, relative to the project
    name: str  # `def NAME` / `class NAME` in that file (first one)
    new: str  # new name; for signature: the new parameter's name
    nth: int = 0

    @property
    def label(self) -> str:
        return f"{self.kind} {self.path}:{self.name} -> {self.new}"


def definition_pos(file: Path, name: str, nth: int = 0) -> tuple[int, int]:
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+({re.escape(name)})\b")
    seen = 0
    for number, line in enumerate(file.read_text(encoding="utf-8").split("\n")):
        match = pattern.match(line)
        if match:
            if seen == nth:
                return number, match.start(1)
            seen += 1
    raise LookupError(f"no definition of {name} in {file}")


def run_tests(work, copy: Path, timeout: float) -> tuple[bool, str, set[str]]:
    env = pytest_env(work)
    src = copy / "src"
    env["PYTHONPATH"] = str(src if src.is_dir() else copy)
    cmd = [str(work.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE"]
    proc = subprocess.run(cmd, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    failed = {line.split(" ", 2)[1] for line in proc.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))}
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    return proc.returncode == 0, tail, failed


async def codemeld_rename(copy: Path, cache: Path, ref: Refactoring) -> dict:
    client = await start_client(cache, copy, options={"watch": False}, ready=True)
    try:
        doc = Doc(copy, ref.path)
        line, col = definition_pos(doc.path, ref.name, ref.nth)
        pos = types.Position(line, col)
        started = time.perf_counter()
        await client.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=doc.id, position=pos))
        edit = await client.text_document_rename_async(types.RenameParams(text_document=doc.id, position=pos,
                                                                          new_name=ref.new))
        seconds = time.perf_counter() - started
        changes = file_edits(edit)
        uncertain = sum(needs_confirmation(edit, e) for _, _, edits in changes for e in edits)
        apply_workspace_edit(edit, confirm=True)
        return {"edits": sum(len(e) for _, _, e in changes), "files": len(changes), "uncertain": uncertain,
                "seconds": round(seconds, 3)}
    finally:
        await stop_client(client)


async def codemeld_signature(copy: Path, cache: Path, ref: Refactoring) -> dict:
    client = await start_client(cache, copy, options={"watch": False}, ready=True)
    try:
        doc = Doc(copy, ref.path)
        text = doc.text
        line, col = definition_pos(doc.path, ref.name, ref.nth)
        lines = text.split("\n")
        # Add the parameter last before any *args/keyword-only/**kwargs part: `def f(a, b)` -> `def f(a, b, NEW)`.
        header_end = line
        while not lines[header_end].rstrip().endswith(":"):
            header_end += 1
        header = "\n".join(lines[line:header_end + 1])
        close = header.rfind(")")
        inner = header[header.index("(") + 1:close]
        cut = min([i for i in (inner.find("*"),) if i >= 0] + [len(inner)])
        head, tail = inner[:cut].rstrip().rstrip(","), inner[cut:]
        positional_defaults = "=" in head
        if positional_defaults:  # a required parameter cannot follow defaults: make it keyword-only
            new_inner = f"{head}, *, {ref.new}" if "*" not in tail else f"{head}, {tail.rstrip().rstrip(',')}, {ref.new}"
        else:
            new_inner = f"{head}, {ref.new}" if head.strip() else ref.new
            if tail.strip():
                new_inner += ", " + tail.strip()
        new_header = header[:header.index("(") + 1] + new_inner + header[close:]
        new_text = "\n".join(lines[:line] + new_header.split("\n") + lines[header_end + 1:])
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=doc.uri, language_id="python", version=1, text=text)))
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=doc.uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=new_text)]))
        pos = types.Position(line, col)

        async def ask():
            return await client.text_document_code_action_async(types.CodeActionParams(
                text_document=doc.id, range=types.Range(pos, pos), context=types.CodeActionContext(diagnostics=[])))

        started = time.perf_counter()
        actions = await eventually(ask, timeout=20) or []
        update = next((a for a in actions if a.title.startswith("Update")), None)
        doc.path.write_text(new_text, encoding="utf-8")  # the user saves the buffer
        if update is None:
            return {"edits": 0, "files": 0, "title": None, "seconds": round(time.perf_counter() - started, 3),
                    "signature": new_header.strip()}
        resolved = await client.code_action_resolve_async(update)
        seconds = time.perf_counter() - started
        changes = file_edits(resolved.edit)
        apply_workspace_edit(resolved.edit, confirm=True)
        return {"edits": sum(len(e) for _, _, e in changes), "files": len(changes), "title": update.title,
                "seconds": round(seconds, 3), "signature": new_header.strip()}
    finally:
        await stop_client(client)


def fresh_copy(work, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(work.project, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache", "pyrightconfig.json"))
    return dest
