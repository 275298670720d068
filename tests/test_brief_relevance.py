"""Issue 27: each claim's relevance to the topic is read by the reader's model. With a fake
model (a table of scores): each sentence is read once, with its title and the sentence
before it; an article none of whose claims reads as on the topic is left out, the others
stay whole; the export records the model's fingerprint and ``briefing verify`` says when
the installed model is another one. With the real model: scores are probabilities, the
same on every read, and the build records them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.brief import relevance
from assistant.brief.build import build, reader_model
from assistant.brief.claims import BriefClaim, extract
from assistant.cli import app
from assistant.reader.model import MODEL_FILE, Reading
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from ingest.models import ArticleRef, Paragraph
from tests.conftest import FIXTURES
from vectorstore.models import Hit, Passage

TOPIC = "Marvian troops in Kestria"


class FakeModel:
    """Scores by the first word of the table found in the sentence; counts its reads."""

    def __init__(self, folder: Path, scores: dict[str, float]) -> None:
        self.model_dir = folder
        self.scores = scores
        self.read_pairs: list[tuple[str, str, str]] = []

    @property
    def available(self) -> bool:
        return True

    def read(self, question: str, candidates: list[tuple[str, str]]) -> list[Reading]:
        out = []
        for sentence, context in candidates:
            self.read_pairs.append((question, sentence, context))
            score = next((v for k, v in self.scores.items() if k in sentence), 0.0)
            out.append(Reading(score, 0, 0, 0.0))
        return out


def _claims(*articles: tuple[str, Sequence[str]]) -> list[BriefClaim]:
    hits = []
    for i, (title, sentences) in enumerate(articles):
        ref = ArticleRef(f"a{i}", title, f"Outlet {i}", f"h{i}", published_at="2025-04-01")
        text = " ".join(sentences)
        hits.append(Hit(Passage(ref, Paragraph(f"a{i}", 0, text, 0, len(text)))))
    return extract(hits, "")


def test_each_sentence_read_once_with_its_context(tmp_path: Path) -> None:
    claims = _claims(
        (
            "Kestria says Marvian troops crossed",
            [
                "The ministry said about 6,000 Marvian troops had crossed the border.",
                "Officials said 9,000 Marvian soldiers were inside Kestria.",
            ],
        )
    )
    model = FakeModel(tmp_path, {"6,000": 0.9, "9,000": 0.4})
    scored = relevance.score([*claims, *claims], TOPIC, model)  # twice: read once
    assert [c.relevance for c in scored] == [0.9, 0.4, 0.9, 0.4]
    assert len(model.read_pairs) == 2
    question, second, context = model.read_pairs[1]
    assert question == relevance.question(TOPIC) == f"What are the claims about {TOPIC}?"
    assert "9,000" in second
    assert context.startswith("Kestria says Marvian troops crossed.")  # the title, then ...
    assert "6,000" in context  # ... the sentence before it


@pytest.mark.parametrize(
    ("scores", "kept"),
    [
        ({"6,000": 0.9, "12,000": 0.01}, ["6,000", "9,000"]),  # the film article is left out
        ({"6,000": 0.01, "9,000": 0.3, "12,000": 0.5}, ["6,000", "9,000", "12,000"]),
        ({"6,000": 0.0, "9,000": 0.0, "12,000": 0.0}, []),
    ],
    ids=["an article off the topic", "one claim carries its article", "nothing on the topic"],
)
def test_articles_off_the_topic_are_left_out(
    tmp_path: Path, scores: dict[str, float], kept: list[str]
) -> None:
    claims = _claims(
        (
            "Kestria says Marvian troops crossed",
            [
                "The ministry said about 6,000 Marvian troops had crossed the border.",
                "Officials said 9,000 Marvian soldiers were inside Kestria.",
            ],
        ),
        ("Marvian film wins a prize", ["The festival jury said 12,000 tickets had been sold."]),
    )
    relevant = relevance.relevant(relevance.score(claims, TOPIC, FakeModel(tmp_path, scores)))
    assert [c.figures[0].value for c in relevant] == kept


def test_a_replaced_model_is_a_change_not_an_edit(tmp_path: Path) -> None:
    arts = tmp_path / "articles"
    shutil.copytree(FIXTURES / "briefing_story" / "articles", arts)
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["index", str(arts), "--data-dir", str(data)]).exit_code == 0
    exported = tmp_path / "brief.json"
    args = ["brief", "Dornet flood evacuations", "-f", "json", "-o", str(exported)]
    assert runner.invoke(app, [*args, "--data-dir", str(data)]).exit_code == 0
    doc = json.loads(exported.read_text())
    assert doc["relevance_model"] and all(c["relevance"] is not None for c in doc["claims"])
    ok = runner.invoke(app, ["verify", str(exported), "--data-dir", str(data)])
    assert ok.exit_code == 0, ok.output
    doc["relevance_model"] = "0" * 16  # scored by a model that is not the one installed
    exported.write_text(json.dumps(doc))
    changed = runner.invoke(app, ["verify", str(exported), "--data-dir", str(data)])
    lines = [line for line in changed.output.splitlines() if "relevance_model" in line]
    assert changed.exit_code == 1 and lines and "CHANGED" in lines[0], changed.output


def test_the_real_model_scores_claims(tmp_path: Path) -> None:
    assistant = BriefingAssistant(Settings(data_dir=tmp_path / "data", embedding_model="fake"))
    assert assistant.indexer().index([str(FIXTURES / "briefing_story" / "articles")]).new == 6
    model = reader_model(assistant)
    assert model is not None
    b = build(assistant, "Dornet flood evacuations", remember=False)
    assert b.relevance_model == relevance.fingerprint(model) != ""
    scores = [c.relevance for c in b.claims]
    assert scores and all(s is not None and 0.0 <= s <= 1.0 for s in scores)
    again = relevance.score(b.claims, "Dornet flood evacuations", model)
    assert [c.relevance for c in again] == scores  # a score never depends on the batch
    unscored = build(assistant, "Dornet flood evacuations", remember=False, model_scoring=False)
    assert unscored.relevance_model == "" and all(c.relevance is None for c in unscored.claims)
    assert (Path(model.model_dir) / MODEL_FILE).is_file()
    assistant.close()
