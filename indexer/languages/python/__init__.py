"""Python support: module naming, fact extraction, cross-file resolution."""

from __future__ import annotations

from indexer.languages.base import FileFacts
from indexer.languages.python.extract import extract
from indexer.languages.python.modules import module_name


class PythonSupport:
    name = "python"

    def module_name(self, rel_path: str, source_roots: list[str]) -> tuple[str, bool]:
        return module_name(rel_path, source_roots)

    def extract(self, source: bytes, rel_path: str, module: str, is_package: bool) -> FileFacts:
        return extract(source, rel_path, module, is_package)
