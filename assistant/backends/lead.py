"""The direct answer line that opens an extractive answer.

Built only from verbatim spans of the cited sentences and fixed words: the answering span
itself for who / when / where / how-many questions ("Kursk and Bryansk [1]"), "Yes:" or "No:"
and the clause that says so for yes/no questions, who confirmed, claimed or denied a thing
for stance questions, and the figures in date order for questions about change.
``assistant.citations.lead_checks`` verifies every part of it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast

from assistant.contrast import nations_in
from assistant.question import AnswerType, Question
from ingest.text import terms, words

# Words that may open or join a lead besides the cited text and its metadata.
YES, NO = "Yes:", "No:"
NOT_CONFIRMED = "No source in these articles confirms it independently."
_PLACE_TAIL = frozenset(
    [
        "region",
        "regions",
        "oblast",
        "oblasts",
        "province",
        "provinces",
        "area",
        "border",
        "district",
        "districts",
    ]
)
_JOINED = frozenset({"and", ",", "&", "or"})
_NUMBER = re.compile(
    r"(?:(?:about|some|roughly|around|nearly|almost|up to|as many as|more than|over|at least)\s+)?"
    r"(?<![\w.])[$£€¥]?\d[\d,.]*(?:\s*(?:%|percent|per cent|million|billion|thousand))?"
)
_CLAUSE_CUT = re.compile(
    r",?\s+(?:but|while|whereas|although|though)\s|,\s+(?:as|and|even as)\s|;\s|\s[-–—]\s"
)
_DENIAL_WORDS = frozenset(
    [
        "deny",
        "denied",
        "denies",
        "denying",
        "dismissed",
        "dismiss",
        "rejected",
        "reject",
        "refuted",
        "not",
        "never",
        "no",
        "neither",
        "nor",
        "fake",
        "false",
        "without",
    ]
)


class Candidate(Protocol):
    """A scored sentence of a retrieved paragraph (``extractive.Scored``)."""

    @property
    def score(self) -> float: ...

    @property
    def lexical(self) -> float: ...

    @property
    def sentence(self) -> Any: ...  # .hit (.text, .article ...), .start, .end, .text


@dataclass(frozen=True, slots=True)
class LeadPart:
    """One cited piece of the lead: fixed words or metadata, a verbatim span, more metadata."""

    before: str
    span: str
    after: str
    source: Any  # the Candidate whose sentence is cited
    speaker: str | None = None  # who the lead names, when resolved beyond the sentence


@dataclass(frozen=True, slots=True)
class Lead:
    parts: tuple[LeadPart, ...]
    opening: str = ""  # fixed words before the parts
    joiner: str = "; "
    typed: bool = False  # the answering span itself, of the type the question expects


def _bare(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def fixed_words() -> frozenset[str]:
    """Every word a lead may use that is not the cited text or its metadata."""
    texts = [YES, NO, NOT_CONFIRMED, "and by", "then", *STANCE_LABELS.values()]
    return frozenset(w for t in texts for w in words(t))


def question_words(question: str) -> set[str]:
    """The question's words, possessives also bare ("EU's" is also "eu")."""
    return {w for w in words(question)} | {_bare(w) for w in words(question)}


def _in_question(span: str, asked: set[str]) -> bool:
    own = [_bare(w) for w in words(span) if w not in {"the", "of", "and", "a", "an"}]
    return bool(own) and all(w in asked for w in own)


def _focus_positions(doc: Any, start: int, end: int, focus: set[str]) -> list[int]:
    return [
        t.i
        for t in doc
        if start <= t.idx < end and not t.is_punct and (terms(t.text) or [""])[0] in focus
    ]


# labels a small tagger gives place names it does not know ("Vladivostok" as a person)
_MISREAD = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART"})


def _placed(doc: Any, ts: int, te: int) -> bool:
    """Whether the name at ``ts:te`` is used as a place: followed by a place noun ("the
    Vladivostok area") or after "in", "near" or "outside" ("in Vladivostok")."""
    if te < len(doc) and doc[te].lemma_.lower() in _PLACE_NOUNS:
        return True
    before = ts - 1 if ts and doc[ts - 1].lower_ != "the" else ts - 2
    return before >= 0 and doc[before].lower_ in ("in", "near", "outside", "inside")


