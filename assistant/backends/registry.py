"""Backend spec string → backend instance. LLM packages are optional extras, imported only
when their backend first answers a question.

Specs: ``extractive``; ``ollama:MODEL``; ``openai:MODEL`` (any OpenAI-compatible server at
``llm_base_url``, e.g. ``briefing llm serve``); ``llamacpp:/path/to/model.gguf`` (run in
this process by xllamacpp).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.backends.base import AnswerBackend
from assistant.backends.chat import ChatBackend
from assistant.backends.extractive import ExtractiveBackend
from assistant.errors import BackendError
from assistant.reader.model import ReaderModel
from assistant.reader.pipeline import Reader
from assistant.settings import Settings

# kind → (module, class, pip extra)
CHAT_MODELS = {
    "ollama": ("langchain_ollama", "ChatOllama", "ollama"),
    "openai": ("langchain_openai", "ChatOpenAI", "openai"),
    "llamacpp": ("assistant.backends.llamacpp", "LlamaCppChat", "llamacpp"),
}
# the package each kind needs, checked without importing it
_PACKAGES = {"ollama": "langchain_ollama", "openai": "langchain_openai", "llamacpp": "xllamacpp"}


@dataclass(frozen=True, slots=True)
class Choice:
    """A backend the chat can offer: ``reason`` says why it cannot answer (None: it can)."""

    spec: str
    reason: str | None = None


def choices(settings: Settings) -> list[Choice]:
    """The configured backend and the extractive one, each with the reason it cannot answer
    here (package not installed, no model file, no server configured). Nothing is loaded or
    contacted. The bundled SmolLM2 is a test model and never offered unasked."""
    specs = [settings.backend, "extractive"]
    return [Choice(spec, unavailable(spec, settings)) for spec in dict.fromkeys(specs)]


def unavailable(spec: str, settings: Settings) -> str | None:
    """Why the backend ``spec`` cannot answer with these settings, or None."""
    kind, _, arg = spec.partition(":")
    if kind == "extractive":
        return None
    if kind not in CHAT_MODELS:
        return f"unknown answer backend '{spec}'"
    if not arg:
        return f"the '{kind}' backend needs a model: '{kind}:MODEL'"
    if importlib.util.find_spec(_PACKAGES[kind]) is None:
        return (
            f"needs the package {_PACKAGES[kind]} (pip install 'briefing[{CHAT_MODELS[kind][2]}]')"
        )
    if kind == "llamacpp" and not Path(arg).expanduser().is_file():
        return f"no GGUF model file at {arg}"
    if kind == "openai" and not settings.llm_base_url:
        return "no server configured (BRIEFING_LLM_BASE_URL; 'briefing llm serve' starts one)"
    return None


def make_backend(
    settings: Settings, embeddings: Embeddings, chat_model: BaseChatModel | None = None
) -> AnswerBackend:
    """The backend ``settings.backend`` names; ``chat_model`` replaces the LLM an LLM backend
    would build (tests pass LangChain's fake chat models)."""
    kind, _, arg = settings.backend.partition(":")
    extractive = ExtractiveBackend(
        Reader(
            ReaderModel(settings.reader_model) if settings.reader_model else None,
            threshold=settings.reader_threshold,
            max_sentences=settings.max_sentences,
            checks_off=settings.reader_checks_off,
            refuse=settings.reader_refuse,
        )
    )
    if kind == "extractive":
        return extractive
    if kind not in CHAT_MODELS:
        known = ", ".join(["extractive", *(f"{k}:..." for k in CHAT_MODELS)])
        raise BackendError(f"unknown answer backend '{settings.backend}' (known: {known})")
    if not arg:
        raise BackendError(f"the '{kind}' backend needs a model: '{kind}:MODEL'")
    model: BaseChatModel | Callable[[], BaseChatModel]
    model = chat_model if chat_model is not None else (lambda: build_chat_model(settings))
    return ChatBackend(
        settings.backend, model, gate=extractive, history_turns=settings.history_turns
    )


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The LangChain chat model of ``settings.backend``, importing its package now."""
    kind, _, arg = settings.backend.partition(":")
    module_name, class_name, extra = CHAT_MODELS[kind]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except ImportError as exc:
        raise BackendError(
            f"the '{kind}' backend needs the package {module_name.split('.')[0]}",
            hint=f"pip install 'briefing[{extra}]'",
        ) from exc
    kwargs: dict[str, Any] = {"temperature": 0}
    if kind == "ollama":
        kwargs.update(model=arg)
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        kwargs["client_kwargs"] = {"timeout": settings.llm_timeout}
        kwargs["num_predict"] = settings.llm_max_tokens
    elif kind == "openai":
        kwargs.update(
            model=arg,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            streaming=True,
            max_tokens=settings.llm_max_tokens,
            max_retries=0,  # a server that is down is said at once, not after retries
        )
    else:
        path = Path(arg).expanduser()
        if not path.is_file():
            raise BackendError(f"no GGUF model file at {path}")
        kwargs.update(
            model_path=str(path),
            threads=settings.llm_threads,
            context=settings.llm_context,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
        )
    try:
        model: BaseChatModel = cls(**kwargs)
    except Exception as exc:  # each package validates its own arguments
        raise BackendError(f"cannot start the '{kind}' backend: {exc}") from exc
    return model
