"""Corroboration, figures, conflicts and the timeline of a briefing's claims.

- **Groups**: claims that state the same thing (the same figure of the same measure, or
  sentences that support each other word for word) with the same polarity (for, against, if).
  Each counts its independent outlets: a wire copy carried by several outlets, or a second
  article of one outlet, counts once (``extractive.independent_sources``).
- **Facts and figure groups**: every figure a claim states (not one it denies), with what it
  counts (its measure), its scope (whose, where: the measure's vocabulary says which) and its
  time. A figure that says no scope takes the story's usual one for its measure ("12 people
  died" in a story whose deaths are counted in Veldora). Facts of one measure, scope and value
  are one figure group: the rows of the briefing's figures table.
- **Figure conflicts**: two sources give different values of the same measure and scope at
  about the same time (within the measure's days, lexicon/measures.txt), neither having
  changed its own figure in between. A source's new figure is an update (a timeline step),
  and so is another source's figure weeks later. Conflicting values that chain (12,000 then
  10,000 then 8,000) are one conflict.
- **Stance conflicts**: a denial against the claims it denies (the same figure, what it
  denies counted by the claims' figures, the same content words, or "the reports" about the
  topic); a source's denials are one conflict however many times it is reported.
- **Timeline**: every group's claims by date; a figure that replaces the same source's earlier
  one says which it updates.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import attribution
from assistant.backends.extractive import independent_sources
from assistant.brief import vocab
from assistant.brief.claims import (
    BriefClaim,
    claim_lemmas,
    denied_lemmas,
    denied_terms,
    denied_tokens,
    lemmas,
    reading_order,
    source_key,
)
from assistant.brief.figures import Figure, counted_by, place_key
from assistant.citations import negated, supports
from assistant.reader import lexicon
from ingest.text import terms

MAX_OPPOSED = 3  # claim groups a denial is shown against
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
class Fact:
    """One figure one claim states, read in the story: its measure (``Figure.label``), its
    scope key and readable scope, and its date."""

    claim: BriefClaim
    figure: Figure
    measure: str
    scope: str  # the key figures of the measure are compared by ("whose:nation-12")
    where: str  # readable: "Veldora", "world", "Ostmark"
    whose: str  # readable: "Marvian", "North Korean"
    date: str  # ISO: the date the sentence gives, else the article's

    @property
    def key(self) -> tuple[str, int, int, int]:
        c = self.claim
        return (c.passage.id, c.start, c.end, c.figures.index(self.figure))

    @property
    def source(self) -> str:
        """Who stands behind the figure: who the sentence says gave it, else the claim's."""
        if self.figure.said_by:
            return source_key(self.figure.said_by, self.claim.outlet)
        return self.claim.source_key

    @property
    def who(self) -> str:
        return self.figure.said_by or self.claim.who


