"""server/cli_coerce.py converts option values without pydantic. For every
parameter of every `codemeld` command, and values a user can type (good, bad,
out of range, odd), its result, or its error message, must be exactly what
typer's own pydantic adapter gives."""

from __future__ import annotations

from pathlib import Path

import pytest

typer_coercion = pytest.importorskip("typer._coercion")

import typer.main  # noqa: E402

import server.cli_agent  # noqa: E402,F401  (registers its commands on the app, as main() does)
from server import cli_coerce  # noqa: E402
from server.cli import app  # noqa: E402

SAMPLES: dict[str, list] = {
    "str": ["abc", "", " padded ", "é 😀", "--x", None],
    "int": ["12", "-3", "007", "0", "1_000", " 5", "5 ", "+4", "x", "1.5", "", "99999999999999999999", 6, None],
    "float": ["0.5", "1", "-2.25", "007.50", "1e-9", "nan", "inf", ".5", "5.", "abc", "", 0.0, 1e-9, 3600.0, 2, None],
    "bool": [True, False, None],
    "Path": ["a/b", "", ".", "/", "é/x y", Path("p"), None],
    "list[str]": [("a", "b"), (), ("a",), ["x", "y"], None],
}


def _label(annotation) -> str:
    return getattr(annotation, "__name__", None) if isinstance(annotation, type) else str(annotation)


def _parameters():
    command = typer.main.get_command(app)
    found = []

    def walk(group, prefix):
        for name, sub in sorted(group.commands.items()):
            if hasattr(sub, "commands"):
                walk(sub, f"{prefix}{name} ")
                continue
            for param in sub.params:
                found.append((f"{prefix}{name} {param.name}", sub, param))

    walk(command, "")
    return found


PARAMETERS = _parameters()


def _outcome(runtime, value, param, command):
    from typer._click import Context
    from typer._click.exceptions import BadParameter

    ctx = Context(command, info_name=command.name)
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()
    return "value", type(result).__name__, repr(result)  # repr: nan equals nan


def test_every_parameter_of_the_app_gets_the_plain_conversion():
    """Otherwise that command would import pydantic again at each call
    (tests/unit/test_cli_imports.py would say so only for the hot ones)."""
    cli_coerce.install()
    from typer._param_types import coerce_cli_path

    odd = [label for label, _, param in PARAMETERS if not cli_coerce._plain(param.type_descriptor, coerce_cli_path)]
    assert odd == []


@pytest.mark.parametrize("label, command, param", PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_plain_conversion_equals_typers(label, command, param):
    cli_coerce.install()
    descriptor = param.type_descriptor
    samples = SAMPLES[_label(descriptor.annotation)]
    if param.multiple:
        samples = [s for s in samples if s is None or isinstance(s, (tuple, list))]
    theirs = typer_coercion.build_runtime_param(descriptor)
    param._runtime_param = None
    ours = param.get_runtime_param()
    assert type(ours).__name__ == "PlainRuntimeParam"
    for value in samples:
        assert _outcome(ours, value, param, command) == _outcome(theirs, value, param, command), (label, value)
