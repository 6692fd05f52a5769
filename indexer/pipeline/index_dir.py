"""Where a workspace's index lives by default. Apart from the pipeline
(indexer/pipeline/index.py re-exports it) so that a CLI query, which only
opens the index, does not import the indexing machinery to find it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def default_index_dir(root: Path) -> Path:
    """Per-workspace folder under the user cache dir, never inside the repo."""
    import platformdirs

    root = Path(root).resolve()
    digest = hashlib.sha1(str(root).encode()).hexdigest()[:12]
    base = Path(os.environ.get("CODEMELD_CACHE_DIR") or platformdirs.user_cache_dir("codemeld"))
    return base / f"{root.name or 'root'}-{digest}"


def other_root(store, root: Path) -> Path | None:
    """The workspace whose files `store` holds when it is not `root`: a run
    from `root` would remove them all (two workspaces sharing one --index-dir).
    None for an empty index or one built from `root`."""
    recorded = store.get_meta("root")
    if not recorded or Path(recorded) == Path(root).resolve() or store.file_count() == 0:
        return None
    return Path(recorded)
