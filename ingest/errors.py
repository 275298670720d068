"""Errors raised while reading articles; always name the location and the reason."""


class IngestError(Exception):
    """An input could not be turned into an article."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason
