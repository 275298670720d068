"""Split an article body into its own paragraphs, keeping exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.models import Paragraph
from ingest.text import sentence_spans, stripped

# MiniLM reads 256 word pieces (~1,250 chars of English) and silently drops the rest; 1,000
# chars keeps a paragraph and its title inside that window and within a 1,000-char context.
MAX_PARAGRAPH_CHARS = 1000
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"\n")


def spans(text: str, separator: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Non-blank pieces of ``text`` between separators, stripped, as (start, end)."""
    pos = 0
    for match in separator.finditer(text):
        yield from stripped(text, pos, match.start())
        pos = match.end()
    yield from stripped(text, pos, len(text))


def _split_oversize(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Group sentences of one long paragraph into pieces of at most ``limit`` characters;
    a sentence longer than that is cut at spaces (``_cut``)."""
    piece_start: int | None = None
    piece_end = start
    for s, e in sentence_spans(text, start, end):
        if piece_start is not None and e - piece_start > limit:
            yield piece_start, piece_end
            piece_start = None
        if e - s > limit:
            yield from _cut(text, s, e, limit)
            continue
        if piece_start is None:
            piece_start = s
        piece_end = e
    if piece_start is not None:
        yield piece_start, piece_end


def _cut(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, each ending at the last
    space that fits (a run without any space is cut at the limit), stripped."""
    while end - start > limit:
        space = text.rfind(" ", start + 1, start + limit + 1)
        cut = space if space > start else start + limit
        yield from stripped(text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield from stripped(text, start, end)


def split_paragraphs(
    article_id: str, body: str, max_chars: int = MAX_PARAGRAPH_CHARS
) -> tuple[Paragraph, ...]:
    """The article's own paragraphs: blank-line separated, or one per line when it has no
    blank lines. Paragraphs over ``max_chars`` are split at sentence boundaries."""
    separator = _BLANK_LINE if _BLANK_LINE.search(body) else _LINE
    pieces: list[tuple[int, int]] = []
    for start, end in spans(body, separator):
        if end - start > max_chars:
            pieces.extend(_split_oversize(body, start, end, max_chars))
        else:
            pieces.append((start, end))
    return tuple(Paragraph(article_id, i, body[s:e], s, e) for i, (s, e) in enumerate(pieces))
