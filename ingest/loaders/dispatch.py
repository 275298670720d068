"""Find article files under paths and read each with the loader for its format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.records import read_json, read_jsonl
from ingest.loaders.text import read_markdown, read_text
from ingest.models import Article

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TextReader = Callable[[str, str], Iterable[Article | IngestError]]

TEXT_READERS: dict[str, TextReader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
SUPPORTED_SUFFIXES = frozenset(TEXT_READERS)


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Path | IngestError]:
    """Files to read, in a stable order: given files, and supported files under folders.
    Folder entries starting with '.' or named README are skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    if child.stem.upper() != "README":
                        yield child
        elif path.is_file():
            yield path
        else:
            yield IngestError(str(path), "no such file or folder")


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | IngestError]:
    """Articles read from one file, or errors naming it; never raises for bad input."""
    location = str(path)
    reader = TEXT_READERS.get(path.suffix.lower())
    try:
        if reader is None:
            raise IngestError(location, f"unsupported file type '{path.suffix or '(none)'}'")
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(location, f"file is {size} bytes, over the limit of {max_bytes}")
        if size == 0:
            raise IngestError(location, "file is empty")
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            raise IngestError(location, "file looks binary, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(location, f"not valid UTF-8 (byte {exc.start})") from exc
        yield from reader(location, text)
    except IngestError as exc:
        yield exc
    except OSError as exc:
        yield IngestError(location, f"cannot read: {exc.strerror or exc}")
