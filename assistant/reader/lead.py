"""The direct answer line that opens an extractive answer.

Built only from verbatim spans of the cited sentences and fixed words: the answering span
itself for who / when / where / how-many questions ("Kursk and Bryansk [1]"), "Yes:" or "No:"
and the clause that says so for yes/no questions, who confirmed, claimed or denied a thing
for stance questions, and the figures in date order for questions about change.
``assistant.citations.lead_checks`` verifies every part of it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.contrast import nations_in
from assistant.question import Question
from assistant.reader import lexicon
from ingest.text import terms, words

# Words that may open or join a lead besides the cited text and its metadata.
YES, NO = "Yes:", "No:"
NOT_CONFIRMED = "No source in these articles confirms it independently."
_CLAUSE_CUT = re.compile(
    r",?\s+(?:but|while|whereas|although|though)\s|,\s+(?:as|and|even as)\s|;\s|\s[-–—]\s"
)
_DENIAL_WORDS = frozenset(
    [
        "deny",
        "denied",
        "denies",
        "denying",
        "dismissed",
        "dismiss",
        "rejected",
        "reject",
        "refuted",
        "not",
        "never",
        "no",
        "neither",
        "nor",
        "fake",
        "false",
        "without",
    ]
)


class Candidate(Protocol):
    """A scored sentence of a retrieved paragraph (``extractive.Scored``)."""

    @property
    def score(self) -> float: ...

    @property
    def lexical(self) -> float: ...

    @property
    def sentence(self) -> Any: ...  # .hit (.text, .article ...), .start, .end, .text


@dataclass(frozen=True, slots=True)
class LeadPart:
    """One cited piece of the lead: fixed words or metadata, a verbatim span, more metadata."""

    before: str
    span: str
    after: str
    source: Any  # the Candidate whose sentence is cited
    speaker: str | None = None  # who the lead names, when resolved beyond the sentence


@dataclass(frozen=True, slots=True)
class Lead:
    parts: tuple[LeadPart, ...]
    opening: str = ""  # fixed words before the parts
    joiner: str = "; "
    typed: bool = False  # the answering span itself, of the type the question expects


def fixed_words() -> frozenset[str]:
    """Every word a lead may use that is not the cited text or its metadata."""
    texts = [YES, NO, NOT_CONFIRMED, "and by", "then", *STANCE_LABELS.values()]
    return frozenset(w for t in texts for w in words(t))


def polarity(question: Question, cand: Candidate, stance: str | None, negated: bool) -> str:
    """ "Yes:" / "No:" for a yes/no question from the best sentence: a denial, or a negation
    the question does not carry, says no; a sentence that holds most of the question's
    words without one says yes; anything else gets no word."""
    text_words = set(words(cand.sentence.text))
    says_no = stance == "denied" or negated or bool(text_words & _DENIAL_WORDS)
    if question.stance == "confirmed":
        # "Has X confirmed ...?": only a confirmation says yes; "if true", a claim or a
        # hedge ("could not verify") says no; anything else is quoted without a word
        if says_no or stance in ("conditional", "alleged") or _HEDGED.search(cand.sentence.text):
            return NO
        return YES if stance == "confirmed" and cand.lexical >= 0.5 else ""
    if question.stance == "denied":
        # "Did X deny ...?": only a denial says yes, a denial declined ("did not deny") no;
        # a sentence on anything else, however close, is quoted without a word
        if (stance == "denied" and negated) or _NOT_DENIED.search(cand.sentence.text):
            return NO
        return YES if stance == "denied" and cand.lexical >= 0.5 else ""
    if says_no != question.negated:
        return NO
    if cand.lexical >= 0.6:
        return YES
    return ""


_HEDGED = re.compile(
    r"\b(not (been )?independently (confirmed|verified)|could not (verify|confirm)|unverified"
    r"|not (been )?(confirmed|verified))\b",
    re.I,
)


def best_clause(sentence: str, focus: set[str]) -> str:
    """The clause of ``sentence`` holding most of the question's focus words (verbatim); the
    whole sentence when a clause would be too short to stand alone."""
    pieces, pos = [], 0
    for m in _CLAUSE_CUT.finditer(sentence):
        pieces.append(sentence[pos : m.start()])
        pos = m.end()
    pieces.append(sentence[pos:])
    if len(pieces) == 1:
        return sentence.strip()

    def key(piece: str) -> tuple[int, int]:
        return len(set(terms(piece)) & focus), len(piece)

    best = max(pieces, key=key).strip(" ,;")
    return best if len(words(best)) >= 6 and key(best)[0] else sentence.strip()


# How a stance lead names each stance, in the order an analyst reads them.
STANCE_ORDER = ("confirmed", "alleged", "asserted", "conditional", "likely", "denied")
STANCE_LABELS = {
    "confirmed": "Confirmed by",
    "alleged": "Claimed by",
    "asserted": "Stated by",
    "conditional": "Said conditionally (if true) by",
    "likely": "Judged likely by",
    "denied": "Denied by",
}


_NOT_DENIED = re.compile(
    r"\b(?:not|never|n't|declin\w*|refus\w*|without)\s+(?:\w+\s+){0,2}?"
    r"(?:deny|denied|denying|dismiss\w*|reject\w*|refut\w*|disput\w*)\b",
    re.I,
)


def stance_of(stance: str, negated: bool, sentence: str) -> str | None:
    """The stance a lead reports for a claim, or None when it reports nobody's stance."""
    if negated:
        if _NOT_DENIED.search(sentence):
            return None  # "did not deny", "declined to deny": nobody's denial, nor a claim
        return "denied" if stance in ("confirmed", "asserted") else None
    if stance == "unattributed":
        return None
    return stance


