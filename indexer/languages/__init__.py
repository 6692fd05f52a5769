"""Language registry: which module extracts and resolves which files.

Each language lives in its own module implementing `LanguageSupport`
(see base.py); adding a language is adding a module and a line here.
"""

from __future__ import annotations

from pathlib import PurePath

# extension -> language name. Only languages with a support module are listed,
# so discovery never hands out a file nobody can parse.
EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
}


def language_for_path(path: str | PurePath) -> str | None:
    """The language of a file by its extension, or None when unsupported."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())
