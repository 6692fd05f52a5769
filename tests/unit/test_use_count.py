"""Graph.use_count, what every hover asks: the uses of a name and their
files, at the default confidence (read from the refs_target index alone)
and above a threshold (which needs the rows)."""

from __future__ import annotations

import pytest

from tests.support import build

FILES = {
    "a.py": "def helper():\n    pass\n\nclass K:\n    def go(self):\n        pass\n",
    "b.py": "from a import helper, K\nhelper()\nhelper()\nK().go()\n",  # go: through a constructor, 0.85
    "c.py": "import a\na.helper()\ndef f(x):\n    x.go()\n",  # go: by name only, 0.4
}


@pytest.mark.parametrize("qualname, min_confidence, expected", [
    ("a.helper", 0.0, (4, 2)),  # the import, two calls, a.helper()
    ("a.helper", 0.9, (4, 2)),
    ("a.K.go", 0.0, (2, 2)),
    ("a.K.go", 0.5, (1, 1)),
    ("a.K.go", 0.9, (0, 0)),
    ("a.nothing", 0.0, (0, 0)),
])
def test_use_count(tmp_path, qualname, min_confidence, expected):
    _, graph = build(tmp_path, FILES)
    assert graph.use_count(qualname, min_confidence) == expected
