"""A didChange storm against a real server, with query latency measured
during and after it (issue 16, defect 8; used by a test and evals/soak.py).

Twenty open files get typed into at `rate` changes per second (one line
inserted at the top of a file, round robin: every change shifts the file,
so a stale index answers at the wrong place). Meanwhile another thread asks
for references and hovers on a name in those files, one request at a time,
as an editor does, and times each answer."""

from __future__ import annotations

import re
import statistics
import threading
import time
from dataclasses import dataclass

_DEF = re.compile(r"^def (\w+)", re.M)


@dataclass
class StormResult:
    changes: int
    during_ms: list[float]
    after_ms: list[float]
    unanswered: int
    wrong: int

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        if not values:
            return 0.0
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def line(self) -> str:
        d, a = self.during_ms, self.after_ms
        return (f"{self.changes} changes; during: {len(d)} queries p50 {self.pct(d, .5):.0f} ms"
                f" p95 {self.pct(d, .95):.0f} ms max {max(d, default=0):.0f} ms; after: p50 {self.pct(a, .5):.0f} ms"
                f" p95 {self.pct(a, .95):.0f} ms; unanswered {self.unanswered}, wrong {self.wrong}")


def pick_files(client, count: int = 20) -> list[tuple[str, str, int]]:
    """(path, function name, its line) for `count` files with a top-level def."""
    out = []
    for path in sorted(client.root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        match = _DEF.search(text)
        if match and len(text) < 200_000:
            out.append((path.relative_to(client.root).as_posix(), match.group(1), text[: match.start()].count("\n")))
        if len(out) == count:
            break
    return out


def storm(client, files: list[tuple[str, str, int]], seconds: float = 8.0, rate: float = 20.0,
          after_queries: int = 20, timeout: float = 10.0) -> StormResult:
    versions = {path: 1 for path, _, _ in files}
    inserted = {path: 0 for path, _, _ in files}
    lock = threading.Lock()
    for path, _, _ in files:
        text = (client.root / path).read_text(encoding="utf-8", errors="replace")
        client.notify("textDocument/didOpen", {"textDocument": {"uri": client.uri(path), "languageId": "python",
                                                                "version": 1, "text": text}})
    stop = threading.Event()
    sent = [0]

    def typist() -> None:
        started = time.monotonic()
        n = 0
        while not stop.is_set() and time.monotonic() - started < seconds:
            path = files[n % len(files)][0]
            with lock:
                versions[path] += 1
                inserted[path] += 1
                version = versions[path]
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": client.uri(path), "version": version},
                "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                    "text": f"# storm {n}\n"}]})
            n += 1
            sent[0] = n
            time.sleep(max(0.0, started + n / rate - time.monotonic()))

    def query(i: int) -> tuple[float | None, bool]:
        path, name, line = files[i % len(files)]
        with lock:
            at = line + inserted[path]
        position = {"line": at, "character": 4}
        method = "textDocument/references" if i % 2 == 0 else "textDocument/hover"
        params = {"textDocument": {"uri": client.uri(path)}, "position": position}
        if method == "textDocument/references":
            params["context"] = {"includeDeclaration": True}
        began = time.monotonic()
        answer = client.request(method, params, timeout)
        elapsed = (time.monotonic() - began) * 1000
        if answer is None:
            return None, False
        result = answer.get("result")
        if method == "textDocument/references":
            ok = bool(result) and any(r["range"]["start"]["line"] == at and r["uri"] == client.uri(path) for r in result)
        else:
            ok = bool(result) and name in str(result)
        return elapsed, ok

    thread = threading.Thread(target=typist, daemon=True)
    time.sleep(1.0)  # let the opens be indexed
    thread.start()
    during, unanswered, wrong, i = [], 0, 0, 0
    while thread.is_alive():
        elapsed, ok = query(i)
        i += 1
        if elapsed is None:
            unanswered += 1
        else:
            during.append(elapsed)
            wrong += not ok
    thread.join()
    time.sleep(0.5)
    after = []
    for j in range(after_queries):
        elapsed, ok = query(i + j)
        if elapsed is None:
            unanswered += 1
        else:
            after.append(elapsed)
            wrong += not ok
    for path, _, _ in files:
        client.notify("textDocument/didClose", {"textDocument": {"uri": client.uri(path)}})
    return StormResult(sent[0], during, after, unanswered, wrong)
