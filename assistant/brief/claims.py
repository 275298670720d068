"""Claims of a briefing: who asserts what about the topic, how firmly, where and when.

A claim is one sentence of a retrieved paragraph (verbatim, with its offsets) that either
names who stands behind it (a reporting verb and its speaker, ``assistant.attribution``) or
states a figure. Its speaker is resolved as the answers resolve it: "He said" reads the
paragraph's, then the article's earlier paragraphs' last named speaker. A sentence that
reports a claim in order to deny it ("X dismissed reports that 20,000 had fled") is the
denier's claim, with the stance ``denied``: the parse makes the denier the subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant import attribution
from assistant.brief import vocab
from assistant.brief.figures import REGION, Figure, figures
from assistant.models import Stance
from assistant.reader import lead as leads
from assistant.reader import lexicon
from assistant.sentences import quoted_spans
from ingest.hygiene import is_citable
from ingest.text import sentence_spans, terms
from vectorstore.models import Hit, Passage

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

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
_PRONOUNS = lexicon.pronouns()
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
    relevance: float | None = None  # the reader model's score of it against the topic

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
        return source_key(self.speaker, self.outlet)

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


def source_key(speaker: str | None, outlet: str) -> str:
    """One key for one source: a name's last word ("Pentagon spokesperson Sabrina Singh" and
    "Sabrina Singh", "Veldora's Health Ministry" and "The Health Ministry"); a description
    whole ("Kestria's defence ministry" is not "Marvia's foreign ministry"); the outlet when
    nobody is named."""
    if not speaker:
        return f"outlet:{outlet.lower()}"
    name = _without_article(speaker.strip())
    words = re.findall(r"[\w'’-]+", name)
    if words and not words[-1][:1].isupper():
        return " ".join(w.lower().replace("’", "'") for w in words)
    return leads.speaker_key(name)


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
    and described speakers, unnamed places); ``indexed_at(article_id)`` when the article was
    indexed; ``progress(done, total)`` after each batch of paragraphs parsed."""
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
        context = _Context(p, earlier)
        last: Figure | None = None
        for start, end in quoted_spans(p.text, sentence_spans(p.text)):
            text = p.text[start:end]
            if end - start < MIN_CHARS or not is_citable(text):
                continue
            figs = figures(doc, start, end, ents, p.article.published_at, last)
            last = figs[-1] if figs else last
            figs = tuple(context.placed(f) for f in figs)
            claim = _claim(p, start, end, context)
            if claim is None and figs:
                claim = _figure_giver(doc, start, end, context)
            figs = tuple(
                _said_by(f, claim[0] if claim else None, p, start, end, context) for f in figs
            )
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


def denied_tokens(c: BriefClaim) -> list[Token]:
    """The words of what a denial denies (the clause or object of its verb), or none."""
    doc = attribution.parsed(c.passage.text)
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return []
    out: list[Token] = []
    for t in span:
        if t.lemma_.lower() in _DENIAL_VERBS or (c.verb and t.lemma_.lower() == c.verb):
            for child in t.children:
                if child.dep_ in ("ccomp", "dobj", "xcomp", "attr", "oprd"):
                    out += _clause(child)
    return out


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
    p: Passage, start: int, end: int, context: _Context
) -> tuple[str | None, str, str | None] | None:
    """(speaker, stance, verb) of the sentence, or None when it reports nobody's stance."""
    found = attribution.attribute(p.text, start, end)
    if found.negated and found.verb in _DENIAL_VERBS:
        stance: str | None = NOT_DENIED  # the lead's stance_of reads it as a denial
    else:
        stance = leads.stance_of(found.stance.value, found.negated, p.text[start:end])
    if stance is None:
        return None
    speaker = resolve_speaker(found.speaker, p, start, end, context)
    if speaker is None:
        return None
    stance = _as_said(p.text, start, end, stance, found.verb)
    return _with_name(speaker, p.text, start, end), stance, found.verb


