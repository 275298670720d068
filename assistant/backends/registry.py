"""Backend spec string → backend instance; optional backends are imported lazily."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from assistant.backends.base import AnswerBackend
from assistant.backends.extractive import ExtractiveBackend
from assistant.errors import BackendError
from assistant.settings import Settings


def make_backend(settings: Settings, embeddings: Embeddings) -> AnswerBackend:
    kind = settings.backend.split(":", 1)[0]
    if kind == "extractive":
        return ExtractiveBackend(
            embeddings, settings.max_sentences, settings.min_support, settings.min_coverage
        )
    raise BackendError(f"unknown answer backend '{settings.backend}'")
