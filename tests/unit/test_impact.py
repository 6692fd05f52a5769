"""Impact analysis: each edge kind, affected tests with pytest node ids,
bounds, cycles; and breaking changes of an edited buffer."""

from __future__ import annotations

import textwrap

import pytest

from indexer.languages.python.edits.breaking import CallArgs, breaking_changes, check_call
from indexer.analysis.affected import DEFAULT_MIN_CONFIDENCE
from indexer.analysis import impact as impact_module
from indexer.analysis.impact import CREATED_CONFIDENCE, IMPACT_MEMO, RULED_OUT_CONFIDENCE, impact
from server.protocol import edge
from tests.support import build

PROJECT = {
    "shop/__init__.py": "from .pricing import total\n",
    "shop/pricing.py": """
        import functools

        RATE = 0.2

        def tax(amount):
            return amount * RATE

        def total(items):
            return sum(items) + tax(sum(items))

        def cached(fn):
            @functools.wraps(fn)
            def inner(*a):
                return fn(*a)
            return inner

        @cached
        def report(items: "Basket"):
            return total(items.values)

        class Basket:
            values = []

            def price(self):
                return total(self.values)

        class Discounted(Basket):
            def price(self):
                return super().price() * 0.9
        """,
    "shop/api.py": """
        from shop import total
        from shop.pricing import Basket

        def checkout(basket: Basket):
            return basket.price()

        def quick(items):
            return total(items)

        def ping():
            return pong()

        def pong():
            return ping()
        """,
    "tests/conftest.py": """
        import pytest
        from shop.pricing import Basket

        @pytest.fixture
        def basket():
            b = Basket()
            b.price()
            return b
        """,
    "tests/test_api.py": """
        import unittest
        from shop.api import quick, checkout

        def helper():
            return quick([1])

        def test_quick():
            assert helper() == 1.2

        def test_with_fixture(basket):
            assert basket

        class TestCheckout:
            def test_checkout(self):
                checkout(None)

        class Legacy(unittest.TestCase):
            def test_legacy(self):
                quick([])
        """,
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("impact"), PROJECT)
    yield graph
    indexer.close()


def dependents(report) -> dict[str, tuple[int, str]]:
    return {d.symbol.qualname: (d.depth, d.kind) for d in report.dependents}


EDGE_CASES = [
    # (target, dependent, depth, kind)
    ("shop.pricing.tax", "shop.pricing.total", 1, "call"),
    ("shop.pricing.RATE", "shop.pricing.tax", 1, "read"),
    ("shop.pricing.total", "shop", 1, "import"),
    ("shop.pricing.total", "shop.api.quick", 1, "call"),
    ("shop.pricing.cached", "shop.pricing.report", 1, "decorator"),
    ("shop.pricing.Basket", "shop.pricing.report", 1, "annotation"),
    ("shop.pricing.Basket", "shop.pricing.Discounted", 1, "inherit"),
    ("shop.pricing.Basket.price", "shop.pricing.Discounted.price", 1, "call"),  # super().price()
    ("shop.pricing.Basket.price", "shop.api.checkout", 1, "call"),
    ("shop.pricing.Discounted.price", "shop.api.checkout", 1, "dispatch"),  # may run for a Basket
    ("tests.conftest.basket", "tests.test_api.test_with_fixture", 1, "fixture"),
    ("shop.pricing.tax", "shop.api.quick", 3, "call"),  # tax <- total <- ... transitively
]


@pytest.mark.parametrize("target, dependent, depth, kind", EDGE_CASES)
def test_edge_kinds(graph, target, dependent, depth, kind):
    found = dependents(impact(graph, target))
    assert found.get(dependent, (None, None))[1] == kind, found
    assert found[dependent][0] <= depth


def test_override_reaches_subclass_method(tmp_path):
    files = {
        "m.py": """
            class Base:
                def run(self):
                    pass

            class Child(Base):
                def run(self):
                    pass
            """,
    }
    indexer, g = build(tmp_path, files)
    found = dependents(impact(g, "m.Base.run"))
    assert found["m.Child.run"] == (1, "override")


