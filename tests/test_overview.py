"""The corpus overview of the landing page (assistant/overview.py): counts, days, entities
from the real spaCy pipeline, example questions, its cache per index version, and the
messages for filters that match no article."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import overview as ov
from vectorstore.filters import Filters
from vectorstore.manifest import ManifestEntry

LEADS = {
    "a1": "Dock strike spreads in Germany\n\nGerman transport minister Helen Carter said on "
    "Monday that the port of Hamburg in Germany would stay open during the strike.",
    "a2": "Ferries run late in the Netherlands\n\nThe European Commission confirmed on "
    "Tuesday that ferries to the Netherlands ran late. Helen Carter said talks would resume "
    "in Berlin.",
    "a3": "Grain ships wait outside Hamburg\n\nThe minister, Helen Carter, told reporters in "
    "Berlin that grain ships waited outside Hamburg. The European Commission said it was "
    "watching.",
}


def entry(
    article_id: str, source: str, day: str | None, paragraphs: int = 3, state: str = "done"
) -> ManifestEntry:
    return ManifestEntry(
        id=article_id,
        content_hash=f"hash-{article_id}",
        title=LEADS.get(article_id, article_id).split("\n")[0],
        source=source,
        url=None,
        published_at=day,
        author=None,
        paragraphs=paragraphs,
        indexed_at="2024-05-01T00:00:00",
        state=state,
    )


ENTRIES = [
    entry("a1", "Coast Courier", "2024-05-02"),
    entry("a2", "Coast Courier", "2024-05-02T09:00:00"),
    entry("a3", "Inland Post", "2024-05-04"),
    entry("a4", "Inland Post", None, paragraphs=2),
    entry("a5", "Gone Gazette", "2024-05-09", state="pending"),  # not finished: not counted
]


class Leads:
    """lead_texts for the cache, counting which articles it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, missing: Sequence[ManifestEntry]) -> dict[str, str]:
        self.asked += [e.id for e in missing]
        return {e.id: LEADS.get(e.id, e.title) for e in missing}


def test_overview_counts_days_entities_and_questions(tmp_path: Path) -> None:
    got = ov.OverviewCache(tmp_path).get(ENTRIES, Leads())
    assert (got.articles, got.paragraphs, got.undated) == (4, 11, 1)
    assert got.outlets == (ov.Count("Coast Courier", 2), ov.Count("Inland Post", 2))
    assert (got.first_day, got.last_day) == ("2024-05-02", "2024-05-04")
    assert got.per_day == (ov.Count("2024-05-02", 2), ov.Count("2024-05-04", 1))
    # Counted once per article, however often named in it.
    assert got.people[0] == ov.Count("Helen Carter", 3)
    assert ov.Count("Hamburg", 2) in got.places and ov.Count("Berlin", 2) in got.places
    assert got.organisations[0] == ov.Count("European Commission", 2)
    # What the most quoted said, about a place named beside them.
    assert got.questions[:2] == (
        "What did Helen Carter say about Berlin?",
        "What did the European Commission confirm about Berlin?",
    )


def test_questions_are_only_those_the_assistant_answers(tmp_path: Path) -> None:
    got = ov.OverviewCache(tmp_path).get(ENTRIES, Leads(), answered=lambda q: "Carter" not in q)
    assert got.questions and all("Carter" not in q for q in got.questions)


def test_overview_is_kept_per_index_version_and_only_new_articles_are_parsed(
    tmp_path: Path,
) -> None:
    cache = ov.OverviewCache(tmp_path)
    leads = Leads()
    first = cache.get(ENTRIES, leads)
    assert sorted(leads.asked) == ["a1", "a2", "a3", "a4"]
    assert cache.get(ENTRIES, leads) == first and len(leads.asked) == 4  # from the file
    edited = [replace(e, content_hash="v2") if e.id == "a3" else e for e in ENTRIES]
    assert cache.get(edited, leads) == first
    assert leads.asked[4:] == ["a3"]  # only the edited article is parsed again
    assert len(list(tmp_path.glob("overview-*.json"))) == 1


E = ENTRIES


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), None),
        (Filters(sources=("Coast Courier",)), None),
        (Filters(sources=("Reuters",)), "No articles from Reuters are indexed."),
        (
            Filters(sources=("Reuters", "AP", "DPA")),
            "No articles from Reuters, AP or DPA are indexed.",
        ),
        (Filters(sources=("Gone Gazette",)), "No articles from Gone Gazette are indexed."),
        (Filters(article_ids=("zz",)), "No article with the id zz is indexed."),
        (Filters(since=dt.date(2024, 5, 3)), None),
        (
            Filters(since=dt.date(2024, 6, 1)),
            "0 articles match these dates (2024-06-01 to …).",
        ),
        (
            Filters(sources=("Inland Post",), until=dt.date(2024, 5, 3)),
            "0 articles from Inland Post match these dates (… to 2024-05-03).",
        ),
        (Filters(sources=("Coast Courier",), until=dt.date(2024, 5, 2)), None),
    ],
)
def test_empty_filter_message(filters: Filters, expected: str | None) -> None:
    assert ov.empty_filter_message(filters, E) == expected


def test_an_empty_filter_is_said_in_the_answer(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask(
        "Who confirmed the troop numbers?", filters=Filters(sources=("Reuters",))
    )
    assert answer.refused and answer.text == "No articles from Reuters are indexed."
    dated = Filters(since=dt.date(2030, 1, 1))
    assert sample_assistant.ask("Who confirmed?", filters=dated).text.startswith("0 articles")
