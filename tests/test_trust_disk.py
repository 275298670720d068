"""A full disk and a damaged manifest get the hint that fits (#16, case 10), not "choose a
writable folder"; after a full disk nothing indexed is lost and the next run finishes.
(A read-only data dir that can still be asked: tests/test_faults.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from bench.corpus import write_corpus
from tests.conftest import SAMPLES
from vectorstore.errors import DAMAGED_MANIFEST_HINT, DISK_FULL_HINT

BRIEFING = str(Path(sys.executable).parent / "briefing")

# In a private mount namespace: a 32 MB tmpfs as the data dir's disk; index the samples,
# fill the disk but for 512 KB (the next run fails while writing), then fill it all (the
# run after fails opening the manifest), then free it (the run after finishes the job).
_SCRIPT = r"""
set -u
D="$1"; B="$2"; S="$3"; M="$4"
mount -t tmpfs -o size=32m tmpfs "$D" || exit 99
"$B" index "$S" --data-dir "$D/data" >/dev/null 2>&1; echo "== first $?"
dd if=/dev/zero of="$D/spare" bs=64k count=8 2>/dev/null
dd if=/dev/zero of="$D/filler" bs=64k 2>/dev/null
rm "$D/spare"
"$B" index "$M" --data-dir "$D/data" 2>&1; echo "== mid-write $?"
dd if=/dev/zero of="$D/spare" bs=64k 2>/dev/null
"$B" index "$M" --data-dir "$D/data" 2>&1; echo "== at-open $?"
rm "$D/spare" "$D/filler"
"$B" index "$M" --data-dir "$D/data" >/dev/null 2>&1; echo "== freed $?"
"$B" status --data-dir "$D/data" 2>&1; echo "== status $?"
"""


def _sections(output: str) -> dict[str, tuple[int, str]]:
    """'== name status' lines end each part of the script's output."""
    parts: dict[str, tuple[int, str]] = {}
    text: list[str] = []
    for line in output.splitlines():
        if line.startswith("== "):
            _, name, code = line.split()
            parts[name] = (int(code), "\n".join(text))
            text = []
        else:
            text.append(line)
    return parts


def test_full_disk_gets_the_disk_hint_and_the_next_run_finishes(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a small disk")
    more = tmp_path / "more"
    write_corpus(more, 60, formats=("md",))
    disk = tmp_path / "disk"
    disk.mkdir()
    env = dict(os.environ, BRIEFING_EMBEDDING_MODEL="fake", COLUMNS="200")
    run = subprocess.run(
        [
            "unshare",
            "--mount",
            "sh",
            "-c",
            _SCRIPT,
            "sh",
            str(disk),
            BRIEFING,
            str(SAMPLES),
            str(more),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if run.returncode == 99 or "== first" not in run.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr[-200:]}")
    parts = _sections(run.stdout)
    assert parts["first"][0] == 0
    for name in ("mid-write", "at-open"):
        code, text = parts[name]
        assert code == 2, (name, text)
        assert f"hint: {DISK_FULL_HINT}" in text, (name, text)
        assert "writable folder" not in text and "Traceback" not in text
    assert parts["freed"][0] == 0
    code, text = parts["status"]
    assert code == 0, text  # the store agrees with the manifest
    assert "articles: 68" in " ".join(text.split())


@pytest.mark.parametrize(
    "damage",
    [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["garbage", "bad-header"],
)
def test_damaged_manifest_gets_the_manifest_hint(
    sample_index: Path, tmp_path: Path, damage: bytes
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_index, data)
    for part in data.glob("manifest.sqlite3*"):
        part.unlink()
    (data / "manifest.sqlite3").write_bytes(damage)
    result = CliRunner().invoke(app, ["status", "--data-dir", str(data)])
    assert result.exit_code == 2
    assert f"error: cannot open the manifest in data dir {data}" in result.output
    assert f"hint: {DAMAGED_MANIFEST_HINT}" in result.output
    assert "writable folder" not in result.output
