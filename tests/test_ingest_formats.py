"""Each format read from a fixture file: HTML (committed fixture), PDF (written with fpdf2),
DOCX (written with python-docx), and pages fetched from a local http.server."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from ingest.errors import IngestError
from ingest.loaders import read_source
from ingest.models import Article
from tests.conftest import FIXTURES

HTML_FIXTURE = FIXTURES / "ingest" / "harbour-cranes.html"
HARBOUR_PARAGRAPHS = [
    "The container cranes at the northern harbour resumed operations on Saturday morning after"
    " a nine-day strike ended with a provisional wage agreement between the port authority and"
    " the dockworkers' union.",
    "Union spokesperson Elin Barre said the deal raises hourly pay by 6.5 percent over two years"
    ' and adds a night-shift allowance. "This is not everything we asked for, but it is a fair'
    ' start," she told reporters at the gate.',
    "Shipping lines diverted at least fourteen vessels to neighbouring ports during the"
    " stoppage. The port authority estimates that the backlog of about 22,000 containers will"
    " be cleared within two weeks.",
    "Harbour director Tomas Keller said extra shifts had been approved for the weekend and that"
    " priority would go to perishable goods and medical supplies.",
]
GRAIN = [
    "Grain exports from the southern ports rose by twelve percent in April compared with the"
    " same month last year, according to figures published by the agriculture ministry on"
    " Thursday. The increase was driven mainly by wheat and barley shipments.",
    "Ministry economist Jonas Pereira said the figures reflected a recovery in rail capacity"
    " after flooding in February.",
    "Officials expect growth to slow in the summer months, when storage runs short.",
]


def one_article(source: str | Path) -> Article:
    items = list(read_source(source))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def assert_offsets(article: Article) -> None:
    for p in article.paragraphs:
        assert article.body[p.char_start : p.char_end] == p.text


# -- HTML ------------------------------------------------------------------------------------
def test_html_main_text_metadata_and_own_paragraphs() -> None:
    a = one_article(HTML_FIXTURE)
    assert a.title == "Harbour cranes return to work after strike"
    assert (a.source, a.author, a.published_at) == (
        "Coastal Courier",
        "Mara Lindqvist",
        "2024-09-14",
    )
    assert a.url == "https://coastal-courier.example/news/harbour-cranes-return"
    # the page's four <p> paragraphs, in order; the <br> inside one is a space
    assert [p.text for p in a.paragraphs] == HARBOUR_PARAGRAPHS
    for boilerplate in (
        "cookies",
        "Most read",
        "All rights reserved",
        "Privacy",
        "By Mara",
        "Home",
    ):
        assert boilerplate not in a.body
    assert_offsets(a)


def test_htm_suffix_and_page_without_metadata(tmp_path: Path) -> None:
    f = tmp_path / "plain.htm"
    f.write_text(
        "<html><body><div><p>" + GRAIN[0] + "</p><p>" + GRAIN[1] + "</p></div></body></html>",
        encoding="utf-8",
    )
    a = one_article(f)
    assert [p.text for p in a.paragraphs] == GRAIN[:2]
    assert a.source == "unknown" and a.url is None and a.title  # first line stands in
    assert a.location == str(f)


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    f = tmp_path / "latin.html"
    text = "<html><head><meta charset='iso-8859-1'><title>Caf\xe9 owners protest</title></head>"
    text += (
        "<body><article><p>" + GRAIN[0].replace("Grain", "Caf\xe9") + "</p></article></body></html>"
    )
    f.write_bytes(text.encode("latin-1"))
    a = one_article(f)
    assert a.title == "Café owners protest" and a.body.startswith("Café exports")


# -- PDF -------------------------------------------------------------------------------------
def write_pdf(
    path: Path, paragraphs: list[str], title: str | None = None, pages_of_filler: int = 0
) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
        pdf.set_author("Ana Souza")
        pdf.set_creation_date(dt.datetime(2024, 5, 2, 9, 30, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    if not title:
        pdf.set_font("Helvetica", size=16)
        pdf.multi_cell(0, 10, "Grain exports rise in April")
        pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
    for p in paragraphs:
        pdf.multi_cell(0, 6, p)
        pdf.ln(4)
    pdf.output(str(path))
    return path


def test_pdf_paragraphs_and_metadata(tmp_path: Path) -> None:
    a = one_article(write_pdf(tmp_path / "grain.pdf", GRAIN, title="Grain exports rise"))
    assert (a.title, a.author, a.published_at) == ("Grain exports rise", "Ana Souza", "2024-05-02")
    assert [p.text for p in a.paragraphs] == GRAIN  # lines of a paragraph joined back
    assert_offsets(a)


def test_pdf_without_metadata_takes_first_line_as_title(tmp_path: Path) -> None:
    a = one_article(write_pdf(tmp_path / "grain.pdf", GRAIN))
    assert a.title == "Grain exports rise in April"
    assert [p.text for p in a.paragraphs] == GRAIN


def test_pdf_paragraph_running_over_a_page_break_is_joined(tmp_path: Path) -> None:
    filler = [
        f"Paragraph {i} of the long report on rail freight and storage capacity." for i in range(40)
    ]
    long = (
        " ".join(
            ["The harvest outlook depends on rain in the north and on the price of diesel"] * 8
        )
        + "."
    )
    a = one_article(write_pdf(tmp_path / "long.pdf", [*filler, long], title="Long report"))
    texts = [p.text for p in a.paragraphs]
    assert texts[:40] == filler
    assert texts[40:] == [long]  # split across pages by fpdf2, one paragraph again here


# -- DOCX ------------------------------------------------------------------------------------
def write_docx(path: Path, paragraphs: list[str], with_properties: bool = True) -> Path:
    import docx

    document = docx.Document()
    if with_properties:
        props = document.core_properties
        props.title, props.author = "Grain exports rise", "Ana Souza"
        props.created = dt.datetime(2024, 5, 2, 9, 30)
    document.add_heading("Grain exports rise", 0)
    document.add_paragraph(paragraphs[0])
    document.add_heading("Rail capacity", 1)  # a sub-heading is not a paragraph
    for p in paragraphs[1:]:
        document.add_paragraph(p)
    document.add_paragraph("   ")
    document.save(str(path))
    return path


def test_docx_paragraphs_and_properties(tmp_path: Path) -> None:
    a = one_article(write_docx(tmp_path / "grain.docx", GRAIN))
    assert (a.title, a.author, a.published_at) == ("Grain exports rise", "Ana Souza", "2024-05-02")
    assert [p.text for p in a.paragraphs] == GRAIN
    assert_offsets(a)


def test_docx_title_style_is_title_without_properties(tmp_path: Path) -> None:
    a = one_article(write_docx(tmp_path / "grain.docx", GRAIN, with_properties=False))
    assert a.title == "Grain exports rise" and [p.text for p in a.paragraphs] == GRAIN


# -- URLs ------------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".pdf": "application/pdf",
    }

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A local web server on 127.0.0.1 serving a folder; yields (base URL, folder)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    root = tmp_path / "site"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_url_is_fetched_and_read_like_html(site: tuple[str, Path]) -> None:
    base, root = site
    shutil.copy(HTML_FIXTURE, root / "story.html")
    a = one_article(f"{base}/story.html")
    assert [p.text for p in a.paragraphs] == HARBOUR_PARAGRAPHS
    assert a.location == f"{base}/story.html"
    assert a.url == "https://coastal-courier.example/news/harbour-cranes-return"  # canonical


def test_url_serving_a_pdf_is_read_as_pdf(site: tuple[str, Path]) -> None:
    base, root = site
    write_pdf(root / "grain.pdf", GRAIN, title="Grain exports rise")
    assert [p.text for p in one_article(f"{base}/grain.pdf").paragraphs] == GRAIN


def test_url_errors_name_the_url(site: tuple[str, Path]) -> None:
    base, root = site
    [missing] = list(read_source(f"{base}/nope.html"))
    assert isinstance(missing, IngestError) and missing.location == f"{base}/nope.html"
    assert "HTTP 404" in missing.reason
    shutil.copy(HTML_FIXTURE, root / "story.html")
    [big] = list(read_source(f"{base}/story.html", max_bytes=500))
    assert isinstance(big, IngestError) and "over the limit of 500" in big.reason
    [refused] = list(read_source("http://127.0.0.1:9/closed.html"))  # port 9: nothing listens
    assert isinstance(refused, IngestError) and "cannot fetch" in refused.reason


def test_same_page_by_two_urls_and_a_file_is_indexed_once(
    site: tuple[str, Path], tmp_path: Path
) -> None:
    from assistant.cli import app

    base, root = site
    shutil.copy(HTML_FIXTURE, root / "story.html")
    (root / "amp").mkdir()
    shutil.copy(HTML_FIXTURE, root / "amp" / "story.html")
    local = tmp_path / "saved.html"
    shutil.copy(HTML_FIXTURE, local)
    urls = [f"{base}/story.html", f"{base}/amp/story.html?utm_source=feed"]
    result = CliRunner().invoke(app, ["index", *urls, str(local)])
    assert result.exit_code == 0, result.output

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings())
    [entry] = assistant.manifest.entries()
    assert entry.locations == tuple(sorted([*urls, str(local)]))
    assert assistant.store.count() == len(HARBOUR_PARAGRAPHS)
    again = CliRunner().invoke(app, ["index", *urls])
    assert again.exit_code == 0 and assistant.store.count() == len(HARBOUR_PARAGRAPHS)


def test_pages_without_canonical_link_differing_only_in_tracking_are_one(
    site: tuple[str, Path],
) -> None:
    base, root = site
    page = "<html><head><title>Rail freight</title></head><body><article><p>" + GRAIN[1]
    (root / "rail.html").write_text(page + "</p></article></body></html>", encoding="utf-8")
    a = one_article(f"{base}/rail.html")
    b = one_article(f"{base}/rail.html?utm_campaign=x&fbclid=y")
    assert a.id == b.id and a.url == f"{base}/rail.html"


def test_a_url_that_never_answers_fails_after_the_fetch_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import time

    from assistant.cli import app

    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/story.html"
    good = tmp_path / "good.md"
    good.write_text("---\ntitle: Harbour\n---\n\nThe harbour reopened on Monday.\n")
    monkeypatch.setenv("BRIEFING_FETCH_TIMEOUT", "0.5")
    start = time.monotonic()
    try:
        result = CliRunner().invoke(app, ["index", url, str(good)])
    finally:
        silent.close()
    assert time.monotonic() - start < 20
    assert result.exit_code == 1
    assert f"failed: {url}:" in result.output and "timed out" in result.output
    assert CliRunner().invoke(app, ["list"]).output.count("Harbour") == 1