def speaker_key(speaker: str) -> str:
    """ "Pentagon spokesperson Sabrina Singh" and "Sabrina Singh" are one speaker."""
    names = [w for w in re.findall(r"[A-Z][\w'’-]+", speaker)]
    return (names[-1] if names else speaker).lower()


def figures(doc: Any, start: int, end: int) -> list[str]:
    """The figures a sentence states, each with the noun it counts ("about 8,000 North
    Korean troops"), verbatim; years, dates and times left out."""
    dated = {t.i for e in doc.ents if e.label_ in ("DATE", "TIME", "ORDINAL") for t in e}
    out: list[str] = []
    for chunk in doc.noun_chunks:
        if chunk.start_char < start or chunk.end_char > end:
            continue
        if any(t.like_num and t.i not in dated and any(c.isdigit() for c in t.text) for t in chunk):
            text = chunk.text.strip(" ,.;:")
            if text and text not in out:
                out.append(text)
    return out


def missing_names(
    question: Question, texts: Sequence[str], parse: Callable[[str], Any]
) -> list[str]:
    """Proper names of the question that none of ``texts`` mentions ("What did China say
    ...?" over articles that never name China): evidence about something else. A name
    matches on its first five letters, so "Zelensky" finds "Zelenskiy"."""
    corpus = _plain(" ".join(texts))
    names = [
        t.text
        for t in parse(question.text)
        if (t.pos_ == "PROPN" or (t.text.isupper() and t.is_alpha))  # "IAEA" read as a noun
        and len(t.text) >= 3
        and t.text[:1].isupper()
        and t.lower_ not in _QUESTION_WORDS  # "WHat", "WHen" typed in a hurry
        and not t.text.endswith(".")  # "Mr.", "Gen."
        and t.ent_type_ not in ("DATE", "TIME", "ORDINAL", "CARDINAL")  # "October" is a date
    ]
    missing = [n for n in names if _plain(n)[:5] not in corpus]
    if not missing:
        return []
    known = set(re.findall(r"\w{4,}", corpus))
    joined = re.sub(r"\W+", "", corpus)
    initials = _initials(" ".join(texts))
    nations = nations_in(" ".join(texts))
    return [
        n
        for n in missing
        if not _misspelt(_plain(n), known)
        and _plain(n) not in joined  # "UserDatagram" for "User Datagram"
        and n not in initials  # "AAA" for "American Automobile Association"
        # "Moscow" for "the Kremlin", "US" for "American"; "the Pentagon" only for itself
        and not nations_in(n, seats=False) & nations
    ]


_MINOR_WORDS = frozenset(["of", "the", "and", "for", "on", "de", "du"])


def _initials(text: str) -> set[str]:
    """The acronyms a text spells out: "AAA" for "the American Automobile Association",
    "NIS" for "National Intelligence Service" (small words such as "of" skipped)."""
    found: set[str] = set()
    run: list[str] = []
    for w in [*re.findall(r"[\w'-]+", text), "."]:
        if w[:1].isupper() and not (len(w) > 1 and w.isupper()):
            run.append(w[0])
            continue
        if w.lower() in _MINOR_WORDS and run:
            continue
        for i in range(len(run) - 1):  # every tail of the run: "the Finnish NIS"
            found.add("".join(run[i:]))
        run = []
    return found


_FIGURE = re.compile(r"(?<![\w.])\d[\d,.]*(?<![,.])")
_NUMBER_WORDS = {w: str(v) for w, v in lexicon.number_words().items() if v is not None}


_ROMAN = {r: str(i) for i, r in enumerate(["", "I", "II", "III", "IV", "V", "VI", "VII"]) if r}


_DAY_OF_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (\d{1,2})\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)


def missing_figures(question: Question, texts: Sequence[str], dates: bool = True) -> list[str]:
    """Figures of the question ("by up to 33 pence") that none of ``texts`` states, in
    digits or as a word ("five times"): evidence about another figure does not answer.
    Without ``dates``, days of a month are not asked for: a news paragraph says "on
    Monday" for "on October 28"."""
    asked = _FIGURE.findall(question.text)
    if not dates:
        days = {d for m in _DAY_OF_MONTH.finditer(question.text) for d in m.groups() if d}
        asked = [f for f in asked if f not in days]
    if not asked:
        return []
    corpus = " ".join(texts)
    stated = {f.replace(",", "") for f in _FIGURE.findall(corpus)}
    stated |= {_NUMBER_WORDS[w] for w in words(corpus) if w in _NUMBER_WORDS}
    stated |= {_ROMAN[w] for w in re.findall(r"\b[IVX]+\b", corpus) if w in _ROMAN}
    return [f for f in asked if f.replace(",", "") not in stated]


_QUESTION_WORDS = frozenset(
    [
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "did",
        "does",
        "do",
        "is",
        "are",
        "was",
        "were",
    ]
)


def _swapped(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1


def _misspelt(name: str, known: set[str]) -> bool:
    """Whether ``name`` is a word of the evidence typed with a slip ("ARPNET" for
    "ARPANET", "Kllbrandon" for "Kilbrandon"): one letter or two apart in a long name, or
    two letters swapped ("TEFU" for "TFEU")."""
    if len(name) >= 4 and any(
        len(w) == len(name) and w != name and sorted(w) == sorted(name) and _swapped(w, name)
        for w in known
    ):
        return True
    if len(name) < 5:
        return False
    for word in known:
        if abs(len(word) - len(name)) > 2:
            continue
        m = difflib.SequenceMatcher(None, name, word, autojunk=False)
        if m.real_quick_ratio() >= 0.85 and m.quick_ratio() >= 0.85 and m.ratio() >= 0.85:
            return True
    return False


def _plain(text: str) -> str:
    """Lower case without accents: "Kücükdeveci" and "Kucukdeveci" are one name."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
