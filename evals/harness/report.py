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
    return report.model_dump_json(indent=2)


if __name__ == "__main__":
    print(json.dumps(Report.model_json_schema(), indent=1))
