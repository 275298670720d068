"""The JSON contract of an answer (``briefing ask --format json``), as pydantic models."""

from __future__ import annotations

from pydantic import BaseModel

from assistant.models import Answer, Citation

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
    stance: str
    sources_count: int


class RelatedOut(BaseModel):
    article_id: str
    paragraph_id: str
    title: str
    source: str
    published_at: str | None
    paragraph_index: int
    paragraph_text: str


class AnswerOut(BaseModel):
    schema_version: int = SCHEMA_VERSION
    question: str
    answer: str
    refused: bool
    citations: list[CitationOut]
    unsupported: list[str]
    related: list[RelatedOut]


def citation_out(c: Citation) -> CitationOut:
    p = c.paragraph
    return CitationOut(
        n=c.number,
        article_id=p.article_id,
        paragraph_id=p.paragraph_id,
        title=p.title,
        source=p.source,
        url=p.url,
        published_at=p.published_at,
        paragraph_index=p.index,
        quote=c.quote,
        paragraph_text=p.text,
        char_start=p.char_start,
        char_end=p.char_end,
        quote_start=c.quote_start,
        quote_end=c.quote_end,
        content_hash=p.content_hash,
        speaker=c.speaker,
        stance=c.stance,
        sources_count=c.sources_count,
    )


def answer_out(answer: Answer) -> AnswerOut:
    return AnswerOut(
        question=answer.question,
        answer=answer.text,
        refused=answer.refused,
        citations=[citation_out(c) for c in answer.citations],
        unsupported=list(answer.unsupported),
        related=[
            RelatedOut(
                article_id=h.article_id,
                paragraph_id=h.paragraph_id,
                title=h.title,
                source=h.source,
                published_at=h.published_at,
                paragraph_index=h.index,
                paragraph_text=h.text,
            )
            for h in answer.related
        ],
    )


def answer_json(answer: Answer, indent: int | None = 2) -> str:
    return answer_out(answer).model_dump_json(indent=indent)
