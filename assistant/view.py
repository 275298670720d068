"""The one view of an answer that every presentation renders: the terminal text
(assistant/render_text.py), the chat (ui/render.py) and each export format (assistant/export/).
Built from an Answer or a Conversation, it holds what they share: the headings, "undated",
paragraph numbers counted from 1, the stance phrases (from assistant.models.Stance), and which
URL may become a link. A presentation only lays the view out and escapes it for its medium.

All strings here are plain, untrusted text (article text, titles, even URLs): each renderer
escapes them for its own format. ``link_url`` is the only URL a renderer may turn into a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant.citations import MARKER, escape_quoted, unescape
from assistant.models import Answer, Citation, Stance
from ingest.hygiene import paragraph_kind
from vectorstore.filters import Filters

if TYPE_CHECKING:
    from assistant.conversations import Conversation
    from vectorstore.models import Passage

# The Unicode bidi controls (embeddings, overrides, isolates, marks): they reorder how a
# terminal or a page shows the text around them ("gnp.\u202etxt" reads "txt.png"), so what
# is shown never carries them; the JSON keeps them, escaped (assistant.export.schema).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters XML (DOCX) rejects and no document should carry: C0 controls but tab/newline,
# and the bidi controls.
_CONTROL = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff{BIDI_CONTROLS}]")
_SAFE_SCHEMES = frozenset({"http", "https"})
_URL_BREAKERS = re.compile(r"[\s<>\"'`\\]")

UNDATED = "undated"
NOT_ATTRIBUTED = "not attributed"
UNTITLED = "Untitled"
UNKNOWN_PUBLISHER = "unknown publisher"

ANSWER_TITLE = "Briefing answer"
SOURCES_HEADING = "Sources"
UNSUPPORTED_HEADING = "Not supported by the cited paragraphs (removed)"
RELATED_HEADING = "Related paragraphs (not citations)"
SCOPE_HEADING = "Filters the question set"
REMOVED_HEADING = "Markers removed (they cited no provided source)"
# The terminal and the chat have always worded some lists differently from the exports;
# kept as they were so that their output does not change.
TEXT_UNSUPPORTED_HEADING = "Not supported by the cited paragraphs (left out of the answer)"
TEXT_REMOVED_HEADING = "Markers removed (they cited no provided or supporting source)"
CHAT_UNSUPPORTED_HEADING = "Not supported by the cited paragraphs (removed from the answer)"
CHAT_RELATED_HEADING = "Related but not cited"
# An LLM answer of which no sentence held: the extractive answer stands in (Answer.fallback).
FALLBACK_HEADING = (
    "Nothing the model wrote was supported by the cited paragraphs, so this is the "
    "extractive answer. The model wrote (removed)"
)


def clean(text: str | None) -> str:
    """Text without control characters (which no format can hold, and a terminal obeys) and
    without bidi controls (which reorder what is shown)."""
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


def stance_phrase(stance: Stance, speaker: str | None) -> str | None:
    """``claimed by Zelensky`` / ``claimed`` / None (unattributed, nobody named): the stance
    words of ``Stance.by``, said the same way in every presentation."""
    if speaker:
        return f"{stance.by} {speaker}"
    if stance == Stance.UNATTRIBUTED:
        return None
    return stance.by.removesuffix(" by")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a paragraph is: its article's title, publisher and date, and its number."""

    title: str
    publisher: str
    date: str  # "undated" when the article has none
    paragraph: int  # from 1, as people count

    @property
    def parts(self) -> tuple[str, str, str, str]:
        """(title, publisher, date, "paragraph N"), for layouts that list them."""
        return (self.title, self.publisher, self.date, f"paragraph {self.paragraph}")

    @property
    def after_title(self) -> str:
        """`` — Publisher, date, paragraph N``: what follows the title in a heading."""
        return f" — {self.publisher}, {self.date}, paragraph {self.paragraph}"

    @property
    def heading(self) -> str:
        """``Title — Publisher, date, paragraph N`` (a reference's marker goes before it)."""
        return self.title + self.after_title

    @property
    def compact(self) -> str:
        """``Publisher · date · Title``: a source in the one source list under an answer."""
        return f"{self.publisher} · {self.date} · {self.title}"


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of answer text, or a marker ``[number]`` (then ``text`` is ``"[number]"``)."""

    text: str
    marker: int | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """Citation ``[number]``: the quote, the paragraph it is in, who said it and how firmly."""

    number: int
    anchor: str  # unique in the document: "ref-N" (answer) or "ref-T-N" (conversation turn T)
    place: Place
    url: str | None
    link_url: str | None
    quote: str
    paragraph_text: str
    quote_span: tuple[int, int] | None  # the quote in paragraph_text; None if not found there
    stance: Stance
    speaker: str | None
    author: str | None
    content_hash: str
    article_id: str
    paragraph_id: str
    sources_count: int

    @property
    def marker(self) -> str:
        return f"[{self.number}]"

    @property
    def stance_phrase(self) -> str | None:
        """``claimed by Zelensky``, ``denied``: who stands behind the quote and how firmly, in
        the one vocabulary of ``Stance.by`` the chat, the terminal and the exports share (the
        JSON keeps the stance's value, "alleged"); None for an unattributed quote."""
        return stance_phrase(self.stance, self.speaker)

    @property
    def stance_label(self) -> str:
        """The stance as reference lists give it: the phrase, or "not attributed"."""
        return self.stance_phrase or NOT_ATTRIBUTED

    @property
    def attributed_to(self) -> str | None:
        """``claimed by Zelensky``: the stance as a phrase; None when nobody is named."""
        return self.stance_phrase if self.speaker else None

    def fields(self) -> list[tuple[str, str]]:
        """Labelled details every export lists under the quote (URL separately)."""
        rows = [
            ("Publisher", self.place.publisher),
            ("Date", self.place.date),
            ("Paragraph", str(self.place.paragraph)),
            ("Stance", self.stance_label),
        ]
        if self.sources_count > 1:
            rows.append(("Independent sources", str(self.sources_count)))
        rows.append(("Article", self.article_id))
        return rows  # the content hash is in the document's appendix (``hash_rows``)


@dataclass(frozen=True, slots=True)
class Related:
    """A paragraph retrieved for a refused question: shown, never cited. ``kind`` names a
    paragraph that is not the story (caption, credit, byline, heading, copyright,
    boilerplate: ingest.hygiene), which a presentation greys; None for ordinary text."""

    place: Place
    text: str
    kind: str | None = None


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
    related: tuple[Related, ...]
    removed: tuple[str, ...] = ()  # markers "[n]" removed from the answer
    fallback: bool = False  # the extractive answer, standing in for an LLM's
    scope: str = ""  # the filters the question itself set ("since 2 November")
    # The answer laid out (``layout``): the direct answer line, shown first and bold, and
    # the statements quoted in support, each ending with its markers, shown as a list. An
    # answer without a lead (a refusal, an LLM's prose, a briefing's part) has neither and
    # is shown as its paragraphs (``paragraphs``).
    lead: tuple[Segment, ...] = ()
    quotes: tuple[tuple[Segment, ...], ...] = ()

    @property
    def paragraphs(self) -> list[tuple[Segment, ...]]:
        """The text's paragraphs (split at blank lines), for an answer without a lead."""
        return split_paragraphs(self.segments)

    def unsupported_heading(self, usual: str = UNSUPPORTED_HEADING) -> str:
        """The heading of the unsupported sentences: it says so when the answer fell back."""
        return FALLBACK_HEADING if self.fallback else usual

    def notes(self) -> list[tuple[str, tuple[str, ...]]]:
        """Lists an export shows after the answer: (heading, items), only non-empty ones."""
        lists = [
            (SCOPE_HEADING, (self.scope,) if self.scope else ()),
            (self.unsupported_heading(), self.unsupported),
            (REMOVED_HEADING, self.removed),
            (RELATED_HEADING, tuple(r.place.heading for r in self.related)),
        ]
        return [(h, items) for h, items in lists if items]

    def anchor_of(self, number: int) -> str:
        return next(r.anchor for r in self.references if r.number == number)


# -- the header and the appendix of an export -------------------------------------------------
APPENDIX_HEADING = "Appendix: content hashes"
APPENDIX_NOTE = (
    "The content hash of each cited article when this was generated; the briefing verify "
    "command checks the JSON export of this document against the index."
)


@dataclass(frozen=True, slots=True)
class Provenance:
    """What an export opens with: when it was generated, from which corpus, under which
    filters, by which answer backend."""

    generated_at: str
    corpus: str
    filters: str
    backend: str

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("Generated", self.generated_at),
            ("Corpus", self.corpus),
            ("Filters", self.filters),
            ("Backend", self.backend),
        ]

    def with_filters(self, filters: str) -> Provenance:
        return replace(self, filters=filters)


