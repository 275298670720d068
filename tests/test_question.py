"""Question analysis: the kind of question, the answer type it expects, the stance asked."""

import pytest

from assistant.question import AnswerType, analyse

CASES = [
    ("Who confirmed the troop numbers?", "stance", AnswerType.STANCE, "confirmed"),
    ("And who denied it?", "stance", AnswerType.STANCE, "denied"),
    ("Which officials claimed 10,000 troops were sent?", "stance", AnswerType.STANCE, "alleged"),
    # a qualified agent noun asks who; a kind or a list of them does not
    ("Which Ukrainian outlet first reported the desertions?", "who", AnswerType.AGENT, None),
    ("What type of company is Van Gend en Loos?", "what", AnswerType.THING, None),
    ("What has the court required of member states?", "what", AnswerType.THING, None),
    # what someone claimed is the claim itself, not a list of who claimed
    ("What did Zelensky claim?", "what", AnswerType.THING, "alleged"),
    ("Who reported the desertion?", "who", AnswerType.AGENT, None),
    ("Which agency estimated the total?", "who", AnswerType.AGENT, None),
    ("When did Putin sign the treaty?", "when", AnswerType.DATE, None),
    ("In what year did the crisis start?", "when", AnswerType.DATE, None),
    ("Where were the troops deployed?", "where", AnswerType.PLACE, None),
    ("Which region did the soldiers reach?", "where", AnswerType.PLACE, None),
    ("How many soldiers deserted?", "how_many", AnswerType.NUMBER, None),
    ("What percentage of oil was imported?", "how_many", AnswerType.NUMBER, None),
    ("Did Moscow admit receiving weapons?", "yes_no", AnswerType.POLARITY, "confirmed"),
    ("Is the desertion report verified?", "yes_no", AnswerType.POLARITY, "confirmed"),
    ("Has the Kremlin commented?", "yes_no", AnswerType.POLARITY, None),
    ("Why is the general worried?", "why", AnswerType.REASON, None),
    ("How would North Korea use the combat experience?", "how", AnswerType.MANNER, None),
    (
        "How did the estimates change between October and November?",
        "change",
        AnswerType.CHANGE,
        None,
    ),
    ("How did Kyiv and Moscow describe the deployment?", "comparison", AnswerType.COMPARISON, None),
    ("What did Peskov call the reports?", "what", AnswerType.THING, None),
]


@pytest.mark.parametrize(("question", "kind", "answer_type", "stance"), CASES)
def test_kind_type_and_stance(question, kind, answer_type, stance):
    q = analyse(question)
    assert (q.kind, q.answer_type, q.stance) == (kind, answer_type, stance)


def test_negated_question():
    assert analyse("Which country was not hit?").negated
    assert not analyse("Which country was hit?").negated


def test_labels_follow_the_type():
    assert "GPE" in analyse("Where did they go?").labels
    assert "PERSON" in analyse("Who said it?").labels
    assert analyse("Why did they go?").labels == frozenset()
