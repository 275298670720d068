"""Who said it, with which reporting verb, and how firmly (the stance of a cited sentence).

spaCy's dependency parse (the packaged ``en_core_web_sm`` pipeline) finds the reporting verb
nearest the root of the sentence, its subject (or the agent of a passive, or the object of
"according to"), negation and "if true" conditions. The lexicon of reporting verbs is the
only hand-written part: which verbs report, and how firmly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.models import Stance
from assistant.reader import lexicon
from ingest.text import parse, parse_all, sentence_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


# Reporting verbs by how firmly the speaker stands behind what follows.
_VERB_STANCE: dict[str, Stance] = {v: Stance(st) for v, st in lexicon.stance_verbs().items()}
REPORTING_VERBS = frozenset(_VERB_STANCE)  # lemmas of saying, confirming, claiming, denying
# Phrasal verbs whose particle carries the meaning ("brushed the reports aside").
_PHRASAL_DENIAL = {("brush", "aside"), ("brush", "off"), ("wave", "away"), ("play", "down")}
# "if it were true", "if such a deployment existed": the speaker does not vouch for the premise.
_PREMISE_WORDS = frozenset(["true", "exist", "accurate", "correct", "real", "confirm", "verify"])
_PRONOUNS = lexicon.pronouns()
_NOBODY_WORDS = frozenset(["neither", "no", "none", "nobody", "nor"])
# "called the reports fake": a denial made with a verb that is not one on its own.
_CALL_VERBS = frozenset(["call", "label", "brand", "term"])
_FALSE_WORDS = frozenset(
    ["fake", "false", "canard", "lie", "untrue", "baseless", "nonsense", "fabrication"]
)
_SUBJECTS = frozenset({"nsubj", "csubj"})
_CLAUSAL = frozenset({"VERB", "AUX", "ADV", "SCONJ"})
_CUT_DEPS = frozenset({"relcl", "acl", "advcl", "punct"})


@dataclass(frozen=True, slots=True)
class Claim:
    """Attribution of one sentence: ``speaker`` as written in the article (None when the
    sentence reports nobody), the reporting verb's lemma, its stance, and whether the verb was
    negated ("did not deny", "has not confirmed")."""

    speaker: str | None
    verb: str | None
    stance: Stance
    negated: bool = False


NOBODY = Claim(None, None, Stance.UNATTRIBUTED)

_DOCS: dict[str, Doc] = {}
_MAX_DOCS = 8192


def _store(text: str, doc: Doc) -> None:
    if len(_DOCS) >= _MAX_DOCS:
        _DOCS.pop(next(iter(_DOCS)))
    _DOCS[text] = doc


def _doc(text: str) -> Doc:
    doc = _DOCS.get(text)
    if doc is None:
        doc = parse(text)
        _store(text, doc)
    return doc


def parse_many(texts: list[str]) -> None:
    """Parse ``texts`` in one batch (spaCy's ``pipe``) so later calls find them parsed."""
    todo = [t for t in dict.fromkeys(texts) if t not in _DOCS]
    if not todo:
        return
    docs = parse_all(todo)
    for text, doc in zip(todo, docs, strict=True):
        _store(text, doc)


def parsed(text: str) -> Doc:
    """The parse of ``text``, cached (batch first with ``parse_many``): the extractive
    backend reads its entities and noun phrases."""
    return _doc(text)


def attribute(paragraph: str, start: int = 0, end: int | None = None) -> Claim:
    """The Claim of the sentence ``paragraph[start:end]``; the rest of the paragraph resolves
    pronoun speakers ("He said ...") and hedges ("The claim has not been independently
    confirmed.")."""
    return _attribute(paragraph, start, len(paragraph) if end is None else end)


@lru_cache(maxsize=16384)
def _attribute(paragraph: str, start: int, end: int) -> Claim:
    doc = _doc(paragraph)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return NOBODY
    claim = _claim(span)
    if claim.speaker and claim.speaker.lower() in _PRONOUNS:
        claim = _replace_speaker(claim, _earlier_speaker(doc, span.start))
    if claim.stance in (Stance.ASSERTED, Stance.UNATTRIBUTED) and claim.speaker and _hedged(doc):
        claim = Claim(claim.speaker, claim.verb, Stance.ALLEGED, claim.negated)
    if claim.stance == Stance.ASSERTED and not claim.negated and LIKELY.search(span.text):
        claim = Claim(claim.speaker, claim.verb, Stance.LIKELY, claim.negated)
    return claim


# a speaker who judges a thing likely stands behind it less than one who asserts it
LIKELY = re.compile(r"\b(likely|probably|possibly|possibility|may have|could have)\b", re.I)


def _replace_speaker(claim: Claim, speaker: str | None) -> Claim:
    return Claim(speaker, claim.verb, claim.stance, claim.negated) if speaker else claim


def _earlier_speaker(doc: Doc, before: int) -> str | None:
    """The last named speaker of the paragraph before token ``before``."""
    found = None
    for start, end in sentence_spans(doc.text):
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is None:
            continue
        if sent.start >= before:
            break
        speaker = _claim(sent).speaker
        if speaker is None:  # "Commissioner Lena Vogt spoke in Oslo." names who "she" is
            subject = _subject(sent.root)
            if subject is not None and subject.pos_ == "PROPN":
                speaker = _phrase(subject)
        if speaker and speaker.lower() not in _PRONOUNS:
            found = speaker
    return found


def _claim(span: Span) -> Claim:
    verbs = [t for t in span if _reporting_stance(t) is not None]
    according = [t for t in span if t.lower_ == "according" and _next_is(t, "to")]
    if not verbs and not according:
        return NOBODY
    if verbs:
        verb = min(verbs, key=_depth)
        if according and _depth(according[0]) < _depth(verb):
            verbs = []
    if not verbs:
        to = according[0].nbor(1)
        objects = [c for c in to.children if c.dep_ == "pobj"]
        speaker = _phrase(objects[0]) if objects else None
        return Claim(speaker, "according to", _conditional_or(span, Stance.ASSERTED))
    stance = _reporting_stance(verb) or Stance.ASSERTED
    # "It is false that X denied ...": the sentence says the report is untrue
    negated = _negated(verb) != said_untrue(verb)
    speaker = _speaker(verb, span)
    inner = _reported_report(verb) if stance == Stance.ASSERTED and not negated else None
    if inner is not None:
        # "Peskov said he never denied that ...": what he says is his stance on the content
        own = _subject(inner)
        same = own is None or own.lower_ in _PRONOUNS or _phrase(own) == speaker
        inner_stance = _reporting_stance(inner) or Stance.ASSERTED
        inner_negated = _negated(inner)
        if same or inner_negated or inner_stance == Stance.DENIED:
            # another's denial, or another's report negated, keeps its polarity too:
            # "Kyiv said Pyongyang never denied ..." is Pyongyang's not denying
            verb, stance, negated = inner, inner_stance, inner_negated
            if not same:
                speaker = _speaker(inner, span)
    if negated:
        # "did not deny": not a denial; "has not confirmed": the content stays a claim.
        stance = Stance.ASSERTED if stance == Stance.DENIED else Stance.ALLEGED
    return Claim(speaker, verb.lemma_.lower(), _conditional_or(span, stance), negated)


def _reported_report(verb: Token) -> Token | None:
    """The reporting verb of the clause that ``verb`` reports ("said he never denied"); none
    under a report that was not made ("must state that ...", "would say that ...")."""
    if any(c.tag_ == "MD" for c in verb.children):
        return None
    for child in verb.children:
        if child.dep_ == "ccomp" and _reporting_stance(child) is not None:
            return child
    return None


# "It is false that ...", "It is not true that ...": a frame that says its clause is untrue
_UNTRUE_WORDS = _FALSE_WORDS | frozenset(["wrong", "incorrect", "inaccurate", "myth", "fiction"])
_TRUE_WORDS = frozenset(["true", "correct", "accurate", "right", "case", "fact"])


def said_untrue(token: Token) -> bool:
    """Whether the sentence calls the clause of ``token`` untrue: "It is false that X denied",
    "It is not true that 20,000 fled", "That X denied it is a lie" (a frame that calls it
    true, "It is true that", or negates an untruth, "It is not false that", does not; two
    untrue frames undo each other)."""
    untrue = False
    for _ in range(50):
        if token.head.i == token.i:
            break
        frame = token.head
        if token.dep_ in ("ccomp", "csubj") and frame.lemma_.lower() == "be":
            said = {c.lemma_.lower() for c in frame.children if c.dep_ in ("acomp", "attr")}
            denied = any(c.dep_ == "neg" for c in frame.children)
            if (said & _UNTRUE_WORDS and not denied) or (said & _TRUE_WORDS and denied):
                untrue = not untrue
        token = frame
    return untrue


def _reporting_stance(token: Token) -> Stance | None:
    if token.pos_ not in ("VERB", "AUX") and token.dep_ != "amod":
        return None
    lemma = token.lemma_.lower()
    if any((lemma, c.lower_) in _PHRASAL_DENIAL for c in token.children):
        return Stance.DENIED
    if token.pos_ != "VERB" and not (token.dep_ == "amod" and token.tag_ == "VBG"):
        return None
    if lemma in _CALL_VERBS and any(
        t.lemma_.lower() in _FALSE_WORDS
        for c in token.children
        if c.dep_ != "nsubj"
        for t in c.subtree
    ):
        return Stance.DENIED
    return _VERB_STANCE.get(lemma)


def _next_is(token: Token, word: str) -> bool:
    return token.i + 1 < len(token.doc) and token.nbor(1).lower_ == word


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token = token.head
        depth += 1
    return depth


def _negated(verb: Token) -> bool:
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    subject = _subject(verb)
    if subject is not None and any(t.lower_ in _NOBODY_WORDS for t in subject.subtree):
        return True  # "Neither government has acknowledged ..."
    head = verb.head
    # "declined to deny", "without denying", "stopped short of confirming"
    return (
        (verb.dep_ == "xcomp" and head.lemma_ in ("decline", "refuse", "fail"))
        or (verb.dep_ == "pcomp" and head.lower_ == "without")
        or (
            verb.dep_ == "pcomp"
            and head.lower_ == "of"
            and "short" in (head.head.lower_, *(t.lower_ for t in head.head.children))
        )
    )


def _conditional_or(span: Span, stance: Stance) -> Stance:
    """CONDITIONAL when the sentence makes its content depend on the premise being true."""
    for token in span:
        if token.lower_ == "if" and token.dep_ == "mark":
            clause = token.head
            if any(t.lemma_.lower() in _PREMISE_WORDS for t in clause.subtree):
                return Stance.CONDITIONAL
    return stance


def _hedged(doc: Doc) -> bool:
    """The paragraph says its claim was not independently confirmed or verified."""
    return any(
        t.lemma_.lower() in ("confirm", "verify")
        and any(c.dep_ == "neg" for c in t.children)
        and any(c.lower_ in ("independently", "independent") for c in t.subtree)
        for t in doc
    ) or any(t.lemma_.lower() == "verify" and any(c.dep_ == "neg" for c in t.children) for t in doc)


def _speaker(verb: Token, span: Span) -> str | None:
    subject = _subject(verb)
    if subject is None and verb.dep_ in ("conj", "xcomp"):
        subject = _subject(verb.head)  # "confirmed ... and said ...", "declined to deny"
    if subject is not None:
        return _phrase(subject)
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return None  # a passive without an agent names nobody
    return _left_phrase(verb, span)


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return child
        if child.dep_ == "agent":  # "was confirmed by the Pentagon"
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _phrase(head: Token) -> str | None:
    """The noun phrase of ``head`` as written, without trailing relative clauses."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in _CUT_DEPS and child.i > head.i:
            continue
        tokens.extend(child.subtree)
    tokens.sort(key=lambda t: t.i)
    # keep the contiguous run around the head
    start = end = tokens.index(head)
    while start > 0 and tokens[start - 1].i == tokens[start].i - 1:
        start -= 1
    while end + 1 < len(tokens) and tokens[end + 1].i == tokens[end].i + 1:
        end += 1
    run = tokens[start : end + 1]
    while run and (run[-1].is_punct or run[-1].dep_ == "cc"):
        run.pop()
    while run and run[0].is_punct:
        run.pop(0)
    if not run:
        return None
    doc = head.doc
    return doc[run[0].i : run[-1].i + 1].text


def _left_phrase(verb: Token, span: Span) -> str | None:
    """A speaker written just before a verb the parser left without a subject ("...,
    Ukraine's public broadcaster Suspilne reported")."""
    i = verb.i - 1
    tokens: list[Token] = []
    while i >= span.start and not _ends_phrase(span.doc[i]):
        tokens.insert(0, span.doc[i])
        i -= 1
    if not any(t.pos_ in ("PROPN", "NOUN") for t in tokens):
        return None
    return span.doc[tokens[0].i : tokens[-1].i + 1].text


def _ends_phrase(token: Token) -> bool:
    return token.is_punct or token.pos_ in _CLAUSAL or token.dep_ in ("neg", "aux", "auxpass")


def question_stance(question: str) -> Stance | None:
    """The stance a "Who confirmed/denied/claimed ...?" question asks about, else None."""
    doc = _doc(question)
    if not any(t.lower_ in ("who", "whom", "which") for t in doc):
        return None
    for token in doc:
        stance = _VERB_STANCE.get(token.lemma_.lower())
        if stance is not None and token.pos_ in ("VERB", "AUX"):
            return stance
    return None


def label(claim: Claim) -> str:
    """How a composed lead-in names the claim's stance: "Confirmed by", "Not denied by" ..."""
    return claim.stance.negated_lead_in if claim.negated else claim.stance.lead_in


def unresolved(speaker: str) -> bool:
    """ "They", "he": a speaker no earlier sentence of the paragraph names. A lead-in that
    says "claimed by They" reads as a glitch and tells the analyst nothing."""
    return speaker.strip().lower() in _PRONOUNS


_NO_SPEAKER_HEADS = frozenset(
    ["report", "reports", "account", "accounts", "claims", "images", "footage", "documents"]
)


def names_no_speaker(speaker: str) -> bool:
    """ "Reports citing officials", "Accounts": a subject that is what was said, not who."""
    first = speaker.split(maxsplit=1)[0].lower() if speaker.strip() else ""
    return first in _NO_SPEAKER_HEADS


def names_nobody(speaker: str) -> bool:
    """ "Neither government", "No official": a subject that says nobody spoke."""
    first = speaker.split(maxsplit=1)[0].lower() if speaker.strip() else ""
    return first in _NOBODY_WORDS
