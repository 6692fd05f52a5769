"""The engine behind the agent tools (`indexer/agent`): source text in,
expected facts out. Real tree-sitter and SQLite indexes over small trees."""

from __future__ import annotations

import pytest

from indexer.agent import codemap, edits, locate, lookup, tracebacks
from indexer.agent.textindex import TextIndex, tokens
from tests.support import build

LIB = {
    "pkg/__init__.py": '"""A payments library."""\n',
    "pkg/money.py": '''
        """Amounts of money and their formatting."""

        class InvalidAmount(ValueError):
            """An amount that cannot be charged."""


        def parse_amount(text):
            """Parse '12.50 EUR' into cents."""
            value, _, currency = text.partition(" ")
            if not value:
                raise InvalidAmount(text)
            return round(float(value) * 100), currency


        def format_amount(cents, currency):
            """Cents as a decimal string with its currency."""
            return f"{cents / 100:.2f} {currency}"
        ''',
    "pkg/gateway.py": '''
        """Talking to the payment provider."""
        from pkg.money import InvalidAmount, parse_amount, format_amount


        class Gateway:
            """Charges cards through the provider."""

            def charge(self, card, text):
                cents, currency = parse_amount(text)
                return self.send(card, cents, currency)

            def send(self, card, cents, currency):
                return {"card": card, "amount": format_amount(cents, currency)}


        class RetryingGateway(Gateway):
            def send(self, card, cents, currency):
                try:
                    return super().send(card, cents, currency)
                except InvalidAmount:
                    return None
        ''',
    "pkg/_vendor/money.py": '''
        def parse_amount(text):
            """A vendored copy nobody should edit."""
            return text
        ''',
    "tests/test_money.py": '''
        from pkg.money import parse_amount


        def test_parse_amount():
            assert parse_amount("1.00 EUR") == (100, "EUR")
        ''',
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    indexer, graph = build(tmp_path_factory.mktemp("agent"), LIB)
    yield graph
    indexer.close()


# -- tracebacks and query text -----------------------------------------------------

TRACEBACK = '''Charging fails for amounts without a currency.

Traceback (most recent call last):
  File "/home/me/venv/lib/python3.12/site-packages/pkg/gateway.py", line 9, in charge
    cents, currency = parse_amount(text)
  File "/home/me/venv/lib/python3.12/site-packages/pkg/money.py", line 11, in parse_amount
    raise InvalidAmount(text)
pkg.money.InvalidAmount: ''
'''


@pytest.mark.parametrize("text, expected", [
    (TRACEBACK, [(".../pkg/money.py", 11, "parse_amount"), (".../pkg/gateway.py", 9, "charge")]),
    ("tests/test_x.py:12: in test_it\n    f()\nsrc/app/core.py:40: ValueError",
     [("src/app/core.py", 40, None), ("tests/test_x.py", 12, "test_it")]),
    ('File "<stdin>", line 1, in <module>', [("<stdin>", 1, None)]),
    ("no traceback here", []),
])
def test_frames_deepest_first(text, expected):
    found = [(f.path if not f.path.startswith("/home") else ".../" + "/".join(f.path.split("/")[-2:]),
              f.line, f.function) for f in tracebacks.frames(text)]
    assert found == expected


def test_exception_names_raised_one_first():
    assert tracebacks.exception_names(TRACEBACK)[0] == "InvalidAmount"
    assert tracebacks.exception_names("got a KeyError\nTypeError: bad") == ["TypeError", "KeyError"]


@pytest.mark.parametrize("printed, expected", [
    ("/usr/lib/python3/site-packages/pkg/money.py", "pkg/money.py"),
    ("pkg\\_vendor\\money.py".replace("\\", "/"), "pkg/_vendor/money.py"),
    ("money.py", "pkg/money.py"),  # the shortest of equal tails
    ("/elsewhere/other.py", None),
])
def test_frame_paths_map_onto_the_workspace(printed, expected):
    indexed = ["pkg/money.py", "pkg/_vendor/money.py", "pkg/gateway.py"]
    assert tracebacks.match_path(printed, indexed) == expected


def test_mentioned_names_are_the_code_like_words():
    names = locate.mentioned_names("Calling `Gateway.charge` with parse_amount() breaks; HTTPError shows. The amount")
    assert names[:3] == ["Gateway.charge", "parse_amount", "HTTPError"]
    assert "amount" not in names and "The" not in names


def test_long_texts_are_read_whole_in_windows():
    text = " ".join(f"w{i}" for i in range(1000))
    parts = locate.windows(text)
    assert 1 < len(parts) <= 8 and parts[0].startswith("w0 ") and parts[-1].endswith("w999")
    assert locate.windows("short text") == ["short text"]


def test_tokens_split_identifiers_and_keep_them_whole():
    assert tokens("parse_HTTPDate(self)") == ["parse", "http", "date", "parse_httpdate"]


# -- locate ----------------------------------------------------------------------------


def test_locate_follows_the_traceback_deepest_frame_first(graph):
    found = locate.locate(graph, TRACEBACK, k=5)
    assert [f.path for f in found.files[:2]] == ["pkg/money.py", "pkg/gateway.py"]
    assert found.symbols[0].symbol.qualname == "pkg.money.parse_amount"
    assert any("traceback frame" in why for why in found.symbols[0].why)
    assert "tests.test_money.test_parse_amount" in found.symbols[0].tests
    assert found.frames == 2


def test_locate_spreads_to_raise_and_catch_sites_of_a_named_exception(graph):
    found = locate.locate(graph, "InvalidAmount is swallowed somewhere and the charge returns None", k=10)
    names = [s.symbol.qualname for s in found.symbols]
    assert "pkg.money.InvalidAmount" in names[:2]
    handler = next(s for s in found.symbols if s.symbol.qualname == "pkg.gateway.RetryingGateway.send")
    assert any("handles InvalidAmount" in why for why in handler.why)


def test_locate_ranks_vendored_copies_and_tests_below_the_code(graph):
    found = locate.locate(graph, "parse_amount mis-parses amounts without a currency", k=10)
    paths = [f.path for f in found.files]
    assert paths[0] == "pkg/money.py"
    assert paths.index("pkg/_vendor/money.py") > paths.index("pkg/money.py")
    assert paths.index("tests/test_money.py") > paths.index("pkg/money.py")


def test_locate_uses_the_whole_of_a_long_text(graph):
    filler = "lorem ipsum dolor sit amet " * 400  # far past a model's 256 word pieces
    found = locate.locate(graph, filler + " the Gateway retries forever on send", k=3)
    assert found.files[0].path == "pkg/gateway.py"


def test_text_index_scores_files_and_definitions(graph):
    index = TextIndex.build(graph)
    from collections import Counter

    best = index.symbols.top(Counter(tokens("format amount currency decimal")), 3)
    assert best[0][0].qualname == "pkg.money.format_amount"
    assert index.files.top(Counter(tokens("provider cards")), 1)[0][0].path == "pkg/gateway.py"


# -- lookups and paths -------------------------------------------------------------------


@pytest.mark.parametrize("query, expected", [
    ("pkg.gateway.Gateway.send", ["pkg.gateway.Gateway.send"]),
    ("Gateway.send", ["pkg.gateway.Gateway.send"]),
    ("send", ["pkg.gateway.Gateway.send", "pkg.gateway.RetryingGateway.send"]),
    ("pkg/money.py:7", ["pkg.money.parse_amount"]),
    ("pkg/money.py:9", ["pkg.money.parse_amount"]),  # inside the body: what holds the line
])
def test_find_symbols(graph, query, expected):
    assert [s.qualname for s in lookup.find_symbols(graph, query)] == expected


def test_unknown_symbols_come_with_close_matches(graph):
    with pytest.raises(lookup.UnknownSymbol) as caught:
        lookup.find_symbols(graph, "parse_amont")
    assert "pkg.money.parse_amount" in caught.value.suggestions


@pytest.mark.parametrize("path", ["../x.py", "pkg/../../x.py", "/etc/passwd", "pkg/\x00.py"])
def test_paths_that_leave_the_workspace_are_refused(graph, path):
    with pytest.raises(lookup.BadPath):
        lookup.workspace_path(graph, path)


def test_paths_inside_are_relative(graph):
    assert lookup.workspace_path(graph, str(graph.root / "pkg" / "money.py")) == "pkg/money.py"
    assert lookup.workspace_path(graph, "./pkg/") == "pkg"


def test_a_symlink_out_of_the_workspace_is_refused(graph, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link = graph.root / "escape"
    link.symlink_to(outside)
    try:
        with pytest.raises(lookup.BadPath):
            lookup.workspace_path(graph, "escape")
    finally:
        link.unlink()


# -- the map ------------------------------------------------------------------------------


def test_map_ranks_what_others_use_and_zooms(graph):
    full = codemap.build_map(graph, "", depth=4, budget_tokens=2000)
    lines = full.text.splitlines()
    assert lines[0] == "./"
    money = next(i for i, l in enumerate(lines) if l.strip().startswith("pkg/money.py"))
    gateway = next(i for i, l in enumerate(lines) if l.strip().startswith("pkg/gateway.py"))
    assert money < gateway  # money is used by gateway, not the other way round
    assert "def parse_amount(text) — Parse '12.50 EUR' into cents." in full.text
    assert "tests" not in full.text  # tests only when asked
    zoomed = codemap.build_map(graph, "pkg/gateway.py", depth=2, budget_tokens=2000)
    assert zoomed.scope == "pkg/gateway.py" and "def send(card, cents, currency)" in zoomed.text
    assert "parse_amount" not in zoomed.text
    assert codemap.build_map(graph, "pkg.gateway.Gateway", depth=1).text.count("def ") == 2
    with pytest.raises(KeyError):
        codemap.build_map(graph, "nothing/here")


@pytest.mark.parametrize("budget", [100, 150, 250])
def test_map_never_exceeds_its_budget(graph, budget):
    found = codemap.build_map(graph, "", depth=4, budget_tokens=budget)
    assert found.tokens <= budget and found.budget == budget
    assert any(e.omitted for e in found.entries) or found.tokens < budget


def test_map_budget_is_clamped():
    assert codemap.clamp_budget(1) == codemap.MIN_BUDGET and codemap.clamp_budget(10**9) == codemap.MAX_BUDGET


# -- edit previews ---------------------------------------------------------------------------


def test_rename_preview_writes_nothing_and_apply_checks_the_files(tmp_path):
    indexer, graph = build(tmp_path, LIB)
    try:
        before = (graph.root / "pkg" / "gateway.py").read_text()
        plan = edits.rename_preview(graph, lookup.find_symbol(graph, "pkg.money.parse_amount"), "parse_money")
        assert "-from pkg.money import InvalidAmount, parse_amount, format_amount" in plan.diff
        assert set(plan.files) == {"pkg/money.py", "pkg/gateway.py", "tests/test_money.py"}
        assert (graph.root / "pkg" / "gateway.py").read_text() == before
        (graph.root / "pkg" / "gateway.py").write_text(before + "\n")
        with pytest.raises(edits.EditError, match="changed since the preview"):
            edits.apply_plan(graph.root, plan)
        assert "parse_money" not in (graph.root / "pkg" / "money.py").read_text()
        (graph.root / "pkg" / "gateway.py").write_text(before)
        assert sorted(edits.apply_plan(graph.root, plan)) == sorted(plan.files)
        assert "def parse_money(text)" in (graph.root / "pkg" / "money.py").read_text()
    finally:
        indexer.close()


def test_change_signature_preview_rewrites_call_sites(graph):
    plan = edits.change_signature_preview(graph, lookup.find_symbol(graph, "pkg.money.format_amount"),
                                          "(cents, currency, *, places=2)")
    assert "+def format_amount(cents, currency, *, places=2):" in plan.diff
    with pytest.raises(edits.EditError, match="not a valid Python parameter list"):
        edits.change_signature_preview(graph, lookup.find_symbol(graph, "pkg.money.format_amount"), "(a,,b)")
    with pytest.raises(edits.EditError, match="only functions and methods"):
        edits.change_signature_preview(graph, lookup.find_symbol(graph, "pkg.gateway.Gateway"), "(a)")
