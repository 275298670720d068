"""A briefing as a document: header, key claims, conflicts, timeline, what is new, sources.

Every line but a "none found" line cites the claims it names; each part is an Answer (its
lines with ``[n]`` markers and their Citations), so the chat, every export format and
``briefing verify`` read a briefing as they read answers. Quotes are the claims' verbatim
sentences; everything else on a line is composed from metadata (stance, speaker as written,
outlet, date, the normalised figure, the count of independent sources).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant import view
from assistant.brief.analysis import ClaimGroup, Conflict, TimelineStep
from assistant.brief.build import Briefing
from assistant.brief.claims import CITATION_STANCE, LABELS, STANCES, BriefClaim
from assistant.export import schema
from assistant.models import Answer, Citation

KEY_CLAIMS = "Key claims"
CONFLICTS = "Conflicts"
TIMELINE = "Timeline"
SOURCES = "Sources"
NEW_HEADING = "What is new since {since}"
MAX_KEY_CLAIMS = 12
NEW = " (new)"


class _Part:
    """One part's lines and citations, numbering each cited sentence once."""

    def __init__(self, heading: str, groups: Sequence[ClaimGroup]) -> None:
        self.heading = heading
        self.lines: list[str] = []
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}
        self._sources = {c.key: g.independent_sources for g in groups for c in g.claims}

    def cite(self, claims: Sequence[BriefClaim]) -> str:
        markers = []
        for c in claims:
            if c.key not in self._numbers:
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
            markers.append(f"[{self._numbers[c.key]}]")
        return "".join(dict.fromkeys(markers))

    def answer(self) -> Answer:
        return Answer(self.heading, "\n\n".join(self.lines), tuple(self.citations))


def _quote(text: str) -> str:
    return f"“{' '.join(text.split())}”"


def _where(claims: Sequence[BriefClaim]) -> str:
    """ "Valley Courier, 2025-03-03" or "Harbor Times and Coast Gazette, 2025-03-04"."""
    outlets = list(dict.fromkeys(c.outlet for c in claims))
    dates = sorted({c.date or view.UNDATED for c in claims})
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    return f"{_and(outlets)}, {when}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _who(claims: Sequence[BriefClaim]) -> str:
    """ "Claimed by X; stated by Y and Z": each stance once, each source once within it."""
    by_stance: dict[str, dict[str, str]] = {}
    for c in claims:
        by_stance.setdefault(c.stance, {}).setdefault(c.source_key, c.who)
    named = [s for s in STANCES if s in by_stance]
    parts = [
        f"{LABELS[s] if i == 0 else LABELS[s].lower()} {_and(list(by_stance[s].values()))}"
        for i, s in enumerate(named)
    ]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _figure_note(g: ClaimGroup) -> str:
    f = g.head.figure
    return f" (figure: {f.value}{' ' + f.counted if f.counted else ''})" if f else ""


def _new(claims: Sequence[BriefClaim]) -> str:
    return NEW if any(c.new for c in claims) else ""


def _key_line(part: _Part, g: ClaimGroup, updated: set[tuple[str, int, int]]) -> str:
    n = g.independent_sources
    carried = f"carried by {n} independent source{'s' if n != 1 else ''}"
    if len(g.speakers) == 1 and any(c.key in updated for c in g.claims):
        carried += ", since updated by the same source (see the timeline)"
    return (
        f"{_who(g.claims)}{_new(g.claims)} — {carried}{_figure_note(g)}: "
        f"{_quote(g.head.proposition)} {part.cite(g.claims)}"
    )


def _by_source(part: _Part, claims: Sequence[BriefClaim]) -> str:
    """ "Regional governor Ilse Marten (Harbor Times and Coast Gazette, 2025-03-04) [1][2]"
    for each source of ``claims``."""
    sources: dict[str, list[BriefClaim]] = {}
    for c in claims:
        sources.setdefault(c.source_key, []).append(c)
    return "; ".join(f"{cs[0].who} ({_where(cs)}) {part.cite(cs)}" for cs in sources.values())


def _conflict_line(part: _Part, conflict: Conflict) -> str:
    if conflict.kind == "figure":
        sides = [
            f"{g.head.figure.value if g.head.figure else '?'} — {_by_source(part, g.claims)}"
            for g in conflict.sides
        ]
        what = f" of {conflict.subject}" if conflict.subject else ""
        return f"Figures{what} differ: " + " | ".join(sides)
    denial, *claimed = conflict.sides
    against = " | ".join(
        f"{_lower_first(_who(g.claims))} ({_where(g.claims)}): {_quote(g.head.proposition)} "
        f"{part.cite(g.claims)}"
        for g in claimed
    )
    return (
        f"{_who(denial.claims)} ({_where(denial.claims)}): {_quote(denial.head.proposition)} "
        f"{part.cite(denial.claims)} — against: {against}"
    )


