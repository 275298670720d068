"""Names of what the index keeps in the data dir, in one place (the store, the manifest,
the locks, the BM25 cache); ``assistant.settings`` and the upgrade read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.sqlite3"
CHROMA = "chroma"  # the embedded Chroma store's folder
STORE_LOCK = "chroma.lock"  # held while opening or writing the embedded store
WRITER_LOCK = "index.lock"  # held by the one indexing run at a time


def lexical_folder(collection: str) -> str:
    """The saved BM25 index of a collection."""
    return f"bm25-{collection}"


@dataclass(frozen=True, slots=True)
class IndexFiles:
    """Where an embedded index of ``collection`` lives in ``data_dir``."""

    data_dir: Path
    collection: str

    @property
    def manifest(self) -> Path:
        return self.data_dir / MANIFEST

    @property
    def chroma(self) -> Path:
        return self.data_dir / CHROMA

    @property
    def store_lock(self) -> Path:
        return self.data_dir / STORE_LOCK

    @property
    def writer_lock(self) -> Path:
        return self.data_dir / WRITER_LOCK

    @property
    def lexical(self) -> Path:
        return self.data_dir / lexical_folder(self.collection)

    def index_parts(self) -> tuple[Path, ...]:
        """What makes up the index (moved aside together by an upgrade)."""
        return (self.chroma, self.manifest, self.lexical)
