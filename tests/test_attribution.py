"""Who said it and how firmly: spaCy's parse of invented news sentences."""

import pytest

from assistant.attribution import attribute, label, question_stance
from assistant.models import Stance


@pytest.mark.parametrize(
    ("sentence", "speaker", "stance"),
    [
        # confirmed
        (
            "Navy spokesperson Dana Whitlow confirmed on Tuesday that 400 sailors had been "
            "moved to the northern base.",
            "Navy spokesperson Dana Whitlow",
            Stance.CONFIRMED,
        ),
        (
            "The ministry acknowledged that the shipment had arrived.",
            "The ministry",
            Stance.CONFIRMED,
        ),
        (
            "The transfer was confirmed by the port authority on Monday.",
            "the port authority",
            Stance.CONFIRMED,
        ),
        # judged likely: said, but only as a likelihood
        (
            "Defence minister Ana Ruiz said a second deployment was highly likely.",
            "Defence minister Ana Ruiz",
            Stance.LIKELY,
        ),
        # asserted
        (
            "Mayor Ilse Brandt said the bridge would reopen in March.",
            "Mayor Ilse Brandt",
            Stance.ASSERTED,
        ),
        (
            "According to the coast guard, the vessel sank within minutes.",
            "the coast guard",
            Stance.ASSERTED,
        ),
        (
            "The agency estimated that up to 3,000 workers could lose their jobs.",
            "The agency",
            Stance.ASSERTED,
        ),
        # alleged (claimed, accused)
        (
            "Opposition leader Marta Quell claimed that 2,000 ballots had gone missing.",
            "Opposition leader Marta Quell",
            Stance.ALLEGED,
        ),
        ("The union accused the company of hiding its losses.", "The union", Stance.ALLEGED),
        # denied
        ("The company denied that any data had been lost.", "The company", Stance.DENIED),
        (
            "Governor Paul Ostrander dismissed the reports as fake.",
            "Governor Paul Ostrander",
            Stance.DENIED,
        ),
        (
            "A palace spokesman brushed the rumours aside on Friday.",
            "A palace spokesman",
            Stance.DENIED,
        ),
        ("Minister Rhee called the allegations baseless.", "Minister Rhee", Stance.DENIED),
        # conditional ("if true")
        (
            "Senator Alvarez said that if the reports were true, the treaty would be void.",
            "Senator Alvarez",
            Stance.CONDITIONAL,
        ),
        (
            "The embassy said that any such sale, if it existed, would be legal.",
            "The embassy",
            Stance.CONDITIONAL,
        ),
        # unattributed
        ("The bridge was closed for repairs in 2019.", None, Stance.UNATTRIBUTED),
    ],
)
def test_stance_and_speaker(sentence: str, speaker: str | None, stance: str) -> None:
    claim = attribute(sentence)
    assert (claim.speaker, claim.stance) == (speaker, stance)


def test_a_conditional_that_is_not_about_truth_is_not_conditional() -> None:
    claim = attribute("The minister said the pact obliges each side to help if it is attacked.")
    assert claim.stance == Stance.ASSERTED


@pytest.mark.parametrize(
    ("sentence", "stance", "text"),
    [
        ("The council has not confirmed any of the figures.", Stance.ALLEGED, "Not confirmed by"),
        (
            "President Ruiz did not deny that troops had crossed the border.",
            Stance.ASSERTED,
            "Not denied by",
        ),
        ("President Ruiz declined to deny the reports.", Stance.ASSERTED, "Not denied by"),
        ("Neither government has acknowledged the deal.", Stance.ALLEGED, "Not confirmed by"),
    ],
)
def test_negated_reporting_verbs(sentence: str, stance: str, text: str) -> None:
    claim = attribute(sentence)
    assert claim.negated
    assert claim.stance == stance
    assert label(claim) == text


def test_pronoun_speaker_is_resolved_from_the_paragraph() -> None:
    paragraph = (
        "Fisheries commissioner Lena Vogt spoke in Oslo on Monday. "
        "She said that catches had fallen by a third."
    )
    start = paragraph.index("She")
    claim = attribute(paragraph, start, len(paragraph))
    assert claim.speaker == "Fisheries commissioner Lena Vogt"
    assert claim.stance == Stance.ASSERTED


def test_a_report_the_paragraph_calls_unverified_is_only_alleged() -> None:
    paragraph = (
        "About 40 miners were trapped, a regional broadcaster reported. "
        "The report has not been independently confirmed."
    )
    end = paragraph.index(" The report")
    claim = attribute(paragraph, 0, end)
    assert claim.stance == Stance.ALLEGED
    assert claim.speaker == "a regional broadcaster"


@pytest.mark.parametrize(
    ("question", "stance"),
    [
        ("Who confirmed the troop numbers?", Stance.CONFIRMED),
        ("Who denied the reports?", Stance.DENIED),
        ("Which official claimed 10,000 soldiers were sent?", Stance.ALLEGED),
        ("How many soldiers were sent?", None),
        ("When did the embargo begin?", None),
    ],
)
def test_question_stance(question: str, stance: str | None) -> None:
    assert question_stance(question) == stance