def test_affected_tests_with_node_ids_and_chains(graph):
    report = impact(graph, "shop.pricing.tax")
    ids = {t.id: t for t in report.tests}
    assert "tests/test_api.py::test_quick" in ids  # through a helper
    assert "tests/test_api.py::Legacy::test_legacy" in ids  # unittest method
    chain = ids["tests/test_api.py::test_quick"].via
    assert chain[0] == "shop.pricing.tax" and chain[-1] == "tests.test_api.test_quick"
    assert "tests.test_api.helper" in chain
    # Through a conftest fixture: Basket.price <- fixture basket <- test.
    fixture_report = impact(graph, "shop.pricing.Basket.price")
    assert "tests/test_api.py::test_with_fixture" in {t.id for t in fixture_report.tests}
    assert "tests/test_api.py::TestCheckout::test_checkout" in {t.id for t in fixture_report.tests}


def test_confidence_multiplies_along_the_path(graph):
    report = impact(graph, "shop.pricing.Discounted.price")
    by_name = {d.symbol.qualname: d for d in report.dependents}
    assert by_name["shop.api.checkout"].confidence < 0.9  # a dispatch link is uncertain
    assert all(0 < d.confidence <= 1 for d in report.dependents)


def test_cycles_terminate_and_depth_bounds(graph):
    report = impact(graph, "shop.api.ping")
    assert dependents(report) == {"shop.api.pong": (1, "call")}
    shallow = impact(graph, "shop.pricing.tax", depth=1)
    assert shallow.max_depth == 1 and shallow.truncated
    small = impact(graph, "shop.pricing.tax", limit=2)
    assert len(small.dependents) == 2 and small.truncated


def test_report_json_shape(graph):
    data = edge.impact_report(impact(graph, "shop.pricing.total"), "file:///ws").wire()
    assert set(data) == {"target", "dependents", "tests", "files", "breaking", "summary"}
    assert set(data["summary"]) == {"dependents", "tests", "files", "maxDepth", "truncated"}
    dep = data["dependents"][0]
    assert {"symbol", "depth", "kind", "confidence", "via"} <= set(dep)
    assert set(dep["symbol"]) >= {"name", "qualname", "kind", "uri", "path", "range"}
    assert data["files"] and all("/" in f or f.endswith(".py") for f in data["files"])


# -- breaking changes -------------------------------------------------------------

LIB = {
    "lib.py": """
        def connect(host, port=80):
            pass

        def fetch(url, retries=1):
            pass

        def pair(a, b):
            pass

        def legacy():
            pass

        def old_name(x):
            pass

        class Base:
            def helper(self):
                pass

        class Client(Base):
            def __init__(self, url):
                pass

            def send(self, data):
                self.helper()
        """,
    "use.py": """
        from lib import connect, fetch, pair, legacy, old_name, Client

        connect("h")
        connect("h", 81)
        fetch("u", retries=3)
        pair(1, 2)
        legacy()
        old_name(1)
        c = Client("u")
        c.send(b"x")
        """,
}


def edited(change: str) -> bytes:
    text = textwrap.dedent(LIB["lib.py"]).lstrip("\n")
    old, new = change.split(" => ")
    assert old in text, old
    return text.replace(old, new).encode()


BREAKING_CASES = [
    # (edit of lib.py, {(line in use.py, message fragment)})
    ("def connect(host, port=80): => def connect(host, timeout, port=80):",
     {(2, "missing required argument 'timeout'")}),
    ("def connect(host, port=80): => def connect(host):",
     {(3, "takes 1 positional argument but 2 are given")}),
    ("def fetch(url, retries=1): => def fetch(url, attempts=1):",
     {(4, "unexpected keyword argument 'retries'")}),
    ("def pair(a, b): => def pair(b, a):",
     {(5, "now binds to 'b' (was 'a')")}),
    ("def connect(host, port=80): => def connect(host, *, port=80):",
     {(3, "takes 1 positional argument but 2 are given")}),
    ("def legacy():\n    pass\n => ", {(6, "'legacy' was removed")}),
    ("def old_name(x): => def new_name(x):", {(7, "'old_name' was renamed to 'new_name'")}),
    ("def __init__(self, url): => def __init__(self, url, timeout):", {(8, "missing required argument 'timeout'")}),
    ("def send(self, data): => def send(self):", {(9, "takes 0 positional arguments but 1 is given")}),
]