@dataclass(frozen=True, slots=True)
class FigureGroup:
    """One value of one measure and scope, and every fact that states it: a row of the
    figures table, a side of a figure conflict."""

    number: int  # from 1, in the briefing's order of figure groups
    facts: tuple[Fact, ...]
    independent_sources: int

    @property
    def head(self) -> BriefClaim:
        return self.facts[0].claim

    @property
    def figure(self) -> Figure:
        return self.facts[0].figure

    @property
    def measure(self) -> str:
        return self.facts[0].measure

    @property
    def scope(self) -> str:
        return self.facts[0].scope

    @property
    def claims(self) -> tuple[BriefClaim, ...]:
        return tuple(dict.fromkeys(f.claim for f in self.facts))

    @property
    def speakers(self) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for f in self.facts:
            seen.setdefault(f.source, f.who)
        return tuple(seen.values())

    @property
    def first_date(self) -> str:
        return min(f.date for f in self.facts)

    @property
    def polarity(self) -> str:
        return "for"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources disagreeing: ``kind`` "figure" (``sides`` are the figure groups of one measure
    and scope, ``subject`` says which; ``pairs`` the sides, by index, that conflict) or
    "stance" (the first ``denials`` sides are one source's denials, the others the claim
    groups they deny)."""

    kind: str
    subject: str
    sides: tuple[ClaimGroup | FigureGroup, ...]
    pairs: tuple[tuple[int, int], ...] = ()
    denials: int = 1

    def side_pairs(self) -> list[tuple[ClaimGroup | FigureGroup, ClaimGroup | FigureGroup]]:
        """The pairs of sides that disagree."""
        if self.kind == "figure":
            return [(self.sides[a], self.sides[b]) for a, b in self.pairs]
        return [(d, o) for d in self.sides[: self.denials] for o in self.sides[self.denials :]]


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """On ``date``, the claims of one group (wire copies of one day are one step);
    ``updates``: the same source's earlier, different figure this one replaces."""

    date: str
    group: ClaimGroup
    claims: tuple[BriefClaim, ...]
    updates: BriefClaim | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of a briefing: every fact, its figure groups, and the measures in the
    order a reader meets them (the most carried first)."""

    facts: tuple[Fact, ...] = ()
    groups: tuple[FigureGroup, ...] = ()
    updates: dict[tuple[str, int, int, int], Fact] = field(default_factory=dict)

    def by_measure(self) -> list[tuple[str, list[FigureGroup]]]:
        """(measure and scope as a heading, its figure groups by date)."""
        out: dict[tuple[str, str], list[FigureGroup]] = {}
        for g in self.groups:
            out.setdefault((g.measure, g.scope), []).append(g)
        rows = [
            (heading(gs[0]), sorted(gs, key=lambda g: (g.first_date, g.number)))
            for gs in out.values()
        ]
        return sorted(rows, key=lambda r: (-sum(len(g.facts) for g in r[1]), r[0]))


def heading(g: FigureGroup) -> str:
    """ "troops (Marvian)", "cases (Veldora)", "dollars (budget)"."""
    f = g.facts[0]
    scope = ", ".join(x for x in (f.whose, f.where) if x)
    return f"{f.measure} ({scope})" if scope else f.measure


# -- statements ---------------------------------------------------------------------------------
def same_statement(
    a: BriefClaim, b: BriefClaim, similar: Callable[[str, str], bool] | None = None
) -> bool:
    """``a`` and ``b`` state the same thing with the same polarity."""
    if a.polarity != b.polarity:
        return False
    fa, fb = a.figure, b.figure
    if fa is not None and fb is not None:
        return fa.comparable(fb) and fa.same_value(fb) and _same_place(fa, fb)
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


def _same_place(a: Figure, b: Figure) -> bool:
    """Where and whose, when both figures say them, are the same."""
    for x, y in ((a.where, b.where), (a.whose, b.whose)):
        if x and y and not same_place(x, y):
            return False
    return True


def same_place(a: str, b: str) -> bool:
    ka, kb = place_key(a), place_key(b)
    if ka == kb:
        return True
    # "Pyongyang" and "North Korean": the same nation, one without its side
    sa, _, ba = ka.rpartition(" ")
    sb, _, bb = kb.rpartition(" ")
    return ba == bb and ba.startswith("nation-") and (not sa or not sb)


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


# -- figures --------------------------------------------------------------------------------------
def figures(claims: Sequence[BriefClaim]) -> Figures:
    """Every figure the claims state, read in the story (scopes completed, keys made), in
    figure groups; and for each fact the same source's earlier different one it updates."""
    raw = [
        (c, f)
        for c in sorted(claims, key=reading_order)
        if c.polarity == "for"
        for f in c.figures
        if f.measure
    ]
    names = _Names([f.whose for _, f in raw] + [f.where for _, f in raw])
    usual_whose: dict[str, Counter[str]] = {}
    usual_where: dict[str, Counter[str]] = {}
    for _, f in raw:
        if f.whose:
            usual_whose.setdefault(f.label, Counter())[names.key(f.whose)] += 1
        if f.where:
            usual_where.setdefault(f.label, Counter())[names.key(f.where)] += 1
    facts: list[Fact] = []
    for c, f in raw:
        whose = names.key(f.whose) if f.whose else _usual(usual_whose.get(f.label))
        where = names.key(f.where) if f.where else _usual(usual_where.get(f.label))
        scope = vocab.measure(f.measure).scope
        parts = []
        if scope in ("whose", "both"):
            parts.append(f"whose:{whose}")
        if scope in ("where", "both"):
            parts.append(f"where:{where}")
        facts.append(
            Fact(
                claim=c,
                figure=f,
                measure=f.label,
                scope=" ".join(parts),
                where=names.shown(where) if scope != "whose" else "",
                whose=names.shown(whose) if scope != "where" else "",
                date=f.when or c.date,
            )
        )
    members: list[list[Fact]] = []
    for fact in sorted(facts, key=lambda x: (x.date, reading_order(x.claim))):
        home = next(
            (
                m
                for m in members
                if m[0].measure == fact.measure
                and m[0].scope == fact.scope
                and m[0].figure.same_value(fact.figure)
            ),
            None,
        )
        if home is None:
            members.append([fact])
        else:
            home.append(fact)
    counted = [
        (independent_sources([(x.claim.outlet, x.claim.proposition) for x in m]), m)
        for m in members
    ]
    counted.sort(key=lambda x: (x[1][0].measure, x[1][0].scope, x[1][0].date, x[1][0].figure.low))
    groups = tuple(FigureGroup(i, tuple(m), n) for i, (n, m) in enumerate(counted, start=1))
    updates: dict[tuple[str, int, int, int], Fact] = {}
    for _key, facts_of in _by_key(groups).items():
        last: dict[str, tuple[FigureGroup, Fact]] = {}
        for g, fact in sorted(facts_of, key=lambda x: (x[1].date, reading_order(x[1].claim))):
            source = fact.source
            before = last.get(source)
            if before is not None and before[0] is not g and before[1].date < fact.date:
                updates[fact.key] = before[1]
            if before is None or before[0] is not g:
                last[source] = (g, fact)
    return Figures(tuple(facts), groups, updates)


