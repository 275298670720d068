"""The index's integrity, round two (#26, cases 3-6): what `repair` and `index` mend and
never lose, and what is never answered from.

- case 3: `repair PATH` after the manifest was lost keeps the articles outside PATH (adopted
  from the store, linked to their files when those are indexed again), never deletes them;
- case 4: a restored older `chroma/` (an edited article's old vectors, same paragraph count)
  is damage: the check compares each paragraph's version, not counts;
- case 5: a `chroma.sqlite3` cut in half is rebuilt by `repair` from the manifest and the
  sources it can still read (the damaged store kept aside), naming those it cannot;
- case 6: equal counts hide nothing: vectors deleted and as many orphans added is damage, and
  a damaged index is never answered from."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from vectorstore.errors import IndexDamaged

QUESTION = "How many North Korean troops are in the Kursk region?"


def _open(data: Path) -> BriefingAssistant:
    return BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))


def _article(path: Path, title: str, *paragraphs: str) -> Path:
    """An article with a URL: its id stays the same when its text is edited."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    url = f"https://news.example/{path.stem}"
    front = f"---\ntitle: {title}\nsource: Test Wire\nurl: {url}\n---\n\n"
    path.write_text(front + body + "\n", encoding="utf-8")
    return path


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _stored(data: Path) -> dict[str, tuple[str, str]]:
    """Every stored paragraph: id → (text, its article's content hash)."""
    assistant = _open(data)
    try:
        return {
            p.paragraph.id: (p.paragraph.text, p.article.content_hash)
            for p in assistant.store.iter_all()
        }
    finally:
        assistant.close()


def _index(data: Path, *paths: Path) -> None:
    assistant = _open(data)
    try:
        report = assistant.indexer().index(list(paths))
        assert not report.failed, report.failed
    finally:
        assistant.close()


def _answerable(data: Path) -> None:
    """Retrieval passes the integrity gate every answer goes through (no IndexDamaged)."""
    assistant = _open(data)
    try:
        assert assistant.index.complete(assistant.retriever.retrieve(QUESTION))
    finally:
        assistant.close()


# -- case 3: repair PATH after a lost manifest ------------------------------------------------
def _two_folders(root: Path) -> tuple[Path, Path]:
    given, other = root / "given", root / "other"
    _article(given / "a.md", "Ferries resume", "Ferries resumed on Monday after the storm.")
    _article(given / "b.md", "Mill closes", "The paper mill closed after a fire.", "Jobs went.")
    _article(other / "c.md", "Bridge opens", "The new bridge opened to traffic.", "It is long.")
    _article(other / "d.md", "Troops in Kursk", "North Korean troops are in the Kursk region.")
    return given, other


