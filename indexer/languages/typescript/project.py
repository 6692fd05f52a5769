"""Module resolution: an import specifier, from one file, to the file it
names, the way TypeScript's `bundler`/`node16` resolution finds it:

- relative specifiers (`./x`, `../y.js`), with extensions and `index` files;
- `tsconfig.json`/`jsconfig.json` `baseUrl` and `paths` (nearest config up
  the tree, `extends` followed), and project references (an import of a
  referenced project's `outDir` lands on its sources);
- workspace packages (npm/yarn/pnpm: every package.json in the index is a
  package by its `name`): `exports` (subpaths and conditions), `source`,
  `types`, `module`, `main`, then `index`; built output (`dist/`, `lib/`)
  mapped back to the sources that are indexed.

Config files are indexed as facts of the language (see extract), so the
resolver reads them from the index, never from the disk.
"""

from __future__ import annotations

import json
import posixpath
import re

SOURCE_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_JS_EXT = re.compile(r"\.(m|c)?jsx?$")
_COMMENTS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_BUILD_DIRS = ("dist", "lib", "build", "out", "esm", "cjs")
_CONDITIONS = ("source", "types", "import", "module", "require", "node", "default", "browser")


def _loads_jsonc(text: str):
    """JSON with comments and trailing commas (what tsconfig files are)."""
    stripped = _COMMENTS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return json.loads(_TRAILING_COMMA.sub(r"\1", stripped))


def read_config(source: bytes, rel_path: str) -> dict | None:
    """What module resolution needs from a config file, or None if unreadable."""
    try:
        data = _loads_jsonc(source.decode("utf-8", "replace"))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    folder = posixpath.dirname(rel_path)
    if rel_path.endswith("package.json"):
        keep = {k: data.get(k) for k in ("name", "main", "module", "types", "typings", "source", "exports")}
        return {"kind": "package", "dir": folder, **{k: v for k, v in keep.items() if v is not None}}
    options = data.get("compilerOptions") or {}
    out = {"kind": "tsconfig", "dir": folder, "path": rel_path}
    if isinstance(data.get("extends"), str):
        out["extends"] = data["extends"]
    for key in ("baseUrl", "paths", "outDir", "rootDir"):
        if key in options:
            out[key] = options[key]
    refs = data.get("references")
    if isinstance(refs, list):
        out["references"] = [r["path"] for r in refs if isinstance(r, dict) and isinstance(r.get("path"), str)]
    return out


def _join(folder: str, rel: str) -> str:
    path = posixpath.normpath(posixpath.join(folder, rel))
    return "" if path == "." else path


