"""A paragraph read in its article: neighbours, what kind of paragraph it is, its copies.

News paragraphs are one or two sentences, so the answer often sits in the paragraph after
the one that matches the question ('"We cannot keep flying half-empty planes."' and then
'Chief executive X said ...'), and captions, credits and newsletter lines compete with the
story. The retriever therefore

- adds to each paragraph's score a share of its best neighbour's (the previous or next
  *citable* paragraph of the same article: a caption between two paragraphs of the story
  does not cut them apart), so a paragraph is also found through the ones around it;
- ranks non-citable paragraphs (``ingest.hygiene``) below the story;
- keeps one of several identical paragraphs (wire copies, an outlet's repeated lines);
- hands its hits over with neighbours side by side, in reading order.

Pure functions over arrays and passages; the lexical index computes the per-paragraph
columns once, for every paragraph it holds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.hygiene import is_citable
from vectorstore.models import Passage

_SPACE = re.compile(r"\s+")


def text_key(text: str) -> str:
    """Identical paragraphs (case and spacing aside) share this key."""
    normal = _SPACE.sub(" ", text).strip().casefold()
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Columns:
    """Per paragraph (rows as in the lexical index): whether it may be cited, and for a
    citable one the rows of the previous and next citable paragraph of its article (-1:
    none; a caption has no neighbours, so it neither lifts nor joins the story's runs)."""

    citable: np.ndarray
    previous: np.ndarray
    next: np.ndarray
    median_chars: float  # of the citable paragraphs: the corpus's own kind (news or essays)


def columns(passages: Sequence[Passage], citable: np.ndarray | None = None) -> Columns:
    """The columns of ``passages``; ``citable`` when known (the hygiene rules take ~0.2 ms
    a paragraph, 20 s at 100,000: the lexical index saves them with its BM25)."""
    n = len(passages)
    if citable is None or len(citable) != n:
        citable = np.fromiter((is_citable(p.text) for p in passages), dtype=bool, count=n)
    previous = np.full(n, -1, dtype=np.int64)
    following = np.full(n, -1, dtype=np.int64)
    order = sorted(range(n), key=lambda r: (passages[r].article.id, passages[r].paragraph.index))
    last: int = -1
    for r in order:
        if not citable[r]:
            continue
        if last >= 0 and passages[last].article.id == passages[r].article.id:
            previous[r], following[last] = last, r
        last = r
    lengths = [len(p.text) for p, ok in zip(passages, citable, strict=True) if ok]
    median = float(np.median(lengths)) if lengths else 0.0
    return Columns(citable, previous, following, median)


def smooth(
    own: np.ndarray, previous: np.ndarray, following: np.ndarray, share: float
) -> np.ndarray:
    """``own`` plus ``share`` × the better neighbour's own score (positions into ``own``; -1:
    none). Only a neighbour that scores above the candidates' median lifts a paragraph."""
    if share <= 0 or len(own) == 0:
        return own
    floor = float(np.median(own))
    padded = np.append(own, floor)  # position -1 reads the floor
    best = np.maximum(padded[previous], padded[following])
    return own + share * np.maximum(best - floor, 0.0)


def unique_texts(order: Sequence[int], keys: Sequence[str]) -> list[int]:
    """``order`` without the later of identical paragraphs (wire copies, repeated lines)."""
    seen: set[str] = set()
    out = []
    for i in order:
        if keys[i] not in seen:
            seen.add(keys[i])
            out.append(i)
    return out


def keep_together(order: Sequence[int], following: Sequence[int], reach: int = 1) -> list[int]:
    """The same hits, each with the hits up to ``reach`` paragraphs before and after it
    beside it in reading order, where it stood (``following[i]``: the position of the
    paragraph after ``i``, -1 if none): the answer reads the quote next to its "..., she
    said", not ten hits later. The best hit drops at most ``reach`` places."""
    chosen = set(order)
    before = {following[i]: i for i in order if following[i] in chosen}
    placed: set[int] = set()
    out: list[int] = []
    for i in order:
        if i in placed:
            continue
        run = [i]
        while len(run) <= reach and (b := before.get(run[0])) is not None and b not in placed:
            run.insert(0, b)
        ahead = 0
        while ahead < reach and (a := following[run[-1]]) in chosen and a not in placed:
            run.append(a)
            ahead += 1
        placed.update(run)
        out.extend(run)
    return out
