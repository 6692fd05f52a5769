"""codemeld/impact request and codemeld.impact command: the ImpactReport of
the symbol at a position, with the breaking changes of the document's
unsaved edits when it has any."""

from __future__ import annotations

import os
from pathlib import Path

from indexer import coverage_data
from indexer.languages.python.edits.breaking import breaking_changes
from indexer.impact import DEFAULT_DEPTH, DEFAULT_LIMIT, impact_at
from server import convert

IMPACT = "codemeld/impact"

# Per-test coverage data per workspace root, reloaded when the file changes.
_COVERAGE: dict[Path, tuple[float, object]] = {}


def coverage_for(root: Path):
    data_file = coverage_data.find_data_file(root)
    if data_file is None:
        return None
    mtime = os.stat(data_file).st_mtime
    held = _COVERAGE.get(root)
    if held is None or held[0] != mtime:
        _COVERAGE[root] = held = (mtime, coverage_data.load(root))
    return held[1]


def _report(graph, path, line, character, depth, limit, text, baseline, overlays):
    report = impact_at(graph, path, line, character, depth=depth, limit=limit, coverage=coverage_for(graph.root))
    if report is None:
        return None
    data = report.to_json(graph.root.as_uri())
    if text is not None and baseline is not None:
        data["breaking"] = [b.to_json() for b in breaking_changes(graph, path, text, overlays, baseline=baseline)]
    return data


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default


async def compute(ls, params) -> dict | None:
    params = convert.plain(params)
    at = convert.text_position(params)
    if at is None:
        return None
    uri, line, character = at
    document = ls.workspace.text_documents.get(uri)
    text = document.source.encode("utf-8") if document is not None else None
    answer = await ls.session.at(uri, _report, line, character, _int(params.get("depth"), DEFAULT_DEPTH),
                                 _int(params.get("limit"), DEFAULT_LIMIT), text, ls.session.baseline(uri),
                                 ls.session.open_texts(uri))
    return answer.value if answer else None


def register(server) -> None:
    @server.feature(IMPACT)
    async def impact_request(ls, params=None):
        return await compute(ls, params)

    @server.command(convert.IMPACT)
    async def impact_command(ls, *args):
        # Arguments: [uri, {line, character}] (code lenses) or [{textDocument, position}].
        args = [convert.plain(a) for a in args]
        if len(args) >= 2 and isinstance(args[0], str):
            return await compute(ls, {"textDocument": {"uri": args[0]}, "position": args[1]})
        return await compute(ls, args[0] if args else None)
