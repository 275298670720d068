"""A briefing as a document an analyst reads in two minutes: a header line; the figures, a
table per measure with a small chart over time; the conflicts, one compact row each (one
short quote a side); the key claims, drawn across outlets and dates; the timeline (collapsed
where the medium can collapse); the sources, each article once.

``layout(b)`` is what every presentation lays out (the chat, the CLI text, Markdown, HTML,
DOCX, PDF): plain, untrusted strings that each renderer escapes for its medium. Citations
are numbered once for the whole briefing ([n] is the same sentence wherever it is shown);
quotes are the claims' verbatim sentences, shortened on screen ("…") but cited whole.
``parts(b)`` gives the same lines as Answers (their text with the markers, their
Citations): the JSON export's sections, which ``briefing verify`` rebuilds and compares.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant import view
from assistant.brief.analysis import ClaimGroup, Conflict, Fact, FigureGroup, TimelineStep
from assistant.brief.build import Briefing
from assistant.brief.claims import CITATION_STANCE, LABELS, STANCES, BriefClaim
from assistant.export import schema
from assistant.models import Answer, Citation

FIGURES = "Figures"
CONFLICTS = "Conflicts"
KEY_CLAIMS = "Key claims"
TIMELINE = "Timeline"
SOURCES = "Sources"
NEW_HEADING = "What is new since {since}"
MAX_KEY_CLAIMS = 8
MAX_PER_ARTICLE = 2  # key claims from one article
MAX_PER_OUTLET = 3  # key claims from one outlet
MAX_PER_SOURCE = 2  # key claims of one speaker (one when only on topic)
MAX_CHIPS = 3  # citations shown on a line (the rest are counted: "5 independent sources")
QUOTE_CHARS = 150  # a quote shown longer than this is shortened around what matters
NEW = " (new)"
# why a claim is a key claim
CORROBORATED, NEWEST, CONTESTED, RELEVANT = "most corroborated", "newest", "contested", "on topic"


# -- the layout -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Row:
    """A row of a figures table: a value, who gave it first, where and when; its citation."""

    value: str
    who: str
    outlet: str
    date: str
    chips: tuple[int, ...]
    note: str = ""  # "+3 sources", "update of 10,000"


@dataclass(frozen=True, slots=True)
class Point:
    """A figure on the chart of its measure: when, its range, whose (a series)."""

    date: str
    low: float
    high: float
    series: str


@dataclass(frozen=True, slots=True)
class Table:
    heading: str  # "troops (North Korean)"
    rows: tuple[Row, ...]
    points: tuple[Point, ...]
    contested: bool


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a conflict: its figure or stance, who, where and when, one short quote."""

    label: str  # "8,000" or "Denied by"
    who: str
    outlet: str
    date: str
    quote: str
    chips: tuple[int, ...]
    more: int = 0  # other reports of the same side, cited but not quoted


@dataclass(frozen=True, slots=True)
class ConflictRow:
    kind: str  # "figure" or "stance"
    subject: str  # the measure of a figure conflict, the denier of a stance conflict
    sides: tuple[Side, ...]  # figure: the values; stance: the denial, then what it denies
    denials: int = 0  # stance: how many of the sides are the denial (one)


@dataclass(frozen=True, slots=True)
class KeyLine:
    who: str  # "Confirmed by X; claimed by Y"
    quote: str
    chips: tuple[int, ...]
    sources: int
    why: tuple[str, ...]  # most corroborated, newest, contested, on topic
    new: bool = False


@dataclass(frozen=True, slots=True)
class StepLine:
    date: str
    who: str
    outlets: str
    quote: str
    chips: tuple[int, ...]
    update: str = ""  # "updating its figure of 10,000 of 2024-10-22"
    update_chips: tuple[int, ...] = ()
    new: bool = False


