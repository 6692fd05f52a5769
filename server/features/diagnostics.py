"""Breaking changes of unsaved edits as diagnostics (source "codemeld") on
the files they break, published while the change is unsaved and withdrawn
when it is saved, undone or fixed.

Work starts from didChange (sync.py calls `schedule`), debounced per
document; the comparison runs on a query thread against the document's
baseline (its saved state, snapshotted before the first overlay).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from lsprotocol import types

from indexer import languages
from server import convert

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.3
# source document uri -> the uris it put diagnostics on
_published: dict[str, set[str]] = defaultdict(set)
# diagnostics per affected uri, by source document (several edited files can break one file)
_by_target: dict[str, dict[str, list[types.Diagnostic]]] = defaultdict(dict)
_pending: dict[str, asyncio.Task] = {}


def _breaking(graph, path, text, baseline, overlays):
    facet = languages.edits_for_path(path)
    return [] if facet is None else facet.breaking.breaking_changes(graph, path, text, overlays, baseline=baseline)


def schedule(ls, uri: str) -> None:
    """Called on every change of an open document: recompute after a pause."""
    task = _pending.pop(uri, None)
    if task is not None:
        task.cancel()
    try:
        _pending[uri] = asyncio.get_running_loop().create_task(_run(ls, uri))
    except RuntimeError:  # no loop (unit use): nothing to publish
        pass


def clear(ls, uri: str) -> None:
    """The document was saved or closed: its breaking changes are no longer unsaved."""
    task = _pending.pop(uri, None)
    if task is not None:
        task.cancel()
    _publish(ls, uri, {})


async def _run(ls, uri: str) -> None:
    try:
        await asyncio.sleep(DEBOUNCE_S)
        document = ls.workspace.text_documents.get(uri)
        baseline = ls.session.baseline(uri)
        if document is None or baseline is None:
            _publish(ls, uri, {})
            return
        answer = await ls.session.at(uri, _breaking, document.source.encode("utf-8"), baseline,
                                     ls.session.open_texts(uri), background=True)
        if answer is None:
            return
        found: dict[str, list[types.Diagnostic]] = defaultdict(list)
        for item in answer.value:
            found[convert.path_uri(answer.root, item.path)].append(convert.diagnostic(item))
        _publish(ls, uri, found)
    except asyncio.CancelledError:
        pass
    except Exception:  # diagnostics are advisory: never let them take the server down
        log.exception("breaking-change diagnostics for %s failed", uri)
    finally:
        if _pending.get(uri) is asyncio.current_task():
            _pending.pop(uri, None)


def _publish(ls, source: str, found: dict[str, list[types.Diagnostic]]) -> None:
    targets = _published[source] | set(found)
    for target in targets:
        per_source = _by_target[target]
        if found.get(target):
            per_source[source] = found[target]
        else:
            per_source.pop(source, None)
        merged = [d for items in per_source.values() for d in items]
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=target, diagnostics=merged))
    _published[source] = set(found)
