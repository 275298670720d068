import dataclasses
from pathlib import Path

from tests.conftest import SAMPLES


def write(path: Path, title: str, body: str) -> Path:
    path.write_text(f"---\ntitle: {title}\nsource: Wire\n---\n\n{body}\n", encoding="utf-8")
    return path


def snapshot(assistant) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.id: h.text for h in assistant.store.iter_all()}


def test_indexing_twice_changes_nothing(assistant) -> None:  # type: ignore[no-untyped-def]
    first = assistant.indexer().index([SAMPLES])
    before = snapshot(assistant)
    second = assistant.indexer().index([SAMPLES])
    assert first.new >= 6 and first.paragraphs == len(before)
    assert (second.new, second.updated, second.paragraphs) == (0, 0, 0)
    assert second.unchanged == first.new
    assert snapshot(assistant) == before
    articles, paragraphs = assistant.manifest.counts()
    assert (articles, paragraphs) == (first.new, len(before))
    assert all(pid.split(":")[0] in {e.id for e in assistant.manifest.entries()} for pid in before)


def test_edit_replaces_paragraphs(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "a.md", "T", "One.\n\nTwo.\n\nThree.")
    assistant.indexer().index([f])
    write(f, "T", "One changed.\n\nTwo.")
    report = assistant.indexer().index([f])
    texts = sorted(snapshot(assistant).values())
    assert texts == ["One changed.", "Two."]
    assert report.new == 1 and report.removed == 1  # text-derived id: new article, old one gone
    assert assistant.manifest.counts() == (1, 2)


def test_same_article_two_paths_indexed_once(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = write(tmp_path / "a.md", "T", "Same body.")
    b = write(tmp_path / "b.md", "T", "Same body.")
    report = assistant.indexer().index([a, b])
    assert report.new == 1 and report.unchanged == 0
    [entry] = assistant.manifest.entries()
    assert entry.locations == (str(a), str(b))
    assert len(snapshot(assistant)) == 1


def test_bad_file_does_not_stop_batch_or_lose_index(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = write(tmp_path / "good.md", "Good", "Kept.")
    assistant.indexer().index([good])
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    other = write(tmp_path / "other.md", "Other", "Also kept.")
    report = assistant.indexer().index([bad, good, other])
    assert [f.location for f in report.failed] == [str(bad)]
    assert report.new == 1 and report.unchanged == 1
    assert sorted(snapshot(assistant).values()) == ["Also kept.", "Kept."]


def test_remove(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "a.md", "T", "Body.")
    assistant.indexer().index([f])
    [entry] = assistant.manifest.entries()
    assert assistant.indexer().remove(entry.id)
    assert snapshot(assistant) == {} and assistant.manifest.counts() == (0, 0)
    assert not assistant.indexer().remove(entry.id)


def test_interrupted_run_is_finished_by_the_next(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "a.md", "T", "One.\n\nTwo.")
    from ingest.loaders import read_source

    [article] = list(read_source(f))
    # Simulate a crash after the manifest said 'pending' and half the vectors were written.
    assistant.manifest.begin([article])
    assistant.store.add_articles([dataclasses.replace(article, paragraphs=article.paragraphs[:1])])
    report = assistant.indexer().index([f])
    assert report.new == 1
    assert sorted(snapshot(assistant).values()) == ["One.", "Two."]
    assert assistant.manifest.pending() == []
