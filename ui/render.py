"""Pure rendering helpers: the answer view (assistant.view) → safe Markdown or HTML fragments.
No Streamlit import here; the wording (headings, "undated", stance phrases) is the view's.

Article text (and anything derived from it: titles, publishers, URLs, quotes, error messages)
is untrusted. Markdown fragments escape every character Markdown or HTML would interpret;
HTML fragments pass every piece of text through ``html.escape`` and only add our own tags.
So a paragraph containing <script>, ![img](...) or [link](javascript:...) shows as text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator, Sequence

from assistant.citations import escape_quoted, unescape
from assistant.models import Answer
from assistant.overview import CorpusOverview, Count
from assistant.view import (
    CHAT_UNSUPPORTED_HEADING,
    SOURCES_HEADING,
    Reference,
    Related,
    Section,
    Segment,
    clean,
)
from ui.session import UploadOutcome
from vectorstore.filters import Filters

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$=:])")
# GFM turns bare URLs, www. names and e-mail addresses in *text* into links after escapes
# are resolved, and Streamlit turns :material/name: into an icon; a WORD JOINER (invisible,
# zero width) at these spots keeps them text.
_WJ = "\u2060"
_AUTOLINK_SPOTS = re.compile(
    r"(?i)(\b(?:https?|ftp|file|mailto|xmpp):|\bwww(?=\.)|\w(?=@)|:(?=material/))"
)
_MARKER_RUN = re.compile(r"(?:(?<!\\)\[\d+\])+")  # the composer's markers, not quoted ones


# -- Markdown ------------------------------------------------------------------------------
def escape_md(text: str) -> str:
    """Text that Streamlit's Markdown shows literally (no links, images, HTML, math)."""
    text = _AUTOLINK_SPOTS.sub(lambda m: m.group(1) + _WJ, text)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, with its [n] markers kept as plain bracketed numbers. The
    answer's own paragraph breaks (the direct answer line, then the quotes) are kept."""
    text = clean(escape_quoted(answer).text)  # also a saved answer from before the escaping
    return "\n\n".join(_paragraph_markdown(p) for p in text.split("\n\n"))


def _paragraph_markdown(paragraph: str) -> str:
    """A run of real markers is shown bold as one, so "[1][4]" does not become
    "**[1]****[4]**", which Markdown reads as stray asterisks; a number quoted from an
    article (escaped in the answer as \\[1\\]) is shown as the article wrote it, as text."""
    parts, pos = [], 0
    for run in _MARKER_RUN.finditer(paragraph):
        parts += [escape_md(unescape(paragraph[pos : run.start()])), f"**{escape_md(run[0])}**"]
        pos = run.end()
    parts.append(escape_md(unescape(paragraph[pos:])))
    return "".join(parts)


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


def citation_label(ref: Reference) -> str:
    return f"{ref.marker} " + " · ".join(ref.place.parts)


TITLE_WORDS = 5  # of an article's title in a citation's label


def title_words(title: str, n: int = TITLE_WORDS) -> str:
    words = title.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def short_label(ref: Reference) -> str:
    """``[n] Publisher · date · first words of the title``: tells apart citations of one
    outlet (plain text)."""
    return f"{ref.marker} {ref.place.publisher} · {ref.place.date} · {title_words(ref.place.title)}"


def citation_button_label(ref: Reference) -> str:
    """The label of the button that opens citation ``[n]``: Markdown, escaped."""
    return escape_md(short_label(ref))


def citation_markdown(ref: Reference) -> str:
    """Header line, stance and the verbatim quote, escaped."""
    lines = [f"**{escape_md(citation_label(ref))}**"]
    if ref.stance_phrase:
        lines.append(f"*{escape_md(ref.stance_phrase)}*")
    lines.append(f"> {escape_md(ref.quote)}")
    if ref.url:
        lines.append(f"`{ref.url.replace('`', '')}`")
    return "\n\n".join(lines)


def sources_markdown(sec: Section) -> str:
    return "\n\n".join(citation_markdown(ref) for ref in sec.references)


