"""Do refactorings through a real codemeld LSP session on real projects, and
count how many leave the project's own test suite as green as it was.

For each project (a pinned PyPI sdist; its test venv is the one
evals/impact.py builds under $CODEMELD_CORPORA/impact/NAME-VERSION/)
and each refactoring, on a fresh copy of the project:
- rename: textDocument/prepareRename + textDocument/rename on the
  definition, the returned WorkspaceEdit applied as an editor would (edits
  that need confirmation: confirmed);
- signature: a required parameter added to a function in an open buffer,
  then the "Update N call sites of f()" code action resolved and applied
  (the placeholder `name=...` keeps the suite runnable), the buffer saved;
then the project's tests run (the copy first on PYTHONPATH). The same
renames are done with rope (PyPI `rope`, its own venv) for comparison.

    python -m evals.edits                      # itsdangerous and click
    python -m evals.edits --project itsdangerous --no-rope --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from evals import impact as eval_impact
from lsprotocol import types  # noqa: E402

from evals.harness.lsp import Doc, eventually, start_client, stop_client
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


REFACTORINGS: dict[str, list[Refactoring]] = {
    "itsdangerous": [
        Refactoring("rename", "src/itsdangerous/encoding.py", "want_bytes", "as_bytes"),
        Refactoring("rename", "src/itsdangerous/encoding.py", "base64_encode", "b64_encode"),
        Refactoring("rename", "src/itsdangerous/encoding.py", "base64_decode", "b64_decode"),
        Refactoring("rename", "src/itsdangerous/encoding.py", "int_to_bytes", "int_as_bytes"),
        Refactoring("rename", "src/itsdangerous/signer.py", "get_signature", "compute_signature"),
        Refactoring("rename", "src/itsdangerous/signer.py", "derive_key", "make_key"),
        Refactoring("rename", "src/itsdangerous/serializer.py", "make_signer", "build_signer"),
        Refactoring("rename", "src/itsdangerous/serializer.py", "load_payload", "decode_payload"),
        Refactoring("rename", "src/itsdangerous/exc.py", "BadSignature", "InvalidSignature"),
        Refactoring("rename", "src/itsdangerous/timed.py", "get_timestamp", "now_timestamp"),
        Refactoring("signature", "src/itsdangerous/encoding.py", "base64_decode", "strict"),
        Refactoring("signature", "src/itsdangerous/encoding.py", "bytes_to_int", "order"),
    ],
    "click": [
        Refactoring("rename", "src/click/utils.py", "make_str", "to_str"),
        Refactoring("rename", "src/click/utils.py", "echo", "say"),
        Refactoring("rename", "src/click/core.py", "get_help_option", "help_option_for"),
        Refactoring("rename", "src/click/core.py", "make_context", "new_context"),
        Refactoring("rename", "src/click/formatting.py", "wrap_text", "wrap_paragraphs"),
        Refactoring("rename", "src/click/_compat.py", "term_len", "display_len"),
        Refactoring("rename", "src/click/exceptions.py", "UsageError", "BadUsage"),
        Refactoring("signature", "src/click/formatting.py", "measure_table", "padding"),
        Refactoring("signature", "src/click/_compat.py", "term_len", "tabsize"),
    ],
}


def log(msg: str) -> None:
    print(f"[eval_edits] {msg}", file=sys.stderr, flush=True)


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
    env = eval_impact.pytest_env(work)
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


ROPE_SCRIPT = r'''
import sys
from rope.base.project import Project
from rope.refactor.rename import Rename
root, rel, line, col, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
project = Project(root, ropefolder=None)
resource = project.get_resource(rel)
text = resource.read()
offset = sum(len(l) + 1 for l in text.split("\n")[:line]) + col
changes = Rename(project, resource, offset).get_changes(new, docs=True, in_hierarchy=True)
project.do(changes)
print(len(changes.changes))
'''


def rope_python(cache: Path) -> Path:
    venv = cache / "edits" / "rope-venv"
    python = venv / "bin" / "python"
    if not (venv / ".ok").exists():
        log(f"creating {venv} with rope")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "rope==1.15.2"], check=True)
        (venv / ".ok").touch()
    return python


def rope_rename(python: Path, copy: Path, ref: Refactoring) -> dict:
    line, col = definition_pos(copy / ref.path, ref.name, ref.nth)
    started = time.perf_counter()
    proc = subprocess.run([str(python), "-c", ROPE_SCRIPT, str(copy), ref.path, str(line), str(col), ref.new],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "seconds": round(time.perf_counter() - started, 3)}
    return {"files": int(proc.stdout.strip() or 0), "seconds": round(time.perf_counter() - started, 3)}


def fresh_copy(work, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(work.project, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache", "pyrightconfig.json"))
    return dest


def evaluate(project: str, args, cache: Path, scratch: Path) -> list[dict]:
    spec = eval_impact.PROJECTS[project]
    work = eval_impact.prepare_workdir(spec, cache)
    eval_impact.ensure_venv(spec, work, args.python)
    base_copy = fresh_copy(work, scratch / f"{project}-pristine")
    green, tail, base_failed = run_tests(work, base_copy, args.timeout)
    log(f"{project}: pristine suite: {tail}")
    rope = None if args.no_rope else rope_python(cache)
    rows = []
    refactorings = [r for r in REFACTORINGS[project] if not args.only or any(o in r.label for o in args.only)]
    for index, ref in enumerate(refactorings):
        row = {"project": project, "refactoring": ref.label, "kind": ref.kind}
        copy = fresh_copy(work, scratch / f"{project}-{index}")
        runner = codemeld_rename if ref.kind == "rename" else codemeld_signature
        try:
            row["codemeld"] = asyncio.run(runner(copy, scratch / f"cache-{project}-{index}", ref))
            ok, tail, failed = run_tests(work, copy, args.timeout)
            row["codemeld"].update(green=not (failed - base_failed) and (ok or not green), tests=tail)
        except Exception as exc:  # one refactoring's failure is a data point, not the end of the run
            row["codemeld"] = {"error": f"{type(exc).__name__}: {exc}", "green": False}
        if ref.kind == "rename" and rope is not None:
            copy = fresh_copy(work, scratch / f"{project}-{index}-rope")
            row["rope"] = rope_rename(rope, copy, ref)
            if "error" not in row["rope"]:
                ok, tail, failed = run_tests(work, copy, args.timeout)
                row["rope"].update(green=not (failed - base_failed) and (ok or not green), tests=tail)
            else:
                row["rope"]["green"] = False
        log(f"{ref.label}: codemeld {'green' if row['codemeld'].get('green') else 'RED'} {row['codemeld']}"
            + (f" | rope {'green' if row['rope'].get('green') else 'RED'} {row['rope']}" if "rope" in row else ""))
        rows.append(row)
    return rows


def report(rows: list[dict]) -> str:
    out = []
    for project in dict.fromkeys(r["project"] for r in rows):
        mine = [r for r in rows if r["project"] == project]
        renames = [r for r in mine if r["kind"] == "rename"]
        signatures = [r for r in mine if r["kind"] == "signature"]
        green = lambda rs, tool: sum(bool(r.get(tool, {}).get("green")) for r in rs)  # noqa: E731
        out.append(f"{project}: renames green: codemeld {green(renames, 'codemeld')}/{len(renames)}"
                   + (f", rope {green(renames, 'rope')}/{sum('rope' in r for r in renames)}"
                      if any("rope" in r for r in renames) else "")
                   + f"; signature changes (Update N call sites) green: codemeld"
                     f" {green(signatures, 'codemeld')}/{len(signatures)}")
        for r in mine:
            c = r["codemeld"]
            line = (f"  {r['refactoring']}: codemeld {'green' if c.get('green') else 'RED'}"
                    f" ({c.get('edits', '?')} edits in {c.get('files', '?')} files, {c.get('uncertain', 0)} uncertain,"
                    f" {c.get('seconds', '?')} s{'; ' + c['error'] if 'error' in c else ''})")
            if "rope" in r:
                p = r["rope"]
                line += (f" | rope {'green' if p.get('green') else 'RED'} ({p.get('files', '?')} files,"
                         f" {p.get('seconds', '?')} s{'; ' + p['error'] if 'error' in p else ''})")
            out.append(line)
    total = [r for r in rows]
    out.append(f"total: codemeld {sum(bool(r['codemeld'].get('green')) for r in total)}/{len(total)} green"
               + (f"; rope {sum(bool(r['rope'].get('green')) for r in total if 'rope' in r)}"
                  f"/{sum('rope' in r for r in total)} renames green" if any('rope' in r for r in total) else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", choices=sorted(REFACTORINGS))
    parser.add_argument("--only", action="append", help="refactorings whose label contains this")
    parser.add_argument("--no-rope", action="store_true")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the projects' test venvs")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cache = Path(os.environ.get("CODEMELD_CORPORA", "")) if os.environ.get("CODEMELD_CORPORA") else \
        eval_impact.corpora.cache_root()
    rows = []
    with tempfile.TemporaryDirectory(prefix="codemeld-edits-") as scratch:
        for project in args.project or ["itsdangerous", "click"]:
            rows.extend(evaluate(project, args, cache, Path(scratch)))
    print(report(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
