"""What the hot `codemeld` commands print, kept whole: stdout, stderr and the
exit code of refs, defs, symbols, impact and `tests affected` (text and JSON,
paging, errors) on a small git workspace with a one-function change, compared
with tests/snapshots/cli_hot_commands.txt. Making the CLI start faster
(server/cli_coerce.py, lazy imports, building only the invoked command) must
not change a byte of it; the snapshot was taken from main before that work.

The real entry point (`server.cli.main`) runs in this process (tests/support.py
`run_cli`); tests/unit/test_cli_imports.py runs it as a process.

After an intended change of an output, regenerate and review the diff:
    CODEMELD_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/test_cli_outputs.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support import committed_tree, run_cli

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "cli_hot_commands.txt"
UPDATE = os.environ.get("CODEMELD_UPDATE_SNAPSHOTS") == "1"

PROJECT = {
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "shop/__init__.py": "from .pricing import total\n",
    "shop/pricing.py": (
        "RATE = 0.2\n"
        "\n"
        "\n"
        "def tax(amount):\n"
        '    """The tax due on `amount`."""\n'
        "    return amount * RATE\n"
        "\n"
        "\n"
        "def total(items, discount=0):\n"
        '    """Sum of the items with tax, less a discount."""\n'
        "    return sum(items) + tax(sum(items)) - discount\n"
        "\n"
        "\n"
        "class Basket:\n"
        "    values = []\n"
        "\n"
        "    def price(self):\n"
        "        return total(self.values)\n"
    ),
    "shop/api.py": (
        "from shop import total\n"
        "from shop.pricing import Basket\n"
        "\n"
        "\n"
        "def checkout(basket: Basket):\n"
        "    return basket.price()\n"
        "\n"
        "\n"
        "def quick(items):\n"
        "    return total(items)\n"
    ),
    "tests/test_api.py": (
        "from shop.api import checkout, quick\n"
        "\n"
        "\n"
        "def test_quick():\n"
        "    assert quick([1]) == 1.2\n"
        "\n"
        "\n"
        "def test_checkout():\n"
        "    checkout(None)\n"
    ),
}

# The hot commands, as a user types them (--root and --index-dir are added).
COMMANDS = [
    "refs shop.pricing.total --json",
    "refs shop.pricing.total",
    "refs shop/pricing.py:9:5 --include-declaration --json",
    "refs shop.pricing.tax --json --limit 1",
    "refs shop.pricing.total --limit 2",
    "defs shop.pricing.total",
    "defs total --json",
    "symbols shop/pricing.py",
    "symbols shop/pricing.py --json",
    "impact shop.pricing.tax",
    "impact shop.pricing.tax --tests",
    "impact shop.pricing.tax --json",
    "impact shop.pricing.tax --format mermaid",
    "impact shop.pricing.tax --page-size 1",
    "tests affected",
    "tests affected --json",
    "tests affected --since HEAD --static",
    "refs shop.pricing.nothing",
    "refs",
    "refs total --bogus",
    "refs total --limit 0",
    "impact total --depth many",
    "impact total --format xml",
    "tests affected --staged --since HEAD",
    "tests affected --since no-such-rev",
    "frobnicate",
]


def _normalise(text: str, root: Path, index_dir: Path) -> str:
    text = text.replace(root.as_uri(), "file://<ROOT>").replace(str(index_dir), "<INDEX>").replace(str(root), "<ROOT>")
    text = re.sub(r" in \d+\.\d+s", " in <S>s", text)  # the selection's own timing
    # click names the program after how this process started (`python -m pytest`...)
    return re.sub(r"^(Usage: |Try ')(.*?)codemeld", r"\1codemeld", text, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli-out")
    root, index_dir = base / "ws", base / "index"
    committed_tree(root, PROJECT)
    pricing = root / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text().replace("return amount * RATE", "return RATE * amount"))
    env = {"CODEMELD_CACHE_DIR": str(base / "cache"), "COLUMNS": "100"}
    rc, _, err = run_cli(["index", str(root), "--index-dir", str(index_dir), "--no-embeddings"], env=env)
    assert rc == 0, err
    return root, index_dir, env


@pytest.mark.slow  # git runs as a subprocess, and 26 commands over a fresh index (~5 s)
def test_hot_command_outputs_stay_as_they_are(workspace):
    root, index_dir, env = workspace
    blocks = []
    for command in COMMANDS:
        argv = command.split() + ["--root", str(root), "--index-dir", str(index_dir)]
        rc, out, err = run_cli(argv, env=env, cwd=root)
        blocks.append(f"$ codemeld {command}\nexit {rc}\n--- stdout\n{out}--- stderr\n{err}")
    actual = _normalise("\n".join(blocks), root, index_dir)
    if UPDATE:
        SNAPSHOT.write_text(actual, encoding="utf-8")
        return
    assert SNAPSHOT.exists(), f"no {SNAPSHOT.name}: run with CODEMELD_UPDATE_SNAPSHOTS=1 and review it"
    expected = SNAPSHOT.read_text(encoding="utf-8")
    # block by block, so a failure names the command
    for want, got in zip(expected.split("\n$ codemeld "), actual.split("\n$ codemeld ")):
        assert got == want
    assert actual == expected
