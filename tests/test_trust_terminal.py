"""Issue #16 case 9: terminal escapes in article text (ANSI colours, OSC 52 clipboard writes,
OSC 8 links, C1 controls, carriage returns) and rich markup never reach the terminal raw from
the CLI's text output of article content."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()

ESC = "\x1b"
CONTROLS = {
    "csi colour": f"{ESC}[31m",
    "osc 52 clipboard": f"{ESC}]52;c;ZXZpbA=={chr(7)}",
    "osc 8 link": f"{ESC}]8;;https://evil.example{ESC}\\",
    "c1 csi": "\x9b2J",
    "carriage return": "\rOVERWRITTEN",
    "backspace": "\x08\x08",
}
# Anything a terminal acts on: C0 but newline and tab, DEL, C1.
_ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
QUESTION = f"Were red shells shipped by rail {CONTROLS['csi colour']}?"


@pytest.fixture
def indexed(tmp_path: Path) -> None:
    bad = "".join(CONTROLS.values())
    record = {
        "title": f"Rail {bad} shells [link=https://evil.example]click[/link]",
        "source": f"Border {bad} Courier",
        "published_at": "2024-11-03",
        "body": f"The ministry confirmed that red {bad} shells were shipped by rail to the "
        "border in October.",
    }
    path = tmp_path / "escapes.json"
    path.write_text(json.dumps(record))
    result = runner.invoke(app, ["index", str(path)])
    assert result.exit_code == 0, result.output


COMMANDS = [
    ["ask", QUESTION],
    ["ask", QUESTION, "--format", "text", "--output", "answer.txt"],
    ["list"],
    ["conversations"],
    ["status"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[2:3]))
def test_cli_output_has_no_terminal_controls(indexed: None, args: list[str]) -> None:
    runner.invoke(app, ["ask", QUESTION])  # a saved conversation titled by the question
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr
    if "--output" in args:
        shown = Path("answer.txt").read_text()
    assert not _ACTIVE.findall(shown), repr(shown[:400])
    if args[0] in ("ask", "list"):
        assert "shells" in shown
    if args == ["list"]:  # rich markup in a title is shown as text, not made a link
        assert "[link=https://evil.example]click[/link]" in shown


@pytest.mark.parametrize(("name", "sequence"), CONTROLS.items())
def test_terminal_safe_removes_each_control(name: str, sequence: str) -> None:
    from assistant.render_text import terminal_safe

    assert not _ACTIVE.search(terminal_safe(f"a{sequence}b"))
    assert terminal_safe("line\n\ttab · “quote” 报告") == "line\n\ttab · “quote” 报告"


def _run_in_a_terminal(args: list[str]) -> str:
    """What `briefing ARGS` writes to a pseudo-terminal (its standard output is a tty)."""
    import os

    from tests.conftest import ROOT
    from tests.terminal_support import run_cli_in_pty

    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    code, out = run_cli_in_pty(args, env)
    assert code == 0, out[-2000:]
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def test_an_export_printed_to_a_terminal_has_no_controls(indexed: None) -> None:
    """Exports keep article text as it was (a C1 control too); printed to a terminal rather
    than piped, it is cleaned like any other output."""
    shown = _run_in_a_terminal(["ask", QUESTION, "--format", "md", "--no-save"])
    assert "shells" in shown and not _ACTIVE.findall(shown), repr(shown[:400])
