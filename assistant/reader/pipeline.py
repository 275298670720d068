"""The reader: one pipeline from a question and its retrieved paragraphs to an Answer.

    query (read once) → evidence (candidate sentences) → model (scores, spans)
        → lead (named rule) → checks (named units) → quotes → compose (with a trace)

Refusal is one calibrated threshold on the model's best score, plus the checks that the
ablation on held-out articles keeps. Every answer carries the trace of what decided it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant import attribution
from assistant.models import REFUSAL, Answer, Trace
from assistant.reader import answer_line
from assistant.reader.checks import Evidence, run_all
from assistant.reader.compose import compose, reading_order, with_lead_sentences
from assistant.reader.evidence import MAX_CANDIDATES, Scored, candidates
from assistant.reader.lead import Lead
from assistant.reader.model import ReaderModel
from assistant.reader.query import Query
from assistant.reader.quotes import select, with_antecedents
from vectorstore.models import Hit

THRESHOLD_REASON = (
    "No retrieved sentence answers it: the reader's best score is {score:.2f}, under its "
    "threshold of {threshold:.2f}."
)
NOTHING_REASON = "No citable sentence was retrieved."
TRACE_CANDIDATES = 5


class Reader:
    def __init__(
        self,
        model: ReaderModel | None = None,
        threshold: float = 0.3,
        max_sentences: int = 4,
        checks_off: Sequence[str] = (),
        refuse: bool = True,
        max_candidates: int = MAX_CANDIDATES,
    ) -> None:
        self.model = model or ReaderModel()
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.checks_off = frozenset(checks_off)
        self.refuse = refuse
        self.max_candidates = max_candidates

    def score(self, query: Query, hits: Sequence[Hit]) -> list[Scored]:
        """The candidate sentences of ``hits`` with the model's scores and spans, best first."""
        found = candidates(query.text, hits, self.max_candidates)
        readings = self.model.read(query.text, [(c.sentence.text, c.context) for c in found])
        scored = [
            replace(
                c,
                score=r.score,
                span=(r.span_start, r.span_end) if r.span_end > r.span_start else None,
            )
            for c, r in zip(found, readings, strict=True)
        ]
        # a sentence copied by several outlets (wire copy) answers as well in each: the copies
        # share their best score (titles in the context differ), so the tie goes to the
        # better-ranked paragraph
        best: dict[str, float] = {}
        for c in scored:
            best[c.sentence.text] = max(best.get(c.sentence.text, 0.0), c.score)
        scored = [replace(c, score=best[c.sentence.text]) for c in scored]
        scored.sort(key=lambda c: (-c.score, c.sentence.rank, c.sentence.start))
        return scored

    def answer(self, query: Query, hits: Sequence[Hit]) -> Answer:
        scored = self.score(query, hits)
        if not scored:
            trace = Trace(threshold=self.threshold, refused_by="nothing")
            return self.refusal(query, hits, NOTHING_REASON, trace)
        attribution.parse_many(list(dict.fromkeys(c.sentence.hit.text for c in scored[:12])))
        scored = with_antecedents(scored)
        floor = self.threshold
        lead, rule = answer_line.build(query, scored, hits, floor)
        fired = run_all(Evidence(query, scored, lead, hits))
        best = scored[0].score
        refused_by, reason = "", ""
        # a stance lead answers "Who confirmed ...?" with who took which stance on it, though
        # no one sentence answers well (nobody confirmed): the threshold does not apply
        if best < self.threshold and rule != "stance":
            refused_by = "threshold"
            reason = THRESHOLD_REASON.format(score=best, threshold=self.threshold)
        else:
            enabled = [(n, r) for n, r in fired if n not in self.checks_off]
            if enabled:
                refused_by, reason = enabled[0]
        trace = Trace(
            score=round(best, 4),
            threshold=self.threshold,
            checks=tuple(fired),
            refused_by=refused_by,
            lead_rule=rule,
            candidates=tuple(
                (c.sentence.hit.id, c.sentence.start, c.sentence.end, round(c.score, 4))
                for c in scored[:TRACE_CANDIDATES]
            ),
        )
        if refused_by and self.refuse:
            return self.refusal(query, hits, reason, trace)
        return self.compose(query, scored, lead, trace)

    def compose(
        self, query: Query, scored: list[Scored], lead: Lead | None, trace: Trace
    ) -> Answer:
        q = query.question
        groups = select(scored, self.body_sentences(lead), min(self.threshold, scored[0].score))
        if lead is not None:
            # figures listed in the lead are cited there; fewer quotes repeat them below
            quotes = 2 if q.kind in ("change", "comparison") else 3
            groups = with_lead_sentences(groups, [p.source for p in lead.parts], quotes)
        for g in groups:
            s = g.head.sentence
            g.claim = attribution.attribute(s.hit.text, s.start, s.end)
        return compose(query.asked, reading_order(groups), q.stance, lead, q, trace)

    def body_sentences(self, lead: Lead | None) -> int:
        """Quotes under the lead: fewer when the lead already cites several sentences."""
        cited = len({id(p.source) for p in lead.parts}) if lead else 0
        return max(1, min(self.max_sentences, 3) - max(0, cited - 1))

    def refusal(self, query: Query, hits: Sequence[Hit], reason: str, trace: Trace) -> Answer:
        return Answer(
            query.asked,
            f"{REFUSAL} {reason}",
            refused=True,
            related=tuple(h.passage for h in hits[:3]),
            trace=trace,
        )
