"""Search filters by publisher, date range and article, applied to hits and BM25 rows alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vectorstore.models import Hit


@dataclass(frozen=True, slots=True)
class Filters:
    sources: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    article_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sources or self.since or self.until or self.article_ids)

    def accepts(self, hit: Hit) -> bool:
        """The same test in Python (for the lexical index)."""
        if self.sources and hit.source not in self.sources:
            return False
        if self.article_ids and hit.article_id not in self.article_ids:
            return False
        if self.since or self.until:
            if not hit.published_at:
                return False
            day = dt.date.fromisoformat(hit.published_at[:10])
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return True
