"""Offline extractive answers: choose the sentences of the retrieved paragraphs that answer
the question and cite each one. Nothing is generated, so every quote is verbatim; the only
composed words are lead-ins built from citation metadata (speaker, outlet, date, stance,
count of independent sources)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant import attribution
from assistant.attribution import Claim
from assistant.backends.base import AnswerStream, Turn
from assistant.citations import negated, numbers_in, supports
from assistant.models import REFUSAL, Answer, Citation, Stance
from assistant.sentences import Sentence, split_hits
from ingest.text import terms, words
from vectorstore.models import Hit

# Words of the question that say what kind of answer is wanted, not what it is about.
_QUESTION_TERMS = frozenset(terms("who whom what which when where why how many much did does"))
SAME_COPY = 0.8  # shared word pairs at which one sentence is a copy of another (wire copy)
SAME_MEANING = 0.9  # cosine at which two sentences that share their words mean the same
STANCE_BOOST = 0.1  # "Who confirmed ...?": sentences with that stance come first


@dataclass(frozen=True, slots=True)
class Scored:
    sentence: Sentence
    dense: float
    lexical: float
    boost: float = 0.0

    @property
    def score(self) -> float:
        return 0.6 * self.dense + 0.4 * self.lexical - 0.01 * self.sentence.rank + self.boost


@dataclass(slots=True)
class Group:
    """One claim of the answer: its best sentence and the same claim in other articles."""

    members: list[Scored]
    claim: Claim = field(default=attribution.NOBODY)

    @property
    def head(self) -> Scored:
        return self.members[0]


class ExtractiveBackend:
    name = "extractive"

    def __init__(
        self,
        embeddings: Embeddings,
        max_sentences: int = 4,
        min_support: float = 0.5,
        min_coverage: float = 0.2,
        cache_size: int = 50_000,
    ) -> None:
        self.embeddings = embeddings
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.min_coverage = min_coverage
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors, computed in one batch for the ones not seen before."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            if len(self._vectors) + len(todo) > self.cache_size:
                self._vectors.clear()
            for text, vec in zip(todo, self.embeddings.embed_documents(todo), strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def score(self, question: str, hits: Sequence[Hit]) -> list[Scored]:
        sentences = split_hits(list(hits))
        if not sentences:
            return []
        vectors = self._embed([s.text for s in sentences])
        query = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        dense = vectors @ query
        wanted = set(terms(question)) - _QUESTION_TERMS
        scored = []
        for sentence, d in zip(sentences, dense, strict=True):
            have = set(terms(sentence.text))
            lexical = len(wanted & have) / len(wanted) if wanted else 0.0
            scored.append(Scored(sentence, float(d), lexical))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def rank(self, question: str, hits: Sequence[Hit]) -> tuple[list[Scored], str | None]:
        """Scored sentences, best first; for "Who confirmed ...?" questions those with the
        asked stance are raised. Also returns that stance (None for other questions)."""
        scored = self.score(question, hits)
        asked = attribution.question_stance(question)
        if asked is not None and scored:
            scored = _boost_stance(scored, asked, hits)
        return scored, asked

    def supported(self, question: str, scored: list[Scored]) -> bool:
        """Refusal in code (thresholds tuned on the development set): the sentence closest in
        meaning must reach ``min_support`` cosine, the best sentence must hold at least
        ``min_coverage`` of the question's content words, and a negated question ("Which
        country was not hit?") needs a negated sentence among the best three. A sentence
        with the stance a "Who confirmed ...?" question asks about needs less similarity."""
        if not scored:
            return False
        if any(
            s.boost > 0 and s.lexical >= self.min_coverage and s.dense >= 0.6 * self.min_support
            for s in scored[:5]
        ):
            return True  # "Who denied the reports?": a denial about the reports answers it
        if max(s.dense for s in scored) < self.min_support:
            return False
        if scored[0].lexical < self.min_coverage:
            return False
        return not negated(question) or any(negated(s.sentence.text) for s in scored[:3])

    def refusal(self, question: str, hits: Sequence[Hit]) -> Answer:
        return Answer(question, REFUSAL, refused=True, related=tuple(h.passage for h in hits[:3]))

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        scored, asked = self.rank(question, hits)
        if not self.supported(question, scored):
            return self.refusal(question, hits)
        groups = self.select(scored)
        if asked == Stance.CONFIRMED and len(groups) < self.max_sentences:
            groups.extend(self._unconfirmed_figure(scored, groups))
        for g in groups:
            s = g.head.sentence
            g.claim = attribution.attribute(s.hit.text, s.start, s.end)
        return compose(question, _reading_order(groups), asked)

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> AnswerStream:
        return AnswerStream.of(self.answer(question, hits, history))

    def same_claim(self, head: Sentence, other: Sentence) -> bool:
        """``other`` states the claim of ``head``: it supports ``head`` (content words, figures,
        negation) and either ``head`` supports it too or they mean nearly the same."""
        if not supports(other.text, head.text):
            return False
        if supports(head.text, other.text):
            return True
        a, b = self._vectors.get(head.text), self._vectors.get(other.text)
        return a is not None and b is not None and float(a @ b) >= SAME_MEANING

    def _unconfirmed_figure(self, scored: list[Scored], groups: list[Group]) -> list[Group]:
        """For "Who confirmed ...?": the best claimed (not confirmed) figure on the topic, so
        the answer can say plainly what was only claimed."""
        for cand in scored:
            s = cand.sentence
            if cand.lexical < self.min_coverage or not numbers_in(s.text):
                continue
            if any(self.same_claim(g.head.sentence, s) for g in groups):
                continue
            if attribution.attribute(s.hit.text, s.start, s.end).stance == Stance.ALLEGED:
                return [Group([cand])]
        return []

    def select(self, scored: list[Scored]) -> list[Group]:
        """The best sentences down to 75% of the best score, one per claim: a sentence that
        repeats a chosen one is dropped, or joins it when another article carries it."""
        floor = scored[0].score * 0.75
        groups: list[Group] = []
        for cand in scored:
            if cand.score < floor or len(groups) >= self.max_sentences:
                break
            if any(self.same_claim(g.head.sentence, cand.sentence) for g in groups):
                continue
            groups.append(Group([cand]))
        for g in groups:  # corroboration: the same claim anywhere in the retrieved paragraphs
            for cand in scored:
                articles = {m.sentence.hit.article.id for m in g.members}
                if cand.sentence.hit.article.id not in articles and self.same_claim(
                    g.head.sentence, cand.sentence
                ):
                    g.members.append(cand)
        return groups


def _boost_stance(scored: list[Scored], asked: str, hits: Sequence[Hit]) -> list[Scored]:
    attribution.parse_many([h.text for h in hits])
    boosted = []
    for s in scored:
        claim = attribution.attribute(s.sentence.hit.text, s.sentence.start, s.sentence.end)
        bonus = STANCE_BOOST if claim.stance == asked and not claim.negated else 0.0
        boosted.append(Scored(s.sentence, s.dense, s.lexical, bonus))
    boosted.sort(key=lambda s: s.score, reverse=True)
    return boosted


def _copied(a: str, b: str) -> bool:
    """One sentence is a copy of the other: the same words in the same order (shared word
    pairs), as when an outlet republishes a wire story."""
    pa, pb = _pairs(a), _pairs(b)
    return bool(pa and pb) and len(pa & pb) / len(pa | pb) >= SAME_COPY


def _pairs(text: str) -> set[tuple[str, str]]:
    w = words(text)
    return set(itertools.pairwise(w))


def independent_sources(items: Sequence[tuple[str, str]]) -> int:
    """Outlets carrying a claim, from (outlet, sentence) pairs: a copy of another outlet's
    sentence (wire copy) and a second article of the same outlet count once."""
    clusters: list[list[tuple[str, str]]] = []
    for source, text in items:
        home = next(
            (c for c in clusters if any(o == source or _copied(t, text) for o, t in c)),
            None,
        )
        if home is None:
            clusters.append([(source, text)])
        else:
            home.append((source, text))
    return len(clusters)


def _reading_order(groups: list[Group]) -> list[Group]:
    """The best claim first, then the rest as the articles tell them: by date, article and
    position."""
    if len(groups) < 3:
        return groups

    def place(g: Group) -> tuple[str, str, int, int]:
        s = g.head.sentence
        a, index = s.hit.article, s.hit.passage.paragraph.index
        return (a.published_at or "", a.id, index, s.start)

    return [groups[0], *sorted(groups[1:], key=place)]


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
        and (asked is not None or only_claimed)
    ):
        label = attribution.label(claim)
        if only_claimed:
            label = "Only claimed, not independently confirmed, by"
        return f"{label} {claim.speaker} ({_dated(hit)}{sources}): "
    if count > 1:
        return f"Carried by {count} independent sources: "
    return ""


def compose(question: str, groups: list[Group], asked: str | None = None) -> Answer:
    """Each group is one statement (its head's text) cited by every member's paragraph."""
    confirmed_figures: set[str] = set()
    for g in groups:
        if g.claim.stance == Stance.CONFIRMED and not g.claim.negated:
            confirmed_figures |= numbers_in(g.head.sentence.text)
    parts: list[str] = []
    citations: list[Citation] = []
    for g in groups:
        count = independent_sources(
            [(m.sentence.hit.article.source, m.sentence.text) for m in g.members]
        )
        markers = ""
        for member in g.members:
            s = member.sentence
            claim = (
                g.claim if member is g.head else attribution.attribute(s.hit.text, s.start, s.end)
            )
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
            markers += f"[{len(citations)}]"
        parts.append(
            f"{lead_in(g, count, asked, confirmed_figures)}{g.head.sentence.text} {markers}"
        )
    return Answer(question, " ".join(parts), tuple(citations))
