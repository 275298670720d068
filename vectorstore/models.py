"""Records returned by the vector store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved paragraph with the metadata of its article and its retrieval score."""

    paragraph_id: str
    article_id: str
    index: int
    text: str
    char_start: int
    char_end: int
    title: str
    source: str
    url: str | None
    published_at: str | None
    author: str | None
    content_hash: str
    score: float = 0.0
