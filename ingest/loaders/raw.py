"""The bytes of one source (a file or a fetched URL), read once, checked and fingerprinted.

The fingerprint lets the indexer skip parsing a source whose bytes did not change since its
articles were indexed; it covers the loader version so that a loader fix re-reads everything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.errors import IngestError

# Bump when a loader changes what it makes of the same bytes.
LOADER_VERSION = "2"
_SNIFF = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits on what a source may make, not only on its file: a small .docx can unpack to
    gigabytes, a 15 MB line can be one "paragraph" (settings ``max_*``)."""

    max_file_bytes: int = 20 * 1024 * 1024  # the file, or a fetched page
    max_unpacked_bytes: int = 64 * 1024 * 1024  # a .docx's parts, uncompressed, together
    max_paragraphs: int = 5000  # per article
    max_paragraph_chars: int = 1000  # longer ones are split at sentences, else at spaces


@dataclass(frozen=True, slots=True)
class RawSource:
    """One source's bytes. ``location`` is an absolute path or the URL as given; ``kind`` the
    format ('.md', '.html', ...); ``url`` the final URL after redirects (fetched sources);
    ``charset`` the one declared by the server, if any."""

    location: str
    kind: str
    data: bytes
    url: str | None = None
    charset: str | None = None

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.data)
        digest.update(f"\x1f{LOADER_VERSION}\x1f{self.kind}\x1f{self.url or ''}".encode())
        return digest.hexdigest()


def check_size(location: str, size: int, max_bytes: int, what: str = "file") -> None:
    if size > max_bytes:
        raise IngestError(location, f"{what} is {size} bytes, over the limit of {max_bytes}")
    if size == 0:
        raise IngestError(location, f"{what} is empty")


def reject_binary(location: str, data: bytes) -> None:
    if b"\x00" in data[:_SNIFF]:
        raise IngestError(location, "file looks binary, not text")


def decode_utf8(location: str, data: bytes) -> str:
    """Text of a UTF-8 file (a BOM is allowed); binary or other encodings are errors."""
    reject_binary(location, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(location, f"not valid UTF-8 (byte {exc.start})") from exc


def decode_html(location: str, data: bytes, charset: str | None = None) -> str:
    """Text of an HTML page: the server's charset, else UTF-8, else the page's <meta> one."""
    reject_binary(location, data)
    declared = _META_CHARSET.search(data[:_SNIFF])
    candidates = [charset, "utf-8-sig", declared.group(1).decode("ascii") if declared else None]
    for encoding in (c for c in candidates if c):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise IngestError(location, "not valid UTF-8 and no usable charset declared")
