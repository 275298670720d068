"""Answer quality on a paragraph-QA set (e.g. ../shared/eval/): index its articles with the
real embedding model into a temporary data dir, ask every question, and count

- answered_correct: share of answerable questions whose answer contains a gold answer string
  AND cites the evidence paragraph (a citation whose paragraph holds the evidence fact);
- refusal_rate_null: share of ``null_query`` questions refused;
- false_refusal_rate: share of answerable questions refused;
- citation_precision: share of citation uses whose quote is verbatim at its offsets in the
  cited paragraph and supports the statement citing it (assistant.citations.citation_checks).

    python bench/answers.py ../shared/eval/ [--dump answers.jsonl] [--limit N] [--backend SPEC]

``--dump`` writes one line per question, {"id": ..., "answer": <ask --format json object>},
so anyone can recount. The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.citations import citation_checks
from assistant.export.schema import answer_out
from assistant.models import Answer
from assistant.service import BriefingAssistant
from assistant.settings import Settings


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def contains_gold(answer: Answer, golds: list[str]) -> bool:
    text = _norm(answer.text)
    return any(_norm(g) in text for g in golds if g.strip())


def cites_evidence(answer: Answer, facts: list[str]) -> bool:
    return any(f and f in c.paragraph.text for c in answer.citations for f in facts)


def run(eval_dir: Path, data_dir: Path, args: argparse.Namespace) -> dict[str, object]:
    questions = [json.loads(line) for line in (eval_dir / "questions.jsonl").open()]
    if args.limit:
        questions = questions[: args.limit]
    overrides = {"backend": args.backend} if args.backend else {}
    assistant = BriefingAssistant(Settings(data_dir=data_dir, **overrides))
    t0 = time.perf_counter()
    report = assistant.indexer().index([eval_dir / "articles.jsonl"])
    index_s = time.perf_counter() - t0
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")

    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115
    answerable = correct = gold_only = cited_only = false_refusals = 0
    nulls = refused_nulls = 0
    good_citations = citations = 0
    t0 = time.perf_counter()
    for q in questions:
        answer = assistant.ask(q["question"])
        if dump is not None:
            out = {"id": q["id"], "answer": answer_out(answer).model_dump(mode="json")}
            dump.write(json.dumps(out, ensure_ascii=False) + "\n")
        checks = citation_checks(answer)
        citations += len(checks)
        good_citations += sum(ok for _c, _s, ok in checks)
        if q["type"] == "null_query":
            nulls += 1
            refused_nulls += answer.refused
            continue
        answerable += 1
        if answer.refused:
            false_refusals += 1
            continue
        gold = contains_gold(answer, q["answers_all"] or [q["answer"]])
        cited = cites_evidence(answer, [e["fact"] for e in q["evidence"]])
        correct += gold and cited
        gold_only += gold
        cited_only += cited
    ask_s = time.perf_counter() - t0
    if dump is not None:
        dump.close()

    def share(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    return {
        "bench": "answers",
        "backend": assistant.backend.name,
        "questions": len(questions),
        "answerable": answerable,
        "null_query": nulls,
        "answered_correct": share(correct, answerable),
        "answer_has_gold": share(gold_only, answerable),
        "cites_evidence": share(cited_only, answerable),
        "refusal_rate_null": share(refused_nulls, nulls),
        "false_refusal_rate": share(false_refusals, answerable),
        "citation_precision": share(good_citations, citations),
        "citations": citations,
        "index_seconds": round(index_s, 1),
        "ask_seconds_per_question": round(ask_s / max(len(questions), 1), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="folder with articles.jsonl and questions.jsonl")
    parser.add_argument("--dump", help="write one JSON line per question to this file")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--backend", help="answer backend spec (default: settings)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        result = run(args.dir, Path(tmp) / "data", args)
    for key, value in result.items():
        print(f"{key:>26}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
