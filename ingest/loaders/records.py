"""JSON and JSON Lines article records: title, source, url, published_at, author, body.

A record's location is ``FILE#ARTICLE_ID``, not its line number: records can move, be
inserted or deleted without the others changing location (so only edited records are
re-indexed). Errors still name the line (``FILE:LINE``) or array index (``FILE[i]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.models import Article

FIELDS = ("title", "source", "url", "published_at", "author")


def _record(file: str, where: str, obj: Any) -> Article:
    if not isinstance(obj, dict):
        raise IngestError(where, "record is not a JSON object")
    fields = {name: obj.get(name) for name in FIELDS}
    if fields["source"] is None:
        fields["source"] = obj.get("publisher")
    article = build_article(where, body=obj.get("body", obj.get("text")), **fields)
    return replace(article, location=record_location(file, article.id))


def record_location(file: str, article_id: str) -> str:
    return f"{file}#{article_id}"


def read_json(location: str, text: str) -> Iterator[Article | IngestError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(location, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        where = f"{location}[{i}]" if isinstance(data, list) else location
        try:
            yield _record(location, where, obj)
        except IngestError as exc:
            yield exc


def read_jsonl(location: str, text: str) -> Iterator[Article | IngestError]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{location}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(where, f"invalid JSON: {exc.msg}")
            continue
        try:
            yield _record(location, where, obj)
        except IngestError as exc:
            yield exc
