"""The answer's text: the lead (the direct answer line) first, then the supporting quotes,
each with its markers; every citation is a verbatim sentence at its offsets. The only
composed words are lead-ins built from citation metadata (speaker, outlet, date, stance,
count of independent sources)."""

from __future__ import annotations

from dataclasses import replace

from assistant import attribution
from assistant.citations import numbers_in
from assistant.models import Answer, Citation, Stance, Trace
from assistant.question import Question
from assistant.reader.evidence import Scored
from assistant.reader.lead import Lead
from assistant.reader.quotes import Group, independent_sources
from assistant.sentences import Sentence
from vectorstore.models import Hit

MAX_LEAD_QUOTES = 3  # quotes under a lead that cites several sentences


def reading_order(groups: list[Group]) -> list[Group]:
    """The best claim first, then the rest as the articles tell them: by date, article and
    position."""
    if len(groups) < 3:
        return groups

    def place(g: Group) -> tuple[str, str, int, int]:
        s = g.head.sentence
        return (
            s.hit.article.published_at or "",
            s.hit.article.id,
            s.hit.passage.paragraph.index,
            s.start,
        )

    return [groups[0], *sorted(groups[1:], key=place)]


def with_lead_sentences(
    groups: list[Group], sources: list[Scored], quotes: int = MAX_LEAD_QUOTES
) -> list[Group]:
    """The quotes under a lead: every sentence the lead cites, in the lead's order, then
    the other chosen quotes (as many as leave the answer no longer than before)."""

    def key(c: Scored) -> tuple[str, int, int]:
        return (c.sentence.hit.id, c.sentence.start, c.sentence.end)

    first: list[Group] = []
    seen: set[tuple[str, int, int]] = set()
    for source in sources:
        if key(source) in seen:
            continue
        seen.add(key(source))
        home = next((g for g in groups if key(g.head) == key(source)), None)
        first.append(home or Group([source]))
    first = first[:quotes]  # every lead part stays cited; not every one quoted

    def inside(c: Scored) -> bool:  # a sentence a lead quote already holds
        s = c.sentence
        return any(
            s.hit.id == o.sentence.hit.id
            and o.sentence.start <= s.start
            and s.end <= o.sentence.end
            for o in sources
        )

    rest = [g for g in groups if key(g.head) not in seen and not inside(g.head)]
    return first + rest[: max(0, len(groups) - len(first))]


def where_when(hit: Hit, speaker: str | None = None) -> str:
    """ " (Outlet, 2024-10-28)" or " (Speaker; Outlet, 2024-10-28)" for a lead; nothing the
    article does not say."""
    known = ", ".join(
        x for x in (hit.article.source, hit.article.published_at) if x and x.lower() != "unknown"
    )
    said = "; ".join(x for x in (speaker, known) if x)
    return f" ({said})" if said else ""


def _dated(hit: Hit) -> str:
    return f"{hit.article.source}, {hit.article.published_at or 'undated'}"


def lead_in(group: Group, count: int, asked: str | None, confirmed_figures: set[str]) -> str:
    """Composed from metadata only: who (as written in the article), how firmly, outlet, date,
    and how many independent sources carry the claim."""
    claim, hit = group.claim, group.head.sentence.hit
    figures = numbers_in(group.head.sentence.text)
    only_claimed = (
        claim.stance == Stance.ALLEGED and bool(figures) and not figures & confirmed_figures
    )
    sources = f"; {count} independent sources" if count > 1 else ""
    if (
        claim.speaker
        and not attribution.names_nobody(claim.speaker)
        and not attribution.unresolved(claim.speaker)
        and (asked is not None or only_claimed)
    ):
        label = attribution.label(claim)
        if only_claimed:
            label = "Only claimed, not independently confirmed, by"
        return f"{label} {claim.speaker} ({_dated(hit)}{sources}): "
    if count > 1:
        return f"Carried by {count} independent sources: "
    return ""


def compose(
    question: str,
    groups: list[Group],
    asked: str | None = None,
    lead: Lead | None = None,
    q: Question | None = None,
    trace: Trace | None = None,
) -> Answer:
    """The lead (the direct answer line) first, then the supporting quotes: each group is
    one statement (its head's text) cited by every member's paragraph. A sentence cited in
    the lead and quoted below keeps one number."""
    confirmed_figures: set[str] = set()
    for g in groups:
        if g.claim.stance == Stance.CONFIRMED and not g.claim.negated:
            confirmed_figures |= numbers_in(g.head.sentence.text)
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}

    def cite(s: Sentence, claim: attribution.Claim, count: int = 1) -> str:
        key = (s.hit.id, s.start, s.end)
        if key not in numbers:
            citations.append(
                Citation(
                    number=len(citations) + 1,
                    passage=s.hit.passage,
                    quote=s.text,
                    quote_start=s.start,
                    quote_end=s.end,
                    speaker=claim.speaker,
                    stance=claim.stance,
                    sources_count=count,
                )
            )
            numbers[key] = len(citations)
        elif count > citations[numbers[key] - 1].sources_count:
            # cited in the lead first; the quotes below count its corroboration
            citations[numbers[key] - 1] = replace(citations[numbers[key] - 1], sources_count=count)
        return f"[{numbers[key]}]"

    lead_text = ""
    lead_sentences: set[tuple[str, int, int]] = set()
    if lead is not None and lead.parts:
        pieces = []
        for part in lead.parts:
            s = part.source.sentence
            claim = attribution.attribute(s.hit.text, s.start, s.end)
            if part.speaker and part.speaker != claim.speaker:
                claim = attribution.Claim(part.speaker, claim.verb, claim.stance, claim.negated)
            marker = cite(s, claim)
            words_ = " ".join(w for w in (part.before, part.span) if w)
            pieces.append(f"{words_}{part.after} {marker}")
            if part.span.strip() == s.text.strip():
                lead_sentences.add((s.hit.id, s.start, s.end))
        lead_text = lead.joiner.join(pieces)
        if lead.opening:
            lead_text = f"{lead.opening} {lead_text}"
    parts: list[str] = []
    for g in groups:
        head = g.head.sentence
        if (head.hit.id, head.start, head.end) in lead_sentences and len(g.members) == 1:
            continue  # the lead already is this sentence
        count = independent_sources(
            [(m.sentence.hit.article.source, m.sentence.text) for m in g.members]
        )
        markers = ""
        for member in g.members:
            s = member.sentence
            claim = (
                g.claim if member is g.head else attribution.attribute(s.hit.text, s.start, s.end)
            )
            markers += cite(s, claim, count)
        if not lead_text:
            intro = lead_in(g, count, asked, confirmed_figures)
        elif q is not None and q.kind == "stance":
            # the lead names who said what: only corroboration is said again
            intro = f"Carried by {count} independent sources: " if count > 1 else ""
        else:
            # a figure only one side claimed is still flagged under a lead that states it
            intro = lead_in(g, count, None, confirmed_figures)
        parts.append(f"{intro}{g.head.sentence.text} {markers}")
    body = " ".join(parts)
    text = f"{lead_text}\n\n{body}" if lead_text and body else lead_text or body
    return Answer(
        question,
        text,
        tuple(citations),
        lead=lead_text,
        answer_type=q.answer_type.value if q is not None else "",
        trace=trace,
    )
