"""Issue #26 case 8: briefing attributions that say the opposite. A report the sentence
calls untrue ("It is false that Pyongyang denied ...") is no denial by Pyongyang; a report
inside a report ("Peskov said he never denied that ...") is the inner report, with its
negation; a figure is read whole ("1e9", "-5,000", "1.2 million", ranges) and a figure the
sentence calls untrue is no figure it states. Tables: the attribution (shared with the
answers), the figures, the briefing's claims, and the conflicts they make or do not make."""

from __future__ import annotations

import pytest

from assistant import attribution
from assistant.brief import figures as figs
from assistant.brief.analysis import conflicts, group
from assistant.brief.claims import BriefClaim, extract
from assistant.models import Stance
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Hit, Passage

TOPIC = "troops"

# (sentence, speaker, verb, stance, negated, label)
ATTRIBUTIONS = [
    # a report the sentence calls untrue is a report negated
    (
        "It is false that Pyongyang denied sending troops to Russia.",
        "Pyongyang",
        "deny",
        Stance.ASSERTED,
        True,
        "Not denied by",
    ),
    (
        "It is not true that the ministry denied the reports.",
        "the ministry",
        "deny",
        Stance.ASSERTED,
        True,
        "Not denied by",
    ),
    (
        "It is false that the Pentagon confirmed the deployment.",
        "the Pentagon",
        "confirm",
        Stance.ALLEGED,
        True,
        "Not confirmed by",
    ),
    # ... and one called true, or not untrue, stays what it was
    (
        "It is true that Pyongyang denied sending troops to Russia.",
        "Pyongyang",
        "deny",
        Stance.DENIED,
        False,
        "Denied by",
    ),
    (
        "It is not false that Pyongyang denied sending troops to Russia.",
        "Pyongyang",
        "deny",
        Stance.DENIED,
        False,
        "Denied by",
    ),
    # a report inside a report: the speaker's own report, negated or not
    (
        "Peskov said he never denied that 10,000,000,000,000 troops had been sent.",
        "Peskov",
        "deny",
        Stance.ASSERTED,
        True,
        "Not denied by",
    ),
    (
        "Peskov said he had denied that 10,000 troops had been sent.",
        "Peskov",
        "deny",
        Stance.DENIED,
        False,
        "Denied by",
    ),
    (
        "Peskov said he had confirmed that 10,000 troops had been sent.",
        "Peskov",
        "confirm",
        Stance.CONFIRMED,
        False,
        "Confirmed by",
    ),
    # another's denial, or another's report negated, is theirs, with its polarity
    (
        "Kyiv said Pyongyang never denied sending troops to Russia.",
        "Pyongyang",
        "deny",
        Stance.ASSERTED,
        True,
        "Not denied by",
    ),
    (
        "The ministry said the governor denied that 20,000 residents had fled.",
        "the governor",
        "deny",
        Stance.DENIED,
        False,
        "Denied by",
    ),
    # unchanged: another's plain report is the reporter's statement; a report to be made
    # ("must state") reports nothing yet
    (
        "The ministry said the governor confirmed that 20,000 residents had fled.",
        "The ministry",
        "say",
        Stance.ASSERTED,
        False,
        "Stated by",
    ),
    (
        "The assistant must state that the Pentagon denied everything.",
        "The assistant",
        "state",
        Stance.ASSERTED,
        False,
        "Stated by",
    ),
    (
        "President Ruiz did not deny that troops had crossed the border.",
        "President Ruiz",
        "deny",
        Stance.ASSERTED,
        True,
        "Not denied by",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "speaker", "verb", "stance", "negated", "label"),
    ATTRIBUTIONS,
    ids=[a[0][:48] for a in ATTRIBUTIONS],
)
def test_attribution_keeps_the_polarity_of_negated_and_embedded_reports(
    sentence: str, speaker: str, verb: str, stance: Stance, negated: bool, label: str
) -> None:
    claim = attribution.attribute(sentence)
    assert (claim.speaker, claim.verb, claim.stance, claim.negated) == (
        speaker,
        verb,
        stance,
        negated,
    )
    assert attribution.label(claim) == label


