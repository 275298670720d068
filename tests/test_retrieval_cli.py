"""`briefing ask` filters: --source, --since/--until and --article reach the retriever."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()
QUESTION = "How many North Korean troops were sent to Russia?"


def _cited(*options: str) -> list[dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["ask", QUESTION, "-f", "json", "--no-save", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["citations"]


def test_ask_filters_by_publisher_dates_and_article() -> None:
    assert runner.invoke(app, ["index", str(SAMPLES)]).exit_code == 0
    everything = _cited()
    assert len({c["source"] for c in everything}) >= 2

    by_source = _cited("--source", "Atlantic Wire Service")
    assert by_source and {c["source"] for c in by_source} == {"Atlantic Wire Service"}

    window = _cited("--since", "2024-10-25", "--until", "2024-10-31")
    assert window and all("2024-10-25" <= c["published_at"] <= "2024-10-31" for c in window)

    article = everything[0]["article_id"]
    only = _cited("--article", article)
    assert only and {c["article_id"] for c in only} == {article}


def test_ask_rejects_a_bad_date() -> None:
    result = runner.invoke(app, ["ask", QUESTION, "--since", "last week"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
