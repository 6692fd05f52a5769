"""Do refactorings through a real codemeld LSP session on real projects, and
count how many leave the project's own test suite as green as it was.

For each project (a pinned PyPI sdist; its test venv is the one
evals/harness/projects.py builds under $CODEMELD_CORPORA/impact/NAME-VERSION/)
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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.harness import report as reports
from evals.harness import corpora, projects
from evals.harness.refactor import (Refactoring, codemeld_rename, codemeld_signature, definition_pos, fresh_copy,
                                    run_tests)

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
    print(f"[evals.edits] {msg}", file=sys.stderr, flush=True)


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


def evaluate(project: str, args, cache: Path, scratch: Path) -> list[dict]:
    spec = projects.PROJECTS[project]
    work = projects.prepare_workdir(spec, cache)
    projects.ensure_venv(spec, work, args.python)
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
        corpora.cache_root()
    rows = []
    with tempfile.TemporaryDirectory(prefix="codemeld-edits-") as scratch:
        for project in args.project or ["itsdangerous", "click"]:
            rows.extend(evaluate(project, args, cache, Path(scratch)))
    print(report(rows))
    if args.json:
        reports.write(args.json, "edits", rows, vars(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
