"""Which files may contribute text to an explanation.

A context pack may leave the machine (when an LLM endpoint is configured), so
the rule is decided by path before any text is read: files git ignores and
secret-looking files (`.env*`, keys, certificates...) never contribute a
line. Symlinks are judged by their target: one that leads out of the
workspace or to a secret-looking file is refused like the file itself. Their symbols may still be *named* (qualname, location): names are
already in the index and say nothing a grep would not.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.pipeline import discovery

# Matched against every component of the root-relative path (case-insensitive),
# so `secrets/db.py` and `config/.env.local` are both caught.
DEFAULT_SECRET_PATTERNS: tuple[str, ...] = (
    ".env", ".env.*", "*.env", ".envrc",
    "*.pem", "*.key", "*.crt", "*.cer", "*.p12", "*.pfx", "*.jks", "*.keystore",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
    "*secret*", "*credential*", ".netrc", ".pgpass", ".htpasswd",
)
# Extra patterns, separated by os.pathsep (":" on POSIX), for users who keep
# secrets under other names.
SECRET_PATTERNS_ENV = "CODEMELD_SECRET_PATTERNS"


@dataclass
class PrivacyPolicy:
    """Answers `allowed(path)` for root-relative POSIX paths; memoised per path
    because a pack asks about the same few files many times."""

    root: Path
    patterns: tuple[str, ...] = DEFAULT_SECRET_PATTERNS
    check_gitignore: bool = True
    _memo: dict[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def default(cls, root: Path, extra: tuple[str, ...] = ()) -> "PrivacyPolicy":
        from_env = tuple(p for p in os.environ.get(SECRET_PATTERNS_ENV, "").split(os.pathsep) if p)
        return cls(Path(root), DEFAULT_SECRET_PATTERNS + tuple(extra) + from_env)

    def allowed(self, path: str) -> bool:
        return self.reason(path) is None

    def reason(self, path: str) -> str | None:
        """Why a file's text must stay out of packs, or None when it may be used."""
        if path not in self._memo:
            self._memo[path] = self._decide(path)
        return self._memo[path]

    def _secret_name(self, parts) -> str | None:
        for part in parts:
            lowered = part.lower()
            for pattern in self.patterns:
                if fnmatch.fnmatchcase(lowered, pattern.lower()):
                    return pattern
        return None

    def _decide(self, path: str) -> str | None:
        parts = [p for p in path.replace("\\", "/").split("/") if p]
        if not parts or ".." in parts or os.path.isabs(path):
            return "outside the workspace"
        secret = self._secret_name(parts)
        if secret:
            return f"secret-looking name ({secret})"
        # Decide by what is read, not by the link: a symlink (the file or a
        # folder on its way) may point at `.env` or out of the workspace.
        root_real = os.path.realpath(self.root)
        real = os.path.realpath(os.path.join(self.root, *parts))
        if real != os.path.join(root_real, *parts):
            inside = os.path.relpath(real, root_real)
            if inside == ".." or inside.startswith(".." + os.sep) or os.path.isabs(inside):
                return "a symlink to a file outside the workspace"
            secret = self._secret_name(inside.split(os.sep))
            if secret:
                return f"a symlink to a secret-looking file ({secret})"
        if self.check_gitignore:
            # check_file replays discovery for one path: None means ignored,
            # outside the root, gone, or not source at all -- all reasons to
            # keep its text out. (A Skipped verdict -- too large, binary --
            # is about indexing cost, not privacy.)
            if discovery.check_file(self.root, Path(path)) is None:
                return "ignored by .gitignore (or not a workspace source file)"
        return None
