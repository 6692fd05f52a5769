"""Signature changes in TypeScript/JavaScript and Go (languages/callsig.py),
one rule per case: files in, one unsaved edit of one file, and markers under
the lines it breaks:

    //! text        a breaking change on the line above whose message holds `text`
    //= text        the line above once the call-site ripple is applied

A line without `//!` must not be reported; one without `//=` must not change.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from indexer import languages
from indexer.edits.textedit import apply_edits
from tests.support import build

GOMOD = "module example.com/shop\n\ngo 1.21\n"

CASES = {
    "TS: a new required parameter is missing at each call, not where passed": {
        "edit": ("src/money.ts", "fmt(x: number)", "fmt(x: number, currency: string)"),
        "src/money.ts": "export function fmt(x: number) { return `${x}`; }\n",
        "src/cart.ts": """
            import { fmt } from "./money";
            export const a = fmt(1);
            //! fmt() is missing required argument 'currency' after the change to fmt(x: number, currency: string)
            //= export const a = fmt(1, currency);
            export const b = fmt(...[1, "EUR"]);
            """,
    },
    "TS: a removed parameter makes calls pass too many": {
        "edit": ("src/money.ts", "fmt(x: number, digits: number)", "fmt(x: number)"),
        "src/money.ts": "export function fmt(x: number, digits: number) { return x.toFixed(digits); }\n",
        "src/cart.ts": """
            import { fmt } from "./money";
            fmt(1, 2);
            //! takes 1 argument but 2 are given
            //= fmt(1);
            """,
    },
    "TS: reordered parameters are reported and the arguments swapped": {
        "edit": ("src/money.ts", "fmt(x: number, digits: number)", "fmt(digits: number, x: number)"),
        "src/money.ts": "export function fmt(x: number, digits: number) { return x.toFixed(digits); }\n",
        "src/cart.ts": """
            import { fmt } from "./money";
            fmt(1, 2);
            //! argument 1 now binds to 'digits' (was 'x'): parameters were reordered
            //= fmt(2, 1);
            """,
    },
    "TS: optional and rest parameters: only what no longer binds is reported": {
        "edit": ("src/log.ts", "log(msg: string)", "log(msg: string, level?: number, ...tags: string[])"),
        "src/log.ts": "export function log(msg: string) {}\n",
        "src/app.ts": """
            import { log } from "./log";
            log("a");
            """,
    },
    "TS: a method's arity, through an instance": {
        "edit": ("src/cart.ts", "add(amount: number)", "add(amount: number, note: string)"),
        "src/cart.ts": "export class Cart {\n  add(amount: number): void {}\n}\n",
        "src/shop.ts": """
            import { Cart } from "./cart";
            const cart = new Cart();
            cart.add(2);
            //! add() is missing required argument 'note'
            //= cart.add(2, note);
            """,
    },
    "TS: a constructor's new parameter is missing at each `new`": {
        "edit": ("src/cart.ts", "constructor(owner: string)", "constructor(owner: string, limit: number)"),
        "src/cart.ts": "export class Cart {\n  constructor(owner: string) {}\n}\n",
        "src/shop.ts": """
            import { Cart } from "./cart";
            export const cart = new Cart("me");
            //! Cart() is missing required argument 'limit'
            //= export const cart = new Cart("me", limit);
            """,
    },
    "TS: a name no longer exported breaks its importers": {
        "edit": ("src/money.ts", "export function fmt", "function fmt"),
        "src/money.ts": "export function fmt(x: number) { return x; }\nexport function keep() { return fmt(1); }\n"
                        "export const api = { get() { return 1; } };\n",
        "src/cart.ts": """
            import { fmt, keep, api } from "./money";
            //! 'fmt' is no longer exported from src/money.ts
            fmt(2); keep(); api.get();
            //! 'fmt' is no longer exported from src/money.ts
            """,
    },
    "TS: an overloaded function is not checked by count (a call binds to one of its signatures)": {
        "edit": ("src/p.ts", "parse(x: string, radix: number)", "parse(x: string, radix: number, strict: boolean)"),
        "src/p.ts": "export function parse(x: string, radix: number): number;\n"
                    "export function parse(x: number): number;\n"
                    "export function parse(x: any, radix?: number): number { return 1; }\n",
        "src/u.ts": """
            import { parse } from "./p";
            parse(2);
            """,
    },
    "JS (CommonJS): arity by position, no types": {
        "edit": ("lib/fmt.js", "function fmt(x)", "function fmt(x, unit)"),
        "lib/fmt.js": "function fmt(x) { return x; }\nmodule.exports = { fmt };\n",
        "lib/use.js": """
            const { fmt } = require("./fmt");
            fmt(1);
            //! fmt() is missing required argument 'unit'
            //= fmt(1, unit);
            """,
    },
    "Go: a function's new parameter is missing at each call across packages": {
        "edit": ("store/store.go", "func Save(k string)", "func Save(k string, force bool)"),
        "go.mod": GOMOD,
        "store/store.go": "package store\n\nfunc Save(k string) error { return nil }\n",
        "cmd/app/main.go": """
            package main

            import "example.com/shop/store"

            func main() {
                _ = store.Save("x")
                //! Save() is missing required argument 'force' after the change to func Save(k string, force bool) error
                //= _ = store.Save("x", force)
            }
            """,
    },
    "Go: an interface method's new parameter is missing where it is called through the interface": {
        "edit": ("store/store.go", "Put(k string) error", "Put(k string, ttl int) error"),
        "go.mod": GOMOD,
        "store/store.go": "package store\n\ntype Store interface {\n\tPut(k string) error\n}\n",
        "cmd/app/main.go": """
            package main

            import "example.com/shop/store"

            func save(s store.Store) error {
                return s.Put("k")
                //! Put() is missing required argument 'ttl'
                //= return s.Put("k", ttl)
            }
            """,
    },
    "Go: grouped and method parameters; a multi-value argument is not counted": {
        "edit": ("store/store.go", "Put(k string, v int)", "Put(k, note string, v int)"),
        "go.mod": GOMOD,
        "store/store.go": "package store\n\ntype Mem struct{}\n\nfunc (m *Mem) Put(k string, v int) {}\n",
        "cmd/app/main.go": """
            package main

            import "example.com/shop/store"

            func main() {
                m := &store.Mem{}
                m.Put("a", 1)
                //! Put() is missing required argument 'v'
                //= m.Put("a", note, 1)
                m.Put(pair())
            }

            func pair() (string, int) { return "", 0 }
            """,
    },
}

_MARK = re.compile(r"^\s*//([!=])\s?(.*)$")


def _expected(files: dict) -> tuple[dict, dict]:
    """(path, line) -> message parts; (path, line) -> the line after ripple."""
    broken, rippled = {}, {}
    for rel, body in files.items():
        if rel == "edit":
            continue
        code = None
        for number, line in enumerate(textwrap.dedent(body).lstrip("\n").split("\n")):
            match = _MARK.match(line)
            if match is None:
                if line.strip():
                    code = number
                continue
            (broken if match[1] == "!" else rippled).setdefault((rel, code), []).append(match[2])
    return broken, rippled


@pytest.mark.parametrize("name", list(CASES))
def test_signature_changes(tmp_path, name):
    case = dict(CASES[name])
    path, old, new = case.pop("edit")
    indexer, graph = build(tmp_path, case)
    try:
        facet = languages.edits_for_path(path)
        before = (indexer.root / path).read_bytes()
        assert old.encode() in before, "the edit must apply"
        edited = before.replace(old.encode(), new.encode())
        broken, rippled = _expected(case)
        found = facet.breaking.breaking_changes(graph, path, edited)
        got: dict = {}
        for item in found:
            got.setdefault((item.path, item.range.start.line), []).append(item.message)
        assert set(got) == set(broken), (got, broken)
        for key, parts in broken.items():
            for part in parts:
                assert any(part in message for message in got[key]), (key, part, got[key])
        edits = [e for ripple in facet.ripple.update_call_sites(graph, path, edited) for e in ripple.edits]
        changed: dict = {}
        for rel in {e.path for e in edits}:
            lines_before = (indexer.root / rel).read_text().split("\n")
            lines_after = apply_edits((indexer.root / rel).read_text(), [e for e in edits if e.path == rel]).split("\n")
            changed.update({(rel, n): [after.strip()] for n, (was, after) in enumerate(zip(lines_before, lines_after))
                            if was != after})
        assert changed == rippled, (changed, rippled)
    finally:
        indexer.close()


def test_typescript_new_parameters_can_be_made_optional_instead(tmp_path):
    files = {"src/money.ts": "export function fmt(x: number) { return x; }\n",
             "src/cart.ts": "import { fmt } from './money';\nfmt(1);\n"}
    indexer, graph = build(tmp_path, files)
    try:
        edited = b"export function fmt(x: number, currency: string, digits: number) { return x; }\n"
        (ripple,) = languages.edits_for_path("src/money.ts").ripple.add_defaults(graph, "src/money.ts", edited)
        assert apply_edits(edited.decode(), list(ripple.edits)).startswith(
            "export function fmt(x: number, currency?: string, digits?: number)")
    finally:
        indexer.close()


@pytest.mark.parametrize("path, files, params, definition, call", [
    ("src/money.ts", {"src/money.ts": "export function fmt(x: number) { return x; }\n",
                      "src/cart.ts": "import { fmt } from './money';\nfmt(1);\n"},
     "x: number, currency: string", "export function fmt(x: number, currency: string) { return x; }",
     ("src/cart.ts", "fmt(1, currency);")),
    ("store/store.go", {"go.mod": GOMOD, "store/store.go": "package store\n\nfunc Save(k string) {}\n",
                        "store/use.go": "package store\n\nfunc use() { Save(\"k\") }\n"},
     "(k string, force bool)", "func Save(k string, force bool) {}", ("store/use.go", 'func use() { Save("k", force) }')),
])
def test_change_signature_rewrites_the_definition_and_its_calls(tmp_path, path, files, params, definition, call):
    indexer, graph = build(tmp_path, files)
    try:
        symbol = next(s for s in graph.symbols_in_file(path) if s.kind == "function")
        _normalized, edits = languages.edits_for_path(path).signature.signature_edits(graph, symbol, params)
        after = apply_edits((indexer.root / path).read_text(), [e for e in edits if e.path == path])
        assert definition in after
        rel, line = call
        assert line in apply_edits((indexer.root / rel).read_text(), [e for e in edits if e.path == rel])
        with pytest.raises(ValueError, match="not a valid"):
            languages.edits_for_path(path).signature.signature_edits(graph, symbol, "(a b c")
    finally:
        indexer.close()
