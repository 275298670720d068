"""Offline extractive answers: the reader (``assistant/reader/``) chooses the sentences of
the retrieved paragraphs that answer the question and cites each one. Nothing is generated,
so every quote is verbatim; the only composed words are lead-ins built from citation metadata."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.backends.base import AnswerStream, Turn
from assistant.models import Answer
from assistant.reader.pipeline import Reader
from assistant.reader.query import read
from assistant.reader.quotes import independent_sources
from vectorstore.models import Hit

__all__ = ["ExtractiveBackend", "independent_sources"]


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, reader: Reader | None = None) -> None:
        self.reader = reader or Reader()

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        return self.reader.answer(read(question, history), hits)

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> AnswerStream:
        return AnswerStream.of(self.answer(question, hits, history))
