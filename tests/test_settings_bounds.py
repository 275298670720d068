"""Issue #26 item 10: every ``BRIEFING_*`` setting has bounds. A bad value (bad type, out of
bounds, nan) is one clean line naming the variable, the value and what is allowed, with exit
status 2 and no traceback: for every command and for the chat's start (``briefing ui``).

The CLI runs as a real process (``python -m assistant.cli``, this checkout first on the path)
in a fresh folder with its own data dir. The table of bad values is checked against
``Settings.model_fields``: a new setting without a bad value in it fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.export.schema import answer_json
from assistant.models import Answer
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Bad values of every setting, as an analyst could set them in the environment. "{tmp}" is
# the test's own temporary folder.
BAD: dict[str, list[str]] = {
    "data_dir": ["", "   "],
    "cache_dir": [""],
    "embedding_model": ["fake:abc", "fake:0", "onnx:", " "],
    "collection": ["ab", "../elsewhere", "two words", "x" * 600],
    "chroma_host": ["http://chroma.example.org", "two words", "host/path"],
    "chroma_port": ["abc", "0", "-1", "99999", "80.5"],
    "chroma_ssl": ["maybe", "2"],
    "chroma_token": ["two words", "line\nbreak"],
    "chroma_timeout": ["abc", "0", "-1", "nan", "inf", "1e9"],
    "lock_timeout": ["abc", "-1", "nan", "1e12"],
    "max_file_bytes": ["abc", "0", "-5", "1.5", "99999999999999999999"],
    "max_unpacked_bytes": ["abc", "-1", "0"],
    "max_paragraphs": ["abc", "0", "-3"],
    "max_paragraph_chars": ["abc", "0", "5"],
    "fetch_timeout": ["abc", "-1", "0", "nan"],
    "top_k": ["abc", "0", "-1", "100000"],
    "retrieval_profile": ["weird", ""],
    "max_sentences": ["abc", "0", "-2"],
    "brief_paragraphs": ["abc", "0"],
    "reader_threshold": ["abc", "-0.1", "1.5", "nan"],
    "reader_model": ["{tmp}/no-such-folder", "{tmp}"],
    "reader_checks_off": ["no_such_check", '["no_such_check"]', "[unclosed"],
    "reader_refuse": ["maybe"],
    "backend": ["gpt", "ollama:", "", ":model"],
    "llm_base_url": ["localhost:8012", "ftp://example.org/v1", "http://"],
    "llm_api_key": ["two words", "tab\there"],
    "llm_timeout": ["abc", "0", "-1", "nan"],
    "history_turns": ["abc", "-1", "1000"],
    "llm_threads": ["abc", "0", "100000"],
    "llm_context": ["abc", "0", "100", "99999999"],
    "llm_max_tokens": ["abc", "0", "99999999"],
    "llm_port": ["abc", "0", "99999", "-1"],
    "signin": ["maybe"],
    "editors": ["alice", "a@b.org, bob", "a@b.org,c d@e.org"],
    "postgres_dsn": ["mysql://h/db", "postgresql://", "postgresql://host", "postgresql://h/d b"],
}

CASES = [
    pytest.param(name, value, id=f"{name}={value[:20]!r}")
    for name in Settings.model_fields
    for value in BAD.get(name, ["<no bad value in the table>"])
]


def briefing(
    args: list[str], tmp_path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``python -m assistant.cli ARGS`` in ``tmp_path`` (no briefing.toml but the test's own),
    with this checkout's code and only the given BRIEFING_* variables."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    full.update(
        PYTHONPATH=str(ROOT),
        COLUMNS="200",
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_EMBEDDING_MODEL="fake",
    )
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=full,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hang, not a measure
    )


def one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single error line of a refused setting (asserting everything else about it)."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    line = lines[0]
    for jargon in ("Input should", "validation error", "pydantic", "type="):
        assert jargon not in line, line
    return line


@pytest.mark.parametrize(("name", "value"), CASES)
def test_a_bad_value_of_every_setting_is_one_clean_line(
    name: str, value: str, tmp_path: Path
) -> None:
    assert name in BAD, f"setting {name} has no bad value in BAD: add one"
    value = value.replace("{tmp}", str(tmp_path))
    variable = f"BRIEFING_{name.upper()}"
    line = one_clean_line(briefing(["status"], tmp_path, {variable: value}))
    # the value as the line shows it: quoted, escapes visible, a long one cut
    shown = repr(value if len(value) <= 200 else value[:200] + "…")
    assert line.startswith(f"error: {variable}={shown} is not allowed: "), line
    allowed = line.removeprefix(f"error: {variable}={shown} is not allowed: ")
    assert len(allowed) > 10, line  # says what is allowed


# What the allowed part of a line says, for the settings the issue names.
ALLOWED = [
    ("top_k", "0", "a whole number from 1 to "),
    ("brief_paragraphs", "0", "a whole number from 1 to "),
    ("max_paragraph_chars", "0", "a whole number from "),
    ("fetch_timeout", "-1", "a number of seconds above 0"),
    ("retrieval_profile", "weird", "one of auto, long, short"),
    ("chroma_port", "abc", "a whole number from 1 to 65535"),
    ("llm_port", "99999", "a whole number from 1 to 65535"),
    ("signin", "maybe", "true or false"),
    ("llm_context", "0", "a whole number from 512 to "),
    ("max_unpacked_bytes", "-1", "a whole number of bytes from 1 to "),
    ("max_file_bytes", "-5", "a whole number of bytes from 1 to "),
    ("lock_timeout", "-1", "a number of seconds from 0 to "),
    ("reader_threshold", "nan", "a number from 0 to 1"),
    ("max_sentences", "0", "a whole number from 1 to "),
    ("history_turns", "-1", "a whole number from 0 to "),
    ("reader_checks_off", "no_such_check", "names of reader checks"),
    ("reader_model", "{tmp}", "reader-int8.onnx and tokenizer.json"),
]


@pytest.mark.parametrize(("name", "value", "says"), ALLOWED)
def test_the_line_says_what_is_allowed(name: str, value: str, says: str, tmp_path: Path) -> None:
    value = value.replace("{tmp}", str(tmp_path))
    line = one_clean_line(briefing(["status"], tmp_path, {f"BRIEFING_{name.upper()}": value}))
    assert says in line, line


def test_unknown_check_names_list_the_known_ones(tmp_path: Path) -> None:
    from assistant.reader.checks import registry

    env = {"BRIEFING_READER_CHECKS_OFF": "no_such_check"}
    line = one_clean_line(briefing(["status"], tmp_path, env))
    assert all(check.name in line for check in registry())


def test_good_reader_values_are_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bounds refuse only bad values: known check names (comma-separated or a JSON list)
    and a folder holding the model's files are settings like any other."""
    from assistant.reader.checks import registry

    names = [c.name for c in registry()][:2]
    folder = tmp_path / "reader"
    folder.mkdir()
    for part in ("reader-int8.onnx", "tokenizer.json"):
        (folder / part).write_bytes(b"")
    monkeypatch.setenv("BRIEFING_READER_MODEL", str(folder))
    for checks in (",".join(names), json.dumps(names), ""):
        monkeypatch.setenv("BRIEFING_READER_CHECKS_OFF", checks)
        settings = Settings()
        assert settings.reader_checks_off == (names if checks else [])
        assert settings.reader_model == folder


