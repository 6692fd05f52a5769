"""Loaded by codemeld's evals/impact.py into a project's test run."""
import json
import os
import sys

import pytest

_outcomes = {}
_spec = json.load(open(os.environ["CODEMELD_EVAL_TRACE"])) if os.environ.get("CODEMELD_EVAL_TRACE") else None
_root = os.path.realpath(_spec["root"]) + os.sep if _spec else ""
_wanted = {}  # test id -> {(real path, first line): key}
_stacks = {}  # "test id\tkey" -> [[rel path, line, code name, code first line], ...] outermost first
_real = {}
if _spec:
    for test_id, targets in _spec["tests"].items():
        _wanted[test_id] = {(os.path.realpath(p), line): key for key, p, line in targets}


def _realpath(name):
    if name not in _real:
        _real[name] = os.path.realpath(name)
    return _real[name]


def _stack(frame):
    out = []
    while frame is not None:
        name = frame.f_code.co_filename
        path = _realpath(name) if not name.startswith("<") else name
        if path.startswith(_root):
            out.append([path[len(_root):], frame.f_lineno, frame.f_code.co_name, frame.f_code.co_firstlineno])
        frame = frame.f_back
    return out[::-1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    test_id = item.nodeid.split("[", 1)[0]
    wanted = _wanted.get(test_id)
    if not wanted:
        yield
        return

    def profile(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        key = wanted.get((_realpath(code.co_filename), code.co_firstlineno))
        if key is not None and test_id + "\t" + key not in _stacks:
            _stacks[test_id + "\t" + key] = _stack(frame)

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        _outcomes.setdefault(report.nodeid, report.outcome)
        if report.when == "call":
            _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session):
    path = os.environ.get("CODEMELD_EVAL_OUTCOMES")
    if path:
        with open(path, "w") as f:
            json.dump(_outcomes, f)
    if _spec:
        with open(_spec["out"], "w") as f:
            json.dump(_stacks, f)
