"""`briefing llm serve`: what it serves and how it fails, without loading a model."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import llm_server
from assistant.backends.llamacpp import ModelConfig
from assistant.cli import app

runner = CliRunner()


def test_serve_help_names_model_and_port() -> None:
    result = runner.invoke(app, ["llm", "serve", "--help"])
    assert result.exit_code == 0
    assert "--model" in result.output and "--port" in result.output


def test_serve_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.gguf"
    result = runner.invoke(app, ["llm", "serve", "--model", str(missing)])
    assert result.exit_code == 2
    assert f"no GGUF model file at {missing}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "env", "port", "threads"),
    [
        ([], {}, 8012, None),
        (["--port", "9123"], {"BRIEFING_LLM_THREADS": "3"}, 9123, 3),
        ([], {"BRIEFING_LLM_PORT": "9200"}, 9200, None),
    ],
)
def test_serve_announces_the_url_the_openai_backend_uses(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    port: int,
    threads: int | None,
) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    served: list[ModelConfig] = []

    def serve(config: ModelConfig, ready) -> None:  # type: ignore[no-untyped-def]
        served.append(config)
        ready(f"http://127.0.0.1:{config.port}/v1")

    monkeypatch.setattr(llm_server, "serve", serve)
    result = runner.invoke(app, ["llm", "serve", "--model", str(gguf), *args])
    assert result.exit_code == 0, result.output
    (config,) = served
    assert config.path == gguf and config.port == port
    if threads is not None:
        assert config.threads == threads
    url = f"http://127.0.0.1:{port}/v1"
    assert f"BRIEFING_BACKEND=openai:local BRIEFING_LLM_BASE_URL={url}" in result.output


def test_default_model_is_the_llamacpp_setting_else_the_bundled_one(settings) -> None:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"backend": "llamacpp:/models/big.gguf"})
    assert llm_server.default_model(configured) == Path("/models/big.gguf")
    small = llm_server.smollm2_path()
    if small is not None:
        assert llm_server.default_model(settings) == small
