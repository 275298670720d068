"""A news-like retrieval benchmark from the templates in ``stories.py``: seeded, deterministic.

    python bench/news/generate.py OUT_DIR [--articles 300] [--seed 19]

Writes ``articles.jsonl`` and ``questions.jsonl`` in the development set's format
(../shared/eval/README.md), plus a ``kind`` per question (direct, neighbour, quote, lead)
and the number of outlets that told its story. What makes it news-like:

- paragraphs of one or two sentences, about 20 per article;
- bylines, captions, photo credits, sub-headings, "Read more" lines about other stories of
  the same kind, and each outlet's own boilerplate (newsletter, copyright, a line about the
  outlet) repeated in every one of its articles;
- quotes whose speaker is named in the next paragraph, and facts that say "it" or "she"
  after a paragraph that names the subject: the question's words match that paragraph, the
  answer is in the next;
- one story told by several outlets in their own words and with their own figures (the
  question then names the outlet), and wire copies republished verbatim by other outlets;
- questions written to avoid the evidence's words; they keep names and figures.

Prints one JSON line with the counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.news.stories import KINDS, PLACES, WEEKDAYS, Fact, Kind, Slots, person

OUTLETS = [
    "Harbour Daily",
    "Valley Gazette",
    "Northern Ledger",
    "Coastal Courier",
    "Capital Post",
    "Plains Tribune",
]
WIRES = ["Meridian Wire", "Crossland Press"]
KEYS = {"airline": "carrier", "port": "port", "flood": "town", "plant": "company"}
KEYS |= {"hospital": "hospital", "bank": "country"}


def outlet_lines(outlet: str, rng: random.Random) -> list[str]:
    """An outlet's boilerplate, the same in every article it publishes."""
    return [
        f"Sign up for the {outlet} morning newsletter to get our top stories in your inbox.",
        f"© 2025 {outlet}. All rights reserved.",
        f"The {outlet} has covered the region since {rng.randint(1850, 1990)} and is owned by "
        f"its readers' trust.",
    ]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # Per outlet, its boilerplate (fixed for the whole corpus).
        self.boiler = {o: outlet_lines(o, self.rng) for o in [*OUTLETS, *WIRES]}
        self.used: dict[str, set[str]] = {k.name: set() for k in KINDS}
        self.articles: list[dict[str, Any]] = []
        self.questions: list[dict[str, Any]] = []

    # -- one story -----------------------------------------------------------------------
    def story_slots(self) -> tuple[Kind, Slots]:
        rng = self.rng
        while True:
            kind = rng.choice(KINDS)
            for _ in range(40):
                slots = kind.slots(rng)
                key = str(slots[KEYS[kind.name]])
                if key not in self.used[kind.name]:
                    self.used[kind.name].add(key)
                    slots["capital"] = rng.choice(PLACES)
                    slots["weekday"] = rng.choice(WEEKDAYS)
                    slots["photographer"] = person(rng)
                    return kind, slots

    def vary(self, kind: Kind, slots: Slots) -> Slots:
        """The figures as another outlet reports them: each of the varying ones, half the
        time, a little different."""
        out = dict(slots)
        for name in kind.varies:
            value = out[name]
            if self.rng.random() < 0.5:
                if isinstance(value, float):
                    out[name] = round(value + self.rng.choice([-0.3, -0.2, 0.2, 0.3]), 1)
                elif isinstance(value, int):
                    out[name] = max(
                        1, value + self.rng.choice([-2, -1, 1, 2]) * max(1, value // 10)
                    )
        return out

    def body(
        self, kind: Kind, slots: Slots, outlet: str, teaser: str
    ) -> tuple[list[str], dict[int, tuple[int, int | None]]]:
        """An article's paragraphs, and where each fact landed: fact index → (its
        paragraph, its setup's paragraph or None). Index -1 is the lead."""
        rng = self.rng

        def fill(template: str) -> str:
            values = {**slots, "outlet": outlet}
            for name in ("hub", "port", "town", "region", "capital"):
                if name in slots:
                    values[name.upper()] = str(slots[name]).upper()
            return template.format(**values)

        version = rng.randrange(2)
        paragraphs: list[str] = []
        where: dict[int, tuple[int, int | None]] = {}
        if rng.random() < 0.5:
            paragraphs.append(f"By {person(rng)}")
        where[-1] = (len(paragraphs), None)
        paragraphs.append(fill(kind.lead[version]))
        if rng.random() < 0.7:
            paragraphs.append(fill(rng.choice(kind.captions)))
            if rng.random() < 0.5:
                paragraphs.append(f"Photo: {slots['photographer']}/{outlet}")
        blocks: list[list[tuple[str, int | None, bool]]] = []  # (text, fact, is_setup)
        for i, fact in enumerate(kind.facts):
            v = rng.randrange(2)
            block: list[tuple[str, int | None, bool]] = []
            if fact.setup:
                block.append((fill(fact.setup[v]), i, True))
            block.append((fill(fact.texts[v]), i, False))
            blocks.append(block)
        fillers = rng.sample(kind.filler, min(len(kind.filler), rng.randint(3, 5)))
        blocks.extend([[(fill(f), None, False)] for f in fillers])
        rng.shuffle(blocks)
        headings = list(kind.headings)
        rng.shuffle(headings)
        for n, block in enumerate(blocks):
            if n in (2, 6) and headings:
                paragraphs.append(headings.pop())
            if n == 4:
                paragraphs.append(f"Read more: {teaser}")
            for text, fact, is_setup in block:
                if fact is not None:
                    at, setup = where.get(fact, (-1, None))
                    where[fact] = (at, len(paragraphs)) if is_setup else (len(paragraphs), setup)
                paragraphs.append(text)
        if rng.random() < 0.4:
            paragraphs.append(f"Reporting by {person(rng)}; editing by {person(rng)}")
        return paragraphs, where

    def record(self, kind: Kind, slots: Slots, outlet: str, paragraphs: list[str]) -> str:
        n = len(self.articles)
        article_id = f"news-{n:05d}"
        date = dt.date(2025, 1, 1) + dt.timedelta(days=self.rng.randint(0, 300))
        self.articles.append(
            {
                "id": article_id,
                "title": self.rng.choice(kind.titles).format(**slots),
                "source": outlet,
                "published_at": date.isoformat(),
                "url": f"https://{outlet.lower().replace(' ', '-')}.example/{n:05d}",
                "body": "\n\n".join(paragraphs),
            }
        )
        return article_id

    def teaser(self, kind: Kind) -> str:
        return kind.teaser.format(**self.rng.choice([kind.slots(self.rng)]))

    def story(self, limit: int) -> None:
        rng = self.rng
        kind, slots = self.story_slots()
        shape = rng.choices(["single", "outlets", "wire"], weights=[40, 35, 25])[0]
        tellings: list[tuple[str, Slots, list[str], dict[int, tuple[int, int | None]], str]] = []
        if shape == "wire":
            wire = rng.choice(WIRES)
            text, where = self.body(kind, slots, wire, self.teaser(kind))
            for outlet in [wire, *rng.sample(OUTLETS, rng.randint(1, 2))]:
                # Republished verbatim (dateline and all), the outlet's boilerplate after.
                paragraphs = text + (self.boiler[outlet][:2] if outlet != wire else [])
                aid = self.record(kind, slots, outlet, paragraphs)
                tellings.append((outlet, slots, paragraphs, where, aid))
        else:
            count = 1 if shape == "single" else rng.randint(2, 3)
            for outlet in rng.sample(OUTLETS, count):
                told = slots if not tellings else self.vary(kind, slots)
                text, where = self.body(kind, told, outlet, self.teaser(kind))
                boiler = self.boiler[outlet]
                paragraphs = text + rng.sample(boiler, rng.randint(2, 3))
                aid = self.record(kind, told, outlet, paragraphs)
                tellings.append((outlet, told, paragraphs, where, aid))
        # Questions: two or three facts of one telling; the outlet is named when several
        # outlets told the story in their own words.
        outlet, told, paragraphs, where, aid = rng.choice(tellings)
        asked = rng.sample(range(len(kind.facts)), min(len(kind.facts), rng.randint(2, 3)))
        if rng.random() < 0.3:
            asked.append(-1)
        for i in asked:
            if len(self.questions) >= limit:
                return
            fact: Fact | None = kind.facts[i] if i >= 0 else None
            template = fact.question if fact else kind.lead_question
            question = template.format(**told)
            if shape == "outlets":
                question = f"According to the {outlet}, {question[0].lower()}{question[1:]}"
            at, setup = where[i]
            evidence = [paragraphs[at]]
            if fact and fact.evidence == "both" and setup is not None:
                evidence.insert(0, paragraphs[setup])
            if fact is None:
                qkind = "lead"
            elif fact.evidence == "both":
                qkind = "quote"
            else:
                qkind = "neighbour" if fact.setup else "direct"
            self.questions.append(
                {
                    "id": f"nq-{len(self.questions):04d}",
                    "question": question,
                    "answer": None,
                    "type": "extractive",
                    "evidence": [{"article_id": aid, "fact": e} for e in evidence],
                    "article_id": aid,
                    "paragraph_index": at,
                    "kind": qkind,
                    "outlets": len({t[0] for t in tellings}),
                    "shape": shape,
                }
            )


def generate(
    articles: int = 300, seed: int = 19
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """About ``articles`` articles (a story's tellings are not split) and their questions."""
    gen = Generator(seed)
    while len(gen.articles) < articles:
        gen.story(limit=10**6)
    return gen.articles, gen.questions


def write(folder: Path, articles: int = 300, seed: int = 19) -> dict[str, Any]:
    records, questions = generate(articles, seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("articles.jsonl", records), ("questions.jsonl", questions)):
        with (folder / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    paragraphs = sum(len(r["body"].split("\n\n")) for r in records)
    return {"articles": len(records), "paragraphs": paragraphs, "questions": len(questions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    print(json.dumps(write(args.out, args.articles, args.seed)))


if __name__ == "__main__":
    main()