def _merge_entities(
    ents: Sequence[Any], doc: Any, places: bool = False
) -> list[tuple[int, int, str]]:
    """Entity token ranges; "Kursk and Bryansk" joined into one, a following "region"
    (or "oblasts", "border") kept with a place. With ``places``, a name used as a place
    is labelled one."""
    merged: list[tuple[int, int, str]] = []
    for ent in ents:
        label = ent.label_
        if places and label in _MISREAD and _placed(doc, ent.start, ent.end):
            label = "LOC"  # "in the Vladivostok area": a place, whatever the tagger said
        if merged:
            ps, pe, _ = merged[-1]
            between = doc[pe : ent.start]
            if (
                merged[-1][2] == label
                and doc[ent.end - 1].dep_ != "poss"  # "Vladivostok, Seoul's agency": no list
                and len(between) <= 2
                and all(
                    t.lower_ in _JOINED or (t.lower_ == "the" and i) for i, t in enumerate(between)
                )
            ):
                merged[-1] = (ps, ent.end, label)
                continue
        merged.append((ent.start, ent.end, label))
    out = []
    for s, e, label in merged:
        if label in ("GPE", "LOC", "FAC") and e < len(doc) and doc[e].lower_ in _PLACE_TAIL:
            e += 1
        out.append((s, e, label))
    return out


def typed_answer(
    question: Question,
    candidates: Sequence[Candidate],
    parse: Callable[[str], Any],
    speaker_of: Callable[[Any], tuple[str | None, str | None]],
    top: int = 6,
    given: str = "",
) -> tuple[Candidate, str, bool] | None:
    """The best answering span of the expected type among the best sentences: an entity of
    a fitting label, not already in the question nor in ``given`` (the answer a follow-up
    asks beyond: "And how many could follow?" after "about 1,500"), close to the
    question's focus words.
    For "Who reported/said ...?" the speaker of a sentence whose reporting verb matches.
    Also whether the span stands beside the question's own verb ("arrived in ...")."""
    labels = question.labels
    if not labels or not candidates:
        return None
    asked = question_words(question.text)
    focus = set(terms(question.text))
    # the question's words and their lemmas: "said" in the question is "say" in a claim
    verbs = (
        set(terms(question.text))
        | {t.lemma_.lower() for t in parse(question.text) if t.pos_ == "VERB"}
    ) - {""}
    best: tuple[float, Candidate, str, bool] | None = None
    floor = candidates[0].score - 0.25
    grain = _grain(question)
    asked_verb = (
        _question_verb(parse(question.text)) if question.answer_type is AnswerType.AGENT else None
    )
    action = question_action(question, parse)
    spoken = question.answer_type is AnswerType.PLACE and bool(_SPEAKING.search(question.text))
    doer_action = (
        main_action(question, parse) if question.answer_type is AnswerType.AGENT else set()
    )
    # "How many were killed?": a count of what a verb did or underwent, not a sum or a span
    counted = bool(re.search(r"\bhow many\b", question.text, re.I))
    counts = bool(action) and counted
    for rank, cand in enumerate(candidates[:top]):
        if cand.score < floor:
            break
        s = cand.sentence
        if question.answer_type is AnswerType.AGENT:
            speaker, verb = speaker_of(cand)
            if (
                speaker
                and verb
                and (verb.lower() in verbs or (terms(verb) or [""])[0] in verbs)
                and not _in_question(speaker, asked)
                and not _given(speaker, given)
            ):
                value = cand.score + 0.3 - 0.02 * rank
                if best is None or value > best[0]:
                    best = (value, cand, speaker, False)
                continue
        doc = parse(s.hit.text)
        if question.answer_type is AnswerType.AGENT and asked_verb:
            # "Who elects the members?" over "... are elected by citizens": the doer of the
            # question's own verb in the sentence, whatever kind of noun phrase it is
            doer = _doer(doc, s.start, s.end, asked_verb)
            if doer == "":
                continue  # done by an "it" the quote does not name: no other name answers
            if doer and not _in_question(doer, asked) and not _given(doer, given):
                value = cand.score + 0.3 - 0.02 * rank
                if best is None or value > best[0]:
                    best = (value, cand, doer, False)
                continue  # the sentence says who did it: its other names did something else
        positions = _focus_positions(doc, s.start, s.end, focus)
        acts = _focus_positions(doc, s.start, s.end, action) if action else []
        ents = [e for e in doc.ents if s.start <= e.start_char and e.end_char <= s.end]
        spans = _merge_entities(ents, doc, question.answer_type is AnswerType.PLACE)
        durations = question.answer_type is AnswerType.NUMBER and bool(
            _DURATION.search(question.text)
        )
        if question.answer_type is AnswerType.NUMBER:
            dated = {t.i for e in ents if e.label_ in ("DATE", "TIME") for t in e}
            spans += [
                sp for sp in _number_spans(doc, s.start, s.end) if durations or sp[0] not in dated
            ]
        for ts, te, label in spans:
            if label not in labels and label != "NUM" and not (durations and label in _TIMES):
                continue
            if label == "NORP" and doc[te - 1].pos_ == "ADJ":
                # "South Korean" answers "who?" only with what it qualifies
                ns, ne = expand(doc, ts, te, AnswerType.AGENT)
                if (ns, ne) == (ts, te):
                    continue
            if (
                question.answer_type is AnswerType.PLACE
                and _last(doc, te).dep_ in ("poss", "compound")
                and expand(doc, ts, te, question.answer_type) == (ts, te)
            ):
                continue  # "Seoul's spy agency", "the BRICS summit": whose or which, not where
            if counted and not action and _bound_to(doc[ts:te], _LOSSES):
                continue  # "How many soldiers are in Russia?": not the 18 who deserted
            if (
                counts and label in ("CARDINAL", "NUM") and _bound_elsewhere(doc[ts:te], action)
            ) or (doer_action and _bound_elsewhere(doc[ts:te], doer_action, strict=True)):
                # "18 soldiers deserted" does not say how many were killed, nor does "LIGA
                # said" say who commands the battalion: the sentence is quoted instead
                continue
            if _last(doc, te).dep_ == "poss" and _in_question(doc[ts:te].text, asked):
                continue  # "Woodrow Wilson's inquiry" answers nothing about Wilson
            ts, te = expand(doc, ts, te, question.answer_type)
            ts, te = _edges(doc, ts, te, label)
            text = doc[ts:te].text.strip(" ,.;:")
            if not text or _in_question(text, asked) or _given(text, given):
                continue
            # question words around the span, nearer ones counting more (a window match)
            around = sum(
                1.0 / (1.0 + max(0, min(abs(p - ts), abs(p - te + 1)) - 1) / 3.0) for p in positions
            )
            closeness = around / max(1, len(focus))
            # the question's own verb beside the span ("arrived in the Vladivostok area"
            # for "Where did they arrive?") says this span is what was asked
            acted = question.answer_type in (AnswerType.PLACE, AnswerType.DATE) and any(
                ts - 4 <= p < te + 4 for p in acts
            )
            closeness += 0.3 if acted else 0.0
            if spoken:
                # "Where did he speak?": the place of the speaking ("told an event in
                # Washington"), not a place the words are about
                said_there = _where_said(doc[ts:te])
                closeness += 0.5 if said_there else -0.3
                acted = acted or said_there
            preferred = 0.05 if label in _PREFERRED.get(question.answer_type, ()) else 0.0
            preferred += _grain_fit(grain, text)
            # a name every candidate sentence repeats ("Russia") answers little
            common = sum(text.lower() in c.sentence.text.lower() for c in candidates[:top])
            value = cand.score + 0.5 * closeness + preferred - 0.03 * rank - 0.04 * common

            if best is None or value > best[0]:
                best = (value, cand, text, acted)
                if label in ("PERSON", "ORG") and te - ts == 1:
                    # "Bowman was the director ...": the full name the paragraph gave
                    # just before ("a geographer named Isiah Bowman"), quoted with it
                    named = _full_name(doc, ts, s.start)
                    if named is not None:
                        start = min(named[0], s.start)
                        whole = replace(cast(Any, cand), sentence=replace(s, start=start))
                        best = (value, whole, named[1], acted)
    if best is None:
        return None
    return best[1], best[2], best[3]


