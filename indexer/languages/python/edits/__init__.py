"""Python's edit facet: rename, ripple, breaking changes, moves, propagate.

Each is Python-syntax code over the graph; a language without edits leaves
its `LanguageSupport.edits` None.
"""

from indexer.languages.python.edits import breaking, moves, propagate, rename, ripple, signature

__all__ = ["breaking", "moves", "propagate", "rename", "ripple", "signature"]