def describe_filters(filters: Filters | None) -> str:
    """``publishers: A, B; dates: 2024-10-01 to …; articles: id`` or ``none``."""
    if not filters:
        return "none"
    parts = []
    if filters.sources:
        parts.append("publishers: " + ", ".join(clean(s) for s in filters.sources))
    if filters.since or filters.until:
        since = filters.since.isoformat() if filters.since else "…"
        until = filters.until.isoformat() if filters.until else "…"
        parts.append(f"dates: {since} to {until}")
    if filters.article_ids:
        parts.append("articles: " + ", ".join(clean(a) for a in filters.article_ids))
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str | None
    sections: tuple[Section, ...]
    conversation: bool
    provenance: Provenance | None = None

    def hash_rows(self) -> list[tuple[str, str, str]]:
        """(reference, article id, content hash) for the appendix, each article once;
        references as "[n]", or "question.[n]" in a conversation."""
        rows: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for sec in self.sections:
            for ref in sec.references:
                if (ref.article_id, ref.content_hash) in seen:
                    continue
                seen.add((ref.article_id, ref.content_hash))
                label = f"{sec.number}.{ref.marker}" if self.conversation else ref.marker
                rows.append((label, ref.article_id, ref.content_hash))
        return rows


def segments(text: str, numbers: set[int]) -> tuple[Segment, ...]:
    """Split answer text at the markers of ``numbers``; other bracketed numbers stay text.
    Text segments are plain text: a quoted number escaped in the answer ("\\[1\\]") is shown
    as the article wrote it ("[1]"), and only a marker segment is ever a citation."""
    out: list[Segment] = []
    pos = 0
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        if n not in numbers:
            continue
        if m.start() > pos:
            out.append(Segment(unescape(text[pos : m.start()])))
        out.append(Segment(m.group(0), n))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(unescape(text[pos:])))
    return tuple(out)