# verbs that carry no action of their own: a question built on them asks about its nouns
_LIGHT_WORDS = (
    "be have do get make take give say tell report state call use include become believe "
    "expect think estimate claim quote mention describe"
)
_LIGHT_VERBS = frozenset(_LIGHT_WORDS.split())


_SPEAKING = re.compile(
    r"\b(speak|spoke|speaking|spoken|say|said|saying|tell|told|talk|talked|talking|remarks?"
    r"|announce|announced|comment|commented|address|addressed|statement)\b",
    re.I,
)
# what a place of speaking hangs on: the reporting verb or the occasion
_SPEECH_TEXT = (
    "say tell speak talk remark announce comment address brief state declare add "
    "conference event summit briefing interview speech meeting forum visit remarks"
)
_SPEECH_WORDS = frozenset(_SPEECH_TEXT.split())


def _where_said(span: Any) -> bool:
    """Whether the place ``span`` is where someone spoke: the words between it and its verb
    include a reporting verb or an occasion ("told an event in Washington", "at a news
    conference in Kazan", "said in Brussels")."""
    t = span.root
    for _ in range(6):
        if t.lemma_.lower() in _SPEECH_WORDS:
            return True
        if t.pos_ in ("VERB", "AUX") or t.head.i == t.i:
            return False
        t = t.head
    return False


def _verb_chain(span: Any) -> list[Any]:
    """The verb ``span`` hangs on (or the root it reaches without one) and the verbs it
    chains to: "are believed to have deserted", "was sent and killed"."""
    t = span.root
    while t.head.i != t.i and t.pos_ not in ("VERB", "AUX"):
        t = t.head
    return [
        t,
        *(c for c in t.subtree if c.dep_ in ("xcomp", "ccomp", "conj") and c.pos_ == "VERB"),
    ]


