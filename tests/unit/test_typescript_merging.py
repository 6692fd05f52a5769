"""TypeScript declaration merging (languages/typescript/merging.py), one
rule per case, in the `//>` marker style of test_resolution_typescript.py:
interface + interface, `declare module` augmentation, and a namespace merged
into a function, class or enum; and overloads (every signature and the
implementation one symbol)."""

from __future__ import annotations

import pytest

from tests.support import build, check

MERGE = {
    "interface + interface in one scope: members of both": {
        "src/box.ts": """
            export interface Box { width: number }
            export interface Box { height: number }
            export function area(b: Box) { return b.width * b.height; }
            //>                                      width -> typescript:src.box.Box.width annotation
            //>                                                height -> typescript:src.box.Box.height annotation
            """,
        "src/use.ts": """
            import { Box } from "./box";
            //>      Box -> typescript:src.box.Box import
            const b: Box = { width: 1, height: 2 };
            //>      Box -> typescript:src.box.Box import
            b.height;
            //> height -> typescript:src.box.Box.height annotation
            """,
    },
    "interface augmented by `declare module`": {
        "src/box.ts": "export interface Box { width: number }\n",
        "src/aug.ts": """
            import "./box";
            declare module "./box" {
              interface Box { depth: number }
            }
            """,
        "src/use.ts": """
            import { Box } from "./box";
            export function vol(b: Box) { return b.width * b.depth; }
            //>                                   width -> typescript:src.box.Box.width annotation
            //>                                             depth -> typescript:src.aug.Box.depth mro
            """,
    },
    "namespace + function": {
        "src/greet.ts": """
            export function greet(name: string) { return name; }
            export namespace greet { export const prefix = "hi"; }
            greet.prefix;
            //>   prefix -> typescript:src.greet.prefix
            """,
        "src/use.ts": """
            import { greet } from "./greet";
            greet("x"); greet.prefix;
            //> greet -> typescript:src.greet.greet import
            //>               prefix -> typescript:src.greet.prefix
            """,
    },
    "a namespace declared before the function it merges into": {
        "src/greet.ts": """
            export namespace greet { export const prefix = "hi"; }
            export function greet(name: string) { return greet.prefix + name; }
            //>                                                  prefix -> typescript:src.greet.prefix
            """,
        "src/use.ts": """
            import { greet } from "./greet";
            greet("x");
            //> greet -> typescript:src.greet.greet import
            """,
    },
    "namespace + class and namespace + enum": {
        "src/shape.ts": """
            export class Shape { area() { return 0; } }
            export namespace Shape { export function unit() { return new Shape(); } }
            export enum Color { Red }
            export namespace Color { export function parse(s: string) { return Color.Red; } }
            //>                                                                        Red -> typescript:src.shape.Color.Red
            """,
        "src/use.ts": """
            import { Shape, Color } from "./shape";
            Shape.unit().area(); Color.parse("r"); Color.Red;
            //>   unit -> typescript:src.shape.unit
            //>                 area -> typescript:src.shape.Shape.area
            //>                          parse -> typescript:src.shape.parse
            //>                                           Red -> typescript:src.shape.Color.Red
            """,
    },
}


@pytest.mark.parametrize("name", list(MERGE))
def test_declaration_merging(tmp_path, name):
    files = MERGE[name]
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


def test_renaming_a_merged_interface_renames_every_declaration(tmp_path):
    from indexer import languages

    files = MERGE["interface + interface in one scope: members of both"]
    indexer, graph = build(tmp_path, files)
    try:
        facet = languages.edits_for_path("src/box.ts")
        plan = facet.rename.plan_rename(graph, graph.symbol("typescript:src.box.Box"), "Crate")
        assert {(e.path, e.range.start.line) for e in plan.edits} == {
            ("src/box.ts", 0), ("src/box.ts", 1), ("src/box.ts", 2), ("src/use.ts", 0), ("src/use.ts", 2)}
    finally:
        indexer.close()


OVERLOADS = {
    "src/p.ts": """
        export function parse(x: string): number;
        export function parse(x: number): number;
        export function parse(x: any): number { return 1; }
        export class Box {
          get(k: string): string;
          get(k: number): string;
          get(k: any): string { return ""; }
        }
        """,
    "src/u.ts": """
        import { parse, Box } from "./p";
        //>      parse -> typescript:src.p.parse import
        parse("1"); new Box().get(1);
        //> parse -> typescript:src.p.parse import
        //>                       get -> typescript:src.p.Box.get constructor
        """,
}


@pytest.mark.parametrize("qualname, lines", [
    ("typescript:src.p.parse", [0, 1, 2]), ("typescript:src.p.Box.get", [4, 5, 6])])
def test_overloads_and_the_implementation_are_one_symbol(tmp_path, qualname, lines):
    from indexer import languages

    indexer, graph = build(tmp_path, OVERLOADS)
    try:
        check(graph, OVERLOADS)
        assert [s.selection_range.start.line for s in graph.symbols(qualname)] == lines
        plan = languages.edits_for_path("src/p.ts").rename.plan_rename(graph, graph.symbol(qualname), "read")
        declarations = sorted(e.range.start.line for e in plan.edits if e.path == "src/p.ts")
        assert declarations == lines and any(e.path == "src/u.ts" for e in plan.edits)
    finally:
        indexer.close()


def test_an_edited_augmentation_re_resolves_its_users_as_a_cold_build_does(tmp_path):
    from indexer.graph.query import Graph
    from indexer.pipeline.index import IndexOptions, Indexer
    from tests.support import write_tree

    files = dict(MERGE["interface augmented by `declare module`"])
    files["src/use.ts"] = 'import { Box } from "./box";\nexport const u = (b: Box) => b.unit;\n'
    root = tmp_path / "ws"
    write_tree(root, files)
    live = Indexer(root, tmp_path / "live", IndexOptions(jobs=1))
    live.run()
    graph = Graph(live.store, root)
    assert graph.reference_at("src/use.ts", 1, 31)[0].target != "typescript:src.aug.Box.unit"
    # only the augmenting file changes: its users re-resolve
    (root / "src/aug.ts").write_text('import "./box";\ndeclare module "./box" {\n  interface Box { unit: string }\n}\n')
    live.update_paths(["src/aug.ts"])
    cold = Indexer(root, tmp_path / "cold", IndexOptions(jobs=1))
    cold.run()
    try:
        edges = "SELECT f.path, r.sl, r.sc, r.name, r.target, r.how FROM refs r JOIN files f ON f.id = r.file_id"
        assert sorted(live.store.conn.execute(edges)) == sorted(cold.store.conn.execute(edges))
        assert Graph(live.store, root).reference_at("src/use.ts", 1, 31)[0].target == "typescript:src.aug.Box.unit"
    finally:
        live.close()
        cold.close()
