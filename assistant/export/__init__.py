"""Exports of answers and conversations; every format keeps markers and references.

The CLI and the UI call the same two functions::

    export_answer(answer, "pdf") -> bytes
    export_conversation(conversation, "html") -> bytes

with ``FORMATS[fmt]`` giving the label, file extension and MIME type of each format: the one
list of formats (the CLI's --format choices and the chat's download buttons come from it).
Every format but JSON lays out the answer view (assistant.view); JSON is the versioned
record of schema.py. Renderers are imported when used, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import ExportError

if TYPE_CHECKING:
    from assistant.brief.build import Briefing
    from assistant.conversations import Conversation
    from assistant.models import Answer
    from assistant.view import Document, Provenance


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str  # what --format takes
    label: str
    extension: str  # with the dot
    mime: str
    binary: bool  # docx and pdf: never written to a terminal
    renderer: str | None  # module under assistant.export whose render(Document) lays it out


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "Markdown", ".md", "text/markdown", False, "markdown"),
        ExportFormat("json", "JSON", ".json", "application/json", False, None),
        ExportFormat("html", "HTML", ".html", "text/html", False, "html"),
        ExportFormat(
            "docx",
            "Word",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            True,
            "docx",
        ),
        ExportFormat("pdf", "PDF", ".pdf", "application/pdf", True, "pdf"),
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


def _render(doc: Document, fmt: ExportFormat) -> bytes:
    module = importlib.import_module(f"assistant.export.{fmt.renderer}")
    out: str | bytes = module.render(doc)
    return out.encode("utf-8") if isinstance(out, str) else out


def export_answer(answer: Answer, fmt: str, provenance: Provenance | None = None) -> bytes:
    """One answer as a file of format ``fmt`` (md, json, html, docx, pdf), opening with
    ``provenance`` (when, corpus, filters, backend) when given."""
    from assistant import view
    from assistant.export import schema

    f = export_format(fmt)
    if f.renderer is None:
        return (schema.answer_json(answer) + "\n").encode("utf-8")
    return _render(view.from_answer(answer, provenance), f)


def export_conversation(
    conversation: Conversation, fmt: str, provenance: Provenance | None = None
) -> bytes:
    """A whole conversation (a briefing) as a file of format ``fmt``."""
    from assistant import view
    from assistant.export import schema

    f = export_format(fmt)
    if f.renderer is None:
        return (schema.conversation_json(conversation) + "\n").encode("utf-8")
    return _render(view.from_conversation(conversation, provenance), f)


def export_briefing(briefing: Briefing, fmt: str) -> bytes:
    """A briefing (``briefing brief``) as a file of format ``fmt``: the one briefing layout
    (assistant/brief/document.py) laid out for the format (assistant/brief/render.py,
    office.py), every line cited; JSON adds its claims, figures, groups and conflicts as
    records."""
    from assistant.brief import document
    from assistant.export.schema import json_text

    f = export_format(fmt)
    if f.renderer is None:
        return (json_text(document.briefing_json(briefing)) + "\n").encode("utf-8")
    lay = document.layout(briefing)
    if f.name in ("md", "html"):
        from assistant.brief import render

        out = render.markdown(lay) if f.name == "md" else render.html_page(lay)
        return out.encode("utf-8")
    from assistant.brief import office

    return office.docx(lay) if f.name == "docx" else office.pdf(lay)
