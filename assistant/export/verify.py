"""Re-check an exported JSON document against the current index: is each cited paragraph
still there, each quote still verbatim in it, and its article's content hash unchanged?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.errors import ExportError
from assistant.export.schema import CitationOut, SchemaError, document_citations, parse_document
from vectorstore.manifest import ManifestEntry
from vectorstore.models import Passage

OK = "ok"
CHANGED = "changed"  # the article's content differs from the exported one
VANISHED = "vanished"  # the article is no longer indexed
MISSING = "missing"  # same article content, but the paragraph or quote is not in the index


class _Store(Protocol):
    def get(self, paragraph_ids: Sequence[str]) -> list[Passage]: ...


class _Manifest(Protocol):
    def get(self, article_id: str) -> ManifestEntry | None: ...
    def entries(self) -> list[ManifestEntry]: ...


@dataclass(frozen=True, slots=True)
class QuoteCheck:
    turn: int  # from 1; always 1 for an answer document
    citation: CitationOut
    status: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def label(self) -> str:
        c = self.citation
        return f"[{c.n}] {c.title} — {c.source}, paragraph {c.paragraph_index + 1}"


def read_document_file(path: Path) -> list[tuple[int, CitationOut]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return document_citations(parse_document(data))
    except SchemaError as exc:
        raise ExportError(f"{path}: not a briefing JSON export: {exc}") from exc


def check_quote(
    c: CitationOut, passage: Passage | None, entry: ManifestEntry | None
) -> tuple[str, str]:
    """(status, detail) of one exported citation given what the index holds now."""
    if (entry is None or entry.state != "done") and passage is None:
        return VANISHED, "the article is no longer indexed"
    current_hash = entry.content_hash if entry else passage.article.content_hash if passage else ""
    changed = current_hash != c.content_hash
    if passage is None:
        detail = f"paragraph {c.paragraph_index + 1} is no longer in the article"
        return (CHANGED, "article changed: " + detail) if changed else (MISSING, detail)
    if c.quote not in passage.text:
        detail = f"the quote is no longer verbatim in paragraph {c.paragraph_index + 1}"
        return (CHANGED, "article changed: " + detail) if changed else (MISSING, detail)
    if changed:
        return CHANGED, (
            f"article changed since the export (content hash {c.content_hash[:12]}… is now "
            f"{current_hash[:12]}…); the quote is still verbatim in paragraph "
            f"{c.paragraph_index + 1}"
        )
    return OK, "quote verbatim, article unchanged"


def _same_title_hint(c: CitationOut, manifest: _Manifest) -> str:
    """Articles without a URL are identified by their text: an edited one gets a new id."""
    for e in manifest.entries():
        if e.title == c.title and e.source == c.source and e.id != c.article_id:
            return f"; an article with the same title and publisher is indexed as {e.id}"
    return ""


def verify(
    citations: Sequence[tuple[int, CitationOut]], store: _Store, manifest: _Manifest
) -> list[QuoteCheck]:
    stored = {p.id: p for p in store.get(sorted({c.paragraph_id for _, c in citations}))}
    checks = []
    for turn, c in citations:
        status, detail = check_quote(c, stored.get(c.paragraph_id), manifest.get(c.article_id))
        if status == VANISHED:
            detail += _same_title_hint(c, manifest)
        checks.append(QuoteCheck(turn, c, status, detail))
    return checks
