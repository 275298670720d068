"""Saved conversations (SQLite in the data dir) and the CLI around them: ask saves each
question, --conversation continues one, `conversations` lists them, `export` writes them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.conversations import ConversationStore, title_for
from assistant.errors import ConversationNotFound
from assistant.export.schema import parse_document
from tests.golden.answers import golden_answer, injected_answer, refused_answer

runner = CliRunner()
QUESTION = "Who confirmed the troop numbers?"


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore.in_data_dir(tmp_path / "data")


def test_turns_round_trip_with_citations_intact(store: ConversationStore) -> None:
    cid, position = store.save(golden_answer())
    assert position == 1
    assert store.save(refused_answer(), cid) == (cid, 2)
    conv = store.get(cid)
    assert conv.id == cid and conv.title == golden_answer().question
    assert [t.answer for t in conv.turns] == [golden_answer(), refused_answer()]
    assert conv.history()[0].answer == golden_answer().text
    assert all(t.asked_at for t in conv.turns) and conv.created_at


def test_list_newest_first_and_delete(store: ConversationStore) -> None:
    first = store.create("First", created_at="2024-01-01T00:00:00+00:00")
    second = store.create("Second", created_at="2024-01-02T00:00:00+00:00")
    store.add_turn(first, golden_answer(), asked_at="2024-01-03T00:00:00+00:00")
    summaries = store.list()
    assert [(s.id, s.turns) for s in summaries] == [(first, 1), (second, 0)]
    assert summaries[0].updated_at == "2024-01-03T00:00:00+00:00"
    assert store.delete(first) and not store.delete(first)
    assert [s.id for s in store.list()] == [second]


def test_unknown_conversation(store: ConversationStore) -> None:
    with pytest.raises(ConversationNotFound, match="no conversation 42"):
        store.get(42)
    with pytest.raises(ConversationNotFound):
        store.add_turn(42, golden_answer())


def test_conversations_survive_a_new_store(tmp_path: Path) -> None:
    cid, _ = ConversationStore.in_data_dir(tmp_path).save(injected_answer())
    again = ConversationStore.in_data_dir(tmp_path).get(cid)
    assert again.turns[0].answer == injected_answer()


def test_title_is_the_first_question_on_one_line() -> None:
    assert title_for("  Who\n confirmed   it? ") == "Who confirmed it?"
    long = title_for("word " * 40)
    assert len(long) == 80 and long.endswith("…")


# -- CLI ------------------------------------------------------------------------------------
def test_ask_saves_and_continues_conversations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(app, ["ask", QUESTION])
    assert first.exit_code == 0, first.output
    assert "saved: conversation 1, turn 1" in first.output
    second = runner.invoke(app, ["ask", "Who denied it?", "--conversation", "1", "-f", "json"])
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["question"] == "Who denied it?"  # stdout is only JSON
    assert "conversation 1, turn 2" in second.stderr
    assert runner.invoke(app, ["ask", "Unsaved?", "--no-save"]).exit_code == 0
    third = runner.invoke(app, ["ask", "A new one?"])
    assert "saved: conversation 2, turn 1" in third.output

    listed = runner.invoke(app, ["conversations"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert listed.output.index("A new one?") < listed.output.index(QUESTION)  # newest first
    store = ConversationStore.in_data_dir(sample_assistant.settings.data_dir)
    assert [(s.id, s.turns) for s in store.list()] == [(2, 1), (1, 2)]

    missing = runner.invoke(app, ["ask", QUESTION, "--conversation", "9"])
    assert missing.exit_code == 2 and "no conversation 9" in missing.output
    assert "briefing conversations" in missing.output  # the hint


def test_export_a_conversation_in_every_format(sample_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx
    import pypdf

    assert runner.invoke(app, ["ask", QUESTION]).exit_code == 0
    assert runner.invoke(app, ["ask", "Who denied it?", "-c", "1"]).exit_code == 0
    saved = ConversationStore.in_data_dir(sample_assistant.settings.data_dir).get(1)
    quotes = [c.quote for t in saved.turns for c in t.answer.citations]
    assert quotes

    md = runner.invoke(app, ["export", "1"])  # markdown to standard output by default
    assert md.exit_code == 0 and md.stdout.startswith("# Who confirmed the troop numbers?")
    assert "[\\[1\\]](#ref-1-1)" in md.stdout

    doc = runner.invoke(app, ["export", "1", "--format", "json", "-o", str(tmp_path / "b.json")])
    assert doc.exit_code == 0 and f"wrote {tmp_path / 'b.json'}" in doc.output
    data = parse_document((tmp_path / "b.json").read_text())
    assert data.kind == "conversation" and len(data.turns) == 2  # type: ignore[union-attr]

    html = runner.invoke(app, ["export", "1", "-f", "html", "-o", str(tmp_path / "b.html")])
    assert html.exit_code == 0 and 'id="ref-1-1"' in (tmp_path / "b.html").read_text()

    # Binary formats without -o go to a default file in the working directory.
    result = runner.invoke(app, ["export", "1", "-f", "docx"])
    assert result.exit_code == 0 and "wrote briefing-1.docx" in result.output
    text = "\n".join(p.text for p in docx.Document("briefing-1.docx").paragraphs)
    assert all(q in text for q in quotes)
    result = runner.invoke(app, ["export", "1", "-f", "pdf"])
    assert result.exit_code == 0 and Path("briefing-1.pdf").read_bytes().startswith(b"%PDF")
    pages = pypdf.PdfReader(io.BytesIO(Path("briefing-1.pdf").read_bytes())).pages
    assert "[1]" in "".join(p.extract_text() for p in pages)

    unknown = runner.invoke(app, ["export", "9"])
    assert unknown.exit_code == 2 and "no conversation 9" in unknown.output


def test_ask_writes_each_format(sample_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    md = runner.invoke(app, ["ask", QUESTION, "-f", "md", "--no-save"])
    assert md.exit_code == 0 and "## Sources" in md.stdout and "(#ref-1)" in md.stdout

    out = tmp_path / "answer.html"
    html = runner.invoke(app, ["ask", QUESTION, "-f", "html", "-o", str(out), "--no-save"])
    assert html.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    assert html.stdout == ""  # the file, not the terminal, got the answer

    txt = tmp_path / "answer.txt"
    assert runner.invoke(app, ["ask", QUESTION, "-o", str(txt), "--no-save"]).exit_code == 0
    assert "Sources:" in txt.read_text()

    # docx/pdf without -o: a file named after the question; never overwriting one.
    for expected in (
        "who-confirmed-the-troop-numbers.pdf",
        "who-confirmed-the-troop-numbers-2.pdf",
    ):
        result = runner.invoke(app, ["ask", QUESTION, "-f", "pdf", "--no-save"])
        assert result.exit_code == 0 and f"wrote {expected}" in result.output
        assert Path(expected).read_bytes().startswith(b"%PDF")
    result = runner.invoke(app, ["ask", QUESTION, "-f", "docx", "--no-save"])
    assert result.exit_code == 0 and Path("who-confirmed-the-troop-numbers.docx").is_file()

    bad = runner.invoke(app, ["ask", QUESTION, "-f", "rtf"])
    assert bad.exit_code == 2


def test_unwritable_output_is_a_clear_error(sample_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no-such-dir" / "a.pdf"
    result = runner.invoke(app, ["ask", QUESTION, "-f", "pdf", "-o", str(target), "--no-save"])
    assert result.exit_code == 2 and f"{target}: cannot write" in result.output


def test_commands_have_help() -> None:
    for command in ("conversations", "export", "verify", "ask"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_a_fallback_answer_stays_marked_through_json_and_the_store(tmp_path):
    import dataclasses

    from assistant.conversations import ConversationStore
    from assistant.export.schema import answer_in, answer_out
    from assistant.models import Answer

    answer = dataclasses.replace(Answer("Q?", "Plain text."), fallback=True)
    assert answer_in(answer_out(answer)).fallback is True
    store = ConversationStore.in_data_dir(tmp_path)
    conv, _turn = store.save(answer)
    assert store.get(conv).turns[0].answer.fallback is True
