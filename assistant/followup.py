"""Follow-up questions rewritten with the conversation before retrieval, offline.

"And who denied it?" retrieves nothing useful alone: "it" is the previous question's subject.
A question counts as a follow-up when it opens like one ("and ...", "what about ...") or
leans on a pronoun while naming little of its own; it then gets the key words (nouns, names,
numbers) of the previous question appended, and for he/she/him/her also the names in the
previous answer. The previous question is first rewritten the same way, so a chain of
follow-ups keeps its subject. The answer backend still sees the question as asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.attribution import REPORTING_VERBS
from assistant.backends.base import Turn
from assistant.question import AnswerType, analyse
from ingest.text import STOP_WORDS, parse, words

OPENERS = re.compile(
    r"^\s*(and|but|so|also|then|what about|how about|and what about|what else|who else|"
    r"why not|why|how come|same for|as for)\b",
    re.IGNORECASE,
)
PRONOUNS = frozenset(
    "it its they them their theirs he him his she her hers this that these those there then".split()  # noqa: SIM905
)
PERSONAL = frozenset("he him his she her hers".split())  # noqa: SIM905
# Question words and light verbs are no subject to carry over.
LIGHT = frozenset(
    """what who whom whose which when where why how many much did does do is are was were
    has have had can could will would should may might tell show give explain describe
    happen happened happens mean means""".split()  # noqa: SIM905
)
MAX_OWN_WORDS = 4  # a pronoun question naming more than this stands on its own
MAX_TERMS = 8
_MARKER = re.compile(r"\[\d+\]")
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")


def own_words(question: str) -> list[str]:
    """The question's content words (not stop words, question words or light verbs)."""
    return [w for w in words(question) if w not in STOP_WORDS and w not in LIGHT]


def is_followup(question: str) -> bool:
    lowered = {w.lower() for w in words(question)}
    own = own_words(question)
    if OPENERS.match(question):
        return len(own) <= MAX_OWN_WORDS + 2
    if lowered & PRONOUNS and len(own) <= MAX_OWN_WORDS:
        return True
    return len(own) <= 1  # "when?", "in 2023?", "why so?"


def key_terms(text: str) -> list[str]:
    """Nouns, names, numbers, adjectives and verbs of ``text``, as spaCy's tagger sees them
    ("Who reported it?" after "How many soldiers deserted?" is about deserting); verbs of
    saying and of stance stay behind, as a follow-up often changes exactly those ("and who
    denied it?" after "who confirmed ...?")."""
    keep = {"NOUN", "PROPN", "NUM", "ADJ", "VERB"}
    out = []
    for token in parse(text):
        word = token.text.lower()
        if token.pos_ == "VERB" and (token.lemma_ in REPORTING_VERBS):
            continue
        if token.pos_ in keep and word not in STOP_WORDS and word not in LIGHT and word.isalnum():
            out.append(token.text)
    return out


def names_in(answer: str) -> list[str]:
    """Capitalised names in an answer, not counting sentence starts."""
    text = _MARKER.sub(" ", answer)
    names = []
    for match in _NAME.finditer(text):
        name = match.group()
        before = text[: match.start()].rstrip()
        if not before or before[-1] in ".!?:\"'“”":
            name = name.partition(" ")[2]  # a sentence's first word is capitalised anyway
        if name:
            names.append(name)
    return names


def rewrite(question: str, history: Sequence[Turn] = (), depth: int = 3) -> str:
    """The question to retrieve with: unchanged unless it is a follow-up."""
    question = question.strip()
    if not history or depth <= 0 or not is_followup(question):
        return question
    last = history[-1]
    previous = rewrite(last.question, history[:-1], depth - 1)
    terms = key_terms(previous)
    if analyse(last.question).answer_type not in (AnswerType.AGENT, AnswerType.STANCE):
        # the previous answer's direct answer line names what "it" or "there" stands for
        # (after "who ...?" it names a person, whom only "he"/"she" refer to)
        terms = names_in(last.answer.split("\n\n")[0]) + terms
    if {w.lower() for w in words(question)} & PERSONAL:
        terms += names_in(last.answer)
    have = {w.lower() for w in words(question)}
    extra: list[str] = []
    for word in (w for term in terms for w in term.split()):
        if word.lower() not in have:
            have.add(word.lower())
            extra.append(word)
    if not extra:
        return question
    return f"{question} {' '.join(extra[:MAX_TERMS])}"
