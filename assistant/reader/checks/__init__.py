"""Named checks that can refuse an answer the model would give.

The model decides whether the articles answer (one calibrated threshold on its best score,
``Settings.reader_threshold``). A check is a rule kept beside it only because the ablation on
held-out articles (``bench/answers.py --ablate``) shows it pays: each has a ``name``, a
``reason`` (the sentence a refusal shows, with the detail the check found), and its own test
table in ``tests/test_reader_checks.py``. Every check is evaluated on every answer; those
that fired are in the answer's trace, and a refusal names the first enabled one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.reader.evidence import Scored
from assistant.reader.lead import Lead
from assistant.reader.query import Query
from vectorstore.models import Hit


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a check reads: the question, the scored candidates (best first), the lead the
    answer would open with, and the retrieved paragraphs."""

    query: Query
    scored: Sequence[Scored]
    lead: Lead | None
    hits: Sequence[Hit]

    @property
    def best(self) -> Scored | None:
        """The sentence the lead cites first, else the best scored."""
        if self.lead is not None and self.lead.parts:
            return self.lead.parts[0].source  # type: ignore[no-any-return]
        return self.scored[0] if self.scored else None


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    reason: str  # why it refuses, shown to the analyst; "{detail}" is what it found
    fires: Callable[[Evidence], str | None]  # the detail when it fires, else None

    def run(self, evidence: Evidence) -> str | None:
        detail = self.fires(evidence)
        return None if detail is None else self.reason.format(detail=detail)


def registry() -> tuple[Check, ...]:
    """Every check, in the order a refusal names them."""
    from assistant.reader.checks import evidence_checks

    return evidence_checks.CHECKS


def run_all(evidence: Evidence) -> list[tuple[str, str]]:
    """(name, reason) of every check that fires on ``evidence``."""
    out = []
    for check in registry():
        reason = check.run(evidence)
        if reason is not None:
            out.append((check.name, reason))
    return out