def _bound_elsewhere(span: Any, action: set[str], strict: bool = False) -> bool:
    """Whether the figure ``span`` counts the doers or objects of a content verb other than
    the question's ("18 soldiers deserted" for "How many were killed?"). ``strict``: also
    when its verbs are all reporting ones ("LIGA said" for "Who commands ...?")."""
    chain = _verb_chain(span)
    if chain[0].pos_ not in ("VERB", "AUX"):
        return False
    content = [v for v in chain if v.lemma_.lower() not in _LIGHT_VERBS]
    return (strict or bool(content)) and not any(
        (terms(v.text) or [""])[0] in action for v in content
    )


# what happens to part of a force: a count of these is no count of the force itself
_LOSSES = frozenset(
    terms(
        "desert deserted kill killed die died wound wounded injure injured surrender "
        "surrendered capture captured defect defected flee fled escape escaped"
    )
)


def _bound_to(span: Any, stems: frozenset[str]) -> bool:
    """Whether the figure ``span`` counts the doers or objects of a verb among ``stems``
    ("18 soldiers are believed to have deserted")."""
    return any((terms(v.text) or [""])[0] in stems for v in _verb_chain(span))


def main_action(question: Question, parse: Callable[[str], Any]) -> set[str]:
    """The stem of the question's main verb when it is an action ("commands" in "Who
    commands the battalion?"); empty for "Who said ...?", "Who is ...?"."""
    root = next((t for t in parse(question.text) if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ != "VERB" or root.lemma_.lower() in _LIGHT_VERBS:
        return set()
    return {(terms(root.text) or [""])[0]} - {""}


def question_action(question: Question, parse: Callable[[str], Any]) -> set[str]:
    """The stems of the question's own content verbs ("arrive" in "Where did the troops
    arrive?"): a sentence that answers usually states that same action."""
    return {
        (terms(t.text) or [""])[0]
        for t in parse(question.text)
        if t.pos_ == "VERB" and t.lemma_.lower() not in _LIGHT_VERBS
    } - {""}


@dataclass(frozen=True, slots=True)
class AskedRole:
    """What a "who" question asks of its verb: the doer ("Who elects ...?"), the one it is
    done to ("Who was arrested?") or who holds a quality ("Who is responsible ...?")."""

    stem: str
    role: str  # "doer", "patient" or "holder"


def _given(span: str, given: str) -> bool:
    """Whether the last answer already said ``span``: the same words, or the same figures
    ("about 1,500 special forces troops" after "about 1,500 special forces soldiers")."""
    if not given:
        return False
    if span in given:
        return True
    figures = re.findall(r"\d[\d,.]*\d|\d", span)
    return bool(figures) and all(f in given for f in figures)


def _question_verb(doc: Any) -> AskedRole | None:
    """The verb (or adjective) a "who" question asks about, and the role it asks for."""
    for t in doc:
        if t.lower_ not in ("who", "whom") or t.dep_ not in ("nsubj", "nsubjpass"):
            continue
        head = t.head
        if head.lemma_ == "be":
            attr = next((c for c in head.children if c.dep_ == "acomp"), None)
            if attr is not None:
                return AskedRole((terms(attr.lemma_) or [attr.lower_])[0], "holder")
            continue
        if head.pos_ in ("VERB", "AUX") and head.lemma_ not in ("have", "do"):
            role = "patient" if t.dep_ == "nsubjpass" else "doer"
            return AskedRole((terms(head.lemma_) or [head.lemma_.lower()])[0], role)
    return None


def _doer(doc: Any, start: int, end: int, asked: AskedRole) -> str | None:
    """The one in the sentence at ``start:end`` who plays the asked role of the asked verb:
    its subject (active) or "by" agent (passive) for the doer, its object (active) or
    subject (passive) for the one it is done to, the subject of "is <adjective>" for who
    holds a quality; as written, cut before a comma or a relative clause. "" when that one
    is a pronoun the quote does not resolve."""
    for t in doc:
        if not (start <= t.idx < end) or (terms(t.lemma_) or [""])[0] != asked.stem:
            continue
        if asked.role == "holder":
            if t.dep_ != "acomp":
                continue
            t = t.head
        elif t.pos_ not in ("VERB", "AUX"):
            continue
        # "casualties, reported by Ukrainian media": a participle with a "by" agent is passive
        passive = any(c.dep_ in ("nsubjpass", "auxpass", "agent") for c in t.children) or (
            t.dep_ == "acl" and t.tag_ == "VBN"
        )
        wanted = {
            ("doer", False): ("nsubj",),
            ("doer", True): ("agent",),
            ("patient", False): ("dobj",),
            ("patient", True): ("nsubjpass",),
            ("holder", False): ("nsubj",),
            ("holder", True): ("nsubj",),
        }[(asked.role, passive)]
        for c in t.children:
            head = None
            if c.dep_ not in wanted:
                continue
            head = (
                next((g for g in c.children if g.dep_ == "pobj"), None) if c.dep_ == "agent" else c
            )
            if head is not None and head.pos_ == "PRON":
                # "It appoints the board": who "it" is, when the quote holds the sentence
                # that names it; never the object in its place
                head = _antecedent(doc, start, t.sent.start)
                if head is None:
                    return ""
            if head is None:
                continue
            stop = head.i + 1
            for right in head.rights:  # a name in apposition stays: "broadcaster Suspilne"
                kept = (right.dep_ == "appos" and right.pos_ == "PROPN") or (
                    right.dep_ == "prep" and right.lower_ == "of"  # "citizens of the states"
                )
                if right.dep_ in _CUT and not kept:
                    break
                stop = right.right_edge.i + 1
            span = _closed(doc, head.left_edge.i, stop).strip(" ,")
            if 0 < len(span.split()) <= 10:
                return span
    return None


_CUT = frozenset({"relcl", "acl", "punct", "appos", "prep"})


def _full_name(doc: Any, i: int, sentence_start: int) -> tuple[int, str] | None:
    """The fuller name a surname at token ``i`` stands for, from the sentence just before
    its own ("... named Isiah Bowman. Bowman was ..."): that sentence's start and the name."""
    sent = doc[i].sent
    if sent.start == 0:
        return None
    before = doc[sent.start - 1].sent
    if before.start_char < sentence_start - 400:
        return None
    for ent in before.ents:
        if ent.label_ in ("PERSON", "ORG") and len(ent) > 1 and ent[-1].text == doc[i].text:
            return before.start_char, ent.text
    return None


def _closed(doc: Any, ts: int, te: int) -> str:
    """The text of tokens ``ts:te`` with a quotation mark it opens closed: 'The "European
    Council"', not 'The "European Council'."""
    text = doc[ts:te].text
    if text.count('"') % 2 and te < len(doc) and doc[te].text == '"':
        text = doc[ts : te + 1].text
    return text


def _antecedent(doc: Any, start: int, before: int) -> Any | None:
    """The subject of the last sentence of the quote (from ``start``) before token
    ``before``, when it is a noun: what a sentence-opening "it" or "they" stands for."""
    for sent in reversed([x for x in doc.sents if x.end <= before and x.start_char >= start]):
        subject = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.pos_ in ("NOUN", "PROPN"):
            return subject
        return None
    return None


def _last(doc: Any, te: int) -> Any:
    """The last word of the entity ending at ``te``, its possessive "'s" left aside."""
    return doc[te - 2] if te >= 2 and doc[te - 1].dep_ == "case" else doc[te - 1]


def expand(doc: Any, ts: int, te: int, answer_type: AnswerType) -> tuple[int, int]:
    """A place or a figure read with the words that make it an answer: "Russia's Kursk and
    Bryansk oblasts" rather than "Russia", "about 8,000 North Korean troops" rather than
    "8,000". The noun phrase the entity heads or modifies, cut at its first comma."""
    if answer_type not in (AnswerType.PLACE, AnswerType.NUMBER, AnswerType.AGENT):
        return ts, te
    last = _last(doc, te)
    if answer_type is AnswerType.AGENT and last.dep_ not in ("amod", "compound", "poss"):
        return ts, te  # a name stands alone; "Scottish" is read with what it qualifies
    head = last
    while head.dep_ in ("poss", "compound", "nummod", "amod", "quantmod", "nmod") and (
        head.head.i > head.i
    ):
        head = head.head
    if answer_type is not AnswerType.PLACE and head.pos_ not in ("NOUN", "PROPN"):
        return ts, te
    if (
        answer_type is AnswerType.PLACE
        and head.i >= te
        and head.ent_type_ not in ("GPE", "LOC", "FAC")
        and head.lemma_.lower() not in _PLACE_NOUNS
    ):
        return ts, te  # "Seoul's spy agency" is no place; "Russia's Kursk region" is
    start = min(ts, head.left_edge.i)
    end = max(te, head.i + 1)
    for t in doc[head.i + 1 : head.right_edge.i + 1]:
        if t.is_punct or t.dep_ in ("relcl", "acl", "prep", "appos", "advmod"):
            break
        end = t.i + 1
    if end - start > 12:
        return ts, te
    return start, end


# nouns that name a place when a place name qualifies them ("Russia's border regions")
_PLACE_WORDS = (
    "area region oblast province district territory border frontier front frontline city "
    "town village capital port harbour harbor coast island peninsula base camp site zone "
    "county state country east west north south"
)
_PLACE_NOUNS = frozenset(_PLACE_WORDS.split())


# "How long ...?", "How often ...?": durations and frequencies are DATE/TIME entities.
_DURATION = re.compile(
    r"\bhow (long|often|old)\b|\bhow many (years|months|weeks|days|hours|times)\b", re.I
)
_TIMES = frozenset({"DATE", "TIME"})
_PREFERRED: dict[AnswerType, tuple[str, ...]] = {
    AnswerType.AGENT: ("PERSON", "ORG"),
    AnswerType.PLACE: ("GPE", "LOC"),
    AnswerType.NUMBER: ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "NUM"),
    AnswerType.DATE: ("DATE",),
}


def _number_spans(doc: Any, start: int, end: int) -> list[tuple[int, int, str]]:
    """Figures the entity recogniser missed ("about 10,000"), as token ranges."""
    out = []
    text = doc.text
    for m in _NUMBER.finditer(text, start, end):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end, "NUM"))
    return out


