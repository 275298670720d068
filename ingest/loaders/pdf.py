"""PDF articles read with pypdf; metadata from the document info (title, author, date).

pypdf's layout mode keeps the vertical gaps between text blocks as blank lines, which is
where a PDF's paragraphs are; lines inside a paragraph are joined back together.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.models import Article

_BLANK = re.compile(r"\n[ \t]*\n")
_PAGE_NUMBER = re.compile(r"(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?", re.I)
_SENTENCE_END = (".", "!", "?", '"', "”", "’", ":", ")")
# pypdf logs what it repairs in damaged files; the analyst gets one line per file from us.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read_pdf(location: str, data: bytes) -> Iterator[Article]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(location, "the PDF is encrypted")
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
        info = reader.metadata
        title = info.title if info else None
        author = info.author if info else None
        created = _creation_date(info)
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        # pypdf reports broken files with its own errors and, for some, plain ones
        raise IngestError(location, f"malformed PDF: {_reason(exc)}") from exc
    paragraphs = _paragraphs(pages)
    if not paragraphs:
        raise IngestError(location, "no extractable text in the PDF (a scanned image?)")
    if not title and len(paragraphs) > 1 and len(paragraphs[0]) <= 150:
        title, paragraphs = paragraphs[0], paragraphs[1:]
    elif paragraphs and title and paragraphs[0] == title.strip():
        paragraphs = paragraphs[1:] or paragraphs
    yield build_article(
        location, body="\n\n".join(paragraphs), title=title, author=author, published_at=created
    )


def _creation_date(info: object) -> object:
    try:
        return getattr(info, "creation_date", None)
    except (ValueError, TypeError):  # an unparseable date string is just unknown
        return None


def _reason(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__


def _paragraphs(pages: list[str]) -> list[str]:
    """Paragraphs of all pages; one that runs over a page break is joined back."""
    out: list[str] = []
    for page in pages:
        blocks = [_join_lines(b) for b in _BLANK.split(page)]
        blocks = [b for b in blocks if b and not _PAGE_NUMBER.fullmatch(b)]
        if out and blocks and not out[-1].endswith(_SENTENCE_END) and blocks[0][:1].islower():
            out[-1] = f"{out[-1]} {blocks.pop(0)}"
        out.extend(blocks)
    return out


def _join_lines(block: str) -> str:
    text = ""
    for line in (ln.strip() for ln in block.splitlines()):
        if not line:
            continue
        if text.endswith("-") and line[:1].islower():
            text += line  # a word hyphenated at the line end
        else:
            text = f"{text} {line}" if text else line
    return re.sub(r"[ \t]{2,}", " ", text)
