"""Workspace files -> the graph: discovery, the indexer, its worker pool, the writer lock."""
