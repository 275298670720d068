"""The briefing's layout (``document.layout``) as text for the terminal, as Markdown and as
HTML (a fragment the chat shows with ``st.html``, and the HTML export's page).

Everything from an article is untrusted: the terminal text drops control and bidi characters
(``view.clean``), Markdown escapes every character that could open a construct
(``export.markdown.escape``), HTML escapes everything (``html.escape``). The HTML has no
script: a citation chip is a ``<details>`` that opens the cited paragraph, its sentence
marked, under the line; the timeline is a closed ``<details>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _html

from assistant import view
from assistant.brief import chart
from assistant.brief.document import (
    CONFLICTS,
    FIGURES,
    KEY_CLAIMS,
    SOURCES,
    TIMELINE,
    ConflictRow,
    KeyLine,
    Layout,
    Side,
    SourceLine,
    StepLine,
    Table,
    conflict_text,
    key_text,
    markers,
    row_text,
    source_text,
    step_text,
)
from assistant.html_page import page
from assistant.models import Citation

CITED = "Cited sentences"


def _e(text: str) -> str:
    return _html(view.clean(text), quote=True)


# -- the terminal -------------------------------------------------------------------------------
def text(lay: Layout) -> str:
    """Plain text: the header, the figures (a row per value, the chart as a sparkline), the
    conflicts, the key claims, the timeline, what is new, and the sources, each article once
    with the sentences cited from it."""
    out = [lay.title, lay.header, ""]

    def part(heading: str, lines: Sequence[str]) -> None:
        out.extend([heading, "-" * len(heading), *lines, ""])

    if lay.empty:
        part(KEY_CLAIMS, [lay.empty])
    if lay.figures:
        lines = []
        for t in lay.figures:
            lines.append(f"{t.heading}{' (contested)' if t.contested else ''}")
            lines.extend(f"  - {row_text(r)}" for r in t.rows)
            if spark := chart.sparkline(t):
                lines.append(f"    {spark}")
        part(FIGURES, lines)
    part(
        CONFLICTS,
        [f"- {conflict_text(x)}" for x in lay.conflicts] or ["No conflicting figures or stances."],
    )
    if lay.key:
        part(KEY_CLAIMS, [f"- {key_text(k)}" for k in lay.key])
    if lay.new is not None:
        part(lay.new_heading, [f"- {step_text(s)}" for s in lay.new] or ["Nothing new."])
    if lay.timeline:
        part(f"{TIMELINE} ({len(lay.timeline)} steps)", [f"- {step_text(s)}" for s in lay.timeline])
    if lay.sources:
        lines = []
        for s in lay.sources:
            lines.append(f"- {source_text(s)}")
            for n in s.chips:
                c = lay.citation(n)
                quote = " ".join(c.quote.split())
                lines.append(f"    [{n}] paragraph {c.passage.paragraph.index + 1}: “{quote}”")
        part(SOURCES, lines)
    return "\n".join(view.clean(line) for line in out).rstrip() + "\n"


# -- Markdown ------------------------------------------------------------------------------------
def _md(text: str) -> str:
    from assistant.export.markdown import escape

    return escape(view.clean(text))


def _md_chips(chips: Sequence[int]) -> str:
    return "".join(f"[\\[{n}\\]](#ref-{n})" for n in chips)


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def markdown(lay: Layout) -> str:
    """Markdown: tables for the figures and the conflicts, bullets for the key claims, the
    timeline in a closed ``<details>``, the sources once with their cited sentences (the
    chips' anchors)."""
    out = [f"# {_md(lay.title)}", "", f"_{_md(lay.header)}_", ""]
    if lay.empty:
        out += [f"## {KEY_CLAIMS}", "", _md(lay.empty), ""]
    if lay.figures:
        out += [f"## {FIGURES}", ""]
        for t in lay.figures:
            mark = " — contested" if t.contested else ""
            out += [f"**{_md(t.heading)}**{mark}", ""]
            out += ["| Figure | Who | Outlet | Date | |", "|---:|---|---|---|---|"]
            for r in t.rows:
                note = f" ({_md_cell(r.note)})" if r.note else ""
                out.append(
                    f"| {_md_cell(r.value)} | {_md_cell(r.who)}{note} | {_md_cell(r.outlet)} "
                    f"| {_md_cell(r.date)} | {_md_chips(r.chips)} |"
                )
            out.append("")
            if spark := chart.sparkline(t):
                out += [f"`{spark}`", ""]
    out += [f"## {CONFLICTS}", ""]
    if not lay.conflicts:
        out += ["No conflicting figures or stances.", ""]
    for x in lay.conflicts:
        sides = x.sides
        heads = [s.label for s in sides] if x.kind == "figure" else ["Denied", "Against"]
        if x.kind == "figure":
            out += [f"**{_md(x.subject)}**", ""]
            out.append("| " + " | ".join(_md_cell(h) for h in heads) + " |")
            out.append("|" + "---|" * len(heads))
            out.append("| " + " | ".join(_md_side(s) for s in sides) + " |")
        else:
            denial, *against = sides
            out.append("| Denied | Against |")
            out.append("|---|---|")
            out.append(f"| {_md_side(denial)} | {'<br>'.join(_md_side(s) for s in against)} |")
        out.append("")
    if lay.key:
        out += [f"## {KEY_CLAIMS}", ""]
        out += [_md_key(k) for k in lay.key]
        out.append("")
    if lay.new is not None:
        out += [f"## {_md(lay.new_heading)}", ""]
        out += [f"- {_md_step(s)}" for s in lay.new] or ["Nothing new."]
        out.append("")
    if lay.timeline:
        out += [f"<details><summary>{TIMELINE} ({len(lay.timeline)} steps)</summary>", ""]
        out += [f"- {_md_step(s)}" for s in lay.timeline]
        out += ["", "</details>", ""]
    if lay.sources:
        out += [f"## {SOURCES}", ""]
        for s in lay.sources:
            out.append(f"- {_md_source(s)}")
            for n in s.chips:
                c = lay.citation(n)
                out.append(
                    f'  - <a id="ref-{n}"></a>**\\[{n}\\]** paragraph '
                    f"{c.passage.paragraph.index + 1}: “{_md(c.quote)}”"
                )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_side(s: Side) -> str:
    more = f", +{s.more} more" if s.more else ""
    return (
        f"{_md_cell(s.label)} — {_md_cell(s.who)} ({_md_cell(s.outlet)}, {_md_cell(s.date)}"
        f"{more}) “{_md_cell(s.quote)}” {_md_chips(s.chips)}"
    )


def _md_key(k: KeyLine) -> str:
    sources = f"{k.sources} independent source{'s' if k.sources != 1 else ''}"
    new = " **new**" if k.new else ""
    return (
        f"- **{_md(k.who)}**{new} ({sources}; {_md(', '.join(k.why))}): “{_md(k.quote)}” "
        f"{_md_chips(k.chips)}"
    )


def _md_step(s: StepLine) -> str:
    update = f", {_md(s.update)} {_md_chips(s.update_chips)}" if s.update else ""
    new = " **new**" if s.new else ""
    return (
        f"{_md(s.date)} — {_md(s.who)} ({_md(s.outlets)}){update}{new}: “{_md(s.quote)}” "
        f"{_md_chips(s.chips)}"
    )


def _md_source(s: SourceLine) -> str:
    claims = f"{s.claims} claim{'s' if s.claims != 1 else ''}"
    return f"{_md(s.outlet)}, {_md(s.date)}: “{_md(s.title)}” — {claims}"


# -- HTML ---------------------------------------------------------------------------------------
STYLE = """
.bf{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:inherit}
.bf h2{font-size:1.05rem;margin:0.9rem 0 0.35rem 0}
.bf .bf-head{font-size:0.85rem;opacity:0.8;margin:0 0 0.4rem 0}
.bf .bf-measures{display:flex;flex-wrap:wrap;gap:0.6rem 1.4rem}
.bf .bf-measure{flex:1 1 26rem;min-width:20rem}
.bf .bf-measure.bf-charted{flex-basis:100%}
.bf .bf-fig{display:flex;gap:0.9rem;align-items:flex-start}
.bf .bf-fig table{flex:1 1 auto}
.bf .bf-fig .briefing-chart{flex:none}
.bf .bf-measure h3{font-size:0.92rem;margin:0 0 0.15rem 0}
.bf .bf-tag{font-size:0.72rem;font-weight:600;color:#a0281e;border:1px solid #e3b5b0;
border-radius:0.6rem;padding:0 0.35rem;margin-left:0.3rem;vertical-align:1px}
.bf table{border-collapse:collapse;width:100%;font-size:0.86rem}
.bf td,.bf th{padding:0.1rem 0.4rem 0.1rem 0;vertical-align:top;text-align:left}
.bf td.bf-v{font-weight:600;text-align:right;white-space:nowrap;padding-right:0.6rem}
.bf td.bf-d{white-space:nowrap}
.bf .bf-note{opacity:0.7;font-size:0.8rem}
.bf .bf-dim{opacity:0.7}
.bf .bf-conflict{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:0.5rem;
margin:0 0 0.5rem 0}
.bf .bf-conflict-title{font-size:0.86rem;font-weight:600;margin:0.3rem 0 0.2rem 0}
.bf .bf-side{border-left:3px solid #c0392b;padding:0.15rem 0.5rem;font-size:0.86rem;
background:rgba(192,57,43,0.04)}
.bf .bf-side.bf-against{border-left-color:#2060c0;background:rgba(32,96,192,0.04)}
.bf .bf-side b{font-size:0.95rem}
.bf .bf-quote{font-style:italic}
.bf ul{margin:0.1rem 0 0.3rem 0;padding-left:1.1rem}
.bf li{margin:0.12rem 0;font-size:0.9rem}
.bf .bf-why{font-size:0.72rem;opacity:0.75;margin-left:0.2rem}
.bf details.bf-part>summary{cursor:pointer;font-weight:600;font-size:1.0rem;
margin:0.7rem 0 0.2rem 0}
.bf ol.bf-sources{padding-left:1.1rem;margin:0.1rem 0}
.bf ol.bf-sources>li{font-size:0.86rem}
details.bf-chip{display:inline}
details.bf-chip::details-content{display:none}
details.bf-chip[open]::details-content{display:block}
details.bf-chip>summary{display:inline-block;cursor:pointer;list-style:none;font-size:0.72rem;
font-weight:600;color:#5a4500;background:#f3e6b3;border-radius:0.55rem;padding:0 0.32rem;
margin:0 0.08rem;line-height:1.3}
details.bf-chip>summary::-webkit-details-marker{display:none}
details.bf-chip[open]>summary{background:#e6c95a}
.bf .bf-card{margin:0.3rem 0 0.4rem 0;padding:0.45rem 0.6rem;font-size:0.86rem;font-style:normal;
font-weight:400;background:rgba(201,162,39,0.09);border-left:3px solid #c9a227;border-radius:0.3rem}
.bf .bf-card mark{background:#f6e7a8}
.bf .briefing-chart{display:block;margin:0.1rem 0 0.2rem 0}
.bf details.bf-cites{display:inline}
.bf details.bf-cites::details-content{display:none}
.bf details.bf-cites[open]::details-content{display:inline}
.bf details.bf-cites>summary{display:inline;cursor:pointer;opacity:0.7}
"""


def _chip(c: Citation) -> str:
    a = c.passage.article
    text = view.clean(c.passage.text)
    quote = view.clean(c.quote)
    start, end = c.quote_start, c.quote_end
    if not (0 <= start < end <= len(text) and text[start:end] == quote):
        start = text.find(quote)
        end = start + len(quote)
    body = (
        _e(text[:start]) + "<mark>" + _e(text[start:end]) + "</mark>" + _e(text[end:])
        if start >= 0
        else _e(text)
    )
    meta = " · ".join(
        x
        for x in (
            a.source or view.UNKNOWN_PUBLISHER,
            a.published_at or view.UNDATED,
            f"paragraph {c.passage.paragraph.index + 1}",
        )
        if x
    )
    who = f"<div><em>{_e(c.stance.by)} {_e(c.speaker)}</em></div>" if c.speaker else ""
    link = view.safe_link(view.clean(a.url))
    url = (
        f'<div><a href="{_e(link)}" rel="noopener noreferrer nofollow">{_e(link)}</a></div>'
        if link
        else ""
    )
    title = f"{a.source}, {a.published_at or view.UNDATED}: {' '.join(quote.split())[:160]}"
    return (
        f'<details class="bf-chip" id="ref-{c.number}" data-citation="{c.number}">'
        f'<summary title="{_e(title)}">{c.number}</summary>'
        f'<div class="bf-card"><div><b>{_e(a.title or view.UNTITLED)}</b></div>'
        f'<div class="bf-dim">{_e(meta)}</div>{who}<div>{body}</div>{url}</div></details>'
    )


def _chips(lay: Layout, chips: Sequence[int]) -> str:
    return "".join(_chip(lay.citation(n)) for n in chips)


def _charted(t: Table) -> bool:
    """A measure gets a chart on screen when it has figures of two dates or more (one
    date is a dot on an axis; its row says as much)."""
    return len({p.date for p in t.points if p.date}) >= 2


def _table_html(lay: Layout, t: Table, img: bool = False) -> str:
    tag = '<span class="bf-tag">contested</span>' if t.contested else ""
    rows = "".join(
        f'<tr><td class="bf-v">{_e(r.value)}</td><td>{_e(r.who)}'
        + (f' <span class="bf-note">({_e(r.note)})</span>' if r.note else "")
        + f'</td><td class="bf-dim">{_e(r.outlet)}</td><td class="bf-dim bf-d">{_e(r.date)}</td>'
        f"<td>{_chips(lay, r.chips)}</td></tr>"
        for r in t.rows
    )
    drawn = (chart.img(t) if img else chart.svg(t)) if _charted(t) else ""
    wide = " bf-charted" if drawn else ""
    return (
        f'<div class="bf-measure{wide}"><h3>{_e(t.heading)}{tag}</h3>'
        f'<div class="bf-fig"><table>{rows}</table>{drawn}</div></div>'
    )


def _side_html(lay: Layout, s: Side, against: bool = False) -> str:
    more = f", +{s.more} more" if s.more else ""
    return (
        f'<div class="bf-side{" bf-against" if against else ""}"><b>{_e(s.label)}</b> '
        f'{_e(s.who)} <span class="bf-dim">({_e(s.outlet)}, {_e(s.date)}{_e(more)})</span><br>'
        f'<span class="bf-quote">“{_e(s.quote)}”</span> {_chips(lay, s.chips)}</div>'
    )


def _conflict_html(lay: Layout, x: ConflictRow) -> str:
    if x.kind == "figure":
        title = f"Figures differ: {x.subject}"
        sides = "".join(_side_html(lay, s) for s in x.sides)
    else:
        title = f"Denied by {x.subject}, against what others state"
        denial, *against = x.sides
        sides = _side_html(lay, denial) + "".join(_side_html(lay, s, True) for s in against)
    return f'<div class="bf-conflict-title">{_e(title)}</div><div class="bf-conflict">{sides}</div>'


def _key_html(lay: Layout, k: KeyLine) -> str:
    new = ' <span class="bf-tag">new</span>' if k.new else ""
    sources = f"{k.sources} source{'s' if k.sources != 1 else ''}"
    return (
        f'<li><b>{_e(k.who)}</b>{new} <span class="bf-why">{_e(sources)} · '
        f'{_e(", ".join(k.why))}</span> <span class="bf-quote">“{_e(k.quote)}”</span> '
        f"{_chips(lay, k.chips)}</li>"
    )


def _step_html(lay: Layout, s: StepLine) -> str:
    update = f", {_e(s.update)} {_chips(lay, s.update_chips)}" if s.update else ""
    new = ' <span class="bf-tag">new</span>' if s.new else ""
    return (
        f'<li><b>{_e(s.date)}</b> — {_e(s.who)} <span class="bf-dim">({_e(s.outlets)})</span>'
        f'{update}{new}: <span class="bf-quote">“{_e(s.quote)}”</span> {_chips(lay, s.chips)}</li>'
    )


def _source_html(lay: Layout, s: SourceLine) -> str:
    claims = f"{s.claims} claim{'s' if s.claims != 1 else ''}"
    link = view.safe_link(view.clean(s.url))
    title = (
        f'<a href="{_e(link)}" rel="noopener noreferrer nofollow">{_e(s.title)}</a>'
        if link
        else _e(s.title)
    )
    cites = (
        f'<details class="bf-cites"><summary>— {_e(claims)}</summary> '
        f"{_chips(lay, s.chips)}</details>"
        if s.chips
        else f'<span class="bf-dim">— {_e(claims)}</span>'
    )
    return f"<li><b>{_e(s.outlet)}</b> · {_e(s.date)} · {title} {cites}</li>"


def html_fragment(lay: Layout, heading: bool = True, chart_images: bool = False) -> str:
    """The briefing as one HTML fragment (its own <style>), for the chat and the page; the
    charts inline SVG, or with ``chart_images`` images of it (``chart.img``: the chat's
    ``st.html`` drops inline SVG).

    A source's citations fold under its count of claims ("— 9 claims"): the sentences they
    open are cited where they are shown (figures, conflicts, key claims, timeline)."""
    out = ['<div class="bf">']
    if heading:
        out.append(f'<h1 style="font-size:1.35rem;margin:0 0 0.2rem 0">{_e(lay.title)}</h1>')
    out.append(f'<p class="bf-head">{_e(lay.header)}</p>')
    if lay.empty:
        out.append(f"<p>{_e(lay.empty)}</p>")
    if lay.figures:
        out.append(f'<h2>{FIGURES}</h2><div class="bf-measures">')
        out.extend(_table_html(lay, t, chart_images) for t in lay.figures)
        out.append("</div>")
    out.append(f"<h2>{CONFLICTS}</h2>")
    out.extend(_conflict_html(lay, x) for x in lay.conflicts)
    if not lay.conflicts:
        out.append("<p>No conflicting figures or stances.</p>")
    if lay.key:
        out.append(f"<h2>{KEY_CLAIMS}</h2><ul>")
        out.extend(_key_html(lay, k) for k in lay.key)
        out.append("</ul>")
    if lay.new is not None:
        out.append(f"<h2>{_e(lay.new_heading)}</h2><ul>")
        out.extend(_step_html(lay, s) for s in lay.new)
        if not lay.new:
            out.append("<li>Nothing new.</li>")
        out.append("</ul>")
    if lay.timeline:
        steps = f"{TIMELINE} ({len(lay.timeline)} steps)"
        out.append(f'<details class="bf-part"><summary>{steps}</summary><ul>')
        out.extend(_step_html(lay, s) for s in lay.timeline)
        out.append("</ul></details>")
    if lay.sources:
        out.append(f'<h2>{SOURCES} ({len(lay.sources)})</h2><ol class="bf-sources">')
        out.extend(_source_html(lay, s) for s in lay.sources)
        out.append("</ol>")
    out.append("</div>")
    return "\n".join(out)


def html_page(lay: Layout) -> str:
    """The HTML export: one self-contained page (inline CSS and SVG, no script, nothing
    loaded)."""
    wide = "body{max-width:68rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b}"
    return page(_e(lay.title), wide + STYLE, html_fragment(lay))


def chips_text(chips: Sequence[int]) -> str:
    return markers(chips)
