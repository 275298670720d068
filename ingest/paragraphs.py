"""Split an article body into its own paragraphs, keeping exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.models import Paragraph

# MiniLM reads 256 word pieces (~1,250 chars of English) and silently drops the rest; 1,000
# chars keeps a paragraph and its title inside that window and within a 1,000-char context.
MAX_PARAGRAPH_CHARS = 1000
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"\n")
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and a capital, digit or opening quote — unless the dot ends a known abbreviation or an initial.
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt sgt adm gov sen rep st jr sr co corp
    inc ltd no vs etc jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.g i.e""".split()  # noqa: SIM905
)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at ``dot`` ends an abbreviation ('Gen.', 'Oct.', 'U.S.', 'J.')."""
    if text[dot] != ".":
        return False
    match = _LAST_WORD.search(text, max(0, dot - 12), dot + 1)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or len(word) == 1


def spans(text: str, separator: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Non-blank pieces of ``text`` between separators, stripped, as (start, end)."""
    pos = 0
    for match in separator.finditer(text):
        yield from _stripped(text, pos, match.start())
        pos = match.end()
    yield from _stripped(text, pos, len(text))


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    result: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if _is_abbreviation(text, match.start()):
            continue
        result.extend(_stripped(text, pos, match.end()))
        pos = match.end()
    result.extend(_stripped(text, pos, end))
    return result


def sentences_or_whole(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, or the whole of it when it has none: how BM25 and the
    sentence vectors both split a paragraph."""
    return sentence_spans(text) or [(0, len(text))]


def _split_oversize(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Group sentences of one long paragraph into pieces of at most ``limit`` characters."""
    piece_start: int | None = None
    piece_end = start
    for s, e in sentence_spans(text, start, end):
        if piece_start is not None and e - piece_start > limit:
            yield piece_start, piece_end
            piece_start = None
        if piece_start is None:
            piece_start = s
        piece_end = e
    if piece_start is not None:
        yield piece_start, piece_end


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
