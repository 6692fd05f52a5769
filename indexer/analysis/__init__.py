"""Answers computed over the graph: navigation, impact and its renderings,
affected and learned tests, hover text, instant text search."""
