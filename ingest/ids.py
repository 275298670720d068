"""Identifiers derived from content, so re-reading the same article gives the same ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Unicode-normalised, whitespace-collapsed, case-folded text (for identity, not display)."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


# Query parameters that track the reader and never change which article a URL names.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|ref_src)$", re.I
)


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased; fragment, trailing slash and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or ""
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _TRACKING.match(pair.split("=")[0])
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(title: str, body: str, meta: str = "") -> str:
    """Hash of everything that, when changed, means the article must be re-indexed."""
    return _digest("\x1f".join((title, body, meta)))


def article_id(url: str | None, title: str, body: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the normalised text."""
    key = "url:" + canonical_url(url) if url else "text:" + normalise_text(title + "\n" + body)
    return _digest(key)[:16]
