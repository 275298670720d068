"""Find article sources under paths, fetch their bytes, and parse them with the loader for
their format. A source is an absolute file path or an http(s) URL."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.errors import IngestError, MissingPath, UnreadableFolder
from ingest.loaders.docx import read_docx
from ingest.loaders.html import read_html
from ingest.loaders.pdf import read_pdf
from ingest.loaders.raw import RawSource, check_size, decode_html, decode_utf8
from ingest.loaders.records import read_json, read_jsonl
from ingest.loaders.text import read_markdown, read_text
from ingest.loaders.url import TIMEOUT_SECONDS, fetch_url, is_url
from ingest.models import Article

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
Parser = Callable[[RawSource], Iterable[Article | IngestError]]


def _utf8(reader: Callable[[str, str], Iterable[Article | IngestError]]) -> Parser:
    return lambda raw: reader(raw.location, decode_utf8(raw.location, raw.data))


def _html(raw: RawSource) -> Iterable[Article]:
    return read_html(raw.location, decode_html(raw.location, raw.data, raw.charset), raw.url)


PARSERS: dict[str, Parser] = {
    ".txt": _utf8(read_text),
    ".md": _utf8(read_markdown),
    ".markdown": _utf8(read_markdown),
    ".json": _utf8(read_json),
    ".jsonl": _utf8(read_jsonl),
    ".html": _html,
    ".htm": _html,
    ".pdf": lambda raw: read_pdf(raw.location, raw.data),
    ".docx": lambda raw: read_docx(raw.location, raw.data),
}
SUPPORTED_SUFFIXES = frozenset(PARSERS)


def iter_sources(paths: Iterable[str | Path]) -> Iterator[str | IngestError]:
    """Sources to read, in a stable order: URLs, given files, and supported files under
    folders (entries starting with '.' and README files skipped), as absolute paths.
    A folder that cannot be listed and a file name that is not UTF-8 are errors naming
    them; the walk goes on with the rest."""
    for raw in paths:
        if isinstance(raw, str) and is_url(raw):
            yield raw
            continue
        path = os.path.abspath(raw)
        if os.path.isdir(path):
            yield from _walk(path)
        elif os.path.isfile(path):
            yield _named(path)
        elif os.path.lexists(path):
            yield IngestError(_shown(path), "not a regular file (a pipe, socket or device?)")
        else:
            yield MissingPath(_shown(path), "no such file or folder")


def _walk(folder: str) -> Iterator[str | IngestError]:
    found: list[str | IngestError] = []

    def unreadable(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else folder
        found.append(UnreadableFolder(_shown(where), f"cannot read folder: {exc.strerror}"))

    for top, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            child = os.path.join(top, name)
            if Path(name).stem.upper() == "README" or not os.path.exists(child):
                continue  # a README, or a link to nothing
            if not os.path.isfile(child):
                found.append(IngestError(_shown(child), "not a regular file"))
            else:
                found.append(_named(child))
    # The order of the paths' parts, as a sorted recursive listing gives it.
    yield from sorted(found, key=lambda s: Path(s if isinstance(s, str) else s.location).parts)


def _named(path: str) -> str | IngestError:
    """A file path, or an error when its name is not UTF-8 (it could not be stored,
    printed or found again by that name)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return IngestError(_shown(path), "file name is not valid UTF-8; rename the file")
    return path


def _shown(path: str) -> str:
    """``path`` printable: bytes of a name that are not UTF-8 as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def fetch_source(
    source: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = TIMEOUT_SECONDS
) -> RawSource:
    """The bytes of a file or URL (``timeout`` seconds at most per network wait),
    size-checked; raises IngestError naming it."""
    location = str(source)
    if is_url(location):
        return fetch_url(location, max_bytes, timeout)
    suffix = Path(location).suffix.lower()
    if suffix not in PARSERS:
        raise IngestError(location, f"unsupported file type '{suffix or '(none)'}'")
    try:
        st = os.stat(location)
        if not stat.S_ISREG(st.st_mode):  # opening a pipe would wait for a writer
            raise IngestError(location, "not a regular file (a pipe, socket or device?)")
        check_size(location, st.st_size, max_bytes)
        with open(location, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(location, f"cannot read: {exc.strerror or exc}") from exc
    check_size(location, len(data), max_bytes)  # it may have grown since the stat
    return RawSource(location, suffix, data)


def parse_source(raw: RawSource) -> Iterator[Article | IngestError]:
    """Articles of one source, or errors naming it; never raises for bad input."""
    try:
        yield from PARSERS[raw.kind](raw)
    except IngestError as exc:
        yield exc
    except RecursionError:
        yield IngestError(raw.location, "too deeply nested to read")


def read_source(
    source: str | Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | IngestError]:
    """Articles read from one file or URL, or errors naming it; never raises for bad input."""
    try:
        raw = fetch_source(source, max_bytes)
    except IngestError as exc:
        yield exc
        return
    yield from parse_source(raw)
