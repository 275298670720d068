"""Candidate sentences of retrieved paragraphs, with their offsets in the paragraph."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.text import sentence_spans
from vectorstore.models import Hit


@dataclass(frozen=True, slots=True)
class Sentence:
    hit: Hit
    rank: int  # rank of its paragraph in retrieval
    start: int  # offsets within hit.text
    end: int

    @property
    def text(self) -> str:
        return self.hit.text[self.start : self.end]


def split_hits(hits: list[Hit], min_chars: int = 25) -> list[Sentence]:
    """Sentences of each hit; fragments shorter than ``min_chars`` (headings, datelines) are
    left out because they cannot support a claim on their own."""
    return [
        Sentence(hit, rank, s, e)
        for rank, hit in enumerate(hits)
        for s, e in sentence_spans(hit.text)
        if e - s >= min_chars
    ]
