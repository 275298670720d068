"""The one interface every answer backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assistant.models import Answer
from vectorstore.models import Hit


class Turn(Protocol):
    question: str
    answer: str


class AnswerBackend(Protocol):
    name: str

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        """An Answer citing only ``hits``; refuses when they do not answer the question."""
        ...
