"""Evidence: the candidate sentences of the retrieved paragraphs, each with the context the
model reads beside it, and their scores once the model has read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.sentences import Sentence, split_hits
from ingest.hygiene import is_citable
from ingest.text import sentence_spans, terms
from vectorstore.models import Hit

MAX_CANDIDATES = 40  # the speed budget: 40 sentences read in well under 150 ms (bench/answers.py)
# Words of the question that say what kind of answer is wanted, not what it is about.
QUESTION_TERMS = frozenset(terms("who whom what which when where why how many much did does"))


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate sentence and what the reader made of it: ``score`` is the model's
    probability that it answers the question, ``span`` the answer's offsets in the sentence
    (the span head's best), ``lexical`` the share of the question's content words it holds
    (kept for the stance and polarity wording, never for choosing)."""

    sentence: Sentence
    context: str = ""
    score: float = 0.0
    lexical: float = 0.0
    span: tuple[int, int] | None = None

    @property
    def span_text(self) -> str:
        if self.span is None:
            return ""
        return self.sentence.text[self.span[0] : self.span[1]]


def context_of(hit: Hit, start: int) -> str:
    """What the model reads beside the sentence at ``start`` of ``hit``: the article's title
    and the sentence before it in its paragraph (the layout of training)."""
    title = hit.article.title or ""
    before = ""
    for a, b in sentence_spans(hit.text):
        if b <= start:
            before = hit.text[a:b]
        else:
            break
    return " ".join(x for x in (title.rstrip(".") + "." if title else "", before) if x)


def lexical_share(question: str, text: str) -> float:
    wanted = set(terms(question)) - QUESTION_TERMS
    return len(wanted & set(terms(text))) / len(wanted) if wanted else 0.0


def candidates(question: str, hits: Sequence[Hit], limit: int = MAX_CANDIDATES) -> list[Scored]:
    """The sentences of the citable retrieved paragraphs (captions, credits, bylines and
    boilerplate are never evidence), at most ``limit``: when there are more, those of the
    better-ranked paragraphs and with more of the question's words are kept."""
    citable = [h for h in hits if is_citable(h.text)]
    found = [
        Scored(s, context_of(s.hit, s.start), lexical=lexical_share(question, s.text))
        for s in split_hits(citable)
    ]
    if len(found) <= limit:
        return found
    keep = sorted(found, key=lambda c: (c.sentence.rank - 4 * c.lexical, c.sentence.start))
    chosen = {id(c) for c in keep[:limit]}
    return [c for c in found if id(c) in chosen]
