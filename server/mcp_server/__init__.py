"""`codemeld mcp`: the Model Context Protocol front door (see app.py)."""
