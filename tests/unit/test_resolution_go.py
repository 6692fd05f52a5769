"""Go resolution, one rule per case: source files in, `//>` markers say what
each use must resolve to (the `#>` markers of tests/support.py, in Go's
comment syntax). Real tree-sitter-go, real index, real SQLite."""

from __future__ import annotations

import shutil

import pytest

from indexer.analysis.impact import impact
from indexer.pipeline.index import IndexOptions, Indexer
from indexer.graph.query import Graph
from tests.support import build, check

GOMOD = "module example.com/shop\n\ngo 1.21\n"

CASES = {
    "package-level names are shared by every file of a package": {
        "go.mod": GOMOD,
        "cart/cart.go": """
            package cart

            const MaxItems = 10

            var Default = New()

            func New() *Cart { return &Cart{} }
            """,
        "cart/types.go": """
            package cart

            type Cart struct{ Items []string }

            func Full(c *Cart) bool {
                return len(c.Items) >= MaxItems
            //>                        MaxItems -> go:cart.MaxItems scope
            //>                 Items -> go:cart.Cart.Items typed
            }

            func Reset() { Default = New() }
            //>            Default -> go:cart.Default scope
            //>                      New -> go:cart.New scope
            """,
    },
    "imports by module path from go.mod, named and aliased": {
        "go.mod": GOMOD,
        "money/money.go": """
            package money

            type Amount int64

            func Sum(a, b Amount) Amount { return a + b }
            """,
        "cart/cart.go": """
            package cart

            import (
                "example.com/shop/money"
                m2 "example.com/shop/money"
                "strings"
            )

            func Total(a money.Amount) money.Amount {
            //>               Amount -> go:money.Amount import
                _ = strings.TrimSpace("x")
            //>             TrimSpace -> ? external
                return m2.Sum(a, a)
            //>           Sum -> go:money.Sum import
            }
            """,
    },
    "a replace directive points a module at a folder of the workspace": {
        "app/go.mod": "module example.com/app\n\nrequire example.com/lib v1.0.0\n\nreplace example.com/lib => ../lib\n",
        "lib/go.mod": "module example.com/lib\n",
        "lib/util/util.go": """
            package util

            func Clean(s string) string { return s }
            """,
        "app/main.go": """
            package main

            import "example.com/lib/util"

            func main() { util.Clean("x") }
            //>                 Clean -> go:lib/util.Clean import
            """,
    },
    "methods by receiver type, pointer and value receivers": {
        "go.mod": GOMOD,
        "shape/shape.go": """
            package shape

            type Rect struct{ W, H int }

            func (r Rect) Area() int { return r.W * r.H }
            //>                                 W -> go:shape.Rect.W typed

            func (r *Rect) Scale(k int) {
                r.W *= k
                _ = r.Area()
            //>       Area -> go:shape.Rect.Area typed
            }
            """,
        "shape/use.go": """
            package shape

            func Grow(r *Rect) { r.Scale(2) }
            //>                    Scale -> go:shape.Rect.Scale typed
            """,
    },
    "receiver types from declarations, literals, new, constructors and return types": {
        "go.mod": GOMOD,
        "db/db.go": """
            package db

            type Conn struct{ Addr string }

            func (c *Conn) Tx() *Tx { return &Tx{conn: c} }

            type Tx struct{ conn *Conn }

            func (t *Tx) Commit() error { return nil }

            func Open(addr string) (*Conn, error) { return &Conn{Addr: addr}, nil }
            """,
        "svc/svc.go": """
            package svc

            import "example.com/shop/db"

            func Run() {
                var a db.Conn
                a.Tx()
            //>   Tx -> go:db.Conn.Tx typed
                b := db.Conn{}
                _ = b.Addr
            //>       Addr -> go:db.Conn.Addr typed
                c := &db.Conn{}
                c.Tx().Commit()
            //>        Commit -> go:db.Tx.Commit typed
                d := new(db.Conn)
                _ = d.Addr
            //>       Addr -> go:db.Conn.Addr typed
                e, err := db.Open("x")
                _ = err
                e.Tx()
            //>   Tx -> go:db.Conn.Tx typed
            }
            """,
    },
    "fields of fields, ranges and index expressions": {
        "go.mod": GOMOD,
        "org/org.go": """
            package org

            type Person struct{ Name string }

            type People []Person

            func First(ps People) string { return ps[0].Name }
            //>                                        Name -> go:org.Person.Name typed

            type Team struct {
                Lead    Person
                Members []*Person
                ByName  map[string]Person
            }

            func Names(t Team) []string {
                out := []string{t.Lead.Name}
            //>                        Name -> go:org.Person.Name typed
                for _, p := range t.Members[1:] {
                    out = append(out, p.Name)
            //>                         Name -> go:org.Person.Name typed
                }
                _ = t.ByName["x"].Name
            //>                   Name -> go:org.Person.Name typed
                return out
            }
            """,
    },
    "embedded structs promote fields and methods": {
        "go.mod": GOMOD,
        "base/base.go": """
            package base

            type Model struct{ ID int }

            func (m *Model) Key() int { return m.ID }
            """,
        "user/user.go": """
            package user

            import "example.com/shop/base"

            type User struct {
                base.Model
            //>        Model -> go:base.Model import
                Name string
            }

            func Show(u *User) int {
                _ = u.ID
            //>       ID -> go:base.Model.ID embedded
                _ = u.Model.ID
            //>       Model -> ?
            //>             ID -> go:base.Model.ID typed
                return u.Key()
            //>            Key -> go:base.Model.Key embedded
            }
            """,
    },
    "interfaces: calls through them, embedding, structural satisfaction": {
        "go.mod": GOMOD,
        "io2/io2.go": """
            package io2

            type Reader interface{ Read() string }

            type ReadCloser interface {
                Reader
            //> Reader -> go:io2.Reader scope
                Close() error
            }

            type File struct{}
            //>  File -> go:io2.Reader structural
            //>  File#1 -> go:io2.ReadCloser structural

            func (f *File) Read() string { return "" }
            func (f *File) Close() error  { return nil }

            func Drain(r ReadCloser) {
                r.Read()
            //>   Read -> go:io2.Reader.Read embedded
                r.Close()
            //>   Close -> go:io2.ReadCloser.Close typed
            }
            """,
    },
    "consts, vars and type aliases": {
        "go.mod": GOMOD,
        "conf/conf.go": """
            package conf

            type Options struct{ Verbose bool }

            type Opts = Options

            var Global Opts

            const (
                A = iota
                B
            )

            func Check() bool {
                _ = B
            //>     B -> go:conf.B scope
                return Global.Verbose
            //>                Verbose -> go:conf.Options.Verbose typed
            }
            """,
    },
    "struct literal keys are fields; map literal keys are values": {
        "go.mod": GOMOD,
        "lit/lit.go": """
            package lit

            type Point struct{ X, Y int }

            var Key = "k"

            func Make() {
                _ = Point{X: 1, Y: 2}
            //>           X -> go:lit.Point.X typed
                _ = &Point{Y: 3}
            //>            Y -> go:lit.Point.Y typed
                _ = map[string]Point{Key: {X: 4}}
            //>                      Key -> go:lit.Key scope
            //>                            X -> go:lit.Point.X typed
            }
            """,
    },
    "locals shadow package names and import aliases; unknown receivers are name matches": {
        "go.mod": GOMOD,
        "sh/sh.go": """
            package sh

            import "strings"

            type Box struct{ Size int }

            var Size = 3

            func Use(x interface{ Len() int }, things []any) {
                Size := 4
                _ = Size
            //>     Size -> ?
                strings := Box{}
                _ = strings.Size
            //>             Size -> go:sh.Box.Size typed
                v := things[0]
                _ = v.(Box).Size
            //>             Size -> go:sh.Box.Size typed
                switch b := v.(type) {
                case Box:
                    _ = b.Size
            //>           Size -> go:sh.Box.Size typed
                case *Box, int:
                    _ = b
                }
                w := lookup()
                _ = w.Size
            //>       Size -> ~go:sh.Box.Size
            }
            """,
    },
    "a := binding reads the outer name; function literals return their result type": {
        "go.mod": GOMOD,
        "chain/chain.go": """
            package chain

            type Node struct{ Next *Node }

            func (n *Node) Tail() *Node { return n.Next }

            func Walk(node *Node) {
                node := node.Tail()
            //>              Tail -> go:chain.Node.Tail typed
                _ = node.Next
            //>          Next -> go:chain.Node.Next typed
                build := func() (n Node) {
                    _ = n.Next
            //>           Next -> go:chain.Node.Next typed
                    return
                }
                _ = build().Next
            //>             Next -> go:chain.Node.Next typed
            }
            """,
    },
    "an unexported interface method binds implementations to its own package": {
        "go.mod": GOMOD,
        "opt/opt.go": """
            package opt

            type Option interface{ apply() int }

            type local struct{}
            //>  local -> go:opt.Option structural

            func (local) apply() int { return 1 }
            """,
        "other/other.go": """
            package other

            type remote struct{}
            //>  remote -> ?

            func (remote) apply() int { return 2 }
            """,
    },
    "where two files define a name for different builds, the default build's wins": {
        "go.mod": GOMOD,
        "ptr/ptr_safe.go": """
            //go:build purego

            package ptr

            type Pointer struct{ Addr string }
            """,
        "ptr/ptr_unsafe.go": """
            //go:build !purego

            package ptr

            type Pointer struct{ Addr uintptr; Kind int }
            """,
        "ptr/ptr_windows.go": """
            package ptr

            type Pointer struct{ Handle int }
            """,
        "ptr/use.go": """
            package ptr

            func Kind(p Pointer) int { return p.Kind }
            //>                                 Kind#2 -> go:ptr.Pointer.Kind typed
            """,
    },
    "types declared in a function body: local scope, fields, structural interfaces": {
        "go.mod": GOMOD,
        "shop/shop.go": """
            package shop

            type En struct{}

            func (En) Greet() string { return "hi" }

            func Run() string {
                type greeter interface{ Greet() string }
                type point struct{ X int }
                p := point{X: 1}
                //>  point -> go:shop.Run.point scope
                //>        X -> go:shop.Run.point.X typed
                var g greeter = En{}
                //>     greeter -> go:shop.Run.greeter scope
                _ = p.X
                //>   X -> go:shop.Run.point.X typed
                return g.Greet()
                //>      Greet -> go:shop.Run.greeter.Greet typed
            }

            func Other() int {
                type point struct{ Y int }
                return point{Y: 2}.Y
                //>    point -> go:shop.Other.point scope
                //>                 Y -> go:shop.Other.point.Y typed
            }
            """,
    },
    "go.work: modules by `use`; of two folders declaring one module path, the used one": {
        "go.work": "go 1.21\n\nuse (\n\t./lib\n\t./app // the service\n)\n",
        "aaa/lib/go.mod": "module example.com/lib\n",
        "aaa/lib/lib.go": "package lib\n\nfunc Hello() string { return \"a stale copy\" }\n",
        "lib/go.mod": "module example.com/lib\n\ngo 1.21\n",
        "lib/lib.go": "package lib\n\nfunc Hello() string { return \"hi\" }\n",
        "app/go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v0.0.0\n",
        "app/main.go": """
            package main

            import "example.com/lib"

            func main() { println(lib.Hello()) }
            //>                       Hello -> go:lib.Hello import
            """,
    },
}


