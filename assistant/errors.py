"""Errors of the assistant; turned into messages only at the edges (CLI, UI).

The base and the index's errors are defined below the assistant, where the index handle
raises them (``vectorstore.errors``); they are importable from here too.
"""

from vectorstore.errors import (
    BriefingError,
    DataDirError,
    IndexBusy,
    IndexOutdated,
    ModelMismatch,
    StoreUnavailable,
)

__all__ = [
    "BackendError",
    "BriefingError",
    "ConversationNotFound",
    "ConversationStoreError",
    "DataDirError",
    "ExportError",
    "IndexBusy",
    "IndexOutdated",
    "ModelMismatch",
    "SettingsInvalid",
    "StoreUnavailable",
]


class BackendError(BriefingError):
    hint = "Check the answer backend setting (BRIEFING_BACKEND) and that its server runs."


class ConversationNotFound(BriefingError):
    hint = "List saved conversations with: briefing conversations"


class ConversationStoreError(BriefingError):
    hint = "Check that the data dir (BRIEFING_DATA_DIR) is writable and not full."


class ExportError(BriefingError):
    """An export could not be written or an exported file could not be read."""

    hint = "Formats: md, json, html, docx, pdf; verify reads the JSON written by --format json."


class SettingsInvalid(BriefingError):
    """Settings out of their bounds: ``problems`` holds one line per bad setting, naming its
    variable, its value and what is allowed (no hint: the line says it all)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), hint="")
        self.problems = problems
