"""Markdown export: markers link to ``#ref-…`` anchors in the numbered reference list.

Untrusted text is escaped so that no renderer (CommonMark, GitHub, Streamlit) turns it into
HTML, a link, an image or formatting: every character that can open such a construct is
backslash-escaped, bare URLs are broken so they are not auto-linked, and a line never starts
a list, heading or code block.
"""

from __future__ import annotations

import re

from assistant.view import (
    APPENDIX_HEADING,
    APPENDIX_NOTE,
    SOURCES_HEADING,
    Document,
    Reference,
    Section,
    Segment,
)

# Characters that can open HTML, links, images, emphasis, code, tables, math or footnotes.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#&|~$^@])")
# Auto-links (GFM, linkify): "http://…", "www.…"; escaping breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=\bwww)(\.)")
# Line starts that open a block: list items, setext underlines, ordered lists.
_LINE_START = re.compile(r"^([-+=]|\d+[.)])")


def _block_safe(line: str) -> str:
    """A line (already character-escaped) that opens no block and contains no auto-link."""
    line = _AUTOLINK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), line.strip())
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], line)


def escape(text: str) -> str:
    """Text any Markdown renderer shows literally, on one line."""
    return _block_safe(_SPECIAL.sub(r"\\\1", " ".join(text.split())))


def _url(ref: Reference) -> str:
    if ref.link_url:
        return f"<{ref.link_url}>"
    return escape(ref.url or "") + " (not a web link, shown as text)"


def _run(sec: Section, segs: tuple[Segment, ...], bold: bool = False) -> str:
    """Segments on one line: text escaped (bold for the lead), markers linked."""
    parts = []
    for seg in segs:
        if seg.marker is None:
            text = _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", seg.text))
            stripped = text.strip()
            if bold and stripped:  # "**" must touch the words it makes bold
                lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                text = f"{lead}**{stripped}**{trail}"
            parts.append(text)
        else:
            parts.append(f"[\\[{seg.marker}\\]](#{sec.anchor_of(seg.marker)})")
    return _block_safe("".join(parts))


def _answer(sec: Section) -> str:
    """The one answer layout: the direct answer line bold, then the quotes as a list; an
    answer without one keeps its paragraphs."""
    if sec.lead:
        lines = [_run(sec, sec.lead, bold=True)]
        if sec.quotes:
            lines += [""] + [f"- {_run(sec, q)}" for q in sec.quotes]
        return "\n".join(lines)
    return "\n\n".join(_run(sec, p) for p in sec.paragraphs)


def _reference(ref: Reference) -> list[str]:
    lines = [
        f'### <a id="{ref.anchor}"></a>\\[{ref.number}\\] {escape(ref.place.compact)}',
        "",
        f"> {escape(ref.quote)}",
        "",
    ]
    lines += [f"- {label}: {escape(value)}" for label, value in ref.fields()]
    lines.append(f"- URL: {_url(ref)}" if ref.url else "- URL: none")
    lines.append("")
    return lines


def _section(sec: Section, conversation: bool) -> list[str]:
    lines: list[str] = []
    if conversation:
        when = f" ({escape(sec.asked_at)})" if sec.asked_at else ""
        lines += [f"## {sec.number}. {escape(sec.question)}{when}", ""]
    else:
        lines += [f"**Question:** {escape(sec.question)}", ""]
    lines += [_answer(sec), ""]
    for heading, items in sec.notes():
        lines += [f"**{escape(heading)}:**", ""]
        lines += [f"- {escape(s)}" for s in items] + [""]
    if sec.references:
        lines += [f"{'###' if conversation else '##'} {SOURCES_HEADING}", ""]
        for ref in sec.references:
            block = _reference(ref)
            if conversation:  # one level deeper under the question's heading
                block[0] = "#" + block[0]
            lines += block
    return lines


def render(doc: Document) -> str:
    lines = [f"# {escape(doc.title)}", ""]
    if doc.subtitle:
        lines += [f"*{escape(doc.subtitle)}*", ""]
    if doc.provenance:
        lines += [f"- {label}: {escape(value)}" for label, value in doc.provenance.rows()]
        lines.append("")
    for sec in doc.sections:
        lines += _section(sec, doc.conversation)
    if rows := doc.hash_rows():
        lines += [f"## {APPENDIX_HEADING}", "", escape(APPENDIX_NOTE), ""]
        lines += [f"- {escape(label)} {escape(a)}: {escape(h)}" for label, a, h in rows] + [""]
    return "\n".join(lines).rstrip() + "\n"
