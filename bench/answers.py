"""Answer quality, in two modes, with the reader's refusal read from each answer's trace.

Every answer is drafted with refusal off (``reader_refuse=False``); whether the product
refuses it is read from its trace (the model's best score against ``reader_threshold``, the
checks that fired). One run thus gives the figures of the product as configured, and with
``--ablate`` the same figures with each check turned off in turn and the threshold swept.

Dev-set format (a folder with ``articles.jsonl`` and ``questions.jsonl``: ../shared/eval/, or
the held-out sets bench/heldout.py writes): index its articles with the real embedding model
into a temporary data dir, ask every question, and count

- answered_correct: share of answerable questions whose answer contains a gold answer string
  AND cites the evidence paragraph (a citation whose paragraph holds the evidence fact);
- answer_has_gold / lead_has_gold: the gold string in the answer / in its lead (the Answer's
  ``lead`` when it has one, else the first sentence of its text); mean_lead_chars;
- refusal_rate_null: share of ``null_query`` questions refused;
- false_refusal_rate: share of answerable questions refused;
- citation_precision: share of citation uses whose quote is verbatim at its offsets in the
  cited paragraph and supports the statement citing it (assistant.citations.citation_checks);
- mean_answer_chars: mean length of the answers that were not refusals;
- ask_seconds_per_question, ask_p95_seconds: wall time of ``ask`` (retrieval and reading).

The project's own set (a folder of ``*.jsonl`` question files without ``articles.jsonl``, e.g.
bench/questions/): every question names its ``corpus`` ("samples": the bundled samples/
folder; "seed": the seed article indexed alone; ``--corpus NAME=PATH`` adds or overrides one).
Each corpus is indexed into its own temporary data dir and its questions are asked in file
order; a question with ``followup_of`` is asked with the previous turn of its chain (that
question and the answer the product gave to it) as history. The same figures are printed per
``kind`` and overall, plus ``all_gold`` (every listed answer string present) for the kinds
whose answers are a set rather than alternatives (comparison, change, stance) and
``refusal_rate_unanswerable`` for the questions with no answers. Gold strings match
case-insensitively on word boundaries, evidence phrases case-insensitively inside a cited
paragraph.

    python bench/answers.py ../shared/eval/ [--dump answers.jsonl] [--ablate] [--threshold T]
    python bench/answers.py build/heldout/wiki --ablate     # after bench/heldout.py build/heldout
    python bench/answers.py bench/questions/ [--dump answers.jsonl] [--corpus seed=PATH]

``--dump`` writes one line per question, {"id": ..., "answer": <ask --format json object>}
(own set: also its corpus, kind, question and the per-question checks), so anyone can
recount. The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.citations import citation_checks, statements
from assistant.conversations import HistoryTurn
from assistant.export.schema import answer_out
from assistant.models import REFUSAL, Answer
from assistant.service import BriefingAssistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPORA: dict[str, Path] = {
    "samples": ROOT / "samples",
    "seed": ROOT.parent / "shared" / "seeds" / "000_1640f6c9afc41053.txt",
}
ALL_GOLD_KINDS = ("comparison", "change", "stance")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _cited_text(citation: Any) -> str:
    """The text of the paragraph a citation quotes (``passage`` since the rename, formerly
    ``paragraph``)."""
    cited = getattr(citation, "passage", None) or citation.paragraph
    return cited.text


def contains_gold(answer: Answer, golds: list[str]) -> bool:
    text = _norm(answer.text)
    return any(_norm(g) in text for g in golds if g.strip())


def cites_evidence(answer: Answer, facts: list[str]) -> bool:
    return any(f and f in _cited_text(c) for c in answer.citations for f in facts)


def lead_of(answer: Answer) -> str:
    """The answer's lead: its ``lead`` attribute when the Answer has one, else the first
    sentence (statement) of the first non-empty line of its text."""
    lead = getattr(answer, "lead", None)
    if isinstance(lead, str) and lead.strip():
        return lead
    line = next((ln for ln in answer.text.splitlines() if ln.strip()), "")
    first = statements(line)
    return first[0].text if first else line


def has_word(text: str, gold: str) -> bool:
    """``gold`` in ``text`` (both normalised), not inside a longer word or number."""
    g = _norm(gold)
    return (
        bool(g)
        and re.search(r"(?<![\w,])" + re.escape(g) + r"(?![\w]|,\d)", _norm(text)) is not None
    )


def cites_phrase(answer: Answer, phrases: list[str]) -> bool:
    return any(_norm(p) in _norm(_cited_text(c)) for c in answer.citations for p in phrases if p)


def share(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def _assistant(data_dir: Path, args: argparse.Namespace) -> BriefingAssistant:
    """The product as configured, but drafting every answer (refusal off): whether it
    would refuse is read from each answer's trace, so one run gives the figures under any
    threshold and with any check off (``--ablate``)."""
    overrides: dict[str, Any] = {"backend": args.backend} if args.backend else {}
    if args.threshold is not None:
        overrides["reader_threshold"] = args.threshold
    if args.reader_model:
        overrides["reader_model"] = Path(args.reader_model)
    if args.no_snap:
        from assistant.reader import answer_line

        answer_line.SNAP_SPANS = False  # the span head's own words, for the ablation
    return BriefingAssistant(Settings(data_dir=data_dir, reader_refuse=False, **overrides))


def _close(assistant: BriefingAssistant) -> None:
    close = getattr(assistant, "close", None)
    if callable(close):
        close()


def _dump_answer(answer: Answer) -> dict[str, Any]:
    return answer_out(answer).model_dump(mode="json")


# -- one row per question; figures under any refusal configuration ----------------------
def _row(answer: Answer, seconds: float) -> dict[str, Any]:
    """What a question's answer (drafted with refusal off) gives under any configuration:
    the model's score, the checks that fired, and the draft's own figures."""
    trace = answer.trace
    checks = citation_checks(answer)
    return {
        "score": trace.score if trace else 0.0,
        # a stance lead ("No source confirms it; claimed by X") is given under the threshold
        "stance": bool(trace and trace.lead_rule == "stance"),
        "fired": [name for name, _reason in trace.checks] if trace else [],
        "nothing": bool(trace and trace.refused_by == "nothing") or (answer.refused and not trace),
        "chars": len(answer.text),
        "lead_chars": len(lead_of(answer)),
        "citation_uses": len(checks),
        "citation_ok": sum(ok for _c, _s, ok in checks),
        "seconds": seconds,
    }


def refused(row: dict[str, Any], threshold: float, off: frozenset[str] = frozenset()) -> bool:
    """Whether the product refuses this question at ``threshold`` with checks ``off`` off."""
    low = row["score"] < threshold and not row.get("stance")
    return row["nothing"] or low or any(f not in off for f in row["fired"])


def figures(
    rows: list[dict[str, Any]], threshold: float, off: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The dev-set figures of ``rows`` under one configuration."""
    answerable = [r for r in rows if not r["null"]]
    nulls = [r for r in rows if r["null"]]
    given = [r for r in rows if not refused(r, threshold, off)]
    given_answerable = [r for r in answerable if not refused(r, threshold, off)]
    uses = sum(r["citation_uses"] for r in given)
    n = len(answerable)
    return {
        "answered_correct": share(sum(r["gold"] and r["cited"] for r in given_answerable), n),
        "answer_has_gold": share(sum(r["gold"] for r in given_answerable), n),
        "lead_has_gold": share(sum(r["lead_gold"] for r in given_answerable), n),
        "cites_evidence": share(sum(r["cited"] for r in given_answerable), n),
        "refusal_rate_null": share(sum(refused(r, threshold, off) for r in nulls), len(nulls)),
        "false_refusal_rate": share(n - len(given_answerable), n),
        "citation_precision": share(sum(r["citation_ok"] for r in given), uses),
        "citations": uses,
        "mean_answer_chars": round(share(sum(r["chars"] for r in given), len(given)), 1),
        "mean_lead_chars": round(share(sum(r["lead_chars"] for r in given), len(given)), 1),
    }


