"""Secret-looking literals out of text before it reaches a model.

The privacy policy keeps private *files* out of a pack; this catches secrets
written inside ordinary source: `PASSWORD = "..."`, `api_key="..."`, tokens
with a known shape (AWS, GitHub, Slack, Stripe, private key blocks, JWTs) and
long high-entropy string literals. Detection is Yelp's detect-secrets (its
keyword and provider plugins); what is replaced is the whole quoted literal
that holds a finding, so code keeps its shape and the model still sees that
a value was there.

Only lines that hold a quote are scanned: a secret literal is quoted, and
detect-secrets costs a few milliseconds per line.
"""

from __future__ import annotations

import re
from functools import lru_cache

MARKER = "<redacted>"

# detect-secrets' entropy plugins, given one line on its own, flag every word;
# their findings count only when they are a long literal on their own.
_ENTROPY = ("Base64 High Entropy String", "Hex High Entropy String")
_ENTROPY_MIN = 20
_QUOTED = re.compile(r"""(?P<q>'''|\"\"\"|'|")(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
# Assignments the keyword plugin does not see (a name holding KEY/TOKEN, e.g. `AUTH_KEY = "..."`).
_NAMED = re.compile(r"""(?i)\b[\w.]*(?:key|token|passw(?:or)?d|pwd|secret|credential)s?[\w]*['"]?\s*(?::\s*[\w\[\], .]+)?\s*[=:]\s*$""")


@lru_cache(maxsize=1)
def _scanner():
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    return scan_line, default_settings


def _findings(line: str) -> list[str]:
    scan_line, default_settings = _scanner()
    out = []
    with default_settings():
        for found in scan_line(line):
            value = found.secret_value or ""
            if found.type in _ENTROPY and len(value) < _ENTROPY_MIN:
                continue
            if value:
                out.append(value)
    return out


def redact_line(line: str) -> tuple[str, int]:
    if "'" not in line and '"' not in line:
        return line, 0
    literals = list(_QUOTED.finditer(line))
    if not literals:
        return line, 0
    values = _findings(line)
    hidden: list[tuple[int, int]] = []
    for match in literals:
        body = match.group("body")
        if not body or body == MARKER:
            continue
        before = line[: match.start()]
        if any(v in body for v in values) or _NAMED.search(before):
            hidden.append(match.span("body"))
    for start, end in reversed(hidden):
        line = line[:start] + MARKER + line[end:]
    return line, len(hidden)


def redact(text: str) -> tuple[str, int]:
    """The text with secret-looking literals replaced by `<redacted>`, and how many."""
    count = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        lines[i], n = redact_line(line)
        count += n
    return "\n".join(lines), count
