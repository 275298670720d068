import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()


def test_index_ask_status_list_remove(tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "paragraphs" in result.output

    result = runner.invoke(app, ["ask", "Who confirmed the troop numbers?"])
    assert result.exit_code == 0, result.output
    assert "[1]" in result.output and "Sources:" in result.output and "paragraph" in result.output

    result = runner.invoke(app, ["ask", "Who confirmed the troop numbers?", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["citations"] and data["refused"] is False

    result = runner.invoke(app, ["ask", "How do I bake sourdough bread?", "-f", "json"])
    assert json.loads(result.stdout)["refused"] is True

    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0 and "articles: 8" in result.output

    result = runner.invoke(app, ["list"], env={"COLUMNS": "250"})
    assert "Atlantic Wire Service" in result.output

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    article_id = BriefingAssistant(Settings()).manifest.entries()[0].id
    assert runner.invoke(app, ["remove", article_id]).exit_code == 0
    assert runner.invoke(app, ["remove", article_id]).exit_code == 1
    assert "articles: 7" in runner.invoke(app, ["status"]).output


def test_index_reports_failures_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no body"}\n')
    good = tmp_path / "good.txt"
    good.write_text("Title\n\nA body.\n")
    result = runner.invoke(app, ["index", str(bad), str(good)])
    assert result.exit_code == 1
    assert f"{bad}:1: missing article body" in result.output
    assert "1" in result.output  # one new article in the summary


def test_bad_date_option() -> None:
    result = runner.invoke(app, ["ask", "x", "--since", "yesterday"])
    assert result.exit_code == 2
