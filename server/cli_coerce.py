"""Option values without pydantic, for a CLI that starts fast.

typer (0.2x) converts every parameter of the invoked command through a
pydantic TypeAdapter it builds on first use: importing pydantic and building
8-15 adapters cost each `codemeld` call about 0.2-0.4 s of CPU, more than
most answers. Our commands use plain annotations only (str, int, float, bool,
Path, list[str], with at most a `min`), so `install()` gives such parameters a
conversion done here. A value it would not take exactly as it is (a bad
number, out of range, an unusual type) goes to typer's own adapter, built
then: results and error messages stay typer's (tests/unit/test_cli_coerce.py
compares the two on every parameter of the app).

A typer without this machinery (no `_TyperParameter.get_runtime_param`) is
left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_INT = re.compile(r"-?[0-9]+\Z")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_DECLINE = object()  # "not sure: ask typer"
_installed = False


def _within(value, info) -> bool:
    return (info.min is None or value >= info.min) and (info.max is None or value <= info.max)


def _convert(annotation, info, value) -> Any:
    """The value typer's adapter would give, or _DECLINE."""
    if info.parser is not None or info.clamp:
        return _DECLINE
    if annotation is str:
        return value if isinstance(value, str) else _DECLINE
    if annotation is bool:
        return value if isinstance(value, bool) else _DECLINE
    if annotation is int:
        if isinstance(value, str) and _INT.match(value):
            value = int(value)
        if type(value) is int and _within(value, info):
            return value
        return _DECLINE
    if annotation is float:
        if isinstance(value, str) and _FLOAT.match(value):
            value = float(value)
        elif type(value) is int:
            value = float(value)
        if type(value) is float and _within(value, info):
            return value
        return _DECLINE
    if annotation == list[str]:
        if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
            return list(value)
        return _DECLINE
    return _DECLINE


def _plain(descriptor, coerce_path) -> bool:
    """Whether a parameter's annotation is one `_convert` handles."""
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None or info.clamp:
        return False
    if annotation is Path:
        return coerce_path is not None and info.path_type is None
    return annotation in (str, bool, int, float) or annotation == list[str]


def install() -> None:
    """Give typer's parameters the plain conversion where it applies (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    try:
        from typer import core
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:
        return
    try:
        from typer._param_types import coerce_cli_path
    except ImportError:
        coerce_cli_path = None
    parameter = getattr(core, "_TyperParameter", None)
    typers_own = getattr(parameter, "get_runtime_param", None)
    if typers_own is None:
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        descriptor: Any = None

        def _coerce_value(self, value, param, ctx):
            if self.annotation is Path:
                # typer's own path checks (exists, resolve_path...) on the Path
                # pydantic would have made of a non-empty string
                if isinstance(value, str) and value:
                    return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
                if isinstance(value, Path):
                    return coerce_cli_path(value, self.parameter_info, path_type=Path, param=param, ctx=ctx)
            else:
                converted = _convert(self.annotation, self.parameter_info, value)
                if converted is not _DECLINE:
                    return converted
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self):
        if self._runtime_param is None and _plain(self.type_descriptor, coerce_cli_path):
            descriptor = self.type_descriptor
            self._runtime_param = PlainRuntimeParam(parameter_info=descriptor.parameter_info,
                                                    annotation=descriptor.annotation, descriptor=descriptor)
        return typers_own(self)

    parameter.get_runtime_param = get_runtime_param