def related_markdown(r: Related) -> str:
    """A related (not cited) paragraph: header and the paragraph, escaped. One that is not
    citable (a caption, credit, byline, heading, copyright line or boilerplate) is greyed,
    its kind named after the header."""
    header = f"**{escape_md(' · '.join(r.place.parts))}**"
    if r.kind is None:
        return f"{header}\n\n> {escape_md(r.text)}"
    note = escape_md(f"{r.kind} (not citable)")
    return f":gray[{header} · *{note}*]\n\n> :gray[{escape_md(r.text)}]"


def unsupported_markdown(sec: Section) -> str:
    """The sentences a backend wrote that the cited paragraphs did not support (removed)."""
    lines = [f"**{sec.unsupported_heading(CHAT_UNSUPPORTED_HEADING)}:**"]
    lines.extend(f"- {escape_md(s)}" for s in sec.unsupported)
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
def highlighted_paragraph_html(ref: Reference) -> str:
    """The paragraph, escaped, with the supporting sentence wrapped in <mark>."""
    text = ref.paragraph_text
    if ref.quote_span is None:
        return html.escape(text)
    start, end = ref.quote_span
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


def citation_card_html(ref: Reference) -> str:
    """The citation panel: title, publisher, date, stance, link, and the paragraph with the
    supporting sentence highlighted. Every piece of article text is escaped."""
    esc = html.escape
    meta = " · ".join([*ref.place.parts[1:], *([f"by {ref.author}"] if ref.author else [])])
    rows = [
        f'<div class="briefing-citation" data-citation="{ref.number}" style="{_CARD_STYLE}">',
        f'<div style="font-weight:600">{ref.marker} {esc(ref.place.title)}</div>',
        f'<div style="opacity:0.75">{esc(meta)}</div>',
    ]
    if ref.stance_phrase:  # "claimed by X": the stance words of the terminal and the exports
        rows.append(f'<div class="briefing-stance"><em>{esc(ref.stance_phrase)}</em></div>')
    if ref.sources_count > 1:
        rows.append(f"<div>The same claim appears in {ref.sources_count} publications.</div>")
    rows.append(f'<p class="briefing-paragraph">{highlighted_paragraph_html(ref)}</p>')
    if ref.link_url:
        rows.append(
            f'<div><a href="{esc(ref.link_url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer nofollow">{esc(ref.link_url)}</a></div>'
        )
    elif ref.url:
        rows.append(f"<div><code>{esc(ref.url)}</code></div>")
    rows.append("</div>")
    return "\n".join(rows)


# The answer in the one layout, as one HTML fragment: the direct answer line (bold), the
# quotes as a list, then one source list. Plain HTML and CSS (<details>), no script: st.html
# sanitises scripts away anyway.
# - A marker in the text is a disclosure: clicked, its card (the paragraph with the quote
#   highlighted) opens in the flow right under the marker's line, pushing what follows down;
#   it never covers the answer, and another marker of the same answer closes it (an
#   exclusive group of <details name=...>).
# - Each source of the list (outlet · date · title) opens the same card under itself.
# The details' content box is display:none when closed and a block when open; the <details>
# of a marker itself stays inline, so that a closed marker keeps its line.
_ANSWER_STYLE = """<style>
.briefing-answer{line-height:1.6}
.briefing-answer .briefing-lead{font-size:1.08rem;margin:0 0 0.6rem 0}
.briefing-answer .briefing-lead strong{font-weight:650}
.briefing-answer ul.briefing-quotes{margin:0 0 0.8rem 0;padding-left:1.2rem}
.briefing-answer ul.briefing-quotes>li{margin:0 0 0.45rem 0}
.briefing-answer .briefing-para{margin:0 0 0.8rem 0}
details.briefing-marker{display:inline}
details.briefing-marker::details-content{display:none}
details.briefing-marker[open]::details-content{display:block}
details.briefing-marker>summary{display:inline;cursor:pointer;font-weight:600;color:#8a6d00;
list-style:none;white-space:nowrap}
details.briefing-marker[open]>summary{background:#f6e7a8;border-radius:0.25rem}
details.briefing-marker>summary::-webkit-details-marker{display:none}
details.briefing-marker>summary:hover{text-decoration:underline}
.briefing-answer .briefing-popup{margin:0.4rem 0 0.6rem 0;padding:0.6rem 0.8rem;
background:rgba(201,162,39,0.08);border-radius:0.4rem;font-weight:400;font-size:0.95rem}
.briefing-sources{margin-top:0.4rem;border-top:1px solid rgba(128,128,128,0.25);
padding-top:0.4rem}
.briefing-sources-title{font-size:0.85rem;font-weight:600;opacity:0.75;margin-bottom:0.2rem}
ol.briefing-source-list{list-style:none;padding-left:0;margin:0}
ol.briefing-source-list>li{margin:0.1rem 0}
details.briefing-source>summary{cursor:pointer;font-size:0.9rem;overflow-wrap:anywhere}
details.briefing-source>summary .briefing-num{font-weight:600;color:#8a6d00}
details.briefing-source>summary .briefing-meta{opacity:0.75}
details.briefing-source[open]>summary{font-weight:600}
</style>"""


