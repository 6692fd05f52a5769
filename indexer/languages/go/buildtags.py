"""Whether a Go file is part of the default build (linux/amd64, cgo, no
custom tags), from its `//go:build` line and its file name's GOOS/GOARCH
suffixes, as `go build` decides."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

GOOS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9"
                 " solaris wasip1 windows zos".split())
GOARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32"
                   " mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split())
DEFAULT_TAGS = frozenset({"linux", "amd64", "unix", "gc", "cgo"})
_BUILD = re.compile(rb"^//go:build\s+(.+?)\s*$", re.M)
_PACKAGE = re.compile(rb"^package\s", re.M)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.]+)")


def _tag(name: str) -> bool:
    if name.startswith("go1."):
        return True  # every release tag up to the toolchain's
    return name in DEFAULT_TAGS


def evaluate(expr: str) -> bool:
    """A `//go:build` expression under the default tags; True when unreadable
    (a file is better indexed than lost)."""
    tokens = _TOKEN.findall(expr)
    if "".join(tokens).replace(" ", "") != expr.replace(" ", ""):
        return True
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def primary() -> bool:
        token = take() if peek() is not None else ")"
        if token == "!":
            return not primary()
        if token == "(":
            value = either()
            if peek() == ")":
                take()
            return value
        return _tag(token)

    def both() -> bool:
        value = primary()
        while peek() == "&&":
            take()
            value = primary() and value
        return value

    def either() -> bool:
        value = both()
        while peek() == "||":
            take()
            value = both() or value
        return value

    try:
        return either()
    except IndexError:
        return True


def in_default_build(rel_path: str, source: bytes) -> bool:
    stem = PurePosixPath(rel_path).name.removesuffix(".go").removesuffix("_test")
    parts = stem.split("_")[1:]
    if parts:
        if len(parts) >= 2 and parts[-2] in GOOS and parts[-1] in GOARCH:
            return parts[-2] in DEFAULT_TAGS and parts[-1] in DEFAULT_TAGS
        if parts[-1] in GOOS or parts[-1] in GOARCH:
            return parts[-1] in DEFAULT_TAGS
    clause = _PACKAGE.search(source, 0, 65536)
    head = source[:clause.start() if clause else 4096]  # constraints come before the package clause
    found = _BUILD.search(head)
    return evaluate(found.group(1).decode("utf-8", "replace")) if found else True
