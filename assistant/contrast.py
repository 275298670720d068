"""Questions that the best sentence contradicts rather than answers.

"Can the Presiding Officer *increase* speaking time if ...?" over a sentence saying he can
*reduce* it, "the meeting on 12 *March*" over one held on 12 *May*, "Stage *2*" over
"Stage *1*": the sentence resembles the question in every other word, so similarity passes
it, yet it answers a different question. A contrast is a pair of words of one kind (opposites,
months, nations, figures) in the same place: each with the same content word beside it
(the nearest word that is not a stop word, before or after), the question's word absent from
the sentence and the sentence's word absent from the question. Two years contrast wherever
they stand ("in 1973?" over a sentence on February 1974). A question that negates what the
sentence states plainly contrasts too ("What did the court *not* acknowledge?").
"""

from __future__ import annotations

import re

from assistant.citations import NEGATIONS
from assistant.reader import lexicon
from ingest.text import terms

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’][A-Za-z0-9]+)*")  # as ingest.text.words

# Opposites of everyday English, both ways round. Only whole words: a pair matches when one
# is in the question and the other in the sentence, next to the same word.
_OPPOSITES = """
most least | largest smallest | biggest smallest | maximum minimum | highest lowest |
increase decrease | increase reduce | increased reduced | increased decreased | increases reduces |
raise lower | raised lowered | rise fall | rose fell | risen fallen | gain loss | gained lost |
win lose | won lost | victory defeat | profit loss | success failure | accept reject |
accepted rejected | support oppose | supported opposed | supports opposes | allow prohibit |
allowed prohibited | allows prohibits | allow forbid | allowed forbade | include exclude |
included excluded | add subtract | added subtracted | open closed | open shut | public private |
agree disagree | agreed disagreed | similar different | same different | first last |
before after | earlier later | early late | begin end | began ended | start end | started ended |
import export | imports exports | imported exported | buy sell | bought sold | lend borrow |
lent borrowed | arrive depart | arrived departed | north south | east west | northern southern |
eastern western | upper lower | higher lower | internal external | domestic foreign |
inside outside | above below | majority minority | strong weak | stronger weaker |
strengthen weaken | strengthened weakened | large small | larger smaller | long short |
longer shorter | old new | older newer | older younger | oldest youngest | oldest newest |
fast slow | faster slower | rich poor | male female | men women | positive negative |
ancient modern | entry exit | ally enemy | allies enemies | legal illegal | formal informal |
give take | gave took | given taken | send receive | sent received |
official unofficial | direct indirect | possible impossible | necessary unnecessary
"""
_PREFIXES = ("non", "un")  # "in-", "im-", "dis-" also open "inform", "import", "discover"
_MONTHS = frozenset(w for w in lexicon.months() if len(w) > 3 or w == "may")
_DAYS = lexicon.weekdays()
# Nations by the words that name them, their capitals and seats of power among them: two
# words of different nations in the same place contrast ("France" / "the UK"), two of one
# nation do not ("US" / "American"), and "Moscow" speaks for Russia (lexicon/nations.txt).
NATIONS, _SEATS = lexicon.nations()
_FIGURE = re.compile(r"\d[\d.]*")
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
# counts in words read as figures ("three layers" is "3 layers"); "one" is also a pronoun
_COUNTS = {w: str(v) for w, v in lexicon.number_words().items() if v is not None and v >= 2}
# "Elizabeth II", "Phase IV"
_NUMERALS = frozenset(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"])


def _key(word: str) -> str:
    """The stem a word is compared by ("increased" and "increases" are "increas")."""
    stem = terms(word)
    return stem[0] if stem else word


def _opposites() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for pair in _OPPOSITES.split("|"):
        a, b = map(_key, pair.split())
        pairs.setdefault(a, set()).add(b)
        pairs.setdefault(b, set()).add(a)
    return {w: frozenset(o) for w, o in pairs.items()}


OPPOSITES = _opposites()


def nations_in(text: str, seats: bool = True) -> set[int]:
    """The nations ``text`` names, by any of their words ("the Kremlin" is Russia's; without
    ``seats``, a seat of power names only itself)."""
    return {NATIONS[w] for w in _words(text)[0] if w in NATIONS and (seats or w not in _SEATS)}


def _kind(ws: list[str], i: int) -> str | None:
    word = ws[i]
    if word in _MONTHS and (word != "may" or _dated(ws, i)):
        return "month"  # "may" only beside a figure ("12 May 1999"): it is mostly the verb
    if word in _DAYS:
        return "day"
    if word in NATIONS:
        return "nation"
    if _FIGURE.fullmatch(word):
        return "figure"
    if word in _NUMERALS:
        return "numeral"
    return None


def _dated(ws: list[str], i: int) -> bool:
    return any(0 <= j < len(ws) and ws[j].isdigit() for j in (i - 1, i + 1))


def _opposed(a: str, b: str) -> bool:
    """Opposites by the lexicon, in any inflection ("agrees" / "disagreed"), or by a
    negating prefix ("reserved" / "unreserved")."""
    a, b = _key(a), _key(b)
    if b in OPPOSITES.get(a, ()):
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and any(long_ == p + short for p in _PREFIXES)


def _beside(ws: list[str], i: int) -> set[tuple[str, str]]:
    """The nearest content word before and after position ``i``, stemmed."""
    out: set[tuple[str, str]] = set()
    for side, step in (("before", -1), ("after", 1)):
        j = i + step
        while 0 <= j < len(ws):
            stem = terms(ws[j])
            if stem:
                out.add((side, stem[0]))
                break
            j += step
    return out


# nations named in two words, read as one
_JOINED_NAMES = {
    "united states": "USA",
    "united kingdom": "UK",
    "soviet union": "USSR",
    "white house": "Washington",
    "downing street": "London",
}
_JOINED_NAME = re.compile(
    r"\b(?:" + "|".join(n.replace(" ", r"\s+") for n in _JOINED_NAMES) + r")\b", re.I
)


def _words(text: str) -> tuple[list[str], set[int]]:
    """Lower-cased words, and the positions of those capitalised inside the text (part of a
    name: "North" in "North Korea" is no compass point)."""
    joined = _JOINED_NAME.sub(lambda m: _JOINED_NAMES[" ".join(m.group(0).lower().split())], text)
    found = _WORD.findall(joined)
    # "US" is the country, "us" the pronoun: the only word whose case decides its kind
    ws = ["usa" if w == "US" else w.replace(",", "").lower() for w in found]
    ws = [_COUNTS.get(w, w) for w in ws]
    return ws, {i for i, w in enumerate(found) if i > 0 and w[0].isupper()}


def _negator(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def _unnegated(qw: list[str], sw: list[str]) -> str | None:
    """The word a question negates ("did *not* acknowledge") that the sentence states
    without a negation in the few words before it ("quickly acknowledged")."""
    for i, w in enumerate(qw):
        if not _negator(w):
            continue
        stem = next((terms(x)[0] for x in qw[i + 1 : i + 4] if terms(x)), None)
        if stem is None:
            continue
        found = [j for j, x in enumerate(sw) if terms(x)[:1] == [stem]]
        if found and not any(_negator(x) for j in found for x in sw[max(0, j - 4) : j]):
            return stem
    return None


def contrast(question: str, sentence: str) -> tuple[str, str] | None:
    """The (question word, sentence word) pair that sets ``sentence`` against ``question``,
    or None when nothing does. A question that negates what the sentence states without
    a negation ("What did the court not acknowledge?" / "The court acknowledged ...")
    gives ("not", the word)."""
    (qw, q_names), (sw, s_names) = _words(question), _words(sentence)
    stated = _unnegated(qw, sw)
    if stated is not None:
        return "not", stated
    asked, said = set(qw) | {_key(w) for w in qw}, set(sw) | {_key(w) for w in sw}
    for i, w in enumerate(qw):
        if w in said or _key(w) in said:
            continue
        kind = _kind(qw, i)
        for j, a in enumerate(sw):
            if a in asked or _key(a) in asked:
                continue
            named = i in q_names or j in s_names
            opposed = not named and _opposed(w, a)
            if not (opposed or (kind is not None and _kind(sw, j) == kind)):
                continue
            if kind == "nation" and any(NATIONS.get(x) == NATIONS[w] for x in said):
                continue  # the asked nation is named in the sentence too
            years = _YEAR.fullmatch(w) and _YEAR.fullmatch(a)
            if years or _beside(qw, i) & _beside(sw, j):
                return w, a  # a year stands for its sentence wherever it is
    return None
