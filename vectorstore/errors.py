"""Errors of the index shown to the analyst as a message (the CLI and the UI print them).

They live here, below the assistant, because the index handle raises them; the assistant's
own errors (``assistant.errors``) derive from the same ``BriefingError``.
"""

import errno
import shutil
from pathlib import Path


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


_NEARLY_FULL = 1 << 20  # bytes free under which a failing write is blamed on the disk


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return _NEARLY_FULL  # unknown: not blamed on the disk


DISK_FULL_HINT = (
    "The disk holding the data dir is full: free some space (df -h) and run the command "
    "again. Nothing indexed before was lost; the next `briefing index` finishes the batch."
)
DAMAGED_MANIFEST_HINT = (
    "The manifest (manifest.sqlite3 in the data dir) is damaged: move it aside and run "
    "`briefing repair PATH...` with the folders and files you indexed."
)


def data_dir_error(message: str, exc: BaseException, data_dir: Path | None = None) -> DataDirError:
    """A failure of the data dir's files, with the hint that fits its cause: a full disk, a
    damaged manifest, or a folder that cannot be written. SQLite often says only "disk I/O
    error" when it cannot grow a file, so the free space itself is looked at too."""
    text = str(exc).lower()
    if getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in text:
        return DataDirError(message, hint=DISK_FULL_HINT)
    if data_dir is not None and _free_bytes(data_dir) < _NEARLY_FULL:
        return DataDirError(message, hint=DISK_FULL_HINT)
    if "not a database" in text or "malformed" in text:
        return DataDirError(message, hint=DAMAGED_MANIFEST_HINT)
    return DataDirError(message)


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


class IndexDamaged(BriefingError):
    """The store and the manifest disagree: vectors lost, or a manifest lost or damaged."""

    hint = (
        "Run `briefing repair` (or `briefing index` with the folders you indexed): it reads "
        "again the articles whose vectors are missing and deletes vectors no article owns."
    )


class StoreDamaged(BriefingError):
    """The embedded store's own files are damaged (its SQLite file malformed or cut short):
    no command can read it, and running one again changes nothing."""

    hint = (
        "Run `briefing repair`: it sets the damaged store aside (kept in a damaged-store-* "
        "folder of the data dir) and rebuilds it from the manifest and the files and URLs the "
        "articles were read from, naming any it cannot read."
    )


def is_damaged_file(reason: str) -> bool:
    """Whether a store error says its SQLite file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    text = reason.lower()
    return any(
        mark in text
        for mark in ("malformed", "not a database", "(code: 11)", "(code: 26)", "database corrupt")
    )


class ReadOnlyIndex(BriefingError):
    hint = (
        "The data dir is read-only: questions and `briefing status` work; to index, copy "
        "the data dir somewhere writable and point BRIEFING_DATA_DIR at the copy."
    )
