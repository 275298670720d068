"""Citation markers: find them, check them, drop the ones that point at nothing, and check
that each cited sentence is supported by the paragraph it cites."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from assistant.models import Answer, Citation, Stance
from assistant.reader import lexicon
from ingest.text import sentences_or_whole, terms, words

# A citation marker "[n]" the composer placed. Bracketed numbers inside quoted article text
# ("sent to Russia [1][2].") are escaped in the answer as "\[1\]" (``escape_quoted``), so
# a backslash before the bracket means text, never a marker.
MARKER = re.compile(r"(?<!\\)\[(\d+)\]")
ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")
# A statement of an answer: text up to and including a run of markers.
_STATEMENT = re.compile(r"(?P<body>.*?)(?P<markers>(?:\s*(?<!\\)\[\d+\])+)", re.S)
# Characters of quoted text a fake marker must share with its quote, before it, to be told
# from the composer's marker that follows the quote (a single space is shared by chance).
_QUOTED_CONTEXT = 4
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# Words a composed lead-in may use besides the cited paragraphs' own words and metadata: the
# stances' lead-ins, and "Only claimed, not independently confirmed, by", "Carried by N
# independent sources", "undated".
_TEMPLATE_WORDS = ["only", "independently", "carried", "independent", "sources", "source"]
LEAD_IN_WORDS = frozenset(
    [w.lower() for s in Stance for w in f"{s.lead_in} {s.negated_lead_in}".split()]
    + _TEMPLATE_WORDS
    + ["undated", "and", "also"]
)
MIN_SUPPORT = 0.7  # share of a sentence's content words its cited source must hold
# figures in words a supporting source must also state ("one" is mostly a pronoun)
NUMBER_WORDS = frozenset(w for w, v in lexicon.number_words().items() if v is None or v >= 2)
NEGATIONS = frozenset(
    ["not", "never", "no", "none", "neither", "nor", "without", "cannot", "unable"]
)


def markers(text: str) -> list[int]:
    """The marker numbers in ``text``, in order of appearance."""
    return [int(m.group(1)) for m in MARKER.finditer(text)]


def strip_invalid(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """``text`` without markers outside ``valid``, and the numbers that were removed."""
    removed: list[int] = []

    def keep(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n in valid:
            return match.group(0)
        removed.append(n)
        return ""

    cleaned = MARKER.sub(keep, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), removed


def unmarked(text: str) -> str:
    """``text`` without any markers, spaces tidied."""
    return strip_invalid(text, set())[0]


def unescape(text: str) -> str:
    """Answer text with quoted bracketed numbers shown as the article wrote them."""
    return ESCAPED_MARKER.sub(r"[\1]", text)


def marker_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, number) of each real marker of an answer's ``text``."""
    return [(m.start(), m.end(), int(m.group(1))) for m in MARKER.finditer(text)]


def _quoted(text: str, at: re.Match[str], quotes: Sequence[str]) -> bool:
    """Whether the bracketed number ``at`` of ``text`` is part of a quote: some quote holds
    the same bracketed number with the same text around it (before it, at least
    ``_QUOTED_CONTEXT`` characters or up to the quote's start; after it, when the quote opens
    with it). A whole quote or a part of one, as the direct answer line uses, is found."""
    for q in quotes:
        for m in MARKER.finditer(q):
            if m.group(0) != at.group(0):
                continue
            need = min(m.start(), _QUOTED_CONTEXT)
            if need == 0:  # the quote opens with it: compare what follows
                if text.startswith(q[: m.end() + _QUOTED_CONTEXT], at.start()):
                    return True
            elif (
                at.start() >= need
                and text[at.start() - need : at.start()] == q[m.start() - need : m.start()]
            ):
                return True
    return False


