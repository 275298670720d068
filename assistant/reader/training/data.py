"""Training and validation examples for the reader, from the real QA sets in ../shared/data/.

Every set is split **by document** (a Wikipedia article, a Reddit post, a product's reviews, a
tweet, a SelQA article) with a seeded hash of the document's key, so no text of a validation
document is ever trained on. Each question gives (question, candidate sentence, context)
pairs, split into sentences by the product's own splitter:

- positive: the sentence holding the gold answer's start, with the answer's span in it;
- hard negatives: the other sentences of its paragraph that hold no gold answer string;
- retrieved negatives: the sentences BM25 ranks highest for the question among the *other*
  documents of the same split (what the product's retriever brings from elsewhere);
- swapped: the question with one of its names or figures replaced by another of the same
  shape from another document, paired with the gold sentence as a negative — the nearest
  thing to SQuAD 2.0's unanswerable questions these sets allow.

Nothing here imports torch: the examples are plain records, so the builder is tested fast.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.sentences import quoted_spans
from ingest.text import sentence_spans

SETS = ("new_wiki", "reddit", "amazon", "tweetqa", "selqa")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    context: str  # the title and the sentence before, as the product passes them


@dataclass(slots=True)
class Question:
    """A question with its document key, split, the sentences it is read against, and which
    of them answers it (``gold``: indexes into ``sentences``; ``span``: char offsets of the
    answer in the first gold sentence, when known)."""

    qid: str
    source: str
    doc: str
    text: str
    sentences: list[Sentence]
    gold: list[int]
    span: tuple[int, int] | None = None
    answers: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Example:
    qid: str
    source: str
    kind: str  # positive | hard | retrieved | swapped
    question: str
    candidate: str
    context: str
    label: int
    span: tuple[int, int] | None = None  # char offsets in ``candidate`` (positives only)


def is_validation(source: str, doc: str, share: float, seed: int) -> bool:
    """Whether document ``doc`` of ``source`` is held out: a seeded hash, stable across runs
    and machines, so the split never depends on file order."""
    h = hashlib.sha256(f"{seed}:{source}:{doc}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < share


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The product's sentences of a paragraph (a quotation over several sentences is one)."""
    return quoted_spans(text, sentence_spans(text)) or [(0, len(text))]


def context_of(title: str, text: str, spans: list[tuple[int, int]], i: int) -> str:
    """What the model reads beside sentence ``i``: the title and the sentence before it."""
    before = text[spans[i - 1][0] : spans[i - 1][1]] if i > 0 else ""
    return " ".join(x for x in (title.replace("_", " ") + ".", before) if x.strip(" ."))


def _contains(sentence: str, answers: Iterable[str]) -> bool:
    low = sentence.lower()
    return any(a.strip() and a.strip().lower() in low for a in answers)


