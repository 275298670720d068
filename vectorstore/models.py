"""Records returned by the vector store: a stored paragraph (Passage) and a search result
(Hit). They compose the ingest records rather than restate their fields."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.models import ArticleRef, Paragraph


@dataclass(frozen=True, slots=True)
class Passage:
    """A stored paragraph with the reference of its article (what ``store.get`` and
    ``store.iter_all`` return, and what a citation cites)."""

    article: ArticleRef
    paragraph: Paragraph

    @property
    def id(self) -> str:
        return self.paragraph.id

    @property
    def text(self) -> str:
        return self.paragraph.text


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found by a search, with its retrieval score. ``id``, ``text`` and
    ``article`` are the passage's (the search result reads like what it found)."""

    passage: Passage
    score: float = 0.0

    @property
    def article(self) -> ArticleRef:
        return self.passage.article

    @property
    def id(self) -> str:
        return self.passage.id

    @property
    def text(self) -> str:
        return self.passage.text