def escape_quoted(answer: Answer) -> Answer:
    r"""``answer`` with the bracketed numbers its quotes carry from article text ("sent to
    Russia [1][2].") escaped in ``text`` and ``lead`` as ``\[1\]``, so that no reader (the
    terminal, the chat, an export, a program reading the JSON) takes them for the markers
    the composer placed. The citations' quotes stay verbatim."""
    quotes = [c.quote for c in answer.citations if MARKER.search(c.quote)]
    if not quotes:
        return answer
    spans = [m for m in MARKER.finditer(answer.text) if _quoted(answer.text, m, quotes)]
    if not spans:
        return answer

    def escaped(upto: int) -> str:
        out, pos = [], 0
        for m in spans:
            if m.end() > upto:
                break
            out += [answer.text[pos : m.start()], f"\\[{m.group(1)}\\]"]
            pos = m.end()
        return "".join(out) + answer.text[pos:upto]

    lead = answer.lead
    if lead and answer.text.startswith(lead):
        lead = escaped(len(lead))
    return replace(answer, text=escaped(len(answer.text)), lead=lead)


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence of an answer and the markers that end it."""

    text: str  # without its markers
    numbers: tuple[int, ...]


def statements(text: str) -> list[Statement]:
    """The answer split at its marker runs; trailing text without markers is a statement with
    no numbers (an uncited claim)."""
    found: list[Statement] = []
    pos = 0
    for m in _STATEMENT.finditer(text):
        body = m.group("body").strip().lstrip(".;,!? ")  # a period after the last markers
        body = unescape(body)  # a quote as its paragraph has it
        if body:
            found.append(Statement(body, tuple(markers(m.group("markers")))))
        elif found:  # markers right after markers of the previous statement
            prev = found[-1]
            found[-1] = Statement(prev.text, prev.numbers + tuple(markers(m.group("markers"))))
        pos = m.end()
    rest = unescape(text[pos:].strip())
    if rest and rest.strip(" .;,"):
        found.append(Statement(rest, ()))
    return found


def numbers_in(text: str) -> set[str]:
    """Figures of ``text``: numerals without thousands separators ("10,000" → "10000") and
    number words ("million", "twelve"), which a supporting source must also state."""
    found = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    return found | {w for w in words(text) if w in NUMBER_WORDS}


def coverage(sentence: str, source: str) -> float:
    """Share of the content words of ``sentence`` that ``source`` holds."""
    wanted = set(terms(sentence))
    if not wanted:
        return 1.0
    return len(wanted & set(terms(source))) / len(wanted)


def _normal(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).lower()


def verbatim(sentence: str, source: str) -> bool:
    """``sentence`` occurs in ``source`` up to whitespace, case and quote style."""
    return _normal(sentence).rstrip(" .") in _normal(source)


def negated(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


def supports(source: str, sentence: str, min_support: float = MIN_SUPPORT) -> bool:
    """Lexical support: the sentence is verbatim in ``source``, or ``source`` holds most of its
    content words, every figure it states, and a negation when it states one. A sentence of
    fewer than two content words ("HACKED.") claims nothing checkable and is never supported."""
    if len(set(terms(sentence))) < 2:
        return False
    if verbatim(sentence, source):
        return True
    if not numbers_in(sentence) <= numbers_in(source):
        return False
    if negated(sentence) and not negated(source):
        return False
    if not names_in(sentence) <= names_in(source, every=True):
        return False  # "The HACKED: ..." or a name the source never gives
    return coverage(sentence, source) >= min_support


_NAME_WORD = re.compile(r"\b[A-Z][\w'’-]*")


def names_in(text: str, every: bool = False) -> set[str]:
    """Capitalised words of ``text`` (lower case), leaving out each sentence's first word
    unless ``every``: a rewording may drop words, never bring a name of its own."""
    found = set()
    for m in _NAME_WORD.finditer(text):
        before = text[: m.start()].rstrip()
        opening = not before or before[-1] in ".!?:\"'“”("
        if not every and opening and not (m.group().isupper() and len(m.group()) > 1):
            continue  # a sentence opens with a capital anyway ("The", "In")
        found.add(re.sub(r"['’]s?$", "", m.group().lower()))
    return found


def best_quote(paragraph: str, sentence: str) -> tuple[int, int]:
    """Offsets of the sentence of ``paragraph`` that best supports ``sentence``."""
    spans = sentences_or_whole(paragraph)

    def key(span: tuple[int, int]) -> tuple[float, int]:
        s, e = span
        return coverage(sentence, paragraph[s:e]), -(e - s)

    return max(spans, key=key)


def split_lead_in(statement: str, cited: Sequence[Citation]) -> tuple[str, str]:
    """(composed lead-in, claim) of ``statement``: when it ends with the verbatim quote of a
    cited citation, the text before the quote is a lead-in; otherwise it is all claim."""
    for c in cited:
        at = statement.rfind(c.quote)
        if at >= 0 and not statement[at + len(c.quote) :].strip():
            return statement[:at].strip().rstrip(":").strip(), c.quote
    return "", statement


def lead_in_problems(lead: str, cited: Sequence[Citation]) -> list[str]:
    """A lead-in may only use template words, dates, counts and words of the cited
    paragraphs' text and metadata: it is composed, never invented."""
    allowed = set(LEAD_IN_WORDS)
    for c in cited:
        a = c.passage.article
        for text in (c.passage.text, a.source, a.title, a.published_at or "", c.speaker or ""):
            allowed.update(words(text))
    return [
        f"lead-in word {w!r} is in none of the cited paragraphs or their metadata"
        for w in words(lead)
        if w not in allowed and not w.isdigit()
    ]


