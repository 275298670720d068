"""The briefing layout's presentations (issue 27): article text that looks like markup stays
text in the chat's HTML, the HTML page, Markdown and the terminal; the charts are built from
dated figures only and escape their labels; the chat summary cites what it says."""

from __future__ import annotations

import re

import pytest

from assistant.brief import chart, document, render
from assistant.brief.build import assemble
from assistant.brief.document import Point, Table
from ingest.models import ArticleRef, Paragraph
from vectorstore.filters import Filters
from vectorstore.models import Hit, Passage

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    (
        "Harbor <b>Wire</b>",
        "2025-04-01",
        f"The ministry said {SCRIPT} 6,000 Marvian troops crossed.",
    ),
    ("[Ledger](javascript:x)", "2025-04-02", "Officials said 9,000 Marvian soldiers were **in**."),
    (
        "Kestria Post",
        "2025-04-03",
        "The ministry denied that Marvian soldiers were in Kestria\u202e.",
    ),
]


def _briefing():  # type: ignore[no-untyped-def]
    from assistant.brief.claims import extract

    hits = []
    for i, (outlet, date, text) in enumerate(HOSTILE):
        title = f"<img src=x onerror=alert({i})>"
        ref = ArticleRef(f"a{i}", title, outlet, f"h{i}", published_at=date)
        hits.append(Hit(Passage(ref, Paragraph(f"a{i}", 0, text, 0, len(text)))))
    claims = extract(hits, "")
    return assemble(
        claims,
        topic="Marvian <troops>",
        generated_at="2025-04-04T00:00:00+00:00",
        filters=Filters(),
        articles=3,
        paragraphs=3,
        new_since=None,
        new_since_source="",
        relevance_model="",
    )


def test_markup_in_articles_stays_text() -> None:
    b = _briefing()
    lay = document.layout(b)
    assert lay.conflicts  # a figure and a stance conflict: every part is drawn
    html = render.html_page(lay) + render.html_fragment(lay)
    assert "<script" not in html and "<img" not in html and "<b>Wire" not in html
    assert "&lt;script&gt;" in html and "\u202e" not in html
    assert 'href="javascript' not in html
    md = render.markdown(lay)
    assert not re.search(r"(?<!\\)<(script|img|b)", md)  # every < escaped
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "\\*\\*in\\*\\*" in md
    text = render.text(lay)
    assert "\u202e" not in text and SCRIPT in text  # plain, as written


def test_every_chip_opens_its_sentence() -> None:
    lay = document.layout(_briefing())
    html = render.html_fragment(lay)
    chips = re.findall(r'<details class="bf-chip" id="ref-(\d+)"', html)
    assert sorted(set(map(int, chips))) == [c.number for c in lay.citations]
    assert html.count("<mark>") == len(chips)  # each opens its paragraph, the sentence marked


@pytest.mark.parametrize(
    ("points", "drawn"),
    [
        ([Point("2025-04-01", 6000, 6000, "A"), Point("2025-04-16", 7500, 7500, "A")], True),
        ([Point("", 6000, 6000, "A")], False),  # undated: nothing to draw
        ([Point("2025-04-01", 11000, 12000, "B")], True),  # a range: a bar
    ],
)
def test_charts_draw_dated_figures(points: list[Point], drawn: bool) -> None:
    table = Table("troops <Marvian>", (), tuple(points), False)
    svg = chart.svg(table)
    assert bool(svg) is drawn
    assert (chart.png(table) is not None) is drawn
    if drawn:
        assert "troops &lt;Marvian&gt;" in svg and "<Marvian>" not in svg
        marks = chart.plot(points)
        assert marks is not None and len(marks.dots) == len(points)
        assert all(0 <= x <= chart.WIDTH and 0 <= y <= chart.HEIGHT for x, y, _, _ in marks.dots)


def test_sparkline_goes_by_date() -> None:
    table = Table(
        "troops",
        (),
        (Point("2025-04-16", 7500, 7500, "A"), Point("2025-04-01", 6000, 6000, "A")),
        False,
    )
    assert chart.sparkline(table).endswith("6,000 → 7,500 (2025-04-01 to 2025-04-16)")


def test_the_chat_summary_cites_what_it_says() -> None:
    b = _briefing()
    answer = document.summary(b, "What happened with Marvian troops?")
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers == {c.number for c in answer.citations} and numbers
    assert answer.text.startswith("Briefing on “Marvian <troops>”")
    assert answer.text.endswith(document.FULL_VIEW)
    for c in answer.citations:
        assert c.passage.text[c.quote_start : c.quote_end] == c.quote


def _dated_table() -> Table:
    return Table(
        "troops <Marvian>",
        (),
        (Point("2025-04-01", 6000, 6000, "A"), Point("2025-04-16", 7500, 7500, "B")),
        True,
    )


def test_the_view_draws_charts_as_images_st_html_keeps() -> None:
    """st.html sanitises with DOMPurify's HTML profile, which drops inline <svg>: the view's
    charts are <img> of the same SVG as a data: URI (the HTML export keeps inline SVG, its
    Content-Security-Policy allowing no images)."""
    import base64

    from ui.briefing import briefing_html

    b = _briefing()
    shown = briefing_html(b)
    assert "<svg" not in shown
    imgs = re.findall(r"<img [^>]*>", shown)
    assert imgs and all('class="briefing-chart"' in i for i in imgs)  # no other image
    for tag in imgs:
        src = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', tag)
        assert src is not None
        svg = base64.b64decode(src.group(1)).decode()
        assert svg.startswith("<svg") and "<script" not in svg
    page = render.html_page(document.layout(b))
    assert "<svg" in page and "<img" not in page
    table = _dated_table()
    tag = chart.img(table)
    assert "&lt;Marvian&gt;" in tag and "<Marvian>" not in tag  # alt and title escaped
    assert chart.img(Table("t", (), (Point("", 1, 1, "A"),), False)) == ""


def test_a_measure_of_one_date_has_no_chart_on_screen() -> None:
    one = Table("deserters", (), (Point("2025-04-01", 18, 18, "A"),), False)
    lay = document.layout(_briefing())
    assert render._table_html(lay, one).count("briefing-chart") == 0
    two = render._table_html(lay, _dated_table(), img=True)
    assert "bf-charted" in two and two.count('class="briefing-chart"') == 1


def test_sources_fold_their_citations_under_their_count() -> None:
    lay = document.layout(_briefing())
    html = render.html_fragment(lay)
    sources = html[html.index(f"<h2>{render.SOURCES}") :]
    assert sources.count('<details class="bf-cites"><summary>— ') == len(lay.sources)
