"""A store that disagrees with its manifest is noticed and repaired (#16, case 1): a lost or
truncated Chroma store, a truncated manifest, one article's vectors gone, vectors of no
article; and leftovers of an interrupted run never crowd real evidence out."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.export.schema import answer_json
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from ingest.build import build_article
from tests.conftest import SAMPLES
from vectorstore.errors import IndexDamaged

QUESTION = "How many North Korean troops are in the Kursk region?"


def _open(data: Path) -> BriefingAssistant:
    # Every setting that shapes an answer given here: module fixtures run before the
    # per-test environment is set.
    return BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))


def _state(assistant: BriefingAssistant) -> tuple[str, dict[str, tuple[str, str]]]:
    """The answer to QUESTION (as JSON) and every stored paragraph (text, article hash)."""
    stored = {
        p.paragraph.id: (p.paragraph.text, p.article.content_hash)
        for p in assistant.store.iter_all()
    }
    return answer_json(assistant.ask(QUESTION)), stored


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, tuple[str, str]]]:
    assistant = _open(tmp_path_factory.mktemp("clean") / "data")
    assistant.indexer().index([SAMPLES])
    state = _state(assistant)
    assert '"refused":false' in state[0].replace(" ", "")  # a real answer to compare
    assistant.close()
    return state


def _one_article_gone(data: Path) -> None:
    assistant = _open(data)
    entry = assistant.manifest.entries()[0]
    assistant.store.delete_articles([entry.id])  # behind the manifest's back
    assistant.close()


def _stranger(data: Path) -> None:
    """Vectors of an article the manifest never held (and of a paragraph past an end)."""
    assistant = _open(data)
    article = build_article("/nowhere.md", body="Troops in Kursk region.\n\nA second one.")
    assistant.store.add_articles([article])
    entry = assistant.manifest.entries()[0]
    [sample] = assistant.store.get([f"{entry.id}:0"])
    extra = dataclasses.replace(sample.paragraph, index=entry.paragraphs)
    dim = len(assistant.embeddings.embed_query("x"))
    assistant.store._collection.upsert(  # a paragraph id past the article's last one
        ids=[extra.id], embeddings=[[0.1] * dim], documents=[extra.text],
        metadatas=[{"article_id": entry.id, "index": extra.index, "char_start": 0,
                    "char_end": 1, "title": "x", "source": "x", "content_hash": "x"}],
    )  # fmt: skip
    assistant.close()


DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    # (name, what is done to the data dir, what `check` says)
    ("chroma-folder-deleted", lambda d: shutil.rmtree(d / "chroma"), "have no vector"),
    (
        "chroma-sqlite-truncated",
        lambda d: (d / "chroma" / "chroma.sqlite3").write_bytes(b""),
        "have no vector",
    ),
    ("one-article-vectors-deleted", _one_article_gone, "have no vector"),
    ("vectors-of-no-article", _stranger, "belong to no indexed article"),
    (
        "manifest-truncated",
        lambda d: [p.write_bytes(b"") for p in d.glob("manifest.sqlite3*")],
        "the manifest was lost",
    ),
]


@pytest.mark.parametrize(("name", "damage", "problem"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_store_is_reported_then_repaired_to_a_clean_runs_answer(
    sample_index: Path, tmp_path: Path, clean, name: str, damage, problem: str
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    damage(data)
    assistant = _open(data)
    check = assistant.index.check()
    assert not check.ok
    assert problem in " ".join(check.problems())
    if name != "vectors-of-no-article":  # those are never cited: answers stay right
        with pytest.raises(IndexDamaged):
            assistant.ask(QUESTION)
    if name == "manifest-truncated":  # nothing says where the articles came from
        with pytest.raises(IndexDamaged, match="manifest was lost"):
            assistant.indexer().repair()
        report = assistant.indexer().repair([SAMPLES])
    else:
        report = assistant.indexer().index([SAMPLES])  # an ordinary run repairs too
    assert not report.failed
    # a lost manifest's articles are adopted from the store, then found unchanged (#26)
    assert report.repaired or report.orphans or report.adopted
    assert assistant.index.check().ok
    assert _state(assistant) == clean  # in the process that repaired
    assistant.close()
    again = _open(data)  # and a new process sees the same
    assert _state(again) == clean
    again.close()


def _leftovers(assistant: BriefingAssistant, copies: int = 80) -> list[str]:
    """What a run killed mid-batch leaves: articles ``pending`` with their vectors written,
    each a near copy of the evidence (so nearest to the question), never marked done."""
    [hit] = [h for h in assistant.store.search(QUESTION, k=1)]
    text = hit.passage.paragraph.text
    articles = [
        build_article(f"/killed/{i}.txt", body=f"{text} Copy {i} of a story never finished.")
        for i in range(copies)
    ]
    assistant.manifest.begin(articles)
    assistant.store.add_articles(articles)
    return [a.id for a in articles]


def test_leftovers_of_a_killed_run_do_not_crowd_evidence_out(
    sample_index: Path, tmp_path: Path, clean
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    writer = _open(data)
    _leftovers(writer)
    writer.close()  # "killed": the run never comes back to them
    reader = _open(data)  # the next process to open the index clears them
    assert reader.manifest.pending() == []
    assert reader.index.check().ok
    assert _state(reader) == clean


def test_leftovers_are_kept_while_a_run_is_writing_them(sample_index: Path, tmp_path: Path) -> None:
    from vectorstore.locks import FileLock

    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    writer = _open(data)
    ids = _leftovers(writer, copies=3)
    held, done = threading.Event(), threading.Event()

    def run_in_progress() -> None:  # another thread holds the writer lock, as a live run does
        lock = FileLock.at(data / "index.lock")
        assert lock.acquire(5)
        held.set()
        done.wait(30)
        lock.release()

    thread = threading.Thread(target=run_in_progress)
    thread.start()
    try:
        assert held.wait(10)
        reader = _open(data)
        assert sorted(reader.manifest.pending()) == sorted(ids)  # not the reader's to clear
        reader.close()
    finally:
        done.set()
        thread.join()
    writer.close()


def test_cli_status_reports_damage_and_repair_mends_it(sample_index: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    shutil.rmtree(data / "chroma")
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--data-dir", str(data)])
    assert status.exit_code == 1
    assert "damaged: 59 of 59 paragraphs (8 of 8 articles) have no vector" in status.output
    asked = runner.invoke(app, ["ask", QUESTION, "--no-save", "--data-dir", str(data)])
    assert asked.exit_code == 2 and "vectors were lost" in asked.output
    mended = runner.invoke(app, ["repair", "--data-dir", str(data)])
    assert mended.exit_code == 0, mended.output
    assert "repaired 8 articles, deleted 0 orphan paragraphs" in mended.output
    status = runner.invoke(app, ["status", "--data-dir", str(data)])
    assert status.exit_code == 0 and "vectors: 59" in " ".join(status.output.split())


def test_repair_of_a_source_that_is_gone_fails_and_keeps_the_record(
    assistant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Ferries resume\n\nFerries resumed on Monday.\n")
    (folder / "b.txt").write_text("Mill closes\n\nThe mill closed after a fire.\n")
    assistant.indexer().index([folder])
    entries = {e.title: e for e in assistant.manifest.entries()}
    assistant.store.delete_articles([e.id for e in entries.values()])
    (folder / "b.txt").unlink()
    report = assistant.indexer().repair()
    assert report.repaired == 1
    [failure] = report.failed
    assert failure.location == str(folder / "b.txt")
    assert {e.title for e in assistant.manifest.entries()} == {"Ferries resume", "Mill closes"}
    assert list(assistant.index.check().missing) == [entries["Mill closes"].id]
