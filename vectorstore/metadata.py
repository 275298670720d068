"""A passage as Chroma metadata and back: the one mapping between the records and what
each stored paragraph carries in the collection (the lexical index saves the same)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage


def date_ordinal(iso: str | None) -> int | None:
    """Days since 0001-01-01 of an ISO date, for range filters in Chroma (numbers only)."""
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


def passage_metadata(article: ArticleRef, paragraph: Paragraph) -> dict[str, Any]:
    """The metadata stored with ``paragraph`` (its text is the document, its id the key)."""
    meta: dict[str, Any] = {
        "article_id": article.id,
        "index": paragraph.index,
        "char_start": paragraph.char_start,
        "char_end": paragraph.char_end,
        "title": article.title,
        "source": article.source,
        "content_hash": article.content_hash,
        "url": article.url,
        "published_at": article.published_at,
        "published_day": date_ordinal(article.published_at),
        "author": article.author,
    }
    return {k: v for k, v in meta.items() if v is not None}  # Chroma rejects None values


def passage_from(text: str, meta: dict[str, Any]) -> Passage:
    """The passage of a stored paragraph, from its document text and metadata."""
    article_id = str(meta["article_id"])
    article = ArticleRef(
        id=article_id,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        content_hash=str(meta.get("content_hash", "")),
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        author=meta.get("author"),
    )
    paragraph = Paragraph(
        article_id=article_id,
        index=int(meta["index"]),
        text=text,
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
    )
    return Passage(article, paragraph)
