"""The sealed graph: the SQLite store, its typed questions (`Graph`), the plain
data it hands out, its named vocabulary and column conversions."""
