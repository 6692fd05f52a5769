"""Doctest examples are code (issue 12, decorator; doctests.py): the `>>>`
lines in a module's strings are the body of `<module>.__doctest__`, and
`doctest.testmod(m)` / `DocTestSuite(m)` in a test calls it. One source
case per idiom, checked with the rule on and switched off; each holds
off-cases the rule must not touch."""

from __future__ import annotations

import pytest

from indexer.analysis.impact import impact
from indexer.languages.python import doctests
from indexer.languages.python.extract import extract
from tests.support import build
from tests.unit.impact_cases import fresh_memo, listed, selected  # noqa: F401 (fresh_memo: autouse)

# decorator: its documentation module holds the examples in a module-level
# string (made its `__doc__`) and in docstrings; a unittest test runs
# `doctest.testmod(doc)`. Off-cases: `unused` is named in no example;
# `commented` only in a comment (`# >>> commented()`), `in_code` only in a
# shift that is no example (`x = (1\n >>> 2)` is no string).
DOCS = {
    "lib.py": """
        def impl(x):
            return x + 1

        def helper(x):
            return impl(x)

        def unused():
            return 0

        def commented():
            return 0
        """,
    "docs.py": r'''
        from lib import helper
        doc = r"""
        Intro

        >>> from lib import impl
        >>> def local(y):
        ...     return impl(y)
        >>> local(2)
        3
        """
        __doc__ = doc

        # >>> commented()

        def trace(f):
            """Traced.

                >>> trace(helper)(1)
                2
            """
            return f
        ''',
    "tests/test_docs.py": """
        import doctest
        import unittest
        import docs

        class DocumentationTestCase(unittest.TestCase):
            def test(self):
                self.assertEqual(doctest.testmod(docs)[0], 0)

        def test_suite():
            assert doctest.DocTestSuite(docs)

        def test_other():
            assert docs.trace(1) == 1
        """,
}
_RUNNERS = {"tests/test_docs.py::DocumentationTestCase::test", "tests/test_docs.py::test_suite"}


@pytest.mark.parametrize("rule", [True, False])
def test_the_tests_that_run_a_module_s_examples(tmp_path, monkeypatch, rule):
    monkeypatch.setattr(doctests, "DOCTESTS", rule)
    indexer, g = build(tmp_path, DOCS)
    for target in ("lib.impl", "lib.helper"):  # in the module string; in a docstring, through trace
        tests = selected(impact(g, target))
        assert (_RUNNERS <= tests) is rule, target
        assert "tests/test_docs.py::test_other" not in tests, target
    assert (_RUNNERS <= selected(impact(g, "docs.trace"))) is rule  # an example calls it
    for target in ("lib.unused", "lib.commented"):  # named in no example
        assert not listed(impact(g, target)) & _RUNNERS, target
    indexer.close()


def test_example_uses_keep_their_positions():
    source = b'def f():\n    """\n    >>> g(1) + \xc3\xa9(2)\n    ...\n    """\n'
    facts = extract(source, "m.py", "m")
    uses = {(r.name, r.span) for r in facts.refs if r.kind == "call"}
    assert ("g", (2, 8, 2, 9)) in uses
    assert ("\xe9", (2, 15, 2, 16)) in uses  # (UTF-16 columns)
    sym = next(s for s in facts.symbols if s.name == doctests.NAME)
    assert sym.qualname == "m.__doctest__" and sym.parent == 0


@pytest.mark.parametrize("source, examples", [
    (b"x = (1\n >>> 2)\n", False),            # a shift operator, no string
    (b"# >>> f()\n", False),                   # a comment
    (b"s = '>>> f()'\n", False),               # not at a line's start
    (b"s = '''\n>>>\n'''\n", True),          # an empty example
    (b"s = '''\n>>> f(\n'''\n", True),       # broken code in an example
])
def test_no_examples_or_harmless_ones(source, examples):
    facts = extract(source, "m.py", "m")
    assert not [r for r in facts.refs if r.name == "f" and r.kind == "call"]
    assert any(s.name == doctests.NAME for s in facts.symbols) is examples


def test_what_examples_define_is_no_name_match_target(tmp_path):
    """A class an example defines is seen by the examples only: a use of an
    unknown receiver elsewhere is never matched by name to its methods."""
    indexer, g = build(tmp_path, {
        "docs.py": '''
            """
            >>> class Local:
            ...     def refresh_all(self):
            ...         return 1
            >>> Local().refresh_all()
            1
            """
            ''',
        "lib.py": """
            def use(obj):
                return obj.refresh_all()
            """,
    })
    users = {enclosing for _t, enclosing, *_rest in g.incoming(["docs.__doctest__.Local.refresh_all"])}
    assert "docs.__doctest__" in users and "lib.use" not in users
    indexer.close()