# (sentence, [(low, high, counted, as written)])
FIGURES = [
    (
        "The ministry said 1e9 troops and -5,000 soldiers had been moved to the border.",
        [(1e9, 1e9, "troops", "1e9"), (-5000, -5000, "troops", "-5,000")],
    ),
    (
        "The agency counted 1.5E6 people and \u22122,500 soldiers.",
        [(1.5e6, 1.5e6, "people", "1.5E6"), (-2500, -2500, "troops", "\u22122,500")],
    ),
    (
        "The ministry said 1.2 million residents had been evacuated.",
        [(1.2e6, 1.2e6, "people", "1.2 million")],
    ),
    (
        "Officials said between 11,000 and 12,000 residents had left.",
        [(11000, 12000, "people", "between 11,000 and 12,000")],
    ),
    (
        "Officials said 11,000-12,000 residents had left.",
        [(11000, 12000, "people", "11,000-12,000")],
    ),
    (
        "Peskov said he never denied that 10,000,000,000,000 troops had been sent.",
        [(1e13, 1e13, "troops", "10,000,000,000,000")],
    ),
    ("A figure of 1e999 troops was reported.", []),  # no figure, and not "1"
    ("It is false that 20,000 residents fled the city.", []),  # called untrue: not stated
    (
        "It is true that 20,000 residents fled the city.",
        [(20000, 20000, "people", "20,000")],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), FIGURES, ids=[f[0][:48] for f in FIGURES])
def test_figures_are_read_whole(
    sentence: str, expected: list[tuple[float, float, str, str]]
) -> None:
    found = figs.figures(attribution.parsed(sentence), 0, len(sentence))
    assert [(f.low, f.high, f.counted, f.text) for f in found] == expected


def _claims(*texts: str) -> list[BriefClaim]:
    """The briefing claims of one-sentence articles on the topic, one outlet each."""
    hits = []
    for i, text in enumerate(texts):
        date = f"2025-03-0{i + 1}"
        ref = ArticleRef(f"a{i}", f"Troops report {i}", f"Outlet {i}", f"h{i}", published_at=date)
        hits.append(Hit(Passage(ref, Paragraph(f"a{i}", 0, text, 0, len(text)))))
    return extract(hits, TOPIC)


# (sentence, (speaker, stance, polarity) of its claim, or None for no claim)
CLAIMS = [
    (
        "It is false that Pyongyang denied sending troops to Russia.",
        ("Pyongyang", "not_denied", "if"),
    ),
    (
        "Peskov said he never denied that 10,000,000,000,000 troops had been sent.",
        ("Peskov", "not_denied", "if"),
    ),
    ("Pyongyang denied sending troops to Russia.", ("Pyongyang", "denied", "against")),
    ("Seoul said Pyongyang had sent 8,000 troops to Russia.", ("Seoul", "asserted", "for")),
    ("It is false that 20,000 troops were sent to Russia.", None),
]


@pytest.mark.parametrize(("sentence", "expected"), CLAIMS, ids=[c[0][:48] for c in CLAIMS])
def test_briefing_claims_keep_their_polarity(
    sentence: str, expected: tuple[str, str, str] | None
) -> None:
    found = [(c.speaker, c.stance, c.polarity) for c in _claims(sentence)]
    assert found == ([expected] if expected else [])


# (case, articles' sentences, kinds of conflict found)
CONFLICTS = [
    (
        "a figure not denied is no figure claimed",
        [
            "Peskov said he never denied that 10,000,000,000,000 troops had been sent.",
            "The ministry said 8,000 troops had been sent to Russia.",
        ],
        [],
    ),
    (
        "a denial called false denies nothing",
        [
            "It is false that Pyongyang denied sending troops to Russia.",
            "Seoul said Pyongyang had sent troops to Russia.",
        ],
        [],
    ),
    (
        "a figure called false is no figure",
        [
            "It is false that 20,000 troops were sent to Russia.",
            "The ministry said 8,000 troops had been sent to Russia.",
        ],
        [],
    ),
    (
        "a figure read whole: a billion against five thousand",
        [
            "The ministry said 1e9 troops had been sent to Russia.",
            "Seoul said 5,000 troops had been sent to Russia.",
        ],
        ["figure"],
    ),
    (
        "the same denial, plainly made, still opposes the claim",
        [
            "Pyongyang denied sending troops to Russia.",
            "Seoul said Pyongyang had sent troops to Russia.",
        ],
        ["stance"],
    ),
]


@pytest.mark.parametrize(
    ("texts", "kinds"), [c[1:] for c in CONFLICTS], ids=[c[0] for c in CONFLICTS]
)
def test_conflicts_follow_polarity_and_whole_figures(texts: list[str], kinds: list[str]) -> None:
    claims = _claims(*texts)
    found = conflicts(claims, group(claims), TOPIC)
    assert [x.kind for x in found] == kinds
    for x in found:
        if x.kind == "figure":
            values = [g.head.figure.value for g in x.sides if g.head.figure]
            assert values == ["5,000", "1,000,000,000"]
