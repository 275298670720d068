"""Corroboration, conflicts and the timeline of a briefing's claims.

- **Groups**: claims that state the same thing (the same figure of the same quantity, or
  sentences that support each other word for word) with the same polarity (for, against, if).
  Each counts its independent outlets: a wire copy carried by several outlets, or a second
  article of one outlet, counts once (``extractive.independent_sources``).
- **Conflicts**: the *current* figures of different sources for one quantity (a source that
  updates its estimate is a timeline step, not a conflict: only its latest figure stands), and
  a denial against the claims it denies (the same figure, or the same content words).
- **Timeline**: every group's claims by date; a figure that replaces the same source's earlier
  one says which it updates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant import attribution
from assistant.backends.extractive import independent_sources
from assistant.brief.claims import (
    BriefClaim,
    claim_lemmas,
    denied_lemmas,
    denied_terms,
    lemmas,
    reading_order,
)
from assistant.citations import negated, supports
from ingest.text import terms

MAX_OPPOSED = 3  # claims a denial is shown against
MIN_SHARED_TERMS = 2  # content words a figureless denial shares with what it denies
SAME_CONTENT = 0.75  # share of the shorter claim's content words that makes two claims one


@dataclass(frozen=True, slots=True)
class ClaimGroup:
    """Claims stating the same thing; the first is the earliest (the one quoted)."""

    number: int  # from 1, in the briefing's order of groups
    claims: tuple[BriefClaim, ...]
    independent_sources: int

    @property
    def head(self) -> BriefClaim:
        return self.claims[0]

    @property
    def polarity(self) -> str:
        return self.head.polarity

    @property
    def speakers(self) -> tuple[str, ...]:
        """Each source once, as first written."""
        seen: dict[str, str] = {}
        for c in self.claims:
            seen.setdefault(c.source_key, c.who)
        return tuple(seen.values())

    @property
    def first_date(self) -> str:
        return min(c.date for c in self.claims)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources disagreeing: ``kind`` "figure" (different current figures of ``subject``) or
    "stance" (``sides[0]`` denies what the other sides claim)."""

    kind: str
    subject: str
    sides: tuple[ClaimGroup, ...]


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """On ``date``, the claims of one group (wire copies of one day are one step);
    ``updates``: the same source's earlier, different figure this one replaces."""

    date: str
    group: ClaimGroup
    claims: tuple[BriefClaim, ...]
    updates: BriefClaim | None = None


def same_statement(
    a: BriefClaim, b: BriefClaim, similar: Callable[[str, str], bool] | None = None
) -> bool:
    """``a`` and ``b`` state the same thing with the same polarity."""
    if a.polarity != b.polarity:
        return False
    fa, fb = a.figure, b.figure
    if fa is not None and fb is not None:
        return fa.comparable(fb) and fa.same_value(fb) and _same_counted(fa.counted, fb.counted)
    if (fa is None) != (fb is None):
        return False
    if supports(a.proposition, b.proposition) and supports(b.proposition, a.proposition):
        return True
    # what is said, without who says it: "X denied that ..." and "Y, X's chief, denied that ..."
    ca, cb = _content(a), _content(b)
    if (
        len(ca) >= 2
        and len(cb) >= 2
        and negated(a.proposition) == negated(b.proposition)
        and len(ca & cb) / min(len(ca), len(cb)) >= SAME_CONTENT
    ):
        return True
    return similar is not None and similar(a.proposition, b.proposition)


def _same_counted(x: str, y: str) -> bool:
    return not x or not y or x == y


def group(
    claims: Sequence[BriefClaim], similar: Callable[[str, str], bool] | None = None
) -> list[ClaimGroup]:
    """Claims grouped by statement, ordered by how many independent sources carry them, then
    by date."""
    members: list[list[BriefClaim]] = []
    for c in sorted(claims, key=reading_order):
        home = next((m for m in members if same_statement(m[0], c, similar)), None)
        if home is None:
            members.append([c])
        else:
            home.append(c)
    counted = [(independent_sources([(c.outlet, c.proposition) for c in m]), m) for m in members]
    counted.sort(key=lambda x: (-x[0], x[1][0].date, reading_order(x[1][0])))
    return [ClaimGroup(i, tuple(m), n) for i, (n, m) in enumerate(counted, start=1)]


def _group_of(groups: Sequence[ClaimGroup]) -> dict[tuple[str, int, int], ClaimGroup]:
    return {c.key: g for g in groups for c in g.claims}


def current(claims: Sequence[BriefClaim]) -> tuple[list[BriefClaim], list[BriefClaim]]:
    """(current, superseded) figure claims for: each source's figures of its latest date for
    each quantity stand, its earlier different ones are superseded."""
    latest: dict[tuple[str, str], str] = {}
    figured = [c for c in claims if c.figure is not None and c.polarity == "for"]
    quantity = _main_quantity(figured)
    for c in figured:
        k = (c.source_key, _quantity(c, quantity))
        latest[k] = max(latest.get(k, ""), c.date)
    now = [c for c in figured if c.date == latest[(c.source_key, _quantity(c, quantity))]]
    old = [c for c in figured if c not in now]
    return now, old


