"""`index --prune` never removes what it only cannot read (#26, case 2): a path that exists
but cannot be listed or stat'ed (a file in an `r--` folder, a file or folder under a `000`
folder) is a failure line naming it, exit status 1, and its articles stay indexed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BRIEFING = str(Path(sys.executable).parent / "briefing")


def _article(path: Path, title: str, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nsource: Test Wire\n---\n\n{body}\n", encoding="utf-8")
    return path


def _briefing(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI of this checkout in a process that file permissions bind: as root, without
    the capabilities that let root read any folder (util-linux ``setpriv``)."""
    cmd = [BRIEFING, *args, "--data-dir", str(data)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    env = dict(os.environ, BRIEFING_EMBEDDING_MODEL="fake", COLUMNS="200", PYTHONPATH=str(ROOT))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def _titles(data: Path) -> set[str]:
    from vectorstore.manifest import Manifest

    manifest = Manifest(data / "manifest.sqlite3")
    try:
        return {e.title for e in manifest.entries() if e.state == "done"}
    finally:
        manifest.close()


# (case, the folder whose mode changes, its mode, the path given to `index --prune`
# relative to the corpus, the path the failure line names)
CASES = [
    ("file-in-r--folder", "shut", 0o444, ".", "shut/inner.md"),
    ("r--folder-named", "shut", 0o444, "shut", "shut/inner.md"),
    ("file-under-000-folder", "shut", 0o000, "shut/inner.md", "shut/inner.md"),
    ("folder-under-000-folder", "shut", 0o000, "shut/deeper", "shut/deeper"),
]


@pytest.mark.parametrize(
    ("case", "folder", "mode", "given", "named"), CASES, ids=[c[0] for c in CASES]
)
def test_prune_keeps_what_it_cannot_read(
    settings, tmp_path: Path, case: str, folder: str, mode: int, given: str, named: str
) -> None:  # type: ignore[no-untyped-def]
    data, corpus = settings.data_dir, tmp_path / "corpus"
    _article(corpus / "top.md", "Harbour reopens", "The harbour reopened to ferries on Monday.")
    _article(corpus / "shut" / "inner.md", "Mill closes", "The paper mill closed after a fire.")
    _article(corpus / "shut" / "deeper" / "low.md", "Bridge opens", "The new bridge opened.")
    first = _briefing(data, "index", str(corpus))
    assert first.returncode == 0, first.stderr
    before = _titles(data)
    assert before == {"Harbour reopens", "Mill closes", "Bridge opens"}

    (corpus / folder).chmod(mode)
    try:
        run = _briefing(data, "index", "--prune", str(corpus / given))
    finally:
        (corpus / folder).chmod(0o755)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"failed: {corpus / named}: cannot read" in run.stderr, run.stderr
    assert _titles(data) == before  # nothing it could not read was removed