# -- the sets -------------------------------------------------------------------------------
def squad_questions(path: Path, source: str) -> Iterator[Question]:
    """SQuAD v1.1 JSON (SQuADShifts). The document is the article, or for Reddit, whose one
    "article" holds 2,035 separate posts, the post (paragraph)."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    for article in data:
        title = article["title"]
        for p_i, para in enumerate(article["paragraphs"]):
            text = para["context"]
            doc = f"{title}#{p_i}" if source == "reddit" else title
            spans = split_sentences(text)
            sentences = [
                Sentence(text[a:b], context_of(title if source != "reddit" else "", text, spans, i))
                for i, (a, b) in enumerate(spans)
            ]
            for qa in para["qas"]:
                if not qa.get("answers"):
                    continue
                first = qa["answers"][0]
                start, answer = first["answer_start"], first["text"]
                at = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
                if at is None:
                    continue
                a, b = spans[at]
                span = (start - a, start - a + len(answer)) if start + len(answer) <= b else None
                texts = list(dict.fromkeys(x["text"] for x in qa["answers"]))
                gold = [at] + [
                    i for i, s in enumerate(sentences) if i != at and _contains(s.text, texts)
                ]
                yield Question(qa["id"], source, doc, qa["question"], sentences, gold, span, texts)


_HANDLE = re.compile(r"\s*[—-]\s*[^—]*\(@\w+\)[^—]*$")


def tweet_questions(path: Path) -> Iterator[Question]:
    """TweetQA: the tweet is the document. An answer found verbatim in the tweet gives its
    sentence and span; otherwise a one-sentence tweet is the gold sentence without a span;
    other questions are left out (their answer is not in any one sentence)."""
    for row in json.loads(path.read_text(encoding="utf-8")):
        tweet = " ".join(row["Tweet"].split())
        spans = split_sentences(tweet)
        sentences = [
            Sentence(tweet[a:b], context_of("", tweet, spans, i)) for i, (a, b) in enumerate(spans)
        ]
        answers = [a for a in row["Answer"] if a and a.strip()]
        low = tweet.lower()
        found = next(((low.find(a.lower()), a) for a in answers if a.lower() in low), None)
        if found is not None:
            start, answer = found
            at = next(i for i, (a, b) in enumerate(spans) if a <= start < b)
            a, b = spans[at]
            span = (start - a, start - a + len(answer)) if start + len(answer) <= b else None
            yield Question(
                row["qid"], "tweetqa", tweet, row["Question"], sentences, [at], span, answers
            )
        elif len(spans) == 1:
            yield Question(
                row["qid"], "tweetqa", tweet, row["Question"], sentences, [0], None, answers
            )


def selqa_questions(path: Path) -> Iterator[Question]:
    """SelQA answer-sentence selection: the candidates of a section, the answering ones."""
    for n, row in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        cands = [" ".join(c.split()) for c in row["candidates"]]
        if not row["answers"] or not cands:
            continue
        title = f"{row['article']}. {row['section']}"
        sentences = [
            Sentence(c, " ".join(x for x in (title + ".", cands[i - 1] if i else "") if x))
            for i, c in enumerate(cands)
        ]
        yield Question(
            f"selqa-{path.stem}-{n}",
            "selqa",
            row["article"],
            row["question"],
            sentences,
            list(row["answers"]),
        )


def load(data_dir: Path) -> list[Question]:
    """Every usable question of the five sets, in a fixed order."""
    qa = data_dir / "qa"
    out: list[Question] = []
    out += squad_questions(qa / "squadshifts" / "new_wiki_v1.0.json", "new_wiki")
    out += squad_questions(qa / "squadshifts" / "reddit_v1.0.json", "reddit")
    out += squad_questions(qa / "squadshifts" / "amazon_reviews_v1.0.json", "amazon")
    for name in ("train", "dev"):
        out += tweet_questions(qa / "tweetqa" / f"{name}.json")
    for name in ("dev", "test"):
        out += selqa_questions(qa / "selqa" / f"selqa-ass-{name}.json")
    return out


def split(
    questions: list[Question], share: float = 0.15, seed: int = 13
) -> tuple[list[Question], list[Question]]:
    """(train, validation), held out by document."""
    train: list[Question] = []
    val: list[Question] = []
    for q in questions:
        (val if is_validation(q.source, q.doc, share, seed) else train).append(q)
    return train, val


# -- negatives from other documents -----------------------------------------------------------
class SentencePool:
    """BM25 over every sentence of a split, to find what a retriever would bring a question
    from the other documents."""

    def __init__(self, questions: list[Question]) -> None:
        import bm25s

        seen: dict[tuple[str, str], int] = {}
        self.rows: list[tuple[str, Sentence]] = []
        for q in questions:
            for s in q.sentences:
                key = (q.doc, s.text)
                if key not in seen:
                    seen[key] = len(self.rows)
                    self.rows.append((q.doc, s))
        self._retriever = bm25s.BM25()
        self._retriever.index(
            bm25s.tokenize([s.text for _d, s in self.rows], stopwords="en", show_progress=False),
            show_progress=False,
        )

    def search(self, questions: list[str], k: int) -> list[list[int]]:
        import bm25s

        tokens = bm25s.tokenize(questions, stopwords="en", show_progress=False)
        k = min(k, len(self.rows))
        results, _scores = self._retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [list(map(int, r)) for r in results]

    def others(self, q: Question, hits: list[int], n: int) -> list[Sentence]:
        """The first ``n`` of ``hits`` from another document that hold no answer of ``q``."""
        out = []
        for i in hits:
            doc, s = self.rows[i]
            if doc != q.doc and not _contains(s.text, q.answers):
                out.append(s)
                if len(out) == n:
                    break
        return out


# -- swapped questions ----------------------------------------------------------------------
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")
_FIGURE = re.compile(r"\b\d[\d,.]*\b")


def swap(q: Question, names: list[str], rng: random.Random) -> str | None:
    """``q`` with a name or figure it shares with its gold sentence replaced by another of
    the same shape (a name from another document, another number), or None when it has
    none. The gold sentence no longer answers the result."""
    gold = q.sentences[q.gold[0]].text
    found = [m for m in _NAME.finditer(q.text) if m.group() in gold]
    found += [m for m in _FIGURE.finditer(q.text) if m.group() in gold]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group()
    if old[0].isdigit():
        digits = old.replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            return None
        new = (
            str(int(value) + rng.choice([1, 2, 3, 7, 11, 30, 100]))
            if value.is_integer()
            else str(round(value * 2, 2))
        )
    else:
        pool = [
            n
            for n in rng.sample(names, min(len(names), 20))
            if n not in gold and n.split()[0] not in old
        ]
        if not pool:
            return None
        new = rng.choice(pool)
    if new.lower() in gold.lower():
        return None
    return q.text[: m.start()] + new + q.text[m.end() :]


def names_of(questions: list[Question]) -> list[str]:
    """Capitalised names found in the questions' sentences, for swapping."""
    out: set[str] = set()
    for q in questions:
        for s in q.sentences[:3]:
            out.update(m.group() for m in _NAME.finditer(s.text) if len(m.group()) > 3)
    return sorted(out)


