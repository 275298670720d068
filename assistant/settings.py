"""All settings in one place: environment variables ``BRIEFING_*`` or ``briefing.toml``."""

from __future__ import annotations

import json
import os
import re
import tomllib
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from assistant.errors import SettingsInvalid
from vectorstore.layout import IndexFiles

TOML_FILE = "briefing.toml"
ENV_PREFIX = "BRIEFING_"
MAX_PORT = 65535
GIB = 1024**3
# What a value of a setting may not hold: control characters, and the Unicode bidi controls
# that reorder how a terminal shows the text around them.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]{1,253}")
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+")
_BACKEND = re.compile(r"extractive|[a-z][a-z0-9_-]*:\S.*")
_EMBEDDING_RUNTIMES = ("onnx-int8:", "onnx:", "torch:")
_FAKE_DIMS = (2, 4096)


class Settings(BaseSettings):
    """Every field has bounds: a value outside them (or of the wrong type, or nan) is refused
    when the settings are read, and ``load_settings`` says which in one line per setting."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, toml_file=TOML_FILE, extra="ignore")

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
    chroma_port: int = Field(8000, ge=1, le=MAX_PORT, description="Chroma server port.")
    chroma_ssl: bool = Field(False, description="Use HTTPS for the Chroma server.")
    chroma_token: str | None = Field(None, description="Bearer token for the Chroma server.")
    chroma_timeout: float = Field(
        30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for an answer of the Chroma server before giving up.",
    )
    postgres_dsn: str | None = Field(
        None,
        description="Team mode's shared records: a PostgreSQL connection string "
        "(postgresql://user:password@host:port/database) holding the manifest, the BM25 "
        "index, conversations and the audit log, beside the Chroma server for vectors "
        "(BRIEFING_CHROMA_HOST). Unset: those live in the data dir.",
    )
    lock_timeout: float = Field(
        600.0,
        ge=0,
        le=86400,
        allow_inf_nan=False,
        description="Seconds to wait for another process writing to the same index (an "
        "indexing run here, or an analyst's on the team server) before giving up.",
    )
    max_file_bytes: int = Field(
        20 * 1024 * 1024,
        ge=1,
        le=2 * GIB,
        description="Largest article file or fetched page, in bytes; a bigger one fails with "
        "an error naming it (the rest of the batch is indexed).",
    )
    max_unpacked_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1,
        le=4 * GIB,
        description="Largest size a .docx may unpack to (all its parts, uncompressed), in "
        "bytes; checked before its XML is parsed.",
    )
    max_paragraphs: int = Field(
        5000,
        ge=1,
        le=1_000_000,
        description="Most paragraphs one article may have; one with more fails.",
    )
    max_paragraph_chars: int = Field(
        1000,
        ge=20,
        le=100_000,
        description="Longest paragraph, in characters; a longer one is split at sentence "
        "ends, a sentence longer than that at spaces.",
    )
    fetch_timeout: float = Field(
        30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for a web server when indexing an http(s) URL; a URL "
        "that does not answer in time fails with an error naming it.",
    )
    top_k: int = Field(8, ge=1, le=200, description="Paragraphs retrieved per question.")
    retrieval_profile: Literal["auto", "long", "short"] = Field(
        "auto",
        description="Retrieval tuning: 'short' for news paragraphs of one or two sentences "
        "(neighbour context), 'long' for essay-length ones; 'auto' picks by the index's "
        "median paragraph length.",
    )
    max_sentences: int = Field(
        4, ge=1, le=50, description="Most sentences in an extractive answer."
    )
    brief_paragraphs: int = Field(
        60, ge=1, le=2000, description="Paragraphs a briefing (`briefing brief`) reads claims from."
    )
    reader_threshold: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Refuse when the reader model's best sentence scores below this "
        "probability of answering the question (its curve on held-out documents is in "
        "assistant/reader/model/MODEL_CARD.md).",
    )
    reader_model: Path | None = Field(
        None,
        description="Folder of the reader model (reader-int8.onnx + tokenizer.json); "
        "default the one shipped in assistant/reader/model/.",
    )
    reader_checks_off: Annotated[list[str], NoDecode] = Field(
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
    llm_timeout: float = Field(
        120.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for the LLM server.",
    )
    history_turns: int = Field(
        3,
        ge=0,
        le=50,
        description="Earlier turns of the conversation an LLM backend sees with a question.",
    )
    llm_threads: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        le=1024,
        description="CPU threads of a GGUF model (llamacpp backend, llm serve); default half "
        "the cores: llama.cpp slows down badly when its threads outnumber free cores.",
    )
    llm_context: int = Field(
        4096,
        ge=512,
        le=262_144,
        description="Context size in tokens of a GGUF model (the prompt holds the retrieved "
        "paragraphs, so about 3,000 tokens for 8 of them).",
    )
    llm_max_tokens: int = Field(
        512, ge=16, le=32_768, description="Most tokens an LLM backend may write for one answer."
    )
    llm_port: int = Field(
        8012, ge=1, le=MAX_PORT, description="Port of 'briefing llm serve' on 127.0.0.1."
    )
    signin: bool = Field(
        False,
        description="Chat: require sign-in through Streamlit's OpenID Connect (st.login; the "
        "provider is configured in .streamlit/secrets.toml [auth]). Off for a single analyst.",
    )
    editors: str = Field(
        "",
        description="Chat with sign-in: comma-separated e-mail addresses of the analysts who "
        "may upload and index articles (every upload and indexing run is logged with who "
        "did it in the audit log: the data dir's audit.jsonl, or the table audit_log of "
        "the team's PostgreSQL); everyone else signed in may only ask.",
    )

    # -- bounds of the fields that are not numbers (numbers carry theirs in their Field) --
    @field_validator("data_dir", "cache_dir", mode="before")
    @classmethod
    def _folder(cls, value: Any) -> Any:
        if isinstance(value, str | Path) and not str(value).strip():
            raise ValueError(_ALLOWED["data_dir"])
        return value

    @field_validator("embedding_model")
    @classmethod
    def _embedding_model(cls, value: str) -> str:
        model = value
        for runtime in _EMBEDDING_RUNTIMES:
            model = model.removeprefix(runtime)
        dims = value.removeprefix("fake:") if value.startswith("fake:") else None
        if (
            not model.strip()
            or model != model.strip()
            or _UNPRINTABLE.search(value)
            or (dims is not None and not (dims.isdigit() and _fake_dims_ok(int(dims))))
        ):
            raise ValueError(_ALLOWED["embedding_model"])
        return value

    @field_validator("collection")
    @classmethod
    def _collection(cls, value: str) -> str:
        if not _NAME.fullmatch(value) or ".." in value:
            raise ValueError(_ALLOWED["collection"])
        return value

    @field_validator(
        "chroma_host",
        "chroma_token",
        "llm_base_url",
        "llm_api_key",
        "reader_model",
        "postgres_dsn",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("chroma_host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        if value is not None and not _HOST.fullmatch(value):
            raise ValueError(_ALLOWED["chroma_host"])
        return value

    @field_validator("postgres_dsn")
    @classmethod
    def _dsn(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("postgresql", "postgres") and bool(parts.hostname)
            ok = ok and len(parts.path.strip("/")) > 0
        except ValueError:
            ok = False
        if not ok or re.search(r"\s", value) or _UNPRINTABLE.search(value):
            raise ValueError(_ALLOWED["postgres_dsn"])
        return value

    @field_validator("chroma_token", "llm_api_key")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and (re.search(r"\s", value) or _UNPRINTABLE.search(value)):
            raise ValueError(_ALLOWED["chroma_token"])
        return value

    @field_validator("llm_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            port_ok = parts.port is None or 1 <= parts.port <= MAX_PORT
        except ValueError:
            port_ok = False
        if (
            not port_ok
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or re.search(r"\s", value)
            or _UNPRINTABLE.search(value)
        ):
            raise ValueError(_ALLOWED["llm_base_url"])
        return value

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str) -> str:
        if not _BACKEND.fullmatch(value) or _UNPRINTABLE.search(value):
            raise ValueError(_ALLOWED["backend"])
        return value

    @field_validator("reader_model")
    @classmethod
    def _reader_model(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        from assistant.reader.model import ReaderModel

        if not ReaderModel(value).available:
            raise ValueError(_ALLOWED["reader_model"])
        return value

    @field_validator("reader_checks_off", mode="before")
    @classmethod
    def _check_list(cls, value: Any) -> Any:
        """A comma-separated list of names, or a JSON list."""
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError(_checks_allowed()) from None
        return [name.strip() for name in value.split(",") if name.strip()]

    @field_validator("reader_checks_off")
    @classmethod
    def _check_names(cls, value: list[str]) -> list[str]:
        if value:
            from assistant.reader.checks import registry

            known = {check.name for check in registry()}
            if not set(value) <= known:
                raise ValueError(_checks_allowed())
        return value

    @field_validator("editors")
    @classmethod
    def _editors(cls, value: str) -> str:
        for address in value.split(","):
            if address.strip() and not _EMAIL.fullmatch(address.strip()):
                raise ValueError(_ALLOWED["editors"])
        return value

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


# What a setting that is no number, bool or choice allows (a number's bounds are its Field's).
_ALLOWED = {
    "data_dir": "a folder path (not empty)",
    "cache_dir": "a folder path (not empty)",
    "embedding_model": "'all-MiniLM-L6-v2', 'onnx:all-MiniLM-L6-v2', "
    "'onnx-int8:all-MiniLM-L6-v2', another model name or local folder (after 'onnx:' or "
    f"'onnx-int8:' or alone), or 'fake' / 'fake:N' with N from {_FAKE_DIMS[0]} to "
    f"{_FAKE_DIMS[1]}",
    "collection": "3 to 512 letters, digits, '.', '_' or '-', starting and ending with a "
    "letter or digit, no '..'",
    "chroma_host": "a host name or IP address (no 'http://', path or spaces; the port is "
    "BRIEFING_CHROMA_PORT), or empty for the embedded store",
    "chroma_token": "a token without spaces or control characters, or empty for none",
    "postgres_dsn": "a URL postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE without spaces "
    "(with BRIEFING_CHROMA_HOST), or empty for none",
    "llm_api_key": "a key without spaces or control characters, or empty for none",
    "llm_base_url": "an http:// or https:// URL with a host (e.g. http://127.0.0.1:8012/v1), "
    "or empty for none",
    "backend": "'extractive', 'ollama:MODEL', 'openai:MODEL' or 'llamacpp:/path/model.gguf'",
    "reader_model": "a folder holding reader-int8.onnx and tokenizer.json, or empty for the "
    "shipped model",
    "editors": "e-mail addresses separated by commas (name@example.org), or empty",
}
_UNITS = {"_bytes": "bytes", "_timeout": "seconds"}


def _fake_dims_ok(dims: int) -> bool:
    return _FAKE_DIMS[0] <= dims <= _FAKE_DIMS[1]


def _checks_allowed() -> str:
    from assistant.reader.checks import registry

    names = ", ".join(check.name for check in registry())
    return f"names of reader checks, comma-separated (or a JSON list), out of: {names}"


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def allowed(name: str) -> str:
    """What the setting ``name`` allows, in words: "a whole number from 1 to 200", "true or
    false", "one of auto, long, short", ..."""
    field = Settings.model_fields[name]
    if name in _ALLOWED:
        return _ALLOWED[name]
    if name == "reader_checks_off":
        return _checks_allowed()
    kind = field.annotation
    if get_origin(kind) in (Union, types.UnionType):
        kind = next(a for a in get_args(kind) if a is not type(None))
    if kind is bool:
        return "true or false"
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(kind))
    low: object = None
    high: object = None
    above = False
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = rule.ge
        elif isinstance(rule, annotated_types.Gt):
            low, above = rule.gt, True
        elif isinstance(rule, annotated_types.Le):
            high = rule.le
    unit = next((u for end, u in _UNITS.items() if name.endswith(end)), "")
    words = ("a whole number" if kind is int else "a number") + (f" of {unit}" if unit else "")
    if low is not None and high is not None:
        span = f"above {_number(low)}, up to" if above else f"from {_number(low)} to"
        return f"{words} {span} {_number(high)}"
    if low is not None:
        return f"{words} {'above' if above else 'of at least'} {_number(low)}"
    return words


