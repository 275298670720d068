"""Who speaks in a candidate sentence, and whose words a question asks for.

A thin layer over ``assistant.attribution`` (the spaCy parse of reporting verbs): a
"He said ..." opening a paragraph takes the last named speaker of the article's earlier
retrieved paragraphs, and "What did X say about Y?" names X.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant import attribution
from assistant.contrast import nations_in
from assistant.question import Question
from assistant.reader import lexicon
from assistant.reader.evidence import Scored
from ingest.text import sentence_spans, terms
from vectorstore.models import Hit

PRONOUNS = lexicon.pronouns()
# what one says, rules or decides: the verbs whose subject a "What did X say?" asks for
_STATING = attribution.REPORTING_VERBS | frozenset(
    ["hold", "rule", "find", "decide", "conclude", "argue", "write", "note", "insist", "accept"]
)


def speaker_of(cand: Scored, hits: Sequence[Hit] = ()) -> tuple[str | None, str | None]:
    """Who speaks in the sentence and with what verb; "He said ..." opening a paragraph is
    the last named speaker of the article's earlier retrieved paragraphs."""
    s = cand.sentence
    claim = attribution.attribute(s.hit.text, s.start, s.end)
    if claim.speaker and claim.speaker.lower() in PRONOUNS:
        return earlier_speaker(s.hit, hits) if hits else None, claim.verb
    return claim.speaker, claim.verb


def earlier_speaker(hit: Hit, hits: Sequence[Hit]) -> str | None:
    """For "He said ..." opening a paragraph: the last named speaker of the article before
    it, from the article's earlier retrieved paragraphs (nearest first)."""
    earlier = sorted(
        (
            h
            for h in hits
            if h.article.id == hit.article.id
            and h.passage.paragraph.index < hit.passage.paragraph.index
        ),
        key=lambda h: -h.passage.paragraph.index,
    )
    for h in earlier[:3]:
        for s, e in reversed(sentence_spans(h.text)):
            claim = attribution.attribute(h.text, s, e)
            if claim.speaker and claim.speaker.lower() not in PRONOUNS:
                return claim.speaker
    return None


def asked_speaker(q: Question) -> str | None:
    """The one whose words a "What did X say / claim / announce about ...?" question asks
    for: the head word of the named subject of its reporting verb (None for other questions,
    and for "he" or "officials")."""
    if q.kind not in ("what", "how"):
        return None
    doc = attribution.parsed(q.text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_.lower() not in attribution.REPORTING_VERBS:
        return None
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ != "PROPN":
        return None  # "What did officials say?" asks no one in particular
    # the head of the name: "Un" of "Kim Jong Un" (Kim Yong-hyun is another Kim), "Rutte"
    return subject.text


def speaking(cand: Scored, asked: str, hits: Sequence[Hit]) -> bool:
    """Whether the words of ``cand`` are those of ``asked``: a name, title or surname in
    common with the sentence's speaker, or with the subject of a verb of saying or ruling in
    it ("The court held that ..."). A nation speaks through its capital, seat of power and
    officials."""
    names = set(terms(asked))
    nations = nations_in(asked, seats=False)

    def named(text: str) -> bool:
        return bool(names & set(terms(text)) or nations & nations_in(text))

    speaker, _verb = speaker_of(cand, hits)
    if speaker and named(speaker):
        return True
    s = cand.sentence
    span = attribution.parsed(s.hit.text).char_span(s.start, s.end, alignment_mode="expand")
    return span is not None and any(
        t.lemma_.lower() in _STATING
        and any(
            c.dep_ in ("nsubj", "nsubjpass") and named(" ".join(w.text for w in c.subtree))
            for c in t.children
        )
        for t in span
    )
