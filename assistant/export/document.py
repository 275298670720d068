"""The one view every export format renders: sections of marked-up answer text and their
numbered references. Built from an Answer or a Conversation; formats only lay it out.

All strings here are plain, untrusted text (article text, titles, even URLs): each renderer
escapes them for its own format. ``link_url`` is the only URL a renderer may turn into a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant.citations import MARKER
from assistant.models import Answer, Citation

if TYPE_CHECKING:
    from assistant.conversations import Conversation

# Characters XML (DOCX) rejects and no document should carry: C0 controls but tab/newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SAFE_SCHEMES = frozenset({"http", "https"})
_URL_BREAKERS = re.compile(r"[\s<>\"'`\\]")

ANSWER_TITLE = "Briefing answer"
UNSUPPORTED_HEADING = "Not supported by the cited paragraphs (removed)"
RELATED_HEADING = "Related paragraphs (not citations)"
REMOVED_HEADING = "Markers removed (they cited no provided source)"


def clean(text: str | None) -> str:
    """Text without control characters (which no format can hold)."""
    return _CONTROL.sub("", text or "")


def safe_link(url: str | None) -> str | None:
    """The URL when it may become a clickable link: http(s) with a host, nothing that could
    break out of an attribute or a Markdown link. Anything else is shown as text only."""
    if not url or _URL_BREAKERS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in _SAFE_SCHEMES and parts.netloc else None


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of answer text, or a marker ``[number]`` (then ``text`` is ``"[number]"``)."""

    text: str
    marker: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    number: int
    anchor: str  # unique in the document: "ref-N" (answer) or "ref-T-N" (conversation turn T)
    title: str
    publisher: str
    date: str
    url: str | None
    link_url: str | None
    paragraph: int  # from 1, as people count
    quote: str
    stance: str
    speaker: str | None
    content_hash: str
    article_id: str
    paragraph_id: str
    sources_count: int

    @property
    def marker(self) -> str:
        return f"[{self.number}]"

    @property
    def heading(self) -> str:
        """``Title — Publisher, date, paragraph N`` (the marker goes before it)."""
        return f"{self.title} — {self.publisher}, {self.date}, paragraph {self.paragraph}"

    @property
    def stance_label(self) -> str:
        return f"{self.stance} (speaker: {self.speaker})" if self.speaker else self.stance

    def fields(self) -> list[tuple[str, str]]:
        """Labelled details every format lists under the quote (URL separately)."""
        rows = [
            ("Publisher", self.publisher),
            ("Date", self.date),
            ("Paragraph", str(self.paragraph)),
            ("Stance", self.stance_label),
        ]
        if self.sources_count > 1:
            rows.append(("Independent sources", str(self.sources_count)))
        rows += [
            ("Article", self.article_id),
            ("Content hash", self.content_hash),
        ]
        return rows


@dataclass(frozen=True, slots=True)
class Section:
    """One question and its answer."""

    number: int
    question: str
    asked_at: str | None
    segments: tuple[Segment, ...]
    references: tuple[Reference, ...]
    refused: bool
    unsupported: tuple[str, ...]
    related: tuple[str, ...]
    removed: tuple[str, ...] = ()

    def notes(self) -> list[tuple[str, tuple[str, ...]]]:
        """Lists shown after the answer: (heading, items), only the non-empty ones."""
        lists = [
            (UNSUPPORTED_HEADING, self.unsupported),
            (REMOVED_HEADING, self.removed),
            (RELATED_HEADING, self.related),
        ]
        return [(h, items) for h, items in lists if items]

    def anchor_of(self, number: int) -> str:
        return next(r.anchor for r in self.references if r.number == number)


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str | None
    sections: tuple[Section, ...]
    conversation: bool


def segments(text: str, numbers: set[int]) -> tuple[Segment, ...]:
    """Split answer text at the markers of ``numbers``; other bracketed numbers stay text."""
    out: list[Segment] = []
    pos = 0
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        if n not in numbers:
            continue
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()]))
        out.append(Segment(m.group(0), n))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def reference(c: Citation, anchor: str) -> Reference:
    a, p = c.passage.article, c.passage.paragraph
    return Reference(
        number=c.number,
        anchor=anchor,
        title=clean(a.title) or "Untitled",
        publisher=clean(a.source) or "unknown publisher",
        date=clean(a.published_at) or "undated",
        url=clean(a.url) or None,
        link_url=safe_link(clean(a.url)),
        paragraph=p.index + 1,
        quote=clean(c.quote),
        stance=clean(c.stance),
        speaker=clean(c.speaker) or None,
        content_hash=clean(a.content_hash),
        article_id=clean(a.id),
        paragraph_id=clean(p.id),
        sources_count=c.sources_count,
    )


def section(answer: Answer, number: int, asked_at: str | None, anchor_prefix: str) -> Section:
    refs = tuple(reference(c, f"{anchor_prefix}{c.number}") for c in answer.citations)
    related = tuple(
        f"{clean(r.article.title)} — {clean(r.article.source)}, "
        f"{clean(r.article.published_at) or 'undated'}, paragraph {r.paragraph.index + 1}"
        for r in answer.related
    )
    return Section(
        number=number,
        question=clean(answer.question),
        asked_at=asked_at,
        segments=segments(clean(answer.text), {r.number for r in refs}),
        references=refs,
        refused=answer.refused,
        unsupported=tuple(clean(s) for s in answer.unsupported),
        related=related,
        removed=tuple(f"[{n}]" for n in answer.removed_markers),
    )


def from_answer(answer: Answer) -> Document:
    return Document(ANSWER_TITLE, None, (section(answer, 1, None, "ref-"),), conversation=False)


def from_conversation(conv: Conversation) -> Document:
    sections = tuple(
        section(t.answer, i, t.asked_at, f"ref-{i}-") for i, t in enumerate(conv.turns, start=1)
    )
    parts = [f"Conversation {conv.id}" if conv.id is not None else "Conversation"]
    if conv.created_at:
        parts.append(f"started {conv.created_at}")
    parts.append(f"{len(sections)} question{'s' if len(sections) != 1 else ''}")
    return Document(clean(conv.title) or "Briefing", " · ".join(parts), sections, True)