def ablation(rows: list[dict[str, Any]], threshold: float) -> dict[str, dict[str, float]]:
    """Each check turned off in turn (and all of them): the change in correct, null
    refusal and false refusal against the product's configuration."""
    from assistant.reader.checks import registry

    names = [c.name for c in registry()]
    base = figures(rows, threshold)
    out: dict[str, dict[str, float | None]] = {}
    for name, off in [(n, frozenset([n])) for n in names] + [("(all checks)", frozenset(names))]:
        f = figures(rows, threshold, off)
        fired = sum(name in r["fired"] for r in rows) if name in names else None
        out[name] = {
            "fired": fired,
            "d_correct": round(f["answered_correct"] - base["answered_correct"], 4),
            "d_null_refusal": round(f["refusal_rate_null"] - base["refusal_rate_null"], 4),
            "d_false_refusal": round(f["false_refusal_rate"] - base["false_refusal_rate"], 4),
        }
    return out


SWEEP = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def sweep(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Correct, null refusal and false refusal at each threshold (checks as configured)."""
    out = []
    for t in SWEEP:
        f = figures(rows, t)
        out.append(
            {
                "threshold": t,
                "correct": f["answered_correct"],
                "null_refusal": f["refusal_rate_null"],
                "false_refusal": f["false_refusal_rate"],
            }
        )
    return out


def latency(rows: list[dict[str, Any]]) -> dict[str, float]:
    seconds = sorted(r["seconds"] for r in rows)
    if not seconds:
        return {}
    return {
        "ask_seconds_per_question": round(sum(seconds) / len(seconds), 4),
        "ask_p95_seconds": round(seconds[int(0.95 * (len(seconds) - 1))], 4),
    }


# -- the dev set (articles.jsonl + questions.jsonl) ----------------------------------------
def run(eval_dir: Path, data_dir: Path, args: argparse.Namespace) -> dict[str, object]:
    questions = [json.loads(line) for line in (eval_dir / "questions.jsonl").open()]
    if args.limit:
        questions = questions[: args.limit]
    assistant = _assistant(data_dir, args)
    threshold = assistant.settings.reader_threshold
    t0 = time.perf_counter()
    report = assistant.indexer().index([eval_dir / "articles.jsonl"])
    index_s = time.perf_counter() - t0
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")

    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115
    rows: list[dict[str, Any]] = []
    for q in questions:
        t = time.perf_counter()
        answer = assistant.ask(q["question"])
        row = _row(answer, time.perf_counter() - t)
        golds = q["answers_all"] or [q["answer"]] if q["type"] != "null_query" else []
        row |= {
            "null": q["type"] == "null_query",
            "gold": contains_gold(answer, golds) if golds else False,
            "lead_gold": any(_norm(g) in _norm(lead_of(answer)) for g in golds if g.strip()),
            "cited": cites_evidence(answer, [e["fact"] for e in q["evidence"]]),
        }
        rows.append(row)
        if dump is not None:
            out = {"id": q["id"], "answer": _dump_answer(answer), "row": row}
            dump.write(json.dumps(out, ensure_ascii=False) + "\n")
    if dump is not None:
        dump.close()
    _close(assistant)
    result: dict[str, Any] = {
        "bench": "answers",
        "backend": assistant.backend.name,
        "threshold": threshold,
        "questions": len(questions),
        "answerable": sum(not r["null"] for r in rows),
        "null_query": sum(r["null"] for r in rows),
        **figures(rows, threshold),
        "index_seconds": round(index_s, 1),
        **latency(rows),
    }
    if args.ablate:
        result["ablation"] = ablation(rows, threshold)
        result["sweep"] = sweep(rows)
    return result


# -- the project's own set (bench/questions/*.jsonl) -----------------------------------------
def load_questions(folder: Path) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.open(encoding="utf-8"), 1):
            if line.strip():
                q = json.loads(line)
                missing = {"id", "corpus", "kind", "question", "answers", "evidence"} - q.keys()
                if missing:
                    raise SystemExit(f"{path}:{n}: missing {sorted(missing)}")
                questions.append(q)
    ids = [q["id"] for q in questions]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate question ids")
    known = set(ids)
    for q in questions:
        if q.get("followup_of") and q["followup_of"] not in known:
            raise SystemExit(f"{q['id']}: followup_of {q['followup_of']!r} is no question")
    return questions


def score_one(q: dict[str, Any], answer: Answer, threshold: float) -> dict[str, Any]:
    """The per-question checks (``None`` where a check does not apply) of the answer the
    product gives at ``threshold`` (the draft, unless its trace says it refuses)."""
    checks = citation_checks(answer)
    golds = [g for g in q["answers"] if g.strip()]
    row: dict[str, Any] = {
        "refused": refused(_row(answer, 0.0), threshold),
        "chars": len(answer.text),
        "citation_uses": len(checks),
        "citation_ok": sum(ok for _c, _s, ok in checks),
    }
    if not golds:  # unanswerable
        return row
    answered = not row["refused"]
    gold = answered and any(has_word(answer.text, g) for g in golds)
    cited = answered and cites_phrase(answer, q["evidence"])
    row |= {
        "correct": gold and cited,
        "has_gold": gold,
        "lead_has_gold": answered and any(has_word(lead_of(answer), g) for g in golds),
        "cites_evidence": cited,
    }
    if q["kind"] in ALL_GOLD_KINDS:
        row["all_gold"] = answered and all(has_word(answer.text, g) for g in golds)
    return row


def summarise(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = list(rows)
    answerable = [r for r in rows if "correct" in r]
    nulls = [r for r in rows if "correct" not in r]
    answered = [r for r in rows if not r["refused"]]
    all_gold = [r for r in answerable if "all_gold" in r]
    uses = sum(r["citation_uses"] for r in rows)
    out: dict[str, Any] = {"questions": len(rows), "answerable": len(answerable)}
    if answerable:
        n = len(answerable)
        out |= {
            "answered_correct": share(sum(r["correct"] for r in answerable), n),
            "answer_has_gold": share(sum(r["has_gold"] for r in answerable), n),
            "lead_has_gold": share(sum(r["lead_has_gold"] for r in answerable), n),
            "cites_evidence": share(sum(r["cites_evidence"] for r in answerable), n),
            "false_refusal_rate": share(sum(r["refused"] for r in answerable), n),
        }
    if all_gold:
        out["all_gold"] = share(sum(r["all_gold"] for r in all_gold), len(all_gold))
    if nulls:
        out["unanswerable"] = len(nulls)
        out["refusal_rate_unanswerable"] = share(sum(r["refused"] for r in nulls), len(nulls))
    out["citation_precision"] = share(sum(r["citation_ok"] for r in rows), uses)
    out["citations"] = uses
    out["mean_answer_chars"] = round(share(sum(r["chars"] for r in answered), len(answered)), 1)
    return out


def run_own(folder: Path, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    questions = load_questions(folder)
    if args.limit:
        questions = questions[: args.limit]
    corpora = dict(CORPORA)
    for spec in args.corpus or ():
        name, _, path = spec.partition("=")
        corpora[name] = Path(path)
    by_corpus: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        by_corpus[q["corpus"]].append(q)
    unknown = set(by_corpus) - corpora.keys()
    if unknown:
        raise SystemExit(f"no path for corpus {sorted(unknown)} (use --corpus NAME=PATH)")

    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115
    rows: dict[str, dict[str, Any]] = {}
    index_s: dict[str, float] = {}
    backend = ""
    t_ask = 0.0
    for name, qs in by_corpus.items():
        assistant = _assistant(tmp / name, args)
        backend = assistant.backend.name
        t0 = time.perf_counter()
        report = assistant.indexer().index([corpora[name]])
        index_s[name] = round(time.perf_counter() - t0, 1)
        if report.failed or not (getattr(report, "new", 0) or getattr(report, "updated", 0)):
            raise SystemExit(f"indexing {corpora[name]} failed: {report}")
        given: dict[str, tuple[str, str]] = {}
        threshold = assistant.settings.reader_threshold
        t0 = time.perf_counter()
        for q in qs:
            prev = given.get(q.get("followup_of") or "")
            history: tuple[Any, ...] = (HistoryTurn(*prev),) if prev else ()
            answer = assistant.ask(q["question"], history)
            row = score_one(q, answer, threshold)
            # the earlier turn as the product gave it: its refusal, when it refused
            given[q["id"]] = (q["question"], REFUSAL if row["refused"] else answer.text)
            rows[q["id"]] = row | {"kind": q["kind"], "corpus": name}
            if dump is not None:
                out = {
                    "id": q["id"],
                    "corpus": name,
                    "kind": q["kind"],
                    "question": q["question"],
                    "followup_of": q.get("followup_of"),
                    "expected": q["answers"],
                    "checks": row,
                    "answer": _dump_answer(answer),
                }
                dump.write(json.dumps(out, ensure_ascii=False) + "\n")
        t_ask += time.perf_counter() - t0
        _close(assistant)
    if dump is not None:
        dump.close()

    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows.values():
        kinds[r["kind"]].append(r)
    return {
        "bench": "answers-own",
        "backend": backend,
        "overall": summarise(rows.values()),
        "per_corpus": {
            c: summarise(r for r in rows.values() if r["corpus"] == c) for c in by_corpus
        },
        "per_kind": {k: summarise(v) for k, v in sorted(kinds.items())},
        "index_seconds": index_s,
        "ask_seconds_per_question": round(t_ask / max(len(rows), 1), 4),
    }


_COLUMNS = (
    ("n", "questions"),
    ("correct", "answered_correct"),
    ("gold", "answer_has_gold"),
    ("lead", "lead_has_gold"),
    ("cites", "cites_evidence"),
    ("all", "all_gold"),
    ("f.refuse", "false_refusal_rate"),
    ("unans.ref", "refusal_rate_unanswerable"),
    ("cit.prec", "citation_precision"),
    ("chars", "mean_answer_chars"),
)


def print_own(result: dict[str, Any]) -> None:
    print(
        f"backend: {result['backend']}; index seconds: {result['index_seconds']}; "
        f"ask seconds/question: {result['ask_seconds_per_question']}"
    )
    print(f"{'':>14}" + "".join(f"{h:>10}" for h, _k in _COLUMNS))
    groups = [(k, v) for k, v in result["per_kind"].items()]
    groups += [(f"[{c}]", v) for c, v in result["per_corpus"].items()]
    groups.append(("OVERALL", result["overall"]))
    for label, figures in groups:
        cells = "".join(
            f"{figures[k]!s:>10}" if k in figures else f"{'-':>10}" for _h, k in _COLUMNS
        )
        print(f"{label:>14}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "dir",
        type=Path,
        help="dev set (articles.jsonl + questions.jsonl) or a folder of own question files",
    )
    parser.add_argument("--dump", help="write one JSON line per question to this file")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--backend", help="answer backend spec (default: settings)")
    parser.add_argument("--threshold", type=float, help="reader threshold (default: settings)")
    parser.add_argument("--reader-model", help="reader model folder (default: the shipped one)")
    parser.add_argument(
        "--no-snap",
        action="store_true",
        help="span leads as the span head gives them (not widened to whole phrases)",
    )
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="also each check turned off in turn, and the threshold swept",
    )
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="NAME=PATH",
        help="own set: where corpus NAME is (default: samples=samples/, seed=the seed article)",
    )
    args = parser.parse_args()
    own = not (args.dir / "articles.jsonl").exists()
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        if own:
            result = run_own(args.dir, Path(tmp), args)
        else:
            result = run(args.dir, Path(tmp) / "data", args)
    if own:
        print_own(result)
    else:
        for key, value in result.items():
            if key not in ("ablation", "sweep"):
                print(f"{key:>26}: {value}")
        print_ablation(result)
    print(json.dumps(result))


def print_ablation(result: dict[str, Any]) -> None:
    if "ablation" in result:
        print(
            f"\n{'check turned off':>22}{'fired':>7}{'Δcorrect':>10}"
            f"{'Δnull ref':>11}{'Δfalse ref':>12}"
        )
        for name, d in result["ablation"].items():
            fired = "" if d["fired"] is None else d["fired"]
            print(
                f"{name:>22}{fired!s:>7}{d['d_correct']:>10}{d['d_null_refusal']:>11}"
                f"{d['d_false_refusal']:>12}"
            )
    if "sweep" in result:
        print(f"\n{'threshold':>10}{'correct':>9}{'null ref':>10}{'false ref':>11}")
        for p in result["sweep"]:
            print(
                f"{p['threshold']:>10}{p['correct']:>9}{p['null_refusal']:>10}"
                f"{p['false_refusal']:>11}"
            )


if __name__ == "__main__":
    main()
