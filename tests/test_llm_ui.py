"""The chat offers only answer backends that can answer here, and says why not for others."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.mark.parametrize(
    ("backend", "base_url", "offered", "reason"),
    [
        ("llamacpp:/nowhere/model.gguf", None, ["extractive"], "no GGUF model file"),
        ("openai:local", None, ["extractive"], "no server configured"),
        ("openai:local", "http://127.0.0.1:8012/v1", ["openai:local", "extractive"], None),
    ],
)
def test_sidebar_offers_only_backends_that_can_answer(
    sample_assistant,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    base_url: str | None,
    offered: list[str],
    reason: str | None,
) -> None:
    pytest.importorskip("langchain_openai")
    monkeypatch.setenv("BRIEFING_BACKEND", backend)
    if base_url:
        monkeypatch.setenv("BRIEFING_LLM_BASE_URL", base_url)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    # a menu only when there is a choice
    assert [s.options for s in at.sidebar.selectbox] == ([offered] if len(offered) > 1 else [])
    captions = re.sub(r"\\(.)", r"\1", " ".join(str(c.value) for c in at.sidebar.caption))
    if reason is None:
        assert "Not offered" not in captions
    else:
        assert f"Not offered: {backend} ({reason}" in captions