def _segments_html(
    segs: Sequence[Segment], refs: dict[int, Reference], group: str, bold: bool = False
) -> str:
    """Segments as HTML: text escaped (bold in the lead), markers as disclosures."""
    parts = []
    for seg in segs:
        if seg.marker is not None and seg.marker in refs:
            parts.append(marker_html(refs[seg.marker], group))
        elif seg.text:
            text = html.escape(seg.text).replace("\n", "<br>")
            parts.append(f"<strong>{text}</strong>" if bold and seg.text.strip() else text)
    return "".join(parts).strip()


def marker_html(ref: Reference, group: str = "") -> str:
    name = f' name="{html.escape(group, quote=True)}"' if group else ""
    return (
        f'<details class="briefing-marker" data-marker="{ref.number}"{name}>'
        f'<summary title="{html.escape(short_label(ref), quote=True)}">{ref.marker}</summary>'
        f'<div class="briefing-popup">{citation_card_html(ref).replace(chr(10), "")}</div>'
        "</details>"
    )


def source_item_html(ref: Reference) -> str:
    """One entry of the source list: ``[n] Outlet · date · Title``; opened, its card."""
    place = ref.place
    return (
        f'<details class="briefing-source" data-source="{ref.number}">'
        f'<summary><span class="briefing-num">{ref.marker}</span> '
        f'<span class="briefing-meta">{html.escape(place.publisher)} · '
        f"{html.escape(place.date)} ·</span> {html.escape(place.title)}</summary>"
        f'<div class="briefing-popup">{citation_card_html(ref).replace(chr(10), "")}</div>'
        "</details>"
    )


def answer_html(sec: Section, key: str = "answer") -> str:
    """The answer in the one layout (escaped): the direct answer line bold, the quotes as a
    list, each [n] marker a disclosure opening citation n's card, then the one source list;
    an answer without a direct answer line keeps its paragraphs. ``key`` names the answer
    (a turn) so that its markers form one group: one card open at a time."""
    refs = {r.number: r for r in sec.references}
    group = f"briefing-{key}"
    # <div>, not <p>: a <p> ends where a <details> starts, which would put each marker on
    # a line of its own.
    if sec.lead:
        body = f'<div class="briefing-lead">{_segments_html(sec.lead, refs, group, True)}</div>'
        if sec.quotes:
            items = "".join(f"<li>{_segments_html(q, refs, group)}</li>" for q in sec.quotes)
            body += f'<ul class="briefing-quotes">{items}</ul>'
    else:
        body = "".join(
            f'<div class="briefing-para">{_segments_html(p, refs, group)}</div>'
            for p in sec.paragraphs
        )
    if sec.references:
        items = "".join(f"<li>{source_item_html(r)}</li>" for r in sec.references)
        body += (
            f'<div class="briefing-sources"><div class="briefing-sources-title">'
            f"{html.escape(SOURCES_HEADING)} ({len(sec.references)})</div>"
            f'<ol class="briefing-source-list">{items}</ol></div>'
        )
    return f'{_ANSWER_STYLE}<div class="briefing-answer">{body}</div>'


