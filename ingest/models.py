"""Domain records of the ingest layer: an Article (its reference fields, ArticleRef, and
its text) and its own Paragraphs."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


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
class ArticleRef:
    """What identifies and cites an article, defined once: stored with each of its
    paragraphs, carried by search results and citations, written to exports. ``id`` derives
    from its canonical URL or, without one, its text."""

    id: str
    title: str
    source: str
    content_hash: str
    url: str | None = None
    published_at: str | None = None  # ISO date (YYYY-MM-DD) or datetime
    author: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article(ArticleRef):
    """A news article: its reference fields, its text and where it was read."""

    body: str
    location: str | None = None  # the path or URL it was read from
    paragraphs: tuple[Paragraph, ...] = field(default=(), compare=False, repr=False)

    @property
    def ref(self) -> ArticleRef:
        """The reference alone (without the body), for records that outlive ingest."""
        return ArticleRef(*(getattr(self, f.name) for f in fields(ArticleRef)))
