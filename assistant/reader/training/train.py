"""Train the reader: the packaged all-MiniLM-L6-v2 encoder with two heads, on CPU.

- ``answer``: one logit from the [CLS] state, "this sentence answers the question" (trained
  with binary cross-entropy on positives and the three kinds of negatives);
- ``span``: start and end logits per token, trained on positives whose answer span is known,
  over the candidate's tokens only.

Seeded end to end (Python, NumPy, torch, example order), single process, two threads.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.reader.encoding import Encoded, PairEncoder
from assistant.reader.training.data import Example


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: float = 1.0
    batch_size: int = 32
    lr: float = 5e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    span_weight: float = 0.5
    threads: int = 2
    seed: int = 13
    max_minutes: float = 0.0  # stop early after this long (0: no limit)


def build_model(encoder_dir: Path) -> Any:
    import torch
    from transformers import AutoModel

    class Reader(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir), local_files_only=True)
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.answer = torch.nn.Linear(hidden, 1)
            self.span = torch.nn.Linear(hidden, 2)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            answer = self.answer(self.dropout(states[:, 0])).squeeze(-1)
            start, end = self.span(states).unbind(-1)
            return answer, start, end

    return Reader()


def _tensors(encoder: PairEncoder, rows: list[Encoded]) -> dict[str, Any]:
    import torch

    return {k: torch.from_numpy(v) for k, v in encoder.batch(rows).items()}


def train(
    examples: list[Example],
    encoder_dir: Path,
    out_dir: Path,
    config: TrainConfig,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train on ``examples`` (already shuffled) and save the weights as ``reader.pt`` with
    ``train_log.json`` in ``out_dir``; returns what the model card reports."""
    import torch

    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)

    pair = PairEncoder(encoder_dir / "tokenizer.json")
    model = build_model(encoder_dir)
    # The word-embedding table is 12 M of the 22 M weights: frozen, each step costs a third
    # less, and words the QA sets never show keep what the packaged model knows of them.
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    model.train()
    encoded = pair.encode_many([(e.question, e.candidate, e.context) for e in examples])
    spans: list[tuple[int, int] | None] = [
        row.token_span(*e.span) if e.span is not None else None
        for e, row in zip(examples, encoded, strict=True)
    ]
    batches = _batches([len(r.ids) for r in encoded], config.batch_size, config.seed)
    steps = math.ceil(len(batches) * config.epochs)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    no_decay = ("bias", "LayerNorm.weight")
    params = [
        {
            "params": [p for n, p in trainable if not any(x in n for x in no_decay)],
            "weight_decay": config.weight_decay,
        },
        {
            "params": [p for n, p in trainable if any(x in n for x in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optim = torch.optim.AdamW(params, lr=config.lr)
    warm = max(1, int(steps * config.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    seen = 0
    history: list[dict[str, float]] = []
    running = 0.0
    step = 0
    for step in range(steps):
        idx = batches[step % len(batches)]
        rows = [encoded[i] for i in idx]
        feeds = _tensors(pair, rows)
        labels = torch.tensor([examples[i].label for i in idx], dtype=torch.float32)
        answer, start, end = model(**feeds)
        loss = bce(answer, labels)
        with_span = [(k, spans[i]) for k, i in enumerate(idx) if spans[i] is not None]
        if with_span:
            keep = torch.tensor([k for k, _s in with_span])
            mask = torch.full_like(start, -1e4)
            for k, i in enumerate(idx):
                mask[k, encoded[i].cand_start : encoded[i].cand_end] = 0.0
            s_gold = torch.tensor([s[0] for _k, s in with_span])  # type: ignore[index]
            e_gold = torch.tensor([s[1] for _k, s in with_span])  # type: ignore[index]
            span_loss = (ce((start + mask)[keep], s_gold) + ce((end + mask)[keep], e_gold)) / 2
            loss = loss + config.span_weight * span_loss
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        seen += len(idx)
        value = float(loss.detach())
        running = 0.98 * running + 0.02 * value if step else value
        if step % 50 == 0 or step == steps - 1:
            minutes = (time.perf_counter() - t0) / 60
            history.append(
                {
                    "step": step,
                    "seen": seen,
                    "loss": round(running, 4),
                    "minutes": round(minutes, 2),
                }
            )
            log(f"step {step}/{steps} seen {seen} loss {running:.4f} {minutes:.1f} min")
            if config.max_minutes and minutes > config.max_minutes:
                log("time budget reached: stopping")
                break
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    torch.save(model.state_dict(), out_dir / "reader.pt")
    report = {
        "config": asdict(config),
        "examples": len(examples),
        "examples_seen": seen,
        "steps": step + 1,
        "train_minutes": round((time.perf_counter() - t0) / 60, 1),
        "history": history,
    }
    (out_dir / "train_log.json").write_text(json.dumps(report, indent=1))
    return report


def _batches(lengths: list[int], size: int, seed: int) -> list[list[int]]:
    """Batches of example indexes, each of similar lengths (little padding): the examples,
    in their shuffled order, are cut into chunks of 50 batches, each chunk sorted by length
    and cut into batches; the batches are then shuffled (seeded)."""
    rng = random.Random(seed)
    chunk = 50 * size
    out: list[list[int]] = []
    for lo in range(0, len(lengths), chunk):
        part = sorted(range(lo, min(lo + chunk, len(lengths))), key=lambda i: lengths[i])
        out += [part[i : i + size] for i in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def export(encoder_dir: Path, weights: Path, out: Path) -> None:
    """The trained model as ONNX (fp32 beside it) and its dynamic int8 quantisation at ``out``."""
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = build_model(encoder_dir)
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    model.eval()
    fp32 = out.with_name(out.stem + "-fp32.onnx")
    dummy = torch.ones((2, 12), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=names,
            output_names=["answer", "start", "end"],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "answer": {0: "batch"},
                "start": {0: "batch", 1: "tokens"},
                "end": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        # the word-embedding table (Gather) too: 47 MB in fp32, 12 MB in int8
        op_types_to_quantize=["MatMul", "Gather"],
        extra_options={"DefaultTensorType": 1},
    )