@pytest.mark.parametrize("change, expected", BREAKING_CASES)
def test_breaking_changes(tmp_path, change, expected):
    indexer, g = build(tmp_path, LIB)
    found = breaking_changes(g, "lib.py", edited(change))
    got = {(b.path, b.range.start.line, b.message) for b in found}
    for line, fragment in expected:
        assert any(p == "use.py" and l == line and fragment in m for p, l, m in got), got
    assert all(p == "use.py" for p, _, _ in got if "base class" not in _), got


def test_changed_base_class_breaks_inherited_uses(tmp_path):
    indexer, g = build(tmp_path, LIB)
    found = breaking_changes(g, "lib.py", edited("class Client(Base): => class Client:"))
    assert any("'helper' came from base class Base" in b.message and b.path == "lib.py" for b in found), found


def test_unchanged_buffer_breaks_nothing(tmp_path):
    indexer, g = build(tmp_path, LIB)
    assert breaking_changes(g, "lib.py", textwrap.dedent(LIB["lib.py"]).lstrip("\n").encode()) == []


CALL_CASES = [
    # params, (positional, keywords, star, double_star), problems
    ((("a", "pos", None, None),), (1, (), False, False), []),
    ((("a", "pos", None, None),), (0, (), False, False), ["is missing required argument 'a'"]),
    ((("a", "pos", None, "1"),), (0, (), False, False), []),
    ((("a", "kwonly", None, None),), (0, ("a",), False, False), []),
    ((("a", "posonly", None, None),), (0, ("a",), False, False),
     ["passes positional-only argument 'a' by keyword"]),
    ((("args", "varargs", None, None),), (5, (), False, False), []),
    ((("kw", "varkw", None, None),), (0, ("x", "y"), False, False), []),
    ((("a", "pos", None, None),), (0, (), True, False), []),  # f(*xs): unknown count
]


@pytest.mark.parametrize("params, args, problems", CALL_CASES)
def test_check_call(params, args, problems):
    assert check_call(params, CallArgs(*args)) == problems


# -- coverage-backed (hybrid) ------------------------------------------------------

DYNAMIC = {
    "plugins.py": """
        def handler():
            return 42

        def dispatch(name):
            return globals()[name]()
        """,
    "tests/test_plugins.py": """
        from plugins import dispatch

        def test_dispatch_by_name():
            assert dispatch("handler") == 42
        """,
}


def test_inherited_test_methods_are_collected_per_subclass(tmp_path):
    files = {
        "lib.py": "def work():\n    return 1\n",
        "tests/test_base.py": """
            from lib import work

            class TestBase:
                def test_work(self):
                    assert work() == 1
            """,
        "tests/test_sub.py": """
            from tests.test_base import TestBase

            class TestSub(TestBase):
                pass
            """,
    }
    indexer, g = build(tmp_path, files)
    ids = {t.id for t in impact(g, "lib.work").tests}
    # pytest also collects the imported TestBase in test_sub.py (impact_mixins.IMPORTED_RULE)
    assert ids == {"tests/test_base.py::TestBase::test_work", "tests/test_sub.py::TestSub::test_work",
                   "tests/test_sub.py::TestBase::test_work"}


@pytest.mark.slow  # runs the project's tests under coverage in a subprocess
@pytest.mark.parametrize("branch", [False, True], ids=["line coverage", "branch coverage"])
def test_coverage_contexts_add_dynamic_tests(tmp_path, branch):
    import subprocess
    import sys

    from indexer.analysis import coverage_data

    indexer, g = build(tmp_path, DYNAMIC)
    root = indexer.root
    (root / ".coveragerc").write_text(f"[run]\nbranch = {branch}\n")
    static = impact(g, "plugins.handler")
    assert static.tests == ()  # no static path: handler is looked up by name
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--cov=.",
                    "--cov-context=test", "tests"], cwd=root, check=True, capture_output=True)
    coverage = coverage_data.load(root)
    assert coverage is not None and coverage.contexts >= 1
    hybrid = impact(g, "plugins.handler", coverage=coverage)
    assert [(t.id, t.source) for t in hybrid.tests] == [("tests/test_plugins.py::test_dispatch_by_name", "learned")]
    both = impact(g, "plugins.dispatch", coverage=coverage)
    assert [(t.id, t.source) for t in both.tests] == [("tests/test_plugins.py::test_dispatch_by_name", "both")]


