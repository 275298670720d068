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
    left out because they cannot support a claim on their own. A quotation running over
    several sentences stays one, so a quote keeps its closing "..., he said"."""
    return [
        Sentence(hit, rank, s, e)
        for rank, hit in enumerate(hits)
        for s, e in quoted_spans(hit.text, sentence_spans(hit.text))
        if e - s >= min_chars
    ]


_OPEN, _CLOSE = "“", "”"
MAX_QUOTED = 4  # sentences one quotation may join


def quoted_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with the sentences of one quotation joined: a sentence that opens a curly
    quote it does not close runs on to the sentence that closes it (at most ``MAX_QUOTED``)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        j = i
        depth = text.count(_OPEN, start, end) - text.count(_CLOSE, start, end)
        while depth > 0 and j + 1 < len(spans) and j - i + 1 < MAX_QUOTED:
            j += 1
            s, e = spans[j]
            depth += text.count(_OPEN, s, e) - text.count(_CLOSE, s, e)
        if depth > 0:
            j = i  # never closed: keep the sentence alone
        out.append((start, spans[j][1]))
        i = j + 1
    return out
