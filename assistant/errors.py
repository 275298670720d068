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


class ModelMismatch(BriefingError):
    hint = (
        "Use the embedding model the index was built with (BRIEFING_EMBEDDING_MODEL), "
        "or index into another data dir (BRIEFING_DATA_DIR)."
    )


class BackendError(BriefingError):
    hint = "Check the answer backend setting (BRIEFING_BACKEND) and that its server runs."


class EmptyIndex(BriefingError):
    hint = "Index some articles first: briefing index PATH"
