"""The chromadb client: embedded (PersistentClient) by default, HttpClient for a team server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def make_client(
    data_dir: Path | None = None,
    *,
    host: str | None = None,
    port: int = 8000,
    ssl: bool = False,
    token: str | None = None,
) -> Any:
    """A chromadb client with telemetry off; a server when ``host`` is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return chromadb.HttpClient(
            host=host, port=port, ssl=ssl, headers=headers, settings=settings
        )
    if data_dir is None:
        raise ValueError("data_dir is required for the embedded store")
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)
