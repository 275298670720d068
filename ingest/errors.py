"""Errors raised while reading articles; always name the location and the reason."""


class IngestError(Exception):
    """An input could not be turned into an article."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


class MissingPath(IngestError):
    """A path given to index does not exist (with --prune: what it held is gone)."""


class Unreadable(IngestError):
    """A path that exists but could not be listed or stat'ed (permissions, I/O): what it
    holds is unknown, not gone (``index --prune`` never removes it)."""


class UnreadableFolder(Unreadable):
    """A folder that exists but could not be listed: what it holds is unknown, not gone."""
