"""Assemble an Article from loaded fields: ids, hash, normalised date, paragraphs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ingest.errors import IngestError
from ingest.ids import article_id, content_hash
from ingest.models import Article
from ingest.paragraphs import split_paragraphs


def normalise_date(value: Any) -> str | None:
    """ISO date (YYYY-MM-DD) from a date, datetime or ISO-like string; None when unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


MAX_FIELD_CHARS = 2000


def _clean(location: str, name: str, value: Any) -> str | None:
    """A metadata field as text: a scalar, or a flat list of scalars (several authors).
    Nested values are refused, so YAML aliases cannot blow a small file up."""
    if value is None:
        return None
    if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        text = ", ".join(str(v).strip() for v in value if v is not None)
    elif isinstance(value, list | dict):
        raise IngestError(location, f"field '{name}' must be text, not a nested structure")
    else:
        text = str(value)
    if len(text) > MAX_FIELD_CHARS:
        raise IngestError(location, f"field '{name}' is over {MAX_FIELD_CHARS} characters")
    return text.strip() or None


def build_article(
    location: str,
    *,
    body: Any,
    title: Any = None,
    source: Any = None,
    url: Any = None,
    published_at: Any = None,
    author: Any = None,
) -> Article:
    """Validate fields and build the Article; raises IngestError naming ``location``."""
    if not isinstance(body, str):
        raise IngestError(location, "missing article body" if body is None else "body is not text")
    if "\x00" in body:
        raise IngestError(location, "body contains NUL bytes (binary data?)")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise IngestError(location, "article body is empty")
    title_text = _clean(location, "title", title) or _first_line(body)
    source_text = _clean(location, "source", source) or "unknown"
    url_text = _clean(location, "url", url)
    date_text = normalise_date(_clean(location, "published_at", published_at))
    author_text = _clean(location, "author", author)
    meta = "\x1f".join(x or "" for x in (source_text, url_text, date_text, author_text))
    aid = article_id(url_text, title_text, body)
    return Article(
        id=aid,
        title=title_text,
        source=source_text,
        body=body,
        content_hash=content_hash(title_text, body, meta),
        url=url_text,
        published_at=date_text,
        author=author_text,
        location=location,
        paragraphs=split_paragraphs(aid, body),
    )


def _first_line(body: str) -> str:
    line = body.strip().split("\n", 1)[0].strip()
    return line[:120] + ("…" if len(line) > 120 else "")
