"""Evaluation reports as JSON with a schema: every `python -m evals.NAME
--json` prints one `Report`, so runs can be compared across commits.
`python -m evals.harness.report` prints the JSON Schema."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

REPO = Path(__file__).resolve().parents[2]


class Report(BaseModel):
    evaluation: str = Field(description="Module name: search, soak...")
    commit: str | None = Field(None, description="git HEAD of the checkout that ran it.")
    started: float = Field(default_factory=time.time, description="Unix time.")
    machine: str = Field(default_factory=lambda: f"{platform.machine()} {platform.python_version()}")
    settings: dict[str, Any] = Field(default_factory=dict, description="The arguments that shape the figures.")
    results: list[dict[str, Any]] = Field(default_factory=list, description="One entry per corpus or case.")


def new(evaluation: str, **settings) -> Report:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return Report(evaluation=evaluation, commit=commit, settings=settings)


def dumps(report: Report) -> str:
    # fallback: argparse values (paths, specs) and counters go in as text.
    return report.model_dump_json(indent=2, fallback=str)


def of(evaluation: str, results: Any, settings: dict | None = None) -> Report:
    """An evaluation's figures as a Report: a dict is one result, a list of
    dicts is one per corpus or case; `settings` usually `vars(args)`."""
    made = new(evaluation, **{k: v for k, v in (settings or {}).items() if not callable(v)})
    made.results = list(results) if isinstance(results, list) else [results]
    return made


def write(path: Path, evaluation: str, results: Any, settings: dict | None = None) -> Report:
    """What `--json PATH` writes: the figures in a Report (schema: `python -m evals.harness.report`)."""
    made = of(evaluation, results, settings)
    Path(path).write_text(dumps(made))
    return made


if __name__ == "__main__":
    print(json.dumps(Report.model_json_schema(), indent=1))
