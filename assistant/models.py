"""Answer records: an Answer's text carries [n] markers, each resolved to a Citation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vectorstore.models import Passage

REFUSAL = "The indexed articles do not answer this."


class Stance(StrEnum):
    """How firmly the speaker of a cited sentence stands behind it. The value is the word
    references and the JSON use (str-valued, so stored and exported documents read the same);
    the properties are the phrases the answer lead-ins and the chat use."""

    CONFIRMED = "confirmed"
    ASSERTED = "asserted"
    ALLEGED = "alleged"
    DENIED = "denied"
    CONDITIONAL = "conditional"  # "if the reports were true"
    LIKELY = "likely"  # "the possibility of such a deployment is highly likely"
    UNATTRIBUTED = "unattributed"

    @property
    def lead_in(self) -> str:
        """How a composed answer introduces the speaker: "Confirmed by", ... "Reported"."""
        return _LEAD_INS[self]

    @property
    def negated_lead_in(self) -> str:
        """The lead-in when the reporting verb was negated ("has not confirmed", "did not
        deny": the latter is read as ASSERTED, so it is "Not denied by")."""
        return _NEGATED_LEAD_INS.get(self, _LEAD_INS[self])

    @property
    def by(self) -> str:
        """Before a speaker's name in the chat: "confirmed by", ... "attributed to"."""
        return _BY[self]


_LEAD_INS = {
    Stance.CONFIRMED: "Confirmed by",
    Stance.ASSERTED: "Stated by",
    Stance.ALLEGED: "Claimed by",
    Stance.DENIED: "Denied by",
    Stance.CONDITIONAL: "Said conditionally by",
    Stance.LIKELY: "Judged likely by",
    Stance.UNATTRIBUTED: "Reported",
}
_NEGATED_LEAD_INS = {
    Stance.CONFIRMED: "Not confirmed by",
    Stance.ALLEGED: "Not confirmed by",
    Stance.ASSERTED: "Not denied by",
}
_BY = {
    Stance.CONFIRMED: "confirmed by",
    Stance.ASSERTED: "stated by",
    Stance.ALLEGED: "claimed by",
    Stance.DENIED: "denied by",
    Stance.CONDITIONAL: "said conditionally by",
    Stance.LIKELY: "judged likely by",
    Stance.UNATTRIBUTED: "attributed to",
}


@dataclass(frozen=True, slots=True)
class Citation:
    """Marker ``[number]``: the sentence ``quote`` at ``quote_start:quote_end`` of
    ``passage.text``."""

    number: int
    passage: Passage
    quote: str
    quote_start: int
    quote_end: int
    speaker: str | None = None
    stance: Stance = Stance.UNATTRIBUTED
    sources_count: int = 1

    def __post_init__(self) -> None:
        # A stance read back as its word (JSON, stored conversations) becomes the enum.
        if not isinstance(self.stance, Stance):
            object.__setattr__(self, "stance", Stance(self.stance))


@dataclass(frozen=True, slots=True)
class Trace:
    """How the reader decided an answer: the model's best score against the refusal
    threshold, every check that fired (name, reason) and the one that refused, the rule that
    built the lead, the best candidates' scores (paragraph id, offsets, score) and the scope
    the question set. Carried in the JSON export; ``bench/answers.py`` reads it."""

    score: float = 0.0
    threshold: float = 0.0
    checks: tuple[tuple[str, str], ...] = ()
    refused_by: str = ""
    lead_rule: str = ""
    candidates: tuple[tuple[str, int, int, float], ...] = ()
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    unsupported: tuple[str, ...] = ()
    related: tuple[Passage, ...] = ()  # shown when refused: retrieved, not cited
    # markers a generated answer used that cite no provided source (or one that does not
    # support the sentence): removed from ``text`` and reported here
    removed_markers: tuple[int, ...] = ()
    # the direct answer line that opens ``text`` (with its markers) and the type of answer
    # the question asked for (``assistant.question.AnswerType``; "" from older versions)
    lead: str = ""
    answer_type: str = ""
    # an LLM backend's answer in which no sentence of the model held: the extractive answer
    # stands in for it (``unsupported`` lists what the model wrote)
    fallback: bool = False
    trace: Trace | None = None  # how the reader decided (None from LLM-written text alone)
    # the filters the question itself set ("since 2 November"), said under the answer
    scope: str = ""