# -- value flow: a change to X reaches every name bound to X ----------------------

FLOW = {
    "lib/__init__.py": """
        from functools import partial
        from lib._make import attrs, attrib, Box, HANDLERS

        s = attributes = attrs
        ib = attrib
        define = partial(attrs, slots=True)
        __all__ = ["s", "attributes", "ib", "define", "Box", "HANDLERS"]
        """,
    "lib/_make.py": """
        import functools

        def attrs(maybe_cls=None, slots=False):
            return maybe_cls

        def attrib(default=None):
            return default

        def on_a():
            return 1

        def on_b():
            return 2

        HANDLERS = {"a": on_a}

        def logged(fn):
            @functools.wraps(fn)
            def inner(*args):
                return fn(*args)
            return inner

        @logged
        def traced():
            return 3

        class Box:
            def __init__(self):
                self.cb = on_b

            def fire(self):
                return self.cb()

            def by_name(self):
                return getattr(self, "fire")()
        """,
    "tests/test_lib.py": """
        import lib
        from lib._make import traced

        @lib.s
        class Point:
            x = lib.ib()

        def test_point():
            Point()

        def test_define():
            lib.define(None)

        def test_handlers():
            assert lib.HANDLERS["a"]() == 1

        def test_box():
            assert lib.Box().by_name() == 2

        def test_traced():
            assert traced() == 3

        def test_unrelated():
            assert True
        """,
}

FLOW_CASES = [
    # (changed symbol, dependent, its how, an affected test)
    ("lib._make.attrs", "lib.s", "alias", "tests/test_lib.py::test_point"),  # @lib.s on a class a test builds
    ("lib._make.attrs", "lib.attributes", "alias", None),  # chained assignment
    ("lib._make.attrs", "lib.define", "partial", "tests/test_lib.py::test_define"),
    ("lib._make.attrib", "lib.ib", "alias", "tests/test_lib.py::test_point"),  # a class-level use in Point
    ("lib._make.on_a", "lib._make.HANDLERS", "registry", "tests/test_lib.py::test_handlers"),  # HANDLERS[k]()
    ("lib._make.on_b", "lib._make.Box.cb", "stored", "tests/test_lib.py::test_box"),  # self.cb = X; self.cb()
    ("lib._make.Box.fire", "lib._make.Box.by_name", "getattr", "tests/test_lib.py::test_box"),
    ("lib._make.logged", "lib._make.traced", "scope", "tests/test_lib.py::test_traced"),  # wraps-decorated
]


@pytest.fixture(scope="module")
def flow_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("flow"), FLOW)
    yield graph
    indexer.close()


@pytest.mark.parametrize("target, dependent, how, test", FLOW_CASES)
def test_value_flow(flow_graph, target, dependent, how, test):
    report = impact(flow_graph, target)
    found = {d.symbol.qualname: d for d in report.dependents}
    assert dependent in found, sorted(found)
    assert found[dependent].how == how
    ids = {t.id for t in report.tests}
    if test is not None:
        assert test in ids, ids
    assert "tests/test_lib.py::test_unrelated" not in ids


# -- class-based dispatch: what the receiver can actually be ---------------------

DISPATCH = {
    "cmd.py": """
        class Base:
            def main(self):
                return self.invoke()

            def invoke(self):
                pass

        class Group(Base):
            def invoke(self):
                return 1

        class Command(Base):
            def run(self):
                return self.invoke()

        def call_any(cmd: Base):
            return cmd.invoke()
        """,
}


def test_dispatch_follows_what_the_receiver_can_be(tmp_path):
    indexer, g = build(tmp_path, DISPATCH)
    found = {d.symbol.qualname: d for d in impact(g, "cmd.Group.invoke").dependents}
    # Base.main's self may be a Group (template method): ranked above an annotation.
    assert found["cmd.Base.main"].how == "dispatch-self"
    assert found["cmd.call_any"].how == "dispatch"
    assert found["cmd.Base.main"].confidence > found["cmd.call_any"].confidence
    # Command.run's self is a Command, never a Group: not a dependent.
    assert "cmd.Command.run" not in found
    indexer.close()


