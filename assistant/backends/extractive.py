"""Offline extractive answers: choose the sentences of the retrieved paragraphs that answer
the question and cite each one. Nothing is generated, so every quote is verbatim."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.backends.base import Turn
from assistant.models import REFUSAL, Answer, Citation
from assistant.sentences import Sentence, split_hits
from vectorstore.models import Hit
from vectorstore.text import terms

# Words of the question that say what kind of answer is wanted, not what it is about.
_QUESTION_TERMS = frozenset(terms("who whom what which when where why how many much did does"))


@dataclass(frozen=True, slots=True)
class Scored:
    sentence: Sentence
    dense: float
    lexical: float

    @property
    def score(self) -> float:
        return 0.6 * self.dense + 0.4 * self.lexical - 0.01 * self.sentence.rank


class ExtractiveBackend:
    name = "extractive"

    def __init__(
        self,
        embeddings: Embeddings,
        max_sentences: int = 4,
        min_support: float = 0.2,
        min_coverage: float = 0.5,
    ) -> None:
        self.embeddings = embeddings
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.min_coverage = min_coverage

    def score(self, question: str, hits: Sequence[Hit]) -> list[Scored]:
        sentences = split_hits(list(hits))
        if not sentences:
            return []
        vectors = np.array(self.embeddings.embed_documents([s.text for s in sentences]))
        query = np.array(self.embeddings.embed_query(question))
        dense = vectors @ query
        wanted = set(terms(question)) - _QUESTION_TERMS
        scored = []
        for sentence, d in zip(sentences, dense, strict=True):
            have = set(terms(sentence.text))
            lexical = len(wanted & have) / len(wanted) if wanted else 0.0
            scored.append(Scored(sentence, float(d), lexical))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def supported(self, best: Scored) -> bool:
        """Refusal in code: the best sentence must be close in meaning and share most of the
        question's content words, or be very close in meaning."""
        if best.dense >= 2.5 * self.min_support and best.lexical > 0:
            return True
        return best.dense >= self.min_support and best.lexical >= self.min_coverage

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        scored = self.score(question, hits)
        if not scored or not self.supported(scored[0]):
            return Answer(question, REFUSAL, refused=True, related=tuple(hits[:3]))
        floor = scored[0].score * 0.75
        groups: list[list[Scored]] = []
        for cand in scored:
            if cand.score < floor:
                break
            twin = next((g for g in groups if _near_duplicate(g[0].sentence, cand.sentence)), None)
            if twin is not None:
                if all(c.sentence.hit.article_id != cand.sentence.hit.article_id for c in twin):
                    twin.append(cand)  # the same claim in another article corroborates it
                continue
            if len(groups) < self.max_sentences:
                groups.append([cand])
        return compose(question, groups)


def _near_duplicate(a: Sentence, b: Sentence) -> bool:
    ta, tb = set(terms(a.text)), set(terms(b.text))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def compose(question: str, groups: list[list[Scored]]) -> Answer:
    """Each group is one sentence (the first's text) cited by every member's paragraph."""
    parts: list[str] = []
    citations: list[Citation] = []
    for group in groups:
        markers = ""
        for member in group:
            s = member.sentence
            citations.append(
                Citation(
                    number=len(citations) + 1,
                    paragraph=s.hit,
                    quote=s.text,
                    quote_start=s.start,
                    quote_end=s.end,
                    sources_count=len({m.sentence.hit.source for m in group}),
                )
            )
            markers += f"[{len(citations)}]"
        parts.append(f"{group[0].sentence.text} {markers}")
    return Answer(question, " ".join(parts), tuple(citations))
