"""Exports of answers and conversations; every format keeps markers and references.

The CLI and the UI call the same two functions::

    export_answer(answer, "pdf") -> bytes
    export_conversation(conversation, "html") -> bytes

with ``FORMATS[fmt]`` giving the label, file extension and MIME type of each format.
Renderers are imported when used, so importing this package stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import ExportError

if TYPE_CHECKING:
    from assistant.conversations import Conversation
    from assistant.export.document import Document
    from assistant.models import Answer


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str  # what --format takes
    label: str
    extension: str  # with the dot
    mime: str
    binary: bool  # docx and pdf: never written to a terminal


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "Markdown", ".md", "text/markdown", False),
        ExportFormat("json", "JSON", ".json", "application/json", False),
        ExportFormat("html", "HTML", ".html", "text/html", False),
        ExportFormat(
            "docx",
            "Word",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            True,
        ),
        ExportFormat("pdf", "PDF", ".pdf", "application/pdf", True),
    )
}


def export_format(fmt: str) -> ExportFormat:
    try:
        return FORMATS[fmt.lower().lstrip(".")]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}") from None


def mime_type(fmt: str) -> str:
    return export_format(fmt).mime


def file_extension(fmt: str) -> str:
    return export_format(fmt).extension


def file_name(stem: str, fmt: str) -> str:
    """A safe file name: ``stem`` slugged (letters, digits, dashes) plus the extension."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60].rstrip("-") or "briefing"
    return slug + file_extension(fmt)


def _render(doc: Document, fmt: str) -> bytes:
    if fmt == "md":
        from assistant.export import markdown

        return markdown.render(doc).encode("utf-8")
    if fmt == "html":
        from assistant.export import html

        return html.render(doc).encode("utf-8")
    if fmt == "docx":
        from assistant.export import docx

        return docx.render(doc)
    from assistant.export import pdf

    return pdf.render(doc)


def export_answer(answer: Answer, fmt: str) -> bytes:
    """One answer as a file of format ``fmt`` (md, json, html, docx, pdf)."""
    from assistant.export import document, schema

    name = export_format(fmt).name
    if name == "json":
        return (schema.answer_json(answer) + "\n").encode("utf-8")
    return _render(document.from_answer(answer), name)


def export_conversation(conversation: Conversation, fmt: str) -> bytes:
    """A whole conversation (a briefing) as a file of format ``fmt``."""
    from assistant.export import document, schema

    name = export_format(fmt).name
    if name == "json":
        return (schema.conversation_json(conversation) + "\n").encode("utf-8")
    return _render(document.from_conversation(conversation), name)