# Words that read a date as an answer ("since the 1950s", "after the war"), kept before it.
_DATE_LEADS = frozenset({"since", "until", "till", "before", "after", "by", "from", "between"})
# Words a span must not end on: "groups such", "the Parliament of the United Kingdom at".
_DATE_TAILS = frozenset({"before", "earlier", "later", "ago", "after", "previously"})
_DANGLING = frozenset({"ADP", "DET", "CCONJ", "SCONJ", "PART"})


def _edges(doc: Any, ts: int, te: int, label: str) -> tuple[int, int]:
    """A date with the word that says how it bounds the answer ("since the 1950s"); a word
    the tokenizer split at a hyphen kept whole ("Mid-Atlantic"); no span that ends on a
    preposition, article or conjunction."""
    if label in _TIMES and ts > 0 and doc[ts - 1].lower_ in _DATE_LEADS:
        ts -= 1
    if label in _TIMES and te < len(doc) and doc[te].lower_ in _DATE_TAILS:
        te += 1  # "the week before", "two days earlier": "the week" alone says no time
    while (
        te + 1 < len(doc)
        and doc[te].text == "-"
        and not doc[te - 1].whitespace_
        and not doc[te].whitespace_
    ):
        te += 2
    if ts > 0 and doc[ts - 1].lower_ == "the" and ts <= doc[ts - 1].head.i < te:
        ts -= 1  # "the Queen", "the Presiding Officer": the name as the text writes it
    while te - ts > 1 and (doc[te - 1].pos_ in _DANGLING or doc[te - 1].lower_ == "such"):
        te -= 1
    return ts, te


