"""ImpactReport as text and as graphs people can look at (Mermaid, Graphviz).

Pure functions over the report: the CLI prints them, editors or an agent can
embed them.
"""

from __future__ import annotations

import re
from collections import defaultdict

from indexer.analysis.impact import ImpactReport

_MAX_GRAPH_NODES = 150


def _edges(report: ImpactReport) -> list[tuple[str, str, str]]:
    """(from, to, kind): each dependent points at the link it uses."""
    out = []
    kinds = {d.symbol.qualname: d.kind for d in report.dependents}
    for dep in report.dependents[:_MAX_GRAPH_NODES]:
        via = dep.via
        if len(via) >= 2:
            out.append((via[-1], via[-2], kinds.get(via[-1], dep.kind)))
    return sorted(set(out))


def _node_id(qualname: str, ids: dict[str, str]) -> str:
    if qualname not in ids:
        ids[qualname] = f"n{len(ids)}"
    return ids[qualname]


def to_mermaid(report: ImpactReport) -> str:
    ids: dict[str, str] = {}
    tests = {t.symbol.qualname for t in report.tests}
    lines = ["graph RL"]
    target = report.target.qualname
    lines.append(f'  {_node_id(target, ids)}["{_label(target)}"]:::target')
    for src, dst, kind in _edges(report):
        style = ":::test" if src in tests else ""
        lines.append(f'  {_node_id(src, ids)}["{_label(src)}"]{style} -->|{kind}| {_node_id(dst, ids)}')
    lines.append("  classDef target fill:#f96,stroke:#333")
    lines.append("  classDef test fill:#9cf,stroke:#333")
    return "\n".join(lines) + "\n"


def to_dot(report: ImpactReport) -> str:
    ids: dict[str, str] = {}
    tests = {t.symbol.qualname for t in report.tests}
    target = report.target.qualname
    lines = ["digraph impact {", "  rankdir=RL;", "  node [shape=box, fontname=Helvetica];",
             f'  {_node_id(target, ids)} [label="{_label(target)}", style=filled, fillcolor="#ff9966"];']
    for src, dst, kind in _edges(report):
        attrs = ', style=filled, fillcolor="#99ccff"' if src in tests else ""
        lines.append(f'  {_node_id(src, ids)} [label="{_label(src)}"{attrs}];')
        lines.append(f'  {_node_id(src, ids)} -> {_node_id(dst, ids)} [label="{kind}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_text(report: ImpactReport) -> str:
    t = report.target
    out = [f"{t.kind} {t.qualname}  ({t.path}:{t.selection_range.start.line + 1})",
           f"{len(report.dependents)} dependents in {len(report.files)} files, {len(report.tests)} tests"
           f"{' (truncated)' if report.truncated else ''}", ""]
    by_file: dict[str, list] = defaultdict(list)
    for dep in report.dependents:
        by_file[dep.symbol.path].append(dep)
    for path in report.files:
        out.append(path)
        for dep in by_file[path]:
            line = dep.symbol.selection_range.start.line + 1
            chain = " <- ".join(q.rsplit(".", 1)[-1] for q in reversed(dep.via[1:-1]))
            how = f" ({dep.how})" if dep.how and dep.how != dep.kind else ""
            out.append(f"  {line:>5}  {dep.symbol.qualname}  [{dep.kind}{how}, depth {dep.depth},"
                       f" {dep.confidence:.2f}]{'  via ' + chain if chain else ''}")
    if report.tests:
        out.append("")
        out.append("tests:")
        out.extend(f"  {test.id}  [depth {test.depth}, {test.confidence:.2f}, {test.source}"
                   f"{', stale: learned before the last change' if test.stale else ''}]" for test in report.tests)
        learned = sum(1 for t in report.tests if t.source != "static")
        if learned:
            out.append(f"  ({learned} learned from recorded test runs: learned = only a run saw it,"
                       f" both = the graph and a run agree)")
    if report.breaking:
        out.append("")
        out.append("breaking:")
        out.extend(f"  {b.path}:{b.range.start.line + 1}: {b.message}" for b in report.breaking)
    return "\n".join(out) + "\n"


def _label(qualname: str) -> str:
    return re.sub(r'["\\]', "", qualname)
