"""Retrieval on news: neighbour context, non-citable paragraphs, duplicate collapse, hits
handed over with neighbours together, and the tuning chosen by the corpus's paragraphs
(fake embedding, real Chroma)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ingest.models import ArticleRef, Paragraph
from vectorstore.context import (
    columns,
    keep_together,
    smooth,
    text_key,
    unique_texts,
)
from vectorstore.models import Hit, Passage
from vectorstore.retriever import PROFILES, SHORT_PARAGRAPHS, WHOLE_RUNS, Tuning, tuning_for


def passage(article: str, index: int, text: str) -> Passage:
    ref = ArticleRef(id=article, title="t", source="s", content_hash="h")
    return Passage(ref, Paragraph(article, index, text, 0, len(text)))


# -- pure parts ----------------------------------------------------------------------------


def test_columns_link_citable_neighbours_across_captions_and_articles() -> None:
    texts = [
        ("a", 0, "The ferry operator was asked about the winter timetable."),
        ("a", 1, "FILE PHOTO: A ferry leaves the harbour at dawn."),
        ("a", 2, "It said crossings to Lorvik would stop in May."),
        ("b", 0, "Growers expect a late harvest this year."),
        ("a", 3, "Photo: Ilse Dahl/Island Herald"),
    ]
    cols = columns([passage(*t) for t in texts])
    assert cols.citable.tolist() == [True, False, True, True, False]
    # Row 0's next citable paragraph is row 2 (the caption is stepped over), not article b's.
    assert cols.next.tolist() == [2, -1, -1, -1, -1]
    assert cols.previous.tolist() == [-1, -1, 0, -1, -1]
    assert cols.median_chars == float(np.median([len(texts[i][2]) for i in (0, 2, 3)]))


@pytest.mark.parametrize(
    ("own", "previous", "following", "share", "expected"),
    [
        # The paragraph after a strong match is lifted by half the match's lead on the median.
        ([3.0, 0.0, 0.0, 0.0], [-1, 0, -1, -1], [1, -1, -1, -1], 0.5, [3.0, 1.5, 0.0, 0.0]),
        # A neighbour below the median lifts nothing.
        ([3.0, -1.0, 0.0, 1.0], [-1, -1, 1, -1], [-1, 2, -1, -1], 0.5, [3.0, -1.0, 0.0, 1.0]),
        # The better of the two neighbours counts.
        ([2.0, 0.0, 4.0, 0.0], [-1, 0, 1, -1], [1, 2, -1, -1], 0.5, [2.0, 1.5, 4.0, 0.0]),
        # Share 0: unchanged.
        ([3.0, 0.0, 1.0], [-1, 0, -1], [1, -1, -1], 0.0, [3.0, 0.0, 1.0]),
    ],
)
def test_smooth(own, previous, following, share, expected) -> None:  # type: ignore[no-untyped-def]
    out = smooth(np.array(own), np.array(previous), np.array(following), share)
    assert out.tolist() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("order", "texts", "expected"),
    [
        ([2, 0, 1], ["wire copy.", "other.", "Wire  copy. "], [2, 1]),
        ([0, 1, 2], ["x", "y", "z"], [0, 1, 2]),
    ],
)
def test_unique_texts_keeps_the_first_of_identical_paragraphs(order, texts, expected) -> None:  # type: ignore[no-untyped-def]
    assert unique_texts(order, [text_key(t) for t in texts]) == expected


@pytest.mark.parametrize(
    ("order", "following", "reach", "expected"),
    [
        # The best hit (3) is the attribution after a quote (2): the quote goes first.
        ([3, 0, 2], [-1, -1, 3, -1], 1, [2, 3, 0]),
        ([3, 0, 1], [-1, 3, -1, -1], 1, [1, 3, 0]),
        # A run of three, found middle first, read in order where its best stood.
        ([1, 5, 0, 2], [1, 2, -1, -1, -1, -1], 1, [0, 1, 2, 5]),
        # Reach 1: only direct neighbours move; the first of a longer run waits its turn.
        ([2, 5, 0, 1], [1, 2, -1, -1, -1, -1], 1, [1, 2, 5, 0]),
        # Reach 2: the whole run comes along.
        ([2, 5, 0, 1], [1, 2, -1, -1, -1, -1], 2, [0, 1, 2, 5]),
        # No neighbours: the order stays.
        ([4, 2, 0], [-1, -1, -1, -1, -1], 1, [4, 2, 0]),
    ],
)
def test_keep_together(order, following, reach, expected) -> None:  # type: ignore[no-untyped-def]
    assert keep_together(order, following, reach) == expected


@pytest.mark.parametrize(
    ("median", "profile"),
    [(120.0, "short"), (SHORT_PARAGRAPHS - 1, "short"), (SHORT_PARAGRAPHS, "long")],
)
def test_tuning_follows_the_corpus_paragraph_length(median: float, profile: str) -> None:
    assert tuning_for(median) is PROFILES[profile]


def test_an_empty_index_reads_as_long() -> None:
    assert tuning_for(0.0) is PROFILES["long"]


# -- the retriever on a real Chroma --------------------------------------------------------

FERRY = [
    "By Mara Lindqvist",
    "The island ferry operator was asked on Monday about its winter timetable for Lorvik.",
    "FILE PHOTO: The island ferry operator's winter timetable pinned up at the Lorvik quay.",
    "It said sailings would end on the 3rd of May, when the old vessel goes for repairs.",
    "Harbour traders said the market would lose its busiest weekend.",
    "Sign up for the Island Herald newsletter to get our top stories in your inbox.",
]
# Other stories that share some of the question's words but do not answer it.
OTHERS = {
    "timetable.md": ["The bus operator published a new timetable for the island villages."],
    "quay.md": ["Fishermen at the Lorvik quay asked the council for new moorings."],
    "winter.md": ["A winter storm closed the airport on the island for two days."],
    "ferry.md": ["A new ferry was ordered for the southern crossing last year."],
}
WIRE = "Port authorities in Kelmouth said the dredging of the channel was finished."


def write(folder: Path, name: str, source: str, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    (folder / name).write_text(
        f"---\ntitle: {name[:-3].title()} news\nsource: {source}\npublished_at: 2025-03-02\n"
        f"url: https://example.test/{name}\n---\n\n{body}\n",
        encoding="utf-8",
    )


@pytest.fixture
def news(assistant, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "news"
    folder.mkdir()
    write(folder, "lorvik.md", "Island Herald", FERRY)
    for name, paragraphs in OTHERS.items():
        write(folder, name, "Coastal Courier", paragraphs)
    # A wire story republished word for word by two outlets.
    write(folder, "wire-a.md", "Meridian Wire", [WIRE, "Ships had waited weeks to enter."])
    write(folder, "wire-b.md", "Valley Gazette", [WIRE, "The Valley Gazette ran this copy."])
    report = assistant.indexer().index([folder])
    assert not report.failed
    return assistant


QUESTION = "When do the Lorvik island ferry operator's winter crossings finish?"


def test_the_paragraph_after_the_match_is_found_beside_it(news) -> None:  # type: ignore[no-untyped-def]
    retriever = news.retriever
    assert news.lexical_index().context.median_chars < SHORT_PARAGRAPHS

    def ranked(tuning: Tuning) -> list[Hit]:
        return retriever.model_copy(update={"tuning": tuning}).retrieve(QUESTION, k=8)

    def rank(tuning: Tuning) -> int:
        texts = [h.text for h in ranked(tuning)]
        return texts.index(FERRY[3]) if FERRY[3] in texts else len(texts)

    def score(tuning: Tuning) -> float:
        return next(h.score for h in ranked(tuning) if h.text == FERRY[3])

    # The answer ("It said sailings would end ...") shares no word with the question; it is
    # lifted by the paragraph before it, which names the operator and the timetable.
    short = PROFILES["short"]
    alone = replace(short, neighbour_share=0.0)
    assert score(short) > score(alone) + 0.5
    assert rank(replace(short, neighbour_share=0.5)) < rank(alone)
    # Handed over in reading order, it comes right after that paragraph.
    joined = [
        h.text
        for h in retriever.model_copy(
            update={"tuning": replace(short, together=WHOLE_RUNS)}
        ).retrieve(QUESTION, k=8)
    ]
    assert joined.index(FERRY[3]) == joined.index(FERRY[1]) + 1
    runs = [h.text for h in retriever.reading_runs(retriever.retrieve(QUESTION, k=8))]
    assert runs.index(FERRY[3]) == runs.index(FERRY[1]) + 1


def test_captions_and_boilerplate_rank_below_the_story(news) -> None:  # type: ignore[no-untyped-def]
    from ingest.hygiene import is_citable

    caption_like = "island ferry operator winter timetable pinned up at the Lorvik quay"
    texts = [h.text for h in news.retriever.retrieve(caption_like, k=20)]
    # The caption matches every word but is not citable: every story paragraph comes first.
    citable = [is_citable(t) for t in texts]
    assert FERRY[2] in texts and not is_citable(FERRY[2])
    assert citable == sorted(citable, reverse=True)
    assert texts[0] == FERRY[1]
    unpenalised = replace(PROFILES["short"], non_citable_penalty=0.0)
    plain = news.retriever.model_copy(update={"tuning": unpenalised})
    assert plain.retrieve(caption_like, k=1)[0].text == FERRY[2]
    newsletter = news.retriever.retrieve("Island Herald newsletter top stories inbox", k=3)
    assert FERRY[5] not in [h.text for h in newsletter]


def test_wire_copies_are_collapsed_to_one(news) -> None:  # type: ignore[no-untyped-def]
    hits = news.retriever.retrieve("Kelmouth channel dredging finished", k=6)
    texts = [h.text for h in hits]
    assert texts.count(WIRE) == 1
    # The copies' own paragraphs are still there.
    assert {"Ships had waited weeks to enter.", "The Valley Gazette ran this copy."} <= set(texts)


@pytest.mark.parametrize(
    ("value", "expected"), [("auto", None), ("long", "long"), ("short", "short")]
)
def test_the_profile_setting_overrides_the_corpus(value, expected, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    monkeypatch.setenv("BRIEFING_RETRIEVAL_PROFILE", value)
    retriever = BriefingAssistant(Settings()).retriever
    assert retriever.tuning is (PROFILES[expected] if expected else None)