def test_local_class_definitions_run_with_their_function(tmp_path):
    files = {
        "lib.py": "def deco(cls):\n    return cls\n",
        "tests/test_lib.py": """
            from lib import deco

            def test_defines_only():
                @deco
                class C:
                    pass
            """,
    }
    indexer, g = build(tmp_path, files)
    report = impact(g, "lib.deco")
    found = {d.symbol.qualname: d for d in report.dependents}
    assert found["tests.test_lib.test_defines_only"].how == "local"
    assert [t.id for t in report.tests] == ["tests/test_lib.py::test_defines_only"]
    indexer.close()


def test_a_function_depends_on_the_local_function_it_calls(tmp_path):
    files = {
        "lib.py": """
            def build():
                pass

            def attrs(maybe_cls=None):
                def wrap(cls):
                    build()
                    return cls
                if maybe_cls is None:
                    return wrap
                return wrap(maybe_cls)
            """,
    }
    indexer, g = build(tmp_path, files)
    found = dependents(impact(g, "lib.build"))
    assert found["lib.attrs.wrap"] == (1, "call") and found["lib.attrs"] == (1, "local")  # a closure adds no level (impact_closures)
    indexer.close()


def test_a_changed_test_affects_itself_and_its_inherited_copies(tmp_path):
    files = {
        "tests/test_base.py": """
            class TestBase:
                def test_work(self):
                    assert True

            def test_alone():
                pass
            """,
        "tests/test_sub.py": """
            from tests.test_base import TestBase

            class TestSub(TestBase):
                pass
            """,
    }
    indexer, g = build(tmp_path, files)
    # (pytest collects the imported TestBase in test_sub.py too: `pytest --collect-only` lists
    # tests/test_sub.py::TestBase::test_work; impact_mixins.IMPORTED_RULE)
    assert {t.id for t in impact(g, "tests.test_base.TestBase.test_work").tests} == {
        "tests/test_base.py::TestBase::test_work", "tests/test_sub.py::TestSub::test_work",
        "tests/test_sub.py::TestBase::test_work"}
    assert [(t.id, t.depth) for t in impact(g, "tests.test_base.test_alone").tests] == [
        ("tests/test_base.py::test_alone", 0)]
    indexer.close()


# One case per precision rule of indexer/analysis/impact_precision.py:
# (target, an affected test, a test that must not be affected).
PRECISION_PROJECT = {
    "lib/__init__.py": "",
    "lib/bar.py": """
        class Bar:
            def update(self, n):
                return n

            def draw(self):
                return self.update(1)

        def register(bar):
            return bar

        register(Bar())  # a module-level instance no name holds: the receiver rule steps aside for Bar
        # (`BAR = Bar()` is followed through the name BAR: impact_bound)
        """,
    "lib/shapes.py": """
        class Shape:
            def area(self):
                return self.size()

            def describe(self):
                return f"{self.area()}"

        class Square(Shape):
            def size(self):
                return 4

        class Circle(Shape):
            def size(self):
                return 3

        def merge(params, extra):
            params.update(extra)
            return params

        class Triangle(Shape):
            def size(self):
                return 5

        DEFAULT = Triangle()

        def default_area():
            return DEFAULT.area()
        """,
    "lib/fields.py": """
        def helper():
            return 1

        def label():
            return "s"

        class Field:
            def kind(self):
                return "?"

            def describe(self):
                return self.kind()

        class Str(Field):
            def kind(self):
                return label()

            def render(self):
                return helper()

        class Num(Field):
            def kind(self):
                return "n"

        class Holder:
            field = Str()  # a class-level instance: reached through Holder, not by any code

        def lookup(obj):
            return obj.render  # a name-matched read of a method: not a call
        """,
    "tests/test_precision.py": """
        from lib.bar import Bar
        from lib.fields import Holder, Num, Str, lookup
        from lib.shapes import Circle, Square, merge

        def test_holder():
            assert Holder.field.describe() == "s"

        def test_num():
            assert Num().describe() == "n"

        def test_render():
            assert Str().render() == 1

        def test_lookup():
            assert lookup(Num()) is None

        def test_bar():
            assert Bar().draw() == 1

        def test_merge():
            assert merge({}, {"a": 1}) == {"a": 1}

        def test_square():
            assert Square().describe() == "4"

        def test_circle():
            assert Circle().describe() == "3"

        def test_own_guess(thing):
            thing.update(1)

        def test_default():
            from lib.shapes import default_area
            assert default_area() == 5
        """,
}