@pytest.mark.parametrize("name", list(CASES))
def test_go_resolution(tmp_path, name):
    files = CASES[name]
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


TESTS = {
    "go.mod": GOMOD,
    "store/store.go": """
        package store

        type Store interface{ Put(k string) error }

        type Mem struct{ data map[string]bool }

        func (m *Mem) Put(k string) error { m.data[k] = true; return nil }

        func Save(s Store, k string) error { return s.Put(k) }
        """,
    "store/store_test.go": """
        package store

        import "testing"

        func TestSave(t *testing.T) {
            t.Run("empty key", func(t *testing.T) {
                t.Run("nested.case", func(t *testing.T) { Save(&Mem{}, "") })
            })
            t.Run(name(), func(t *testing.T) {})
        }

        func helper(t *testing.T) {}

        func name() string { return "x" }
        """,
}


def test_go_tests_and_subtests_are_found_with_go_test_run_ids(tmp_path):
    indexer, graph = build(tmp_path, TESTS)
    try:
        tests = {s.qualname: s for s in graph.symbols_in_file("store/store_test.go") if s.is_test}
        assert set(tests) == {"go:store.TestSave", "go:store.TestSave.empty_key",
                              "go:store.TestSave.empty_key.nested_case"}
        # A change to the interface method reaches the implementation (an
        # override through structural satisfaction), and tests through Save.
        report = impact(graph, "go:store.Store.Put")
        reached = {d.symbol.qualname: d.kind for d in report.dependents}
        assert reached.get("go:store.Mem.Put") == "override"
        assert "go:store.Save" in reached
        ids = {t.id for t in report.tests}
        assert "./store -run '^TestSave$/^empty_key$/^nested\\.case$'" in ids
        # The implementation's change reaches the interface's callers (dispatch).
        report = impact(graph, "go:store.Mem.Put")
        assert "go:store.Save" in {d.symbol.qualname for d in report.dependents}
        assert {t.id for t in report.tests} == {"./store -run '^TestSave$/^empty_key$/^nested\\.case$'"}
    finally:
        indexer.close()


