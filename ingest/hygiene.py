"""Paragraphs that are not the story: captions, photo credits, bylines, sub-headings,
copyright lines and newsletter or "read more" boilerplate.

They stay in the index (a sub-heading gives its section context) but are never cited as
evidence and are shown greyed. Recognised from the paragraph's own text, so an index built
before this existed gets the same treatment without re-indexing.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    CAPTION = "caption"
    CREDIT = "credit"
    BYLINE = "byline"
    HEADING = "heading"
    COPYRIGHT = "copyright"
    BOILERPLATE = "boilerplate"

    @property
    def citable(self) -> bool:
        return self is Kind.TEXT


_I = re.IGNORECASE
_CREDIT = re.compile(
    r"^\(?\s*(photo|photograph|image|picture|video|illustration|graphic|file photo|credit)s?"
    r"(\s+(by|credit|courtesy))?\s*[:/|-]"
    r"|\b(getty images|afp via getty|ap photo|associated press photo|epa-efe|shutterstock"
    r"|via reuters|pool photo)\b|\b(reuters|afp|ap|epa|anadolu)/\s?[A-Z]",
    _I,
)
_CAPTION_START = re.compile(r"^(file photo|pictured|above|left|right|top|bottom|inset)\b[:,]", _I)
_BYLINE = re.compile(
    r"^(?i:by|reporting by|written by|additional reporting by|editing by|compiled by)\s+"
    r"[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}(\s*(,|and|&|;|in)\s*[A-Z][\w.'’ -]+)*\.?$"
    r"|^(?i:reporting|writing|editing) by\b",
)
_COPYRIGHT = re.compile(
    r"(©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b|\bmay not be (re)?published\b"
    r"|\bthis material may not be\b)",
    _I,
)
_BOILERPLATE = re.compile(
    r"^(read more|read also|see also|related|more on this|recommended|advertisement|sponsored"
    r"|watch|listen|follow us|click here|sign up|subscribe|share this|trending|most read"
    r"|don't miss|you may also like|join our|get our|download our)\b"
    r"|\b(sign up (for|to) (our|the)\b.*newsletter|subscribe to (our|the)\b|newsletter\b.*\binbox"
    r"|follow (us|@\w+) on (twitter|x|facebook|instagram|telegram)"
    r"|(we|our journalism) (are|is) (reader-funded|supported by readers))",
    _I,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

HEADING_MAX_WORDS = 12
CAPTION_MAX_CHARS = 400


def paragraph_kind(text: str) -> Kind:
    """What a paragraph is, from its text alone. Conservative: a paragraph of ordinary
    sentences is TEXT even when it mentions a photo or a newsletter in passing."""
    stripped = " ".join(text.split())
    if not stripped:
        return Kind.BOILERPLATE
    words = _WORD.findall(stripped)
    short = len(stripped) <= CAPTION_MAX_CHARS
    if _COPYRIGHT.search(stripped) and (short or _COPYRIGHT.match(stripped)):
        return Kind.COPYRIGHT  # long licence notices open with their "©"
    if short and _BYLINE.search(stripped):
        return Kind.BYLINE
    if short and _CREDIT.search(stripped):
        # "Soldiers march in Kyiv. REUTERS/Gleb Garanich": a caption ending in its credit
        return Kind.CREDIT if len(words) <= 8 else Kind.CAPTION
    if short and _CAPTION_START.search(stripped):
        return Kind.CAPTION
    if short and _BOILERPLATE.search(stripped):
        return Kind.BOILERPLATE
    if (
        len(words) <= HEADING_MAX_WORDS
        and not _SENTENCE_END.search(stripped)
        and not stripped.endswith((":", ","))
        and stripped[:1].isupper()
    ):
        return Kind.HEADING  # a sub-heading: short, no sentence end
    return Kind.TEXT


def is_citable(text: str) -> bool:
    return paragraph_kind(text).citable
