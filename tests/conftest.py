"""Shared fixtures: every test gets its own data dir; unit tests use the hashed fake
embedding, tests marked ``integration`` use the real packaged model."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh data dir and the fake embedding unless a test says otherwise."""
    for key in list(os.environ):
        if key.startswith("BRIEFING_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_EMBEDDING_MODEL", "fake")
    # The refusal threshold is calibrated for the real model; hashed words score lower.
    monkeypatch.setenv("BRIEFING_MIN_SUPPORT", "0.2")
    monkeypatch.chdir(tmp_path)  # no stray briefing.toml is read
    yield


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data", embedding_model="fake")


@pytest.fixture
def assistant(settings):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant

    return BriefingAssistant(settings)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples indexed once per session with the fake embedding (copy before writing)."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("sample-index") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    report = assistant.indexer().index([SAMPLES])
    assert report.new >= 6 and not report.failed
    return data


@pytest.fixture
def sample_assistant(sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An assistant over a private copy of the session's sample index."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path / "samples-data"
    shutil.copytree(sample_index, data)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(data))
    return BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real PostgreSQL on 127.0.0.1 for the session (``tests/pg_support.py``); each test
    takes a fresh database of it (``pg_server.database()``)."""
    from tests.pg_support import PostgresServer

    with PostgresServer(tmp_path_factory.mktemp("postgres")) as server:
        yield server
