"""All settings in one place: environment variables ``BRIEFING_*`` or ``briefing.toml``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from vectorstore.layout import IndexFiles


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFING_", toml_file="briefing.toml", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("briefing", appauthor=False)),
        description="Folder of the embedded Chroma store, the manifest and saved conversations.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(user_cache_dir("briefing", appauthor=False)),
        description="Folder of derived files worth keeping between runs: the ONNX export of "
        "the embedding model (made on first use).",
    )
    embedding_model: str = Field(
        "onnx:all-MiniLM-L6-v2",
        description="Embedding model: 'all-MiniLM-L6-v2' (packaged, offline) run with "
        "sentence-transformers/torch; 'onnx:all-MiniLM-L6-v2' (default: an ONNX export of the "
        "same weights made locally on first use, same vectors, faster start and encode); "
        "'onnx-int8:all-MiniLM-L6-v2' (quantised, fastest, cosine ~0.99 to the original); a "
        "local sentence-transformers folder; or 'fake' (hashed bag of words, tests only).",
    )
    collection: str = Field("briefing", description="Chroma collection name (3+ characters).")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_ssl: bool = Field(False, description="Use HTTPS for the Chroma server.")
    chroma_token: str | None = Field(None, description="Bearer token for the Chroma server.")
    chroma_timeout: float = Field(
        30.0, description="Seconds to wait for an answer of the Chroma server before giving up."
    )
    lock_timeout: float = Field(
        600.0,
        description="Seconds to wait for another process writing to the same index (an "
        "indexing run here, or an analyst's on the team server) before giving up.",
    )
    max_file_bytes: int = Field(
        20 * 1024 * 1024,
        description="Largest article file or fetched page, in bytes; a bigger one fails with "
        "an error naming it (the rest of the batch is indexed).",
    )
    max_unpacked_bytes: int = Field(
        64 * 1024 * 1024,
        gt=0,
        description="Largest size a .docx may unpack to (all its parts, uncompressed), in "
        "bytes; checked before its XML is parsed.",
    )
    max_paragraphs: int = Field(
        5000, gt=0, description="Most paragraphs one article may have; one with more fails."
    )
    max_paragraph_chars: int = Field(
        1000,
        gt=0,
        description="Longest paragraph, in characters; a longer one is split at sentence "
        "ends, a sentence longer than that at spaces.",
    )
    fetch_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds to wait for a web server when indexing an http(s) URL; a URL "
        "that does not answer in time fails with an error naming it.",
    )
    top_k: int = Field(8, description="Paragraphs retrieved per question.")
    retrieval_profile: Literal["auto", "long", "short"] = Field(
        "auto",
        description="Retrieval tuning: 'short' for news paragraphs of one or two sentences "
        "(neighbour context), 'long' for essay-length ones; 'auto' picks by the index's "
        "median paragraph length.",
    )
    max_sentences: int = Field(4, description="Most sentences in an extractive answer.")
    brief_paragraphs: int = Field(
        60, ge=1, description="Paragraphs a briefing (`briefing brief`) reads claims from."
    )
    reader_threshold: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Refuse when the reader model's best sentence scores below this "
        "probability of answering the question (its curve on held-out documents is in "
        "assistant/reader/model/MODEL_CARD.md).",
    )
    reader_model: Path | None = Field(
        None,
        description="Folder of the reader model (reader-int8.onnx + tokenizer.json); "
        "default the one shipped in assistant/reader/model/.",
    )
    reader_checks_off: list[str] = Field(
        default_factory=list,
        description="Reader checks not allowed to refuse (names as in the answer trace; "
        "bench/answers.py --ablate measures each).",
    )
    reader_refuse: bool = Field(
        True,
        description="Refuse when the threshold or a check says the articles do not answer; "
        "off only for benchmarks, which read the decision from the answer's trace.",
    )
    backend: str = Field(
        "extractive",
        description="Answer backend: 'extractive' (offline default), 'ollama:MODEL', "
        "'openai:MODEL' (with llm_base_url) or 'llamacpp:/path/model.gguf'.",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (or of Ollama)."
    )
    llm_api_key: str | None = Field(
        None, description="API key for the OpenAI-compatible server, if it needs one."
    )
    llm_timeout: float = Field(120.0, description="Seconds to wait for the LLM server.")
    history_turns: int = Field(
        3, description="Earlier turns of the conversation an LLM backend sees with a question."
    )
    llm_threads: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        description="CPU threads of a GGUF model (llamacpp backend, llm serve); default half "
        "the cores: llama.cpp slows down badly when its threads outnumber free cores.",
    )
    llm_context: int = Field(
        4096,
        ge=512,
        description="Context size in tokens of a GGUF model (the prompt holds the retrieved "
        "paragraphs, so about 3,000 tokens for 8 of them).",
    )
    llm_max_tokens: int = Field(
        512, ge=16, description="Most tokens an LLM backend may write for one answer."
    )
    llm_port: int = Field(8012, description="Port of 'briefing llm serve' on 127.0.0.1.")
    signin: bool = Field(
        False,
        description="Chat: require sign-in through Streamlit's OpenID Connect (st.login; the "
        "provider is configured in .streamlit/secrets.toml [auth]). Off for a single analyst.",
    )
    editors: str = Field(
        "",
        description="Chat with sign-in: comma-separated e-mail addresses of the analysts who "
        "may upload and index articles (every upload and indexing run is logged with who "
        "did it in the data dir's audit.jsonl); everyone else signed in may only ask.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def index_files(self) -> IndexFiles:
        """Where the embedded index keeps its parts in the data dir."""
        return IndexFiles(self.data_dir, self.collection)

    @property
    def manifest_path(self) -> Path:
        return self.index_files.manifest

    @property
    def uploads_dir(self) -> Path:
        """Files dropped into the chat, kept in the data dir and indexed from there."""
        return self.data_dir / "uploads"