# The grain of time or amount a question asks for: "What year ...?" wants a year, not "the
# 10 years"; "What day of the week ...?" a weekday; "How much money ...?" a sum.
_GRAINS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("weekday", re.compile(r"\bday of the week\b|\bwhat day\b|\bwhich day\b", re.I)),
    ("year", re.compile(r"\b(what|which|in what|in which) year\b", re.I)),
    ("month", re.compile(r"\b(what|which|in what|in which) month\b", re.I)),
    ("century", re.compile(r"\b(what|which) century\b", re.I)),
    ("decade", re.compile(r"\b(what|which) decade\b", re.I)),
    ("duration", re.compile(r"\bhow long\b(?! ago)", re.I)),
    ("date", re.compile(r"\b(what|which|on what|on which) date\b", re.I)),
    (
        "money",
        re.compile(
            r"\bhow much (money|capital|did .* cost|does .* cost)\b|\bprice\b"
            r"|\bhow much\b.*\b(pay|paid|paying|pays|spend|spent|spending|earn|earned|earning"
            r"|cost|costs|worth|salary|wages?|fee)\b",
            re.I,
        ),
    ),
)
_GRAIN_SHAPES: dict[str, re.Pattern[str]] = {
    "weekday": re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.I),
    "year": re.compile(r"\b(1\d|20)\d\d\b"),
    "month": re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I),
    "century": re.compile(r"\bcentur(y|ies)\b", re.I),
    "decade": re.compile(r"\b\d0s\b|\b\d0's\b"),
    "duration": re.compile(
        r"\b(since|years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(y|ies))\b", re.I
    ),
    "money": re.compile(
        r"[$£€¥₩₽₴]|\b(dollars?|euros?|pounds?|pence|cents?|krone|kroner|yen|rubles?|roubles?|won|yuan"
        r"|lira|lire|francs?|marks?|rupees?|hryvnias?|shekels?|pesos?)\b"
        r"|\b(USD|EUR|GBP)\b|\bfree\b",
        re.I,
    ),
    "date": re.compile(
        r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
        r"|\b\d{1,2}(st|nd|rd|th)? (of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        r"|\b\d{1,2}/\d{1,2}\b",
        re.I,
    ),
}


# grains whose answer has a shape of its own: a lead without it does not answer
_SHAPED = frozenset(["weekday", "year", "month", "century", "decade", "date", "money"])


def grain_missing(question: Question, text: str) -> str | None:
    """The grain the question asks for ("On what date ...?", "How much is ... paid?") when
    ``text`` holds nothing of its shape: a sentence without a date does not say when ("on
    Friday" does, for a news article that is dated)."""
    grain = _grain(question)
    if grain not in _SHAPED or _GRAIN_SHAPES[grain].search(text):
        return None
    if grain == "date" and _GRAIN_SHAPES["weekday"].search(text):
        return None
    return grain


