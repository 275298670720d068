"""The reader model: the shipped one ranks known pairs and scores each row on its own; the
training code runs end to end (examples → training → int8 export → reading) on a tiny slice
of QA data in the shared sets' formats, written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.reader.model import MODEL_DIR, ReaderModel
from assistant.settings import Settings

THRESHOLD = Settings.model_fields["reader_threshold"].default
QUESTION = "Which broadcaster reported the desertion of the soldiers?"
ANSWERS = (
    "The soldiers deserted their posts near the border, the public broadcaster Suspilne "
    "reported on Tuesday.",
    "North Korea. Some 18 soldiers are believed to have deserted.",
)
OTHERS = [
    ("The treaty was signed in Pyongyang in June after a two-day visit.", "Treaty talks."),
    ("Oil prices rose by four percent on Monday as markets reopened.", "Markets."),
    ("The museum reopened its east wing after two years of repairs.", ""),
]


def test_the_shipped_model_is_in_place_and_small():
    model = ReaderModel()
    assert model.available
    assert (MODEL_DIR / "reader-int8.onnx").stat().st_size < 30_000_000
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()
    card = json.loads((MODEL_DIR / "validation.json").read_text())
    assert card["all"]["select_at_1"] > 0.6  # the figures the card reports are this model's


def test_the_shipped_model_ranks_the_answering_sentence_first_and_finds_its_span():
    readings = ReaderModel().read(QUESTION, [ANSWERS, *OTHERS])
    best = max(range(len(readings)), key=lambda i: readings[i].score)
    assert best == 0
    assert readings[0].score >= THRESHOLD
    assert all(r.score < THRESHOLD for r in readings[1:])
    span = ANSWERS[0][readings[0].span_start : readings[0].span_end]
    assert "Suspilne" in span and len(span) < 40


def test_a_score_does_not_depend_on_what_else_is_read():
    model = ReaderModel()
    alone = model.read(QUESTION, [ANSWERS])[0]
    among = model.read(QUESTION, [*OTHERS, ANSWERS])[-1]
    assert alone == among


def _tiny_data(root: Path) -> None:
    """A few questions in each shared set's own format (../shared/data/README.md)."""
    qa = root / "qa"
    paragraphs = []
    for i in range(12):
        context = (
            f"The harbour of Port {i} was opened in {1900 + i}. "
            f"Its first master was Captain Lind {i}. Ships from the north arrive in spring."
        )
        start = context.index(f"{1900 + i}")
        name = context.index(f"Captain Lind {i}")
        qas = [
            {
                "id": f"q{i}a",
                "question": f"When was the harbour of Port {i} opened?",
                "answers": [{"text": str(1900 + i), "answer_start": start}],
            },
            {
                "id": f"q{i}b",
                "question": f"Who was the first master of Port {i}?",
                "answers": [{"text": f"Captain Lind {i}", "answer_start": name}],
            },
        ]
        paragraphs.append({"title": f"Port_{i}", "paragraphs": [{"context": context, "qas": qas}]})
    for name in ("new_wiki", "reddit", "amazon_reviews"):
        (qa / "squadshifts").mkdir(parents=True, exist_ok=True)
        (qa / "squadshifts" / f"{name}_v1.0.json").write_text(json.dumps({"data": paragraphs}))
    tweets = [
        {
            "Question": f"who opened bridge {i}?",
            "Answer": [f"mayor ada {i}"],
            "Tweet": f"Mayor Ada {i} opened bridge {i} today. Traffic is slow.",
            "qid": f"t{i}",
        }
        for i in range(8)
    ]
    (qa / "tweetqa").mkdir(parents=True)
    for name in ("train", "dev"):
        (qa / "tweetqa" / f"{name}.json").write_text(json.dumps(tweets))
    sel = [
        {
            "question": f"Where is museum {i}?",
            "article": f"Museum {i}",
            "section": "Site",
            "candidates": [f"Museum {i} is in the old town.", "It opened in 1990."],
            "answers": [0],
        }
        for i in range(6)
    ]
    (qa / "selqa").mkdir(parents=True)
    for name in ("dev", "test"):
        (qa / "selqa" / f"selqa-ass-{name}.json").write_text(json.dumps(sel))


@pytest.mark.integration
def test_training_runs_end_to_end_on_a_tiny_slice(tmp_path: Path):
    from assistant.reader.training.__main__ import main

    _tiny_data(tmp_path / "data")
    out = tmp_path / "model"
    code = main(
        [
            "--data",
            str(tmp_path / "data"),
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
            "--tiny",
        ]
    )
    assert code == 0
    log = json.loads((tmp_path / "work" / "train_log.json").read_text())
    assert log["examples_seen"] == log["examples"] > 0
    assert set(log["pairs_by_kind"]) >= {"positive", "hard", "retrieved"}
    figures = json.loads((out / "validation.json").read_text())
    assert figures["all"]["questions"] > 0 and 0.0 <= figures["all"]["select_at_1"] <= 1.0
    assert "Validation" in (out / "MODEL_CARD.md").read_text()
    readings = ReaderModel(out).read("When was the harbour opened?", [ANSWERS, *OTHERS])
    assert len(readings) == 4 and all(0.0 <= r.score <= 1.0 for r in readings)


def test_the_split_is_by_document_and_stable(tmp_path: Path):
    from assistant.reader.training import data

    _tiny_data(tmp_path)
    questions = data.load(tmp_path)
    train, val = data.split(questions, share=0.3, seed=13)
    assert train and val
    assert not {(q.source, q.doc) for q in train} & {(q.source, q.doc) for q in val}
    again, _ = data.split(data.load(tmp_path), share=0.3, seed=13)
    assert [q.qid for q in again] == [q.qid for q in train]


def test_examples_hold_each_kind_and_positive_spans_point_at_the_answer(tmp_path: Path):
    from assistant.reader.training import data

    _tiny_data(tmp_path)
    questions = [q for q in data.load(tmp_path) if q.source == "new_wiki"]
    found = data.examples(questions, data.Mix(hard=1, retrieved=2, swapped=1.0), seed=1)
    kinds = {e.kind for e in found}
    assert {"positive", "hard", "retrieved", "swapped"} <= kinds
    for e in found:
        if e.kind == "positive" and e.span is not None:
            assert e.candidate[e.span[0] : e.span[1]] in {
                a for q in questions if q.qid == e.qid for a in q.answers
            }
        if e.kind != "positive":
            assert e.label == 0
