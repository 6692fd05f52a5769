"""Exports of the graph to formats other tools read (SCIP)."""
