"""One protocol: the shapes of the `codemeld/*` requests' results, the CLI's
`--json` output and the VS Code extension's types, defined once as pydantic
models (`models.py`). Engine types stay plain data; `edge.py` turns them into
these models at the protocol edge. `schema.py` bundles the JSON Schema, and
`typescript.py` generates editors/vscode/src/protocol.ts from it (a tidy
test fails when the committed file drifts).

Why pydantic: the MCP server's tools already are pydantic models (the MCP
SDK builds each tool's outputSchema from them), so one library gives typed
construction, JSON Schema (draft 2020-12) and validation for all three
front doors; lsprotocol-style attrs classes would need cattrs and a schema
generator of their own.
"""
