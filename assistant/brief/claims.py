"""Claims of a briefing: who asserts what about the topic, how firmly, where and when.

A claim is one sentence of a retrieved paragraph (verbatim, with its offsets) that either
names who stands behind it (a reporting verb and its speaker, ``assistant.attribution``) or
states a figure. Its speaker is resolved as the answers resolve it: "He said" reads the
paragraph's, then the article's earlier paragraphs' last named speaker. A sentence that
reports a claim in order to deny it ("X dismissed reports that 20,000 had fled") is the
denier's claim, with the stance ``denied``: the parse makes the denier the subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant import attribution
from assistant.brief.figures import Figure, figures
from assistant.models import Stance
from assistant.reader import lead as leads
from assistant.sentences import quoted_spans
from ingest.hygiene import is_citable
from ingest.text import sentence_spans, terms
from vectorstore.models import Hit, Passage

if TYPE_CHECKING:
    from spacy.tokens import Token

REPORTED = "reported"  # a figure the outlet states in its own voice
NOT_DENIED = "not_denied"  # "did not deny", "declined to deny": neither a claim nor a denial
# The stances a briefing names, in the order an analyst reads them.
STANCES = (
    "confirmed",
    "alleged",
    "asserted",
    "likely",
    "conditional",
    NOT_DENIED,
    "denied",
    REPORTED,
)
LABELS = {**leads.STANCE_LABELS, REPORTED: "Reported by", NOT_DENIED: "Not denied by"}
_DENIAL_VERBS = frozenset(["deny", "dismiss", "reject", "refute", "dispute", "rebuff"])
# The citation's stance (the exports' vocabulary) for each briefing stance.
CITATION_STANCE = {
    "confirmed": Stance.CONFIRMED,
    "alleged": Stance.ALLEGED,
    "asserted": Stance.ASSERTED,
    "likely": Stance.LIKELY,
    "conditional": Stance.CONDITIONAL,
    "denied": Stance.DENIED,
    NOT_DENIED: Stance.ASSERTED,
    REPORTED: Stance.UNATTRIBUTED,
}
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])
_ARTICLES = ("the ", "a ", "an ")
MIN_CHARS = 25  # shorter fragments (datelines, headings) state no claim
PARSE_BATCH = 8  # paragraphs parsed between two progress reports


@dataclass(frozen=True, slots=True)
class BriefClaim:
    """One claim: the verbatim ``proposition`` at ``start:end`` of ``passage.text``."""

    proposition: str
    speaker: str | None  # as written in the article, pronouns resolved; None: the outlet's own
    stance: str  # one of STANCES
    passage: Passage
    start: int
    end: int
    figures: tuple[Figure, ...] = ()
    verb: str | None = None
    indexed_at: str | None = None
    new: bool = False

    @property
    def outlet(self) -> str:
        return self.passage.article.source

    @property
    def date(self) -> str:
        return (self.passage.article.published_at or "")[:10]

    @property
    def article_id(self) -> str:
        return self.passage.article.id

    @property
    def source_key(self) -> str:
        """Who stands behind it, for telling one source's updates from another's figures:
        "Pentagon spokesperson Sabrina Singh" and "Sabrina Singh" are one; the outlet when
        nobody is named."""
        if not self.speaker:
            return f"outlet:{self.outlet.lower()}"
        return leads.speaker_key(_without_article(self.speaker))

    @property
    def polarity(self) -> str:
        """for / against / if (neither: conditional, not denied): what a conflict opposes."""
        return {"denied": "against", "conditional": "if", NOT_DENIED: "if"}.get(self.stance, "for")

    @property
    def figure(self) -> Figure | None:
        """The figure the claim is about: the first it states."""
        return self.figures[0] if self.figures else None

    @property
    def who(self) -> str:
        return self.speaker or self.outlet

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.passage.id, self.start, self.end)


def _without_article(speaker: str) -> str:
    """ "A provincial police spokesman" → "provincial police spokesman" (speaker_key reads
    capitalised words, and "A" is one)."""
    low = speaker.lower()
    for a in _ARTICLES:
        if low.startswith(a):
            return speaker[len(a) :]
    return speaker


def topic_terms(topic: str) -> set[str]:
    return set(terms(topic))


def on_topic(passages: Sequence[Passage], topic: set[str]) -> list[Passage]:
    """The passages of articles about the topic: the title or a retrieved paragraph of the
    article shares a content word with it (a paragraph about a dam in a flood story is kept)."""
    if not topic:
        return list(passages)
    about: set[str] = set()
    for p in passages:
        if topic & set(terms(p.text + " " + p.article.title)):
            about.add(p.article.id)
    return [p for p in passages if p.article.id in about]


def extract(
    hits: Sequence[Hit],
    topic: str,
    earlier: Callable[[Passage], Iterable[Passage]] = lambda p: (),
    indexed_at: Callable[[str], str | None] = lambda article_id: None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[BriefClaim]:
    """The claims of the retrieved paragraphs about ``topic``, in date and reading order.
    ``earlier(passage)`` gives the article's paragraphs before it, nearest first (pronoun
    speakers); ``indexed_at(article_id)`` when the article was indexed; ``progress(done,
    total)`` after each batch of paragraphs parsed."""
    wanted = topic_terms(topic)
    passages = list({h.passage.id: h.passage for h in hits}.values())
    passages = on_topic(passages, wanted)
    out: list[BriefClaim] = []
    for i, p in enumerate(passages):
        if i % PARSE_BATCH == 0:  # parsed in batches, each reported (the chat's progress bar)
            attribution.parse_many([q.text for q in passages[i : i + PARSE_BATCH]])
            progress(i, len(passages))
        doc = attribution.parsed(p.text)
        ents = doc.ents
        for start, end in quoted_spans(p.text, sentence_spans(p.text)):
            text = p.text[start:end]
            if end - start < MIN_CHARS or not is_citable(text):
                continue
            claim = _claim(p, start, end, earlier)
            figs = figures(doc, start, end, ents)
            if claim is None and not figs:
                continue
            speaker, stance, verb = claim if claim else (None, REPORTED, None)
            out.append(
                BriefClaim(
                    proposition=text,
                    speaker=speaker,
                    stance=stance,
                    passage=p,
                    start=start,
                    end=end,
                    figures=figs,
                    verb=verb,
                    indexed_at=indexed_at(p.article.id),
                )
            )
    progress(len(passages), len(passages))
    out.sort(key=reading_order)
    return out


def denied_terms(c: BriefClaim) -> set[str]:
    """The content words of what a denial denies: the clause or object of its verb
    ("denied [that any arms transfers took place], while ..." → arms, transfers, took, place);
    the whole sentence's when the parse shows none."""
    doc = attribution.parsed(c.passage.text)
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return set(terms(c.proposition))
    out: set[str] = set()
    for t in span:
        if t.lemma_.lower() in _DENIAL_VERBS or (c.verb and t.lemma_.lower() == c.verb):
            for child in t.children:
                if child.dep_ in ("ccomp", "dobj", "xcomp", "attr", "oprd"):
                    out |= set(terms(" ".join(w.text for w in _clause(child))))
    return out or set(terms(c.proposition))


