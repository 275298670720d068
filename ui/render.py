"""Pure rendering helpers: Answer → safe Markdown or HTML fragments. No Streamlit import here.

Article text (and anything derived from it: titles, publishers, URLs, quotes, error messages)
is untrusted. Markdown fragments escape every character Markdown or HTML would interpret;
HTML fragments pass every piece of text through ``html.escape`` and only add our own tags.
So a paragraph containing <script>, ![img](...) or [link](javascript:...) shows as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence

from assistant.export.document import safe_link
from assistant.models import Answer, Citation
from vectorstore.filters import Filters
from vectorstore.models import Passage

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$=:])")
# GFM turns bare URLs, www. names and e-mail addresses in *text* into links after escapes
# are resolved, and Streamlit turns :material/name: into an icon; a WORD JOINER (invisible,
# zero width) at these spots keeps them text.
_WJ = "\u2060"
_AUTOLINK_SPOTS = re.compile(
    r"(?i)(\b(?:https?|ftp|file|mailto|xmpp):|\bwww(?=\.)|\w(?=@)|:(?=material/))"
)
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")

# The stance values of assistant.attribution, as the citation panel names them.
STANCE_PHRASES = {
    "confirmed": "confirmed by",
    "asserted": "stated by",
    "alleged": "claimed by",
    "denied": "denied by",
    "conditional": "said conditionally by",
}


# -- Markdown ------------------------------------------------------------------------------
def escape_md(text: str) -> str:
    """Text that Streamlit's Markdown shows literally (no links, images, HTML, math)."""
    text = _AUTOLINK_SPOTS.sub(lambda m: m.group(1) + _WJ, text)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, with its [n] markers kept as plain bracketed numbers."""
    # Markers were escaped to \[n\]; show them bold so they stand out as references.
    return _ESCAPED_MARKER.sub(r"**\[\1\]**", escape_md(answer.text))


def stream_chunks(markdown: str) -> Iterator[str]:
    """Word-sized pieces of already-escaped Markdown; joined they give ``markdown`` back, and
    no piece ends inside an escape or a bold marker (they contain no spaces)."""
    yield from re.findall(r"\S+\s*|\s+", markdown)


def escape_stream(chunks: Iterable[str]) -> Iterator[str]:
    """Escape a backend's raw text stream piece by piece (escaping is per character, so the
    escaped pieces join into the escaped whole)."""
    for chunk in chunks:
        if chunk:
            yield escape_md(chunk)


def stance_label(c: Citation) -> str | None:
    """ "claimed by X", "denied by X", ... for an attributed quote; None when unattributed."""
    if not c.speaker:
        return None
    phrase = STANCE_PHRASES.get(c.stance, f"{c.stance} by" if c.stance else "attributed to")
    if c.stance == "unattributed":
        phrase = "attributed to"
    return f"{phrase} {c.speaker}"


def citation_label(c: Citation) -> str:
    a, p = c.passage.article, c.passage.paragraph
    parts = [a.title, a.source, a.published_at or "undated", f"paragraph {p.index + 1}"]
    return f"[{c.number}] " + " · ".join(parts)


def citation_button_label(c: Citation) -> str:
    """The label of the button that opens citation ``[n]``: Markdown, escaped."""
    return escape_md(f"[{c.number}] {c.passage.article.source}")


def citation_markdown(c: Citation) -> str:
    """Header line, stance and the verbatim quote, escaped."""
    url = c.passage.article.url
    lines = [f"**{escape_md(citation_label(c))}**"]
    label = stance_label(c)
    if label:
        lines.append(f"*{escape_md(label)}*")
    lines.append(f"> {escape_md(c.quote)}")
    if url:
        lines.append(f"`{url.replace('`', '')}`")
    return "\n\n".join(lines)


def sources_markdown(answer: Answer) -> str:
    return "\n\n".join(citation_markdown(c) for c in answer.citations)


def related_markdown(passage: Passage) -> str:
    """A related (not cited) paragraph: header and the paragraph, escaped."""
    a = passage.article
    head = " · ".join(
        [a.title, a.source, a.published_at or "undated", f"paragraph {passage.paragraph.index + 1}"]
    )
    return f"**{escape_md(head)}**\n\n> {escape_md(passage.text)}"


def unsupported_markdown(answer: Answer) -> str:
    """The sentences a backend wrote that the cited paragraphs did not support (removed)."""
    lines = ["**Not supported by the cited paragraphs (removed from the answer):**"]
    lines.extend(f"- {escape_md(s)}" for s in answer.unsupported)
    return "\n".join(lines)


def filters_caption(filters: Filters) -> str | None:
    """What the answer was restricted to, for the caption under it (escaped); None if nothing."""
    if not filters:
        return None
    parts = []
    if filters.sources:
        parts.append("publishers: " + ", ".join(filters.sources))
    if filters.since or filters.until:
        since = filters.since.isoformat() if filters.since else "…"
        until = filters.until.isoformat() if filters.until else "…"
        parts.append(f"dates: {since} to {until}")
    return escape_md("Searched only " + "; ".join(parts))


# -- HTML (st.html) ------------------------------------------------------------------------
def quote_span(c: Citation) -> tuple[int, int] | None:
    """Where the quote sits in the paragraph: the citation's offsets when they hold the quote,
    else the quote's first occurrence; None when the paragraph does not contain it."""
    text, start, end = c.passage.text, c.quote_start, c.quote_end
    if 0 <= start < end <= len(text) and text[start:end] == c.quote:
        return start, end
    found = text.find(c.quote) if c.quote else -1
    return (found, found + len(c.quote)) if found >= 0 else None


