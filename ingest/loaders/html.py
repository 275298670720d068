"""HTML pages: main text and metadata extracted with trafilatura, boilerplate dropped.

The body is rebuilt from the page's own text blocks (paragraphs, list items, table rows,
quotes), one per paragraph, so that paragraph boundaries are the page's and not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.models import Article

# trafilatura's output tree: blocks whose text becomes one paragraph each.
_BLOCKS = frozenset({"p", "item", "row", "quote", "code"})
_WS = re.compile(r"\s+")


def read_html(location: str, html: str, url: str | None = None) -> Iterator[Article]:
    """One article from a page; ``url`` is where it was fetched from (the page's canonical
    link wins when it has one)."""
    import trafilatura

    doc: Any  # a trafilatura Document (or None when the page has no main text)
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            favor_precision=True,
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds for broken markup
        raise IngestError(location, f"cannot parse HTML: {exc.__class__.__name__}") from exc
    paragraphs = _paragraphs(doc.body) if doc is not None and doc.body is not None else []
    title = _clean(doc.title) if doc is not None else None
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise IngestError(location, "no article text found in the page")
    yield build_article(
        location,
        body="\n\n".join(paragraphs),
        title=title,
        source=doc.sitename or doc.hostname,
        url=doc.url or url,
        published_at=doc.date,
        author=doc.author,
    )


def _paragraphs(body: Any) -> list[str]:
    """Text of each innermost block; headings are left out (they are not paragraphs)."""
    for br in body.iter("lb"):  # a line break inside a paragraph is a space, not a new one
        br.tail = " " + (br.tail or "")
    out = []
    for el in body.iter(*_BLOCKS):
        if any(d is not el for d in el.iter(*_BLOCKS)):
            continue  # the inner blocks are taken one by one
        if el.tag == "row":
            text = " | ".join(t for t in (_clean("".join(c.itertext())) for c in el) if t)
        else:
            text = _clean("".join(el.itertext())) or ""
        if text:
            out.append(text)
    return out


def _clean(text: str | None) -> str | None:
    return _WS.sub(" ", text).strip() or None if text else None