def lemmas(tokens: Iterable[Token]) -> frozenset[str]:
    """Content words as spaCy's lemmas: "transfers" and "transferring" are one word, but
    "arms" and "armed" are two (a stemmer makes one of them)."""
    return frozenset(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop)


def denied_lemmas(c: BriefClaim) -> frozenset[str]:
    """The lemmas of what a denial denies (``denied_terms`` as lemmas)."""
    doc = attribution.parsed(c.passage.text)
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return frozenset()
    out: set[str] = set()
    for t in span:
        if t.lemma_.lower() in _DENIAL_VERBS or (c.verb and t.lemma_.lower() == c.verb):
            for child in t.children:
                if child.dep_ in ("ccomp", "dobj", "xcomp", "attr", "oprd"):
                    out |= lemmas(_clause(child))
    return frozenset(out) or lemmas(span)


def claim_lemmas(c: BriefClaim) -> frozenset[str]:
    """The lemmas of what a claim says, without its speaker's words and its verb."""
    doc = attribution.parsed(c.passage.text)
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return frozenset()
    speaker = set(lemmas(attribution.parsed(c.speaker))) if c.speaker else set()
    return lemmas(span) - speaker - {c.verb or ""}


_ASIDE = frozenset({"advcl", "relcl", "parataxis", "punct", "cc", "conj"})


def _clause(token: Token) -> list[Token]:
    """``token`` and what depends on it, without asides ("..., while both governments
    promised ...")."""
    out = [token]
    for child in token.children:
        if child.dep_ not in _ASIDE:
            out += _clause(child)
    return out


def reading_order(c: BriefClaim) -> tuple[str, str, str, int, int]:
    return (c.date, c.outlet, c.article_id, c.passage.paragraph.index, c.start)


def _claim(
    p: Passage, start: int, end: int, earlier: Callable[[Passage], Iterable[Passage]]
) -> tuple[str | None, str, str | None] | None:
    """(speaker, stance, verb) of the sentence, or None when it reports nobody's stance."""
    found = attribution.attribute(p.text, start, end)
    if found.negated and found.verb in _DENIAL_VERBS:
        stance: str | None = NOT_DENIED  # the lead's stance_of reads it as a denial
    else:
        stance = leads.stance_of(found.stance.value, found.negated, p.text[start:end])
    if stance is None:
        return None
    speaker = found.speaker
    if speaker and speaker.lower() in _PRONOUNS:
        speaker = _earlier_speaker(earlier(p))
    if speaker and (attribution.names_nobody(speaker) or speaker.lower() in _PRONOUNS):
        speaker = None
    if speaker is None:
        return None
    return speaker, stance, found.verb


def _earlier_speaker(passages: Iterable[Passage]) -> str | None:
    """The last named speaker of the nearest earlier paragraph that names one."""
    for p in passages:
        attribution.parse_many([p.text])
        for s, e in reversed(sentence_spans(p.text)):
            found = attribution.attribute(p.text, s, e)
            if found.speaker and found.speaker.lower() not in _PRONOUNS:
                return found.speaker
    return None