def problems(answer: Answer) -> list[str]:
    """What is wrong with an answer's citations (empty when every marker resolves and
    every quote is verbatim in its paragraph at its offsets)."""
    found: list[str] = []
    numbers = {c.number for c in answer.citations}
    for n in markers(answer.text):
        if n not in numbers:
            found.append(f"marker [{n}] has no citation")
    for c in answer.citations:
        if c.passage.text[c.quote_start : c.quote_end] != c.quote:
            found.append(f"citation [{c.number}] quote is not at its offsets in the paragraph")
        if f"[{c.number}]" not in answer.text:
            found.append(f"citation [{c.number}] is not referenced in the answer")
    return found


def lead_supported(statement: str, cited: Sequence[Citation]) -> bool:
    """A statement of the direct answer line: only fixed template words, the cited articles'
    metadata and words of the cited quotes (or of the speaker the citation names), and no
    figure that neither the quotes nor the metadata state; every quote verbatim in place."""
    from assistant.reader.lead import fixed_words  # the lead's templates live there

    if not cited:
        return False
    allowed = set(fixed_words())
    quoted: set[str] = set()
    figures: set[str] = set()
    for c in cited:
        a = c.passage.article
        for text in (a.source, a.title, a.published_at or ""):
            allowed.update(words(text))
            figures |= numbers_in(text)  # "(SQuAD 2.0, 2024-10-28)" states no figure
        for text in (c.quote, c.speaker or ""):
            quoted.update(words(text))
            quoted.update(w[:-2] for w in words(text) if w.endswith(("'s", "’s")))
            figures |= numbers_in(text)
    in_place = all(c.passage.text[c.quote_start : c.quote_end] == c.quote for c in cited)
    own = [w for w in words(statement) if w not in allowed]
    return in_place and all(w in quoted for w in own) and numbers_in(statement) <= figures


def citation_checks(answer: Answer) -> list[tuple[Citation, str, bool]]:
    """For every (citation, statement citing it): whether the citation's quote is verbatim in
    its paragraph and supports the statement (the statement less any composed lead-in,
    whose words must come from the cited paragraphs and their metadata). Statements of the
    direct answer line (``answer.lead``) are checked by ``lead_supported``."""
    by_number = {c.number: c for c in answer.citations}
    results: list[tuple[Citation, str, bool]] = []
    body = answer.text
    if answer.lead and body.startswith(answer.lead):
        body = body[len(answer.lead) :]
        for st in statements(answer.lead):
            cited = [by_number[n] for n in st.numbers if n in by_number]
            ok = lead_supported(st.text, cited)
            results.extend((c, st.text, ok) for c in cited)
    for st in statements(body):
        cited = [by_number[n] for n in st.numbers if n in by_number]
        lead, claim = split_lead_in(st.text, cited)
        lead_ok = not lead or not lead_in_problems(lead, cited)
        for c in cited:
            in_place = c.passage.text[c.quote_start : c.quote_end] == c.quote
            ok = in_place and lead_ok and supports(c.quote, claim)
            results.append((c, st.text, ok))
    return results


def precision(answers: Iterable[Answer]) -> tuple[int, int]:
    """(supported citation uses, all citation uses) over ``answers``."""
    good = total = 0
    for answer in answers:
        for _c, _s, ok in citation_checks(answer):
            total += 1
            good += ok
    return good, total
