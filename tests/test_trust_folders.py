"""Folders the indexer cannot fully read (#16, cases 3 and 7): an unreadable folder is an
error with exit status 1, and --prune never removes what was indexed from it; a file name
that is not UTF-8 is reported while the rest is indexed; a pipe is "not a regular file"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BRIEFING = str(Path(sys.executable).parent / "briefing")


def _article(path: Path, title: str, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nsource: Test Wire\n---\n\n{body}\n", encoding="utf-8")
    return path


def _briefing(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process that file permissions bind: as root, without the capabilities
    that let root read any folder (util-linux ``setpriv``)."""
    cmd = [BRIEFING, *args, "--data-dir", str(data)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    env = dict(os.environ, BRIEFING_EMBEDDING_MODEL="fake", COLUMNS="200")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def _ids(data: Path) -> set[str]:
    from vectorstore.manifest import Manifest

    manifest = Manifest(data / "manifest.sqlite3")
    try:
        return {e.id for e in manifest.entries() if e.state == "done"}
    finally:
        manifest.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    _article(root / "top.md", "Harbour reopens", "The harbour reopened to ferries on Monday.")
    _article(root / "locked" / "inner.md", "Mill closes", "The paper mill closed after a fire.")
    return root


@pytest.mark.parametrize(
    ("named", "prune"),
    [("corpus", True), ("locked", True)],
    ids=["folder-inside-prune", "named-directly-prune"],
)
def test_unreadable_folder_is_reported_and_prune_keeps_its_articles(
    assistant, settings, corpus: Path, named: str, prune: bool
) -> None:  # type: ignore[no-untyped-def]
    data = settings.data_dir
    assert not assistant.indexer().index([corpus]).failed
    assistant.close()
    before = _ids(data)
    assert len(before) == 2
    locked = corpus / "locked"
    locked.chmod(0)
    try:
        target = corpus if named == "corpus" else locked
        run = _briefing(data, "index", *(["--prune"] if prune else []), str(target))
    finally:
        locked.chmod(0o755)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"failed: {locked}: cannot read folder: Permission denied" in run.stderr
    assert "Traceback" not in run.stderr
    assert _ids(data) == before  # nothing indexed from the unreadable folder was removed


def test_file_name_that_is_not_utf8_is_reported_and_the_rest_indexed(
    assistant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mixed"
    _article(folder / "good.md", "Bridge opens", "The new bridge opened to traffic today.")
    bad = os.path.join(os.fsencode(folder), b"bad-\xff-name.md")
    with open(bad, "wb") as f:
        f.write(b"---\ntitle: Bad name\n---\n\nA body that is fine, under a bad name.\n")
    report = assistant.indexer().index([folder])
    assert report.new == 1
    [error] = report.failed
    assert error.location == f"{folder}/bad-\\xff-name.md"
    assert "file name is not valid UTF-8" in error.reason
    assert [e.title for e in assistant.manifest.entries()] == ["Bridge opens"]


@pytest.mark.parametrize("where", ["named", "in-folder"])
def test_a_pipe_is_not_a_regular_file(assistant, tmp_path: Path, where: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "feeds"
    _article(folder / "good.md", "Bridge opens", "The new bridge opened to traffic today.")
    fifo = folder / "feed.jsonl"
    os.mkfifo(fifo)
    paths = [folder] if where == "in-folder" else [folder / "good.md", fifo]
    report = assistant.indexer().index(paths)  # never waits for a writer on the pipe
    assert report.new == 1
    [error] = report.failed
    assert error.location == str(fifo)
    assert "not a regular file" in error.reason
