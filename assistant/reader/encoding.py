"""How a (question, candidate sentence, context) triple becomes the reader model's input.

One function for training and for answering, so the model never sees at run time a layout
it was not trained on:

    [CLS] question [SEP] candidate sentence [SEP] context [SEP]

Segment 0 is the question, segment 1 the rest. The context (the article's title and the
sentence before the candidate) is there so "He said ..." and "It was ..." can be read; the
span head may only point inside the candidate. Only ``tokenizers`` is imported (no torch).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MAX_QUESTION_TOKENS = 32
MAX_CANDIDATE_TOKENS = 64
MAX_CONTEXT_TOKENS = 28
MAX_TOKENS = 3 + MAX_QUESTION_TOKENS + MAX_CANDIDATE_TOKENS + MAX_CONTEXT_TOKENS + 1


@dataclass(frozen=True, slots=True)
class Encoded:
    """One model input row and where the candidate's tokens are in it."""

    ids: list[int]
    type_ids: list[int]
    cand_start: int  # first candidate token's position in ``ids``
    cand_end: int  # one past the last candidate token
    offsets: list[tuple[int, int]]  # char offsets in the candidate of each candidate token

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Candidate characters covered by token positions ``start..end`` (inclusive)."""
        return self.offsets[start - self.cand_start][0], self.offsets[end - self.cand_start][1]

    def token_span(self, char_start: int, char_end: int) -> tuple[int, int] | None:
        """Token positions (inclusive) covering candidate characters ``char_start:char_end``,
        or None when they fall outside the tokens kept."""
        first = last = None
        for i, (a, b) in enumerate(self.offsets):
            if b <= a:
                continue
            if first is None and b > char_start:
                first = i
            if a < char_end:
                last = i
        if first is None or last is None or last < first:
            return None
        if self.offsets[first][0] > char_start + 1 or self.offsets[last][1] < char_end - 1:
            return None  # the span was cut off by truncation
        return first + self.cand_start, last + self.cand_start


class PairEncoder:
    """Encodes (question, candidate, context) triples with the model's own tokenizer."""

    def __init__(self, tokenizer_file: str | Path) -> None:
        self._tok = _load(str(tokenizer_file))
        self.cls = self._tok.token_to_id("[CLS]")
        self.sep = self._tok.token_to_id("[SEP]")
        self.pad = self._tok.token_to_id("[PAD]") or 0

    def _pieces(self, texts: list[str]) -> list[Any]:
        return self._tok.encode_batch(texts, add_special_tokens=False)

    def encode(self, question: str, candidate: str, context: str = "") -> Encoded:
        return self.encode_many([(question, candidate, context)])[0]

    def encode_many(self, triples: list[tuple[str, str, str]]) -> list[Encoded]:
        questions = self._pieces(list(dict.fromkeys(q for q, _c, _x in triples)))
        by_question = dict(zip(dict.fromkeys(q for q, _c, _x in triples), questions, strict=True))
        cands = self._pieces([c for _q, c, _x in triples])
        contexts = self._pieces([x for _q, _c, x in triples])
        out = []
        for (q, _c, _x), cand, ctx in zip(triples, cands, contexts, strict=True):
            q_ids = by_question[q].ids[:MAX_QUESTION_TOKENS]
            c_ids = cand.ids[:MAX_CANDIDATE_TOKENS]
            x_ids = ctx.ids[:MAX_CONTEXT_TOKENS]
            ids = [self.cls, *q_ids, self.sep, *c_ids, self.sep]
            type_ids = [0] * (len(q_ids) + 2) + [1] * (len(c_ids) + 1)
            if x_ids:
                ids += [*x_ids, self.sep]
                type_ids += [1] * (len(x_ids) + 1)
            start = len(q_ids) + 2
            out.append(
                Encoded(ids, type_ids, start, start + len(c_ids), list(cand.offsets[: len(c_ids)]))
            )
        return out

    def batch(self, rows: list[Encoded]) -> dict[str, np.ndarray]:
        """Padded model inputs for ``rows`` (int64, as the ONNX graph takes them)."""
        width = max(len(r.ids) for r in rows)
        ids = np.full((len(rows), width), self.pad, dtype=np.int64)
        types = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            n = len(r.ids)
            ids[i, :n] = r.ids
            types[i, :n] = r.type_ids
            mask[i, :n] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


@lru_cache(maxsize=4)
def _load(path: str) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


def best_span(
    start_logits: np.ndarray, end_logits: np.ndarray, row: Encoded, max_tokens: int = 16
) -> tuple[int, int, float]:
    """The candidate token span (start, end inclusive) with the highest start + end logit,
    at most ``max_tokens`` long, and that score."""
    lo, hi = row.cand_start, row.cand_end
    if hi <= lo:
        return lo, lo, float("-inf")
    s = start_logits[lo:hi]
    e = end_logits[lo:hi]
    n = hi - lo
    # scores[i, j] = s[i] + e[j] for i <= j < i + max_tokens
    scores = s[:, None] + e[None, :]
    i_idx, j_idx = np.indices((n, n))
    scores = np.where((j_idx >= i_idx) & (j_idx < i_idx + max_tokens), scores, -np.inf)
    flat = int(np.argmax(scores))
    i, j = divmod(flat, n)
    return lo + i, lo + j, float(scores[i, j])
