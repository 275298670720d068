"""JSON and JSON Lines article records: title, source, url, published_at, author, body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.models import Article

FIELDS = ("title", "source", "url", "published_at", "author")


def _record(location: str, obj: Any) -> Article:
    if not isinstance(obj, dict):
        raise IngestError(location, "record is not a JSON object")
    fields = {name: obj.get(name) for name in FIELDS}
    if fields["source"] is None:
        fields["source"] = obj.get("publisher")
    return build_article(location, body=obj.get("body", obj.get("text")), **fields)


def read_json(location: str, text: str) -> Iterator[Article | IngestError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(location, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    records = data if isinstance(data, list) else [data]
    for i, obj in enumerate(records):
        where = f"{location}[{i}]" if isinstance(data, list) else location
        try:
            yield _record(where, obj)
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
            yield _record(where, obj)
        except IngestError as exc:
            yield exc
