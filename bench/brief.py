"""Briefings measured: claims, figures and conflicts against hand labels, before and after;
the reader model's relevance against the labels' on/off topic; the samples' briefing; the
time to build one on a 10,000-paragraph index, with and without the model's scoring.

    python bench/brief.py                          # everything (the scale part takes minutes)
    python bench/brief.py --scale 0                # labels and samples only
    python bench/brief.py --before f1744e4         # also the same labels read by that commit
    python bench/brief.py --scale 10000 --keep /tmp/brief-scale   # reuse the large index
    python bench/brief.py --print-samples          # also print the samples' briefing

1. Labelled sets: tests/fixtures/briefing_stories/ (three stories of our own, five outlets
   each, figures of several measures and scopes, updates, negated denials, an off-topic
   article per story; labels.json) and tests/fixtures/briefing_story/ (the Dornet flood).
   All articles are indexed in one index (the stories' off-topic articles share their place
   names), each story is briefed on its topic and scored:
   - claims: found (a labelled sentence among the briefing's claims), speaker (the label's
     piece of it in the speaker shown; the outlet's own voice is no speaker), stance,
     polarity (for / against / if), figure values, figure measures; off-topic claims kept;
   - conflicts: each pair of sides a conflict opposes is a predicted pair; a figure pair is
     right when a labelled conflict has one claim on each side, a stance pair when the denial
     and what it denies are labelled so; precision, recall, and false alarms per briefing.
   ``--before REV`` runs the same scoring with the code of commit REV (``git archive`` into a
   temporary folder, this file's scoring), for the before/after table.
2. Relevance: each labelled claim read by the reader model with the topic as written and
   phrased as questions; AUC of on-topic against off-topic claims, per claim and per
   article (its best claim), and what the briefing's floor keeps.
3. samples/ briefed on "North Korean troops in Russia": counts, the figure conflicts, the
   troops measure's values (no deserters among them), time.
4. ``--scale N``: bench/retrieval.py's generated corpus (N paragraphs, memoised real
   vectors) indexed once; briefings on several story titles timed with and without the
   reader model's scoring, with the longest gap between two progress reports.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("BRIEF_BENCH_CODE", ROOT))  # the product code scored (--before)
sys.path.insert(0, str(CODE))
sys.path.insert(1, str(ROOT))

STORIES = ROOT / "tests" / "fixtures" / "briefing_stories"
STORY = ROOT / "tests" / "fixtures" / "briefing_story"
HELDOUT = ROOT / "tests" / "fixtures" / "briefing_heldout"
SAMPLES_TOPIC = "North Korean troops in Russia"
PHRASINGS = {
    "topic as written": "{topic}",
    "What happened with ...?": "What happened with {topic}?",
    "What do we know about ...?": "What do we know about {topic}?",
    "What are the claims about ...?": "What are the claims about {topic}?",
}
POLARITY = {"denied": "against", "conditional": "if", "not_denied": "if"}


def polarity(stance: str) -> str:
    return POLARITY.get(stance, "for")


def ratio(right: int, total: int) -> float:
    return round(right / total, 3) if total else 0.0


# -- the labelled sets ------------------------------------------------------------------------
def labelled_sets() -> list[dict[str, Any]]:
    """Every story as {name, topic, claims, conflicts} in the stories' label format."""
    stories = json.loads((STORIES / "labels.json").read_text())["stories"]
    old = json.loads((STORY / "labels.json").read_text())
    ids = {c["id"]: c for c in old["claims"]}
    home = {cid: g for g in old["groups"] for cid in g}
    dornet = {
        "name": "dornet",
        "topic": old["topic"],
        "claims": [
            {
                **c,
                "figures": [{"value": f, "measure": "displaced"} for f in c["figures"]],
                "on_topic": True,
            }
            for c in old["claims"]
        ],
        "conflicts": [],
    }
    for x in old["conflicts"]:
        a, b = x["between"]
        if x["kind"] == "figure":
            dornet["conflicts"].append(
                {"kind": "figure", "between": [home.get(a, [a]), home.get(b, [b])]}
            )
        else:
            dornet["conflicts"].append({"kind": "stance", "denial": a, "against": home.get(b, [b])})
            for d in home.get(a, [a]):
                if d != a and d in ids:
                    dornet["conflicts"].append(
                        {"kind": "stance", "denial": d, "against": home.get(b, [b])}
                    )
    return [*stories, dornet]


def index_all(data: Path, model: str) -> Any:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model=model))
    report = assistant.indexer().index(
        [str(STORIES / "articles"), str(STORY / "articles"), str(HELDOUT / "articles")]
    )
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")
    return assistant


