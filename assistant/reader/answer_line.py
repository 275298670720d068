"""The direct answer line, from the model's reading: which sentence leads, and which words of
it. Each way of building it is a named rule; the answer's trace says which one built it.

- ``span``: who / when / where / how-many questions are led by the span the model's span
  head found in the best sentence ("Sabrina Singh [1]");
- ``stance``: "Who confirmed ...?" lists who confirmed, claimed, denied ... the thing, from
  the sentences the model found on it;
- ``figures``: "How did the figure change?" lists the figures on the topic in date order;
- ``polarity``: a yes/no question is led by the clause that says yes or no;
- ``sentence`` / ``clause``: anything else by the best sentence (its clause when long).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant import attribution
from assistant.question import AnswerType
from assistant.reader import lead as leads
from assistant.reader.compose import where_when
from assistant.reader.evidence import Scored
from assistant.reader.lead import Lead, LeadPart
from assistant.reader.query import Query
from assistant.reader.speakers import PRONOUNS, asked_speaker, speaker_of, speaking
from ingest.text import terms, words
from vectorstore.models import Hit

LONG_SENTENCE_WORDS = 30  # a longer best sentence is cut to its clause for the lead
MAX_FIGURES = 4  # figures a change or comparison lead lists
MAX_SPAN_WORDS = 12  # a longer span is no direct answer: the sentence leads instead
SNAP_SPANS = True  # widen the span head's words to whole names and phrases (bench: --no-snap)
ON_TOPIC = 0.5  # a sentence within this share of the best score speaks to the question
# "Who confirmed the troop numbers?" when nobody did: no sentence answers it well, yet who
# claimed, denied or only said it conditionally is the answer; the stance lead reads every
# sentence the model gives at least this.
STANCE_FLOOR = 0.05
_STANCE_TERMS = frozenset(
    terms("confirm confirmed deny denied admit admitted acknowledge claim claimed say said")
)
_QUESTION_TERMS = frozenset(terms("who whom what which when where why how many much did does"))


def on_topic(scored: Sequence[Scored], floor: float, top: int = 16) -> list[Scored]:
    """The candidates the model reads as on the question: at least ``floor`` (the refusal
    threshold's share) and within ``ON_TOPIC`` of the best score."""
    if not scored:
        return []
    low = max(floor, scored[0].score * ON_TOPIC)
    return [c for c in scored[:top] if c.score >= low]


def build(
    query: Query, scored: Sequence[Scored], hits: Sequence[Hit], floor: float
) -> tuple[Lead | None, str]:
    """The lead and the name of the rule that built it (best candidate first in ``scored``)."""
    if not scored:
        return None, ""
    q = query.question
    if q.kind == "stance":
        found = stance_lead(query, [c for c in scored[:16] if c.score >= STANCE_FLOOR], hits)
        if found is not None:
            return found, "stance"
    if q.answer_type in (AnswerType.CHANGE, AnswerType.COMPARISON):
        found = figures_lead(on_topic(scored, floor))
        if found is not None:
            return found, "figures"
    head = _head(query, scored, hits)
    if q.answer_type is AnswerType.POLARITY:
        s = head.sentence
        claim = attribution.attribute(s.hit.text, s.start, s.end)
        word = leads.polarity(q, head, claim.stance, claim.negated)
        clause = leads.best_clause(s.text, set(terms(q.text)))
        return Lead((LeadPart(word, clause, "", head),)), "polarity"
    if q.labels:
        found = span_lead(head, hits)
        if found is not None:
            return found, "span"
    text = head.sentence.text
    if len(words(text)) > LONG_SENTENCE_WORDS:
        return Lead(
            (LeadPart("", leads.best_clause(text, set(terms(q.text))), "", head),)
        ), "clause"
    return Lead((LeadPart("", text, "", head),)), "sentence"


def _head(query: Query, scored: Sequence[Scored], hits: Sequence[Hit]) -> Scored:
    """The sentence that leads: the best, but for "What did X say?" the best of X's own
    words, and for a follow-up not a sentence the last answer already quoted."""
    head = scored[0]
    speaker = asked_speaker(query.question)
    if speaker is not None:
        spoken = [c for c in scored[:8] if speaking(c, speaker, hits)]
        head = spoken[0] if spoken else head
    if query.said and head.sentence.text in query.said:
        fresh = [
            c
            for c in scored[1:4]
            if c.sentence.text not in query.said and c.score >= head.score * ON_TOPIC
        ]
        head = fresh[0] if fresh else head
    return head


def snapped(head: Scored) -> str:
    """The span head's words widened to the whole names and noun phrases they cut into: the
    span head often stops a word short ("Varga" of "Ines Varga", "1950s" of "the 1950s",
    "18" of "Some 18 soldiers"); spaCy's entities and noun chunks of the paragraph say where
    a phrase begins and ends. Never wider than the sentence."""
    if head.span is None:
        return ""
    s = head.sentence
    start, end = s.start + head.span[0], s.start + head.span[1]
    doc = attribution.parsed(s.hit.text)
    for phrase in (*doc.ents, *doc.noun_chunks):
        a, b = phrase.start_char, phrase.end_char
        if a < end and b > start and a >= s.start and b <= s.end:
            start, end = min(start, a), max(end, b)
    return s.hit.text[start:end]


def span_lead(head: Scored, hits: Sequence[Hit]) -> Lead | None:
    """The answer span of the best sentence; a pronoun ("he") becomes the speaker an
    earlier paragraph names, carried by the citation."""
    span = (snapped(head) if SNAP_SPANS else head.span_text).strip(" ,;:.")
    if not span or len(words(span)) > MAX_SPAN_WORDS:
        return None
    if span.lower() in PRONOUNS:
        speaker, _verb = speaker_of(head, hits)
        if not speaker or speaker.lower() in PRONOUNS:
            return None
        return Lead((LeadPart("", speaker, "", head, speaker),), typed=True)
    return Lead((LeadPart("", span, "", head),), typed=True)


def stance_lead(query: Query, scored: Sequence[Scored], hits: Sequence[Hit]) -> Lead | None:
    """Who confirmed, claimed, judged likely, said conditionally or denied the thing asked
    about, the asked stance first; "No source ... confirms it" when nobody confirmed it."""
    q = query.question
    found: dict[str, list[tuple[str, Scored]]] = {}
    seen: set[tuple[str, str]] = set()
    for cand in scored:
        s = cand.sentence
        claim = attribution.attribute(s.hit.text, s.start, s.end)
        speaker, _verb = speaker_of(cand, hits)
        if (
            not speaker
            or attribution.names_nobody(speaker)
            or attribution.names_no_speaker(speaker)
        ):
            continue
        stance = leads.stance_of(claim.stance, claim.negated, s.text)
        if stance is None or stance == "asserted":
            continue
        key = (stance, leads.speaker_key(speaker))
        if key in seen:
            continue
        seen.add(key)
        found.setdefault(stance, []).append((speaker, cand))
    if not found:
        return None
    # "What did Zelensky claim?": only the party the question names, when it spoke
    # ("Who confirmed the Pentagon's figures?" asks for anyone)
    if words(q.text)[:1] not in (["who"], ["whom"], ["which"]):
        asked = set(terms(q.text)) - _STANCE_TERMS - _QUESTION_TERMS
        named = {st: [(sp, c) for sp, c in found[st] if asked & set(terms(sp))] for st in found}
        if any(named.values()):
            found = {st: v for st, v in named.items() if v}
    order = [q.stance] if q.stance in found else []
    if order:
        # who did what was asked, then the other stances the model reads as on the same
        # thing ("Who denied arms transfers?": not a claim about troop numbers)
        bar = ON_TOPIC * max(c.score for _sp, c in found[order[0]])
        found = {
            st: [(sp, c) for sp, c in v if st in order or c.score >= bar] for st, v in found.items()
        }
    order += [st for st in leads.STANCE_ORDER if found.get(st) and st not in order]
    parts: list[LeadPart] = []
    for stance in order:
        for i, (speaker, cand) in enumerate(found[stance][:2]):
            hit = cand.sentence.hit
            label = leads.STANCE_LABELS[stance]
            before = (label if not parts else label.lower()) if i == 0 else "and by"
            parts.append(LeadPart(before, speaker, where_when(hit), cand, speaker))
    opening = leads.NOT_CONFIRMED if q.stance == "confirmed" and "confirmed" not in found else ""
    return Lead(tuple(parts[:5]), opening)


def figures_lead(scored: Sequence[Scored]) -> Lead | None:
    """The figures stated about the topic, each with its outlet and date, in date order."""
    items: list[tuple[str, str, Scored]] = []
    seen: set[str] = set()
    from assistant.citations import numbers_in

    for cand in scored[:10]:
        s = cand.sentence
        for figure in leads.figures(attribution.parsed(s.hit.text), s.start, s.end):
            key = " ".join(sorted(numbers_in(figure)))
            if key in seen:
                continue  # a figure is listed where it first appeared
            seen.add(key)
            items.append((s.hit.article.published_at or "", figure, cand))
    if len(items) < 2:
        return None
    items.sort(key=lambda it: (it[0], it[2].sentence.hit.article.id, it[2].sentence.start))
    parts = []
    for i, (_d, figure, cand) in enumerate(items[:MAX_FIGURES]):
        s = cand.sentence
        speaker, _verb = speaker_of(cand)
        where = where_when(s.hit, speaker if speaker and speaker != figure else None)
        parts.append(LeadPart("then" if i else "", figure, where, cand))
    return Lead(tuple(parts))
