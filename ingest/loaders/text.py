"""Plain text and Markdown (with optional YAML front matter)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.models import Article

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_BLANK = re.compile(r"\n[ \t]*\n")


def read_text(location: str, text: str) -> Iterator[Article]:
    """A .txt article: a short first paragraph without final punctuation is its title."""
    title, body = _split_title(text)
    yield build_article(location, body=body, title=title)


def read_markdown(location: str, text: str) -> Iterator[Article]:
    meta: dict[str, object] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise IngestError(location, f"invalid front matter: {exc.__class__.__name__}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise IngestError(location, "front matter is not a mapping of fields")
        meta = loaded or {}
        text = text[match.end() :]
    title = meta.get("title")
    if title is None:
        heading = re.match(r"\s*#\s+(.+)\n", text)
        if heading:
            title, text = heading.group(1).strip(), text[heading.end() :]
    else:
        title, text = title, text
    yield build_article(
        location,
        body=text,
        title=title,
        source=meta.get("source") or meta.get("publisher"),
        url=meta.get("url"),
        published_at=meta.get("published_at") or meta.get("date"),
        author=meta.get("author"),
    )


def _split_title(text: str) -> tuple[str | None, str]:
    stripped = text.lstrip()
    match = _BLANK.search(stripped)
    if not match:
        return None, text
    first = stripped[: match.start()].strip()
    if "\n" in first or len(first) > 200 or first.endswith((".", "!", "?", '"', "”")):
        return None, text
    return first, stripped[match.end() :]
