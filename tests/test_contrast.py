"""A question the best sentence contradicts: opposites, months, nations, figures in one place."""

import pytest

from assistant.contrast import contrast

CASES = [
    # opposites next to the same word
    (
        "Can the speaker increase speaking time?",
        "The speaker can reduce speaking time.",
        ("increase", "reduce"),
    ),
    (
        "What debates are closed to the public?",
        "Committee debates are open to the public.",
        ("closed", "open"),
    ),
    (
        "Where does the smallest party sit?",
        "The largest party sits in the middle.",
        ("smallest", "largest"),
    ),
    (
        "What are unreserved matters?",
        "Reserved matters stay with the capital.",
        ("unreserved", "reserved"),
    ),
    # a month, a numeral, a figure or a nation in the same place
    ("Who met on 12 March 1999?", "The council met on 12 May 1999.", ("march", "may")),
    ("What happens at Stage 2 of a bill?", "Stage 1 of a bill is the first reading.", ("2", "1")),
    ("When did Pope John Paul I travel?", "Pope John Paul II travelled in 1979.", ("i", "ii")),
    ("What did the US government decide?", "The UK government decided to wait.", ("usa", "uk")),
    (
        "Which French architect drew it?",
        "A Spanish architect drew the plans.",
        ("french", "spanish"),
    ),
    # two years, wherever they stand; opposites in any inflection; nations in two words
    (
        "What share of stations ran dry in 1973?",
        "By February 1974, 20% of stations ran dry.",
        ("1973", "1974"),
    ),
    (
        "Who disagrees with the timetable?",
        "The bureau must agree the timetable.",
        ("disagrees", "agree"),
    ),
    (
        "How many seats did the SNP give to Labour?",
        "The SNP will take 16 seats from Labour.",
        ("give", "take"),
    ),
    (
        "Was it passed by the United States Congress?",
        "It was passed by the United Kingdom Parliament.",
        ("usa", "uk"),
    ),
    # a count in words is a figure: "four" against "three", but "3" is "three"
    (
        "Built with four layers, how many did it gain?",
        "It was built with three layers.",
        ("4", "3"),
    ),
    ("It had 3 layers; how many layers later?", "It had three layers, later seven layers.", None),
    # the question negates what the sentence states plainly
    (
        "What did the court not acknowledge?",
        "The court quickly acknowledged the duty.",
        ("not", "acknowledg"),
    ),
    ("What did the court not acknowledge?", "The court has never acknowledged the duty.", None),
    ("Which towns were not hit?", "Two towns were hit, but Kherson was not hit.", None),
    # the asked word is in the sentence as well: no contrast
    ("Which party is the largest?", "The largest party, not the smallest, leads.", None),
    # another name of the same nation, or words apart
    ("Why did the US rely on imports?", "American refiners rely on imports.", None),
    ("Did costs increase last year?", "Costs fell while imports kept rising.", None),
    # a compass word inside a name is no opposite
    (
        "Who briefed NATO on the North Korean troops?",
        "A South Korean delegation briefed NATO.",
        None,
    ),
    # "may" is a month only beside a figure
    ("When might the talks resume in March?", "The talks may resume soon.", None),
    # the pronoun "us" is no country
    ("What did the UK tell us?", "The minister told us nothing.", None),
]


@pytest.mark.parametrize(("question", "sentence", "expected"), CASES)
def test_contrast(question, sentence, expected):
    assert contrast(question, sentence) == expected