def split_paragraphs(segs: Sequence[Segment]) -> list[tuple[Segment, ...]]:
    """Segments split at the blank lines of their text; empty paragraphs left out."""
    out: list[list[Segment]] = [[]]
    for seg in segs:
        if seg.marker is not None:
            out[-1].append(seg)
            continue
        for i, piece in enumerate(seg.text.split("\n\n")):
            if i:
                out.append([])
            if piece:
                out[-1].append(Segment(piece))
    return [_trimmed(p) for p in out if "".join(s.text for s in p).strip()]


def _trimmed(segs: Sequence[Segment]) -> tuple[Segment, ...]:
    """Without the whitespace that opens and ends a run of segments."""
    items = list(segs)
    if items and items[0].marker is None:
        items[0] = Segment(items[0].text.lstrip())
    if items and items[-1].marker is None:
        items[-1] = Segment(items[-1].text.rstrip())
    return tuple(s for s in items if s.text)


def statements(segs: Sequence[Segment]) -> list[tuple[Segment, ...]]:
    """The text after the lead as its statements: each runs to the markers that end it
    (markers right after markers belong to the same statement); text after the last marker
    is a statement of its own."""
    out: list[list[Segment]] = [[]]
    for seg in segs:
        if seg.marker is None and out[-1] and out[-1][-1].marker is not None:
            if seg.text.strip():
                out.append([])
            else:
                continue  # the space between two marker runs
        out[-1].append(seg)
    return [t for t in (_trimmed(p) for p in out) if "".join(s.text for s in t).strip()]


def _plain(segs: Sequence[Segment]) -> str:
    return " ".join("".join(s.text for s in segs if s.marker is None).split())


def _numbers(segs: Sequence[Segment]) -> set[int]:
    return {s.marker for s in segs if s.marker is not None}


