"""What every evaluation shares: `corpora` (sdists fetched from PyPI into a
cache), `lsp` (the byte-level LSP client), `metrics` (precision, recall,
F1, MRR, Acc@k), `report` (JSON reports with a schema), and the hostile
and fake pieces tests and the soak run share (`bad_inputs`, `storm`,
`fake_openai`)."""
