"""Find article sources under paths, fetch their bytes, and parse them with the loader for
their format. A source is an absolute file path or an http(s) URL."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.errors import IngestError, MissingPath, Unreadable, UnreadableFolder
from ingest.loaders.docx import read_docx
from ingest.loaders.html import read_html
from ingest.loaders.pdf import read_pdf
from ingest.loaders.raw import Limits, RawSource, check_size, decode_html, decode_utf8
from ingest.loaders.records import read_json, read_jsonl
from ingest.loaders.text import read_markdown, read_text
from ingest.loaders.url import TIMEOUT_SECONDS, fetch_url, is_url
from ingest.models import Article
from ingest.paragraphs import MAX_PARAGRAPH_CHARS, split_paragraphs

DEFAULT_LIMITS = Limits()
DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_file_bytes
Parser = Callable[[RawSource, Limits], Iterable[Article | IngestError]]


def _utf8(reader: Callable[[str, str], Iterable[Article | IngestError]]) -> Parser:
    def parse(raw: RawSource, limits: Limits) -> Iterable[Article | IngestError]:
        text = decode_utf8(raw.location, raw.data)
        _check_length(raw.location, len(text), limits)  # before splitting it
        return reader(raw.location, text)

    return parse


def _html(raw: RawSource, _: Limits) -> Iterable[Article]:
    return read_html(raw.location, decode_html(raw.location, raw.data, raw.charset), raw.url)


PARSERS: dict[str, Parser] = {
    ".txt": _utf8(read_text),
    ".md": _utf8(read_markdown),
    ".markdown": _utf8(read_markdown),
    ".json": _utf8(read_json),
    ".jsonl": _utf8(read_jsonl),
    ".html": _html,
    ".htm": _html,
    ".pdf": lambda raw, _: read_pdf(raw.location, raw.data),
    ".docx": lambda raw, limits: read_docx(raw.location, raw.data, limits),
}
SUPPORTED_SUFFIXES = frozenset(PARSERS)


def iter_sources(paths: Iterable[str | Path]) -> Iterator[str | IngestError]:
    """Sources to read, in a stable order: URLs, given files, and supported files under
    folders (entries starting with '.' and README files skipped), as absolute paths.
    A path that cannot be listed or stat'ed (``Unreadable``: it exists, what it holds is
    unknown), a missing one (``MissingPath``) and a file name that is not UTF-8 are errors
    naming them; the walk goes on with the rest."""
    for raw in paths:
        if isinstance(raw, str) and is_url(raw):
            yield raw
            continue
        path = os.path.abspath(raw)
        try:
            mode = os.stat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if os.path.lexists(path):  # a link to nothing
                yield IngestError(_shown(path), "not a regular file (a pipe, socket or device?)")
            else:
                yield MissingPath(_shown(path), "no such file or folder")
            continue
        except OSError as exc:  # it may exist: a folder above it cannot be searched
            yield Unreadable(_shown(path), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path)
        elif stat.S_ISREG(mode):
            yield _named(path)
        else:
            yield IngestError(_shown(path), "not a regular file (a pipe, socket or device?)")


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
            if Path(name).stem.upper() == "README":
                continue
            try:
                mode = os.stat(child).st_mode
            except (FileNotFoundError, NotADirectoryError):
                continue  # a link to nothing, or gone since the listing
            except OSError as exc:  # listed but not stat'ed (an r-- folder): not gone
                found.append(Unreadable(_shown(child), f"cannot read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(mode):
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


def parse_source(
    raw: RawSource, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | IngestError]:
    """Articles of one source, or errors naming it; never raises for bad input."""
    try:
        for item in PARSERS[raw.kind](raw, limits):
            yield item if isinstance(item, IngestError) else _limited(item, limits)
    except IngestError as exc:
        yield exc
    except RecursionError:
        yield IngestError(raw.location, "too deeply nested to read")


def _check_length(location: str, chars: int, limits: Limits) -> None:
    """More text than the paragraphs allowed can hold, however it is split (twice the
    product: pieces cut at sentence ends are often shorter than the limit)."""
    if chars > 2 * limits.max_paragraphs * limits.max_paragraph_chars:
        raise IngestError(
            location,
            f"{chars} characters, more than {limits.max_paragraphs} paragraphs "
            f"of {limits.max_paragraph_chars} characters can hold",
        )


def _limited(article: Article, limits: Limits) -> Article | IngestError:
    """``article`` with paragraphs of at most ``max_paragraph_chars``, or an error when it
    has more than ``max_paragraphs`` (a body of one huge line is split, then counted)."""
    where = article.location or "article"
    try:
        _check_length(where, len(article.body), limits)
    except IngestError as exc:
        return exc
    if limits.max_paragraph_chars != MAX_PARAGRAPH_CHARS:
        paragraphs = split_paragraphs(article.id, article.body, limits.max_paragraph_chars)
        article = dataclasses.replace(article, paragraphs=paragraphs)
    if len(article.paragraphs) > limits.max_paragraphs:
        return IngestError(
            where,
            f"{len(article.paragraphs)} paragraphs, over the limit of {limits.max_paragraphs}",
        )
    return article


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
