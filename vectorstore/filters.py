"""Search filters by publisher, date range and article, applied to hits and BM25 rows alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingest.models import ArticleRef


@dataclass(frozen=True, slots=True)
class Filters:
    sources: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    article_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sources or self.since or self.until or self.article_ids)

    def accepts(self, article: ArticleRef) -> bool:
        """The same test in Python, on the article of a paragraph."""
        if self.sources and article.source not in self.sources:
            return False
        if self.article_ids and article.id not in self.article_ids:
            return False
        if self.since or self.until:
            if not article.published_at:
                return False
            day = dt.date.fromisoformat(article.published_at[:10])
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return True
