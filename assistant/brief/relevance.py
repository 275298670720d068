"""How much each claim of a briefing is about its topic, read by the reader's model.

The reader model (assistant/reader/model.py) gives the probability that a sentence answers a
question. A topic is asked as ``QUESTION`` ("What happened with North Korean troops in
Russia?": bench/brief.py measures this against the topic as written) and each claim's
sentence is read with the context the model was trained with (the article's title and the
sentence before it). A claim below ``MIN_RELEVANCE`` is left out of the briefing; the rest
are ranked by it among the key claims.

The scores are a fact of the model: the export records the model's fingerprint beside them,
and ``briefing verify`` reads them again with the same model (a replaced model is reported as
a change, not as an edit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.brief.claims import BriefClaim
from assistant.reader.evidence import context_of
from vectorstore.models import Hit

if TYPE_CHECKING:
    from assistant.reader.model import Reading


class Scorer(Protocol):
    """What the briefing needs of the reader model (assistant.reader.model.ReaderModel)."""

    model_dir: Path

    @property
    def available(self) -> bool: ...

    def read(self, question: str, candidates: list[tuple[str, str]]) -> list[Reading]: ...


QUESTION = "What are the claims about {topic}?"
MIN_ARTICLE = 0.02  # an article whose best claim reads below it is off the topic (bench)
DECIMALS = 3  # scores as recorded and compared (onnxruntime's last digits vary by machine)
BATCH = 16  # sentences read between two progress reports


def question(topic: str) -> str:
    return QUESTION.format(topic=" ".join(topic.split()).rstrip("?.!"))


def score(
    claims: Sequence[BriefClaim],
    topic: str,
    model: Scorer,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[BriefClaim]:
    """``claims`` with their ``relevance`` to ``topic`` (each distinct sentence read once)."""
    asked = question(topic)
    sentences: dict[tuple[str, int, int], tuple[str, str]] = {}
    for c in claims:
        sentences.setdefault(c.key, (c.proposition, context_of(Hit(c.passage), c.start)))
    keys = list(sentences)
    scores: dict[tuple[str, int, int], float] = {}
    for i in range(0, len(keys), BATCH):
        chunk = keys[i : i + BATCH]
        for key, reading in zip(
            chunk, model.read(asked, [sentences[k] for k in chunk]), strict=True
        ):
            scores[key] = round(reading.score, DECIMALS)
        progress(min(len(keys), i + BATCH), len(keys))
    return [replace(c, relevance=scores[c.key]) for c in claims]


def relevant(claims: Sequence[BriefClaim]) -> list[BriefClaim]:
    """The claims of the articles about the topic: an article stays when one of its claims
    reads at least ``MIN_ARTICLE`` (unscored claims stay)."""
    best: dict[str, float] = {}
    for c in claims:
        if c.relevance is not None:
            best[c.article_id] = max(best.get(c.article_id, 0.0), c.relevance)
    return [c for c in claims if c.relevance is None or best[c.article_id] >= MIN_ARTICLE]


def fingerprint(model: Scorer | None) -> str:
    """The model's file, in 16 hex digits of its SHA-256 ("" without a model)."""
    if model is None or not model.available:
        return ""
    from assistant.reader.model import MODEL_FILE

    path = Path(model.model_dir) / MODEL_FILE
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _digest(path: str, size: int, mtime: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    del size, mtime  # the cache key: a file replaced in place is read again
    return h.hexdigest()[:16]
