"""Briefings: figures normalised, claims grouped and their outlets counted, conflicts found
(and the two false alarms avoided), the timeline in date order, what is new.

The story in tests/fixtures/briefing_story/ (six articles written for these tests, with hand
labels beside them) is indexed once with the fake embedding; synthetic one-sentence articles
cover the conflict cases one by one.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.brief import figures as figs
from assistant.brief.analysis import conflicts, group, timeline
from assistant.brief.build import Briefing, BriefingMemory, build
from assistant.brief.claims import BriefClaim, extract
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from ingest.models import ArticleRef, Paragraph
from tests.conftest import FIXTURES
from vectorstore.models import Hit, Passage

STORY = FIXTURES / "briefing_story"
LABELS = json.loads((STORY / "labels.json").read_text())
TOPIC = LABELS["topic"]
Briefed = tuple[Briefing, dict[str, str]]


# -- figures --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "low", "high", "approximate"),
    [
        ("10,000", 10_000, 10_000, False),
        ("ten thousand", 10_000, 10_000, False),
        ("about 8,000", 8_000, 8_000, True),
        ("some 8,000", 8_000, 8_000, True),
        ("11,000 to 12,000", 11_000, 12_000, False),
        ("11,000-12,000", 11_000, 12_000, False),
        ("between 11,000 and 12,000", 11_000, 12_000, False),
        ("11 to 12 thousand", 11_000, 12_000, False),
        ("between 11 and 12 thousand", 11_000, 12_000, False),
        ("10k", 10_000, 10_000, False),
        ("as many as 12,000", 12_000, 12_000, True),
        ("2.5 million", 2_500_000, 2_500_000, False),
        ("twenty-five thousand", 25_000, 25_000, False),
        ("1,500", 1_500, 1_500, False),
    ],
)
def test_figure_normalisation(text: str, low: float, high: float, approximate: bool) -> None:
    f = figs.parse(text)
    assert f is not None
    assert (f.low, f.high, f.approximate) == (low, high, approximate)
    assert f.text == text  # the words stay as written


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("10,000", "ten thousand", True),
        ("10k", "10,000", True),
        ("about 10,000", "10,000", True),
        ("about 8,000", "10,000", False),
        ("11,000 to 12,000", "10,000", False),
        ("11,000 to 12,000", "11,500", True),
        ("9,000", "10,000", False),
    ],
)
def test_figures_compare_by_value(a: str, b: str, same: bool) -> None:
    fa, fb = figs.parse(a), figs.parse(b)
    assert fa is not None and fb is not None
    assert fa.same_value(fb) is same and fb.same_value(fa) is same


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The ministry said 10,000 residents had been evacuated.", [(10_000, "people")]),
        (
            "Volunteers now counted 10k evacuated residents, the alliance said.",
            [(10_000, "people")],
        ),
        ("A spokesman said ten thousand soldiers had arrived.", [(10_000, "troops")]),
        ("On 18 October 2024 the agency met two officials.", []),  # date, year, small word
        ("About 8,000 of them were in the border region in 2024.", [(8_000, "")]),
    ],
)
def test_figures_of_a_sentence(sentence: str, expected: list[tuple[float, str]]) -> None:
    from assistant import attribution

    found = figs.figures(attribution.parsed(sentence), 0, len(sentence))
    assert [(f.low, f.counted) for f in found] == expected


# -- the story, indexed once ----------------------------------------------------------------
@pytest.fixture(scope="module")
def story_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("story-index") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    report = assistant.indexer().index([str(STORY / "articles")])
    assert report.new == 6 and not report.failed
    assistant.close()
    return data


@pytest.fixture
def story(story_index: Path, tmp_path: Path) -> Iterator[BriefingAssistant]:
    data = tmp_path / "story-data"
    shutil.copytree(story_index, data)
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def briefed(story_index: Path) -> Briefed:
    """The story's briefing, built once for the tests that only read it, and each article's
    file name."""
    assistant = BriefingAssistant(Settings(data_dir=story_index, embedding_model="fake"))
    # the labels are the parser's and the rules', not the reader model's (which is retrained)
    b = build(assistant, TOPIC, remember=False, model_scoring=False)
    files = {e.id: Path(e.locations[0]).name for e in assistant.manifest.entries()}
    assistant.close()
    return b, files


def _label_of(b: Briefing, files: dict[str, str]) -> dict[tuple[str, int, int], str]:
    out = {}
    for c in b.claims:
        for lab in LABELS["claims"]:
            if lab["article"] == files[c.article_id] and lab["quote"] in c.proposition:
                out[c.key] = lab["id"]
    return out


def test_claims_carry_speaker_stance_figures_and_verbatim_quote(briefed: Briefed) -> None:
    b, files = briefed
    labels = {lab["id"]: lab for lab in LABELS["claims"]}
    found = _label_of(b, files)
    assert sorted(found.values()) == sorted(labels)
    for c in b.claims:
        lab = labels[found[c.key]]
        assert c.passage.text[c.start : c.end] == c.proposition  # verbatim, offsets right
        assert lab["speaker"].lower() in (c.speaker or "").lower()
        assert c.stance == lab["stance"]
        assert [[f.low, f.high] for f in c.figures] == lab["figures"]
        assert c.outlet == c.passage.article.source and c.date


def test_groups_and_wire_copies_counted_once(briefed: Briefed) -> None:
    b, files = briefed
    found = _label_of(b, files)
    groups = [sorted(found[c.key] for c in g.claims) for g in b.groups]
    for labelled in LABELS["groups"]:
        home = next(
            g
            for g in b.groups
            if found[g.head.key] in labelled or any(found[c.key] == labelled[0] for c in g.claims)
        )
        members = sorted(found[c.key] for c in home.claims)
        if members != sorted(labelled):
            continue  # a missed group is measured by bench/brief.py, not asserted here
        rep = next(i for i in labelled if i in LABELS["independent_sources"])
        assert home.independent_sources == LABELS["independent_sources"][rep]
    wire = sorted(["meadow-8000-ht", "meadow-8000-cg"])
    assert wire in groups  # the wire copy carried twice is one statement...
    home = next(g for g in b.groups if sorted(found[c.key] for c in g.claims) == wire)
    assert home.independent_sources == 1  # ...carried by one independent source
    assert len({c.outlet for c in home.claims}) == 2


def test_conflicts_match_the_labels(briefed: Briefed) -> None:
    b, files = briefed
    found = _label_of(b, files)
    home = {cid: i for i, g in enumerate(LABELS["groups"]) for cid in g}

    def side(g) -> object:  # type: ignore[no-untyped-def]
        return home.get(found[g.head.key], found[g.head.key])

    pairs = set()
    for x in b.conflicts:
        sides = [side(g) for g in x.sides]
        if x.kind == "figure":  # the sides that conflict, not every two values shown
            pairs |= {frozenset((sides[a], sides[z])) for a, z in x.pairs}
        else:
            pairs |= {frozenset((d, z)) for d in sides[: x.denials] for z in sides[x.denials :]}
    wanted = {frozenset(home.get(c, c) for c in x["between"]) for x in LABELS["conflicts"]}
    assert pairs == wanted
    # an updated estimate is not a conflict: the ministry's 3,000 and its own 10,000 are not
    # opposed (the Red Meadow's 8,000 is, but by the ministry's 10,000 of 6 March)
    ministry = (home.get("ministry-3000", "ministry-3000"), home["ministry-10000"])
    assert frozenset(ministry) not in pairs


def test_timeline_is_in_date_order_and_names_updates(briefed: Briefed) -> None:
    b, files = briefed
    dates = [s.date for s in b.timeline]
    assert dates == sorted(dates) and len(dates) >= 6
    assert sum(len(s.claims) for s in b.timeline) == len(b.claims)  # every claim, once
    found = _label_of(b, files)
    updates = {(found[s.updates.key], found[s.claims[0].key]) for s in b.timeline if s.updates}
    home = {cid: i for i, g in enumerate(LABELS["groups"]) for cid in g}
    got = {(home.get(a, a), home.get(z, z)) for a, z in updates}
    for earlier, later in LABELS["updates"]:
        assert (home.get(earlier, earlier), home.get(later, later)) in got
    for s in b.timeline:
        if s.updates is not None:
            assert s.updates.date < s.date and s.updates.source_key == s.claims[0].source_key


def test_new_since_a_date_marks_claims_published_after_it(story: BriefingAssistant) -> None:
    since = dt.date(2025, 3, 5)
    b = build(story, TOPIC, new_since=since, remember=False)
    assert b.new_since == "2025-03-05" and b.new_claims
    for c in b.claims:
        assert c.new is (c.date > "2025-03-05")


def test_new_since_the_last_briefing_on_the_topic(story: BriefingAssistant, tmp_path: Path) -> None:
    # times are kept to the second and an article indexed in the second of the last briefing
    # counts as new: the first briefing must come a second after the story was indexed
    time.sleep(1.1)
    first = build(story, TOPIC)
    assert first.new_since is None and not first.new_claims  # nothing to compare with
    assert BriefingMemory(story.settings.data_dir).last(f"  {TOPIC.upper()} ") is not None
    again = build(story, TOPIC)
    assert again.new_since == first.generated_at and not again.new_claims  # nothing indexed since
    extra = tmp_path / "later"
    extra.mkdir()
    (extra / "2025-03-09-river-post-returns.md").write_text(
        '---\ntitle: "Dornet residents start to return"\nsource: "River Post"\n'
        'published_at: "2025-03-02"\n---\n\n'  # dated before the others: indexed later counts
        "The Interior Ministry said 4,000 evacuated residents had returned to Dornet.\n"
    )
    assert story.indexer().index([str(extra)]).new == 1
    third = build(story, TOPIC)
    assert {c.outlet for c in third.new_claims} == {"River Post"}
    assert all(not c.new for c in third.claims if c.outlet != "River Post")


# -- conflict cases, one by one -------------------------------------------------------------
def _claims(*articles: tuple[str, str, str]) -> list[BriefClaim]:
    """Claims of one-paragraph articles given as (outlet, date, text)."""
    hits = []
    for i, (outlet, date, text) in enumerate(articles):
        ref = ArticleRef(f"a{i}", f"Flood report {i}", outlet, f"h{i}", published_at=date)
        hits.append(Hit(Passage(ref, Paragraph(f"a{i}", 0, text, 0, len(text)))))
    return extract(hits, "flood")


CASES = {
    "a source updating its estimate is a timeline step": (
        [
            ("Valley Courier", "2025-03-01", "The flood agency said 3,000 residents had left."),
            ("Valley Courier", "2025-03-04", "The flood agency said 10,000 residents had left."),
        ],
        [],
    ),
    "two sources, two figures": (
        [
            ("Valley Courier", "2025-03-01", "The flood agency said 8,000 residents had left."),
            ("Coast Gazette", "2025-03-02", "Mayor Ana Ruiz said 10,000 residents had left."),
        ],
        ["figure"],
    ),
    "two sources, the same figure written two ways": (
        [
            ("Valley Courier", "2025-03-01", "The flood agency said 10,000 residents had left."),
            ("Coast Gazette", "2025-03-02", "Mayor Ana Ruiz said ten thousand residents had left."),
        ],
        [],
    ),
    "a figure claimed by one side and denied by another": (
        [
            ("Valley Courier", "2025-03-01", "The flood agency said 20,000 residents had fled."),
            (
                "Coast Gazette",
                "2025-03-02",
                "Provincial officials dismissed reports that 20,000 residents had fled.",
            ),
        ],
        ["stance"],
    ),
    "a denial of something else": (
        [
            ("Valley Courier", "2025-03-01", "The flood agency said 20,000 residents had fled."),
            (
                "Coast Gazette",
                "2025-03-02",
                "The dam operator denied that its spillway gates had been opened early.",
            ),
        ],
        [],
    ),
    "a conditional statement opposes nothing": (
        [
            (
                "Valley Courier",
                "2025-03-01",
                "Green Rivers claimed that the dam operator had opened the spillway gates early.",
            ),
            (
                "Coast Gazette",
                "2025-03-02",
                "The minister said the operator would be fined if reports that the spillway "
                "gates were opened early were true.",
            ),
        ],
        [],
    ),
    "a claim reported to deny it belongs to the denier": (
        [
            (
                "Valley Courier",
                "2025-03-01",
                "Green Rivers claimed that the dam operator had opened the spillway gates early.",
            ),
            (
                "Coast Gazette",
                "2025-03-02",
                "The dam operator rejected claims that its spillway gates had been opened early.",
            ),
        ],
        ["stance"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_conflict_cases(case: str) -> None:
    articles, kinds = CASES[case]
    claims = _claims(*articles)
    assert len(claims) == len(articles)
    groups = group(claims)
    found = conflicts(claims, groups, "flood")
    assert [x.kind for x in found] == kinds
    if case.startswith("a claim reported to deny"):
        denial = claims[1]
        assert denial.stance == "denied" and "operator" in (denial.speaker or "")
    if case.startswith("a source updating"):
        steps = timeline(claims, groups)
        assert steps[-1].updates is claims[0]
    if case.startswith("two sources, the same figure"):
        assert len(groups) == 1 and groups[0].independent_sources == 2


def test_not_denying_is_not_a_denial() -> None:
    (claim,) = _claims(
        (
            "Valley Courier",
            "2025-03-01",
            "The governor did not deny reports that the flood barrier had failed.",
        )
    )
    assert claim.stance == "not_denied" and claim.polarity == "if"