def highlighted_paragraph_html(c: Citation) -> str:
    """The paragraph, escaped, with the supporting sentence wrapped in <mark>."""
    text = c.passage.text
    span = quote_span(c)
    if span is None:
        return html.escape(text)
    start, end = span
    return (
        html.escape(text[:start])
        + '<mark class="briefing-quote">'
        + html.escape(text[start:end])
        + "</mark>"
        + html.escape(text[end:])
    )


_CARD_STYLE = (
    "font-size:0.95rem;line-height:1.5;max-width:44rem;"
    "border-left:3px solid #c9a227;padding-left:0.75rem"
)


def citation_card_html(c: Citation) -> str:
    """The citation panel: title, publisher, date, stance, link, and the paragraph with the
    supporting sentence highlighted. Every piece of article text is escaped."""
    a = c.passage.article
    esc = html.escape
    meta = " · ".join(
        [a.source, a.published_at or "undated", f"paragraph {c.passage.paragraph.index + 1}"]
        + ([f"by {a.author}"] if a.author else [])
    )
    rows = [
        f'<div class="briefing-citation" data-citation="{c.number}" style="{_CARD_STYLE}">',
        f'<div style="font-weight:600">[{c.number}] {esc(a.title)}</div>',
        f'<div style="opacity:0.75">{esc(meta)}</div>',
    ]
    label = stance_label(c)
    if label:
        rows.append(f'<div class="briefing-stance"><em>{esc(label)}</em></div>')
    if c.sources_count > 1:
        rows.append(f"<div>The same claim appears in {c.sources_count} publications.</div>")
    rows.append(f'<p class="briefing-paragraph">{highlighted_paragraph_html(c)}</p>')
    url = safe_link(a.url)
    if url:
        rows.append(
            f'<div><a href="{esc(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer nofollow">{esc(url)}</a></div>'
        )
    elif a.url:
        rows.append(f"<div><code>{esc(a.url)}</code></div>")
    rows.append("</div>")
    return "\n".join(rows)


# -- Sidebar -------------------------------------------------------------------------------
def upload_report_lines(
    new: int, updated: int, unchanged: int, paragraphs: int, failed: Sequence[tuple[str, str]]
) -> tuple[str, list[str]]:
    """Summary and one escaped line per failed file (``failed`` = (file name, reason))."""
    summary = (
        f"Indexed {new} new and {updated} updated article(s), {paragraphs} paragraph(s); "
        f"{unchanged} unchanged."
    )
    return summary, [f"**{escape_md(name)}**: {escape_md(reason)}" for name, reason in failed]


def status_markdown(
    articles: int, paragraphs: int, last_indexed_at: str | None, model: str, store: str
) -> str:
    """The index status for the sidebar, escaped."""
    last = (last_indexed_at or "never").replace("T", " ")[:16]
    return "  \n".join(
        [
            f"**{articles}** articles · **{paragraphs}** paragraphs",
            f"Last indexed: {escape_md(last)}",
            f"Model: {escape_md(model)} · {escape_md(store)}",
        ]
    )
