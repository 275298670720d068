"""The one interface every answer backend implements, and the stream it returns."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Protocol

from assistant.citations import escape_quoted
from assistant.models import Answer
from vectorstore.models import Hit


class Turn(Protocol):
    """An earlier turn of the conversation, as answer backends and the follow-up rewrite
    (``assistant.followup``) read it."""

    question: str
    answer: str


class AnswerStream(Iterator[str]):
    """Text chunks of an answer as they are ready; ``answer`` is the checked Answer, whose
    ``text`` is exactly the chunks joined (reading it first drains the stream)."""

    def __init__(self, chunks: Generator[str, None, Answer]) -> None:
        self._chunks = chunks
        self._answer: Answer | None = None

    def __next__(self) -> str:
        if self._answer is not None:
            raise StopIteration
        try:
            return next(self._chunks)
        except StopIteration as done:
            self._answer = done.value
            raise

    @property
    def answer(self) -> Answer:
        for _ in self:
            pass
        assert self._answer is not None
        return self._answer

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A stream of a finished answer: one chunk per statement. Bracketed numbers its
        quotes carry from article text are escaped first: they are not markers."""
        answer = escape_quoted(answer)

        def chunks() -> Generator[str, None, Answer]:
            if answer.text:
                yield answer.text
            return answer

        return cls(chunks())


class AnswerBackend(Protocol):
    name: str

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        """An Answer citing only ``hits``; refuses when they do not answer the question."""
        ...

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> AnswerStream:
        """The same Answer, its text delivered in chunks as it is produced and checked."""
        ...
