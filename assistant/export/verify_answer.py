"""What an answer export says beyond its quotes, read again: the question, the direct answer
line, the scope, the refusal, and what the answer says of its backend.

- **The assistant's record**: ``briefing ask`` and the chat save every answer in the data
  dir's conversations, exactly as exported. A saved answer that weighed the same sentences
  (the trace's candidates and best score; without a trace, its question and the sentences
  it cites or shows) must show everything the export shows: its question, text, lead,
  scope, refusal, citations, related paragraphs, unsupported sentences, fallback. An edited
  question is reported this way (of an answer with a trace). An answer asked with
  ``--no-save``, or whose conversation was deleted, has no record: its question is then
  bound to it only by the checks below.
- **The question** sets the answer type (the one it asks for) and the scope, the sentence
  shown under the answer: exactly what ``assistant.reader.query.scope_of`` gives for its
  words over the indexed outlets and dates (a refusal for an empty filter, said before the
  question was read, has none). A "Yes:"/"No:" and the clause the lead quotes follow from
  its words too.
- **The direct answer line** (the lead) is rebuilt by the rule the trace names from the
  sentences it cites: the whole sentence, its clause that holds the question's words,
  "Yes:" or "No:" and that clause, or the stances of the cited sentences with who and
  where, or the figures in date order. A clause cut from it, a part reordered or relabelled,
  or a part dropped from a list (a sentence it quotes below or weighed on the question,
  whose stance or figure the rule lists) is reported. A lead of the model's answer span
  (rule ``span``) is checked only word by word against its quote: the span is the model's
  reading of all retrieved sentences at once, which the export does not hold.
- **A refusal** says the reason its trace gives (the threshold and score, or the check that
  fired); a refusal without a trace is the fixed one or an empty-filter message.
- **The backend**: an answer with a trace and no fallback is the extractive reader's, which
  writes no unsupported sentences and removes no markers; one that fell back carries the
  extractive answer's trace. What a language model wrote (``unsupported`` of a real
  fallback) is not in the index: only the saved record vouches for it.

``trace`` is diagnostic, not a claim shown to a reader: none of its fields is reported on
its own. It identifies the answer among the saved ones, names the lead's rule, and gives a
refusal its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from assistant import attribution
from assistant import citations as cit
from assistant.export.schema import AnswerOut
from assistant.models import REFUSAL, Answer, Citation
from ingest.text import terms, words
from vectorstore.models import Hit, Passage

TOLERANCE = 1.5e-4  # a traced score is rounded to four decimals
# "No articles from X are indexed." and the other messages of an empty filter
_EMPTY_FILTER = re.compile(
    r"No articles from .+ are indexed\.|No article with the id .+ is indexed\."
    r"|0 articles( from .+)? match these dates \(.+ to .+\)\.",
    re.S,
)


@dataclass(frozen=True, slots=True)
class Context:
    """What an answer is read against besides its cited paragraphs: the indexed outlets and
    the newest article's date (a question's scope), the paragraphs whose article is
    unchanged since the export (cited or related with the same content hash) by id, and the
    answers saved in the data dir's conversations (``saved_answers``)."""

    outlets: Sequence[str] = ()
    latest: dt.date | None = None
    verified: dict[str, Passage] = field(default_factory=dict)
    saved: Sequence[tuple[int, int, str]] = ()


# What a reader of an answer sees; ``trace`` is diagnostic and is not among them.
SHOWN = (
    "question",
    "answer",
    "lead",
    "scope",
    "refused",
    "citations",
    "unsupported",
    "related",
    "removed_markers",
    "fallback",
    "answer_type",
    "markers",
)


