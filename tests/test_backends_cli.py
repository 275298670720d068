"""`briefing ask` with an LLM backend: the chat model is LangChain's fake, reached through the
registry's lazy import (a stand-in module), so the CLI path is the real one."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()
QUESTION = "How many North Korean soldiers deserted?"


def fake_ollama(monkeypatch: pytest.MonkeyPatch, reply: str) -> dict[str, Any]:
    made: dict[str, Any] = {}

    def chat_ollama(**kwargs: Any) -> GenericFakeChatModel:
        made.update(kwargs)
        return GenericFakeChatModel(messages=iter([reply]))

    monkeypatch.setitem(
        sys.modules, "langchain_ollama", types.SimpleNamespace(ChatOllama=chat_ollama)
    )
    monkeypatch.setenv("BRIEFING_BACKEND", "ollama:llama3.2")
    return made


def test_ask_streams_a_checked_llm_answer(sample_assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reply = (
        "About 18 North Korean soldiers have deserted from their positions near Russia's "
        "border with Ukraine [1][77]. They were later promoted to generals [1]."
    )
    made = fake_ollama(monkeypatch, reply)
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    assert made["model"] == "llama3.2"
    lead, blank, written = result.stdout.splitlines()[:3]
    # the direct answer line first (its wording is the reader's), then what the model wrote
    # that held, as the answer's list of quotes
    assert lead.startswith("About 18") and lead.endswith("[1]") and blank == ""
    assert written.startswith("  - About 18 North Korean soldiers have deserted")
    assert "[1]" in written and "promoted" not in written
    assert "Not supported by the cited paragraphs" in result.output
    assert "They were later promoted to generals." in result.output
    assert "Markers removed" in result.output and "[77]" in result.output
    assert "Baltic Observer" in result.output  # the source that holds the sentence


def test_ask_json_reports_unsupported_and_removed_markers(sample_assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake_ollama(monkeypatch, "Aliens deserted too [3]. [12]")
    result = runner.invoke(app, ["ask", QUESTION, "--format", "json"])
    data = json.loads(result.stdout)
    # nothing the model wrote held: the extractive answer stands in, the model's text listed
    assert data["refused"] is False and data["citations"]
    assert data["unsupported"] == ["Aliens deserted too."]
    assert 12 in data["removed_markers"]


def test_ask_says_when_the_answer_fell_back_to_extractive(sample_assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake_ollama(monkeypatch, "Aliens deserted too [3].")
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    assert "so this is the extractive answer" in result.output
    assert "Aliens deserted too." in result.output.split("extractive answer")[1]


def test_ask_with_a_missing_llm_package_says_which_extra(sample_assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)
    monkeypatch.setenv("BRIEFING_BACKEND", "ollama:llama3.2")
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 2
    assert "needs the package langchain_ollama" in result.output
    assert "briefing[ollama]" in result.output
