import json
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import iter_sources, read_source
from ingest.models import Article


def read(path: Path, **kw: int) -> list[Article | IngestError]:
    return list(read_source(path, **kw))


def test_txt_first_short_line_is_title(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Troops head west\n\nFirst paragraph.\n\nSecond paragraph.\n", encoding="utf-8")
    [article] = read(f)
    assert isinstance(article, Article)
    assert article.title == "Troops head west"
    assert [p.text for p in article.paragraphs] == ["First paragraph.", "Second paragraph."]
    assert article.location == str(f)


def test_markdown_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text(
        '---\ntitle: "T"\nsource: Outlet\nurl: https://example.com/a\n'
        "published_at: 2024-10-28\nauthor: A. Writer\n---\n\nBody one.\n\nBody two.\n",
        encoding="utf-8",
    )
    [a] = read(f)
    assert isinstance(a, Article)
    assert (a.title, a.source, a.url, a.published_at, a.author) == (
        "T",
        "Outlet",
        "https://example.com/a",
        "2024-10-28",
        "A. Writer",
    )
    assert len(a.paragraphs) == 2


def test_markdown_heading_is_title(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("# Heading\n\nBody.\n", encoding="utf-8")
    [a] = read(f)
    assert isinstance(a, Article) and a.title == "Heading" and a.paragraphs[0].text == "Body."


def test_jsonl_records_and_a_bad_one(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    rows = [
        {"title": "One", "source": "S", "body": "Alpha.\n\nBeta."},
        {"title": "No body", "source": "S"},
        "not an object",
        {"title": "Two", "source": "S", "body": "Gamma.", "published_at": "2024-11-01T10:00:00Z"},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    items = read(f)
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [a.title for a in articles] == ["One", "Two"]
    assert articles[1].published_at == "2024-11-01"
    assert [e.location for e in errors] == [f"{f}:2", f"{f}:3", f"{f}:5"]
    assert "missing article body" in errors[0].reason


def test_json_array(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps([{"title": "A", "body": "x."}, {"title": "B", "body": "y."}]))
    assert [a.title for a in read(f) if isinstance(a, Article)] == ["A", "B"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.md", b"   \n\n  ", "article body is empty"),
        ("binary.txt", b"\x00\x01\x02PNG", "binary"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("bad.json", b"{not json", "invalid JSON"),
        ("nobody.json", b'{"title": "x"}', "missing article body"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nBody", "invalid front matter"),
        ("photo.png", b"PNG", "unsupported file type"),
    ],
)
def test_bad_input_names_file_and_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    [error] = read(f)
    assert isinstance(error, IngestError)
    assert error.location == str(f)
    assert reason in error.reason


def test_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("x" * 2000)
    [error] = read(f, max_bytes=1000)
    assert isinstance(error, IngestError) and "over the limit" in error.reason


def test_folder_walk_skips_hidden_and_readme(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for p in ("b.md", "sub/a.txt", ".hidden/c.txt", "README.md", "notes.csv"):
        (tmp_path / p).write_text("x")
    found = [p for p in iter_sources([tmp_path]) if isinstance(p, str)]
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found] == ["b.md", "sub/a.txt"]
    [missing] = list(iter_sources([tmp_path / "nope"]))
    assert isinstance(missing, IngestError) and "no such file" in missing.reason
