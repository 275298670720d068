"""Each reader check on its own table: (question, evidence sentences, fires?). The evidence's
first sentence is the one the lead would cite. No model is needed: a check reads the
question, the sentences and the lead only."""

from __future__ import annotations

import pytest

from assistant.reader.checks import Evidence, registry
from assistant.reader.checks import evidence_checks as checks
from assistant.reader.evidence import Scored
from assistant.reader.lead import Lead, LeadPart
from assistant.reader.query import read
from assistant.sentences import Sentence
from tests.test_answers import para


def evidence(question: str, texts: list[str]) -> Evidence:
    hits = [para(f"a{i}", t, "Outlet", "2024-11-01") for i, t in enumerate(texts)]
    scored = [
        Scored(Sentence(h, i, 0, len(h.text)), score=0.9 - 0.1 * i) for i, h in enumerate(hits)
    ]
    lead = Lead((LeadPart("", scored[0].sentence.text, "", scored[0]),))
    return Evidence(read(question), scored, lead, hits)


TABLES = {
    "names_missing": [
        ("What did China say about the troops?", ["Moscow said the troops were there."], True),
        ("What did Moscow say about the troops?", ["Moscow said the troops were there."], False),
        # a slip of one letter in a long name is the same name
        ("What did Zelenskyy say?", ["Zelenskiy said the troops were there."], False),
        # an acronym the evidence spells out
        ("What did the NIS report?", ["The National Intelligence Service said so."], False),
    ],
    "lead_figures_missing": [
        ("Was the engine developed in 1995?", ["The engine was developed in 1985."], True),
        ("Was the engine developed in 1985?", ["The engine was developed in 1985."], False),
        ("What did Blinken say since 1 November?", ["Blinken said troops were in Kursk."], False),
    ],
}
FUNCTIONS = {c.name: c.fires for c in registry()}


def test_every_check_has_a_table_and_a_reason():
    assert set(TABLES) == set(FUNCTIONS)
    for check in registry():
        assert check.reason.strip() and check.name.isidentifier()


@pytest.mark.parametrize(
    ("name", "question", "texts", "fires"),
    [(name, q, t, f) for name, rows in TABLES.items() for q, t, f in rows],
)
def test_check_table(name, question, texts, fires):
    assert (FUNCTIONS[name](evidence(question, texts)) is not None) == fires


def test_a_fired_check_says_what_it_found():
    check = next(c for c in registry() if c.name == "names_missing")
    reason = check.run(evidence("What did China say?", ["Moscow said so."]))
    assert reason == "No retrieved article mentions China."
    assert registry() == checks.CHECKS