def _step_line(part: _Part, step: TimelineStep) -> str:
    update = ""
    if step.updates is not None and step.updates.figure is not None:
        update = (
            f", updating its figure of {step.updates.figure.value} of "
            f"{step.updates.date or view.UNDATED} {part.cite([step.updates])}"
        )
    outlets = _and(list(dict.fromkeys(c.outlet for c in step.claims)))
    return (
        f"{step.date or view.UNDATED} — {_lower_first(_who(step.claims))} "
        f"({outlets}){update}{_new(step.claims)}: "
        f"{_quote(step.claims[0].proposition)} {part.cite(step.claims)}"
    )


def parts(b: Briefing) -> list[tuple[str, Answer]]:
    """(heading, Answer) of each part of the briefing, in reading order."""
    out: list[tuple[str, Answer]] = []
    key = _Part(KEY_CLAIMS, b.groups)
    updated = {s.updates.key for s in b.timeline if s.updates is not None}
    for g in b.groups[:MAX_KEY_CLAIMS]:
        key.lines.append(_key_line(key, g, updated))
    if not key.lines:
        key.lines.append(f"No claims about “{b.topic}” were found in the indexed articles.")
    out.append((KEY_CLAIMS, key.answer()))

    conflicts = _Part(CONFLICTS, b.groups)
    for conflict in b.conflicts:
        conflicts.lines.append(_conflict_line(conflicts, conflict))
    if not conflicts.lines:
        conflicts.lines.append(
            f"No conflicting figures or stances among the {len(b.claims)} claims."
        )
    out.append((CONFLICTS, conflicts.answer()))

    timeline = _Part(TIMELINE, b.groups)
    for step in b.timeline:
        timeline.lines.append(_step_line(timeline, step))
    if timeline.lines:
        out.append((TIMELINE, timeline.answer()))

    if b.new_since is not None:
        heading = NEW_HEADING.format(since=b.new_since)
        new = _Part(heading, b.groups)
        for step in b.timeline:
            fresh = tuple(c for c in step.claims if c.new)
            if fresh:
                new.lines.append(
                    _step_line(new, TimelineStep(step.date, step.group, fresh, step.updates))
                )
        if not new.lines:
            new.lines.append(f"No claims from articles after {b.new_since}.")
        out.append((heading, new.answer()))

    sources = _Part(SOURCES, b.groups)
    firsts = {c.article_id: c for c in reversed(b.claims)}
    for passage, count in b.sources:
        c = firsts[passage.article.id]
        a = passage.article
        sources.lines.append(
            f"{a.source or view.UNKNOWN_PUBLISHER}, {a.published_at or view.UNDATED}: "
            f"{_quote(a.title or view.UNTITLED)} — {count} claim{'s' if count != 1 else ''} "
            f"{sources.cite([c])}"
        )
    if sources.lines:
        out.append((SOURCES, sources.answer()))
    return out


def title(b: Briefing) -> str:
    return f"Briefing: {b.topic}"


def header(b: Briefing) -> str:
    """Topic is the title; this says over what, with which filters, when and new since."""
    f = b.filters
    filters = [
        *(f"publisher {s}" for s in f.sources),
        *([f"since {f.since}"] if f.since else []),
        *([f"until {f.until}"] if f.until else []),
    ]
    items = [
        f"Corpus: {b.articles} articles, {b.paragraphs} paragraphs",
        f"Filters: {', '.join(filters) if filters else 'none'}",
        f"Generated at {b.generated_at}",
        f"{len(b.claims)} claims, {len(b.groups)} statements, {len(b.conflicts)} conflicts",
    ]
    if b.new_since:
        how = " (the last briefing on this topic)" if b.new_since_source == "last briefing" else ""
        items.append(f"New since {b.new_since}{how}: {len(b.new_claims)} claims")
    return " · ".join(items)


def view_of(b: Briefing) -> view.Document:
    return view.from_sections(title(b), header(b), parts(b))


def briefing_out(b: Briefing) -> schema.BriefingOut:
    ids = {c.key: i for i, c in enumerate(b.claims, start=1)}
    group_of = {c.key: g.number for g in b.groups for c in g.claims}
    f = b.filters
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
                    )
                    for x in c.figures
                ],
                new=c.new,
                group=group_of[c.key],
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
            )
            for x in b.conflicts
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
            schema.BriefingSectionOut(heading=h, answer=schema.answer_out(a)) for h, a in parts(b)
        ],
    )


def briefing_json(b: Briefing, indent: int | None = 2) -> str:
    return briefing_out(b).model_dump_json(indent=indent)


def text(b: Briefing) -> str:
    """The briefing as plain text for the terminal: header, parts, and each part's sources."""
    lines = [title(b), header(b), ""]
    for heading, answer in parts(b):
        lines += [heading, "-" * len(heading), answer.text, ""]
        for c in answer.citations:
            a = c.passage.article
            lines.append(
                f"  [{c.number}] {a.source}, {a.published_at or view.UNDATED}, paragraph "
                f"{c.passage.paragraph.index + 1}: {_quote(c.quote)}"
            )
        lines.append("")
    return "\n".join(view.clean(line) for line in lines).rstrip() + "\n"
