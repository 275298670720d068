"""The reader's validation corpora, written from the documents the reader model never saw.

    python bench/heldout.py OUT [--data ../shared/data]
    python bench/answers.py OUT/wiki       # held-out Wikipedia articles (SQuADShifts new_wiki)
    python bench/answers.py OUT/news       # held-out news-outlet tweets (TweetQA), news-like

Both come from the validation split of ``assistant/reader/training/data.py`` (held out *by
document* with the same seeded hash the training uses), in the dev set's format
(../shared/eval/README.md), so bench/answers.py and bench/retrieval.py read them unchanged.

Unanswerable questions: 15 % of the paragraphs (tweets) are withheld from the corpus; a
question on a withheld paragraph whose gold answers appear nowhere in what is indexed is kept
as a ``null_query`` (the same topic is still indexed, the answer is not). The other questions
on withheld paragraphs are dropped. Answerable questions keep the gold sentence as evidence.
Nothing here is used to train or to set a threshold: those use the dev set and training's
own validation figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.reader.training.data import is_validation, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEED = 13  # the training split's seed (assistant.reader.training.__main__)
SHARE = 0.15
WITHHELD = 0.25


def _withheld(key: str) -> bool:
    h = hashlib.sha256(f"withheld:{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < WITHHELD


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _write(out: Path, articles: list[dict[str, Any]], questions: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "articles.jsonl").open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        for q in questions:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")


def _question(
    qid: str, text: str, answers: list[str], article_id: str, p_i: int, fact: str | None
) -> dict[str, Any]:
    return {
        "id": qid,
        "question": text,
        "answer": answers[0] if fact else None,
        "answers_all": answers if fact else [],
        "type": "extractive" if fact else "null_query",
        "evidence": [{"article_id": article_id, "fact": fact}] if fact else [],
        "article_id": article_id,
        "paragraph_index": p_i,
    }


def wiki(data: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Held-out SQuADShifts new_wiki articles, paragraphs in their order."""
    src = json.loads((data / "qa" / "squadshifts" / "new_wiki_v1.0.json").read_text())["data"]
    articles, pending = [], []
    for art in src:
        if not is_validation("new_wiki", art["title"], SHARE, SEED):
            continue
        aid = "sqs-" + re.sub(r"\W+", "-", art["title"].lower()).strip("-")
        kept: list[str] = []
        for p_i, para in enumerate(art["paragraphs"]):
            text = " ".join(para["context"].split(" "))
            gone = _withheld(f"{aid}:{p_i}")
            if not gone:
                kept.append(text)
            spans = split_sentences(text)
            for qa in para["qas"]:
                answers = list(dict.fromkeys(a["text"] for a in qa["answers"]))
                start = qa["answers"][0]["answer_start"]
                fact = next((text[a:b] for a, b in spans if a <= start < b), None)
                pending.append((qa["id"], qa["question"], answers, aid, len(kept) - 1, fact, gone))
        articles.append(
            {
                "id": aid,
                "title": art["title"].replace("_", " "),
                "source": "Wikipedia (via SQuADShifts)",
                "published_at": None,
                "url": f"https://en.wikipedia.org/wiki/{art['title']}",
                "body": "\n\n".join(kept),
            }
        )
    return articles, _questions(articles, pending)


_BYLINE = re.compile(r"\s*[—–-]\s*([^—–(]+?)\s*\(@(\w+)\)\s*(.*)$")


def news(data: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Held-out TweetQA tweets (news outlets' and journalists' tweets), one article each."""
    tweets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name in ("train", "dev"):
        for row in json.loads((data / "qa" / "tweetqa" / f"{name}.json").read_text()):
            tweet = " ".join(row["Tweet"].split())
            if is_validation("tweetqa", tweet, SHARE, SEED):
                tweets[tweet].append(row)
    articles, pending = [], []
    for tweet, rows in tweets.items():
        aid = "tw-" + hashlib.sha256(tweet.encode()).hexdigest()[:12]
        m = _BYLINE.search(tweet)
        author = m.group(1) if m else "a news outlet"
        gone = _withheld(aid)
        spans = split_sentences(tweet)
        for row in rows:
            answers = [a for a in row["Answer"] if a.strip()]
            at = next(
                (tweet.lower().find(a.lower()) for a in answers if a.lower() in tweet.lower()), -1
            )
            if not answers:
                continue
            if at < 0 and not gone:
                continue  # no answer span in the tweet: nothing to cite
            fact = next((tweet[a:b] for a, b in spans if a <= at < b), None) if at >= 0 else None
            pending.append((row["qid"], row["Question"], answers, aid, 0, fact, gone))
        if not gone:
            articles.append(
                {
                    "id": aid,
                    "title": f"Tweet by {author}",
                    "source": "TweetQA",
                    "published_at": None,
                    "url": None,
                    "body": tweet,
                }
            )
    return articles, _questions(articles, pending)


def _questions(
    articles: list[dict[str, Any]], pending: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    corpus = _norm(" ".join(a["title"] + " " + a["body"] for a in articles))
    out = []
    for qid, text, answers, aid, p_i, fact, gone in pending:
        if gone:
            if not any(_norm(a) in corpus for a in answers):
                out.append(_question(qid, text, answers, aid, p_i, None))
        elif fact is not None:
            out.append(_question(qid, text, answers, aid, p_i, fact))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    figures = {}
    for name, build in (("wiki", wiki), ("news", news)):
        articles, questions = build(args.data)
        _write(args.out / name, articles, questions)
        nulls = sum(q["type"] == "null_query" for q in questions)
        figures[name] = {
            "articles": len(articles),
            "questions": len(questions),
            "null_query": nulls,
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
