"""The pure helpers behind the chat page (no Streamlit): escaping, citation panel, filters,
uploads, error messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import view
from assistant.errors import StoreUnavailable
from assistant.models import Answer, Citation
from ingest.errors import IngestError
from ingest.models import ArticleRef, Paragraph
from ui import render, session
from vectorstore.filters import Filters
from vectorstore.models import Passage

HOSTILE = (
    "<script>alert(1)</script> <img src=http://evil.example/a.png> "
    "[y](javascript:alert(1)) ![x](http://evil.example/b.png)"
)


def hit(text: str, **kw: object) -> Passage:
    """A stored paragraph of article a1; ``kw`` overrides its article's fields."""
    fields: dict[str, object] = dict(
        id="a1",
        title="Title",
        source="Wire",
        content_hash="h",
        url="https://example.com/a",
        published_at="2024-10-28",
    )
    fields.update(kw)
    article = ArticleRef(**fields)  # type: ignore[arg-type]
    return Passage(article, Paragraph("a1", 0, text, 0, len(text)))


def cite(paragraph: str, quote: str, **kw: object) -> Citation:
    start = paragraph.find(quote)
    return Citation(1, hit(paragraph), quote, start, start + len(quote), **kw)  # type: ignore[arg-type]


class Tags(HTMLParser):
    """Every start tag and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(fragment)
    return parser.tags


def live(markdown: str) -> str:
    """What Markdown would act on: the text with every backslash escape pair removed."""
    return re.sub(r"\\.", "", markdown)


def test_markdown_escapes_every_active_construct() -> None:
    md = render.answer_markdown(Answer("q", HOSTILE + " [1]"))
    assert "<" not in live(md) and "](" not in live(md) and "http:" not in live(md)
    assert r"\<script\>" in md and r"\!\[x\]\(http\:" in md
    assert md.endswith(r"**\[1\]**")
    assert render.escape_md("a_b*c") == r"a\_b\*c"


@given(st.text())
def test_escaped_markdown_has_no_unescaped_specials(text: str) -> None:
    escaped = render.escape_md(text)
    # Removing every escape pair leaves no character Markdown or HTML would act on.
    assert not re.search(r"[`*_\[\]()<>!#|~$:]", live(escaped))
    assert "\n" not in escaped


def test_stream_chunks_rebuild_the_markdown() -> None:
    md = render.answer_markdown(Answer("q", "Rutte confirmed it. [1] Moscow denied it. [2]"))
    chunks = list(render.stream_chunks(md))
    assert "".join(chunks) == md and len(chunks) > 4
    assert r"**\[1\]**" in "".join(chunks) and all(r"**\[" not in c[1:] for c in chunks)
    assert "".join(render.escape_stream(["<b>", "x"])) == render.escape_md("<b>x")


def test_citation_card_highlights_the_quote_and_escapes_the_rest() -> None:
    paragraph = f"Intro {HOSTILE}. NATO chief Mark Rutte confirmed the troops. Tail <b>bold</b>."
    c = cite(paragraph, "NATO chief Mark Rutte confirmed the troops.")
    card = render.citation_card_html(view.reference(c))
    tags = tags_of(card)
    assert {t for t, _ in tags} <= {"div", "em", "p", "mark", "a", "code"}
    assert [a for t, a in tags if t == "mark"] == [{"class": "briefing-quote"}]
    assert '<mark class="briefing-quote">NATO chief Mark Rutte confirmed the troops.</mark>' in card
    assert "&lt;script&gt;" in card and "&lt;b&gt;bold&lt;/b&gt;" in card
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs == ["https://example.com/a"]
    assert all(t != "img" for t, _ in tags)


def test_citation_card_shows_stance_publisher_date_and_link() -> None:
    c = cite(
        "Kremlin spokesman Dmitry Peskov denied the reports.",
        "Kremlin spokesman Dmitry Peskov denied the reports.",
        speaker="Dmitry Peskov",
        stance="denied",
    )
    card = render.citation_card_html(view.reference(c))
    assert "denied by Dmitry Peskov" in card
    assert "Wire · 2024-10-28 · paragraph 1" in card
    zelensky = cite("x", "x", speaker="Zelensky", stance="alleged")
    assert view.reference(zelensky).attributed_to == "claimed by Zelensky"
    assert view.reference(cite("x", "x")).attributed_to is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "http://", "java\nscript:x", ""]
)
def test_only_plain_http_links_become_anchors(url: str) -> None:
    c = Citation(1, hit("Some text.", url=url), "Some text.", 0, 10)
    card = render.citation_card_html(view.reference(c))
    assert not [a for t, a in tags_of(card) if t == "a"]


def test_quote_offsets_that_do_not_match_fall_back_to_finding_the_quote() -> None:
    c = Citation(1, hit("One. Two three."), "Two three.", 0, 3)
    assert view.reference(c).quote_span == (5, 15)
    missing = view.reference(Citation(1, hit("One."), "Not there.", 0, 3))
    assert missing.quote_span is None
    assert "<mark" not in render.highlighted_paragraph_html(missing)


def test_button_label_related_and_unsupported_are_escaped() -> None:
    c = Citation(1, hit("x", source="![i](http://evil.example/i.png)"), "x", 0, 1)
    assert "](" not in live(render.citation_button_label(view.reference(c)))
    related = render.related_markdown(view.related(hit(HOSTILE, title="<img src=x>")))
    assert "<" not in live(related) and "](" not in live(related)
    unsupported = render.unsupported_markdown(
        view.section(Answer("q", "t", unsupported=(HOSTILE,)))
    )
    assert "<" not in live(unsupported) and "Not supported" in unsupported


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Pictured: soldiers in the square. " + HOSTILE, "caption"),
        ("Photo: Jane Doe/Reuters", "credit"),
        ("By Anna Smith and John Doe", "byline"),
        ("Troops on the move", "heading"),
        ("© 2024 Test Wire. All rights reserved.", "copyright"),
        ("Sign up for our newsletter to get the news in your inbox.", "boilerplate"),
    ],
)
def test_related_paragraph_that_is_not_citable_is_greyed_with_its_kind(
    text: str, kind: str
) -> None:
    related = view.related(hit(text, title="<b>]Title[</b>"))
    assert related.kind == kind and related.text == text
    md = render.related_markdown(related)
    header, body = md.split("\n\n")
    # Header and paragraph are greyed; the header names the kind.
    assert header.startswith(":gray[**") and header.endswith(f"*{kind} \\(not citable\\)*]")
    assert body.startswith("> :gray[") and body.endswith("]")
    # Escaped: no tag, link or bracket of the article's text closes the grey span early.
    assert "<" not in live(md) and "](" not in live(md)
    assert live(header).count("[") == live(header).count("]") == 1
    assert live(body).count("[") == live(body).count("]") == 1


def test_related_text_paragraph_is_not_greyed() -> None:
    related = view.related(hit("The harbour reopened on Monday after the storm."))
    assert related.kind is None
    md = render.related_markdown(related)
    assert ":gray[" not in md and "not citable" not in md
    assert md.endswith("> The harbour reopened on Monday after the storm\\.")


def test_upgrade_note_is_escaped() -> None:
    note = render.upgrade_markdown("index format 1 in /d/<b>", 2, 1, "/d/old-index-1")
    shown = re.sub(r"\\(.)", r"\1", note)
    assert "index format 1 in /d/<b>: re-indexed the 2 sources it held (1 no longer exist)" in shown
    assert "<" not in live(note)
    assert "no longer exist" not in render.upgrade_markdown("x", 2, 0, "/b")


def test_filters_caption() -> None:
    assert render.filters_caption(Filters()) is None
    caption = render.filters_caption(
        Filters(sources=("Atlantic Wire",), since=dt.date(2024, 10, 25))
    )
    assert caption is not None and "Atlantic Wire" in caption and "2024" in caption


def test_make_filters_from_widget_values() -> None:
    bounds = (dt.date(2024, 10, 18), dt.date(2024, 11, 20))
    assert session.make_filters([], bounds, bounds) == Filters()
    narrowed = session.make_filters(["A"], (dt.date(2024, 10, 25), bounds[1]), bounds)
    assert narrowed == Filters(sources=("A",), since=dt.date(2024, 10, 25))
    until = session.make_filters([], (bounds[0], dt.date(2024, 11, 1)), bounds)
    assert until == Filters(until=dt.date(2024, 11, 1))
    half = session.make_filters([], (dt.date(2024, 11, 1),), bounds)
    assert half == Filters(since=dt.date(2024, 11, 1))
    assert session.make_filters([], None, None) == Filters()


def test_date_bounds_and_publishers() -> None:
    assert session.date_bounds(["2024-11-01", None, "2024-10-18T09:00:00", "not a date"]) == (
        dt.date(2024, 10, 18),
        dt.date(2024, 11, 1),
    )
    assert session.date_bounds([None]) is None
    assert session.publisher_options(["b", "A", "b", ""]) == ["A", "b"]


def test_backend_options_put_the_configured_one_first() -> None:
    assert session.backend_options("ollama:llama3") == ["ollama:llama3", "extractive"]
    assert session.backend_options("extractive") == ["extractive"]


def test_uploads_stay_inside_their_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    path = session.save_upload(folder, "../../etc/passwd", b"x")
    assert path.parent == folder and path.name == "passwd"
    assert session.safe_file_name("..\\evil\\Report <1>.MD") == "Report _1_.md"
    assert session.safe_file_name("...") == "upload"
    assert {"txt", "md", "html", "pdf", "docx", "json", "jsonl"} <= set(session.UPLOAD_TYPES)


def test_upload_progress_reports_fractions() -> None:
    seen: list[tuple[float, str]] = []
    progress = session.UploadProgress(lambda f, t: seen.append((f, t)))
    progress.start(2)
    progress.file_done("/srv/data/uploads/a.md")
    progress.paragraphs_done(5)
    progress.file_done("/srv/data/uploads/b.md")
    assert [f for f, _ in seen] == [0.0, 0.5, 0.5, 1.0]
    assert "a.md" in seen[1][1] and "/srv" not in seen[1][1]


def test_failed_files_name_the_file_not_the_server_path() -> None:
    rows = session.failed_files(
        [IngestError("/srv/data/uploads/feed.jsonl#3", "missing body"), IngestError("x.pdf", "bad")]
    )
    assert rows == [("feed.jsonl#3", "missing body"), ("x.pdf", "bad")]
    summary, lines = render.upload_report_lines(1, 0, 2, 7, [("<b>.md", "[x](javascript:1)")])
    assert "1 new" in summary and "7 paragraph" in summary
    assert "<" not in live(lines[0]) and "](" not in live(lines[0])


def test_describe_error_gives_a_message_and_what_to_do() -> None:
    what, todo = session.describe_error(StoreUnavailable("cannot open the Chroma store"))
    assert "Chroma" in what and "BRIEFING_CHROMA_HOST" in todo
    what, todo = session.describe_error(RuntimeError("boom\nline two"))
    assert what == "Unexpected error (RuntimeError): boom" and "Reload" in todo


def test_bare_urls_mail_and_icons_do_not_become_live() -> None:
    """GFM links bare URLs, www. names and e-mail addresses in the text it has unescaped, and
    Streamlit draws :material/x: icons: a word joiner breaks each pattern, invisibly."""
    raw = "http://evil.example www.evil.example a@evil.example :material/home:"
    text_node = re.sub(r"\\(.)", r"\1", render.escape_md(raw))
    for pattern in (r"https?://", r"www\.", r"\w@", r":material/"):
        assert not re.search(pattern, text_node, re.I), pattern
    assert text_node.replace("\u2060", "") == raw


def test_paced_stream_escapes_whole_words_across_chunks() -> None:
    from ui.widgets import paced

    pieces = list(paced(["see http:", "//evil.ex", "ample/x now [1]"], pause=0))
    assert "".join(pieces) == render.escape_md("see http://evil.example/x now [1]")
    assert not re.search(r"https?://", live("".join(pieces)))


def test_answer_keeps_its_lead_paragraph_and_bolds_a_marker_run_as_one() -> None:
    from assistant.models import Answer
    from ui.render import answer_markdown

    text = "Kursk [1]\n\nTroops moved to Kursk. [1][4] A *second* claim. [2]"
    md = answer_markdown(Answer("q", text, lead="Kursk [1]"))
    lead, body = md.split("\n\n")
    assert lead == "Kursk **\\[1\\]**"
    assert "**\\[1\\]\\[4\\]**" in body and "****" not in body
    assert "\\*second\\*" in body  # article text stays literal


def test_upload_progress_counts_records_and_shows_time_left() -> None:
    now = [0.0]
    seen: list[tuple[float, str]] = []
    progress = session.UploadProgress(lambda f, t: seen.append((f, t)), clock=lambda: now[0])
    progress.start(1)
    for count in range(1, 5):  # records 2..4 arrive within 0.25 s: one update shown
        now[0] += 0.1
        progress.records_read("/srv/uploads/feed.jsonl", count)
    assert [t for _, t in seen[1:]] == ["Read 2 articles of feed.jsonl…"]
    progress.paragraphs_planned(100)
    now[0] += 10.0
    progress.paragraphs_done(25)
    fraction, text = seen[-1]
    assert fraction == 0.25
    assert text == "Embedded 25/100 paragraphs · about 30 s left"
    now[0] += 60.0
    progress.paragraphs_done(25)
    assert seen[-1] == (0.5, "Embedded 50/100 paragraphs · about 1 min left")


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "expected"),
    [
        (0, 10, 5.0, None),
        (10, 10, 5.0, None),
        (1, 3, 0.2, "about 1 s left"),
        (30, 100, 60.0, "about 2 min left"),
    ],
)
def test_time_left(done: int, total: int, elapsed: float, expected: str | None) -> None:
    assert session.time_left(done, total, elapsed) == expected


def test_answer_html_makes_markers_open_their_card_and_escapes_the_text() -> None:
    first = cite("NATO chief Mark Rutte confirmed the troops.", "Mark Rutte confirmed the troops.")
    answer = Answer("q", f"{HOSTILE} [1]\n\nSecond part [1] and [7].", (first,))
    out = render.answer_html(view.section(answer), key="t3")
    tags = tags_of(out)
    assert not [t for t, _ in tags if t in ("script", "img", "iframe")]
    assert {a["href"] for t, a in tags if t == "a"} == {"https://example.com/a"}  # the article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    # Both [1] open citation 1's card, in one group (one card open at a time); [7] cites
    # nothing provided and stays text.
    assert out.count('<details class="briefing-marker" data-marker="1" name="briefing-t3">') == 2
    assert "[7]" in out
    # Without a direct answer line the answer's paragraphs are kept, then the one source
    # list, whose entry opens the same card.
    assert out.count('<div class="briefing-para">') == 2
    assert out.count('<details class="briefing-source" data-source="1">') == 1
    assert out.count('data-citation="1"') == 3
    assert "<p" not in out.split("briefing-popup")[0]  # no <p> for a <details> to end early


# (lead, text, the lead shown, the quotes listed): the one answer layout of every presentation
LAYOUTS = [
    (
        "up to 12,000 [1]",
        "up to 12,000 [1]\n\n"
        "The agency said up to 12,000 troops could go. [1] Kyiv said 10,000. [2]",
        "Up to 12,000 [1]",  # the answer line opens with a capital
        ["The agency said up to 12,000 troops could go. [1]", "Kyiv said 10,000. [2]"],
    ),
    (
        "Carried by 2 independent sources: Rutte confirmed it. [1][2]",
        "Carried by 2 independent sources: Rutte confirmed it. [1][2]\n\n"
        "Rutte confirmed it. [1] Rutte confirmed it. [2] Moscow denied it. [3]",
        "Carried by 2 independent sources: Rutte confirmed it. [1][2]",
        ["Moscow denied it. [3]"],  # the quotes the lead already says are not listed again
    ),
    ("", "The indexed articles do not answer this.", "", []),
]


@pytest.mark.parametrize(("lead", "text", "shown", "quotes"), LAYOUTS)
def test_the_answer_line_comes_first_then_the_quotes_as_a_list(
    lead: str, text: str, shown: str, quotes: list[str]
) -> None:
    refs = tuple(
        dataclasses.replace(cite(f"Quote {n}.", f"Quote {n}."), number=n) for n in (1, 2, 3)
    )
    sec = view.section(Answer("q", text, refs, lead=lead))
    assert "".join(s.text for s in sec.lead) == shown
    assert ["".join(s.text for s in q) for q in sec.quotes] == quotes
    out = render.answer_html(sec)
    if shown:
        head = out.split('<div class="briefing-lead">')[1].split("</div>")[0]
        assert head.startswith("<strong>" + html.escape(shown.split(" [")[0]))
        assert out.count("<li><") + out.count("<li>") >= len(quotes)
        assert out.index("briefing-lead") < out.index('class="briefing-quotes"')
    else:
        assert 'class="briefing-lead"' not in out and "do not answer" in out


def test_citation_labels_tell_one_outlets_articles_apart() -> None:
    refs = [
        view.reference(Citation(1, hit("x", title=title), "x", 0, 1))
        for title in ("Troops reach the border region, officials say", "Talks resume")
    ]
    labels = [render.short_label(r) for r in refs]
    assert labels[0] == "[1] Wire · 2024-10-28 · Troops reach the border region,…"
    assert labels[1].endswith("· Talks resume") and labels[0] != labels[1]


def test_overview_markdown_escapes_entity_names() -> None:
    from assistant.overview import CorpusOverview, Count

    ov = CorpusOverview(
        articles=2,
        paragraphs=9,
        outlets=(Count("<b>Wire</b>", 2),),
        first_day="2024-05-01",
        last_day="2024-05-03",
        per_day=(Count("2024-05-01", 1), Count("2024-05-03", 1)),
        undated=1,
        people=(Count("[x](javascript:1)", 2),),
    )
    md = render.overview_markdown(ov)
    assert "<" not in live(md) and "](" not in live(md)
    assert "**2** articles" in md and "1 undated" in md and "Places" not in md
    assert render.timeline_rows(ov)[1] == {"day": dt.date(2024, 5, 3), "articles": 1}


D = dt.date


@pytest.mark.parametrize(
    ("picked", "old", "new", "expected"),
    [
        (None, None, (D(2024, 1, 1), D(2024, 3, 1)), (D(2024, 1, 1), D(2024, 3, 1))),
        # Full range picked: it grows with the corpus.
        (
            (D(2024, 1, 1), D(2024, 2, 1)),
            (D(2024, 1, 1), D(2024, 2, 1)),
            (D(2023, 12, 1), D(2024, 3, 1)),
            (D(2023, 12, 1), D(2024, 3, 1)),
        ),
        # A narrowed start stays, an end at the old bound follows the new one.
        (
            (D(2024, 1, 10), D(2024, 2, 1)),
            (D(2024, 1, 1), D(2024, 2, 1)),
            (D(2024, 1, 1), D(2024, 3, 1)),
            (D(2024, 1, 10), D(2024, 3, 1)),
        ),
        # A narrowed end stays too.
        (
            (D(2024, 1, 10), D(2024, 1, 20)),
            (D(2024, 1, 1), D(2024, 2, 1)),
            (D(2024, 1, 1), D(2024, 3, 1)),
            (D(2024, 1, 10), D(2024, 1, 20)),
        ),
        # Half-picked range (one day): from that day on.
        (
            D(2024, 1, 10),
            (D(2024, 1, 1), D(2024, 2, 1)),
            (D(2024, 1, 1), D(2024, 3, 1)),
            (D(2024, 1, 10), D(2024, 3, 1)),
        ),
    ],
)
def test_carry_range(picked, old, new, expected) -> None:  # type: ignore[no-untyped-def]
    assert session.carry_range(picked, old, new) == expected


def summary(cid: int, when: str, origin: str = "chat") -> object:
    from assistant.conversations import ConversationSummary

    return ConversationSummary(cid, f"Question {cid}", when, 1, when, origin)


NOW = dt.datetime(2024, 11, 21, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("summaries", "groups"),
    [
        (
            [
                summary(4, "2024-11-21T09:31:00+00:00"),
                summary(3, "2024-11-20T17:02:00+00:00"),
                summary(2, "2024-11-05T08:00:00+00:00"),
                summary(1, "2023-12-30T08:00:00+00:00"),
            ],
            [
                ("Today", [(4, "09:31")]),
                ("Yesterday", [(3, "yesterday 17:02")]),
                ("Earlier", [(2, "5 Nov"), (1, "30 Dec 2023")]),
            ],
        ),
        # `briefing ask`'s questions are kept apart, after the chat's, dated the same way
        (
            [
                summary(3, "2024-11-21T10:00:00+00:00", "cli"),
                summary(2, "2024-11-21T09:00:00+00:00"),
                summary(1, "2024-11-01T09:00:00+00:00", "cli"),
            ],
            [
                ("Today", [(2, "09:00")]),
                (session.FROM_THE_CLI, [(3, "10:00"), (1, "1 Nov")]),
            ],
        ),
        # saved before origins were recorded: listed with the chat's
        ([summary(1, "2024-11-21T09:00:00+00:00", "")], [("Today", [(1, "09:00")])]),
    ],
)
def test_conversations_are_dated_and_grouped(summaries, groups) -> None:  # type: ignore[no-untyped-def]
    got = session.conversation_groups(summaries, NOW)
    assert [(label, [(i.summary.id, i.when) for i in items]) for label, items in got] == groups


def test_times_are_said_in_the_viewers_zone() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    when = session.local_time("2024-11-21T20:30:00+00:00", tokyo)
    assert when is not None and session.when_label(when, dt.date(2024, 11, 22)) == "05:30"
    assert session.local_time("not a time") is None
