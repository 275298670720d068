"""Hybrid retrieval: four rankings of paragraphs fused by weighted, normalised scores.

The signals: BM25 of the paragraph (with its title and publisher), BM25 of its best
sentence, cosine of the paragraph vector and cosine of its best sentence vector. Each is
z-normalised over the candidates (the union of every signal's top results) and summed with
weights. Score fusion keeps how *much* better the best candidate is, which reciprocal rank
fusion throws away; on the development set plain RRF ranked the evidence paragraph first
less often than BM25 alone. A soft per-article penalty then lets a corroborating article
surface before a third or fourth paragraph of the same one.

It is a LangChain ``BaseRetriever``, so it plugs into any LangChain chain; ``retrieve``
returns our ``Hit`` records (a stored ``Passage`` and its score) for the assistant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.hygiene import is_citable
from vectorstore.context import keep_together, smooth, text_key, unique_texts
from vectorstore.filters import Filters
from vectorstore.index import IndexHandle
from vectorstore.metadata import passage_metadata
from vectorstore.models import Hit, Passage
from vectorstore.store import ParagraphStore

# Weights of the z-normalised signals, chosen on the development set (see README,
# "Retrieval"); results there are flat within about ±0.5 of each weight.
WEIGHTS: Mapping[str, float] = {
    "lexical": 1.0,
    "lexical_sentence": 0.25,
    "dense": 0.25,
    "dense_sentence": 1.0,
}


@dataclass(frozen=True, slots=True)
class Tuning:
    """How signals are fused and how deep each looks, for one kind of corpus."""

    weights: Mapping[str, float]
    candidates: int = 30  # per lexical signal
    dense_candidates: int = 60  # nearest paragraph vectors
    neighbour_share: float = 0.0  # of the better neighbour's score added to a paragraph's
    context_depth: int = 40  # the best this many candidates bring their neighbours in
    # In z units of the fused score: captions, credits and boilerplate after the story.
    non_citable_penalty: float = 100.0
    # Hits up to this many paragraphs before and after a hit are handed over beside it, in
    # reading order (0: ranked by score alone).
    together: int = 1
    collapse: bool = True  # one of identical paragraphs
    per_article: int = 2  # paragraphs of one article before the diversity penalty applies
    diversity_penalty: float = 0.75  # in z units of the fused score


WHOLE_RUNS = 1_000  # ``together``: every neighbouring hit joins, however long the run

# Measured per kind of corpus (bench/retrieval.py; the table in README, "Retrieval"):
# essays with paragraphs of ~700 characters (the development set) and wire news of one or
# two sentences (bench/news). Which applies is read from the index itself: the median
# length of its citable paragraphs.
PROFILES: Mapping[str, Tuning] = {
    # Two 800-character paragraphs in reading order push the best one past 1,000
    # characters: recall there fell from 0.916 to 0.603 when runs were joined.
    "long": Tuning(weights=WEIGHTS, together=0),
    # Of neighbour shares 0/0.25/0.5/1, lexical weight 1.5, best-sentence weight 0.5 and
    # twice the candidate depths, these were best on the news-like set (bench/news). Four
    # paragraphs of an article before the diversity penalty and whole runs of neighbouring
    # hits joined in reading order scored higher there (README), but the first crowds
    # corroborating articles out of the samples' top six and the second reorders what the
    # extractive answer reads (its sentences pay for their paragraph's rank), so both are
    # off: ``HybridRetriever.reading_runs`` gives the joined order to an answer that wants it.
    # The 10 best candidates bring their neighbours in: 5/10/20/40 gave 0.911/0.909/0.895/
    # 0.871 within 2,000 characters (more neighbours dilute the normalised signals).
    "short": Tuning(weights=WEIGHTS, neighbour_share=0.25, together=0, context_depth=10),
}
SHORT_PARAGRAPHS = 300  # median characters below which an index is read as news


def tuning_for(median_chars: float) -> Tuning:
    return PROFILES["short" if 0 < median_chars < SHORT_PARAGRAPHS else "long"]


def zscores(values: np.ndarray) -> np.ndarray:
    """Standard scores; a signal that does not tell candidates apart contributes nothing."""
    std = float(values.std())
    if std < 1e-9:
        return np.zeros_like(values, dtype=np.float64)
    return (values - values.mean()) / std


def fuse(signals: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the z-normalised signals (arrays aligned on the same candidates)."""
    total: np.ndarray | None = None
    for name, values in signals.items():
        part = weights.get(name, 0.0) * zscores(np.asarray(values, dtype=np.float64))
        total = part if total is None else total + part
    return np.zeros(0) if total is None else total


