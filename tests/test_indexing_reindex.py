"""Re-indexing after edits, renames and deletions; --prune; JSON Lines records that move;
unchanged files not parsed again; the manifest stays consistent with the vectors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import vectorstore.indexing as indexing
from assistant.cli import app
from tests.test_ingest_formats import GRAIN
from vectorstore.manifest import Manifest


def md(path: Path, title: str, paragraphs: list[str], url: str | None = None) -> Path:
    front = f"---\ntitle: {title}\nsource: Wire\n" + (f"url: {url}\n" if url else "") + "---\n\n"
    path.write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def record(title: str, body: str, url: str | None = None) -> str:
    return json.dumps({"title": title, "source": "Feed", "url": url, "body": body})


def vectors(assistant) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.id: h.text for h in assistant.store.iter_all()}


def assert_consistent(assistant) -> None:  # type: ignore[no-untyped-def]
    """Every vector belongs to a done article with that many paragraphs, and vice versa."""
    entries = {e.id: e for e in assistant.manifest.entries()}
    assert all(e.state == "done" and e.locations for e in entries.values())
    per_article: dict[str, int] = {}
    for pid in vectors(assistant):
        article_id = pid.rsplit(":", 1)[0]
        per_article[article_id] = per_article.get(article_id, 0) + 1
    assert per_article == {i: e.paragraphs for i, e in entries.items() if e.paragraphs}


def test_edit_with_stable_url_updates_in_place(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = md(tmp_path / "a.md", "T", GRAIN, url="https://x.example/a")
    assistant.indexer().index([f])
    md(f, "T", [GRAIN[0] + " Revised.", GRAIN[2]], url="https://x.example/a")
    report = assistant.indexer().index([f])
    assert (report.new, report.updated, report.removed, report.paragraphs) == (0, 1, 0, 2)
    assert sorted(vectors(assistant).values()) == sorted([GRAIN[0] + " Revised.", GRAIN[2]])
    assert_consistent(assistant)


def test_rename_keeps_article_and_prune_drops_old_location(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = md(tmp_path / "old.md", "T", GRAIN)
    assistant.indexer().index([tmp_path])
    before = vectors(assistant)
    new = old.rename(tmp_path / "new.md")
    report = assistant.indexer().index([tmp_path])
    assert (report.new, report.unchanged, report.paragraphs) == (0, 1, 0)
    [entry] = assistant.manifest.entries()
    assert entry.locations == (str(new), str(old))  # without --prune the old one stays
    report = assistant.indexer().index([tmp_path], prune=True)
    assert (report.new, report.removed, report.paragraphs) == (0, 0, 0)
    [entry] = assistant.manifest.entries()
    assert entry.locations == (str(new),)
    assert vectors(assistant) == before


def test_delete_needs_prune(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = md(tmp_path / "keep.md", "Keep", GRAIN[:1])
    (tmp_path / "sub").mkdir()
    gone = md(tmp_path / "sub" / "gone.md", "Gone", GRAIN[1:])
    assistant.indexer().index([tmp_path])
    gone.unlink()
    assert assistant.indexer().index([tmp_path]).removed == 0
    assert len(assistant.manifest.entries()) == 2
    # pruning another folder leaves these alone; pruning this one removes the gone file only
    other = tmp_path.parent / f"{tmp_path.name}-other"
    other.mkdir()
    assert assistant.indexer().index([other], prune=True).removed == 0
    report = assistant.indexer().index([tmp_path], prune=True)
    assert report.removed == 1 and not report.failed
    assert [e.title for e in assistant.manifest.entries()] == ["Keep"]
    assert list(vectors(assistant).values()) == [GRAIN[0]]
    assert_consistent(assistant)
    # a deleted file given by name is pruned, not reported as missing
    keep.unlink()
    report = assistant.indexer().index([keep], prune=True)
    assert report.removed == 1 and not report.failed and vectors(assistant) == {}


def test_prune_does_not_touch_urls_or_other_paths(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = tmp_path / "a"
    ab = tmp_path / "ab"  # a sibling whose name starts like the pruned folder
    a.mkdir()
    ab.mkdir()
    md(a / "one.md", "One", GRAIN[:1])
    md(ab / "two.md", "Two", GRAIN[1:2])
    assistant.indexer().index([a, ab])
    assistant.manifest.set_location("https://x.example/page", assistant.manifest.entries()[0].id)
    (a / "one.md").unlink()
    report = assistant.indexer().index([a], prune=True)
    assert report.removed == 0  # "One" is still held by the URL location
    assert sorted(e.title for e in assistant.manifest.entries()) == ["One", "Two"]


def test_jsonl_edit_of_one_record_reindexes_only_it(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.jsonl"
    rows = [
        record(f"R{i}", f"Record {i} says something about the harbour.", f"https://f.example/{i}")
        for i in range(5)
    ]
    rows.append(record("No URL", "A record without a URL, so its id comes from its text."))
    feed.write_text("\n".join(rows) + "\n")
    first = assistant.indexer().index([feed])
    assert first.new == 6
    # insert a record on top (every line moves) and edit record 3
    rows[3] = record("R3", "Record 3 now says something else entirely.", "https://f.example/3")
    rows.insert(0, record("R9", "A brand new record.", "https://f.example/9"))
    feed.write_text("\n".join(rows) + "\n")
    report = assistant.indexer().index([feed])
    assert (report.new, report.updated, report.unchanged, report.removed) == (1, 1, 5, 0)
    assert report.paragraphs == 2
    # edit the record without a URL (new id) and delete record 0
    rows[6] = record("No URL", "A record without a URL, edited.")
    del rows[1]
    feed.write_text("\n".join(rows) + "\n")
    report = assistant.indexer().index([feed])
    assert (report.new, report.updated, report.removed, report.paragraphs) == (1, 0, 2, 1)
    titles = sorted(e.title for e in assistant.manifest.entries())
    assert titles == ["No URL", "R1", "R2", "R3", "R4", "R9"]
    locations = [loc for e in assistant.manifest.entries() for loc in e.locations]
    assert all(loc.startswith(f"{feed}#") for loc in locations) and len(set(locations)) == 6
    assert len(vectors(assistant)) == 6
    assert_consistent(assistant)


def test_duplicate_records_in_one_feed_are_one_article(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.jsonl"
    row = record("Same", GRAIN[0], "https://f.example/same")
    feed.write_text(f"{row}\n{row}\n")
    report = assistant.indexer().index([feed])
    assert (report.new, report.unchanged) == (1, 0)
    assert len(assistant.manifest.entries()) == 1 and len(vectors(assistant)) == 1


def test_unchanged_files_are_not_parsed_again(
    assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        md(tmp_path / f"{i}.md", f"T{i}", [f"Paragraph {i}."])
    (tmp_path / "feed.jsonl").write_text(record("R", "Record body.") + "\n")
    assistant.indexer().index([tmp_path])
    parsed: list[str] = []
    real_parse = indexing.parse_source

    def counting_parse(raw, *limits):  # type: ignore[no-untyped-def]
        parsed.append(Path(raw.location).name)
        return real_parse(raw, *limits)

    monkeypatch.setattr(indexing, "parse_source", counting_parse)
    (tmp_path / "0.md").touch()  # a newer mtime, same bytes: still unchanged
    report = assistant.indexer().index([tmp_path])
    assert (report.unchanged, report.new, parsed) == (4, 0, [])
    md(tmp_path / "1.md", "T1", ["Paragraph 1, edited."])
    report = assistant.indexer().index([tmp_path])
    assert parsed == ["1.md"] and (report.new, report.removed, report.unchanged) == (1, 1, 3)


def test_a_failing_source_is_read_again_next_time(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.jsonl"
    feed.write_text(record("Good", "Good body.") + "\n" + '{"title": "bad"}\n')
    assert len(assistant.indexer().index([feed]).failed) == 1
    again = assistant.indexer().index([feed])  # the failure is reported every run
    assert len(again.failed) == 1 and again.unchanged == 1


def test_remove_then_reindex_restores(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = md(tmp_path / "a.md", "T", GRAIN)
    assistant.indexer().index([f])
    [entry] = assistant.manifest.entries()
    assert assistant.indexer().remove(entry.id)
    assert vectors(assistant) == {} and assistant.manifest.counts() == (0, 0)
    report = assistant.indexer().index([f])  # its file was not parsed-and-skipped
    assert report.new == 1 and len(vectors(assistant)) == 3


def test_crash_leftovers_are_cleaned(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A run killed after writing vectors for a pending article, and one killed after a
    location moved away from an article: the next run cleans both."""
    from ingest.loaders import read_source

    f = md(tmp_path / "a.md", "A", GRAIN[:2])
    g = md(tmp_path / "b.md", "B", GRAIN[2:])
    assistant.indexer().index([f, g])
    [article] = list(read_source(md(tmp_path / "c.md", "C", ["Half written."])))
    assistant.manifest.begin([article])
    assistant.store.add_articles([article])
    b_id = assistant.manifest.article_at(str(g))
    assistant.manifest.drop_location(str(g))  # as if b.md's location had moved on
    report = assistant.indexer().index([f])
    assert report.removed == 1  # b.md's article; the pending one is not counted
    assert sorted(vectors(assistant).values()) == sorted(GRAIN[:2])
    assert assistant.manifest.get(b_id) is None and assistant.manifest.pending() == []
    assert_consistent(assistant)