@dataclass(frozen=True, slots=True)
class SourceLine:
    outlet: str
    date: str
    title: str
    url: str | None
    claims: int
    chips: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    title: str
    header: str
    figures: tuple[Table, ...]
    conflicts: tuple[ConflictRow, ...]
    key: tuple[KeyLine, ...]
    timeline: tuple[StepLine, ...]
    new: tuple[StepLine, ...] | None  # None: no "new since" asked or remembered
    new_heading: str
    sources: tuple[SourceLine, ...]
    citations: tuple[Citation, ...]  # every [n], once, by number
    empty: str = ""  # what to say when no claim was found

    def citation(self, n: int) -> Citation:
        return self.citations[n - 1]


class _Numbers:
    """One number per cited sentence for the whole briefing, in the order they are shown."""

    def __init__(self, groups: Sequence[ClaimGroup]) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}
        self._sources = {c.key: g.independent_sources for g in groups for c in g.claims}

    def cite(self, claims: Sequence[BriefClaim]) -> tuple[int, ...]:
        out: list[int] = []
        for c in claims:
            n = self._numbers.get(c.key)
            if n is None:
                n = len(self.citations) + 1
                self._numbers[c.key] = n
                self.citations.append(
                    Citation(
                        number=n,
                        passage=c.passage,
                        quote=c.proposition,
                        quote_start=c.start,
                        quote_end=c.end,
                        speaker=c.speaker,
                        stance=CITATION_STANCE[c.stance],
                        sources_count=self._sources.get(c.key, 1),
                    )
                )
            if n not in out:
                out.append(n)
        return tuple(out)

    def of(self, claim: BriefClaim) -> int | None:
        return self._numbers.get(claim.key)


def layout(b: Briefing) -> Layout:
    """Everything the briefing shows, in reading order, with its citations numbered."""
    names = _Names(b.claims)
    numbers = _Numbers(b.groups)
    contested = {
        (side.measure, side.scope)
        for x in b.conflicts
        if x.kind == "figure"
        for side in x.sides
        if isinstance(side, FigureGroup)
    }
    tables = tuple(
        _table(heading, groups, b, names, numbers, contested)
        for heading, groups in b.figures.by_measure()
    )
    conflicts = tuple(_conflict(x, names, numbers) for x in b.conflicts)
    key = tuple(_key_line(g, why, names, numbers) for g, why in key_groups(b)[:MAX_KEY_CLAIMS])
    timeline = tuple(_step(s, s.claims, names, numbers) for s in b.timeline)
    new: tuple[StepLine, ...] | None = None
    if b.new_since is not None:
        new = tuple(
            _step(s, fresh, names, numbers)
            for s in b.timeline
            if (fresh := tuple(c for c in s.claims if c.new))
        )
    sources = tuple(_source_line(p, n, b, numbers) for p, n in b.sources)
    return Layout(
        title=title(b),
        header=header(b),
        figures=tables,
        conflicts=conflicts,
        key=key,
        timeline=timeline,
        new=new,
        new_heading=NEW_HEADING.format(since=b.new_since) if b.new_since else "",
        sources=sources,
        citations=tuple(numbers.citations),
        empty=f"No claims about “{b.topic}” were found in the indexed articles."
        if not b.claims
        else "",
    )


class _Names:
    """How each source is named throughout a briefing: its fullest name in it ("Pentagon
    spokesperson Sabrina Singh", not "Singh"), within reason."""

    def __init__(self, claims: Sequence[BriefClaim]) -> None:
        from assistant.brief.claims import source_key

        best: dict[str, str] = {}
        for c in claims:
            for name in (c.speaker, *(f.said_by for f in c.figures)):
                if not name:
                    continue
                key = source_key(name, c.outlet)
                known = best.get(key)
                if known is None or (len(known) < len(name) <= 70):
                    best[key] = name
        self._best = best

    def of(self, claim: BriefClaim) -> str:
        return self._best.get(claim.source_key, claim.who) if claim.speaker else claim.who

    def fact(self, fact: Fact) -> str:
        return self._best.get(fact.source, fact.who)


