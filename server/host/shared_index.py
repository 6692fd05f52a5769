"""The `sharedIndex` init option: before a folder's first index, install the
team's snapshot of the nearest ancestor commit, so the first run only
re-indexes what differs from it. Runs on the folder's writer thread."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def pull_shared(indexer, options) -> bool:
    """True when a snapshot was installed; any problem is logged and the
    folder is indexed locally as usual."""
    from indexer.share import ShareError
    from indexer.share.snapshot import pull

    if indexer.store.file_states():
        return False  # an index is already here: an incremental run is as quick
    model = None
    if options.embeddings:
        try:
            from indexer.semantic.embedder import default_embedder

            model = options.embeddingModel or default_embedder().model_id
        except Exception:
            model = None
    try:
        pulled = pull(indexer.root, indexer.index_dir, options.sharedIndex, model,
                      install=indexer.store.restore_from)
    except ShareError as exc:
        log.warning("shared index not used: %s; indexing locally", exc)
        return False
    for note in pulled.notes:
        log.info("shared index: %s", note)
    log.info("pulled the shared index of %s (%d commits behind HEAD) in %.1fs",
             pulled.commit[:12], pulled.behind, pulled.seconds)
    return True