def _usual(counts: Counter[str] | None) -> str:
    """The scope most figures of a measure say, for one that says none."""
    if not counts:
        return ""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


class _Names:
    """One key for the words of one place or people in a briefing ("Marvian" and "Marvia",
    "Pyongyang" and "North Korean"), and the words shown for it (the most written)."""

    def __init__(self, names: Iterable[str]) -> None:
        written = Counter(n for n in names if n)
        self._key: dict[str, str] = {}
        keys: list[str] = []
        for name, _n in sorted(written.items(), key=lambda kv: (-kv[1], kv[0])):
            home = next((k for k in keys if same_place(k, name)), None)
            if home is None:
                keys.append(name)
                home = name
            self._key[name] = home
        self._shown: dict[str, str] = {}
        for name, _count in sorted(written.items(), key=lambda kv: (-kv[1], kv[0])):
            self._shown.setdefault(self._key[name], name)

    def key(self, name: str) -> str:
        return place_key(self._key.get(name, name))

    def shown(self, key: str) -> str:
        for home, name in self._shown.items():
            if place_key(home) == key:
                return _title(name)
        return _title(key) if not key.startswith("nation-") else ""


def _title(name: str) -> str:
    return "world" if name == "world" else " ".join(w[:1].upper() + w[1:] for w in name.split())


def _by_key(groups: Sequence[FigureGroup]) -> dict[tuple[str, str], list[tuple[FigureGroup, Fact]]]:
    out: dict[tuple[str, str], list[tuple[FigureGroup, Fact]]] = {}
    for g in groups:
        for fact in g.facts:
            out.setdefault((g.measure, g.scope), []).append((g, fact))
    return out


def _days(a: str, b: str) -> int:
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)
    except ValueError:
        return 0 if a == b else 10**6  # undated: only the same (empty) date is near


