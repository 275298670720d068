"""Briefings measured: claims, groups and conflicts against hand labels; the samples'
briefing; the time to build one on a 10,000-paragraph index.

    python bench/brief.py                      # all three (the scale part takes minutes)
    python bench/brief.py --scale 0            # labels and samples only
    python bench/brief.py --print-samples      # also print the samples' briefing
    python bench/brief.py --scale 10000 --keep /tmp/brief-scale   # reuse the large index

1. tests/fixtures/briefing_story/: the articles indexed, the briefing built on the labels'
   topic, and scored against labels.json: a claim is right when its speaker, stance and
   figures are (precision over the claims found, recall over the labelled ones); a group of
   two or more claims is right when it holds exactly the labelled claims; a conflict is a
   pair of groups. Beside it the naive baseline: every sentence with digits a claim (no
   speaker, "asserted", its digit runs as figures), identical sentences grouped, any two
   different figures a conflict.
2. samples/ briefed on "North Korean troops in Russia": counts and time.
3. ``--scale N``: bench/retrieval.py's generated corpus (N paragraphs, memoised real
   vectors) indexed once; briefings on several story titles timed, with the longest gap
   between two progress reports (what the chat shows while it works).
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.brief import document  # noqa: E402
from assistant.brief.analysis import ClaimGroup  # noqa: E402
from assistant.brief.build import Briefing, build  # noqa: E402
from assistant.service import BriefingAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.text import sentence_spans  # noqa: E402

STORY = ROOT / "tests" / "fixtures" / "briefing_story"
SAMPLES_TOPIC = "North Korean troops in Russia"


def prf(right: int, found: int, wanted: int) -> dict[str, float]:
    p = right / found if found else 0.0
    r = right / wanted if wanted else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3)}


# -- predictions as plain records: (label id or None, speaker, stance, figures, article) ----
Pred = dict[str, Any]


def product_predictions(b: Briefing, files: dict[str, str]) -> tuple[list[Pred], list[Any], Any]:
    preds = [
        {
            "key": c.key,
            "file": files.get(c.article_id, ""),
            "text": c.proposition,
            "speaker": c.speaker or "",
            "stance": c.stance,
            "figures": sorted((f.low, f.high) for f in c.figures),
            "source": c.source_key,
            "outlet": c.outlet,
        }
        for c in b.claims
    ]
    groups = [[c.key for c in g.claims] for g in b.groups]
    by_number: dict[int, ClaimGroup] = {g.number: g for g in b.groups}
    conflicts = []
    for x in b.conflicts:
        sides = [[c.key for c in by_number[g.number].claims] for g in x.sides]
        if x.kind == "figure":
            pairs = [
                (a, z)
                for a, z in itertools.combinations(range(len(sides)), 2)
                if x.sides[a].head.source_key != x.sides[z].head.source_key
            ]
        else:
            pairs = [(0, i) for i in range(1, len(sides))]
        conflicts += [(sides[a], sides[z]) for a, z in pairs]
    updates = [(s.updates.key, s.claims[0].key) for s in b.timeline if s.updates is not None]
    return preds, groups, (conflicts, updates)


_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


def baseline_predictions(b: Briefing, files: dict[str, str]) -> tuple[list[Pred], list[Any], Any]:
    """The naive reading of the same paragraphs."""
    passages = {c.passage.id: c.passage for c in b.claims}.values()
    preds = []
    for p in passages:
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            nums = [float(n.replace(",", "")) for n in _DIGITS.findall(text)]
            if not nums:
                continue
            preds.append(
                {
                    "key": (p.id, s, e),
                    "file": files.get(p.article.id, ""),
                    "text": text,
                    "speaker": "",
                    "stance": "asserted",
                    "figures": sorted((n, n) for n in nums),
                    "source": p.article.source,
                    "outlet": p.article.source,
                }
            )
    groups: dict[str, list[Any]] = {}
    for pr in preds:
        groups.setdefault(pr["text"], []).append(pr["key"])
    conflicts = [
        ([a["key"]], [z["key"]])
        for a, z in itertools.combinations(preds, 2)
        if a["figures"][:1] != z["figures"][:1] and a["file"] != z["file"]
    ]
    return preds, list(groups.values()), (conflicts, [])


def score(preds: list[Pred], groups: list[Any], extra: Any, labels: dict[str, Any]) -> dict:
    conflicts, updates = extra
    wanted = labels["claims"]
    label_of: dict[Any, str] = {}
    right = 0
    for pr in preds:
        match = next(
            (lab for lab in wanted if lab["article"] == pr["file"] and lab["quote"] in pr["text"]),
            None,
        )
        if match is None:
            continue
        label_of[pr["key"]] = match["id"]
        ok = (
            match["speaker"].lower() in pr["speaker"].lower()
            and match["stance"] == pr["stance"]
            and sorted(tuple(f) for f in match["figures"]) == pr["figures"]
        )
        right += ok
    claims = prf(right, len(preds), len(wanted))
    claims["found_recall"] = round(len(set(label_of.values())) / len(wanted), 3)

    # groups of two or more claims, as sets of label ids
    home = {cid: i for i, g in enumerate(labels["groups"]) for cid in g}
    for lab in wanted:
        home.setdefault(lab["id"], f"single:{lab['id']}")
    labelled = [frozenset(g) for g in labels["groups"]]
    found = [frozenset(label_of[k] for k in g if k in label_of) for g in groups]
    found = [g for g in found if len(g) > 1]
    groups_score = prf(sum(g in labelled for g in found), len(found), len(labelled))

    # independent sources of the labelled groups
    counts = labels["independent_sources"]
    sources_right = 0
    for rep, n in counts.items():
        g = next((g for g in groups if any(label_of.get(k) == rep for k in g)), None)
        sources_right += int(g is not None and _independent(g, preds) == n)

    def side(keys: list[Any]) -> Any:
        ids = {home[label_of[k]] for k in keys if k in label_of}
        return next(iter(ids)) if len(ids) == 1 else None

    want_pairs = {frozenset(home[c] for c in x["between"]) for x in labels["conflicts"]}
    got_pairs = set()
    for a, z in conflicts:
        sa, sz = side(a), side(z)
        if sa is not None and sz is not None and sa != sz:
            got_pairs.add(frozenset((sa, sz)))
        else:
            got_pairs.add(frozenset((id(a), id(z))))  # a pair of nothing labelled: wrong
    conflicts_score = prf(len(got_pairs & want_pairs), len(got_pairs), len(want_pairs))
    got_updates = {
        (home[label_of[a]], home[label_of[z]])
        for a, z in updates
        if a in label_of and z in label_of
    }
    updates_right = sum((home[u[0]], home[u[1]]) in got_updates for u in labels["updates"])
    updates_flagged = sum(frozenset(home[c] for c in u) in got_pairs for u in labels["updates"])
    return {
        "claims": claims,
        "groups": groups_score,
        "independent_sources_right": f"{sources_right}/{len(counts)}",
        "conflicts": conflicts_score,
        "updates_as_timeline_steps": f"{updates_right}/{len(labels['updates'])}",
        "updates_flagged_as_conflicts": updates_flagged,
    }


def _independent(keys: list[Any], preds: list[Pred]) -> int:
    from assistant.backends.extractive import independent_sources

    members = [pr for pr in preds if pr["key"] in keys]
    return independent_sources([(pr["outlet"], pr["text"]) for pr in members])


def index_into(data: Path, paths: list[Path], model: str) -> BriefingAssistant:
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model=model))
    report = assistant.indexer().index([str(p) for p in paths])
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")
    return assistant


def labelled(model: str, tmp: Path) -> dict[str, Any]:
    labels = json.loads((STORY / "labels.json").read_text())
    assistant = index_into(tmp / "story", [STORY / "articles"], model)
    files = {e.id: Path(e.locations[0]).name for e in assistant.manifest.entries()}
    b = build(assistant, labels["topic"], remember=False)
    ours = score(*product_predictions(b, files), labels)
    naive = score(*baseline_predictions(b, files), labels)
    assistant.close()
    return {"product": ours, "naive_baseline": naive}


def samples(model: str, tmp: Path, show: bool) -> dict[str, Any]:
    assistant = index_into(tmp / "samples", [ROOT / "samples"], model)
    start = time.perf_counter()
    b = build(assistant, SAMPLES_TOPIC, remember=False)
    took = time.perf_counter() - start
    if show:
        print(document.text(b))
    assistant.close()
    return {
        "topic": SAMPLES_TOPIC,
        "claims": len(b.claims),
        "groups": len(b.groups),
        "conflicts": len(b.conflicts),
        "seconds": round(took, 2),
    }


def at_scale(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from bench.retrieval import MemoEmbeddings, generate_corpus
    from vectorstore.embeddings import make_embeddings

    rng = random.Random(args.seed)
    records, stories, _questions = generate_corpus(args.scale, rng, 200, 60)
    root = Path(args.keep) if args.keep else tmp / "scale"
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(records), 200):
        with (corpus / f"part-{start:07d}.jsonl").open("w", encoding="utf-8") as fh:
            for r in records[start : start + 200]:
                fh.write(json.dumps(r) + "\n")
    real = make_embeddings(args.model)
    memo = MemoEmbeddings(real, [f"{t}\n{s}" for t, pool in stories.items() for s in pool])
    settings = Settings(data_dir=root / "data", embedding_model=args.model)
    assistant = BriefingAssistant(settings, embeddings=memo)
    start = time.perf_counter()
    assistant.indexer().index([corpus])
    index_s = time.perf_counter() - start
    articles, paragraphs = assistant.manifest.counts()
    assistant.lexical_index()
    topics = rng.sample(sorted(stories), args.topics)
    times, gaps = [], []
    for topic in topics:
        marks: list[float] = []
        begin = time.perf_counter()
        b = build(
            assistant,
            " ".join(topic.split()[:4]),
            remember=False,
            progress=lambda f, m, marks=marks: marks.append(time.perf_counter()),
        )
        end = time.perf_counter()
        times.append(end - begin)
        stamps = [begin, *marks, end]
        gaps.append(max(b2 - a2 for a2, b2 in itertools.pairwise(stamps)))
        print(f"  {topic!r}: {len(b.claims)} claims in {end - begin:.2f} s", flush=True)
    assistant.close()
    return {
        "paragraphs": paragraphs,
        "articles": articles,
        "index_s": round(index_s, 1),
        "briefings": len(times),
        "p50_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "longest_silence_s": round(max(gaps), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=Settings.model_fields["embedding_model"].default)
    parser.add_argument("--scale", type=int, default=10000, help="paragraphs; 0 skips")
    parser.add_argument("--topics", type=int, default=5, help="briefings timed at scale")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", help="keep (and reuse) the scale index in this folder")
    parser.add_argument("--print-samples", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-brief-") as scratch:
        tmp = Path(scratch)
        result: dict[str, Any] = {"model": args.model, "date": dt.date.today().isoformat()}
        result["labels"] = labelled(args.model, tmp)
        for name, scores in result["labels"].items():
            print(f"{name}: {json.dumps(scores)}")
        result["samples"] = samples(args.model, tmp, args.print_samples)
        print(f"samples: {json.dumps(result['samples'])}")
        if args.scale:
            result["scale"] = at_scale(args, tmp)
            print(f"scale: {json.dumps(result['scale'])}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
