"""The CLI as a terminal shows it and as a pipe reads it (issue #28): in a 100-column
terminal no line is wider than 100 columns; piped, every line is whole (nothing wrapped);
``-o FILE`` holds what the screen shows; an empty index says how to add articles; indexing
into a pipe prints progress lines; one stance vocabulary in every presentation.

The commands run as real processes (`python -m assistant.cli`) on a copy of the samples
indexed with the fake embedding; a pseudo-terminal of 100 columns stands for the terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import LineProgress, app
from tests.conftest import ROOT
from tests.terminal_support import run_cli_in_pty

QUESTION = "Who confirmed the troop numbers?"
TOPIC = "North Korean troops in Russia"
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@pytest.fixture
def data(sample_index: Path, tmp_path: Path) -> Path:
    """A private copy of the indexed samples, with one saved conversation."""
    copy = tmp_path / "samples-data"
    shutil.copytree(sample_index, copy)
    env = dict(os.environ, BRIEFING_DATA_DIR=str(copy))
    saved = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", QUESTION],
        env=env,
        capture_output=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert saved.returncode == 0, saved.stderr
    return copy


def in_a_terminal(args: list[str], data: Path, columns: int = 100) -> tuple[int, str]:
    """(exit status, what `briefing ARGS` shows on a terminal of ``columns`` columns); its
    standard error (spinners, progress) goes elsewhere, as a terminal shows it apart."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(BRIEFING_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    code, out = run_cli_in_pty(args, env, columns)
    return code, _ESCAPE.sub("", out.decode("utf-8", "replace")).replace("\r\n", "\n")


def piped(args: list[str], data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFING_DATA_DIR=str(data))
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


# (command, what its output must hold): every line within 100 columns
COMMANDS = [
    (["ask", QUESTION, "--no-save"], ["Sources:", "[1]"]),
    (["brief", TOPIC], ["Key claims", "[1]"]),
    (["list"], ["Atlantic Wire Serv", "title"]),
    (["status"], ["articles: 8"]),
    (["conversations"], [QUESTION[:20], "cli"]),
    (["ask", "How do I bake sourdough bread?", "--no-save"], ["do not answer"]),
    # help text rewrapped to the terminal, not broken where its docstring's lines break
    (["index", "--help"], ["unchanged ones are skipped, edited"]),
]


@pytest.mark.parametrize(("args", "holds"), COMMANDS, ids=lambda a: " ".join(a[:1]))
def test_output_fits_a_100_column_terminal(data: Path, args: list[str], holds: list[str]) -> None:
    status, shown = in_a_terminal(args, data)
    assert status == 0, shown[-2000:]
    lines = shown.splitlines()
    too_wide = [line for line in lines if len(line) > 100]
    assert not too_wide, too_wide[:3]
    for text in holds:
        assert text in shown, (text, shown[:600])
    if args[0] == "list":  # one line per article, its id whole
        rows = [line for line in lines if re.match(r"\s*[0-9a-f]{16}\s", line)]
        assert len(rows) == 8
    if args[:2] == ["ask", QUESTION]:
        # the direct answer line first, the quotes listed under it, then the sources
        start = next(i for i, line in enumerate(lines) if line.strip())
        end = lines.index("", start)  # the answer line, wrapped over lines of its own
        assert not lines[start].startswith(" ") and "[1]" in " ".join(lines[start:end])
        assert lines[end + 1].startswith("  - ")


def test_piped_output_is_whole_and_o_file_holds_what_the_screen_shows(
    data: Path, tmp_path: Path
) -> None:
    import json

    shown = piped(["ask", QUESTION, "--no-save"], data, tmp_path)
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(piped(["ask", QUESTION, "-f", "json", "--no-save"], data, tmp_path).stdout)
    lines = shown.stdout.splitlines()
    # Not wrapped: each quote of the answer is one whole line.
    quotes = [c["quote"] for c in answer["citations"]]
    assert any(len(line) > 100 for line in lines)
    for quote in quotes:
        assert any(quote in line for line in lines), quote
    # The same questions written to a file: the screen's text, answer and sources.
    written = piped(["ask", QUESTION, "--no-save", "-o", "answer.txt"], data, tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    assert (tmp_path / "answer.txt").read_text() == shown.stdout
    assert "wrote answer.txt" in written.stderr
    # A briefing and the article list, piped: whole lines too.
    brief = piped(["brief", TOPIC], data, tmp_path)
    assert brief.returncode == 0, brief.stderr
    assert max(len(line) for line in brief.stdout.splitlines()) > 100
    listed = piped(["list"], data, tmp_path).stdout
    heads = [p.read_text().split("\n")[1] for p in Path(ROOT / "samples").glob("2*")]
    titles = [h.removeprefix("title: ").strip('"') for h in heads]
    assert len(titles) == 8 and all(t in listed for t in titles)


@pytest.mark.parametrize(
    ("args", "status"),
    [(["ask", QUESTION], 1), (["brief", TOPIC], 1), (["list"], 0), (["status"], 0)],
    ids=lambda a: a[0] if isinstance(a, list) else str(a),
)
def test_an_empty_index_says_how_to_add_articles(args: list[str], status: int) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == status, result.output
    assert "briefing index PATH" in result.stderr
    assert "do not answer" not in result.output  # not a refusal: nothing is indexed
    if args[0] == "ask":
        assert "error: no articles are indexed" in result.stderr


def test_indexing_into_a_pipe_prints_progress_lines(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["index", str(ROOT / "samples")])
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith("index")]
    assert re.fullmatch(r"indexing: \d+ sources", progress[0]), progress
    assert re.fullmatch(
        r"indexed: (\d+)/\1 files, \d+ paragraphs embedded in \d+:\d\d( \(\d+ paragraphs/s\))?",
        progress[-1],
    ), progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_come_every_few_seconds_with_counts_and_rate() -> None:
    clock, lines = Clock(), list[str]()
    progress = LineProgress(lines.append, every=5.0, clock=clock)
    progress.start(2)
    steps = [  # (seconds later, event)
        (1.0, lambda: progress.records_read("/feeds/wire.jsonl", 150)),
        (1.0, lambda: progress.paragraphs_planned(1000)),
        (4.0, lambda: progress.paragraphs_done(400)),  # 6 s: a line
        (2.0, lambda: progress.paragraphs_done(100)),  # 8 s: none (2 s after the last)
        (4.0, lambda: progress.paragraphs_done(300)),  # 12 s: a line
        (1.0, lambda: progress.file_done("/feeds/wire.jsonl")),
        (1.0, lambda: progress.file_done("/feeds/note.md")),
    ]
    for later, event in steps:
        clock.now += later
        event()
    progress.finish()
    assert lines == [
        "indexing: 2 sources",
        "indexing: 0/2 files · 150 articles read from wire.jsonl · 400/1000 paragraphs "
        "embedded (100/s) · 0:06 elapsed, about 6 s left",
        "indexing: 0/2 files · 150 articles read from wire.jsonl · 800/1000 paragraphs "
        "embedded (80/s) · 0:12 elapsed, about 2 s left",
        "indexed: 2/2 files, 800 paragraphs embedded in 0:14 (57 paragraphs/s)",
    ]