def figure_conflicts(found: Figures) -> list[Conflict]:
    """Different values of one measure and scope that two sources give at about the same
    time, neither having changed its own figure in between; chained ones are one conflict."""
    out: list[Conflict] = []
    for (measure, _scope), members in _by_key(found.groups).items():
        base = measure.split(" (")[0]
        # a price ("dollars a pound") moves every day: the measures' "price" row
        days = vocab.measure("price" if " a " in base else base).days
        if any(not g.figure.measure or _unknown_of(g.figure) for g, _ in members):
            continue
        # each source's first statement of each value, and when it next said another value
        said: dict[tuple[int, str], str] = {}
        order: dict[str, list[tuple[str, int]]] = {}
        for g, fact in sorted(members, key=lambda x: (x[1].date, x[0].number)):
            source = fact.source
            if (g.number, source) not in said:
                said[(g.number, source)] = fact.date
            order.setdefault(source, []).append((fact.date, g.number))
        # a value stands until one of its sources gives another (a restated figure falls
        # with the figure it restates: "640 cases by Tuesday" after the ministry's 1,480)
        until: dict[int, str] = {}
        for (number, source), since in said.items():
            later = [d for d, n in order[source] if n != number and d > since]
            if later:
                until[number] = min(until.get(number, "9999-12-31"), min(later))
        groups = {g.number: g for g, _ in members}
        pairs: set[tuple[int, int]] = set()
        for (na, sa), (nb, sb) in itertools.combinations(sorted(said), 2):
            if na == nb or sa == sb:
                continue
            ta, tb = said[(na, sa)], said[(nb, sb)]
            if _days(ta, tb) > days:
                continue
            if tb >= until.get(na, "9999-12-31") or ta >= until.get(nb, "9999-12-31"):
                continue
            if groups[na].figure.same_value(groups[nb].figure):
                continue
            pairs.add((min(na, nb), max(na, nb)))
        for component in _components(pairs):
            sides = sorted((groups[n] for n in component), key=lambda g: (g.figure.low, g.number))
            index = {g.number: i for i, g in enumerate(sides)}
            within = sorted(
                (index[a], index[b]) if index[a] < index[b] else (index[b], index[a])
                for a, b in pairs
                if a in index and b in index
            )
            out.append(Conflict("figure", heading(sides[0]), tuple(sides), tuple(within)))
    return out


def _unknown_of(f: Figure) -> bool:
    """Money, a percentage or a unit whose sentence does not say what it is of: compared
    with nothing ("$400,000" of what? "25%" of what?)."""
    money = f.measure.split()[0] in vocab.currencies().values()
    unit = f.counted in vocab.units()
    return (money or unit or f.measure == "percent") and not f.of


def _components(pairs: set[tuple[int, int]]) -> list[list[int]]:
    home: dict[int, int] = {}

    def find(x: int) -> int:
        while home.setdefault(x, x) != x:
            x = home[x]
        return x

    for a, b in sorted(pairs):
        home[find(a)] = find(b)
    out: dict[int, list[int]] = {}
    for x in sorted(home):
        out.setdefault(find(x), []).append(x)
    return sorted(out.values())


# -- conflicts ------------------------------------------------------------------------------------
def conflicts(
    claims: Sequence[BriefClaim],
    groups: Sequence[ClaimGroup],
    topic: str = "",
    found: Figures | None = None,
) -> list[Conflict]:
    """Figure conflicts, then each source's denials against what they deny (``topic``: the
    briefing's topic, whose words alone do not make a denial about a claim)."""
    found = found if found is not None else figures(claims)
    out = figure_conflicts(found)
    topic_words, topic_lemmas = set(terms(topic)), _topic_lemmas(topic)
    by_denier: dict[str, list[ClaimGroup]] = {}
    for g in groups:
        if g.polarity == "against":
            by_denier.setdefault(g.head.source_key, []).append(g)
    for denials in by_denier.values():
        opposed = [
            o
            for o in groups
            if o.polarity == "for"
            and any(
                _denies(d, c, topic_words, topic_lemmas, found)
                for g in denials
                for d in g.claims
                for c in o.claims
            )
        ]
        own = {c.source_key for g in denials for c in g.claims}
        opposed = [o for o in opposed if o.head.source_key not in own]
        if opposed:
            opposed.sort(key=lambda o: (-o.independent_sources, o.number))
            denials = sorted(denials, key=lambda g: (g.first_date, g.number))
            out.append(
                Conflict(
                    "stance",
                    denials[0].head.proposition,
                    (*denials, *opposed[:MAX_OPPOSED]),
                    denials=len(denials),
                )
            )
    return out


