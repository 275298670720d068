"""Exports open with where they come from (generated at, corpus, filters, backend), and the
content hashes sit in an appendix, out of the sources' details (JSON keeps them per citation
for `briefing verify`)."""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.export import export_answer, export_conversation
from assistant.view import APPENDIX_HEADING, Provenance, describe_filters
from tests.conftest import SAMPLES
from tests.golden.answers import golden_answer, golden_conversation
from tests.test_export import _docx, _pdf_text_and_links, squash
from vectorstore.filters import Filters

HEADER = Provenance(
    "2024-11-21T09:30:00+00:00",
    "8 articles, 59 paragraphs",
    "publishers: Coastal Courier",
    "extractive",
)


def text_of(data: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return squash(_pdf_text_and_links(data)[0])
    if fmt == "docx":
        return "\n".join(p.text for p in _docx(data).paragraphs)
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
@pytest.mark.parametrize("conversation", [False, True], ids=["answer", "conversation"])
def test_header_first_and_hashes_in_the_appendix(fmt: str, conversation: bool) -> None:
    if conversation:
        data = export_conversation(golden_conversation(), fmt, HEADER)
    else:
        data = export_answer(golden_answer(), fmt, HEADER)
    text = text_of(data, fmt)
    first_hash = golden_answer().citations[0].passage.article.content_hash
    positions = [
        text.find(value)
        for value in (
            HEADER.generated_at,
            HEADER.corpus,
            HEADER.filters,
            golden_answer().citations[0].quote[:30],  # the answer's first quote
            APPENDIX_HEADING,
            first_hash,
        )
    ]
    assert -1 not in positions, positions
    assert positions == sorted(positions)  # header, then the answer, then the appendix
    assert text.count(first_hash) == 1  # once, in the appendix, not under each source
    assert "Content hash:" not in text


def test_without_a_header_none_is_invented() -> None:
    text = export_answer(golden_answer(), "md").decode()
    assert "Generated:" not in text and APPENDIX_HEADING in text


def test_json_keeps_the_hashes_per_citation() -> None:
    data = json.loads(export_answer(golden_answer(), "json", HEADER))
    assert [c["content_hash"] for c in data["citations"]] == [
        c.passage.article.content_hash for c in golden_answer().citations
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, "none"),
        (Filters(), "none"),
        (Filters(sources=("A", "B")), "publishers: A, B"),
        (Filters(since=dt.date(2024, 10, 1)), "dates: 2024-10-01 to …"),
        (
            Filters(sources=("A",), until=dt.date(2024, 11, 2), article_ids=("x1",)),
            "publishers: A; dates: … to 2024-11-02; articles: x1",
        ),
    ],
)
def test_describe_filters(filters: Filters | None, expected: str) -> None:
    assert describe_filters(filters) == expected


def test_cli_export_names_the_corpus_filters_and_backend(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    assert runner.invoke(app, ["index", str(SAMPLES)]).exit_code == 0
    out = tmp_path / "a.md"
    result = runner.invoke(
        app,
        ["ask", "Who confirmed the troop numbers?", "--source", "Atlantic Wire Service",
         "-f", "md", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "- Corpus: 8 articles," in text and "- Backend: extractive" in text
    assert "- Filters: publishers: Atlantic Wire Service" in text
    assert text.index("- Generated: ") < text.index("**Question:**") < text.index(APPENDIX_HEADING)
