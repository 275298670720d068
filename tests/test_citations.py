import pytest

from assistant.citations import markers, problems, strip_invalid
from assistant.models import Answer, Citation
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage

HIT = Passage(
    ArticleRef("a", "T", "S", "h"), Paragraph("a", 0, "Alpha said yes. Beta denied it.", 0, 31)
)


def cite(n: int, start: int = 0, end: int = 15) -> Citation:
    return Citation(n, HIT, HIT.text[start:end], start, end)


@pytest.mark.parametrize(
    ("text", "valid", "expected_text", "removed"),
    [
        ("Yes [1].", {1}, "Yes [1].", []),
        ("Yes [1][2].", {1}, "Yes [1].", [2]),
        ("Yes [7] and no [1].", {1}, "Yes and no [1].", [7]),
        ("Invented [0] [99].", set(), "Invented.", [0, 99]),
        ("No markers.", {1}, "No markers.", []),
        ("[3] leads.", {3}, "[3] leads.", []),
    ],
)
def test_strip_invalid_markers(
    text: str, valid: set[int], expected_text: str, removed: list[int]
) -> None:
    assert strip_invalid(text, valid) == (expected_text, removed)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer("q", "Alpha said yes. [1]", (cite(1),)), []),
        (
            Answer("q", "Alpha said yes. [2]", (cite(1),)),
            ["marker [2] has no citation", "citation [1] is not referenced in the answer"],
        ),
        (
            Answer("q", "x [1]", (Citation(1, HIT, "Alpha said no.", 0, 14),)),
            ["citation [1] quote is not at its offsets in the paragraph"],
        ),
        (Answer("q", "Beta denied it. [1]", (cite(1, 16, 31),)), []),
    ],
)
def test_problems(answer: Answer, expected: list[str]) -> None:
    assert problems(answer) == expected


def test_markers_in_order() -> None:
    assert markers("a [2] b [10][1]") == [2, 10, 1]


# -- statements, support and lead-ins -------------------------------------------------------
from assistant.citations import (  # noqa: E402
    Statement,
    citation_checks,
    lead_in_problems,
    numbers_in,
    split_lead_in,
    statements,
    supports,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One [1]. Two [2][3]", [Statement("One", (1,)), Statement("Two", (2, 3))]),
        ("One. [1] Two. [2]", [Statement("One.", (1,)), Statement("Two.", (2,))]),
        (
            "Cited [1] and uncited tail.",
            [Statement("Cited", (1,)), Statement("and uncited tail.", ())],
        ),
        ("No markers at all.", [Statement("No markers at all.", ())]),
    ],
)
def test_statements(text: str, expected: list[Statement]) -> None:
    assert statements(text) == expected


@pytest.mark.parametrize(
    ("source", "sentence", "ok"),
    [
        ("Alpha said that 10,000 troops left.", "Alpha said that 10,000 troops left.", True),
        ("Alpha said that 10,000 troops left.", "alpha  said that 10,000 troops left", True),
        ("Alpha said that 10,000 troops left.", "Alpha said 10,000 troops had left.", True),
        ("Alpha said that 10,000 troops left.", "Alpha said 12,000 troops left.", False),
        ("Alpha said that ten thousand troops left.", "Alpha said a million troops left.", False),
        ("Alpha said that 10,000 troops left.", "Alpha said no troops left.", False),
        ("Alpha said that 10,000 troops left.", "Beta denied everything yesterday.", False),
        ("The word HACKED appears here.", "HACKED.", False),
    ],
)
def test_supports(source: str, sentence: str, ok: bool) -> None:
    assert supports(source, sentence) is ok


def test_numbers_in() -> None:
    assert numbers_in("About 10,000 soldiers, 1.5 million shells and twelve tanks.") == {
        "10000",
        "1.5",
        "million",
        "twelve",
    }


def test_lead_in_is_split_off_and_checked_against_metadata() -> None:
    c = cite(1)
    lead, claim = split_lead_in("Stated by Alpha (S, undated): Alpha said yes.", [c])
    assert (lead, claim) == ("Stated by Alpha (S, undated)", "Alpha said yes.")
    assert lead_in_problems(lead, [c]) == []
    assert lead_in_problems("Confirmed by Gamma (S, undated)", [c]) == [
        "lead-in word 'gamma' is in none of the cited paragraphs or their metadata"
    ]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Alpha said yes. [1]", [True]),
        ("Stated by Alpha (S, undated): Alpha said yes. [1]", [True]),
        ("Confirmed by Omega (S, undated): Alpha said yes. [1]", [False]),
        ("Beta denied it. [1]", [False]),  # the quote does not support the sentence
    ],
)
def test_citation_checks(text: str, ok: list[bool]) -> None:
    answer = Answer("q", text, (cite(1),))
    assert [r[2] for r in citation_checks(answer)] == ok
