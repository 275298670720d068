import pytest

from assistant.citations import markers, problems, strip_invalid
from assistant.models import Answer, Citation
from vectorstore.models import Hit

HIT = Hit("a:0", "a", 0, "Alpha said yes. Beta denied it.", 0, 31, "T", "S", None, None, None, "h")


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
def test_strip_invalid_markers(text: str, valid: set[int], expected_text: str, removed: list[int]) -> None:
    assert strip_invalid(text, valid) == (expected_text, removed)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer("q", "Alpha said yes. [1]", (cite(1),)), []),
        (Answer("q", "Alpha said yes. [2]", (cite(1),)),
         ["marker [2] has no citation", "citation [1] is not referenced in the answer"]),
        (Answer("q", "x [1]", (Citation(1, HIT, "Alpha said no.", 0, 14),)),
         ["citation [1] quote is not at its offsets in the paragraph"]),
        (Answer("q", "Beta denied it. [1]", (cite(1, 16, 31),)), []),
    ],
)
def test_problems(answer: Answer, expected: list[str]) -> None:
    assert problems(answer) == expected


def test_markers_in_order() -> None:
    assert markers("a [2] b [10][1]") == [2, 10, 1]
