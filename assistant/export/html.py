"""HTML export: one self-contained file (inline CSS, no scripts, no external resources).

Every piece of text goes through ``html.escape``; the only links are markers to their
``#ref-…`` anchors and http(s) article URLs. A Content-Security-Policy forbids loading
anything at all, in case a browser ever found something to load.
"""

from __future__ import annotations

from html import escape

from assistant.html_page import page
from assistant.view import (
    APPENDIX_HEADING,
    APPENDIX_NOTE,
    SOURCES_HEADING,
    Document,
    Reference,
    Section,
    Segment,
)

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; }
.subtitle { color: #555; }
.question { font-weight: 600; }
a.marker { text-decoration: none; font-weight: 600; }
p.lead { font-size: 1.1rem; } ul.quotes > li { margin: .35rem 0; }
ol.references { padding-left: 0; list-style: none; }
ol.references > li { margin: 1rem 0; padding: .5rem .75rem; border-left: 3px solid #bbb; }
ol.references > li:target { border-left-color: #2060c0; background: #f1f5fc; }
blockquote { margin: .5rem 0; font-style: italic; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem;
     font-size: .9rem; margin: .25rem 0; }
dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
code { font-size: .85rem; }
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _run(sec: Section, segs: tuple[Segment, ...]) -> str:
    parts = []
    for seg in segs:
        if seg.marker is None:
            parts.append(_e(seg.text).replace("\n", "<br>\n"))
        else:
            anchor = _e(sec.anchor_of(seg.marker))
            parts.append(f'<a class="marker" href="#{anchor}">{_e(seg.text)}</a>')
    return "".join(parts)


def _answer(sec: Section) -> str:
    """The one answer layout: the direct answer line bold, then the quotes as a list; an
    answer without one keeps its paragraphs."""
    if sec.lead:
        out = f'<p class="answer lead"><strong>{_run(sec, sec.lead)}</strong></p>'
        if sec.quotes:
            items = "".join(f"<li>{_run(sec, q)}</li>" for q in sec.quotes)
            out += f'\n<ul class="quotes">{items}</ul>'
        return out
    return "\n".join(f'<p class="answer">{_run(sec, p)}</p>' for p in sec.paragraphs)


def _url(ref: Reference) -> str:
    if ref.link_url:
        url = _e(ref.link_url)
        return f'<a href="{url}" rel="noopener noreferrer nofollow">{url}</a>'
    return f"{_e(ref.url or 'none')}{' (not a web link)' if ref.url else ''}"


def _reference(ref: Reference) -> str:
    rows = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>"
        if label != "Article"
        else f"<dt>{_e(label)}</dt><dd><code>{_e(value)}</code></dd>"
        for label, value in ref.fields()
    )
    rows += f"<dt>URL</dt><dd>{_url(ref)}</dd>"
    return (
        f'<li id="{_e(ref.anchor)}">'
        f'<p class="ref-head"><strong>{_e(ref.marker)}</strong> {_e(ref.place.publisher)} · '
        f"{_e(ref.place.date)} · <cite>{_e(ref.place.title)}</cite></p>\n"
        f"<blockquote>{_e(ref.quote)}</blockquote>\n"
        f"<dl>{rows}</dl></li>"
    )


def _list(heading: str, items: tuple[str, ...]) -> str:
    lis = "".join(f"<li>{_e(s)}</li>" for s in items)
    return f'<p class="note">{_e(heading)}:</p>\n<ul>{lis}</ul>'


def _section(sec: Section, conversation: bool) -> str:
    out = [f'<section id="question-{sec.number}">']
    if conversation:
        when = f" <small>({_e(sec.asked_at)})</small>" if sec.asked_at else ""
        out.append(f"<h2>{sec.number}. {_e(sec.question)}{when}</h2>")
    else:
        out.append(f'<p class="question">Question: {_e(sec.question)}</p>')
    out.append(_answer(sec))
    out.extend(_list(heading, items) for heading, items in sec.notes())
    if sec.references:
        level = 3 if conversation else 2
        out.append(f"<h{level}>{_e(SOURCES_HEADING)}</h{level}>")
        out.append('<ol class="references">')
        out.extend(_reference(r) for r in sec.references)
        out.append("</ol>")
    out.append("</section>")
    return "\n".join(out)


def render(doc: Document) -> str:
    subtitle = f'<p class="subtitle">{_e(doc.subtitle)}</p>\n' if doc.subtitle else ""
    if doc.provenance:
        rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in doc.provenance.rows())
        subtitle += f'<dl class="provenance">{rows}</dl>\n'
    body = "\n".join(_section(s, doc.conversation) for s in doc.sections)
    if hashes := doc.hash_rows():
        items = "".join(
            f"<li>{_e(label)} <code>{_e(a)}</code>: <code>{_e(h)}</code></li>"
            for label, a, h in hashes
        )
        body += (
            f'\n<section id="appendix"><h2>{_e(APPENDIX_HEADING)}</h2>\n'
            f'<p class="note">{_e(APPENDIX_NOTE)}</p>\n<ul class="hashes">{items}</ul></section>'
        )
    return page(_e(doc.title), STYLE, f"<h1>{_e(doc.title)}</h1>\n{subtitle}{body}")