# Every command reads the settings: each refuses a bad one the same way, the chat's start
# (`briefing ui`) and the model server (`briefing llm serve`) included.
COMMANDS = [
    ["index", "{tmp}/article.txt"],
    ["repair"],
    ["ask", "Who confirmed the troop numbers?"],
    ["status"],
    ["list"],
    ["remove", "some-article"],
    ["conversations"],
    ["export", "1"],
    ["brief", "troops"],
    ["verify", "{tmp}/answer.json"],
    ["ui", "--port", "1"],
    ["llm", "serve", "--model", "{tmp}/model.gguf"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_refuses_a_bad_setting(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Title\n\nA body.\n")
    (tmp_path / "model.gguf").write_bytes(b"GGUF")
    (tmp_path / "answer.json").write_text(answer_json(Answer("q", "a", refused=True)))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    line = one_clean_line(briefing(args, tmp_path, {"BRIEFING_TOP_K": "abc"}))
    assert line.startswith("error: BRIEFING_TOP_K='abc' is not allowed: "), line


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("top_k = 0\n", "error: top_k=0 in briefing.toml is not allowed: a whole number"),
        ('retrieval_profile = "weird"\n', "error: retrieval_profile='weird' in briefing.toml"),
        ("top_k = \n", "error: briefing.toml is not valid TOML: "),
    ],
)
def test_a_bad_briefing_toml_is_one_clean_line(toml: str, says: str, tmp_path: Path) -> None:
    (tmp_path / "briefing.toml").write_text(toml)
    line = one_clean_line(briefing(["status"], tmp_path, {}))
    assert line.startswith(says), line


def test_a_bad_data_dir_option_names_the_option(tmp_path: Path) -> None:
    (tmp_path / "briefing.toml").write_text("")
    line = one_clean_line(briefing(["status", "--data-dir", " "], tmp_path, {}))
    assert line.startswith("error: --data-dir=' ' is not allowed: "), line


def test_two_bad_settings_are_two_lines(tmp_path: Path) -> None:
    done = briefing(["status"], tmp_path, {"BRIEFING_TOP_K": "0", "BRIEFING_SIGNIN": "maybe"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = sorted(done.stderr.splitlines())
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("error: BRIEFING_SIGNIN='maybe' is not allowed: true or false")
    assert lines[1].startswith("error: BRIEFING_TOP_K='0' is not allowed: a whole number")
