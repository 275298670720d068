"""`briefing verify` on real exports: false alarms and tampering caught.

Indexes samples/ into a temporary data dir, asks every question of bench/questions/
samples.jsonl, and checks each answer's JSON export against the index untouched (a report
that is not OK is a false alarm) and after random edits a reader would see (per kind: a
citation's title, publisher, date, URL, speaker, quote or stance replaced; its number
changed; its quote cut short; a word of the answer replaced or deleted). An edit that leaves
the text as it was is not counted.

    python bench/verify.py [--embedding fake] [--mutations 20] [--seed 1]

The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.export.schema import answer_json, parse_document  # noqa: E402
from assistant.export.verify import check_document  # noqa: E402
from assistant.models import Stance  # noqa: E402
from assistant.service import BriefingAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

FIELDS = ["title", "source", "published_at", "url", "speaker", "quote"]
KINDS = ["field", "stance", "number", "quote cut", "word", "delete"]
_WORD = re.compile(r"(?<![\w\\\[])[A-Za-z][\w'-]*|\d[\d,.]*\d|\d")


def mutate(doc: dict, kind: str, rng: random.Random) -> dict | None:
    doc = copy.deepcopy(doc)
    c = rng.choice(doc["citations"])
    if kind == "field":
        name = rng.choice(FIELDS)
        c[name] = (c[name] or "") + rng.choice([" x", "0", " (updated)"])
    elif kind == "stance":
        c["stance"] = rng.choice([s.value for s in Stance if s.value != c["stance"]])
    elif kind == "number":
        c["n"] = rng.choice([-5, 0, c["n"] + 1, c["n"] + 100])
    elif kind == "quote cut":
        k = rng.randint(1, max(1, len(c["quote"]) // 2))
        c["quote"], c["quote_start"] = c["quote"][k:], c["quote_start"] + k
    else:
        spots = list(_WORD.finditer(doc["answer"]))
        if kind == "delete":
            spots = [m for m in spots if m.start() > len(doc["lead"])]
        if not spots:
            return None
        m = rng.choice(spots)
        new = "" if kind == "delete" else rng.choice(["denied", "never", "50,000", "Moscow"])
        if new == m.group(0):
            return None
        lead_end = len(doc["lead"])
        doc["answer"] = doc["answer"][: m.start()] + new + doc["answer"][m.end() :]
        if m.end() <= lead_end:
            doc["lead"] = doc["answer"][: lead_end - len(m.group(0)) + len(new)]
        doc["markers"] = []
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--embedding", default=None, help="embedding model (default: the product's)"
    )
    parser.add_argument("--mutations", type=int, default=20, help="edits per export")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--debug", action="store_true", help="show each missed edit")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "bench" / "questions" / "samples.jsonl").read_text().splitlines()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        extra = {"embedding_model": args.embedding} if args.embedding else {}
        assistant = BriefingAssistant(Settings(data_dir=Path(tmp) / "data", **extra))
        assistant.indexer().index([ROOT / "samples"])
        store, manifest = assistant.store, assistant.manifest
        answered = false_alarms = 0
        tried: Counter[str] = Counter()
        caught: Counter[str] = Counter()
        for q in questions:
            doc = json.loads(answer_json(assistant.ask(q)))
            if doc["refused"]:
                continue
            answered += 1
            if not check_document(parse_document(json.dumps(doc)), store, manifest).ok:
                false_alarms += 1
                print(f"false alarm: {q}")
            for _ in range(args.mutations):
                kind = rng.choice(KINDS)
                edited = mutate(doc, kind, rng)
                if edited is None or edited == doc:
                    continue
                tried[kind] += 1
                report = check_document(parse_document(json.dumps(edited)), store, manifest)
                caught[kind] += not report.ok
                if report.ok:
                    print(f"missed {kind}: {q}")
                    if "--debug" in sys.argv:
                        for key in ("answer", "lead"):
                            if edited[key] != doc[key]:
                                print(
                                    "   ", key, repr(doc[key][:300]), "->", repr(edited[key][:300])
                                )
                        for a, b in zip(doc["citations"], edited["citations"], strict=True):
                            diff = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
                            if diff:
                                print("   ", str(diff)[:400])
        assistant.close()
    for kind in KINDS:
        print(f"{kind:>10}: {caught[kind]}/{tried[kind]} edits reported")
    print(f"{false_alarms} false alarms on {answered} untouched exports")
    result = {
        "answers": answered,
        "false_alarms": false_alarms,
        "edits": sum(tried.values()),
        "edits_reported": sum(caught.values()),
        "by_kind": {k: [caught[k], tried[k]] for k in KINDS},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