# -- the landing page ----------------------------------------------------------------------
def counts_line(counts: Sequence[Count], limit: int = 8) -> str:
    """``Name (n) · Name (n) … and 3 more``, escaped."""
    shown = " · ".join(f"{c.name} ({c.count})" for c in counts[:limit])
    more = f" and {len(counts) - limit} more" if len(counts) > limit else ""
    return escape_md(shown + more)


def overview_markdown(ov: CorpusOverview) -> str:
    """What the corpus holds, for the landing page (escaped Markdown)."""
    days = ""
    if ov.first_day and ov.last_day:
        days = f" · from **{escape_md(ov.first_day)}** to **{escape_md(ov.last_day)}**"
        if ov.undated:
            days += f" \\({ov.undated} undated\\)"
    lines = [
        f"**{ov.articles}** articles · **{ov.paragraphs}** paragraphs · "
        f"**{len(ov.outlets)}** outlets{days}",
        f"**Outlets:** {counts_line(ov.outlets)}",
    ]
    for label, counts in (
        ("People", ov.people),
        ("Organisations", ov.organisations),
        ("Places", ov.places),
    ):
        if counts:
            lines.append(f"**{label}:** {counts_line(counts)}")
    return "  \n".join(lines)


def timeline_rows(ov: CorpusOverview) -> list[dict[str, object]]:
    """Articles per day, for the timeline chart."""
    return [{"day": dt.date.fromisoformat(c.name), "articles": c.count} for c in ov.per_day]


# -- Sidebar -------------------------------------------------------------------------------
REBUILD_OFFER = (
    "Drop articles here to rebuild the index in the new layout: every article the old index "
    "held is indexed again with them, and the old index is kept in an old-index-\\* folder "
    "of the data dir."
)


def upgrade_markdown(what: str, sources: int, missing: int, backup: str) -> str:
    """What rebuilding an index of an older layout did (as ``briefing index`` says it)."""
    gone = f" ({missing} no longer exist)" if missing else ""
    return escape_md(
        f"{what}: re-indexed the {sources} sources it held{gone} into the new layout; the "
        f"old index is kept in {backup}"
    )


def upload_report_lines(
    new: int, updated: int, unchanged: int, paragraphs: int, failed: Sequence[tuple[str, str]]
) -> tuple[str, list[str]]:
    """Summary and one escaped line per failed file (``failed`` = (file name, reason))."""
    summary = (
        f"Indexed {new} new and {updated} updated article(s), {paragraphs} paragraph(s); "
        f"{unchanged} unchanged."
    )
    return summary, [f"**{escape_md(name)}**: {escape_md(reason)}" for name, reason in failed]


def status_markdown(articles: int, paragraphs: int, indexed: str | None = None) -> str:
    """The index status for the sidebar on one line, escaped: ``**8** articles · **59**
    paragraphs · updated 09:31`` (``indexed``: when last indexed, said for the viewer)."""
    line = f"**{articles}** articles · **{paragraphs}** paragraphs"
    return line + (f" · updated {escape_md(indexed)}" if indexed else "")


def upload_outcome_lines(outcomes: Sequence[UploadOutcome]) -> tuple[str, list[str], list[str]]:
    """(summary, one escaped line per indexed file, one per failed file) of an upload batch:
    every file's outcome is shown, not only the totals."""
    failed = [(u.name, "; ".join(u.reasons)) for u in outcomes if u.outcome == "failed"]
    summary, errors = upload_report_lines(
        sum(u.new for u in outcomes),
        sum(u.updated for u in outcomes),
        sum(u.unchanged for u in outcomes),
        sum(u.paragraphs for u in outcomes),
        failed,
    )
    done = [
        f"**{escape_md(u.name)}**: {u.outcome}"
        + (f" ({u.articles} articles)" if u.articles > 1 else "")
        + (f"; not read: {escape_md('; '.join(u.reasons))}" if u.reasons else "")
        for u in outcomes
        if u.outcome != "failed"
    ]
    return summary, done, errors
