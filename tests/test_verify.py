"""`briefing verify FILE.json` re-checks exported quotes against the current index and
reports those whose article changed or vanished (exit 1)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.export.schema import citation_out
from assistant.export.verify import CHANGED, MISSING, OK, VANISHED, check_quote
from tests.golden.answers import golden_answer
from vectorstore.manifest import ManifestEntry

runner = CliRunner()

FERRY = """---
title: "Harbour board sets opening date for the new ferry terminal"
source: "Coastal Courier"
url: "https://example.com/courier/ferry-terminal-opening"
published_at: "2024-10-28"
---

The harbour board confirmed on Monday that the new ferry terminal will open on 3 March, after \
two years of construction work on the northern pier.

Harbour master Ana Ruiz said the first sailing to the islands would leave at seven in the \
morning, weather permitting.
"""
TRAIN = """---
title: "Operator denies plans to cut the night train"
source: "Valley Gazette"
published_at: "2024-11-02"
---

The regional rail operator Nordbahn denied on Saturday that the night train to the capital \
would be cut from the winter timetable.

A Nordbahn spokesman called the reports pure speculation.
"""
FERRY_Q = "When will the new ferry terminal open?"
TRAIN_Q = "Did the operator deny that the night train would be cut?"


def _setup(tmp_path: Path) -> Path:
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "ferry.md").write_text(FERRY)
    (arts / "train.md").write_text(TRAIN)
    result = runner.invoke(app, ["index", str(arts)])
    assert result.exit_code == 0, result.output
    return arts


def _verify(path: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["verify", str(path)], env={"COLUMNS": "300"})


def test_verify_reports_edited_and_vanished_articles(tmp_path: Path) -> None:
    arts = _setup(tmp_path)
    assert runner.invoke(app, ["ask", FERRY_Q]).exit_code == 0
    assert runner.invoke(app, ["ask", TRAIN_Q, "--conversation", "1"]).exit_code == 0
    exported = tmp_path / "briefing.json"
    assert runner.invoke(app, ["export", "1", "-f", "json", "-o", str(exported)]).exit_code == 0
    doc = json.loads(exported.read_text())
    cited = [t["answer"]["citations"][0] for t in doc["turns"]]
    assert [c["title"][:8] for c in cited] == ["Harbour ", "Operator"]
    n = sum(len(t["answer"]["citations"]) for t in doc["turns"])

    fresh = _verify(exported)
    assert fresh.exit_code == 0, fresh.output
    assert f"{n} quotes checked: {n} ok, 0 not ok; 0 problem(s) in the answer text" in fresh.output

    # The ferry article's cited sentence is edited; the train article is removed.
    (arts / "ferry.md").write_text(FERRY.replace("on 3 March", "on 17 March"))
    assert runner.invoke(app, ["index", str(arts)]).exit_code == 0
    assert runner.invoke(app, ["remove", cited[1]["article_id"]]).exit_code == 0

    stale = _verify(exported)
    assert stale.exit_code == 1, stale.output
    lines = stale.output.splitlines()
    changed = next(line for line in lines if line.strip().startswith("CHANGED"))
    assert "question 1 [1] Harbour board sets opening date" in changed
    assert "the quote is no longer verbatim in paragraph 1" in changed
    vanished = next(line for line in lines if line.strip().startswith("VANISHED"))
    assert "question 2 [1] Operator denies plans" in vanished
    assert "the article is no longer indexed" in vanished
    assert f"{n} quotes checked: 0 ok, {n} not ok" in stale.output


def test_verify_reports_a_changed_article_even_when_the_quote_survived(tmp_path: Path) -> None:
    arts = _setup(tmp_path)
    exported = tmp_path / "answer.json"
    result = runner.invoke(app, ["ask", FERRY_Q, "-f", "json", "-o", str(exported), "--no-save"])
    assert result.exit_code == 0, result.output
    quote = json.loads(exported.read_text())["citations"][0]["quote"]
    assert "3 March" in quote

    # Another paragraph changes: the quote is still verbatim, but the article is not the same.
    (arts / "ferry.md").write_text(FERRY.replace("seven in the morning", "eight"))
    assert runner.invoke(app, ["index", str(arts)]).exit_code == 0
    result = _verify(exported)
    assert result.exit_code == 1
    assert "article changed since the export" in result.output
    assert "the quote is still verbatim in paragraph 1" in result.output


def test_edited_article_without_url_vanishes_with_a_hint(tmp_path: Path) -> None:
    """Without a URL an article is identified by its text, so an edit gives it a new id."""
    arts = _setup(tmp_path)
    exported = tmp_path / "answer.json"
    assert runner.invoke(app, ["ask", TRAIN_Q, "-f", "json", "-o", str(exported)]).exit_code == 0
    (arts / "train.md").write_text(TRAIN.replace("pure speculation", "nonsense"))
    assert runner.invoke(app, ["index", str(arts)]).exit_code == 0
    result = _verify(exported)
    assert result.exit_code == 1
    assert "VANISHED" in result.output
    assert "an article with the same title and publisher is indexed as" in result.output


def test_verify_bad_files(tmp_path: Path) -> None:
    missing = _verify(tmp_path / "nope.json")
    assert missing.exit_code == 2 and f"{tmp_path / 'nope.json'}: cannot read" in missing.output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    result = _verify(garbage)
    assert result.exit_code == 2 and f"{garbage}: not a briefing JSON export" in result.output


def test_check_quote_statuses() -> None:
    c = citation_out(golden_answer().citations[0])
    passage = golden_answer().citations[0].passage
    entry = ManifestEntry(
        c.article_id,
        c.content_hash,
        c.title,
        c.source,
        c.url,
        c.published_at,
        None,
        2,
        "2024-11-01T00:00:00+00:00",
        "done",
    )
    assert check_quote(c, passage, entry)[0] == OK
    assert check_quote(c, None, None)[0] == VANISHED
    # Same content hash but the paragraph is gone: the index itself is inconsistent.
    assert check_quote(c, None, entry) == (MISSING, "paragraph 2 is no longer in the article")
    edited = dataclasses.replace(entry, content_hash="0" * 64)
    assert check_quote(c, None, edited)[0] == CHANGED
    assert check_quote(c, passage, edited)[0] == CHANGED


def test_a_speaker_named_in_the_paragraph_before_verifies() -> None:
    """ "He said ..." opening a paragraph: the answer names who "he" is from the article's
    paragraph before, and verify accepts that name only if that paragraph writes it."""
    from assistant.export.verify import ALTERED
    from tests.test_answers import para
    from tests.test_lead import backend

    before = "Defence Minister Ana Ruiz told lawmakers on Monday that the border was calm."
    hits = [
        para("art", before, "Wire", "2024-05-01", 0),
        para("art", "He said a second deployment of troops was likely.", "Wire", "2024-05-01", 1),
    ]
    answer = backend().answer("Who said a second deployment of troops was likely?", hits)
    assert answer.lead.startswith("Defence Minister Ana Ruiz")
    cited = next(c for c in answer.citations if c.passage.paragraph.index == 1)
    c = citation_out(cited)
    assert c.speaker == "Defence Minister Ana Ruiz"
    assert check_quote(c, cited.passage, None, [before])[0] == OK
    assert check_quote(c, cited.passage, None)[0] == ALTERED
    assert check_quote(c, cited.passage, None, ["The border was calm."])[0] == ALTERED


def test_a_quote_of_sentences_in_a_row_verifies_a_cut_one_does_not() -> None:
    from assistant.export.verify import ALTERED
    from tests.test_answers import para
    from tests.test_lead import backend

    text = (
        "The oversight board was set up in 2019 by the regional assembly. It appoints the "
        "auditors of the port authority every two years."
    )
    hits = [para("board", text, "Civic Times", "2024-05-01")]
    answer = backend().answer("Which body appoints the auditors of the port authority?", hits)
    cited = answer.citations[0]
    c = citation_out(cited)
    assert c.quote.startswith("The oversight board") and c.quote.endswith("two years.")
    assert check_quote(c, cited.passage, None)[0] == OK
    cut = c.model_copy(update={"quote": c.quote[:-11], "quote_end": c.quote_end - 11})
    assert check_quote(cut, cited.passage, None)[0] == ALTERED
