"""Document sync: open buffers overlay the disk; saves, closes and watched-file
events keep the index in step. All handlers only record the change; the
folder's writer thread does the indexing (debounced per document)."""

from lsprotocol import types

from server.features import diagnostics


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        # Usually equal to the disk version: the indexer sees the same hash and skips it.
        ls.session.buffer_changed(params.text_document.uri, params.text_document.text, immediate=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        # pygls already applied the (incremental) changes to its copy of the document.
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.session.buffer_changed(params.text_document.uri, document.source)
        diagnostics.schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        diagnostics.clear(ls, params.text_document.uri)
        document = ls.workspace.text_documents.get(params.text_document.uri)
        ls.session.document_saved(params.text_document.uri, document.source if document is not None else None)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.buffer_closed(params.text_document.uri)
        diagnostics.clear(ls, params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls, params: types.DidChangeWatchedFilesParams) -> None:
        ls.session.files_changed(change.uri for change in params.changes)
