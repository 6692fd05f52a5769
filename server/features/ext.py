"""codemeld/* extensions: the `codemeld/status` request and `codemeld.reindex` command."""

from server import convert

STATUS = "codemeld/status"
REINDEX = "codemeld.reindex"


def register(server) -> None:
    @server.feature(STATUS)
    async def status(ls, params=None) -> dict:
        return convert.status(await ls.session.status_async())

    @server.command(REINDEX)
    async def reindex(ls, *args) -> dict:
        """Re-check every file against the disk (an incremental run), with progress."""
        for folder in ls.session.folders:
            await ls.start_indexing(folder)
        return {"started": len(ls.session.folders)}