def _denies(
    denial: BriefClaim,
    claim: BriefClaim,
    topic: set[str],
    topic_lemmas: frozenset[str],
    found: Figures,
) -> bool:
    """The denial is about the claim: the same figure of the same measure; or what it denies
    counts what the claim's figures count ("denied that any Marvian soldiers were in
    Kestria" against "6,000 Marvian troops crossed"); or (a denial without a figure) two
    content words in common besides who speaks, the verb and the topic's own words ("denied
    that any arms transfers took place" is not about a claim that troops were sent, though
    both name North Korea and Russia); or a denial of "the reports" about the topic itself,
    against a claim about the topic."""
    if denial.figure is not None:
        f = claim.figure
        return f is not None and denial.figure.comparable(f) and denial.figure.same_value(f)
    if _denies_theirs(denial, claim):
        return True
    counted = _denied_counts(denial)
    if counted:
        for fact in found.facts:
            if fact.claim is claim and any(
                fact.figure.measure == m
                and (not w or not fact.figure.whose or same_place(w, fact.figure.whose))
                for m, w in counted
            ):
                return True
    said = (_same_words(denied_lemmas(denial)) & _same_words(claim_lemmas(claim))) - _same_words(
        topic_lemmas
    )
    if len(said) >= MIN_SHARED_TERMS:
        return True
    own, theirs = denied_terms(denial), _content(claim)
    return (
        bool(own & _REPORTS)
        and len(own & topic) >= MIN_SHARED_TERMS
        and len(theirs & topic) >= MIN_SHARED_TERMS
    )


def _denies_theirs(denial: BriefClaim, claim: BriefClaim) -> bool:
    """ "Brell rejected the aid group's figures": a denial of what a named source says (its
    figures, reports, claims) is against that source's claims ("The aid group Open
    Clinics said ... 2,300 cases")."""
    if not claim.speaker:
        return False
    theirs = set(terms(claim.speaker))
    for t in denied_tokens(denial):
        if t.lemma_.lower() not in _THEIR_WORDS:
            continue
        for owner in (c for c in t.children if c.dep_ == "poss"):
            words = set(terms(" ".join(w.text for w in owner.subtree)))
            if words & theirs:
                return True
    return False


# what a source says, as a denial names it: "the aid group's figures" (lexicon/said_words.txt)
_THEIR_WORDS = frozenset(w for (w,) in lexicon.rows("said_words"))


def _denied_counts(denial: BriefClaim) -> list[tuple[str, str]]:
    """(measure, whose) of what a denial denies, when it names what figures count ("denied
    that any Marvian soldiers were on Kestrian soil": Marvian troops)."""
    out = []
    for t in denied_tokens(denial):
        measure, whose = counted_by(t)
        if measure:
            out.append((measure, whose))
    return out


def _same_words(words: frozenset[str]) -> frozenset[str]:
    """Lemmas with one word for one thing: "soldier" and "troop" (what figures count),
    "Kestrian" and "Kestria" (a people and its place)."""
    counted = vocab.measure_of_noun()
    return frozenset(place_key(counted.get(w, w)) for w in words)


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


# -- timeline -------------------------------------------------------------------------------------
def timeline(
    claims: Sequence[BriefClaim], groups: Sequence[ClaimGroup], found: Figures | None = None
) -> list[TimelineStep]:
    """The claims by date, one step per group and day; a source's new figure names the
    earlier one it replaces."""
    found = found if found is not None else figures(claims)
    owner = _group_of(groups)
    days: dict[tuple[str, int], list[BriefClaim]] = {}
    for c in sorted(claims, key=reading_order):
        days.setdefault((c.date, owner[c.key].number), []).append(c)
    first_fact: dict[tuple[str, int, int], Fact] = {}
    for fact in found.facts:
        first_fact.setdefault(fact.claim.key, fact)
    numbers = {g.number: g for g in groups}
    steps: list[TimelineStep] = []
    for (date, number), members in sorted(
        days.items(), key=lambda kv: (kv[0][0], reading_order(kv[1][0]))
    ):
        head = members[0]
        first = first_fact.get(head.key)
        before = found.updates.get(first.key) if first is not None else None
        updates = before.claim if before is not None and before.claim.date <= date else None
        steps.append(TimelineStep(date, numbers[number], tuple(members), updates))
    return steps