def _where(name: str, overrides: dict[str, Any]) -> tuple[str, str, Any]:
    """Who set ``name``: (what to call it, what to add after its value, the value as set)."""
    if name in overrides:
        return "--" + name.replace("_", "-"), "", str(overrides[name])
    variable = ENV_PREFIX + name.upper()
    for key, value in os.environ.items():
        if key.upper() == variable:  # pydantic-settings reads the environment case-blind
            return key, "", value
    return name, f" in {TOML_FILE}", None


def _problems(exc: ValidationError, overrides: dict[str, Any]) -> list[str]:
    lines: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        if name not in Settings.model_fields or name in lines:
            continue
        called, after, value = _where(name, overrides)
        if value is None:
            value = error["input"]
        custom = error["type"] == "value_error"  # a validator's own words
        says = str(error["ctx"]["error"]) if custom else allowed(name)
        shown = repr(value if len(str(value)) <= 200 else str(value)[:200] + "…")
        lines[name] = f"{called}={shown}{after} is not allowed: {says}"
    return list(lines.values()) or [f"the settings are not valid: {exc.error_count()} errors"]


def load_settings(**overrides: Any) -> Settings:
    """The settings from ``overrides``, the environment (``BRIEFING_*``) and briefing.toml,
    in that order. A value out of its bounds raises SettingsInvalid with one line for each
    bad setting: its variable, its value and what is allowed."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsInvalid(_problems(exc, overrides)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsInvalid([f"{TOML_FILE} is not valid TOML: {exc}"]) from None
    except (SettingsError, OSError) as exc:
        raise SettingsInvalid([f"the settings cannot be read: {exc}"]) from None