def test_vendor_is_skipped_and_generated_files_keep_definitions_only(tmp_path):
    files = {
        "go.mod": GOMOD,
        "vendor/example.com/x/x.go": "package x\n\nfunc X() {}\n",
        "gen/gen.go": "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage gen\n\n"
                      "type Msg struct{ ID int }\n\nfunc (m *Msg) GetID() int { return m.ID }\n",
        "app/app.go": "package app\n\nimport \"example.com/shop/gen\"\n\n"
                      "func Use(m *gen.Msg) int { return m.GetID() }\n",
    }
    indexer, graph = build(tmp_path, files)
    try:
        assert not graph.symbols_in_file("vendor/example.com/x/x.go")
        assert graph.references_from("go:gen.Msg.GetID") == []  # uses inside generated code are not kept
        assert [r.enclosing for r in graph.references("go:gen.Msg.GetID")] == ["go:app.Use"]
        module = graph.symbols_in_file("gen/gen.go")[0]
        assert module.kind == "module" and "generated" in module.flags
    finally:
        indexer.close()


def test_syntax_errors_mid_edit_keep_the_rest(tmp_path):
    files = {"go.mod": GOMOD, "a/a.go": "package a\n\nfunc Good() {}\n\nfunc Bad( {\n\nfunc Later() { Good() }\n",
             # Typing a struct at the end of a file: its closing brace is still missing.
             "a/b.go": "package a\n\nfunc Use() int { var t T; return t.X }\n\ntype T struct {\n    X int\n"}
    indexer, graph = build(tmp_path, files)
    try:
        names = {s.name for s in graph.symbols_in_file("a/a.go")}
        assert "Good" in names
        assert [(r.name, r.target) for r in graph.references_from("go:a.Use")] == [("T", "go:a.T"), ("X", "go:a.T.X")]
        assert indexer.store.conn.execute("SELECT error FROM files WHERE path='a/a.go'").fetchone()[0]
    finally:
        indexer.close()