def _table(
    heading: str,
    groups: Sequence[FigureGroup],
    b: Briefing,
    names: _Names,
    numbers: _Numbers,
    contested: set[tuple[str, str]],
) -> Table:
    rows = []
    points = []
    for g in groups:
        first = g.facts[0]
        others = len({f.source for f in g.facts}) - 1
        update = b.figures.updates.get(first.key)
        note = f"+{others} source{'s' if others != 1 else ''}" if others else ""
        if update is not None:
            note = ", ".join(x for x in (f"update of {update.figure.shown}", note) if x)
        rows.append(
            Row(
                value=first.figure.shown,
                who=names.fact(first),
                outlet=first.claim.outlet,
                date=first.date or view.UNDATED,
                chips=numbers.cite([first.claim]),
                note=note,
            )
        )
        seen: set[str] = set()
        for f in g.facts:
            if f.source in seen or not f.date:
                continue
            seen.add(f.source)
            points.append(Point(f.date, f.figure.low, f.figure.high, names.fact(f)))
    key = (groups[0].measure, groups[0].scope)
    return Table(heading, tuple(rows), tuple(sorted(points, key=_point_key)), key in contested)


def _point_key(p: Point) -> tuple[str, float, str]:
    return (p.date, p.low, p.series)


def short(text: str, focus: str = "", limit: int = QUOTE_CHARS) -> str:
    """The quote as shown: whole when short, else the words around ``focus`` (a figure) or
    its start, cut at word boundaries with "…" where words are left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    at = text.find(focus) if focus else -1
    if at < 0:
        cut = text[:limit].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + " …"
    start = max(0, at - limit // 3)
    end = min(len(text), start + limit)
    start = max(0, end - limit)
    piece = text[start:end]
    if start > 0:
        piece = "… " + piece.split(" ", 1)[-1]
    if end < len(text):
        piece = piece.rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return piece


def _conflict(x: Conflict, names: _Names, numbers: _Numbers) -> ConflictRow:
    if x.kind == "figure":
        sides = []
        for g in x.sides:
            assert isinstance(g, FigureGroup)
            first = g.facts[0]
            sides.append(
                Side(
                    label=first.figure.shown,
                    who=names.fact(first),
                    outlet=first.claim.outlet,
                    date=first.date or view.UNDATED,
                    quote=short(first.claim.proposition, first.figure.text),
                    chips=numbers.cite([first.claim]),
                    more=len({f.claim.article_id for f in g.facts}) - 1,
                )
            )
        return ConflictRow("figure", x.subject, tuple(sides))
    denials = [g for g in x.sides[: x.denials] if isinstance(g, ClaimGroup)]
    claims = [c for g in denials for c in g.claims]
    head = min(claims, key=lambda c: (c.date, c.outlet))
    denial = Side(
        label=LABELS[head.stance],
        who=names.of(head),
        outlet=head.outlet,
        date=head.date or view.UNDATED,
        quote=short(head.proposition),
        chips=numbers.cite([head]),
        more=len({c.article_id for c in claims}) - 1,
    )
    against = []
    for g in x.sides[x.denials :]:
        c = g.head
        against.append(
            Side(
                label=LABELS[c.stance],
                who=names.of(c),
                outlet=c.outlet,
                date=c.date or view.UNDATED,
                quote=short(c.proposition, c.figure.text if c.figure else ""),
                chips=numbers.cite([c]),
                more=len({o.article_id for o in g.claims}) - 1,
            )
        )
    return ConflictRow("stance", names.of(head), (denial, *against), denials=1)


def key_groups(b: Briefing) -> list[tuple[ClaimGroup, tuple[str, ...]]]:
    """The key claims: what most sources carry, what is newest and what is contested, each
    on the topic (the reader model's relevance), drawn across articles and outlets (at most
    ``MAX_PER_ARTICLE`` from one article and ``MAX_PER_OUTLET`` from one outlet)."""
    if not b.groups:
        return []
    contested: set[int] = set()
    owner = {c.key: g for g in b.groups for c in g.claims}
    for x in b.conflicts:
        for side in x.sides:
            for c in side.claims:
                contested.add(owner[c.key].number)
    latest = max(g.first_date for g in b.groups)

    def topical(g: ClaimGroup) -> float:
        scores = [c.relevance for c in g.claims if c.relevance is not None]
        return max(scores) if scores else 0.5

    def weight(g: ClaimGroup) -> float:
        return topical(g) * (1 + math.log2(1 + g.independent_sources))

    reasons: dict[int, list[str]] = {}
    ranked = sorted(b.groups, key=lambda g: (-weight(g), g.number))
    corroborated = sorted(
        (g for g in b.groups if g.independent_sources > 1),
        key=lambda g: (-g.independent_sources, -topical(g), g.number),
    )
    for g in corroborated[:3]:
        reasons.setdefault(g.number, []).append(CORROBORATED)
    newest = sorted(
        (g for g in b.groups if topical(g) >= 0.1 or g.head.relevance is None),
        key=lambda g: (g.first_date, topical(g)),
        reverse=True,
    )
    for g in newest[:2]:
        if g.first_date >= latest or len(newest) <= 2:
            reasons.setdefault(g.number, []).append(NEWEST)
    for g in sorted(
        (g for g in b.groups if g.number in contested), key=lambda g: (-weight(g), g.number)
    )[:3]:
        reasons.setdefault(g.number, []).append(CONTESTED)
    order = [g for g in ranked if g.number in reasons] + [
        g for g in ranked if g.number not in reasons
    ]
    picked: list[tuple[ClaimGroup, tuple[str, ...]]] = []
    per_article: dict[str, int] = {}
    per_outlet: dict[str, int] = {}
    per_source: dict[str, int] = {}
    for g in order:
        article, outlet, source = g.head.article_id, g.head.outlet, g.head.source_key
        why = tuple(reasons.get(g.number, [RELEVANT]))
        if per_article.get(article, 0) >= MAX_PER_ARTICLE:
            continue
        if per_outlet.get(outlet, 0) >= MAX_PER_OUTLET:
            continue
        if per_source.get(source, 0) >= (1 if why == (RELEVANT,) else MAX_PER_SOURCE):
            continue
        picked.append((g, why))
        per_article[article] = per_article.get(article, 0) + 1
        per_outlet[outlet] = per_outlet.get(outlet, 0) + 1
        per_source[source] = per_source.get(source, 0) + 1
        if len(picked) >= MAX_KEY_CLAIMS:
            break
    return picked


def _who(claims: Sequence[BriefClaim], names: _Names) -> str:
    """ "Claimed by X; stated by Y and Z": each stance once, each source once within it."""
    by_stance: dict[str, dict[str, str]] = {}
    for c in claims:
        by_stance.setdefault(c.stance, {}).setdefault(c.source_key, names.of(c))
    named = [s for s in STANCES if s in by_stance]
    parts = [
        f"{LABELS[s] if i == 0 else LABELS[s].lower()} {_and(list(by_stance[s].values()))}"
        for i, s in enumerate(named)
    ]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else ""


def _and(items: Sequence[str]) -> str:
    if len(items) > 3:
        return f"{', '.join(items[:2])} and {len(items) - 2} others"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _key_line(g: ClaimGroup, why: tuple[str, ...], names: _Names, numbers: _Numbers) -> KeyLine:
    head = g.head
    return KeyLine(
        who=_who(g.claims, names),
        quote=short(head.proposition, head.figure.text if head.figure else ""),
        chips=numbers.cite(_one_per_article(g.claims)[:MAX_CHIPS]),
        sources=g.independent_sources,
        why=why,
        new=any(c.new for c in g.claims),
    )


def _one_per_article(claims: Sequence[BriefClaim]) -> list[BriefClaim]:
    seen: dict[str, BriefClaim] = {}
    for c in claims:
        seen.setdefault(c.article_id, c)
    return list(seen.values())


def _step(
    step: TimelineStep, claims: Sequence[BriefClaim], names: _Names, numbers: _Numbers
) -> StepLine:
    update, update_chips = "", tuple[int, ...]()
    if step.updates is not None and step.updates.figure is not None:
        update = (
            f"updating its figure of {step.updates.figure.shown} of "
            f"{step.updates.date or view.UNDATED}"
        )
    head = claims[0]
    chips = numbers.cite(claims)
    if update:
        update_chips = numbers.cite([step.updates]) if step.updates is not None else ()
    return StepLine(
        date=step.date or view.UNDATED,
        who=_who(claims, names),
        outlets=_and(list(dict.fromkeys(c.outlet for c in claims))),
        quote=short(head.proposition, head.figure.text if head.figure else ""),
        chips=chips,
        update=update,
        update_chips=update_chips,
        new=any(c.new for c in claims),
    )


def _source_line(passage: object, count: int, b: Briefing, numbers: _Numbers) -> SourceLine:
    from vectorstore.models import Passage

    assert isinstance(passage, Passage)
    a = passage.article
    cited = sorted(n for c in b.claims if c.article_id == a.id and (n := numbers.of(c)) is not None)
    return SourceLine(
        outlet=a.source or view.UNKNOWN_PUBLISHER,
        date=a.published_at or view.UNDATED,
        title=a.title or view.UNTITLED,
        url=a.url,
        claims=count,
        chips=tuple(cited),
    )


# -- the header ---------------------------------------------------------------------------------
def title(b: Briefing) -> str:
    return f"Briefing: {b.topic}"


def header(b: Briefing) -> str:
    """One line: the corpus, what the briefing read (articles, outlets, dates), its counts,
    its filters and what is new since."""
    articles = {c.article_id for c in b.claims}
    outlets = {c.outlet for c in b.claims}
    dates = sorted(c.date for c in b.claims if c.date)
    span = f"{dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else ""
    span = span or (dates[0] if dates else "undated")
    figure_conflicts = sum(1 for x in b.conflicts if x.kind == "figure")
    items = [
        f"{len(articles)} articles from {len(outlets)} outlets, {span}",
        f"{len(b.claims)} claims, {len(b.figures.groups)} figures, "
        f"{figure_conflicts} figure and {len(b.conflicts) - figure_conflicts} stance conflicts",
        f"corpus {b.articles} articles, {b.paragraphs} paragraphs",
    ]
    f = b.filters
    filters = [
        *(f"publisher {s}" for s in f.sources),
        *([f"since {f.since}"] if f.since else []),
        *([f"until {f.until}"] if f.until else []),
    ]
    if filters:
        items.append("filters: " + ", ".join(filters))
    if b.new_since:
        how = " (the last briefing on this topic)" if b.new_since_source == "last briefing" else ""
        items.append(f"{len(b.new_claims)} new since {b.new_since}{how}")
    items.append(f"generated {b.generated_at}")
    return " · ".join(items)


# -- lines of text (the JSON sections, the terminal) -------------------------------------------
def markers(chips: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in chips)


def _q(text: str) -> str:
    return f"“{text}”"


def row_text(r: Row) -> str:
    note = f" ({r.note})" if r.note else ""
    return f"{r.value} — {r.who}, {r.outlet}, {r.date}{note} {markers(r.chips)}"


def table_text(t: Table) -> str:
    mark = " (contested)" if t.contested else ""
    return f"{t.heading}{mark}: " + " · ".join(row_text(r) for r in t.rows)


def side_text(s: Side) -> str:
    more = f", +{s.more} more" if s.more else ""
    who = f"{s.label} {s.who}" if s.label.endswith(" by") else f"{s.label} — {s.who}"
    return f"{who} ({s.outlet}, {s.date}{more}) {_q(s.quote)} {markers(s.chips)}"


def conflict_text(x: ConflictRow) -> str:
    if x.kind == "figure":
        return f"{x.subject}: " + " | ".join(side_text(s) for s in x.sides)
    denial, *against = x.sides
    return side_text(denial) + " — against: " + " | ".join(side_text(s) for s in against)


def key_text(k: KeyLine) -> str:
    sources = f"{k.sources} independent source{'s' if k.sources != 1 else ''}"
    new = NEW if k.new else ""
    return f"{k.who}{new} ({sources}; {', '.join(k.why)}): {_q(k.quote)} {markers(k.chips)}"


def step_text(s: StepLine) -> str:
    update = f", {s.update} {markers(s.update_chips)}" if s.update else ""
    new = NEW if s.new else ""
    who = s.who[:1].lower() + s.who[1:]
    return f"{s.date} — {who} ({s.outlets}){update}{new}: {_q(s.quote)} {markers(s.chips)}"


def source_text(s: SourceLine) -> str:
    claims = f"{s.claims} claim{'s' if s.claims != 1 else ''}"
    return f"{s.outlet}, {s.date}: {_q(s.title)} — {claims} {markers(s.chips)}"


@dataclass
class _Part:
    heading: str
    lines: list[str] = field(default_factory=list)

    def answer(self, lay: Layout) -> Answer:
        text = "\n\n".join(self.lines)
        used = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
        return Answer(self.heading, text, tuple(lay.citation(n) for n in used))


def parts(b: Briefing, lay: Layout | None = None) -> list[tuple[str, Answer]]:
    """(heading, Answer) of each part of the briefing, in reading order: what the JSON
    export records and ``briefing verify`` rebuilds."""
    lay = lay or layout(b)
    figures = _Part(FIGURES, [table_text(t) for t in lay.figures])
    conflicts = _Part(CONFLICTS, [conflict_text(x) for x in lay.conflicts])
    if not conflicts.lines:
        conflicts.lines.append(
            f"No conflicting figures or stances among the {len(b.claims)} claims."
        )
    key = _Part(KEY_CLAIMS, [key_text(k) for k in lay.key] or [lay.empty])
    out = [(CONFLICTS, conflicts.answer(lay)), (KEY_CLAIMS, key.answer(lay))]
    if figures.lines:
        out.insert(0, (FIGURES, figures.answer(lay)))
    if lay.new is not None:
        lines = [step_text(s) for s in lay.new] or [f"No claims from articles after {b.new_since}."]
        out.append((lay.new_heading, _Part(lay.new_heading, lines).answer(lay)))
    if lay.timeline:
        out.append((TIMELINE, _Part(TIMELINE, [step_text(s) for s in lay.timeline]).answer(lay)))
    if lay.sources:
        out.append((SOURCES, _Part(SOURCES, [source_text(s) for s in lay.sources]).answer(lay)))
    return out


def view_of(b: Briefing) -> view.Document:
    return view.from_sections(title(b), header(b), parts(b))


# -- the JSON record ------------------------------------------------------------------------------
def briefing_out(b: Briefing) -> schema.BriefingOut:
    ids = {c.key: i for i, c in enumerate(b.claims, start=1)}
    group_of = {c.key: g.number for g in b.groups for c in g.claims}
    f = b.filters
    lay = layout(b)
    return schema.BriefingOut(
        topic=b.topic,
        generated_at=b.generated_at,
        corpus={"articles": b.articles, "paragraphs": b.paragraphs},
        filters={
            "sources": list(f.sources),
            "since": f.since.isoformat() if f.since else None,
            "until": f.until.isoformat() if f.until else None,
        },
        new_since=b.new_since,
        relevance_model=b.relevance_model,
        claims=[
            schema.BriefClaimOut(
                id=ids[c.key],
                proposition=c.proposition,
                speaker=c.speaker,
                stance=c.stance,
                outlet=c.outlet,
                published_at=c.passage.article.published_at,
                article_id=c.article_id,
                paragraph_id=c.passage.id,
                quote_start=c.start,
                quote_end=c.end,
                figures=[
                    schema.FigureOut(
                        text=x.text,
                        low=x.low,
                        high=x.high,
                        approximate=x.approximate,
                        counted=x.counted,
                        measure=x.label,
                        whose=x.whose,
                        where=x.where,
                        when=x.when,
                        said_by=x.said_by,
                    )
                    for x in c.figures
                ],
                new=c.new,
                group=group_of[c.key],
                relevance=c.relevance,
            )
            for c in b.claims
        ],
        groups=[
            schema.ClaimGroupOut(
                number=g.number,
                claims=[ids[c.key] for c in g.claims],
                independent_sources=g.independent_sources,
                speakers=list(g.speakers),
            )
            for g in b.groups
        ],
        conflicts=[
            schema.ConflictOut(
                kind="figure" if x.kind == "figure" else "stance",
                subject=x.subject,
                groups=[g.number for g in x.sides],
                pairs=[list(p) for p in x.pairs],
                denials=x.denials if x.kind == "stance" else 0,
            )
            for x in b.conflicts
        ],
        figures=[
            schema.FigureGroupOut(
                number=g.number,
                measure=g.measure,
                scope=g.scope,
                value=g.figure.shown,
                facts=[
                    schema.FactOut(
                        claim=ids[fact.claim.key],
                        figure=fact.claim.figures.index(fact.figure),
                        date=fact.date,
                        source=fact.source,
                    )
                    for fact in g.facts
                ],
                independent_sources=g.independent_sources,
            )
            for g in b.figures.groups
        ],
        timeline=[
            schema.TimelineStepOut(
                date=s.date,
                group=s.group.number,
                claims=[ids[c.key] for c in s.claims],
                updates=ids[s.updates.key] if s.updates is not None else None,
            )
            for s in b.timeline
        ],
        sections=[
            schema.BriefingSectionOut(heading=h, answer=schema.answer_out(a))
            for h, a in parts(b, lay)
        ],
    )


def briefing_json(b: Briefing, indent: int | None = 2) -> str:
    return briefing_out(b).model_dump_json(indent=indent)


def text(b: Briefing) -> str:
    """The briefing as plain text for the terminal: the header line, each part's lines (the
    timeline last but the sources), and the cited sentences once, by number."""
    from assistant.brief import render

    return render.text(layout(b))


# -- the chat's summary ---------------------------------------------------------------------------
SUMMARY_CONFLICTS = 2
SUMMARY_KEY_CLAIMS = 3
FULL_VIEW = "The figures, the timeline and every source are in the Briefing view."


def summary(b: Briefing, question: str) -> Answer:
    """The briefing in a few lines for the chat ("Summarize what happened"): what it read,
    its first conflicts and key claims, each cited, and where the full briefing is."""
    names = _Names(b.claims)
    numbers = _Numbers(b.groups)
    figure_conflicts = sum(1 for x in b.conflicts if x.kind == "figure")
    articles = len({c.article_id for c in b.claims})
    outlets = len({c.outlet for c in b.claims})
    if not b.claims:
        return Answer(question, f"No claims about “{b.topic}” were found in the indexed articles.")
    dates = sorted(c.date for c in b.claims if c.date)
    span = f", {dates[0]} to {dates[-1]}" if dates else ""
    lines = [
        f"Briefing on “{b.topic}”: {len(b.claims)} claims from {articles} articles of "
        f"{outlets} outlets{span}; {figure_conflicts} figure and "
        f"{len(b.conflicts) - figure_conflicts} stance conflicts."
    ]
    for x in b.conflicts[:SUMMARY_CONFLICTS]:
        lines.append("Conflict: " + conflict_text(_conflict(x, names, numbers)))
    for g, why in key_groups(b)[:SUMMARY_KEY_CLAIMS]:
        lines.append("Key claim: " + key_text(_key_line(g, why, names, numbers)))
    lines.append(FULL_VIEW)
    return Answer(question, "\n\n".join(lines), tuple(numbers.citations))
