"""Rebuilding an index written in an older layout (``INDEX_FORMAT`` in vectorstore/store.py).

Its vectors cannot be read by this version, and only a model pass over the articles can
make new ones; the manifest still knows where every article came from. So ``briefing
index`` moves the old index aside (nothing is deleted: the analyst can drop the folder once
satisfied) and indexes every source the old manifest knew, with the paths it was given.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from assistant.errors import IndexBusy
from assistant.settings import Settings
from ingest.manifest import Manifest
from vectorstore.locks import FileLock


def set_aside(settings: Settings) -> tuple[Path, list[str]]:
    """Move an embedded data dir's index (Chroma files, manifest, BM25) into
    ``old-index-<time>/`` inside it; returns that folder and the sources the index held.
    Saved conversations stay where they are."""
    data = settings.data_dir
    writer = FileLock.at(data / "index.lock")
    if not writer.acquire(settings.lock_timeout):
        raise IndexBusy(f"another process is writing to the index in {data}")
    try:
        sources: list[str] = []
        if settings.manifest_path.exists():
            manifest = Manifest(settings.manifest_path)
            try:
                sources = sorted(manifest.sources())
            finally:
                manifest.close()
        backup = data / time.strftime("old-index-%Y%m%d-%H%M%S")
        backup.mkdir()
        for name in ("chroma", settings.manifest_path.name, f"bm25-{settings.collection}"):
            if (data / name).exists():
                os.replace(data / name, backup / name)
        return backup, sources
    finally:
        writer.release()