PRECISION_CASES = [
    # `params.update(...)` on an unknown receiver is a dict's, not Bar.update.
    ("lib.bar.Bar.update", "tests/test_precision.py::test_bar", "tests/test_precision.py::test_merge"),
    # Shape.area dispatches to both sizes; a test that never makes a Circle cannot run Circle.size.
    ("lib.shapes.Circle.size", "tests/test_precision.py::test_circle", "tests/test_precision.py::test_square"),
    ("lib.shapes.Square.size", "tests/test_precision.py::test_square", "tests/test_precision.py::test_circle"),
    # A test's own builtin-shaped guess still names that one test.
    ("lib.bar.Bar.update", "tests/test_precision.py::test_own_guess", "tests/test_precision.py::test_merge"),
    # A module-level instance may reach any code: the receiver rule steps aside.
    ("lib.shapes.Triangle.size", "tests/test_precision.py::test_default", "tests/test_precision.py::test_bar"),
    # An instance made in a class body is reached through that class: the receiver rule holds.
    ("lib.fields.Str.kind", "tests/test_precision.py::test_holder", "tests/test_precision.py::test_num"),
    # `obj.render` read (not called) on an unknown receiver in library code runs nothing.
    ("lib.fields.helper", "tests/test_precision.py::test_render", "tests/test_precision.py::test_lookup"),
]


# The receiver rule at a dispatch further along a test's chain: label() runs
# under Field.describe only when self.kind() dispatches to Str.kind, so only a
# test holding a Str; the others stay listed, ruled out (confidence 0), and
# out of the default selection.
def test_a_dispatch_on_the_chain_needs_its_receiver(precision_graph):
    tests = {t.id: t.confidence for t in impact(precision_graph, "lib.fields.label").tests}
    assert tests["tests/test_precision.py::test_holder"] > DEFAULT_MIN_CONFIDENCE
    assert tests["tests/test_precision.py::test_num"] == RULED_OUT_CONFIDENCE < DEFAULT_MIN_CONFIDENCE


@pytest.fixture(scope="module")
def precision_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("precision"), PRECISION_PROJECT)
    yield graph
    indexer.close()


@pytest.mark.parametrize("target, affected, unaffected", PRECISION_CASES)
def test_precision_rules(precision_graph, target, affected, unaffected):
    report = impact(precision_graph, target)
    ids = {t.id for t in report.tests}
    assert affected in ids
    assert unaffected not in ids


def test_calling_what_getattr_returns_runs_its_call(tmp_path):
    files = {
        "plug.py": """
            from typing import TYPE_CHECKING

            class HookCaller:
                def __call__(self, **kw):
                    return 1

            class HookRelay:
                if TYPE_CHECKING:
                    def __getattr__(self, name: str) -> HookCaller: ...

            class Manager:
                def __init__(self):
                    self.hook = HookRelay()
            """,
        "tests/test_plug.py": """
            from plug import Manager

            def test_fire():
                Manager().hook.myhook(arg=1)
            """,
    }
    indexer, g = build(tmp_path, files)
    assert [t.id for t in impact(g, "plug.HookCaller.__call__").tests] == ["tests/test_plug.py::test_fire"]
    indexer.close()