def brief(assistant: Any, topic: str, scoring: bool = True) -> Any:
    from assistant.brief.build import build

    try:
        return build(assistant, topic, remember=False, model_scoring=scoring)
    except TypeError:  # a commit from before the model's scoring
        return build(assistant, topic, remember=False)


def _sides(x: Any) -> list[tuple[list[Any], list[Any]]]:
    """The pairs of sides a conflict opposes, as lists of claims (this code's Conflict or an
    older one's: every two sides of different sources, a denial against each other side)."""
    sides = [list(s.claims) for s in x.sides]
    if x.kind == "figure":
        if hasattr(x, "pairs"):
            return [(sides[a], sides[b]) for a, b in x.pairs]
        keys = [s.head.source_key for s in x.sides]
        return [
            (sides[a], sides[b])
            for a, b in itertools.combinations(range(len(sides)), 2)
            if keys[a] != keys[b]
        ]
    denials = getattr(x, "denials", 1)
    return [(d, o) for d in sides[:denials] for o in sides[denials:]]


def score_story(b: Any, story: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    labels = story["claims"]
    label_of: dict[Any, dict[str, Any]] = {}
    for c in b.claims:
        for lab in labels:
            if lab["article"] == files.get(c.article_id) and lab["quote"] in c.proposition:
                label_of[c.key] = lab
                break
    counts = dict.fromkeys(["speaker", "stance", "polarity", "figure_values", "figure_measures"], 0)
    found = 0
    off_topic_kept = 0
    for c in b.claims:
        lab = label_of.get(c.key)
        if lab is None:
            continue
        if not lab["on_topic"]:
            off_topic_kept += 1
            continue
        found += 1
        speaker = (c.speaker or "").lower()
        counts["speaker"] += lab["speaker"].lower() in speaker if lab["speaker"] else not speaker
        counts["stance"] += c.stance == lab["stance"]
        counts["polarity"] += polarity(c.stance) == polarity(lab["stance"])
        values = sorted((f.low, f.high) for f in c.figures)
        want = sorted(tuple(f["value"]) for f in lab["figures"])
        counts["figure_values"] += values == want
        measures = sorted((f.low, getattr(f, "measure", "") or f.counted) for f in c.figures)
        counts["figure_measures"] += measures == sorted(
            (f["value"][0], f["measure"]) for f in lab["figures"]
        )
    on_topic = [lab for lab in labels if lab["on_topic"]]
    off_total = len(labels) - len(on_topic)

    def ids(claims: list[Any]) -> set[str]:
        return {label_of[c.key]["id"] for c in claims if c.key in label_of}

    # a labelled figure conflict: two sides (claim ids; a side may be a group of claims
    # stating the same value, as the Dornet labels name them)
    figure_pairs = [
        (_side_ids(x["between"][0]), _side_ids(x["between"][1]))
        for x in story["conflicts"]
        if x["kind"] == "figure"
    ]
    stance_labels = [x for x in story["conflicts"] if x["kind"] == "stance"]
    predicted = right = 0
    found_figure: set[tuple[frozenset[str], frozenset[str]]] = set()
    found_stance: set[str] = set()
    for x in b.conflicts:
        for one, other in _sides(x):
            predicted += 1
            a, z = ids(one), ids(other)
            if x.kind == "figure":
                hit = [
                    (x1, x2)
                    for x1, x2 in figure_pairs
                    if (a & x1 and z & x2) or (a & x2 and z & x1)
                ]
                if hit:
                    right += 1
                    found_figure |= set(hit)
            else:
                hit2 = [
                    lab["denial"]
                    for lab in stance_labels
                    if lab["denial"] in a and z & set(lab["against"])
                ]
                if hit2:
                    right += 1
                    found_stance |= set(hit2)
                elif os.environ.get("BRIEF_BENCH_DEBUG"):
                    print("  false stance pair:", sorted(a), sorted(z), file=sys.stderr)
            if os.environ.get("BRIEF_BENCH_DEBUG") and x.kind == "figure" and not hit:
                print("  false figure pair:", sorted(a), sorted(z), file=sys.stderr)
    wanted = len(figure_pairs) + len(stance_labels)
    got = len(found_figure) + len(found_stance)
    return {
        "claims_found": f"{found}/{len(on_topic)}",
        **{k: f"{v}/{found}" for k, v in counts.items()},
        "off_topic_kept": f"{off_topic_kept}/{off_total}",
        "conflicts_predicted": predicted,
        "conflicts_right": right,
        "conflicts_labelled": wanted,
        "conflicts_found": got,
        "false_alarms": predicted - right,
    }


def _side_ids(side: str | list[str]) -> frozenset[str]:
    return frozenset([side] if isinstance(side, str) else side)


def heldout_sets() -> list[dict[str, Any]]:
    """The held-out story: written and labelled after the rules were fixed."""
    return list(json.loads((HELDOUT / "labels.json").read_text())["stories"])


def labelled(model: str, tmp: Path) -> dict[str, Any]:
    assistant = index_all(tmp / "labelled", model)
    files = {e.id: Path(e.locations[0]).name for e in assistant.manifest.entries()}
    out: dict[str, Any] = {}
    for part, stories in (("development", labelled_sets()), ("heldout", heldout_sets())):
        per_story = {}
        for story in stories:
            b = brief(assistant, story["topic"])
            per_story[story["name"]] = score_story(b, story, files)
        out[part] = {"total": _total(per_story), "stories": per_story}
    assistant.close()
    return out


def _total(per_story: dict[str, dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for key in ("conflicts_predicted", "conflicts_right", "conflicts_labelled", "conflicts_found"):
        total[key] = sum(s[key] for s in per_story.values())
    total["conflict_precision"] = ratio(total["conflicts_right"], total["conflicts_predicted"])
    total["conflict_recall"] = ratio(total["conflicts_found"], total["conflicts_labelled"])
    total["false_alarms_per_briefing"] = round(
        sum(s["false_alarms"] for s in per_story.values()) / len(per_story), 2
    )
    for key in ("speaker", "stance", "polarity", "figure_values", "figure_measures"):
        right = sum(int(s[key].split("/")[0]) for s in per_story.values())
        of = sum(int(s[key].split("/")[1]) for s in per_story.values())
        total[f"{key}_accuracy"] = ratio(right, of)
    found = sum(int(s["claims_found"].split("/")[0]) for s in per_story.values())
    of = sum(int(s["claims_found"].split("/")[1]) for s in per_story.values())
    total["claims_found"] = ratio(found, of)
    kept = sum(int(s["off_topic_kept"].split("/")[0]) for s in per_story.values())
    off = sum(int(s["off_topic_kept"].split("/")[1]) for s in per_story.values())
    total["off_topic_kept"] = f"{kept}/{off}"
    return total


def before(rev: str, model: str) -> dict[str, Any]:
    """The labelled scoring run with the code of commit ``rev`` (this file's scoring)."""
    with tempfile.TemporaryDirectory(prefix="bench-brief-before-") as tmp:
        code = Path(tmp) / "code"
        code.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        env = {**os.environ, "BRIEF_BENCH_CODE": str(code)}
        out = subprocess.run(
            [sys.executable, __file__, "--labels-only", "--model", model],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])["labels"]


# -- relevance -----------------------------------------------------------------------------------
def _auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return 0.0
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return round(wins / (len(pos) * len(neg)), 3)


def relevance_study(model: str, tmp: Path) -> dict[str, Any]:
    from assistant.brief import relevance
    from assistant.brief.build import reader_model
    from assistant.reader.evidence import context_of
    from vectorstore.models import Hit

    assistant = index_all(tmp / "relevance", model)
    reader = reader_model(assistant)
    if reader is None:
        return {"error": "no reader model"}
    files = {e.id: Path(e.locations[0]).name for e in assistant.manifest.entries()}
    rows: list[tuple[bool, str, dict[str, float]]] = []
    for story in [*labelled_sets(), *heldout_sets()]:
        b = brief(assistant, story["topic"], scoring=False)
        for c in b.claims:
            lab = next(
                (
                    x
                    for x in story["claims"]
                    if x["article"] == files.get(c.article_id) and x["quote"] in c.proposition
                ),
                None,
            )
            if lab is None:
                continue
            pair = [(c.proposition, context_of(Hit(c.passage), c.start))]
            scores = {
                name: reader.read(form.format(topic=story["topic"]), pair)[0].score
                for name, form in PHRASINGS.items()
            }
            rows.append((lab["on_topic"], c.article_id, scores))
    assistant.close()
    out: dict[str, Any] = {"claims": len(rows), "off_topic": sum(1 for r in rows if not r[0])}
    for name in PHRASINGS:
        best: dict[str, float] = {}
        for _on, article, s in rows:
            best[article] = max(best.get(article, 0.0), s[name])
        on_scores = [s[name] for on, _, s in rows if on]
        off_scores = [s[name] for on, _, s in rows if not on]
        out[name] = {
            "claim_auc": _auc(on_scores, off_scores),
            "article_auc": _auc(
                [best[a] for on, a, _ in rows if on], [best[a] for on, a, _ in rows if not on]
            ),
        }
    chosen = next(k for k, v in PHRASINGS.items() if v == relevance.QUESTION)
    best = {}
    for _on, article, s in rows:
        best[article] = max(best.get(article, 0.0), s[chosen])
    floor = relevance.MIN_ARTICLE
    on_kept = sum(1 for on, a, _ in rows if on and best[a] >= floor)
    off_kept = sum(1 for on, a, _ in rows if not on and best[a] >= floor)
    out["floor"] = {
        "phrasing": chosen,
        "min_article": floor,
        "on_topic_kept": f"{on_kept}/{len(rows) - out['off_topic']}",
        "off_topic_kept": f"{off_kept}/{out['off_topic']}",
    }
    return out


# -- the samples ---------------------------------------------------------------------------------
def samples(model: str, tmp: Path, show: bool) -> dict[str, Any]:
    from assistant.brief import document, render
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings(data_dir=tmp / "samples", embedding_model=model))
    assistant.indexer().index([str(ROOT / "samples")])
    start = time.perf_counter()
    b = brief(assistant, SAMPLES_TOPIC)
    took = time.perf_counter() - start
    lay = document.layout(b)
    if show:
        print(document.text(b))
    assistant.close()
    troops = [t for t in lay.figures if t.heading.startswith("troops")]
    return {
        "topic": SAMPLES_TOPIC,
        "claims": len(b.claims),
        "groups": len(b.groups),
        "figure_conflicts": [
            [s.label for s in x.sides] for x in lay.conflicts if x.kind == "figure"
        ],
        "stance_conflicts": sum(1 for x in lay.conflicts if x.kind == "stance"),
        "measures": [t.heading for t in lay.figures],
        "troop_values": [r.value for r in troops[0].rows] if troops else [],
        "key_claims": len(lay.key),
        "citations": len(lay.citations),
        "html_chars": len(render.html_fragment(lay)),
        "text_chars": len(render.text(lay)),
        "seconds": round(took, 2),
    }


# -- at scale ------------------------------------------------------------------------------------
def at_scale(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings
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
    began = time.perf_counter()
    assistant.indexer().index([corpus])
    index_s = time.perf_counter() - began
    articles, paragraphs = assistant.manifest.counts()
    assistant.lexical_index()
    topics = rng.sample(sorted(stories), args.topics)
    result: dict[str, Any] = {
        "paragraphs": paragraphs,
        "articles": articles,
        "index_s": round(index_s, 1),
    }
    from assistant.brief.build import build

    brief(assistant, " ".join(topics[0].split()[:4]))  # warm: spaCy, the model, the caches
    for scoring in (False, True):
        times: list[float] = []
        gaps: list[float] = []
        claims: list[int] = []
        for topic in topics:
            marks: list[float] = []

            def mark(fraction: float, message: str, marks: list[float] = marks) -> None:
                marks.append(time.perf_counter())

            begin = time.perf_counter()
            b = build(
                assistant,
                " ".join(topic.split()[:4]),
                remember=False,
                model_scoring=scoring,
                progress=mark,
            )
            end = time.perf_counter()
            times.append(end - begin)
            claims.append(len(b.claims))
            stamps = [begin, *marks, end]
            gaps.append(max(b2 - a2 for a2, b2 in itertools.pairwise(stamps)))
        name = "with_model" if scoring else "without_model"
        result[name] = {
            "briefings": len(times),
            "claims_p50": statistics.median(claims),
            "p50_s": round(statistics.median(times), 2),
            "max_s": round(max(times), 2),
            "longest_silence_s": round(max(gaps), 2),
        }
        print(f"  {name}: {json.dumps(result[name])}", flush=True)
    assistant.close()
    return result


def _show(code: str, labels: dict[str, Any]) -> None:
    for part, scores in labels.items():
        print(f"labels, {part} ({code}): {json.dumps(scores['total'])}")
        for name, story in scores["stories"].items():
            print(f"  {name}: {json.dumps(story)}")


def main() -> None:
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=Settings.model_fields["embedding_model"].default)
    parser.add_argument("--scale", type=int, default=10000, help="paragraphs; 0 skips")
    parser.add_argument("--topics", type=int, default=5, help="briefings timed at scale")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", help="keep (and reuse) the scale index in this folder")
    parser.add_argument("--before", help="a commit whose code the labels also score")
    parser.add_argument("--print-samples", action="store_true")
    parser.add_argument("--labels-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-brief-") as scratch:
        tmp = Path(scratch)
        result: dict[str, Any] = {"model": args.model, "date": dt.date.today().isoformat()}
        result["labels"] = labelled(args.model, tmp)
        if args.labels_only:
            print(json.dumps(result))
            return
        _show("this code", result["labels"])
        if args.before:
            result["labels_before"] = before(args.before, args.model)
            _show(args.before, result["labels_before"])
        result["relevance"] = relevance_study(args.model, tmp)
        print(f"relevance: {json.dumps(result['relevance'])}")
        result["samples"] = samples(args.model, tmp, args.print_samples)
        print(f"samples: {json.dumps(result['samples'])}")
        if args.scale:
            result["scale"] = at_scale(args, tmp)
            print(f"scale: {json.dumps(result['scale'])}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