_SPAN_OF_TIME = re.compile(r"\b\d+[- ](years?|months?|weeks?|days?|hours?|minutes?)\b", re.I)


def _grain(question: Question) -> str | None:
    if question.answer_type not in (AnswerType.DATE, AnswerType.NUMBER):
        return None
    return next((name for name, p in _GRAINS if p.search(question.text)), None)


def _grain_fit(grain: str | None, text: str) -> float:
    """A bonus for a span of the asked grain, a penalty for a length of time given for a
    point in time ("the 10 years" for "What year ...?")."""
    if grain is None:
        return 0.0
    if _GRAIN_SHAPES[grain].search(text):
        return 0.3
    return -0.1 if _SPAN_OF_TIME.search(text) else 0.0


def polarity(question: Question, cand: Candidate, stance: str | None, negated: bool) -> str:
    """ "Yes:" / "No:" for a yes/no question from the best sentence: a denial, or a negation
    the question does not carry, says no; a sentence that holds most of the question's
    words without one says yes; anything else gets no word."""
    text_words = set(words(cand.sentence.text))
    says_no = stance == "denied" or negated or bool(text_words & _DENIAL_WORDS)
    if question.stance == "confirmed":
        # "Has X confirmed ...?": only a confirmation says yes; "if true", a claim or a
        # hedge ("could not verify") says no; anything else is quoted without a word
        if says_no or stance in ("conditional", "alleged") or _HEDGED.search(cand.sentence.text):
            return NO
        return YES if stance == "confirmed" and cand.lexical >= 0.5 else ""
    if question.stance == "denied":
        # "Did X deny ...?": only a denial says yes, a denial declined ("did not deny") no;
        # a sentence on anything else, however close, is quoted without a word
        if (stance == "denied" and negated) or _NOT_DENIED.search(cand.sentence.text):
            return NO
        return YES if stance == "denied" and cand.lexical >= 0.5 else ""
    if says_no != question.negated:
        return NO
    if cand.lexical >= 0.6:
        return YES
    return ""


_HEDGED = re.compile(
    r"\b(not (been )?independently (confirmed|verified)|could not (verify|confirm)|unverified"
    r"|not (been )?(confirmed|verified))\b",
    re.I,
)


def best_clause(sentence: str, focus: set[str]) -> str:
    """The clause of ``sentence`` holding most of the question's focus words (verbatim); the
    whole sentence when a clause would be too short to stand alone."""
    pieces, pos = [], 0
    for m in _CLAUSE_CUT.finditer(sentence):
        pieces.append(sentence[pos : m.start()])
        pos = m.end()
    pieces.append(sentence[pos:])
    if len(pieces) == 1:
        return sentence.strip()

    def key(piece: str) -> tuple[int, int]:
        return len(set(terms(piece)) & focus), len(piece)

    best = max(pieces, key=key).strip(" ,;")
    return best if len(words(best)) >= 6 and key(best)[0] else sentence.strip()


# How a stance lead names each stance, in the order an analyst reads them.
STANCE_ORDER = ("confirmed", "alleged", "asserted", "conditional", "likely", "denied")
STANCE_LABELS = {
    "confirmed": "Confirmed by",
    "alleged": "Claimed by",
    "asserted": "Stated by",
    "conditional": "Said conditionally (if true) by",
    "likely": "Judged likely by",
    "denied": "Denied by",
}


_NOT_DENIED = re.compile(
    r"\b(?:not|never|n't|declin\w*|refus\w*|without)\s+(?:\w+\s+){0,2}?"
    r"(?:deny|denied|denying|dismiss\w*|reject\w*|refut\w*|disput\w*)\b",
    re.I,
)


def stance_of(stance: str, negated: bool, sentence: str) -> str | None:
    """The stance a lead reports for a claim, or None when it reports nobody's stance."""
    if negated:
        if _NOT_DENIED.search(sentence):
            return None  # "did not deny", "declined to deny": nobody's denial, nor a claim
        return "denied" if stance in ("confirmed", "asserted") else None
    if stance == "unattributed":
        return None
    return stance


def speaker_key(speaker: str) -> str:
    """ "Pentagon spokesperson Sabrina Singh" and "Sabrina Singh" are one speaker."""
    names = [w for w in re.findall(r"[A-Z][\w'’-]+", speaker)]
    return (names[-1] if names else speaker).lower()


def figures(doc: Any, start: int, end: int) -> list[str]:
    """The figures a sentence states, each with the noun it counts ("about 8,000 North
    Korean troops"), verbatim; years, dates and times left out."""
    dated = {t.i for e in doc.ents if e.label_ in ("DATE", "TIME", "ORDINAL") for t in e}
    out: list[str] = []
    for chunk in doc.noun_chunks:
        if chunk.start_char < start or chunk.end_char > end:
            continue
        if any(t.like_num and t.i not in dated and any(c.isdigit() for c in t.text) for t in chunk):
            text = chunk.text.strip(" ,.;:")
            if text and text not in out:
                out.append(text)
    return out


