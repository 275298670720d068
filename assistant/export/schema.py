"""The versioned JSON contract of exports, as pydantic models.

An answer document is what ``briefing ask --format json`` prints; a conversation document
holds one answer document per turn. ``schema_version`` changes only when a field changes
meaning or goes away; new optional fields keep the version, so readers must ignore fields they
do not know. ``parse_document`` reads both kinds back (documents written before ``kind``
existed are told apart by their ``turns``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from assistant.citations import escape_quoted, marker_spans
from assistant.models import Answer, Citation, Stance, Trace
from assistant.view import BIDI_CONTROLS
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage

if TYPE_CHECKING:
    from assistant.conversations import Conversation

SCHEMA_VERSION = 1


class CitationOut(BaseModel):
    n: int
    article_id: str
    paragraph_id: str
    title: str
    source: str
    url: str | None
    published_at: str | None
    paragraph_index: int
    quote: str
    paragraph_text: str
    char_start: int
    char_end: int
    quote_start: int
    quote_end: int
    content_hash: str
    speaker: str | None
    stance: Stance
    sources_count: int
    author: str | None = None


class RelatedOut(BaseModel):
    article_id: str
    paragraph_id: str
    title: str
    source: str
    published_at: str | None
    paragraph_index: int
    paragraph_text: str
    url: str | None = None
    author: str | None = None
    char_start: int = 0
    char_end: int = 0
    content_hash: str = ""


class MarkerOut(BaseModel):
    """A citation marker of ``answer``: ``answer[start:end] == f"[{n}]"``. Bracketed numbers
    quoted from article text are not markers; they are escaped in ``answer`` as ``\\[1\\]``."""

    n: int
    start: int
    end: int


class TraceOut(BaseModel):
    """How the reader decided (``assistant.models.Trace``)."""

    score: float = 0.0
    threshold: float = 0.0
    checks: list[tuple[str, str]] = []
    refused_by: str = ""
    lead_rule: str = ""
    candidates: list[tuple[str, int, int, float]] = []
    scope: str = ""


class AnswerOut(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["answer"] = "answer"
    question: str
    answer: str
    refused: bool
    citations: list[CitationOut]
    unsupported: list[str]
    related: list[RelatedOut]
    removed_markers: list[int] = []  # markers that cited no provided source (LLM backends)
    lead: str = ""  # the direct answer line that opens ``answer``, with its markers
    answer_type: str = ""  # what the question asked for: "date", "place", "yes_no", ...
    markers: list[MarkerOut] = []  # every real marker of ``answer``, in order
    fallback: bool = False  # an LLM backend's answer replaced by the extractive one
    trace: TraceOut | None = None  # how the reader decided: scores, checks fired, lead rule
    scope: str = ""  # the filters the question itself set, as the answer says them


class TurnOut(BaseModel):
    asked_at: str | None = None
    answer: AnswerOut


class ConversationOut(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["conversation"] = "conversation"
    id: int | None = None
    title: str = ""
    created_at: str | None = None
    turns: list[TurnOut]


# -- a briefing (``briefing brief --format json``) -----------------------------------------
class FigureOut(BaseModel):
    text: str  # as written in the quote
    low: float  # normalised: "11,000 to 12,000" is 11000..12000, "ten thousand" 10000
    high: float
    approximate: bool  # "about", "some", "up to" ...
    counted: str  # the noun it counts ("troops", "people", a noun's lemma; "" unknown)
    measure: str = ""  # what it counts: "troops", "deserters", "dollars (budget)" ("" unknown)
    whose: str = ""  # whose, as the sentence says ("marvian")
    where: str = ""  # where, as the sentence says or the article names it ("ostmark", "world")
    when: str = ""  # the date the sentence gives it ("" the article's)
    said_by: str = ""  # who gave it, when not the claim's speaker


class BriefClaimOut(BaseModel):
    id: int  # from 1
    proposition: str  # verbatim: paragraph_text[quote_start:quote_end] of its citation
    speaker: str | None
    stance: str  # confirmed, alleged, asserted, likely, conditional, denied, reported
    outlet: str
    published_at: str | None
    article_id: str
    paragraph_id: str
    quote_start: int
    quote_end: int
    figures: list[FigureOut]
    new: bool
    group: int
    relevance: float | None = None  # the reader model's score of the claim on the topic


class ClaimGroupOut(BaseModel):
    number: int
    claims: list[int]
    independent_sources: int
    speakers: list[str]


class ConflictOut(BaseModel):
    kind: Literal["figure", "stance"]
    subject: str
    groups: list[int]  # figure: figure groups by value; stance: the denials first, then claims
    pairs: list[list[int]] = []  # figure: the sides (indexes into groups) that conflict
    denials: int = 0  # stance: how many of the groups are the denier's denials


class FactOut(BaseModel):
    claim: int  # the claim's id
    figure: int  # the figure's index among the claim's figures
    date: str  # the date it is of
    source: str  # who stands behind it (a key)


class FigureGroupOut(BaseModel):
    number: int
    measure: str  # "troops", "cases", "dollars (budget)"
    scope: str  # the key of whose and where it is ("whose:marvia")
    value: str  # as shown: "10,000", "$3,500,000", "30%"
    facts: list[FactOut]
    independent_sources: int


class TimelineStepOut(BaseModel):
    date: str
    group: int
    claims: list[int]
    updates: int | None = None  # the claim whose figure this step replaces


class BriefingSectionOut(BaseModel):
    heading: str
    answer: AnswerOut  # the section's lines with their [n] markers and citations


class BriefingOut(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["briefing"] = "briefing"
    topic: str
    generated_at: str
    corpus: dict[str, int]
    filters: dict[str, Any]
    new_since: str | None = None
    relevance_model: str = ""  # the reader model that scored the claims (its file's hash)
    claims: list[BriefClaimOut]
    groups: list[ClaimGroupOut]
    conflicts: list[ConflictOut]
    figures: list[FigureGroupOut] = []
    timeline: list[TimelineStepOut]
    sections: list[BriefingSectionOut]


class SchemaError(ValueError):
    """The data is not an export document this version can read; the message says why."""


# -- Answer → JSON ------------------------------------------------------------------------
def _passage_fields(p: Passage) -> dict[str, Any]:
    """The fields a cited and a related paragraph share, under their JSON names (the one
    mapping of a passage to JSON; ``passage_in`` is its inverse)."""
    a, para = p.article, p.paragraph
    return {
        "article_id": a.id,
        "paragraph_id": para.id,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published_at": a.published_at,
        "author": a.author,
        "paragraph_index": para.index,
        "paragraph_text": para.text,
        "char_start": para.char_start,
        "char_end": para.char_end,
        "content_hash": a.content_hash,
    }


def citation_out(c: Citation) -> CitationOut:
    return CitationOut(
        **_passage_fields(c.passage),
        n=c.number,
        quote=c.quote,
        quote_start=c.quote_start,
        quote_end=c.quote_end,
        speaker=c.speaker,
        stance=c.stance,
        sources_count=c.sources_count,
    )


def related_out(p: Passage) -> RelatedOut:
    return RelatedOut(**_passage_fields(p))


def answer_out(answer: Answer) -> AnswerOut:
    answer = escape_quoted(answer)  # also an answer saved before quotes were escaped
    return AnswerOut(
        question=answer.question,
        answer=answer.text,
        refused=answer.refused,
        citations=[citation_out(c) for c in answer.citations],
        unsupported=list(answer.unsupported),
        related=[related_out(p) for p in answer.related],
        removed_markers=list(answer.removed_markers),
        lead=answer.lead,
        answer_type=answer.answer_type,
        markers=[MarkerOut(n=n, start=s, end=e) for s, e, n in marker_spans(answer.text)],
        fallback=answer.fallback,
        trace=TraceOut(**dataclasses.asdict(answer.trace)) if answer.trace else None,
        scope=answer.scope,
    )


# Characters the JSON keeps verbatim in its strings but writes as "\uXXXX" escapes: the C1
# and bidi controls and the line separators, which a terminal or an editor showing the file
# would obey (reorder, move the cursor, break the line). A JSON reader gets them back.
_OBEYED = re.compile(f"[\x80-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def json_text(text: str) -> str:
    """JSON text with the characters of ``_OBEYED`` escaped (the same JSON value)."""
    return _OBEYED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def answer_json(answer: Answer, indent: int | None = 2) -> str:
    return json_text(answer_out(answer).model_dump_json(indent=indent))


def conversation_out(conv: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conv.id,
        title=conv.title,
        created_at=conv.created_at,
        turns=[TurnOut(asked_at=t.asked_at, answer=answer_out(t.answer)) for t in conv.turns],
    )


def conversation_json(conv: Conversation, indent: int | None = 2) -> str:
    return json_text(conversation_out(conv).model_dump_json(indent=indent))


# -- JSON → Answer ------------------------------------------------------------------------
def passage_in(r: RelatedOut | CitationOut) -> Passage:
    """The passage of a related or cited entry."""
    article = ArticleRef(
        id=r.article_id,
        title=r.title,
        source=r.source,
        content_hash=r.content_hash,
        url=r.url,
        published_at=r.published_at,
        author=r.author,
    )
    paragraph = Paragraph(
        article_id=r.article_id,
        index=r.paragraph_index,
        text=r.paragraph_text,
        char_start=r.char_start,
        char_end=r.char_end,
    )
    return Passage(article, paragraph)


def citation_in(c: CitationOut) -> Citation:
    return Citation(
        number=c.n,
        passage=passage_in(c),
        quote=c.quote,
        quote_start=c.quote_start,
        quote_end=c.quote_end,
        speaker=c.speaker,
        stance=c.stance,
        sources_count=c.sources_count,
    )


def _trace_in(trace: Any) -> Trace:
    """The trace as read back: JSON lists become the tuples of the record."""
    fields: dict[str, Any] = {
        k: tuple(map(tuple, v)) if isinstance(v, list) else v for k, v in trace
    }
    return Trace(**fields)


def answer_in(a: AnswerOut) -> Answer:
    return Answer(
        question=a.question,
        text=a.answer,
        citations=tuple(citation_in(c) for c in a.citations),
        refused=a.refused,
        unsupported=tuple(a.unsupported),
        related=tuple(passage_in(r) for r in a.related),
        removed_markers=tuple(a.removed_markers),
        lead=a.lead,
        answer_type=a.answer_type,
        fallback=a.fallback,
        trace=_trace_in(a.trace) if a.trace else None,
        scope=a.scope,
    )


def conversation_in(doc: ConversationOut) -> Conversation:
    from assistant.conversations import Conversation, ConversationTurn

    turns = tuple(
        ConversationTurn(t.answer.question, answer_in(t.answer), t.asked_at) for t in doc.turns
    )
    return Conversation(doc.id, doc.title, doc.created_at, turns)


def parse_document(text: str | bytes) -> AnswerOut | ConversationOut | BriefingOut:
    """An answer or conversation document; SchemaError says what is wrong with it."""
    try:
        data: Any = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"not JSON: {exc}") from exc
    except RecursionError:
        raise SchemaError("not an export document (nested too deeply)") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise SchemaError(f"not an export document ({exc})") from None
    if not isinstance(data, dict):
        raise SchemaError("not an export document (expected a JSON object)")
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise SchemaError("not an export document (no schema_version)")
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"schema_version {version} is newer than this program reads ({SCHEMA_VERSION})"
        )
    data.setdefault("kind", "conversation" if "turns" in data else "answer")
    try:
        model: AnswerOut | ConversationOut | BriefingOut
        if data["kind"] == "conversation":
            turns = data.get("turns")
            if isinstance(turns, list):  # turns may also be bare answer documents
                data["turns"] = [
                    t
                    if isinstance(t, dict) and isinstance(t.get("answer"), dict)
                    else {"answer": t}
                    for t in turns
                ]
            model = ConversationOut.model_validate(data)
        elif data["kind"] == "answer":
            model = AnswerOut.model_validate(data)
        elif data["kind"] == "briefing":
            model = BriefingOut.model_validate(data)
        else:
            raise SchemaError(f"unknown document kind {data['kind']!r}")
    except RecursionError:
        raise SchemaError("not an export document (nested too deeply)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SchemaError(f"{where}: {first['msg']}") from exc
    return model


def document_citations(
    doc: AnswerOut | ConversationOut | BriefingOut,
) -> list[tuple[int, CitationOut]]:
    """(turn or briefing section number from 1, citation) for every citation."""
    if isinstance(doc, BriefingOut):
        answers = [s.answer for s in doc.sections]
    else:
        answers = [doc] if isinstance(doc, AnswerOut) else [t.answer for t in doc.turns]
    return [(i, c) for i, a in enumerate(answers, start=1) for c in a.citations]
