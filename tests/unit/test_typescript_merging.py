"""TypeScript declaration merging (languages/typescript/merging.py), one
rule per case, in the `//>` marker style of test_resolution_typescript.py:
interface + interface, `declare module` augmentation, and a namespace merged
into a function, class or enum."""

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