# -- examples -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Mix:
    """How many pairs each question gives (the budget of a CPU hour)."""

    hard: int = 1
    retrieved: int = 2
    swapped: float = 0.5  # share of questions also asked swapped


def examples(questions: list[Question], mix: Mix, seed: int) -> list[Example]:
    """Pairs for ``questions`` (one split), shuffled with ``seed``."""
    rng = random.Random(seed)
    names = names_of(questions)
    # negatives from other documents of the same set: a retriever over news brings news
    by_source: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_source[q.source].append(q)
    found_for: dict[int, list[int]] = {}
    pools: dict[str, SentencePool] = {}
    for source, qs in by_source.items():
        pools[source] = SentencePool(qs)
        for q, hits in zip(qs, pools[source].search([q.text for q in qs], k=12), strict=True):
            found_for[id(q)] = hits
    out: list[Example] = []
    for q in questions:
        pool, found = pools[q.source], found_for[id(q)]
        g = q.gold[0]
        pos = q.sentences[g]
        out.append(Example(q.qid, q.source, "positive", q.text, pos.text, pos.context, 1, q.span))
        hard = [
            s
            for i, s in enumerate(q.sentences)
            if i not in q.gold and not _contains(s.text, q.answers) and len(s.text) >= 20
        ]
        for s in rng.sample(hard, min(mix.hard, len(hard))):
            out.append(Example(q.qid, q.source, "hard", q.text, s.text, s.context, 0))
        for s in pool.others(q, found, mix.retrieved):
            out.append(Example(q.qid, q.source, "retrieved", q.text, s.text, s.context, 0))
        if rng.random() < mix.swapped:
            swapped = swap(q, names, rng)
            if swapped is not None:
                out.append(Example(q.qid, q.source, "swapped", swapped, pos.text, pos.context, 0))
    rng.shuffle(out)
    return out


def shuffled(examples: list[Example], seed: int) -> list[Example]:
    out = list(examples)
    random.Random(seed).shuffle(out)
    return out


def sample_questions(
    questions: list[Question], limits: dict[str, int], seed: int
) -> list[Question]:
    """At most ``limits[source]`` questions of each set (seeded), all of a set without one."""
    rng = random.Random(seed)
    by_source: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_source[q.source].append(q)
    out: list[Question] = []
    for source, qs in by_source.items():
        n = limits.get(source, len(qs))
        out += qs if n >= len(qs) else rng.sample(qs, n)
    return out
