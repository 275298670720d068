"""Limits on what is parsed, not only on the file (#16, case 6): a .docx's unpacked size
and Word paragraphs are checked before its XML is parsed; an article has at most
``max_paragraphs`` paragraphs; a paragraph at most ``max_paragraph_chars`` characters, a
longer one split at sentence ends, a longer sentence at spaces, offsets kept exact.
(Time and memory of the real-sized cases: ``python bench/limits.py``.)"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from bench.limits import _PARAGRAPH, docx_with_body
from ingest.errors import IngestError
from ingest.loaders import parse_source, read_source
from ingest.paragraphs import split_paragraphs

SPLITS = [
    # (name, body): every piece within the limit, nothing lost, offsets exact
    ("words-without-sentence-end", "word " * 3000),
    ("no-spaces-at-all", "x" * 2500),
    ("one-giant-sentence-between-short-ones", "Short one. " + "long " * 600 + "end. Last one."),
    ("cjk-without-spaces", "报" * 2300 + "。"),
    ("ordinary-sentences", "A sentence of some words here. " * 200),
    ("under-the-limit", "A short paragraph.\n\nAnother short one."),
]


@pytest.mark.parametrize("limit", [1000, 120])
@pytest.mark.parametrize(("name", "body"), SPLITS, ids=[s[0] for s in SPLITS])
def test_long_paragraphs_are_split_within_the_limit(name: str, body: str, limit: int) -> None:
    paragraphs = split_paragraphs("a", body, limit)
    assert paragraphs
    for p in paragraphs:
        assert 0 < len(p.text) <= limit
        assert body[p.char_start : p.char_end] == p.text
        assert p.text == p.text.strip()
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))
    ends = [p.char_start for p in paragraphs[1:]]
    assert all(a.char_end <= b.char_start for a, b in itertools.pairwise(paragraphs))
    assert ends == sorted(ends)

    def visible(text: str) -> str:
        return "".join(text.split())

    assert "".join(visible(p.text) for p in paragraphs) == visible(body)  # nothing lost
    if name == "words-without-sentence-end":
        assert all(set(p.text.split()) == {"word"} for p in paragraphs)  # cut at spaces


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _only(items: list) -> IngestError:  # type: ignore[type-arg]
    [item] = items
    assert isinstance(item, IngestError), item
    return item


def test_docx_of_many_word_paragraphs_is_refused_before_parsing(tmp_path: Path) -> None:
    path = docx_with_body(tmp_path / "many.docx", 60, _PARAGRAPH * 1000)
    assert path.stat().st_size < 100_000  # small on disk: the file limit cannot catch it
    error = _only(list(read_source(path)))
    assert error.location == str(path)
    assert error.reason == "60000 Word paragraphs, over the limit of 5000"


def test_docx_that_unpacks_over_the_limit_is_refused(tmp_path: Path) -> None:
    from ingest.loaders.raw import Limits, RawSource

    path = docx_with_body(
        tmp_path / "bomb.docx",
        10,
        b" " * (1 << 20),
        head=b"<w:p><w:r><w:t>",
        tail=b"</w:t></w:r></w:p>",
    )
    raw = RawSource(str(path), ".docx", path.read_bytes())
    error = _only(list(parse_source(raw, Limits(max_unpacked_bytes=8 << 20))))
    assert re.fullmatch(r"unpacks to \d{8} bytes, over the limit of 8388608", error.reason)
    # under a higher limit the same file gets to the XML parser (which finds no text in it,
    # or a text node over lxml's own 10 MB limit)
    error = _only(list(parse_source(raw, Limits(max_unpacked_bytes=16 << 20))))
    assert not error.reason.startswith("unpacks to")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("feed.txt", "Title\n\n" + "\n\n".join(f"Paragraph {i}." for i in range(40))),
        ("feed.jsonl", '{"title": "T", "body": "' + "\\n\\n".join(["Para."] * 40) + '"}\n'),
    ],
)
def test_articles_over_the_paragraph_limit_fail(tmp_path: Path, name: str, text: str) -> None:
    from ingest.loaders.raw import Limits, RawSource

    path = _file(tmp_path, name, text)
    raw = RawSource(str(path), path.suffix, path.read_bytes())
    error = _only(list(parse_source(raw, Limits(max_paragraphs=30))))
    assert error.location.startswith(str(path))
    assert error.reason == "40 paragraphs, over the limit of 30"
    [article] = list(parse_source(raw, Limits(max_paragraphs=40)))
    assert len(article.paragraphs) == 40


def test_text_too_long_for_the_limits_is_refused_before_splitting(tmp_path: Path) -> None:
    from ingest.loaders.raw import Limits, RawSource

    path = _file(tmp_path, "line.txt", "Title\n\n" + "word " * 5000)
    raw = RawSource(str(path), ".txt", path.read_bytes())
    error = _only(list(parse_source(raw, Limits(max_paragraphs=10, max_paragraph_chars=100))))
    assert "more than 10 paragraphs of 100 characters can hold" in error.reason


def test_limits_come_from_settings(
    assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    monkeypatch.setenv("BRIEFING_MAX_PARAGRAPHS", "3")
    monkeypatch.setenv("BRIEFING_MAX_PARAGRAPH_CHARS", "60")
    assistant.close()
    limited = BriefingAssistant(Settings())
    folder = tmp_path / "news"
    folder.mkdir()
    _file(folder, "many.txt", "Title\n\n" + "\n\n".join(f"Paragraph {i}." for i in range(5)))
    _file(folder, "long.txt", "Title\n\n" + "A long sentence of words that goes on. " * 3)
    report = limited.indexer().index([folder])
    [error] = report.failed
    assert (error.location, error.reason) == (
        str(folder / "many.txt"),
        "5 paragraphs, over the limit of 3",
    )
    [entry] = limited.manifest.entries()
    stored = list(limited.store.iter_all())
    assert len(stored) == entry.paragraphs == 3
    assert all(len(p.paragraph.text) <= 60 for p in stored)
    limited.close()