def diversify(
    scores: Sequence[float],
    groups: Sequence[str],
    limit: int,
    free: int = 2,
    penalty: float = 0.75,
) -> list[int]:
    """The best ``limit`` indices, greedily by ``score - penalty × (paragraphs of the same
    group already taken beyond the first ``free``)``: an article keeps its best paragraphs
    on top, but a nearly-as-good paragraph of another article goes before its third, ..."""
    remaining = sorted(range(len(scores)), key=lambda i: -scores[i])
    taken: dict[str, int] = {}
    order: list[int] = []
    while remaining and len(order) < limit:
        best = max(
            remaining,
            key=lambda i: scores[i] - penalty * max(0, taken.get(groups[i], 0) - free + 1),
        )
        remaining.remove(best)
        order.append(best)
        taken[groups[best]] = taken.get(groups[best], 0) + 1
    return order


def dense_signals(
    query: np.ndarray, matrices: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per paragraph, from its packed vectors (row 0 the paragraph, then its sentences): the
    cosine of the paragraph vector and of its best sentence."""
    paragraph = np.empty(len(matrices))
    sentence = np.empty(len(matrices))
    for i, m in enumerate(matrices):
        cosines = m @ query
        paragraph[i] = float(cosines[0])
        sentence[i] = float(cosines[1:].max()) if len(cosines) > 1 else float(cosines[0])
    return paragraph, sentence


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: IndexHandle  # its store and its lexical index, current at each question
    k: int = 8
    tuning: Tuning | None = None  # None: the profile the index's paragraphs call for
    filters: Filters = Filters()
    # Filters letting through at most this many paragraphs are scored exactly; broader ones
    # are applied after a vector search that fetches up to ``postfilter_factor`` times more.
    exact_limit: int = 500
    postfilter_factor: float = 4.0

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        copies: bool = False,
    ) -> list[Hit]:
        """The ``k`` best paragraphs for ``query``. Identical paragraphs (wire copies) come
        once unless ``copies``: a briefing counts every outlet that carried one."""
        k = k or self.k
        filters = filters if filters is not None else self.filters
        store, lexical = self.index.store, self.index.lexical()
        tune = self.tuning or tuning_for(lexical.median_chars())
        allowed = lexical.filtered(filters, self.exact_limit) if filters else None
        q = np.asarray(store.embeddings.embed_query(query), dtype=np.float32)
        found = lexical.search(query, tune.candidates, filters if filters else None)
        # Chroma's own filtered search (``where``) took 0.3-0.9 s at 100,000 paragraphs
        # whatever the filter, so filters are applied here: a narrow one by scoring its few
        # paragraphs exactly, a broad one by dropping the others from a longer plain search.
        nearest: list[tuple[Hit, np.ndarray | None]] = []
        exact: dict[str, np.ndarray] = {}
        depth = tune.dense_candidates
        if allowed is None:
            nearest = store.search_with_vectors(q.tolist(), depth)
        elif allowed.ids is not None:
            exact = self._exact_candidates(q, store, allowed.ids, depth)
        elif allowed.count:
            more = min(allowed.total / allowed.count, self.postfilter_factor)
            nearest = [
                (h, m)
                for h, m in store.search_with_vectors(q.tolist(), round(depth * more))
                if filters.accepts(h.passage.article)
            ][:depth]
        dense_hits = [h for h, _ in nearest]

        # Candidates: the union of every signal's top list, in a stable order.
        candidates = list(dict.fromkeys([*(h.id for h in dense_hits), *exact, *found.top]))
        if not candidates:
            return []
        # The vector search brought its paragraphs' vectors along; fetch the others' at once.
        known = {**exact, **{h.id: m for h, m in nearest if m is not None}}
        matrices = {
            **known,
            **store.packed_vectors([c for c in candidates if c not in known], len(q)),
        }
        held = lexical.passages_of(candidates)
        by_id = {h.id: h.passage for h in dense_hits}
        missing = [c for c in candidates if c not in held and c not in by_id]
        if missing:  # the lexical index lags the store (another process wrote): fetch them
            by_id.update({p.id: p for p in store.get(missing)})
        passages: list[Passage] = []
        for pid in candidates:
            passage = held.get(pid) or by_id.get(pid)
            # A paragraph without stored vectors was deleted since the lexical index was
            # built; one only the store knows must pass the filters here.
            if passage is None or pid not in matrices:
                continue
            if pid not in held and not filters.accepts(passage.article):
                continue
            passages.append(passage)
        if not passages:
            return []
        scores = dict(found.scores)
        unscored = [p.id for p in passages if p.id not in scores and p.id in held]
        if unscored:
            scores.update(lexical.search(query, 0, ids=unscored).scores)
        places = lexical.neighbours(p.id for p in passages)

        def fused_scores() -> np.ndarray:
            def lexical_column(i: int) -> np.ndarray:
                return np.array([scores.get(p.id, (0.0, 0.0))[i] for p in passages])

            dense, dense_sentence = dense_signals(q, [matrices[p.id] for p in passages])
            return fuse(
                {
                    "lexical": lexical_column(0),
                    "lexical_sentence": lexical_column(1),
                    "dense": dense,
                    "dense_sentence": dense_sentence,
                },
                tune.weights,
            )

        fused = fused_scores()
        if tune.neighbour_share > 0:
            # The best candidates bring their neighbours in, so a paragraph right after the
            # one that matches is scored too; then all are fused again, on equal terms.
            best = np.argsort(-fused, kind="stable")[: tune.context_depth]
            around = [
                n
                for i in best
                if (place := places.get(passages[i].id)) is not None
                for n in (place.previous, place.next)
                if n is not None
            ]
            new = [n for n in dict.fromkeys(around) if n not in matrices]
            if new:
                matrices.update(store.packed_vectors(new, len(q)))
                added = lexical.passages_of(n for n in new if n in matrices)
                passages.extend(added[n] for n in new if n in added)
                scores.update(lexical.search(query, 0, ids=list(added)).scores)
                places.update(lexical.neighbours(added))
                fused = fused_scores()
        # Non-citable paragraphs (captions, credits, boilerplate) go after the story.
        citable = np.array(
            [
                place.citable if (place := places.get(p.id)) is not None else is_citable(p.text)
                for p in passages
            ],
            dtype=bool,
        )
        own = fused - tune.non_citable_penalty * (~citable)
        position = {p.id: i for i, p in enumerate(passages)}

        def at(pid: str | None) -> int:
            return position.get(pid, -1) if pid is not None else -1

        previous = np.array(
            [at(place.previous) if (place := places.get(p.id)) else -1 for p in passages]
        )
        following = np.array(
            [at(place.next) if (place := places.get(p.id)) else -1 for p in passages]
        )
        scored = smooth(own, previous, following, tune.neighbour_share)
        # One of identical paragraphs (wire copies, an outlet's repeated lines): the best.
        keep = sorted(range(len(passages)), key=lambda i: -scored[i])
        if tune.collapse and not copies:
            keep = unique_texts(keep, [text_key(p.text) for p in passages])
        order = diversify(
            [float(scored[i]) for i in keep],
            [passages[i].article.id for i in keep],
            limit=k,
            free=tune.per_article,
            penalty=tune.diversity_penalty,
        )
        chosen = [keep[i] for i in order]
        if tune.together:
            chosen = keep_together(chosen, following.tolist(), tune.together)
        return [Hit(passages[i], float(scored[i])) for i in chosen]

    def reading_runs(self, hits: Sequence[Hit], reach: int = WHOLE_RUNS) -> list[Hit]:
        """``hits`` with neighbouring paragraphs of one article (captions between them
        aside) side by side in reading order, where the best of them stood: for an answer
        that wants a quote next to its "..., she said" (what ``Tuning.together`` does)."""
        places = self.index.lexical().neighbours(h.id for h in hits)
        at = {h.id: i for i, h in enumerate(hits)}
        following = [
            at.get(place.next, -1) if (place := places.get(h.id)) and place.next else -1
            for h in hits
        ]
        return [hits[i] for i in keep_together(range(len(hits)), following, reach)]

    def _exact_candidates(
        self, q: np.ndarray, store: ParagraphStore, pids: Sequence[str], depth: int
    ) -> dict[str, np.ndarray]:
        """Sentence vectors of the dense candidates among just these paragraphs, scored
        exactly: the top ``dense_candidates`` by paragraph cosine and by best sentence."""
        matrices = store.packed_vectors(list(pids), len(q))
        found = list(matrices)
        if not found:
            return {}
        dense, dense_sentence = dense_signals(q, [matrices[p] for p in found])
        keep: set[int] = set()
        for values in (dense, dense_sentence):
            keep.update(np.argsort(-values)[:depth].tolist())
        return {found[i]: matrices[found[i]] for i in sorted(keep)}

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [hit_document(h) for h in self.retrieve(query)]


def hit_document(hit: Hit) -> Document:
    """A hit as LangChain sees it: the stored metadata, with its id and score."""
    p = hit.passage
    meta = {**passage_metadata(p.article, p.paragraph), "paragraph_id": p.id, "score": hit.score}
    return Document(page_content=p.text, metadata=meta, id=p.id)