def test_go_symbols_make_one_search_chunk_each(tmp_path):
    from indexer.semantic.chunks import file_chunks

    indexer, graph = build(tmp_path, TESTS)
    try:
        source = (indexer.root / "store/store.go").read_bytes()
        chunks = file_chunks(graph.symbols_in_file("store/store.go"), source)
        assert {"go:store.Store", "go:store.Store.Put", "go:store.Mem", "go:store.Mem.Put",
                "go:store.Save"} <= {c.qualname for c in chunks}
        save = next(c for c in chunks if c.qualname == "go:store.Save")
        assert "func Save(s Store, k string) error" in save.text
    finally:
        indexer.close()


def test_editing_a_go_buffer_reports_its_uses_by_go_rules(tmp_path):
    """A Go buffer is read by Go's plugin, never as Python: renaming a
    function reports each of its uses, and nothing else."""
    from indexer.languages.python.edits.breaking import breaking_changes

    indexer, graph = build(tmp_path, TESTS)
    try:
        edited = (indexer.root / "store/store.go").read_bytes().replace(b"func Save(", b"func Save2(")
        found = breaking_changes(graph, "store/store.go", edited)
        uses = {(r.path, r.range.start.line) for r in graph.references("go:store.Save") if r.path != "store/store.go"}
        assert uses and {(b.path, b.range.start.line) for b in found} == uses
        assert all(b.message == "'Save' was renamed to 'Save2' in store/store.go" for b in found)
    finally:
        indexer.close()