def test_repair_path_after_a_lost_manifest_keeps_the_articles_outside_path(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    given, other = _two_folders(tmp_path / "news")
    _index(data, given, other)
    before = _stored(data)
    for part in data.glob("manifest.sqlite3*"):
        part.write_bytes(b"")  # the manifest is lost

    code, output = _cli("repair", str(given), "--data-dir", str(data))
    assert code == 0, output
    assert _stored(data) == before  # no vector of an article outside PATH was deleted
    code, output = _cli("status", "--data-dir", str(data))
    assert code == 0, output  # and the manifest knows them all again
    assert "articles: 4" in " ".join(output.split())
    _answerable(data)  # the article only OTHER holds is asked about

    # Indexing OTHER again links its articles to their files: nothing is written again,
    # and --prune removes an adopted article whose file is gone, like any other.
    assistant = _open(data)
    try:
        report = assistant.indexer().index([other])
        assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
        located = {e.title: e.locations for e in assistant.manifest.entries()}
        assert located["Bridge opens"] == (str(other / "c.md"),)
        (other / "c.md").unlink()
        report = assistant.indexer().index([other], prune=True)
        assert report.removed == 1 and not report.failed
        assert {e.title for e in assistant.manifest.entries()} == {
            "Ferries resume",
            "Mill closes",
            "Troops in Kursk",
        }
        assert assistant.index.check().ok
    finally:
        assistant.close()


# -- case 4: a restored older store --------------------------------------------------------
@pytest.mark.parametrize("mender", ["repair", "index"])
def test_restored_older_store_is_damage_that_repair_and_index_mend(
    tmp_path: Path, mender: str
) -> None:
    data, folder = tmp_path / "data", tmp_path / "news"
    _article(folder / "a.md", "Ferries resume", "Ferries resumed on Monday.", "Crews returned.")
    _article(folder / "b.md", "Mill closes", "The paper mill closed.", "Jobs went.")
    _index(data, folder)
    shutil.copytree(data / "chroma", tmp_path / "chroma-backup")
    # The article is edited (same number of paragraphs) and indexed again...
    _article(folder / "a.md", "Ferries resume", "Ferries resumed on Tuesday.", "Crews returned.")
    _index(data, folder)
    fresh = _stored(data)
    # ...then yesterday's store is restored over today's.
    shutil.rmtree(data / "chroma")
    shutil.copytree(tmp_path / "chroma-backup", data / "chroma")
    assert _stored(data).keys() == fresh.keys()  # same ids: only the content differs

    code, output = _cli("status", "--data-dir", str(data))
    assert code == 1, output
    assert "2 stored paragraphs hold another version of their article" in output
    code, output = _cli("ask", "When did the ferries resume?", "--no-save", "--data-dir", str(data))
    assert code == 2 and "damaged" in output, output  # never answered from

    target = [str(folder)] if mender == "index" else []
    code, output = _cli(mender, *target, "--data-dir", str(data))
    assert code == 0, output
    assert "repaired: 1 articles" in output
    assert _stored(data) == fresh
    code, output = _cli("status", "--data-dir", str(data))
    assert code == 0, output


# -- case 5: chroma.sqlite3 cut in half ------------------------------------------------------
@pytest.mark.parametrize("lost_source", [False, True], ids=["sources-intact", "one-source-gone"])
def test_truncated_chroma_sqlite_is_rebuilt_by_repair(tmp_path: Path, lost_source: bool) -> None:
    data, folder = tmp_path / "data", tmp_path / "news"
    for i in range(6):
        _article(folder / f"n{i}.md", f"Harbour note {i}", f"The harbour log entry {i}.", "More.")
    _index(data, folder)
    fresh = _stored(data)
    db = data / "chroma" / "chroma.sqlite3"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])

    code, output = _cli("status", "--data-dir", str(data))
    assert code == 2, output
    assert "briefing repair" in output  # not "run the command again"
    if lost_source:
        (folder / "n3.md").unlink()

    code, output = _cli("repair", "--data-dir", str(data))
    assert code == (1 if lost_source else 0), output
    [kept] = list(data.glob("damaged-store-*"))
    assert (kept / "chroma" / "chroma.sqlite3").exists()  # set aside, not deleted
    stored = _stored(data)
    if lost_source:
        assert f"failed: {folder / 'n3.md'}: " in output
        gone = {pid for pid in fresh if pid not in stored}
        assert len(gone) == 2 and stored == {k: v for k, v in fresh.items() if k not in gone}
        code, output = _cli("status", "--data-dir", str(data))
        assert code == 1 and "have no vector" in output, output  # still known, still missing
    else:
        assert stored == fresh
        code, output = _cli("status", "--data-dir", str(data))
        assert code == 0, output


# -- case 6: equal counts ------------------------------------------------------------------
def _swap_vectors(data: Path, count: int = 7) -> None:
    """Delete ``count`` paragraphs of the article answering QUESTION and add as many
    vectors of no article: the store holds as many vectors as the manifest says."""
    assistant = _open(data)
    try:
        best = assistant.store.search(QUESTION, k=1)[0].passage.article
        ids = [p for p in assistant.store.paragraph_ids() if p.startswith(best.id + ":")]
        ids = ids[:count]
        dim = len(assistant.embeddings.embed_query("x"))
        assistant.store.delete_paragraphs(ids)
        assistant.store._collection.upsert(
            ids=[f"0000000000000000:{i}" for i in range(len(ids))],
            embeddings=[[0.1] * dim for _ in ids],
            documents=["filler" for _ in ids],
            metadatas=[
                {"article_id": "0000000000000000", "index": i, "char_start": 0, "char_end": 6,
                 "title": "Filler", "source": "x", "content_hash": "0" * 64}
                for i in range(len(ids))
            ],
        )  # fmt: skip
        assert assistant.store.count() == assistant.manifest.counts()[1]
    finally:
        assistant.close()


def _older_version(data: Path) -> None:
    """One paragraph of the article answering QUESTION in another version (a different
    content hash and text), under the same id: counts and ids all agree."""
    assistant = _open(data)
    try:
        hit = assistant.store.search(QUESTION, k=1)[0]
        dim = len(assistant.embeddings.embed_query("x"))
        old = {"article_id": hit.passage.article.id, "index": hit.passage.paragraph.index}
        assistant.store._collection.upsert(
            ids=[hit.id],
            embeddings=[[0.1] * dim],
            documents=["An older text of this paragraph."],
            metadatas=[{**old, "content_hash": "0" * 64, "char_start": 0, "char_end": 1}],
        )
    finally:
        assistant.close()


DAMAGE: list[tuple[str, Callable[[Path], None]]] = [
    ("7-vectors-deleted-7-orphans-added", _swap_vectors),
    ("one-paragraph-of-an-older-version", _older_version),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damage_that_counts_do_not_show_is_never_answered_from(
    sample_index: Path, tmp_path: Path, name: str, damage: Callable[[Path], None]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    damage(data)
    assistant = _open(data)
    try:
        assert not assistant.index.check().ok
        with pytest.raises(IndexDamaged, match="damaged"):
            assistant.ask(QUESTION)
        report = assistant.indexer().repair()
        assert report.repaired == 1 and not report.failed
        assert assistant.index.check().ok
    finally:
        assistant.close()
    _answerable(data)