def _as_said(text: str, start: int, end: int, stance: str, verb: str | None) -> str:
    """The stance the speaker takes: "X said 210 cases had been confirmed" is X's statement
    (a confirmation by nobody named is not X's); "X said it would send experts if asked" is
    said on a condition."""
    doc = attribution.parsed(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return stance
    if stance == "confirmed" and verb:
        for t in span:
            if (
                t.lemma_.lower() == verb
                and any(c.dep_ == "auxpass" for c in t.children)
                and not any(c.dep_ == "agent" for c in t.children)
                and t.head.lemma_.lower() in _SAYING
                and t.head is not t
            ):
                return "asserted"
    if stance == "asserted":
        for t in span:
            if (
                t.dep_ == "advcl"
                and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in t.children)
                and t.head.dep_ in ("ccomp", "xcomp")
            ):
                return "conditional"
    return stance


# saying verbs: what a speaker says was confirmed is the speaker's statement
_SAYING = frozenset(v for v, stance in lexicon.stance_verbs().items() if stance == "asserted")


def _with_name(speaker: str, text: str, start: int, end: int) -> str:
    """ "The office's cholera lead, Dr Anika Sorel, said ...": the title with the name
    that follows it between commas."""
    at = text.find(speaker, start, end)
    if at < 0 or any(w[:1].isupper() for w in speaker.split()[1:] if not w.endswith("'s")):
        return speaker
    m = _APPOSITIVE.match(text, at + len(speaker), end)
    if m is None:
        return speaker
    named = attribution.parsed(m.group(1))
    if any(e.label_ == "PERSON" for e in named.ents):
        return f"{speaker}, {m.group(1)}"
    return speaker


_APPOSITIVE = re.compile(r",\s*((?:[A-Z][\w.'-]*\s?){1,4}),")


# "Both Moscow and Pyongyang": the speakers, without the word that counts them
_COUNTING = re.compile(r"^(?:both|either|all|each of)\s+", re.I)
_RELATIVES = frozenset({"who", "that", "which", "whom", "whose"})
_ACRONYM = re.compile(r"^(?:[Tt]he\s+)?([A-Z]{2,6})$")


def resolve_speaker(
    speaker: str | None, p: Passage, start: int, end: int, context: _Context
) -> str | None:
    """The speaker as a name, or None: a pronoun ("he") is the article's last named speaker;
    a relative pronoun ("who", "that") the noun it stands for; "Both Moscow and Pyongyang"
    is "Moscow and Pyongyang"; a description ("the agency", "The officials") the article's
    earlier speaker it describes; an acronym ("The NIS") the name the article spells out
    ("National Intelligence Service"); a quantity with no noun ("A few") or a word that
    names nobody ("Neither government") is nobody."""
    if not speaker:
        return None
    speaker = _COUNTING.sub("", speaker.strip())
    low = speaker.lower()
    if low in _RELATIVES:
        speaker = _antecedent(p, start, end, low) or ""
        low = speaker.lower()
    if not speaker:
        return None
    if low in _PRONOUNS:
        named = _earlier_speaker(context.earlier())
        return named if named and not attribution.names_nobody(named) else None
    if (
        attribution.names_nobody(speaker)
        or attribution.names_no_speaker(speaker)
        or not _names_someone(speaker)
    ):
        return None
    if (m := _ACRONYM.match(speaker)) is not None:
        return context.spelled_out(m.group(1)) or speaker
    if _described(speaker):
        return context.described(speaker, start) or speaker
    return speaker


def _said_by(
    f: Figure, speaker: str | None, p: Passage, start: int, end: int, context: _Context
) -> Figure:
    """``f`` with the name of who gave it when that is not the claim's speaker ("...,
    while the NIS estimated that up to 12,000 could be sent"), else with none."""
    if not f.said_by:
        return f
    name = resolve_speaker(f.said_by, p, start, end, context)
    if name is None or (speaker and leads.speaker_key(name) == leads.speaker_key(speaker)):
        return replace(f, said_by="")
    return replace(f, said_by=name)