def _key(a: AnswerOut | dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies one answer among the saved ones: the sentences its reader weighed
    (the trace's candidates and best score: another question scores them otherwise), else
    its question and the sentences it cites or shows (one sentence answers many questions)."""
    d = a if isinstance(a, dict) else a.model_dump(mode="json")
    trace = d.get("trace") or {}
    if trace.get("candidates"):
        return ("trace", round(float(trace.get("score", 0.0)), 4), _tuples(trace["candidates"]))
    cited = sorted(
        (c.get("paragraph_id"), c.get("quote_start"), c.get("quote_end"))
        for c in d.get("citations") or []
    )
    shown = sorted(r.get("paragraph_id") for r in d.get("related") or [])
    if cited or shown:
        return ("cited", " ".join(str(d.get("question", "")).split()), tuple(cited), tuple(shown))
    return None


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def saved_problems(a: AnswerOut, saved: Sequence[tuple[int, int, str]]) -> list[str]:
    """The answer against the assistant's own record of it: an answer saved in a
    conversation (``briefing ask`` and the chat save every answer) that weighed the same
    sentences must show what the export shows. Nothing is said when none was saved (an
    answer asked with --no-save, a deleted conversation, another data dir)."""
    import json

    key = _key(a)
    if key is None:
        return []
    got = a.model_dump(mode="json")
    best: tuple[int, str, int, int] | None = None  # (differences, detail, conversation, turn)
    for conversation, position, text in saved:
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if not isinstance(record, dict) or _key(record) != key:
            continue
        want = AnswerOut.model_validate(record).model_dump(mode="json")
        differ = [name for name in SHOWN if got.get(name) != want.get(name)]
        if not differ:
            return []
        if best is None or len(differ) < best[0]:
            detail = "; ".join(
                f"{name} {_short(want.get(name))}, not {_short(got.get(name))}"
                for name in differ[:3]
            )
            best = (len(differ), detail, conversation, position)
    if best is None:
        return []
    _n, detail, conversation, position = best
    return [
        f"saved conversation {conversation}, turn {position} (the same reading of the same "
        f"sentences) shows {detail}"
    ]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 90 else text[:87] + "…"


def problems(
    a: AnswerOut, history: Sequence[Any], ctx: Context, by_number: dict[int, Citation]
) -> list[str]:
    """What the answer ``a`` says beyond its quotes that its question, trace and cited
    paragraphs (``by_number``, as indexed) do not give."""
    from assistant.reader.query import read, scope_of

    found: list[str] = []
    scope = scope_of(a.question.strip(), ctx.outlets, ctx.latest)
    said = scope.said if scope is not None else ""
    empty_filter = a.refused and not a.answer.startswith(REFUSAL)
    if a.scope != said and not (empty_filter and not a.scope):
        found.append(
            f"the scope {a.scope!r} is not what the question's words give ({said!r})"
            if said
            else f"the scope {a.scope!r} is not set by the question's words (it sets none)"
        )
    query = read(a.question, history, ctx.outlets, ctx.latest)
    if a.answer_type and a.answer_type != query.question.answer_type.value:
        found.append(
            f"answer type {a.answer_type!r} is not what the question asks for "
            f"({query.question.answer_type.value!r})"
        )
    found += saved_problems(a, ctx.saved)
    found += _backend_problems(a)
    if a.refused:
        found += _refusal_problems(a)
    if not a.refused and a.lead and a.trace is not None and not found:
        found += _lead_problems(a, query, ctx, by_number)
    return found


def _backend_problems(a: AnswerOut) -> list[str]:
    found = []
    if a.related and not a.refused:
        found.append(
            "an answer lists related paragraphs, which only a refusal shows (what was "
            "retrieved but not cited)"
        )
    if a.fallback and (a.trace is None or a.refused):
        found.append(
            "the answer says it fell back to the extractive answer, which it is not "
            "(that answer carries the reader's trace and is no refusal)"
        )
    if a.trace is not None and not a.fallback:
        if a.unsupported:
            found.append(
                "the extractive reader wrote this answer (it carries its trace), yet it lists "
                f"sentences a model wrote as unsupported: {a.unsupported[0][:80]!r}"
            )
        if a.removed_markers:
            found.append(
                "the extractive reader wrote this answer, yet it lists markers removed from a "
                f"model's text: {a.removed_markers}"
            )
    return found


def _refusal_problems(a: AnswerOut) -> list[str]:
    if a.trace is None:
        if a.answer == REFUSAL or _EMPTY_FILTER.fullmatch(a.answer):
            return []
        return [f"a refused answer says {a.answer[:80]!r}, not the refusal"]
    from assistant.reader.pipeline import NOTHING_REASON, THRESHOLD_REASON

    t = a.trace
    if t.refused_by == "threshold":
        reasons = {
            THRESHOLD_REASON.format(score=t.score + d, threshold=t.threshold)
            for d in (-5e-5, 0.0, 5e-5)
        }
    elif t.refused_by == "nothing":
        reasons = {NOTHING_REASON}
    else:
        reasons = {r for name, r in t.checks if name == t.refused_by and t.refused_by}
    if not reasons:
        return ["a refused answer whose trace names no check or threshold that refused it"]
    if a.answer not in {f"{REFUSAL} {r}" for r in reasons}:
        return [
            f"the refusal says {a.answer[:120]!r}, not the reason its trace gives "
            f"({sorted(reasons)[0][:80]!r})"
        ]
    return []


# -- the direct answer line ---------------------------------------------------------------
def _escaped(question: str, lead: str, cited: Sequence[Citation]) -> str:
    return cit.escape_quoted(Answer(question, lead, tuple(cited), lead=lead)).lead


def _lead_problems(
    a: AnswerOut, query: Any, ctx: Context, by_number: dict[int, Citation]
) -> list[str]:
    assert a.trace is not None
    rule = a.trace.lead_rule
    numbers = [n for _s, _e, n in cit.marker_spans(a.lead)]
    if not numbers or any(n not in by_number for n in numbers):
        return []  # the numbering checks say what is wrong
    if rule in ("sentence", "clause", "polarity", "span"):
        if len(numbers) != 1:
            return [f"the lead cites {len(numbers)} sentences; its rule {rule!r} one"]
        c = by_number[numbers[0]]
        body = _single(rule, c, query, ctx)
        if body is None:
            return []
        expected = {_escaped(a.question, f"{b} [{c.number}]", [c]) for b in body}
        if a.lead not in expected:
            return [
                f"the lead {a.lead!r} is not what its rule {rule!r} gives from "
                f"sentence [{c.number}]: {sorted(expected)[0]!r}"
            ]
        return []
    if rule == "stance":
        return _stance_problems(a, query, ctx, by_number, numbers)
    if rule == "figures":
        return _figure_problems(a, query, ctx, by_number, numbers)
    return []


def _single(rule: str, c: Citation, query: Any, ctx: Context) -> set[str] | None:
    """The texts the one-sentence rule ``rule`` may write before the marker of ``c``."""
    from assistant.reader import lead as leads
    from assistant.reader.evidence import lexical_share

    q = query.question
    if rule == "sentence":
        return {c.quote}
    clause = leads.best_clause(c.quote, set(terms(q.text)))
    if rule == "clause":
        return {clause}
    if rule == "polarity":
        claim = attribution.attribute(c.passage.text, c.quote_start, c.quote_end)
        said = set()
        # a quote joined from several sentences was scored by its best one
        texts = [c.quote, *(c.passage.text[s:e] for s, e in _sentences(c))]
        for text in texts:
            cand = SimpleNamespace(
                lexical=lexical_share(query.text, text), sentence=SimpleNamespace(text=c.quote)
            )
            word = leads.polarity(q, cand, claim.stance, claim.negated)  # type: ignore[arg-type]
            said.add(f"{word} {clause}" if word else clause)
        return said
    return None  # span: the model's span, read with all the retrieved sentences at once


def _sentences(c: Citation) -> list[tuple[int, int]]:
    from ingest.text import sentence_spans

    return [
        (c.quote_start + s, c.quote_start + e)
        for s, e in sentence_spans(c.quote)
        if e - s < len(c.quote)
    ]


def _body_heads(a: AnswerOut, by_number: dict[int, Citation]) -> list[Citation]:
    """The first citation of each statement below the lead: the quotes chosen on their own
    score (each statement's other markers are copies of it in other articles)."""
    body = a.answer[len(a.lead) :]
    return [by_number[st.numbers[0]] for st in cit.statements(body) if st.numbers]


def _on_topic(a: AnswerOut) -> float:
    assert a.trace is not None
    return max(a.trace.threshold, a.trace.score * 0.5)


def _traced(a: AnswerOut, ctx: Context) -> list[tuple[Passage, int, int]]:
    """The traced sentences on the question (their paragraphs unchanged since the export)."""
    assert a.trace is not None
    low = _on_topic(a)
    return [
        (ctx.verified[pid], s, e)
        for pid, s, e, score in a.trace.candidates
        if pid in ctx.verified and score >= low
    ]


def _stance_problems(
    a: AnswerOut,
    query: Any,
    ctx: Context,
    by_number: dict[int, Citation],
    numbers: list[int],
) -> list[str]:
    from assistant.reader import lead as leads
    from assistant.reader.compose import where_when

    q = query.question
    listed: list[tuple[str, str]] = []  # (stance, speaker) of each part
    pieces = []
    for n in numbers:
        c = by_number[n]
        claim = attribution.attribute(c.passage.text, c.quote_start, c.quote_end)
        stance = leads.stance_of(claim.stance, claim.negated, c.quote)
        if stance is None or stance == "asserted" or not c.speaker:
            return [f"the lead lists sentence [{n}] as a stance it does not take"]
        label = leads.STANCE_LABELS[stance]
        if listed and listed[-1][0] == stance:
            before = "and by"
        else:
            before = label if not listed else label.lower()
        listed.append((stance, c.speaker))
        pieces.append(f"{before} {c.speaker}{where_when(Hit(c.passage))} [{n}]")
    found: list[str] = []
    stances = [st for st, _ in listed]
    order = sorted(
        dict.fromkeys(stances),
        key=lambda st: (st != q.stance, leads.STANCE_ORDER.index(st)),
    )
    runs = list(dict.fromkeys(stances))
    if runs != order or any(stances.count(st) > 2 for st in runs) or len(listed) > 5:
        found.append(
            f"the lead lists the stances {stances}, not in the order and number its "
            f"rule gives ({order}, at most two each, five in all)"
        )
    opening = leads.NOT_CONFIRMED if q.stance == "confirmed" and "confirmed" not in runs else ""
    joined = "; ".join(pieces)
    expected = f"{opening} {joined}" if opening else joined
    if a.lead != expected:
        found.append(
            f"the direct answer {a.lead!r} is not what its cited stances give: {expected!r}"
        )
    if found or len(listed) >= 5:
        return found
    # a stance the rule lists, of a sentence on the question it quotes below or traced
    from assistant.reader.answer_line import _QUESTION_TERMS, _STANCE_TERMS

    keys = {(st, leads.speaker_key(sp)) for st, sp in listed}
    asked = set(terms(q.text)) - _STANCE_TERMS - _QUESTION_TERMS
    filtered = words(q.text)[:1] not in (["who"], ["whom"], ["which"]) and all(
        asked & set(terms(sp)) for _st, sp in listed
    )
    heads = [(c.passage, c.quote_start, c.quote_end) for c in _body_heads(a, by_number)]
    for passage, s, e in [*heads, *_traced(a, ctx)]:
        claim = attribution.attribute(passage.text, s, e)
        stance = leads.stance_of(claim.stance, claim.negated, passage.text[s:e])
        speaker = claim.speaker
        if (
            stance is None
            or stance == "asserted"
            or not speaker
            or attribution.unresolved(speaker)
            or attribution.names_nobody(speaker)
            or attribution.names_no_speaker(speaker)
            or (stance, leads.speaker_key(speaker)) in keys
            or stances.count(stance) >= 2
            or (filtered and not asked & set(terms(speaker)))
        ):
            continue
        return [
            f"the lead leaves out that {speaker!r} {stance} it (the sentence "
            f"{passage.text[s:e][:80]!r}, which its rule lists)"
        ]
    return []


def _figure_problems(
    a: AnswerOut,
    query: Any,
    ctx: Context,
    by_number: dict[int, Citation],
    numbers: list[int],
) -> list[str]:
    from assistant.reader import lead as leads
    from assistant.reader.answer_line import MAX_FIGURES
    from assistant.reader.compose import where_when
    from assistant.reader.speakers import speaker_of

    spans = cit.marker_spans(a.lead)
    pos, listed, dates = 0, [], []
    for i, (start, end, n) in enumerate(spans):
        piece = a.lead[pos:start].removeprefix("; ").rstrip()
        pos = end
        c = by_number[n]
        head = SimpleNamespace(
            sentence=SimpleNamespace(
                hit=Hit(c.passage), start=c.quote_start, end=c.quote_end, text=c.quote
            )
        )
        speaker, _verb = speaker_of(head)  # type: ignore[arg-type]
        figures = leads.figures(attribution.parsed(c.passage.text), c.quote_start, c.quote_end)
        then = "then " if i else ""
        forms = {
            f"{then}{f}{where_when(Hit(c.passage), speaker if speaker != f else None)}": f
            for f in figures
        }
        if piece not in forms:
            return [
                f"the lead's part {piece!r} is not a figure of sentence [{n}] with "
                "its outlet and date"
            ]
        listed.append(forms[piece])
        dates.append(c.passage.article.published_at or "")
    if dates != sorted(dates) or len(listed) > MAX_FIGURES:
        return [
            f"the direct answer's figures {listed} are not in date order, at most {MAX_FIGURES}"
        ]
    if len(listed) >= MAX_FIGURES:
        return []
    have = {" ".join(sorted(cit.numbers_in(f))) for f in listed}
    heads = [(c.passage, c.quote_start, c.quote_end) for c in _body_heads(a, by_number)]
    for passage, s, e in [*heads, *_traced(a, ctx)]:
        for f in leads.figures(attribution.parsed(passage.text), s, e):
            if " ".join(sorted(cit.numbers_in(f))) not in have:
                return [
                    f"the lead leaves out the figure {f!r} of a sentence it quotes or "
                    "read on the question, which its rule lists"
                ]
    return []
