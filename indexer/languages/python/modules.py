"""Dotted module names for files, the way `import` would find them."""

from __future__ import annotations

from pathlib import PurePosixPath


def source_roots(rel_paths: list[str]) -> list[str]:
    """Directories that act like sys.path entries, longest first.

    The workspace root always is one; `src/` layouts add `src`, and any
    directory named src/lib that holds packages does too.
    """
    roots = {""}
    for path in rel_paths:
        parts = path.split("/")  # POSIX relative paths (a PurePosixPath each cost a second on 6,000 files)
        for i, part in enumerate(parts[:-1]):
            if part in ("src", "lib", "Lib") and i + 2 < len(parts) or (part == "src" and i + 1 < len(parts)):
                roots.add("/".join(parts[: i + 1]))
                break
    return sorted(roots, key=len, reverse=True)


def module_name(rel_path: str, roots: list[str]) -> tuple[str, bool]:
    """(`pkg.mod`, is_package) for `src/pkg/mod.py`; `pkg` for `pkg/__init__.py`."""
    path = PurePosixPath(rel_path)
    for root in roots:
        if not root:
            relative = path
            break
        if rel_path.startswith(root + "/"):
            relative = PurePosixPath(rel_path[len(root) + 1:])
            break
    else:
        relative = path
    parts = list(relative.parts)
    stem = parts[-1].rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = parts[:-1] if is_package else parts[:-1] + [stem]
    return ".".join(parts) or stem, is_package
