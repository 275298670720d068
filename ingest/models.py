"""Domain records of the ingest layer: an Article and its own Paragraphs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of an article; ``article.body[char_start:char_end] == text``."""

    article_id: str
    index: int
    text: str
    char_start: int
    char_end: int

    @property
    def id(self) -> str:
        return paragraph_id(self.article_id, self.index)


def paragraph_id(article_id: str, index: int) -> str:
    return f"{article_id}:{index}"


@dataclass(frozen=True, slots=True)
class Article:
    """A news article. ``id`` derives from its canonical URL or, without one, its text."""

    id: str
    title: str
    source: str
    body: str
    content_hash: str
    url: str | None = None
    published_at: str | None = None  # ISO date (YYYY-MM-DD) or datetime
    author: str | None = None
    location: str | None = None  # the path or URL it was read from
    paragraphs: tuple[Paragraph, ...] = field(default=(), compare=False, repr=False)
