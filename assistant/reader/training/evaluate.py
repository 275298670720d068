"""Validation of the shipped (int8 ONNX) reader on documents it was never trained on.

Each validation question is read against its own document's sentences (its paragraph, its
tweet, its SelQA section) plus the 10 sentences BM25 ranks highest among the *other*
validation documents of its set, as a retriever would bring them. Figures:

- ``select_at_1`` / ``select_at_3``: a gold sentence ranked first / in the first three;
- ``span_em`` / ``span_f1``: the best span of the gold sentence against the gold answers
  (SQuAD's normalisation), for questions whose answer is a span;
- ``no_answer_auc``: how well the best score separates the question read with its document
  from the same question read without it (only the other documents' sentences);
  ``swapped_auc`` the same against the question with a name or figure swapped;
- ``curve``: for each threshold, the share of answerable questions still answered and the
  share of document-less ones refused — the refusal setting is chosen from it.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from assistant.reader.model import ReaderModel
from assistant.reader.training.data import Question, SentencePool, names_of, swap

THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _normal(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def span_f1(pred: str, gold: str) -> float:
    p, g = _normal(pred).split(), _normal(gold).split()
    common = Counter(p) & Counter(g)
    same = sum(common.values())
    if not same:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties half)."""
    if not pos or not neg:
        return float("nan")
    scores = np.array(pos + neg)
    ranks = scores.argsort().argsort().astype(float) + 1
    # average ranks of ties
    for value in np.unique(scores):
        tie = scores == value
        ranks[tie] = ranks[tie].mean()
    n_pos = len(pos)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * len(neg)))


def evaluate(questions: list[Question], model_dir: Path, seed: int = 13) -> dict[str, Any]:
    model = ReaderModel(model_dir)
    rng = random.Random(seed)
    by_source: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_source[q.source].append(q)
    rows: list[dict[str, Any]] = []
    for source, qs in sorted(by_source.items()):
        pool = SentencePool(qs)
        names = names_of(qs)
        hits = pool.search([q.text for q in qs], k=30)
        for q, found in zip(qs, hits, strict=True):
            others = [(s.text, s.context) for s in pool.others(q, found, 10)]
            own = [(s.text, s.context) for s in q.sentences]
            read = model.read(q.text, own + others)
            scores = [r.score for r in read]
            order = sorted(range(len(read)), key=lambda i: -scores[i])
            row: dict[str, Any] = {
                "source": source,
                "at1": order[0] in q.gold,
                "at3": any(i in q.gold for i in order[:3]),
                "best": max(scores),
                "best_without": max(scores[len(own) :], default=0.0),
            }
            if q.span is not None:
                g = read[q.gold[0]]
                pred = q.sentences[q.gold[0]].text[g.span_start : g.span_end]
                row["em"] = max(_normal(pred) == _normal(a) for a in q.answers)
                row["f1"] = max(span_f1(pred, a) for a in q.answers)
            swapped = swap(q, names, rng) if rng.random() < 0.5 else None
            if swapped is not None:
                row["best_swapped"] = max(r.score for r in model.read(swapped, own + others))
            rows.append(row)
    return {
        "all": _figures(rows),
        **{s: _figures([r for r in rows if r["source"] == s]) for s in sorted(by_source)},
        "curve": _curve(rows),
    }


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    spans = [r for r in rows if "em" in r]
    swapped = [r for r in rows if "best_swapped" in r]
    return {
        "questions": len(rows),
        "select_at_1": round(float(np.mean([r["at1"] for r in rows])), 4),
        "select_at_3": round(float(np.mean([r["at3"] for r in rows])), 4),
        "span_em": round(float(np.mean([r["em"] for r in spans])), 4) if spans else None,
        "span_f1": round(float(np.mean([r["f1"] for r in spans])), 4) if spans else None,
        "no_answer_auc": round(
            auc([r["best"] for r in rows], [r["best_without"] for r in rows]), 4
        ),
        "swapped_auc": round(
            auc([r["best"] for r in swapped], [r["best_swapped"] for r in swapped]), 4
        )
        if swapped
        else None,
    }


def _curve(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    out = []
    for t in THRESHOLDS:
        point = {"threshold": t}
        for source in ["all", *sorted({r["source"] for r in rows})]:
            rs = rows if source == "all" else [r for r in rows if r["source"] == source]
            point[f"{source}_answered"] = round(float(np.mean([r["best"] >= t for r in rs])), 4)
            point[f"{source}_refused_without"] = round(
                float(np.mean([r["best_without"] < t for r in rs])), 4
            )
        out.append(point)
    return out
