"""Errors of the assistant; turned into messages only at the edges (CLI, UI)."""


class BriefingError(Exception):
    """Base of errors shown to the analyst as a message, never as a traceback."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class StoreUnavailable(BriefingError):
    hint = "Check that the Chroma server is running, or unset BRIEFING_CHROMA_HOST."


class DataDirError(BriefingError):
    hint = "Choose a writable folder with BRIEFING_DATA_DIR."


class IndexBusy(BriefingError):
    hint = (
        "Another `briefing index` (or `remove`) is writing to this index; run again when it "
        "has finished, or wait longer with BRIEFING_LOCK_TIMEOUT."
    )


class ModelMismatch(BriefingError):
    hint = (
        "Use the embedding model the index was built with (BRIEFING_EMBEDDING_MODEL), "
        "or index into another data dir (BRIEFING_DATA_DIR)."
    )


class IndexOutdated(BriefingError):
    hint = (
        "Run `briefing index PATH` (any path, e.g. the one of new articles): it re-indexes "
        "every article the old index held, in the new layout, and keeps the old index in "
        "an old-index-* folder of the data dir."
    )


class BackendError(BriefingError):
    hint = "Check the answer backend setting (BRIEFING_BACKEND) and that its server runs."


class EmptyIndex(BriefingError):
    hint = "Index some articles first: briefing index PATH"


class ConversationNotFound(BriefingError):
    hint = "List saved conversations with: briefing conversations"


class ConversationStoreError(BriefingError):
    hint = "Check that the data dir (BRIEFING_DATA_DIR) is writable and not full."


class ExportError(BriefingError):
    """An export could not be written or an exported file could not be read."""

    hint = "Formats: md, json, html, docx, pdf; verify reads the JSON written by --format json."
