"""Evaluations and soak runs, one module per evaluation (`python -m
evals.search`, `python -m evals.soak`), over one harness (`evals.harness`):
corpora from PyPI in a cache outside the repo, one byte-level LSP client,
one metrics module and JSON reports with a schema. Tests import the
harness, never an evaluation; nothing here edits `sys.path`."""
