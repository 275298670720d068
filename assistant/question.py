"""What a question asks for: its kind, the type of answer it expects, its focus words and
the stance it asks about ("Who confirmed ...?").

Plain patterns over the question's opening words: news questions are short and their kind
is said in the first two or three words. The expected type maps to the spaCy entity labels
that can fill it, which the extractive backend looks for in the candidate sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.reader import lexicon


class AnswerType(StrEnum):
    AGENT = "person_or_organisation"
    DATE = "date"
    PLACE = "place"
    NUMBER = "number"
    STANCE = "stance"
    POLARITY = "yes_no"
    REASON = "reason"
    MANNER = "manner"
    COMPARISON = "comparison"
    CHANGE = "change"
    THING = "thing"


# spaCy entity labels that can answer each type (the small English pipeline's OntoNotes set).
ENTITY_LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.AGENT: frozenset({"PERSON", "ORG", "NORP", "GPE"}),
    AnswerType.DATE: frozenset({"DATE", "TIME"}),
    AnswerType.PLACE: frozenset({"GPE", "LOC", "FAC"}),
    AnswerType.NUMBER: frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
}

_AGENT_NOUNS = (
    r"person|people|official|officials|organi[sz]ation|agency|agencies|company|companies|group"
    r"|broadcaster|outlet|newspaper|paper|network|minister|ministry|leader|spokes(?:man|woman|"
    r"person)|president|government|body|institution|party|commander|general|politician|side"
    r"|service|firm|bank|court|team|union|army|military|official body"
)
# one word before the noun: "Which Ukrainian outlet"
# (not "What type of company", "Which two courts": a kind, or a list, is asked)
_QUALIFIER = (
    r"(?!(?:is|was|are|were|did|does|do|has|have|had|can|could|will|would|should|may|might"
    r"|must|the|a|an|type|kind|sort|name|two|three|four|both|several|besides) )"
    r"[a-z-]+ "
)
_PLACE_NOUNS = (
    r"city|cities|country|countries|region|regions|place|area|town|province|oblast|oblasts"
    r"|state|location|border|territory|district|village|capital|port|base|front"
)
_TIME_NOUNS = r"year|date|day|month|time|week|decade|century|hour|season"
_NUMBER_NOUNS = (
    r"number|percentage|percent|share|proportion|amount|figure|size|total|count|sum|price"
    r"|cost|rate|estimate|fee|fare|toll|salary|wage|budget|value|revenue|death toll"
)
_AUX = (
    r"is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must"
    r"|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't|hadn't"
)


def _stem(verb: str) -> str:
    """The part of a reporting verb's lemma its forms share: "deny" → "den", "accuse" →
    "accus" (matched with its forms only when that short: "den" alone opens "Denmark")."""
    return verb[:-1] if verb.endswith(("e", "y")) else verb


def _forms(verb: str) -> str:
    stem = _stem(verb)
    if len(stem) >= 4:
        return stem + r"\w*"
    return rf"{stem}(?:y|ied|ies|ying)" if verb.endswith("y") else verb + r"\w*"


# The stances a question may ask about ("Who confirmed ...?"): every reporting verb of the
# lexicon but those of plain saying.
_STANCE_VERBS = {
    _stem(v): stance for v, stance in lexicon.stance_verbs().items() if stance != "asserted"
}
_STANCE_VERB = re.compile(
    r"\b("
    + "|".join(_forms(v) for v, st in lexicon.stance_verbs().items() if st != "asserted")
    + r")\b"
)
# "Who confirmed ...?", "Which officials have denied ...?": the stance verb is the question's
# own verb, within its first words ("What did the court acknowledge?" asks for a thing).
_STANCE_QUESTION = re.compile(
    r"^(?:who|whom|(?:which|what) (?!(?:did|does|do|has|have|had|was|were|is|are)\b)\w+(?: \w+)?)"
    r"(?: (?:has|have|had|did|was|were|is|are|first|"
    r"publicly|officially|later|also|ever|actually|initially))*"
    r" (?:"
    + "|".join(_forms(v) for v, st in lexicon.stance_verbs().items() if st != "asserted")
    + ")"
)
# "Has anyone confirmed ...?", "Did any official deny ...?": who did, as "Who confirmed ...?"
_ANYONE = re.compile(
    r"^(?:has|have|had|did|does|do|is|was)\s+(?:anyone|anybody|someone|somebody|any \w+)\b"
)
_NEGATION = re.compile(r"\b(not|never|no|n't|neither|nor|without)\b|n't\b")

_PATTERNS: list[tuple[str, AnswerType, re.Pattern[str]]] = [
    (
        "change",
        AnswerType.CHANGE,
        re.compile(
            r"\bhow (did|has|have|do|does) .*\b(chang\w*|mov\w*|evolv\w*|ris\w*|rose|gr[eo]w\w*"
            r"|f[ae]ll\w*|increas\w*|decreas\w*|shift\w*|develop\w*)\b"
            r"|\bover time\b|\b(change|changed|rise|rose|grow|grew|fall|fell) (from|between)\b"
        ),
    ),
    (
        "comparison",
        AnswerType.COMPARISON,
        re.compile(
            r"\b(compare\w*|comparison|differ\w*|difference|versus|vs\.?|contrast\w*)\b"
            r"|\bhow did .+ and .+ (describe|see|characteri[sz]e|portray|explain|view)\b"
            r"|\b(higher|lower|larger|smaller|bigger|more|fewer) than\b"
        ),
    ),
    (
        "when",
        AnswerType.DATE,
        re.compile(
            rf"^(when|since when|until when)\b|^(in |on |by )?(what|which) ({_TIME_NOUNS})s?\b"
            r"|^how long ago\b"
        ),
    ),
    (
        "where",
        AnswerType.PLACE,
        re.compile(rf"^(where|from where)\b|^(in |to |from |at )?(what|which) ({_PLACE_NOUNS})\b"),
    ),
    (
        "how_many",
        AnswerType.NUMBER,
        re.compile(
            rf"^(about |roughly )?how (many|much|large|big|long|far|old|often)\b"
            rf"|^(what|which) (is the |was the )?({_NUMBER_NOUNS})\b"
            rf"|\bhow (many|much)\b"
        ),
    ),
    (
        "who",
        AnswerType.AGENT,
        re.compile(
            rf"^(who|whom|whose)\b|^(by |to |from |according to )?(who|whom)\b"
            rf"|^(what|which) ({_QUALIFIER})?({_AGENT_NOUNS})s?\b"
        ),
    ),
    ("why", AnswerType.REASON, re.compile(r"^(why|for what reason|what (caused|led to))\b")),
    ("yes_no", AnswerType.POLARITY, re.compile(rf"^({_AUX})\b")),
    ("how", AnswerType.MANNER, re.compile(r"^how\b")),
    ("which", AnswerType.THING, re.compile(r"^(which|in which|of which|to which)\b")),
]
_LEADING = re.compile(r"^\W*(and|but|so|also|then|now|ok|okay|well)\b[\s,]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    kind: str  # who, when, where, how_many, which, what, yes_no, why, how, comparison, change,
    # stance
    answer_type: AnswerType
    stance: str | None = None  # the stance a "Who confirmed/denied/claimed ...?" asks about
    negated: bool = False

    @property
    def labels(self) -> frozenset[str]:
        """spaCy entity labels an answer of this question's type can carry."""
        return ENTITY_LABELS.get(self.answer_type, frozenset())


def analyse(question: str) -> Question:
    text = " ".join(question.split())
    lowered = _LEADING.sub("", text.lower()).strip(" ?.!")
    negated = bool(_NEGATION.search(lowered))
    stance = _asked_stance(lowered)
    if stance is not None and (_STANCE_QUESTION.match(lowered) or _ANYONE.match(lowered)):
        return Question(text, "stance", AnswerType.STANCE, stance, negated)
    for kind, answer_type, pattern in _PATTERNS:
        if pattern.search(lowered):
            return Question(text, kind, answer_type, stance, negated)
    return Question(text, "what", AnswerType.THING, stance, negated)


def _asked_stance(lowered: str) -> str | None:
    match = _STANCE_VERB.search(lowered)
    if match is None:
        return None
    word = match.group(1)
    return next((v for k, v in _STANCE_VERBS.items() if word.startswith(k)), None)


# Kinds whose answer gathers statements from several articles: retrieval reads wider.
WIDE_KINDS = frozenset({"stance", "change", "comparison"})
