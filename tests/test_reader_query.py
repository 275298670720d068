"""The question read once: the dates and the outlet it names become filters, said in words."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.backends.base import Turn
from assistant.conversations import HistoryTurn
from assistant.reader.query import merged, read, scope_of
from vectorstore.filters import Filters

OUTLETS = ["Reuters", "Kyiv Ledger", "AP"]
LATEST = dt.date(2024, 11, 20)
D = dt.date

# (question, since, until, sources)
SCOPES = [
    ("What happened since 2 November?", D(2024, 11, 2), None, ()),
    ("What has changed since November 2?", D(2024, 11, 2), None, ()),
    ("Any news after 2 November 2024?", D(2024, 11, 3), None, ()),
    ("What was known before 2024-11-01?", None, D(2024, 10, 31), ()),
    ("What was reported until Oct. 28?", None, D(2024, 10, 28), ()),
    # a month later than the newest article's is last year's
    ("What happened since December 3?", D(2023, 12, 3), None, ()),
    ("Since March 2023, who denied it?", D(2023, 3, 1), None, ()),
    ("Who confirmed it, according to Reuters?", None, None, ("Reuters",)),
    ("What did the Kyiv Ledger report since 1 November?", D(2024, 11, 1), None, ("Kyiv Ledger",)),
]
# no filter: the date says when a thing happened, not which articles to read
UNSCOPED = [
    "When did the raid take place?",
    "What happened on 2 November?",
    "What did they say in November?",
    "Where did the troops come from?",
    "What happened from marketing's point of view?",
    "Who made the maps?",  # "AP" is no word of "maps"
]


@pytest.mark.parametrize(("question", "since", "until", "sources"), SCOPES)
def test_a_date_or_outlet_in_the_question_is_a_filter(question, since, until, sources):
    scope = scope_of(question, OUTLETS, LATEST)
    assert scope is not None
    assert scope.filters == Filters(sources=sources, since=since, until=until)
    assert scope.said.startswith("Only articles ") and scope.said.endswith("as the question asks.")


@pytest.mark.parametrize("question", UNSCOPED)
def test_other_dates_and_words_are_no_filter(question):
    assert scope_of(question, OUTLETS, LATEST) is None


def test_dates_are_no_filter_over_an_undated_corpus():
    assert scope_of("What happened since 2 November?", OUTLETS, None) is None


def test_the_analysts_own_filters_win_field_by_field():
    scope = scope_of("Who confirmed it according to Reuters since 2 November?", OUTLETS, LATEST)
    mine = Filters(sources=("AP",))
    assert merged(mine, scope) == Filters(sources=("AP",), since=D(2024, 11, 2))
    assert merged(None, None) is None


def test_a_followup_is_read_with_its_subject_and_the_answer_it_follows():
    history: list[Turn] = [
        HistoryTurn("How many North Korean soldiers deserted?", "About 18 soldiers [1]")
    ]
    query = read("Who reported it?", history)
    assert query.asked == "Who reported it?"
    assert query.is_followup and "deserted" in query.text
    assert query.said == "About 18 soldiers [1]"
    assert query.question.kind == "who"
    alone = read("Who reported the desertions?", history)
    assert not alone.is_followup and alone.said == ""
