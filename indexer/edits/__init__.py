"""Language-neutral text edits (what every language's edit facet produces)."""
