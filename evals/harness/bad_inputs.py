"""The malformed-input corpus (tests/data/bad-inputs/*.json) and its runner.

Each case is one JSON file:
    name, description
    protocol   "lsp" (the only one so far; an MCP target adds "mcp" cases)
    send       a message to frame and send ("$ID" -> a fresh id, "$URI" -> a
               workspace file's URI, "$ROOT" -> the workspace root URI), or
    raw        bytes to write as they are (the string's code points 0-255)
    expect     "error:<code>"        a JSON-RPC error with that code
               "error-null-id:<code>" the same, with id null (no usable id)
               "result"              a result
               "answer"              a result or an error
               "none"                nothing to answer; the server must stay alive

After every case the runner checks that the server still answers a request.
Outcomes: ok, wrong (an answer, not the expected one), hang (no answer in
time), crash (the process died). A target is anything with the `Target`
methods: `LspTarget` drives `codemeld serve` through evals/harness/lsp.py; the
MCP server plugs in the same way.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "data" / "bad-inputs"
ANSWER_TIMEOUT_S = 10.0


class Target(Protocol):
    protocol: str  # which cases apply ("lsp", "mcp")

    def placeholders(self) -> dict[str, str]: ...

    def next_id(self) -> Any: ...

    def send(self, message: Any) -> None: ...

    def send_raw(self, data: bytes) -> None: ...

    def wait_response(self, msg_id: Any, timeout: float) -> dict | None: ...

    def alive(self, timeout: float = ANSWER_TIMEOUT_S) -> bool: ...

    def running(self) -> bool: ...


@dataclass
class Outcome:
    case: str
    verdict: str  # ok | wrong | hang | crash
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for o in self.outcomes if o.verdict == verdict)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict != "ok"]

    def summary(self) -> str:
        return (f"{len(self.outcomes)} cases: {self.count('ok')} ok, {self.count('wrong')} wrong,"
                f" {self.count('hang')} hangs, {self.count('crash')} crashes")


def load_cases(protocol: str | None = None) -> list[dict]:
    cases = []
    for path in sorted(CORPUS.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        case.setdefault("name", path.stem)
        if protocol is None or case.get("protocol", "lsp") in (protocol, "any"):
            cases.append(case)
    return cases


def _substitute(value: Any, marks: dict[str, str], msg_id: Any) -> Any:
    if isinstance(value, str):
        if value == "$ID":
            return msg_id
        for key, text in marks.items():
            value = value.replace(key, text)
        return value
    if isinstance(value, list):
        return [_substitute(v, marks, msg_id) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, marks, msg_id) for k, v in value.items()}
    return value


def run_case(target: Target, case: dict) -> Outcome:
    started = time.monotonic()
    msg_id = target.next_id()
    expect = case.get("expect", "answer")
    target.wait_response(None, 0)  # an earlier case's id-null answer (a bad frame's -32700) is not this one's
    try:
        if "raw" in case:
            target.send_raw(case["raw"].encode("latin-1"))
            answer = None
            if expect != "none":  # raw bytes carry no id of ours: their answer has id null
                answer = target.wait_response(None, ANSWER_TIMEOUT_S)
        else:
            message = _substitute(case["send"], target.placeholders(), msg_id)
            target.send(message)
            wait_for = None if expect.startswith("error-null-id") else msg_id
            answer = None
            if expect != "none":
                answer = target.wait_response(wait_for, ANSWER_TIMEOUT_S)
    except (BrokenPipeError, OSError) as exc:
        return Outcome(case["name"], "crash", f"cannot write: {exc}", time.monotonic() - started)
    if expect != "none" and answer is None:
        verdict = "crash" if not target.running() else "hang"
        return Outcome(case["name"], verdict, f"no answer in {ANSWER_TIMEOUT_S:g} s", time.monotonic() - started)
    problem = _check(expect, answer)
    if not target.alive():
        return Outcome(case["name"], "crash" if not target.running() else "hang",
                       "no answer to the next request", time.monotonic() - started)
    return Outcome(case["name"], "wrong" if problem else "ok", problem or "", time.monotonic() - started)


def _check(expect: str, answer: dict | None) -> str | None:
    if expect == "none":
        return None
    if expect in ("answer",):
        return None if ("result" in answer or "error" in answer) else f"not a response: {answer}"
    if expect == "result":
        return None if "result" in answer else f"expected a result, got {answer}"
    kind, _, code = expect.partition(":")
    error = answer.get("error")
    if not error or str(error.get("code")) != code:
        return f"expected error {code}, got {json.dumps(answer)[:200]}"
    if not error.get("message"):
        return "an error without a message"
    return None


def run_corpus(target: Target, cases: list[dict] | None = None) -> Report:
    report = Report()
    for case in cases if cases is not None else load_cases(target.protocol):
        report.outcomes.append(run_case(target, case))
        if not target.running():
            break  # every later case would be a crash too
    return report


class LspTarget:
    """`codemeld serve` over stdio, through the raw client."""

    protocol = "lsp"

    def __init__(self, client, file_rel: str):
        self.client = client
        self.file_rel = file_rel

    def placeholders(self) -> dict[str, str]:
        return {"$URI": self.client.uri(self.file_rel), "$ROOT": self.client.root.as_uri()}

    def next_id(self):
        return self.client.next_id()

    def send(self, message):
        self.client.send(message)

    def send_raw(self, data: bytes):
        self.client.send_raw(data)

    def wait_response(self, msg_id, timeout):
        return self.client.wait_response(msg_id, timeout)

    def alive(self, timeout: float = ANSWER_TIMEOUT_S) -> bool:
        return self.client.alive(timeout)

    def running(self) -> bool:
        return self.client.proc.poll() is None
