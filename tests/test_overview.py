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
    # What the most quoted confirmed and said, about a place named beside them: questions
    # of different kinds.
    assert set(got.questions[:2]) == {
        "What did Helen Carter say about Berlin?",
        "What did the European Commission confirm about Berlin?",
    }
    assert len({e.kind for e in got.examples}) == len(got.examples[:2])


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


def test_entities_are_read_from_the_newest_articles_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive's landing page parses a bounded number of leads: the newest articles'
    (here 2); its counts still cover every article."""
    monkeypatch.setattr(ov, "ENTITY_ARTICLES", 2)
    leads = Leads()
    got = ov.OverviewCache(tmp_path).get(ENTRIES, leads)
    assert sorted(leads.asked) == ["a2", "a3"]  # a4 has no date: counted as oldest
    assert got.articles == 4 and got.paragraphs == 11


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


# -- entity checks and example questions (issue #28) ----------------------------------------
def ents(**kw: object) -> ov.ArticleEntities:
    return ov.ArticleEntities(**kw)  # type: ignore[arg-type]


# (articles' entities, people expected, places the recogniser took for people)
PEOPLE = [
    # a capital tagged as a person is a place (a nation's word)
    ([ents(people=("Kyiv", "Volodymyr Zelensky"))], {"Volodymyr Zelensky": 1}, {"Kyiv": 1}),
    # a one-word "person" another article names as a place is that place
    (
        [ents(people=("Vladivostok",)), ents(places=("Vladivostok",)), ents(people=("Ana Ruiz",))],
        {"Ana Ruiz": 1},
        {"Vladivostok": 1},
    ),
    # a surname is its full name; once per article however it is written
    (
        [ents(people=("Putin", "Vladimir Putin")), ents(people=("Putin",))],
        {"Vladimir Putin": 2},
        {},
    ),
    # a lone one-word name in one article is left out; in two it stays
    ([ents(people=("Austin",))], {}, {}),
    ([ents(people=("Madonna",)), ents(people=("Madonna",))], {"Madonna": 2}, {}),
]


@pytest.mark.parametrize(("found", "people", "moved"), PEOPLE)
def test_people_are_checked_against_places(
    found: list[ov.ArticleEntities], people: dict[str, int], moved: dict[str, int]
) -> None:
    places = {p for f in found for p in f.places}
    got_people, got_moved, _full = ov.checked_people(found, places)
    assert dict(got_people) == people and dict(got_moved) == moved


# (articles' organisations and spelled-out aliases, the names they are merged under)
ALIASES = [
    (
        [
            ents(organisations=("National Intelligence Service", "NIS")),
            ents(organisations=("NIS",)),
        ],
        {
            "NIS": "National Intelligence Service (NIS)",
            "National Intelligence Service": "National Intelligence Service (NIS)",
        },
    ),
    # spelled out in an article: merged even when the initials differ
    (
        [
            ents(
                organisations=("Doctors Without Borders", "MSF"),
                aliases=(("MSF", "Doctors Without Borders"),),
            )
        ],
        {
            "MSF": "Doctors Without Borders (MSF)",
            "Doctors Without Borders": "Doctors Without Borders (MSF)",
        },
    ),
    # two organisations share the initials: no guess
    (
        [ents(organisations=("National Security Council", "North Sea Commission", "NSC"))],
        {},
    ),
    ([ents(organisations=("NATO", "Pentagon"))], {}),
]


@pytest.mark.parametrize(("found", "merged"), ALIASES)
def test_an_organisation_and_its_acronym_are_one(
    found: list[ov.ArticleEntities], merged: dict[str, str]
) -> None:
    assert ov.org_aliases(found) == merged


def test_the_overview_merges_aliases_and_moves_places(tmp_path: Path) -> None:
    found = {
        "a1": ents(organisations=("National Intelligence Service", "NIS"), people=("Kyiv",)),
        "a2": ents(organisations=("NIS",), places=("Kyiv",)),
    }
    got = ov.build_overview([entry("a1", "Wire", None), entry("a2", "Wire", None)], found)
    assert got.organisations == (ov.Count("National Intelligence Service (NIS)", 2),)
    assert got.people == () and got.places == (ov.Count("Kyiv", 2),)


def test_the_subject_after_a_nationality_is_read_without_a_tagger() -> None:
    (found,) = ov.article_entities(
        [
            "South Korea's National Intelligence Service (NIS) said that North Korean "
            "special forces arrived in Vladivostok, and North Korean troops moved on."
        ]
    )
    assert found.subjects == ("North Korean special forces", "North Korean troops")
    assert ("NIS", "National Intelligence Service") in found.aliases


SUBJECT = [ents(subjects=("North Korean troops",), places=("Russia", "North Korea"))] * 3


@pytest.mark.parametrize(
    ("found", "topic", "kinds"),
    [
        # a countable subject: who confirmed, how many, what changed; the denier's question
        (
            SUBJECT,
            ("North Korean troops", "Russia"),
            ["who confirmed", "how many", "what changed", "who denied"],
        ),
        # named by one article only: no subject, the speakers' questions alone
        (SUBJECT[:1], (None, None), ["who denied", "who confirmed", "who said"]),
    ],
)
def test_example_questions_are_of_different_kinds(
    found: list[ov.ArticleEntities], topic: tuple[str | None, str | None], kinds: list[str]
) -> None:
    from collections import Counter

    places = Counter(p for f in found for p in f.places)
    assert ov.corpus_topic(found, places) == topic
    speakers = Counter({("the Kremlin", "deny"): 2, ("the Pentagon", "confirm"): 3})
    people = (ov.Count("Sabrina Singh", 2),)
    candidates = ov.example_candidates(*topic, speakers, {}, people)
    picked = ov.pick_examples(candidates, answered=lambda q: True)
    assert [e.kind for e in picked] == kinds[: ov.QUESTIONS]
    assert len({e.question for e in picked}) == len(picked)
    if topic[0]:
        assert picked[1].question == "How many North Korean troops are in Russia?"


def test_examples_the_assistant_does_not_answer_are_replaced_by_another_kind() -> None:
    candidates = [
        ov.Example("who confirmed", "Who confirmed it?"),
        ov.Example("how many", "How many?"),
        ov.Example("who said", "What did A say?"),
        ov.Example("who said", "What did B say?"),
    ]
    picked = ov.pick_examples(candidates, answered=lambda q: q != "How many?", limit=3)
    assert [e.question for e in picked] == [
        "Who confirmed it?",
        "What did A say?",
        "What did B say?",
    ]
