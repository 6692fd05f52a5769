"""Language registry: the only way the engine meets a language.

Each language is a package implementing `LanguageSupport` (base.py). Adding
one is adding its package and a line to `_PLUGINS` (or one `register` call,
as the tests do for their toy language). Plugins load on first use.
"""

from __future__ import annotations

import importlib
from pathlib import PurePath

from indexer.languages.base import LanguageSupport, language_of, local_name, qualify

__all__ = ["LanguageSupport", "language_of", "local_name", "qualify", "register", "support", "find",
           "plugins", "adopt", "language_for_path", "support_for_path", "edits_for_path", "edit_facets", "names",
           "extensions", "filenames", "dialect_of", "fence"]

# language name -> "module:Class" of its support.
_PLUGINS: dict[str, str] = {
    "python": "indexer.languages.python:PythonSupport",
    "go": "indexer.languages.go:GoSupport",
    "typescript": "indexer.languages.typescript:TypeScriptSupport",
}
# What each built-in language claims (extensions, whole file names), known
# without importing its plugin: a warm start of a Python workspace no longer
# loads the Go and TypeScript plugins (and grammars) to learn that `.py` is
# not theirs. tests/unit/test_discovery.py checks them against the plugins;
# a language added by `register` is asked itself.
_CLAIMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "python": ((".py", ".pyi"), ()),
    "go": ((".go", ".mod", ".work"), ()),
    "typescript": ((".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"),
                   ("tsconfig.json", "jsconfig.json", "package.json", "tsconfig.base.json")),
}
_LOADED: dict[str, LanguageSupport] = {}
_EXTENSIONS: dict[str, str] | None = None
_FILENAMES: dict[str, str] | None = None


def register(name: str, target: str) -> None:
    """Add (or replace) a language: `target` is "package.module:Class"."""
    global _EXTENSIONS, _FILENAMES
    _PLUGINS[name] = target
    _CLAIMS.pop(name, None)
    _LOADED.pop(name, None)
    _EXTENSIONS = _FILENAMES = None


def unregister(name: str) -> None:
    global _EXTENSIONS, _FILENAMES
    _PLUGINS.pop(name, None)
    _CLAIMS.pop(name, None)
    _LOADED.pop(name, None)
    _EXTENSIONS = _FILENAMES = None


def names() -> list[str]:
    return list(_PLUGINS)


def plugins() -> dict[str, str]:
    """The registry, name -> "module:Class" (for a worker process to `adopt`)."""
    return dict(_PLUGINS)


def adopt(registry: dict[str, str]) -> None:
    """Make this process's registry `registry`: a worker the forkserver started
    imported the built-in one, and misses what `register` changed since."""
    for name in [name for name in _PLUGINS if name not in registry]:
        unregister(name)
    for name, target in registry.items():
        if _PLUGINS.get(name) != target:
            register(name, target)


def support(name: str) -> LanguageSupport:
    """The support of a registered language (KeyError when there is none)."""
    loaded = _LOADED.get(name)
    if loaded is None:
        module, _, attr = _PLUGINS[name].partition(":")
        loaded = _LOADED[name] = getattr(importlib.import_module(module), attr)()
    return loaded


def find(name: str) -> LanguageSupport | None:
    """The support of `name`, or None when no plugin is registered for it
    (an index may hold files of a language whose plugin has since gone)."""
    return support(name) if name in _PLUGINS else None


def extensions() -> dict[str, str]:
    """extension -> language, over every registered language."""
    global _EXTENSIONS
    if _EXTENSIONS is None:
        _EXTENSIONS = {ext: name for name in _PLUGINS for ext in _claims(name)[0]}
    return _EXTENSIONS


def filenames() -> dict[str, str]:
    """exact file name -> language: files a language reads whole (a plugin's
    optional `filenames`, e.g. tsconfig.json for TypeScript's module resolution)."""
    global _FILENAMES
    if _FILENAMES is None:
        _FILENAMES = {file: name for name in _PLUGINS for file in _claims(name)[1]}
    return _FILENAMES


def _claims(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    claimed = _CLAIMS.get(name)
    if claimed is not None:
        return claimed
    plugin = support(name)
    return tuple(plugin.extensions), tuple(getattr(plugin, "filenames", ()))


def language_for_path(path: str | PurePath) -> str | None:
    """The language of a file by its name or extension, or None when unsupported."""
    # String operations, not a PurePath: discovery asks this of every file of
    # the workspace on each warm start. `suffix` as PurePath defines it.
    name = path.rpartition("/")[2] if isinstance(path, str) else path.name
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""
    return filenames().get(name) or extensions().get(suffix.lower())


def dialect_of(path: str | PurePath) -> str | None:
    """What an answer says a file's language is: the plugin's dialect of the
    file (typescriptreact for .tsx) or the language's name."""
    language = language_for_path(path)
    if language is None:
        return None
    plugin = support(language)
    return plugin.dialect(str(path)) if hasattr(plugin, "dialect") else language


_FENCES = {"typescriptreact": "tsx", "javascriptreact": "jsx"}


def fence(path: str | PurePath) -> str:
    """The markdown code-fence language of a file's snippets (python, typescript, tsx...)."""
    dialect = dialect_of(path) or "python"
    return _FENCES.get(dialect, dialect)


def support_for_path(path: str | PurePath) -> LanguageSupport | None:
    language = language_for_path(path)
    return support(language) if language else None


def edits_for_path(path: str | PurePath):
    """The edit facet (`LanguageSupport.edits`: its rename, ripple, breaking,
    moves, propagate, signature modules) of the language of `path`; None when
    the file has no language or its language no edits. What front doors and
    the host call instead of importing a language's edit modules."""
    found = support_for_path(path)
    return None if found is None else getattr(found, "edits", None)


def edit_facets() -> list:
    """The edit facets of every registered language that has one (a folder
    move concerns every language whose modules it may hold)."""
    facets = (getattr(support(name), "edits", None) for name in _PLUGINS)
    return [facet for facet in facets if facet is not None]
