"""Issue 27: figures that know what they count. Tables of sentences and what each figure
counts (measure, what it is of), whose and where it is, its date; of who a speaker is; and
of which figures conflict (the same measure and scope, about the same time, two sources
neither of which had changed its own figure) and which are other facts or updates."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant import attribution
from assistant.brief import figures as figs
from assistant.brief.analysis import FigureGroup, conflicts, figures, group, timeline
from assistant.brief.claims import BriefClaim, extract
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Hit, Passage

# (sentence, the article's date, [(value, measure as read, whose, where, when)])
FIGURES = [
    (
        "About 18 North Korean soldiers have deserted from their positions, Suspilne reported.",
        "2024-11-06",
        [(18, "deserters", "north korean", "", "")],
    ),
    (
        "The NIS said on Friday that North Korea has sent about 1,500 special forces soldiers.",
        "2024-10-18",
        [(1500, "special-forces", "north korea", "", "2024-10-18")],
    ),
    (
        "The agency estimated that Pyongyang could send as many as 12,000 troops in total.",
        "2024-10-18",
        [(12000, "troops", "pyongyang", "", "")],
    ),
    (
        "Rask said 120 Marvian soldiers had been killed and 300 wounded in three days.",
        "2025-04-03",
        [(120, "deaths", "marvian", "", ""), (300, "injured", "", "", "")],
    ),
    (
        "The Global Health Office said on Wednesday that about 31,000 cholera cases had been "
        "reported worldwide so far this year.",
        "2025-06-04",
        [(31000, "cases", "", "world", "2025-06-04")],
    ),
    (
        "Veldora's Health Ministry said on Tuesday that 640 cholera cases had been confirmed "
        "nationwide, most of them in Ostmark province.",
        "2025-06-03",
        [(640, "cases", "", "national", "2025-06-03")],
    ),
    (
        "Mira Halden said 590 cholera cases had now been confirmed in Ostmark province.",
        "2025-06-12",
        [(590, "cases", "", "ostmark", "")],
    ),
    (
        "The ministry said 14 hospitals in 11 regions were treating cholera patients, and the "
        "cabinet approved an emergency budget of $3.5 million.",
        "2025-06-09",
        [
            (14, "hospitals", "", "", ""),
            (11, "regions", "", "", ""),
            (3_500_000, "dollars (budget)", "", "", ""),
        ],
    ),
    (
        "The board said Tanvale's coffee exports would fall to 2.1 million bags this season, "
        "from 2.9 million bags last season.",
        "2025-07-07",
        [
            (2_100_000, "bags (export)", "", "tanvale", "2025-07-07"),
            (2_900_000, "bags (export)", "", "tanvale", "2024-07-07"),
        ],
    ),
    (
        "Arabica futures rose to $3.40 a pound in New York on Tuesday.",
        "2025-07-08",
        [(3.4, "dollars a pound (future)", "", "new york", "2025-07-08")],
    ),
    (
        "The board said the frost had damaged about 30% of the arabica crop.",
        "2025-07-07",
        [(30, "percent of crop", "", "", "")],
    ),
    (
        "Singh confirmed on October 28 that roughly 10,000 North Korean soldiers had been sent, "
        "and Blinken said on October 31 that about 8,000 of them were in the Kursk region.",
        "2024-11-06",
        [
            (10000, "troops", "north korean", "", "2024-10-28"),
            (8000, "troops", "north korean", "", "2024-10-31"),  # "of them": what 10,000 counted
        ],
    ),
    (
        "The Kestrian Red Cross said 2,000 civilians had fled the Dolen valley since Monday.",
        "2025-04-03",
        [(2000, "displaced", "", "", "")],  # "since Monday" is when it began, not its date
    ),
]


@pytest.mark.parametrize(
    ("sentence", "published", "expected"), FIGURES, ids=[f[0][:50] for f in FIGURES]
)
def test_a_figure_knows_what_it_counts(
    sentence: str, published: str, expected: list[tuple[float, str, str, str, str]]
) -> None:
    found = figs.figures(attribution.parsed(sentence), 0, len(sentence), published=published)
    assert [(f.low, f.label, f.whose, f.where, f.when) for f in found] == expected


def test_the_speaker_of_another_clause_gives_its_figure() -> None:
    sentence = (
        "Zelensky accused North Korea of transferring about 10,000 personnel, while the "
        "National Intelligence Service estimated that up to 12,000 troops could be sent."
    )
    found = figs.figures(attribution.parsed(sentence), 0, len(sentence))
    assert [(f.low, f.said_by) for f in found] == [
        (10000, "Zelensky"),
        (12000, "the National Intelligence Service"),
    ]


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("Tuesday", dt.date(2025, 6, 5), dt.date(2025, 6, 3)),  # the last Tuesday up to it
        ("Thursday", dt.date(2025, 6, 5), dt.date(2025, 6, 5)),  # that day itself
        ("October 18", dt.date(2024, 11, 6), dt.date(2024, 10, 18)),
        ("18 October", dt.date(2024, 11, 6), dt.date(2024, 10, 18)),
        ("December 30", dt.date(2025, 1, 3), dt.date(2024, 12, 30)),  # last year's
        ("last week", dt.date(2024, 10, 28), dt.date(2024, 10, 21)),
        ("last season", dt.date(2025, 7, 7), dt.date(2024, 7, 7)),
        ("in October", dt.date(2024, 11, 6), None),  # too vague to date a figure
        ("three days", dt.date(2024, 11, 6), None),
    ],
)
def test_dates_read_from_the_sentence(text: str, day: dt.date, expected: dt.date | None) -> None:
    assert figs.resolve(text, day) == expected


# -- speakers -------------------------------------------------------------------------------
def _article(outlet: str, date: str, *paragraphs: str, title: str = "A report") -> list[Hit]:
    ref = ArticleRef(f"{outlet}-{date}", title, outlet, f"h-{outlet}-{date}", published_at=date)
    out, at = [], 0
    for i, text in enumerate(paragraphs):
        out.append(Hit(Passage(ref, Paragraph(ref.id, i, text, at, at + len(text)))))
        at += len(text) + 2
    return out


def _claims_of(*articles: list[Hit], topic: str = "") -> list[BriefClaim]:
    hits = [h for a in articles for h in a]
    by_id = {h.passage.id: h.passage for h in hits}

    def earlier(p: Passage) -> list[Passage]:
        ids = [f"{p.article.id}:{j}" for j in range(p.paragraph.index - 1, -1, -1)]
        return [by_id[i] for i in ids if i in by_id]

    return extract(hits, topic, earlier)


# (paragraphs of one article, the sentence's piece, its speaker shown; None: nobody)
SPEAKERS = [
    (
        [
            "South Korea's National Intelligence Service (NIS) said on Friday that 1,500 "
            "soldiers had been sent.",
            "The agency estimated that 12,000 troops could be sent in total.",
        ],
        "The agency estimated",
        "South Korea's National Intelligence Service",
    ),
    (
        [
            "The National Intelligence Service briefed lawmakers on the deployment.",
            "The NIS said the soldiers arrived in Vladivostok this month.",
        ],
        "The NIS said",
        "National Intelligence Service",
    ),
    (
        ["Both Moscow and Pyongyang have denied that any arms transfers took place."],
        "Both Moscow",
        "Moscow and Pyongyang",
    ),
    (
        ["A few said the soldiers had left the border area on Monday night."],
        "A few said",
        None,
    ),
    (
        ["Reports citing officials have claimed that some soldiers were fighting."],
        "Reports citing",
        None,
    ),
    (
        [
            "Western intelligence officials estimated that 9,000 soldiers were inside Kestria.",
            "The officials said the troops had brought artillery and 40 tanks.",
        ],
        "The officials said",
        "Western intelligence officials",
    ),
    (
        [
            "The office's cholera lead, Dr Anika Sorel, said 640 cases had been confirmed in "
            "the country."
        ],
        "cholera lead",
        "The office's cholera lead, Dr Anika Sorel",
    ),
]


@pytest.mark.parametrize(("paragraphs", "piece", "speaker"), SPEAKERS, ids=[s[1] for s in SPEAKERS])
def test_speakers_are_names_or_nobody(
    paragraphs: list[str], piece: str, speaker: str | None
) -> None:
    claims = _claims_of(_article("Seoul Herald", "2024-10-18", *paragraphs))
    found = [c for c in claims if piece in c.proposition]
    if speaker is None:
        assert all(c.speaker is None for c in found)
    else:
        assert [c.speaker for c in found] == [speaker]


# -- conflicts ------------------------------------------------------------------------------
# (case, articles as (outlet, date, sentence), figure conflicts as sorted value lists)
# outlets: Kestria Post, Northern Ledger, Harbor Wire, Ostmark Gazette, Veldora Tribune, ...
KP, NL, HW, OG, VT, GH, CN, CD = "KP", "NL", "HW", "OG", "VT", "GHJ", "CN", "CD"
CONFLICTS = [
    (
        "two sources, the same measure and place, one day apart",
        [
            (KP, "2025-04-01", "The ministry said about 6,000 Marvian troops had crossed."),
            (NL, "2025-04-02", "Officials estimated that 9,000 Marvian soldiers were there."),
        ],
        [["6,000", "9,000"]],
    ),
    (
        "troops and deserters are two measures",
        [
            (KP, "2025-04-01", "The ministry said about 6,000 Marvian troops had crossed."),
            (HW, "2025-04-02", "Colonel Rask said 40 Marvian soldiers had deserted."),
        ],
        [],
    ),
    (
        "Marvian and Kestrian deaths are two scopes",
        [
            (HW, "2025-04-03", "Colonel Rask said 120 Marvian soldiers had been killed."),
            (KP, "2025-04-03", "The ministry said 35 Kestrian soldiers had been killed."),
        ],
        [],
    ),
    (
        "a province, the country and the world are three scopes",
        [
            (
                OG,
                "2025-06-09",
                "Mira Halden said 590 cholera cases were found in Ostmark province.",
            ),
            (VT, "2025-06-09", "The ministry said 1,480 cholera cases were found across Veldora."),
            (GH, "2025-06-09", "The office said 31,000 cholera cases were reported worldwide."),
        ],
        [],
    ),
    (
        "two weeks apart: a later estimate, not a contradiction",
        [
            (NL, "2025-04-02", "Officials estimated that 9,000 Marvian soldiers were there."),
            (KP, "2025-04-16", "The ministry said 7,500 Marvian troops were in the country."),
        ],
        [],
    ),
    (
        "a source updating its own figure",
        [
            (KP, "2025-04-01", "The defence ministry said 6,000 Marvian troops had crossed."),
            (KP, "2025-04-03", "The defence ministry said 7,500 Marvian troops were there."),
        ],
        [],
    ),
    (
        "hospitals, regions and a budget in dollars are three measures",
        [
            (VT, "2025-06-09", "The ministry said 14 hospitals were treating patients."),
            (CN, "2025-06-09", "The cabinet approved an emergency budget of $3.5 million."),
            (OG, "2025-06-09", "The governor said 11 regions had reported cases."),
        ],
        [],
    ),
    (
        "prices of two days move; they do not conflict",
        [
            (CD, "2025-07-08", "Arabica futures rose to $3.40 a pound on Tuesday."),
            (HW, "2025-07-10", "Arabica futures fell to $3.05 a pound on Thursday."),
        ],
        [],
    ),
    (
        "a figure restated after its source changed it no longer stands",
        [
            (HW, "2025-06-03", "The ministry said 640 cholera cases were found in Veldora."),
            (GH, "2025-06-04", "Dr Sorel said 640 cholera cases were found in Veldora by Tuesday."),
            (VT, "2025-06-09", "The ministry said 1,480 cholera cases were found in Veldora."),
            (CN, "2025-06-10", "Open Clinics said 2,300 cholera cases were counted in Veldora."),
        ],
        [["1,480", "2,300"]],
    ),
    (
        "12,000 then 10,000 then 8,000: one conflict of chained estimates",
        [
            ("SH", "2024-10-18", "The NIS estimated that Pyongyang could send 12,000 troops."),
            ("KL", "2024-10-22", "Zelensky said 10,000 North Korean soldiers had been sent."),
            ("AW", "2024-10-28", "Singh confirmed that 10,000 North Korean soldiers were sent."),
            (
                "CD",
                "2024-11-01",
                "Blinken said on Thursday that 8,000 North Korean troops are in Kursk.",
            ),
            ("TP", "2024-11-20", "Zelensky said that 11,000 North Korean troops are now in Kursk."),
        ],
        [["8,000", "10,000", "12,000"]],
    ),
]


@pytest.mark.parametrize(("case", "articles", "expected"), CONFLICTS, ids=[c[0] for c in CONFLICTS])
def test_figure_conflicts_need_one_measure_scope_and_time(
    case: str, articles: list[tuple[str, str, str]], expected: list[list[str]]
) -> None:
    claims = _claims_of(*(_article(o, d, s) for o, d, s in articles))
    assert len(claims) == len(articles), [c.proposition for c in claims]
    found = conflicts(claims, group(claims), "", figures(claims))
    values = [[s.figure.value for s in x.sides if isinstance(s, FigureGroup)] for x in found]
    assert [v for v, x in zip(values, found, strict=True) if x.kind == "figure"] == expected
    if case.startswith("a source updating"):
        steps = timeline(claims, group(claims))
        assert steps[-1].updates is not None and "6,000" in steps[-1].updates.proposition
