"""One module per LSP feature. Each has `register(server)`; a handler
converts params, calls one `indexer` function through the session (off the
event loop), and converts the result with `server.convert`."""