def _edges(graph: Graph) -> set:
    rows = graph.conn.execute("SELECT f.path, r.sl, r.sc, r.name, r.target, r.how FROM refs r"
                              " JOIN files f ON f.id = r.file_id").fetchall()
    return set(rows)


def test_incremental_updates_match_a_cold_build(tmp_path):
    """Edits to a package another package imports, to an interface, and to
    go.mod re-resolve what depends on them: the index equals a cold build."""
    indexer, graph = build(tmp_path, CASES["interfaces: calls through them, embedding, structural satisfaction"]
                           | {"app/app.go": "package app\n\nimport \"example.com/shop/io2\"\n\n"
                                            "func Use(f *io2.File) { f.Read(); io2.Drain(f) }\n"})
    root = indexer.root
    try:
        source = (root / "io2/io2.go").read_text()
        steps = [
            ("io2/io2.go", source.replace("Close() error\n", "Close() error\n    Flush()\n")),  # File stops satisfying
            ("io2/io2.go", source.replace("func (f *File) Read()", "func (f *File) ReadAll()")),  # a method renamed
            ("go.mod", "module example.com/other\n"),  # imports no longer resolve
            ("go.mod", GOMOD),
        ]
        seen = [_edges(graph)]
        for number, (rel, text) in enumerate(steps):
            (root / rel).write_text(text)
            indexer.update_paths([rel])
            fresh_root = tmp_path / f"cold{number}"
            shutil.copytree(root, fresh_root)
            cold = Indexer(fresh_root, tmp_path / f"cold-index{number}", IndexOptions(jobs=1))
            cold.run()
            try:
                assert _edges(graph) == _edges(Graph(cold.store, fresh_root)), f"after step {number}"
            finally:
                cold.close()
            seen.append(_edges(graph))
        assert all(a != b for a, b in zip(seen, seen[1:]))  # every step changed the graph
        implements = {(e[3], e[4]) for e in seen[1] if e[5] == "structural"}
        assert ("ReadCloser", "go:io2.ReadCloser") not in implements and ("Reader", "go:io2.Reader") in implements
    finally:
        indexer.close()


@pytest.mark.parametrize("path,source,included", [
    ("a.go", b"package a\n", True),
    ("a.go", b"// Copyright\n\n//go:build purego\n\npackage a\n", False),
    ("a.go", b"//go:build (linux || darwin) && !appengine && go1.18\n\npackage a\n", True),
    ("a.go", b"package a\n\n//go:build ignore\n", True),  # after the clause: not a constraint
    ("a_windows.go", b"package a\n", False),
    ("a_linux_amd64.go", b"package a\n", True),
    ("a_darwin_test.go", b"package a\n", False),
    ("a_test.go", b"package a\n", True),
])
def test_default_build_constraints(path, source, included):
    from indexer.languages.go.buildtags import in_default_build

    assert in_default_build(path, source) is included


def test_a_local_interface_is_satisfied_structurally(tmp_path):
    """A package-level type satisfies an interface declared in a function:
    the call through it is a use of the implementation, and the type
    hierarchy shows the interface."""
    files = CASES["types declared in a function body: local scope, fields, structural interfaces"]
    indexer, graph = build(tmp_path, files)
    try:
        assert graph.base_targets("go:shop.En") == ["go:shop.Run.greeter"]
        assert [(r.range.start.line, r.how) for r in graph.references("go:shop.En.Greet")] == [(16, "implements")]
        assert graph.symbol("go:shop.Run.point").parent == "go:shop.Run"
    finally:
        indexer.close()
