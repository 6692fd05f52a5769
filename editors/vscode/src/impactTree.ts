// ImpactReport -> a plain tree the Impact view renders. Kept free of vscode
// types so the grouping and labelling is unit-tested under plain Node.
import { joinUri, locationOf, shortPlace } from "./locations";
import type { AffectedTest, Dependent, ImpactReport, Location } from "./protocol";

export interface ImpactNode {
  id: string; // stable within one report: lets the view keep expansion state
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string; // a codicon id
  location?: Location; // clicking opens it
  children: ImpactNode[];
  expanded?: boolean;
}

const KIND_ICONS: Record<string, string> = {
  module: "symbol-module",
  class: "symbol-class",
  function: "symbol-function",
  method: "symbol-method",
  variable: "symbol-variable",
  constant: "symbol-constant",
  attribute: "symbol-field",
};

export function kindIcon(kind: string): string {
  return KIND_ICONS[kind] ?? "symbol-misc";
}

export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** "a → b → c": the chain of symbols that links a dependent to the target. */
export function viaText(via: string[]): string {
  return via.join(" → ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What each count of an impact report means: the same words on every surface. */
export const COUNT_DEFINITIONS =
  "dependents: code that uses it, directly or through a chain of uses (each with its depth); " +
  "files: files holding those dependents; tests: pytest tests among them or reached from them.";

export function summaryText(report: ImpactReport): string {
  const s = report.summary;
  const parts = [plural(s.dependents, "dependent"), plural(s.files, "file"), plural(s.tests, "test")];
  if (report.breaking.length) parts.push(plural(report.breaking.length, "breaking change"));
  return parts.join(", ") + (s.truncated ? " (truncated)" : "");
}

function byPlace(a: { symbol: { path: string; range: { start: { line: number } } } }, b: typeof a): number {
  return a.symbol.path.localeCompare(b.symbol.path) || a.symbol.range.start.line - b.symbol.range.start.line;
}

function dependentNode(d: Dependent, rootUri: string | undefined, index: number): ImpactNode {
  return {
    id: `dep:${d.symbol.qualname}:${index}`,
    label: d.symbol.qualname || d.symbol.name,
    description: `${d.kind} · depth ${d.depth} · ${percent(d.confidence)}`,
    tooltip: `${shortPlace(d.symbol.path, d.symbol.range)}\nvia ${viaText(d.via)}\nconfidence ${percent(d.confidence)}`,
    icon: kindIcon(d.symbol.kind),
    location: locationOf(d.symbol, rootUri),
    children: [],
  };
}

function testNode(t: AffectedTest, rootUri: string | undefined, index: number): ImpactNode {
  return {
    id: `test:${t.id}:${index}`,
    label: t.id,
    description: `depth ${t.depth} · ${percent(t.confidence)}`,
    tooltip: `via ${viaText(t.via)}\nconfidence ${percent(t.confidence)}`,
    icon: "beaker",
    location: t.symbol ? locationOf(t.symbol, rootUri) : undefined, // null: a dynamic test the index does not hold
    children: [],
  };
}

/** Dependents grouped by file (files sorted, symbols in line order). */
export function groupByFile(dependents: Dependent[]): Map<string, Dependent[]> {
  const groups = new Map<string, Dependent[]>();
  for (const d of [...dependents].sort(byPlace)) {
    const list = groups.get(d.symbol.path) ?? [];
    list.push(d);
    groups.set(d.symbol.path, list);
  }
  return groups;
}

export function buildImpactTree(report: ImpactReport, rootUri: string | undefined): ImpactNode[] {
  const target = report.target;
  const nodes: ImpactNode[] = [
    {
      id: "target",
      label: target.qualname || target.name,
      description: summaryText(report),
      tooltip: `Impact of changing ${target.qualname} (${shortPlace(target.path, target.selectionRange ?? target.range)}), up to depth ${report.summary.maxDepth}\n${COUNT_DEFINITIONS}`,
      icon: "target",
      location: locationOf(target, rootUri),
      children: [],
    },
  ];

  let i = 0;
  const fileNodes: ImpactNode[] = [];
  for (const [path, deps] of groupByFile(report.dependents)) {
    fileNodes.push({
      id: `file:${path}`,
      label: path,
      description: plural(deps.length, "dependent"),
      icon: "file",
      children: deps.map((d) => dependentNode(d, rootUri, i++)),
      expanded: true,
    });
  }
  nodes.push({
    id: "dependents",
    label: "Dependents",
    description: `${report.dependents.length} in ${plural(fileNodes.length, "file")}`,
    icon: "references",
    children: fileNodes.length ? fileNodes : [{ id: "dependents:none", label: "No dependents found", children: [] }],
    expanded: true,
  });

  const tests = [...report.tests].sort((a, b) => a.id.localeCompare(b.id));
  nodes.push({
    id: "tests",
    label: "Tests",
    description: String(tests.length),
    icon: "beaker",
    children: tests.length
      ? tests.map((t, n) => testNode(t, rootUri, n))
      : [{ id: "tests:none", label: "No affected tests found", children: [] }],
    expanded: true,
  });

  if (report.breaking.length) {
    nodes.push({
      id: "breaking",
      label: "Breaking changes",
      description: String(report.breaking.length),
      icon: "warning",
      children: report.breaking.map((b, n) => ({
        id: `breaking:${n}`,
        label: b.message,
        description: shortPlace(b.path, b.range),
        icon: "error",
        location: locationOf(b, rootUri),
        children: [],
      })),
      expanded: true,
    });
  }

  if (report.summary.truncated) {
    nodes.push({
      id: "truncated",
      label: "Results truncated",
      description: "raise codemeld.impact.depth or codemeld.impact.limit",
      icon: "info",
      children: [],
    });
  }
  return nodes;
}

export interface TestEntry {
  id: string; // pytest node id
  label: string; // the test's name within its file
  description: string;
  location?: Location;
}

export interface TestGroup {
  path: string;
  uri?: string;
  tests: TestEntry[];
}

/** Affected tests by file (files sorted, ids sorted), for the Testing view. */
export function groupTests(tests: AffectedTest[], rootUri: string | undefined): TestGroup[] {
  const groups = new Map<string, TestGroup>();
  const seen = new Set<string>();
  for (const t of [...tests].sort((a, b) => a.id.localeCompare(b.id))) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    const file = t.id.split("::")[0];
    const group = groups.get(file) ?? { path: file, uri: rootUri ? joinUri(rootUri, file) : undefined, tests: [] };
    group.tests.push({
      id: t.id,
      label: t.id.slice(file.length + 2) || t.id,
      description: `depth ${t.depth} · ${percent(t.confidence)}`,
      location: t.symbol ? locationOf(t.symbol, rootUri) : undefined,
    });
    groups.set(file, group);
  }
  return [...groups.values()];
}

/** Every node id of a tree, depth first (ids must be unique within a report). */
export function allIds(nodes: ImpactNode[]): string[] {
  return nodes.flatMap((n) => [n.id, ...allIds(n.children)]);
}

/** The distinct pytest node ids of a report, in a stable order. */
export function testIds(report: ImpactReport | undefined): string[] {
  if (!report) return [];
  return [...new Set(report.tests.map((t) => t.id))].sort();
}
