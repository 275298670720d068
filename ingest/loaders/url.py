"""http(s) URLs: fetched with urllib (size-limited), then read like a file of that type."""

from __future__ import annotations

import urllib.error
import urllib.request
from email.message import Message
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ingest.errors import IngestError
from ingest.loaders.raw import RawSource, check_size

TIMEOUT_SECONDS = 30.0
USER_AGENT = "briefing/0.1 (+offline news briefing assistant)"
# Content type → the file kind whose loader reads it; pages are HTML unless they say otherwise.
_KINDS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "text/plain": ".txt",
    "text/markdown": ".md",
}


def _suffix_kind(url: str) -> str:
    """For a vague content type (octet-stream): the URL's file suffix, else HTML."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in _KINDS.values() or suffix == ".htm" else ".html"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def fetch_url(url: str, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> RawSource:
    """The response body of ``url``; an error naming the URL when it cannot be had."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit():
                check_size(url, int(declared), max_bytes, "response")
            data = response.read(max_bytes + 1)
            final_url = response.geturl()
            headers: Message = response.headers
    except urllib.error.HTTPError as exc:
        raise IngestError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise IngestError(url, f"cannot fetch: {exc.reason}") from exc
    except (TimeoutError, OSError, ValueError) as exc:
        raise IngestError(url, f"cannot fetch: {exc}") from exc
    check_size(url, len(data), max_bytes, "response")
    content_type = headers.get_content_type()
    return RawSource(
        location=url,
        kind=_KINDS.get(content_type) or _suffix_kind(final_url),
        data=data,
        url=final_url,
        charset=headers.get_content_charset(),
    )