def test_manifest_from_before_sources_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE locations (location TEXT PRIMARY KEY, article_id TEXT NOT NULL);"
        "INSERT INTO locations VALUES ('/x/feed.jsonl:3', 'a'), ('/x/list.json[2]', 'b'),"
        " ('/x/story.md', 'c'), ('rel/old.jsonl:2', 'd'), ('https://x.example/p', 'e');"
    )
    db.commit()
    db.close()
    manifest = Manifest(path)  # the test runs in tmp_path: relative paths were typed there
    rel = str(tmp_path / "rel" / "old.jsonl")
    assert manifest.sources() == {
        "/x/feed.jsonl",
        "/x/list.json",
        "/x/story.md",
        rel,
        "https://x.example/p",
    }
    assert manifest.article_at(f"{rel}:2") == "d" and manifest.article_at("/x/story.md") == "c"


def test_cli_prune_and_list_columns(tmp_path: Path) -> None:
    runner = CliRunner()
    a = md(tmp_path / "a.md", "Alpha story", GRAIN[:2], url="https://x.example/alpha")
    md(tmp_path / "b.md", "Beta story", GRAIN[2:])
    assert runner.invoke(app, ["index", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    header = next(line for line in result.output.splitlines() if "title" in line)
    assert header.split() == ["id", "date", "source", "paras", "indexed", "(UTC)", "title"]
    row = next(line for line in result.output.splitlines() if "Alpha story" in line)
    cells = row.split()
    # no date given: the date cell is empty; two paragraphs; indexed today (UTC)
    assert cells[1:4] == ["Wire", "2", cells[3]] and cells[3][:2] == "20", row
    assert row.rstrip().endswith("Alpha story")
    a.unlink()
    result = runner.invoke(app, ["index", "--prune", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    listed = runner.invoke(app, ["list"], env={"COLUMNS": "250"}).output
    assert "Alpha story" not in listed and "Beta story" in listed


def test_progress_counts_files_and_paragraphs(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.indexing import Progress

    class Recorder(Progress):
        def __init__(self) -> None:
            self.files: list[str] = []
            self.total = 0
            self.paragraphs = 0

        def start(self, files: int) -> None:
            self.total = files

        def file_done(self, location: str) -> None:
            self.files.append(location)

        def paragraphs_done(self, count: int) -> None:
            self.paragraphs += count

    md(tmp_path / "a.md", "A", GRAIN)
    (tmp_path / "b.txt").write_bytes(b"")
    seen = Recorder()
    report = assistant.indexer().index([tmp_path, tmp_path / "missing.md"], seen)
    assert seen.total == 3 and len(seen.files) == 3
    assert seen.paragraphs == report.paragraphs == 3 and len(report.failed) == 2