# Rules measured on real projects (evals/impact.py), one case each:
# (target, an affected test, a test that must not be affected).
CREATION_PROJECT = {
    "lib/__init__.py": "",
    "lib/types.py": """
        class ParamType:
            def convert(self, value):
                return value

            def __call__(self, value):
                return self.convert(value)

        class IntType(ParamType):
            def convert(self, value):
                return int(value)

        class LoudType(ParamType):
            def convert(self, value):
                return super().convert(value).upper()

        INT = IntType()  # an instance of an overriding subclass: never runs ParamType.convert
        """,
    "lib/marks.py": """
        class Marker:
            def __init__(self, project):
                self.project = project

            def __call__(self, function):
                function.marked = self.project
                return function

        mark = Marker("demo")
        """,
    "lib/schema.py": """
        class SchemaMeta(type):
            def __new__(mcs, name, bases, namespace):
                namespace["declared"] = sorted(namespace)
                return super().__new__(mcs, name, bases, namespace)

        class Schema(metaclass=SchemaMeta):
            def dump(self):
                return self.declared

        class Plugin:
            def __init_subclass__(cls, **kwargs):
                cls.registered = True
        """,
    "tests/conftest.py": "",
    "tests/test_creation.py": """
        from lib.marks import mark
        from lib.schema import Plugin, Schema
        from lib.types import INT, LoudType, ParamType

        class UserSchema(Schema):  # created at import, outside any test
            name = 1

        def test_base_type():
            assert ParamType().convert("x") == "x"

        def test_int_type():
            assert isinstance(INT, ParamType)  # names the class, makes no instance of it
            assert INT("1") == 1

        def test_loud_type():
            assert LoudType().convert("x") == "X"

        def test_marked():
            class Hooks:
                @mark
                def hello(self):
                    return 1
            assert vars(Hooks)  # the class body ran @mark

        def test_unmarked():
            assert Plugin is not None

        def test_local_schema():
            class Local(Schema):
                age = 2
            assert Local().dump()

        def test_module_schema():
            assert UserSchema().dump()

        def test_local_plugin():
            class Mine(Plugin):
                pass
            assert Mine.registered
        """,
}

CREATION_CASES = [
    # Every instance a test can hold overrides convert (INT is an IntType): only
    # the base's own instances, and an override calling super(), run it.
    ("lib.types.ParamType.convert", "tests/test_creation.py::test_base_type", "tests/test_creation.py::test_int_type"),
    ("lib.types.ParamType.convert", "tests/test_creation.py::test_loud_type", "tests/test_creation.py::test_int_type"),
    # `mark = Marker(...)`, then `@mark`: the instance's __call__ runs, in the
    # class body of the test's local class.
    ("lib.marks.Marker.__call__", "tests/test_creation.py::test_marked", "tests/test_creation.py::test_unmarked"),
    # A metaclass runs when a class statement runs: a test's local schema, not
    # a test that only uses a schema created at import.
    ("lib.schema.SchemaMeta.__new__", "tests/test_creation.py::test_local_schema",
     "tests/test_creation.py::test_module_schema"),
    ("lib.schema.Plugin.__init_subclass__", "tests/test_creation.py::test_local_plugin",
     "tests/test_creation.py::test_unmarked"),
]


@pytest.fixture(scope="module")
def creation_graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("creation"), CREATION_PROJECT)
    yield graph
    indexer.close()


@pytest.mark.parametrize("target, affected, unaffected", CREATION_CASES)
def test_creation_and_receiver_rules(creation_graph, target, affected, unaffected):
    tests = {t.id: t.confidence for t in impact(creation_graph, target).tests}
    assert affected in tests
    assert tests.get(unaffected, 0.0) <= CREATED_CONFIDENCE < tests[affected]


# A class created by the changed code at import, then used by a test: listed,
# below the tests that run the change; ruled out by impact_created (listed at
# RULED_OUT_CONFIDENCE), ranked at CREATED_CONFIDENCE without it.
@pytest.mark.parametrize("rule", [True, False])
def test_classes_created_by_the_change_rank_their_users_lower(creation_graph, flow_graph, monkeypatch, rule):
    monkeypatch.setattr(impact_module, "CREATED_RULE", rule)
    IMPACT_MEMO.clear()
    expected = RULED_OUT_CONFIDENCE if rule else pytest.approx(CREATED_CONFIDENCE)
    tests = {t.id: t.confidence for t in impact(creation_graph, "lib.schema.SchemaMeta.__new__").tests}
    assert tests["tests/test_creation.py::test_module_schema"] == expected
    assert tests["tests/test_creation.py::test_local_schema"] == 1.0
    # `@lib.s class Point` at module level: attrs ran when the module was
    # imported; test_point only uses what it made.
    tests = {t.id: t.confidence for t in impact(flow_graph, "lib._make.attrs").tests}
    assert tests["tests/test_lib.py::test_point"] == expected
    IMPACT_MEMO.clear()


