"""A briefing through the CLI and every export format: each line's markers resolve to a
reference whose quote is verbatim in its paragraph, and ``briefing verify`` checks an
exported briefing against the index (and notices when an article changes)."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.brief import document
from assistant.brief.build import Briefing, build
from assistant.cli import app
from assistant.export import FORMATS, export_briefing
from assistant.export import pdf as pdf_export
from assistant.export.schema import BriefingOut, parse_document
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from tests.conftest import FIXTURES

STORY = FIXTURES / "briefing_story" / "articles"
TOPIC = "Dornet flood evacuations"
runner = CliRunner()


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> Briefing:
    data = tmp_path_factory.mktemp("brief-export") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    assert assistant.indexer().index([str(STORY)]).new == 6
    b = build(assistant, TOPIC, remember=False)
    assistant.close()
    return b


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_part_is_cited_line_by_line(briefing: Briefing) -> None:
    parts = dict(document.parts(briefing))
    assert list(parts)[:3] == [document.FIGURES, document.CONFLICTS, document.KEY_CLAIMS]
    assert list(parts)[-2:] == [document.TIMELINE, document.SOURCES]
    quoted: dict[int, str] = {}
    for heading, answer in parts.items():
        numbers = {c.number for c in answer.citations}
        for line in answer.text.split("\n\n"):
            markers = {int(n) for n in re.findall(r"\[(\d+)\]", line)}
            assert markers, f"{heading}: uncited line {line!r}"
            assert markers <= numbers
        for c in answer.citations:  # a statement's other carriers are cited, not quoted
            assert c.passage.text[c.quote_start : c.quote_end] == c.quote
            # one number, one sentence, in every part
            assert quoted.setdefault(c.number, c.quote) == c.quote


def test_one_screen_layout(briefing: Briefing) -> None:
    """The figures by measure, conflicts with one short quote a side, at most eight key
    claims, every article once among the sources."""
    lay = document.layout(briefing)
    assert [t.heading for t in lay.figures][:1] == ["displaced (Dornet)"]
    for x in lay.conflicts:
        for side in x.sides:
            assert len(side.quote) <= document.QUOTE_CHARS + 4 and len(side.chips) == 1
    assert 0 < len(lay.key) <= document.MAX_KEY_CLAIMS
    articles = [(s.outlet, s.date, s.title) for s in lay.sources]
    assert len(articles) == len(set(articles)) == len({c.article_id for c in briefing.claims})
    assert [c.number for c in lay.citations] == list(range(1, len(lay.citations) + 1))


@pytest.mark.parametrize(
    ("text", "focus", "shown"),
    [
        ("A short sentence.", "", "A short sentence."),
        ("word " * 60 + "about 8,000 troops " + "word " * 60, "about 8,000", "about 8,000 troops"),
        ("word " * 80, "", "word word"),
    ],
    ids=["short: whole", "long: around the figure", "long: its start"],
)
def test_quotes_are_shortened_at_words(text: str, focus: str, shown: str) -> None:
    out = document.short(text, focus)
    assert shown in out and len(out) <= document.QUOTE_CHARS + 4
    assert out.replace("… ", "").replace(" …", "") in " ".join(text.split())


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_keeps_markers_and_verbatim_quotes(briefing: Briefing, fmt: str) -> None:
    data = export_briefing(briefing, fmt)
    lay = document.layout(briefing)
    quotes = {c.quote for c in lay.citations}
    if fmt == "json":
        doc = parse_document(data)
        assert isinstance(doc, BriefingOut)
        assert [s.heading for s in doc.sections] == [h for h, _ in document.parts(briefing)]
        for s in doc.sections:
            for c in s.answer.citations:
                assert c.paragraph_text[c.quote_start : c.quote_end] == c.quote
                assert f"[{c.n}]" in s.answer.answer
        assert len(doc.claims) == len(briefing.claims)
        assert doc.figures and all(g.measure for g in doc.figures)
        for claim in doc.claims:
            assert claim.proposition in quotes
        return
    if fmt == "md":
        text = data.decode()
        anchors = set(re.findall(r'<a id="(ref-\d+)"></a>', text))
        links = set(re.findall(r"\]\(#(ref-\d+)\)", text))
        assert links and links == anchors
        assert "<details><summary>Timeline" in text  # collapsed
        plain = text.replace("\\", "")
    elif fmt == "html":
        text = data.decode()
        anchors = set(re.findall(r'id="(ref-\d+)"', text))
        assert len(anchors) == len(lay.citations)
        assert '<details class="bf-part"><summary>Timeline' in text  # collapsed
        assert "<svg" in text and "<script" not in text
        plain = re.sub(r"<[^>]+>", "", text).replace("&#x27;", "'")
    elif fmt == "docx":
        import docx

        word = docx.Document(io.BytesIO(data))
        cells = [
            p.text for t in word.tables for row in t.rows for c in row.cells for p in c.paragraphs
        ]
        plain = "\n".join([*(p.text for p in word.paragraphs), *cells])
        links = {h.fragment for p in word.paragraphs for h in p.hyperlinks if h.fragment}
        assert links and links <= {f"ref_{c.number}" for c in lay.citations}
        assert word.inline_shapes  # the charts
    else:
        if pdf_export.find_fonts() is None:
            pytest.skip("DejaVu Sans not installed")
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data))
        plain = "\n".join(p.extract_text() for p in reader.pages)
    flat = _squash(plain)
    assert _squash(document.title(briefing)) in flat
    for quote in quotes:  # every cited sentence whole, once among the sources
        assert _squash(quote) in flat


def _cli(data: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--data-dir", str(data)])


def test_cli_brief_exports_and_verify_checks_it(tmp_path: Path) -> None:
    arts = tmp_path / "articles"
    shutil.copytree(STORY, arts)
    data = tmp_path / "data"
    assert _cli(data, "index", str(arts)).exit_code == 0
    text = _cli(data, "brief", TOPIC)
    assert text.exit_code == 0, text.output
    assert text.output.startswith(f"Briefing: {TOPIC}")
    for heading in (document.FIGURES, document.CONFLICTS, document.KEY_CLAIMS, "Timeline ("):
        assert f"\n{heading}" in text.output
    exported = tmp_path / "brief.json"
    result = _cli(
        data, "brief", TOPIC, "--new-since", "2025-03-05", "-f", "json", "-o", str(exported)
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(exported.read_text())
    assert doc["kind"] == "briefing" and doc["new_since"] == "2025-03-05"
    assert {c["new"] for c in doc["claims"]} == {True, False}
    for c in doc["claims"]:
        assert c["new"] is (c["published_at"] > "2025-03-05")
    assert any(s["heading"] == "What is new since 2025-03-05" for s in doc["sections"])
    cited = sum(len(s["answer"]["citations"]) for s in doc["sections"])

    fresh = _cli(data, "verify", str(exported))
    assert fresh.exit_code == 0, fresh.output
    assert f"{cited} quotes checked: {cited} ok, 0 not ok; 0 problem(s)" in fresh.output

    # An article whose sentence the briefing quotes is edited and indexed again.
    mayor = arts / "2025-03-06-valley-courier-ministry-count.md"
    mayor.write_text(mayor.read_text().replace("9,000 residents", "9,500 residents"))
    assert _cli(data, "index", str(arts)).exit_code == 0
    stale = _cli(data, "verify", str(exported))
    assert stale.exit_code == 1
    changed = [line for line in stale.output.splitlines() if line.strip().startswith("CHANGED")]
    assert changed and all("Ministry raises its count" in line for line in changed)


@pytest.mark.parametrize(
    ("topic", "args", "message"),
    [
        (TOPIC, ["--new-since", "last week"], "is not a date"),
        (TOPIC, ["--since", "2025-13-01"], "is not a date"),
        ("  ", [], "the topic is empty"),
    ],
)
def test_cli_brief_rejects_bad_input(
    tmp_path: Path, topic: str, args: list[str], message: str
) -> None:
    result = _cli(tmp_path / "data", "brief", topic, *args)
    assert result.exit_code == 2 and message in result.output
