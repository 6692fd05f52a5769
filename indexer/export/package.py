"""Which package a symbol belongs to, for SCIP's `<manager> <name> <version>`.

The workspace's own package comes from its metadata (pyproject `[project]`,
setup.cfg `[metadata]`, a literal `name=`/`version=` in setup.py), so the
symbols match what scip-python writes for the same project. Names outside
the workspace: the standard library is `python-stdlib <major.minor>` (as
scip-python names it); anything else is looked up in the installed
distributions' metadata, never imported.
"""

from __future__ import annotations

import configparser
import functools
import importlib.metadata
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

STDLIB = "python-stdlib"


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str


def project_package(root: Path) -> Package:
    """The workspace's own package name and version from its metadata; the
    folder name and "0" when it declares none (a dynamic version included)."""
    root = Path(root)
    name = version = None
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        project = data.get("project") or {}
        poetry = (data.get("tool") or {}).get("poetry") or {}
        name = project.get("name") or poetry.get("name")
        version = project.get("version") or poetry.get("version")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        pass
    if not (name and version):
        cfg = configparser.ConfigParser(interpolation=None)
        try:
            cfg.read(root / "setup.cfg", encoding="utf-8")
            name = name or cfg.get("metadata", "name", fallback=None)
            raw = cfg.get("metadata", "version", fallback=None)
            version = version or (raw if raw and not raw.startswith(("attr:", "file:")) else None)
        except (configparser.Error, UnicodeDecodeError):
            pass
    if not (name and version):
        try:
            setup = (root / "setup.py").read_text(encoding="utf-8", errors="replace")
        except OSError:
            setup = ""
        name = name or _literal(setup, "name")
        version = version or _literal(setup, "version")
    if not name:
        name = _about(root, "__title__")  # setup.py reading about["__title__"] (requests)
    if not version:
        version = _about_version(root, name) or _about(root, "__version__")
    return Package(name or root.name or "project", str(version or "0"))


def _literal(source: str, key: str) -> str | None:
    match = re.search(rf"\b{key}\s*=\s*['\"]([^'\"]+)['\"]", source)
    return match.group(1) if match else None


def _about_version(root: Path, name: str | None) -> str | None:
    """`__version__` in <pkg>/__version__.py or __init__.py (requests, click)."""
    if not name:
        return None
    for base in (root, root / "src"):
        for rel in ("__version__.py", "__init__.py"):
            try:
                text = (base / name.replace("-", "_").lower() / rel).read_text(encoding="utf-8")
            except OSError:
                continue
            found = _literal(text, "__version__")
            if found:
                return found
    return None


def _about(root: Path, key: str) -> str | None:
    """A dunder from a package's `__version__.py` / `__about__.py` (the file
    setup.py reads its metadata from in older projects)."""
    for pattern in ("*/__version__.py", "src/*/__version__.py", "*/__about__.py", "src/*/__about__.py"):
        for path in sorted(root.glob(pattern)):
            try:
                found = _literal(path.read_text(encoding="utf-8", errors="replace"), key)
            except OSError:
                continue
            if found:
                return found
    return None


def stdlib_package() -> Package:
    return Package(STDLIB, f"{sys.version_info.major}.{sys.version_info.minor}")


@functools.lru_cache(maxsize=None)
def _distributions() -> dict[str, list[str]]:
    try:
        return importlib.metadata.packages_distributions()
    except Exception:  # broken metadata of one distribution must not stop an export
        return {}


@functools.lru_cache(maxsize=4096)
def external_package(top_level: str) -> Package:
    """The package holding an outside module, by its top-level name."""
    if top_level in sys.stdlib_module_names or top_level == "builtins":
        return stdlib_package()
    for dist in _distributions().get(top_level, ()):
        try:
            return Package(dist, importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:
            continue
    return Package(top_level, "")


@functools.lru_cache(maxsize=None)
def _search_roots() -> tuple[str, ...]:
    return tuple(p for p in sys.path if p and os.path.isdir(p))


@functools.lru_cache(maxsize=16384)
def is_module_path(dotted: str) -> bool:
    """Whether a dotted name is a module on sys.path (found by file, not
    imported)."""
    if "." not in dotted and (dotted in sys.builtin_module_names or dotted in sys.stdlib_module_names):
        return True
    rel = dotted.replace(".", os.sep)
    for root in _search_roots():
        base = os.path.join(root, rel)
        if os.path.isdir(base) or os.path.exists(base + ".py") or os.path.exists(base + ".pyi"):
            return True
    return False