def missing_names(
    question: Question, texts: Sequence[str], parse: Callable[[str], Any]
) -> list[str]:
    """Proper names of the question that none of ``texts`` mentions ("What did China say
    ...?" over articles that never name China): evidence about something else. A name
    matches on its first five letters, so "Zelensky" finds "Zelenskiy"."""
    corpus = _plain(" ".join(texts))
    names = [
        t.text
        for t in parse(question.text)
        if (t.pos_ == "PROPN" or (t.text.isupper() and t.is_alpha))  # "IAEA" read as a noun
        and len(t.text) >= 3
        and t.text[:1].isupper()
        and t.lower_ not in _QUESTION_WORDS  # "WHat", "WHen" typed in a hurry
        and not t.text.endswith(".")  # "Mr.", "Gen."
        and t.ent_type_ not in ("DATE", "TIME", "ORDINAL", "CARDINAL")  # "October" is a date
    ]
    missing = [n for n in names if _plain(n)[:5] not in corpus]
    if not missing:
        return []
    known = set(re.findall(r"\w{4,}", corpus))
    joined = re.sub(r"\W+", "", corpus)
    initials = _initials(" ".join(texts))
    nations = nations_in(" ".join(texts))
    return [
        n
        for n in missing
        if not _misspelt(_plain(n), known)
        and _plain(n) not in joined  # "UserDatagram" for "User Datagram"
        and n not in initials  # "AAA" for "American Automobile Association"
        # "Moscow" for "the Kremlin", "US" for "American"; "the Pentagon" only for itself
        and not nations_in(n, seats=False) & nations
    ]


_MINOR_WORDS = frozenset(["of", "the", "and", "for", "on", "de", "du"])


def _initials(text: str) -> set[str]:
    """The acronyms a text spells out: "AAA" for "the American Automobile Association",
    "NIS" for "National Intelligence Service" (small words such as "of" skipped)."""
    found: set[str] = set()
    run: list[str] = []
    for w in [*re.findall(r"[\w'-]+", text), "."]:
        if w[:1].isupper() and not (len(w) > 1 and w.isupper()):
            run.append(w[0])
            continue
        if w.lower() in _MINOR_WORDS and run:
            continue
        for i in range(len(run) - 1):  # every tail of the run: "the Finnish NIS"
            found.add("".join(run[i:]))
        run = []
    return found


_FIGURE = re.compile(r"(?<![\w.])\d[\d,.]*(?<![,.])")
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
    )
}


_ROMAN = {r: str(i) for i, r in enumerate(["", "I", "II", "III", "IV", "V", "VI", "VII"]) if r}


_DAY_OF_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (\d{1,2})\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)


def missing_figures(question: Question, texts: Sequence[str], dates: bool = True) -> list[str]:
    """Figures of the question ("by up to 33 pence") that none of ``texts`` states, in
    digits or as a word ("five times"): evidence about another figure does not answer.
    Without ``dates``, days of a month are not asked for: a news paragraph says "on
    Monday" for "on October 28"."""
    asked = _FIGURE.findall(question.text)
    if not dates:
        days = {d for m in _DAY_OF_MONTH.finditer(question.text) for d in m.groups() if d}
        asked = [f for f in asked if f not in days]
    if not asked:
        return []
    corpus = " ".join(texts)
    stated = {f.replace(",", "") for f in _FIGURE.findall(corpus)}
    stated |= {_NUMBER_WORDS[w] for w in words(corpus) if w in _NUMBER_WORDS}
    stated |= {_ROMAN[w] for w in re.findall(r"\b[IVX]+\b", corpus) if w in _ROMAN}
    return [f for f in asked if f.replace(",", "") not in stated]


_QUESTION_WORDS = frozenset(
    [
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "did",
        "does",
        "do",
        "is",
        "are",
        "was",
        "were",
    ]
)


def _swapped(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1


def _misspelt(name: str, known: set[str]) -> bool:
    """Whether ``name`` is a word of the evidence typed with a slip ("ARPNET" for
    "ARPANET", "Kllbrandon" for "Kilbrandon"): one letter or two apart in a long name, or
    two letters swapped ("TEFU" for "TFEU")."""
    if len(name) >= 4 and any(
        len(w) == len(name) and w != name and sorted(w) == sorted(name) and _swapped(w, name)
        for w in known
    ):
        return True
    if len(name) < 5:
        return False
    for word in known:
        if abs(len(word) - len(name)) > 2:
            continue
        m = difflib.SequenceMatcher(None, name, word, autojunk=False)
        if m.real_quick_ratio() >= 0.85 and m.quick_ratio() >= 0.85 and m.ratio() >= 0.85:
            return True
    return False


def _plain(text: str) -> str:
    """Lower case without accents: "Kücükdeveci" and "Kucukdeveci" are one name."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