def _main_quantity(claims: Sequence[BriefClaim]) -> str:
    counts = Counter(c.figure.counted for c in claims if c.figure and c.figure.counted)
    return counts.most_common(1)[0][0] if counts else ""


def _quantity(c: BriefClaim, main: str) -> str:
    """What the claim's figure counts; "8,000 of them" counts the briefing's main quantity."""
    assert c.figure is not None
    return c.figure.counted or main


def conflicts(
    claims: Sequence[BriefClaim], groups: Sequence[ClaimGroup], topic: str = ""
) -> list[Conflict]:
    """Figure conflicts, then each denial against what it denies (``topic``: the briefing's
    topic, whose words alone do not make a denial about a claim)."""
    topic_words, topic_lemmas = set(terms(topic)), _topic_lemmas(topic)
    owner = _group_of(groups)
    out: list[Conflict] = []
    now, _old = current(claims)
    quantity = _main_quantity([c for c in claims if c.figure is not None])
    by_quantity: dict[str, list[ClaimGroup]] = {}
    for c in now:
        sides = by_quantity.setdefault(_quantity(c, quantity), [])
        g = owner[c.key]
        if g not in sides:
            sides.append(g)
    for q, sides in by_quantity.items():
        if len(sides) > 1 and len({s.head.source_key for s in sides}) > 1:
            sides.sort(key=lambda g: (g.head.figure.low if g.head.figure else 0.0, g.number))
            out.append(Conflict("figure", q, tuple(sides)))
    for g in groups:
        if g.polarity != "against":
            continue
        opposed = [
            o
            for o in groups
            if o.polarity == "for"
            and any(_denies(d, c, topic_words, topic_lemmas) for d in g.claims for c in o.claims)
        ]
        opposed = [o for o in opposed if o.head.source_key not in {c.source_key for c in g.claims}]
        if opposed:
            opposed.sort(key=lambda o: (-o.independent_sources, o.number))
            out.append(Conflict("stance", g.head.proposition, (g, *opposed[:MAX_OPPOSED])))
    return out


def _denies(
    denial: BriefClaim, claim: BriefClaim, topic: set[str], topic_lemmas: frozenset[str]
) -> bool:
    """The denial is about the claim: the same figure of the same quantity; or (a denial
    without a figure) two content words in common besides who speaks, the verb and the
    topic's own words ("denied that any arms transfers took place" is not about a claim
    that troops were sent, though both name North Korea and Russia); or a denial of "the
    reports" about the topic itself, against a claim about the topic."""
    if denial.figure is not None:
        f = claim.figure
        return f is not None and denial.figure.comparable(f) and denial.figure.same_value(f)
    said = (denied_lemmas(denial) & claim_lemmas(claim)) - topic_lemmas
    if len(said) >= MIN_SHARED_TERMS:
        return True
    own, theirs = denied_terms(denial), _content(claim)
    return (
        bool(own & _REPORTS)
        and len(own & topic) >= MIN_SHARED_TERMS
        and len(theirs & topic) >= MIN_SHARED_TERMS
    )


@lru_cache(maxsize=64)
def _topic_lemmas(topic: str) -> frozenset[str]:
    return lemmas(attribution.parsed(topic)) if topic else frozenset()


# "dismissed the reports as fake": a denial of what is being reported about the topic
_REPORTS = frozenset(terms("report reports account accounts claim claims allegation allegations"))


def _content(c: BriefClaim) -> frozenset[str]:
    """What the claim says: its content words without its speaker's and its verb."""
    return _content_of(c.proposition, c.speaker or "", c.verb or "")


@lru_cache(maxsize=8192)
def _content_of(proposition: str, speaker: str, verb: str) -> frozenset[str]:
    return frozenset(terms(proposition)) - set(terms(speaker)) - set(terms(verb))


def timeline(claims: Sequence[BriefClaim], groups: Sequence[ClaimGroup]) -> list[TimelineStep]:
    """The claims by date, one step per group and day; a source's new figure names the
    earlier one it replaces."""
    owner = _group_of(groups)
    days: dict[tuple[str, int], list[BriefClaim]] = {}
    for c in sorted(claims, key=reading_order):
        days.setdefault((c.date, owner[c.key].number), []).append(c)
    steps: list[TimelineStep] = []
    last_figure: dict[str, BriefClaim] = {}
    quantity = _main_quantity([c for c in claims if c.figure is not None])
    for (date, number), members in sorted(
        days.items(), key=lambda kv: (kv[0][0], reading_order(kv[1][0]))
    ):
        g = next(g for g in groups if g.number == number)
        updates = None
        head = members[0]
        if head.figure is not None and head.polarity == "for":
            k = f"{head.source_key}|{_quantity(head, quantity)}"
            before = last_figure.get(k)
            if (
                before is not None
                and before.figure is not None
                and before.date < date
                and not before.figure.same_value(head.figure)
            ):
                updates = before
            last_figure[k] = head
        steps.append(TimelineStep(date, g, tuple(members), updates))
    return steps
