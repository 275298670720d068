"""Backend spec string → backend instance. LLM packages are optional extras, imported only
when their backend first answers a question.

Specs: ``extractive``; ``ollama:MODEL``; ``openai:MODEL`` (any OpenAI-compatible server at
``llm_base_url``); ``llamacpp:/path/to/model.gguf``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.backends.base import AnswerBackend
from assistant.backends.chat import ChatBackend
from assistant.backends.extractive import ExtractiveBackend
from assistant.errors import BackendError
from assistant.settings import Settings

# kind → (module, class, pip extra)
CHAT_MODELS = {
    "ollama": ("langchain_ollama", "ChatOllama", "ollama"),
    "openai": ("langchain_openai", "ChatOpenAI", "openai"),
    "llamacpp": ("langchain_community.chat_models", "ChatLlamaCpp", "llamacpp"),
}


def make_backend(
    settings: Settings, embeddings: Embeddings, chat_model: BaseChatModel | None = None
) -> AnswerBackend:
    """The backend ``settings.backend`` names; ``chat_model`` replaces the LLM an LLM backend
    would build (tests pass LangChain's fake chat models)."""
    kind, _, arg = settings.backend.partition(":")
    extractive = ExtractiveBackend(
        embeddings, settings.max_sentences, settings.min_support, settings.min_coverage
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
    elif kind == "openai":
        kwargs.update(
            model=arg,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            streaming=True,
        )
    else:
        path = Path(arg).expanduser()
        if not path.is_file():
            raise BackendError(f"no GGUF model file at {path}")
        kwargs.update(model_path=str(path), n_ctx=4096, max_tokens=512, verbose=False)
    try:
        model: BaseChatModel = cls(**kwargs)
    except Exception as exc:  # each package validates its own arguments
        raise BackendError(f"cannot start the '{kind}' backend: {exc}") from exc
    return model