# The receiver walks are shared across impact calls while the index is
# unchanged (IMPACT_MEMO, keyed on Graph.version()); an edit that changes a
# class's users must invalidate them.
RECEIVER_CACHE_PROJECT = {
    "lib/__init__.py": "",
    "lib/shapes.py": PRECISION_PROJECT["lib/shapes.py"],
    "tests/test_square.py": """
        from lib.shapes import Square

        def test_square():
            assert Square().describe() == "4"
        """,
    "tests/test_circle.py": """
        from lib.shapes import Circle

        def test_circle():
            assert Circle().describe() == "3"
        """,
}


def test_receiver_walks_are_cached_until_the_index_changes(tmp_path, monkeypatch):
    import indexer.analysis.impact as impact_module

    indexer, g = build(tmp_path, RECEIVER_CACHE_PROJECT)
    walks = []
    compute = impact_module._receiver_tests
    monkeypatch.setattr(impact_module, "_receiver_tests", lambda graph, target, *rest: (
        walks.append(target.qualname), compute(graph, target, *rest))[1])
    target, square = "lib.shapes.Circle.size", "tests/test_square.py::test_square"

    first = impact(g, target)
    assert walks and square not in {t.id for t in first.tests}  # never holds a Circle
    walked = len(walks)
    second = impact(g, target)
    assert len(walks) == walked  # the second query reuses every receiver walk
    assert (second.tests, second.dependents) == (first.tests, first.dependents)
    # Uncached, the same answer.
    impact_module.IMPACT_MEMO.clear()
    assert impact(g, target).tests == first.tests and len(walks) > walked

    # The square test now makes a Circle too: Circle's users changed.
    (indexer.root / "tests/test_square.py").write_text(
        "from lib.shapes import Circle, Square\n\n\ndef test_square():\n"
        "    assert Square().describe() == Circle().describe()\n", encoding="utf-8")
    indexer.update_paths(["tests/test_square.py"])
    walked = len(walks)
    after = impact(g, target)
    assert len(walks) > walked  # walked again over the edited index
    assert square in {t.id for t in after.tests}
    indexer.close()


# The methods of one class that no subclass overrides share one receiver
# walk (the holders of the class): `Box.width` and `Box.height` walk Box
# once; with the switch off, once each. The answers are the same.
SHARED_WALK_PROJECT = {
    "lib/__init__.py": "",
    "lib/box.py": """
        class Box:
            def width(self):
                return 2

            def height(self):
                return 3

        def area(box):
            return box.width() * box.height()
        """,
    "tests/test_box.py": """
        from lib.box import Box, area

        def test_box():
            assert area(Box()) == 6

        def test_other():
            assert area(None) == 0
        """,
}


@pytest.mark.parametrize("shared, walks_of_box", [(True, 1), (False, 2)])
def test_one_receiver_walk_per_class(tmp_path, monkeypatch, shared, walks_of_box):
    import indexer.analysis.impact as impact_module

    indexer, g = build(tmp_path, SHARED_WALK_PROJECT)
    IMPACT_MEMO.clear()
    monkeypatch.setattr(impact_module, "RECEIVER_WALK_MEMO", shared)
    classes = []
    walk = impact_module.impact
    monkeypatch.setattr(impact_module, "impact", lambda graph, qualname, *args, **kw: (
        classes.append(qualname), walk(graph, qualname, *args, **kw))[1])
    answers = [{t.id for t in walk(g, target).tests if t.confidence > 0}
               for target in ("lib.box.Box.width", "lib.box.Box.height")]
    assert classes.count("lib.box.Box") == walks_of_box
    assert answers == [{"tests/test_box.py::test_box"}] * 2
    IMPACT_MEMO.clear()
    indexer.close()
