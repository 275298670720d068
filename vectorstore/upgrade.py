"""Rebuilding an index written in an older layout (``INDEX_FORMAT`` in vectorstore/store.py).

Its vectors cannot be read by this version, and only a model pass over the articles can
make new ones; the manifest still knows where every article came from. So the old index is
moved aside (nothing is deleted: the analyst can drop the folder once satisfied) and every
source the old manifest knew is indexed again, with the paths the run was given.

The policy is here, not in one front end, so the CLI's ``briefing index`` and the chat's
upload box can both apply it: an embedded index is rebuilt; a team index is rebuilt by
deliberate hands, not by one analyst's run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders.url import is_url
from vectorstore.errors import IndexBusy, IndexOutdated, StoreDamaged
from vectorstore.index import IndexConfig
from vectorstore.layout import IndexFiles
from vectorstore.locks import FileLock
from vectorstore.manifest import Manifest


@dataclass(frozen=True, slots=True)
class Upgrade:
    """An old index set aside: where it went, and the sources to index again."""

    backup: Path
    sources: tuple[str, ...]  # the old index's sources that still exist
    missing: int  # files deleted since, pruned from the old index by nobody: they stay gone

    def paths(self, given: Sequence[str]) -> list[str]:
        """What the rebuilding run indexes: the paths it was given, then the old sources."""
        return list(dict.fromkeys([*given, *self.sources]))


def upgrade(config: IndexConfig, outdated: IndexOutdated) -> Upgrade:
    """Set an outdated embedded index aside for a rebuild; a team one raises ``outdated``."""
    if config.team:
        raise outdated
    backup, known = set_aside(config.files, config.lock_timeout)
    sources = tuple(s for s in known if is_url(s) or os.path.exists(s))
    return Upgrade(backup, sources, len(known) - len(sources))


def set_aside_store(config: IndexConfig, damaged: StoreDamaged) -> Path:
    """Move a damaged embedded store (its Chroma files and the BM25 cache built from them)
    into ``damaged-store-<time>/`` of the data dir, keeping the manifest: the next run
    finds every article's vectors missing and reads them again from their sources (as
    ``briefing repair`` does). Nothing is deleted. A team store raises ``damaged``."""
    if config.team:
        raise damaged
    files = config.files
    writer = FileLock.at(files.writer_lock)
    if not writer.acquire(config.lock_timeout):
        raise IndexBusy(f"another process is writing to the index in {files.data_dir}")
    try:
        backup = files.data_dir / time.strftime("damaged-store-%Y%m%d-%H%M%S")
        n = 2
        while backup.exists():
            backup = backup.with_name(f"{backup.name.split('~')[0]}~{n}")
            n += 1
        backup.mkdir()
        for part in (files.chroma, files.lexical):
            if part.exists():
                os.replace(part, backup / part.name)
        return backup
    finally:
        writer.release()


def set_aside(files: IndexFiles, lock_timeout: float) -> tuple[Path, list[str]]:
    """Move an embedded data dir's index (Chroma files, manifest, BM25) into
    ``old-index-<time>/`` inside it; returns that folder and the sources the index held.
    Saved conversations stay where they are."""
    data = files.data_dir
    writer = FileLock.at(files.writer_lock)
    if not writer.acquire(lock_timeout):
        raise IndexBusy(f"another process is writing to the index in {data}")
    try:
        sources: list[str] = []
        if files.manifest.exists():
            manifest = Manifest(files.manifest)
            try:
                sources = sorted(manifest.sources())
            finally:
                manifest.close()
        backup = data / time.strftime("old-index-%Y%m%d-%H%M%S")
        backup.mkdir()
        for part in files.index_parts():
            if part.exists():
                os.replace(part, backup / part.name)
        return backup, sources
    finally:
        writer.release()
