"""Every kind of bad input of every format: one error naming the file and the reason; the
rest of the batch is indexed, the exit status is 1 and nothing already indexed is lost."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from ingest.errors import IngestError
from ingest.loaders import read_source
from tests.test_ingest_formats import GRAIN, HTML_FIXTURE, write_docx, write_pdf


def _docx_without_document_part() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


BAD = [
    # (file name, bytes, reason expected in the message)
    ("empty.txt", b"", "file is empty"),
    ("empty.html", b"", "file is empty"),
    ("empty.pdf", b"", "file is empty"),
    ("empty.docx", b"", "file is empty"),
    ("empty.jsonl", b"", "file is empty"),
    ("blank.md", b"   \n\n  ", "article body is empty"),
    ("binary.txt", b"\x00\x01\x02PNG", "binary"),
    ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("binary.json", b'{"a": "\x00"}', "binary"),
    ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not valid UTF-8"),
    ("latin1.md", "# Caf\xe9\n\nBody".encode("latin-1"), "not valid UTF-8"),
    ("latin1.jsonl", '{"body": "caf\xe9"}'.encode("latin-1"), "not valid UTF-8"),
    ("latin1.html", "<p>caf\xe9 society</p>".encode("latin-1"), "not valid UTF-8"),
    ("tags-only.html", b"<html><head><title>x</title></head><body><div><span>", "no article text"),
    (
        "script-only.html",
        b"<html><body><script>var a = 1;</script></body></html>",
        "no article text",
    ),
    ("not-a-pdf.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "malformed PDF"),
    ("text.pdf", b"this is plain text, not a PDF", "malformed PDF"),
    ("text.docx", b"this is plain text, not a docx", "not a zip archive"),
    ("truncated.docx", b"PK\x03\x04\x14\x00\x00\x00", "not a zip archive"),
    ("parts-missing.docx", _docx_without_document_part(), "not a valid .docx"),
    ("bad.json", b"{not json", "invalid JSON"),
    ("nobody.json", b'{"title": "x"}', "missing article body"),
    ("list-body.json", b'{"title": "x", "body": ["a"]}', "body is not text"),
    ("bad.md", b"---\ntitle: [unclosed\n---\nBody", "invalid front matter"),
    ("photo.png", b"PNG", "unsupported file type"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_names_file_and_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    [error] = list(read_source(f))
    assert isinstance(error, IngestError)
    assert error.location == str(f)
    assert reason in error.reason
    assert str(error) == f"{f}: {error.reason}"


def test_empty_pdf_page_has_no_text(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()  # a page with nothing on it, like a scan without a text layer
    f = tmp_path / "scan.pdf"
    pdf.output(str(f))
    [error] = list(read_source(f))
    assert isinstance(error, IngestError) and "no extractable text" in error.reason


def test_record_errors_name_the_line(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"title": "Fine", "body": GRAIN[0]}),
        json.dumps({"title": "No body here", "source": "Wire"}),
        "{broken",
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Empty", "body": "   "}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_source(f))
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [(e.location, e.reason) for e in errors] == [
        (f"{f}:2", "missing article body"),
        (f"{f}:3", errors[1].reason),
        (f"{f}:4", "record is not a JSON object"),
        (f"{f}:5", "article body is empty"),
    ]
    assert errors[1].reason.startswith("invalid JSON")
    j = tmp_path / "feed.json"
    j.write_text(
        json.dumps([{"title": "ok", "body": "x."}, {"title": "no body"}]), encoding="utf-8"
    )
    [_, error] = list(read_source(j))
    assert isinstance(error, IngestError) and error.location == f"{j}[1]"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx", ".jsonl"])
def test_size_limit_applies_to_every_format(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"big{suffix}"
    if suffix == ".pdf":
        write_pdf(f, GRAIN, title="Grain")
    elif suffix == ".docx":
        write_docx(f, GRAIN)
    elif suffix == ".html":
        f.write_bytes(HTML_FIXTURE.read_bytes())
    else:
        f.write_text(json.dumps({"body": GRAIN[0] * 3}) if suffix == ".jsonl" else GRAIN[0] * 3)
    size = f.stat().st_size
    [error] = list(read_source(f, max_bytes=size - 1))
    assert isinstance(error, IngestError)
    assert error.reason == f"file is {size} bytes, over the limit of {size - 1}"
    assert not isinstance(next(iter(read_source(f, max_bytes=size))), IngestError)


def test_cli_batch_with_every_bad_file_indexes_the_rest_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.md"
    good.write_text("---\ntitle: Good\nsource: Wire\n---\n\n" + GRAIN[0] + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["index", str(good)]).exit_code == 0
    for name, content, _ in BAD:
        if name != "photo.png":  # a folder walk only picks supported files
            (folder / name).write_bytes(content)
    (folder / "big.txt").write_text(GRAIN[1] * 50)
    (folder / "briefing.toml").write_text("")
    other = folder / "other.html"
    other.write_bytes(HTML_FIXTURE.read_bytes())
    result = runner.invoke(
        app, ["index", str(folder)], env={"BRIEFING_MAX_FILE_BYTES": "3000", "COLUMNS": "200"}
    )
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("failed: ")]
    expected = {str(folder / name) for name, _, _ in BAD if name != "photo.png"}
    expected.add(str(folder / "big.txt"))
    assert {line.removeprefix("failed: ").split(": ")[0] for line in failed} == expected
    assert any(
        f"{folder / 'big.txt'}: file is" in line and "over the limit of 3000" in line
        for line in failed
    )

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    entries = BriefingAssistant(Settings()).manifest.entries()
    assert sorted(e.title for e in entries) == [
        "Good",
        "Harbour cranes return to work after strike",
    ]


def test_bad_edit_keeps_the_indexed_version(tmp_path: Path) -> None:
    """A file that becomes unreadable keeps its last good version in the index."""
    runner = CliRunner()
    f = tmp_path / "story.md"
    f.write_text("---\ntitle: Story\nurl: https://x.example/s\n---\n\n" + GRAIN[0] + "\n")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"title": "Rec", "url": "https://x.example/r", "body": GRAIN[1]}) + "\n"
    )
    assert runner.invoke(app, ["index", str(tmp_path)]).exit_code == 0
    f.write_bytes(b"\x00\x00binary now")
    feed.write_text(json.dumps({"title": "Rec", "url": "https://x.example/r"}) + "\n")
    result = runner.invoke(app, ["index", "--prune", str(tmp_path)])
    assert result.exit_code == 1

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings())
    assert sorted(e.title for e in assistant.manifest.entries()) == ["Rec", "Story"]
    assert sorted(h.text for h in assistant.store.iter_all()) == sorted(GRAIN[:2])