def _figure_giver(
    doc: Doc, start: int, end: int, context: _Context
) -> tuple[str | None, str, str | None] | None:
    """A figure given in a body's own name without a reporting verb ("Tanvale's agriculture
    ministry forecast exports of 2.6 million bags", "The Coffee Board raised its estimate
    to 2.3 million bags"): the body asserts it (lexicon/figure_verbs.txt)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    if root.lemma_.lower() not in _FIGURE_VERBS:
        return None
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or not any(t.pos_ == "PROPN" for t in subject.subtree):
        return None
    words = [t for t in subject.subtree if not (t.dep_ == "punct" and t.i == subject.right_edge.i)]
    speaker = resolve_speaker(
        doc[words[0].i : words[-1].i + 1].text, context.p, start, end, context
    )
    return (speaker, "asserted", root.lemma_.lower()) if speaker else None


def _names_someone(speaker: str) -> bool:
    """ "A few", "Some", "Many of them": no noun, nobody named."""
    doc = attribution.parsed(speaker)
    return any(t.pos_ in ("NOUN", "PROPN") for t in doc)


def _described(speaker: str) -> bool:
    """ "The agency", "the ministry", "The officials": a description, not a name (no word
    of it capitalised but "The")."""
    words = speaker.split()
    return (
        len(words) <= 3
        and words[0].lower() in ("the", "this", "that")
        and not any(w[:1].isupper() for w in words[1:])
    )


def _antecedent(p: Passage, start: int, end: int, word: str) -> str | None:
    """The noun phrase a relative pronoun speaking in the sentence stands for: "officials,
    who said ..." → "officials"."""
    doc = attribution.parsed(p.text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    for t in span:
        if t.lower_ == word and t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "relcl":
            noun = t.head.head
            for chunk in doc.noun_chunks:
                if chunk.root == noun:
                    return chunk.text
            return noun.text
    return None


def _earlier_speaker(passages: Iterable[Passage]) -> str | None:
    """The last named speaker of the nearest earlier paragraph that names one."""
    for p in passages:
        attribution.parse_many([p.text])
        for s, e in reversed(sentence_spans(p.text)):
            found = attribution.attribute(p.text, s, e)
            if found.speaker and found.speaker.lower() not in _PRONOUNS:
                return found.speaker
    return None


_NAMED_PLACE = re.compile(r"\b([A-Z][a-z]{2,})(?:'s|’s)?\b")
_REGION_AFTER = r"\b([A-Z][a-z]{2,}) {noun}\b"
_REGION_BEFORE = r"\b{noun} of ([A-Z][a-z]{2,})\b"
_IN_PLACE = re.compile(r"\b(?:in|across|inside|throughout) ([A-Z][a-z]{2,})\b")
_OWNER = re.compile(r"\b([A-Z][a-z]{2,})(?:'s|’s) ")


class _Context:
    """What the rest of the article tells about a sentence: the paragraphs before it (read
    once, when a speaker or a place needs them), its country and its region."""

    def __init__(self, p: Passage, earlier: Callable[[Passage], Iterable[Passage]]) -> None:
        self.p = p
        self._earlier_of = earlier
        self._earlier: list[Passage] | None = None

    def earlier(self) -> list[Passage]:
        if self._earlier is None:
            self._earlier = list(self._earlier_of(self.p))
        return self._earlier

    def texts(self) -> list[str]:
        return [self.p.article.title or "", self.p.text, *(q.text for q in self.earlier())]

    def national(self) -> str:
        """The country the article is about: the place it names as an owner ("Veldora's
        Health Ministry") or as where things are ("across Veldora") most often, a named
        region left out."""
        counts: dict[str, int] = {}
        regions = vocab.scope_words()["region"]
        for text in self.texts():
            for m in [*_OWNER.finditer(text), *_IN_PLACE.finditer(text)]:
                name = m.group(1)
                after = re.findall(r"[a-z]+", text[m.end() : m.end() + 14].lower())
                if after and after[0] in regions:
                    continue
                if name.lower() in ("the", "this", "that") or name.lower() in _MONTHS:
                    continue
                counts[name] = counts.get(name, 0) + 1
        return max(sorted(counts), key=lambda n: counts[n]).lower() if counts else ""

    def region(self, noun: str) -> str:
        """The region "the province" is: the article's "Ostmark province" or "province of
        Ostmark", else the place it is in ("in Ostmark") that is not its country."""
        counts: dict[str, int] = {}
        national = self.national()
        anywhere: dict[str, int] = {}
        for text in self.texts():
            for pattern in (_REGION_AFTER, _REGION_BEFORE):
                for m in re.finditer(pattern.replace("{noun}", re.escape(noun)), text):
                    counts[m.group(1)] = counts.get(m.group(1), 0) + 2
            for m in _IN_PLACE.finditer(text):
                if m.group(1).lower() in _MONTHS:
                    continue
                anywhere[m.group(1)] = anywhere.get(m.group(1), 0) + 1
                if m.group(1).lower() != national:
                    counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        counts = counts or anywhere  # an article about the province alone
        return max(sorted(counts), key=lambda n: counts[n]).lower() if counts else ""

    def placed(self, f: Figure) -> Figure:
        """``f`` with "the country" and "the province" named as the article names them."""
        where = f.where
        if where == "national":
            where = self.national() or where
        elif where.startswith(REGION):
            where = self.region(where[len(REGION) :]) or where
        return f if where == f.where else replace(f, where=where)

    def spelled_out(self, acronym: str) -> str | None:
        """The name whose capitalised words' initials are ``acronym`` in the article
        ("National Intelligence Service" for NIS)."""
        for text in self.texts():
            for m in re.finditer(r"(?:[A-Z][\w-]+\s+){1,5}[A-Z][\w-]+", text):
                words = m.group(0).split()
                for i in range(len(words)):
                    run = words[i:]
                    if len(run) >= 2 and "".join(w[0] for w in run) == acronym:
                        return " ".join(run)
        return None

    def described(self, speaker: str, start: int) -> str | None:
        """The named speaker ``speaker`` ("the agency", "the ministry") describes: the nearest
        earlier speaker of the article with the same noun and a name ("Veldora's Health
        Ministry" for "the ministry"), else, for a body, the nearest named body."""
        noun = speaker.split()[-1].lower()
        body = noun.rstrip("s") in _BODIES
        candidates: list[str] = []
        spans = [(self.p, [(s, e) for s, e in sentence_spans(self.p.text) if e <= start])]
        spans += [(q, sentence_spans(q.text)) for q in self.earlier()]
        for q, sentences in spans:
            attribution.parse_many([q.text])
            for s, e in reversed(sentences):
                found = attribution.attribute(q.text, s, e).speaker
                if found and not _described(found) and found.lower() not in _PRONOUNS:
                    candidates.append(found)
        for found in candidates:
            if noun in found.lower() or noun.rstrip("s") in found.lower():
                return _COUNTING.sub("", found)
        if body:
            for found in candidates:
                named = attribution.parsed(found)
                if any(t.pos_ == "PROPN" for t in named) and not any(
                    e.label_ == "PERSON" for e in named.ents
                ):
                    return _COUNTING.sub("", found)
        return None


_MONTHS = frozenset(lexicon.months())
# Bodies a description may stand for when the article names them otherwise ("the agency":
# South Korea's National Intelligence Service): lexicon/bodies.txt
_BODIES = frozenset(w for (w,) in lexicon.rows("bodies"))
_FIGURE_VERBS = frozenset(w for (w,) in lexicon.rows("figure_verbs"))