class Project:
    """Every source file and config of one workspace, for resolving specifiers."""

    def __init__(self, files: dict[str, str], configs: list[dict]):
        self.files = files  # rel path -> module name
        by_path = {c.get("path", ""): c for c in configs if c.get("kind") == "tsconfig"}
        self.config_files = by_path
        # the config a folder's files use: tsconfig.json over jsconfig.json
        self.tsconfigs = {}
        for path, config in sorted(by_path.items(), key=lambda kv: not kv[0].endswith("tsconfig.json")):
            if posixpath.basename(path) in ("tsconfig.json", "jsconfig.json"):
                self.tsconfigs.setdefault(config["dir"], config)
        self.packages: dict[str, dict] = {}
        for c in configs:
            if c.get("kind") == "package" and isinstance(c.get("name"), str):
                self.packages.setdefault(c["name"], c)
        self._cache: dict[tuple[str, str], str | None] = {}
        self._nearest: dict[str, dict | None] = {}

    # -- files -----------------------------------------------------------------
    def file_module(self, base: str) -> str | None:
        """The module of the file `base` names (with or without extension, a
        folder with an index file)."""
        files = self.files
        if base in files and not base.endswith(".json"):
            return files[base]
        stem = _JS_EXT.sub("", base)
        for candidate in (base, stem) if stem != base else (base,):
            for ext in SOURCE_EXTENSIONS:
                hit = files.get(candidate + ext)
                if hit is not None:
                    return hit
        for ext in SOURCE_EXTENSIONS:
            hit = files.get(f"{base}/index{ext}" if base else f"index{ext}")
            if hit is not None:
                return hit
        return None

    # -- specifiers ------------------------------------------------------------
    def resolve(self, spec: str, from_path: str) -> str | None:
        """The module `spec` names from the file `from_path`, or None (external)."""
        folder = posixpath.dirname(from_path)
        key = (spec, folder)
        if key in self._cache:
            return self._cache[key]
        if spec.startswith("./") or spec.startswith("../") or spec in (".", ".."):
            found = self._relative(_join(folder, spec), folder)
        else:
            found = self._configured(spec, folder) or self._package(spec)
        self._cache[key] = found
        return found

    def _relative(self, base: str, folder: str) -> str | None:
        found = self.file_module(base)
        if found is None:  # a referenced project's output: back to its sources
            config = self.tsconfig_for(folder)
            for ref in (config or {}).get("references", ()):
                ref_config = self._config_at(_join(config["dir"], ref))
                if ref_config is None or "outDir" not in ref_config:
                    continue
                out_dir = _join(ref_config["dir"], ref_config["outDir"])
                if base == out_dir or base.startswith(out_dir + "/"):
                    root_dir = _join(ref_config["dir"], ref_config.get("rootDir", "src" if self._has_dir(
                        _join(ref_config["dir"], "src")) else "."))
                    found = self.file_module(root_dir + base[len(out_dir):])
                    if found:
                        break
        return found

    def _has_dir(self, folder: str) -> bool:
        prefix = folder + "/"
        return any(path.startswith(prefix) for path in self.files)

    def _config_at(self, path: str) -> dict | None:
        """The config a reference or `extends` names: a file, or a folder's tsconfig.json."""
        if path.endswith(".json"):
            return self.config_files.get(path)
        return self.config_files.get(_join(path, "tsconfig.json"))

    def tsconfig_for(self, folder: str) -> dict | None:
        """The nearest tsconfig/jsconfig at or above `folder`, with `extends` merged."""
        if folder in self._nearest:
            return self._nearest[folder]
        found = None
        probe = folder
        while True:
            if probe in self.tsconfigs:
                found = self._merged(self.tsconfigs[probe], 0)
                break
            if not probe:
                break
            probe = posixpath.dirname(probe)
        self._nearest[folder] = found
        return found

    def _merged(self, config: dict, depth: int) -> dict:
        parent_ref = config.get("extends")
        if not parent_ref or depth > 8 or not parent_ref.startswith("."):
            return config
        parent = self._config_at(_join(config["dir"], parent_ref))
        if parent is None:
            return config
        merged = dict(self._merged(parent, depth + 1))
        for key in ("baseUrl", "paths"):  # relative to the config that set them
            if key in merged and "_base_dir" not in merged:
                merged["_base_dir"] = parent["dir"]
        for key, value in config.items():
            if key in ("baseUrl", "paths"):
                merged["_base_dir"] = config["dir"]
            merged[key] = value
        return merged

    def _configured(self, spec: str, folder: str) -> str | None:
        config = self.tsconfig_for(folder)
        if config is None:
            return None
        base_dir = config.get("_base_dir", config["dir"])
        base_url = _join(base_dir, config["baseUrl"]) if "baseUrl" in config else base_dir
        paths = config.get("paths")
        if isinstance(paths, dict):
            for pattern, targets in paths.items():
                star = _match(pattern, spec)
                if star is None or not isinstance(targets, list):
                    continue
                for target in targets:
                    if isinstance(target, str):
                        found = self.file_module(_join(base_url, target.replace("*", star)))
                        if found:
                            return found
        if "baseUrl" in config:
            return self.file_module(_join(base_url, spec))
        return None

    def _package(self, spec: str) -> str | None:
        parts = spec.split("/")
        name_len = 2 if spec.startswith("@") else 1
        name, sub = "/".join(parts[:name_len]), "/".join(parts[name_len:])
        package = self.packages.get(name)
        if package is None:
            return None
        folder = package["dir"]
        exports = package.get("exports")
        key = f"./{sub}" if sub else "."
        for target in _export_targets(exports, key):
            found = self._built(_join(folder, target))
            if found:
                return found
        if sub:
            return self._built(_join(folder, sub))
        for field in ("source", "types", "typings", "module", "main"):
            target = package.get(field)
            if isinstance(target, str):
                found = self._built(_join(folder, target))
                if found:
                    return found
        return self.file_module(_join(folder, "src/index")) or self.file_module(_join(folder, "index"))

    def _built(self, path: str) -> str | None:
        """A file, or the source a build would have compiled to it."""
        found = self.file_module(path)
        if found:
            return found
        stem = re.sub(r"\.d\.ts$", "", path)
        parts = stem.split("/")
        for i, part in enumerate(parts):
            if part in _BUILD_DIRS:
                for src in ("src", "lib", ""):
                    mapped = "/".join(p for p in parts[:i] + ([src] if src else []) + parts[i + 1:] if p != "")
                    found = self.file_module(mapped)
                    if found:
                        return found
        return None


def _match(pattern: str, spec: str) -> str | None:
    """What `*` stands for when `spec` matches a `paths` pattern, else None."""
    if "*" not in pattern:
        return "" if pattern == spec else None
    head, _, tail = pattern.partition("*")
    if spec.startswith(head) and spec.endswith(tail) and len(spec) >= len(head) + len(tail):
        return spec[len(head):len(spec) - len(tail)]
    return None


def _export_targets(exports, key: str) -> list[str]:
    """The targets package.json `exports` gives a subpath, preferred first."""
    if exports is None:
        return []
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(
            k.startswith(".") for k in exports)):
        return _condition_targets(exports) if key == "." else []
    if not isinstance(exports, dict):
        return []
    if key in exports:
        return _condition_targets(exports[key])
    for pattern, value in exports.items():
        star = _match(pattern, key)
        if star is not None and "*" in pattern:
            return [t.replace("*", star) for t in _condition_targets(value)]
    return []


def _condition_targets(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _condition_targets(item)]
    if isinstance(value, dict):
        ordered = [value[c] for c in _CONDITIONS if c in value]
        ordered += [v for k, v in value.items() if k not in _CONDITIONS]
        return [t for item in ordered for t in _condition_targets(item)]
    return []