def _capitalised(segs: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """The lead as a line opens: "up to 12,000" shown as "Up to 12,000"."""
    if not segs or segs[0].marker is not None or not segs[0].text[:1].islower():
        return segs
    first = segs[0].text
    return (Segment(first[0].upper() + first[1:]), *segs[1:])


def layout(
    text: str, lead: str, numbers: set[int]
) -> tuple[tuple[Segment, ...], tuple[tuple[Segment, ...], ...]]:
    """(lead, quotes) of an answer whose ``lead`` opens its ``text`` (both escaped and
    cleaned); ((), ()) when it has none. A quote that only repeats what the lead already
    says with the same markers (a lead that is itself the quote) is not listed twice."""
    if not lead.strip() or not text.startswith(lead):
        return (), ()
    head = _capitalised(_trimmed(segments(lead, numbers)))
    said, cited = _plain(head).casefold(), _numbers(head)
    quotes = tuple(
        q
        for q in statements(segments(text[len(lead) :], numbers))
        if not (_numbers(q) and _numbers(q) <= cited and _plain(q).casefold() in said)
    )
    return head, quotes


def place(passage: Passage) -> Place:
    a = passage.article
    return Place(
        title=clean(a.title) or UNTITLED,
        publisher=clean(a.source) or UNKNOWN_PUBLISHER,
        date=clean(a.published_at) or UNDATED,
        paragraph=passage.paragraph.index + 1,
    )


def _quote_span(text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """The citation's offsets when they hold the quote, else its first occurrence."""
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote) if quote else -1
    return (found, found + len(quote)) if found >= 0 else None


def reference(c: Citation, anchor: str | None = None) -> Reference:
    a = c.passage.article
    text, quote = clean(c.passage.text), clean(c.quote)
    return Reference(
        number=c.number,
        anchor=anchor or f"ref-{c.number}",
        place=place(c.passage),
        url=clean(a.url) or None,
        link_url=safe_link(clean(a.url)),
        quote=quote,
        paragraph_text=text,
        quote_span=_quote_span(text, quote, c.quote_start, c.quote_end),
        stance=c.stance,
        speaker=clean(c.speaker) or None,
        author=clean(a.author) or None,
        content_hash=clean(a.content_hash),
        article_id=clean(a.id),
        paragraph_id=clean(c.passage.paragraph.id),
        sources_count=c.sources_count,
    )


def related(passage: Passage) -> Related:
    text = clean(passage.text)
    kind = paragraph_kind(text)
    return Related(place(passage), text, None if kind.citable else kind.value)


def section(
    answer: Answer, number: int = 1, asked_at: str | None = None, anchor_prefix: str = "ref-"
) -> Section:
    answer = escape_quoted(answer)  # quoted "[1]" of article text is no marker
    refs = tuple(reference(c, f"{anchor_prefix}{c.number}") for c in answer.citations)
    numbers = {r.number for r in refs}
    lead, quotes = layout(clean(answer.text), clean(answer.lead), numbers)
    return Section(
        number=number,
        question=clean(answer.question),
        asked_at=asked_at,
        segments=segments(clean(answer.text), numbers),
        references=refs,
        refused=answer.refused,
        unsupported=tuple(clean(s) for s in answer.unsupported),
        related=tuple(related(p) for p in answer.related),
        removed=tuple(f"[{n}]" for n in answer.removed_markers),
        fallback=answer.fallback,
        scope=clean(answer.scope),
        lead=lead,
        quotes=quotes,
    )


def from_answer(answer: Answer, provenance: Provenance | None = None) -> Document:
    return Document(ANSWER_TITLE, None, (section(answer),), False, provenance)


def from_conversation(conv: Conversation, provenance: Provenance | None = None) -> Document:
    sections = tuple(
        section(t.answer, i, t.asked_at, f"ref-{i}-") for i, t in enumerate(conv.turns, start=1)
    )
    parts = [f"Conversation {conv.id}" if conv.id is not None else "Conversation"]
    if conv.created_at:
        parts.append(f"started {conv.created_at}")
    parts.append(f"{len(sections)} question{'s' if len(sections) != 1 else ''}")
    return Document(clean(conv.title) or "Briefing", " · ".join(parts), sections, True, provenance)


def from_sections(
    title: str, subtitle: str | None, sections: Sequence[tuple[str, Answer]]
) -> Document:
    """A document of headed parts, each a text with its own cited references (a briefing:
    key claims, conflicts, timeline, sources); laid out as a conversation's questions."""
    parts = tuple(
        replace(section(answer, i, None, f"ref-{i}-"), question=clean(heading))
        for i, (heading, answer) in enumerate(sections, start=1)
    )
    return Document(clean(title), clean(subtitle) or None, parts, True)
