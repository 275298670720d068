"""Answer records: an Answer's text carries [n] markers, each resolved to a Citation."""

from __future__ import annotations

from dataclasses import dataclass

from vectorstore.models import Hit

REFUSAL = "The indexed articles do not answer this."


@dataclass(frozen=True, slots=True)
class Citation:
    """Marker ``[number]``: the sentence ``quote`` at ``quote_start:quote_end`` of
    ``paragraph.text``."""

    number: int
    paragraph: Hit
    quote: str
    quote_start: int
    quote_end: int
    speaker: str | None = None
    stance: str = "unattributed"
    sources_count: int = 1


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    unsupported: tuple[str, ...] = ()
    related: tuple[Hit, ...] = ()
    # markers a generated answer used that cite no provided source (or one that does not
    # support the sentence): removed from ``text`` and reported here
    removed_markers: tuple[int, ...] = ()
