"""LSP partial results for answers computed whole: the items go out as
`$/progress` pages under the client's partialResultToken and the response is
empty, as the spec asks. (References and incoming calls stream while they are read
instead: see references.py and call_hierarchy.py.)"""

from lsprotocol import types

PAGE = 500  # items per $/progress page


def send_pages(ls, token, items: list, page: int = PAGE) -> list:
    """Report `items` under `token`; returns the (empty) final response."""
    wire = ls.protocol._converter.unstructure(items)  # pygls' own converter: the wire form of attrs objects
    for start in range(0, len(wire), page):
        ls.protocol.notify(types.PROGRESS, types.ProgressParams(token=token, value=wire[start:start + page]))
    return []

