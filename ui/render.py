"""Pure rendering helpers: Answer → safe Markdown for Streamlit. No Streamlit import here.

Article text is untrusted: every character Markdown or HTML would interpret is escaped, so a
paragraph containing <script>, ![img](...) or [link](javascript:...) shows as plain text.
"""

from __future__ import annotations

import re

from assistant.models import Answer, Citation

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$=:])")


def escape_md(text: str) -> str:
    """Text that Streamlit's Markdown shows literally (no links, images, HTML, math)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, with its [n] markers kept as plain bracketed numbers."""
    escaped = escape_md(answer.text)
    # Markers were escaped to \[n\]; show them as bold plain text so they stay visible.
    return re.sub(r"\\\[(\d+)\\\]", r"**\[\1\]**", escaped)


def citation_label(c: Citation) -> str:
    p = c.paragraph
    parts = [p.title, p.source, p.published_at or "undated", f"paragraph {p.index + 1}"]
    return f"[{c.number}] " + " · ".join(parts)


def citation_markdown(c: Citation) -> str:
    """Header line and the verbatim quote, escaped."""
    p = c.paragraph
    lines = [f"**{escape_md(citation_label(c))}**", f"> {escape_md(c.quote)}"]
    if p.url:
        lines.append(f"`{p.url.replace('`', '')}`")
    return "\n\n".join(lines)


def sources_markdown(answer: Answer) -> str:
    return "\n\n".join(citation_markdown(c) for c in answer.citations)
