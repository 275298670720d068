"""News-shaped training examples of our own, made from the real sentences of the training
documents: "Who said / reported / denied ...?" questions, which analysts ask all the time and
the QA sets almost never do (about 40 of their 40,000 questions).

From a sentence whose reporting verb has a named subject and says something ("Officials at
the port said the ships had left", "The ministry denied the report"), the question asks who
did that with what was said ("Who said the ships had left?"); the sentence answers it and the
subject is the span. The same question with the opposite stance ("Who denied the ships had
left?") is paired with that sentence as a negative: a statement does not answer who denied
it, and neither does another sentence with a speaker, on something else. Only training
documents are used; validation never sees these (they are not real
questions).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from assistant.reader import lexicon
from assistant.reader.training.data import Example, Question

# what a question may say for the verb of each stance (the sentence's own verb, or these)
_ASKED = {
    "asserted": ("said", "reported", "stated"),
    "confirmed": ("confirmed", "acknowledged"),
    "alleged": ("claimed", "alleged"),
    "denied": ("denied", "rejected"),
}
_OPPOSITE = {
    "asserted": "denied",
    "confirmed": "denied",
    "alleged": "denied",
    "denied": "confirmed",
}
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_SAID = frozenset({"ccomp", "dobj", "xcomp"})
_DANGLING = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PART", "AUX", "PRON", "PUNCT"})
_TOLD = frozenset({"tell"})  # "told Wired magazine": the object is who heard it
MAX_SPEAKER_TOKENS = 8


_IRREGULAR = {"say": ("said", "says"), "tell": ("told", "tells"), "write": ("wrote", "writes")}
MAX_SAID_WORDS = 10  # what was said, cut at a comma or after this many words: questions are short


def _forms(verb: str) -> tuple[str, ...]:
    """The past and third-person forms of a reporting verb ("deny": denied, denies)."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("y"):
        return verb[:-1] + "ied", verb[:-1] + "ies"
    if verb.endswith("e"):
        return verb + "d", verb + "s"
    doubled = verb + verb[-1] + "ed" if verb.endswith(("it", "ut")) else verb + "ed"
    return doubled, verb + ("es" if verb.endswith(("s", "sh")) else "s")


def _verbs() -> re.Pattern[str]:
    forms = sorted({f for v in lexicon.stance_verbs() for f in _forms(v)})
    return re.compile(r"\b(" + "|".join(forms) + r")\b", re.I)


def _shortened(span: object) -> str:
    """What was said, as a question repeats it: up to the first comma or semicolon, at most
    ``MAX_SAID_WORDS`` words."""
    tokens: list[object] = []
    for token in span:  # type: ignore[attr-defined]
        if token.text in (",", ";", ":") and len(tokens) >= 3:
            break
        tokens.append(token)
        if len(tokens) >= MAX_SAID_WORDS:
            break
    while tokens and (tokens[-1].pos_ in _DANGLING or not tokens[-1].text.isalnum()):  # type: ignore[attr-defined]
        tokens.pop()  # "had been a" ends on nothing
    return "".join(t.text_with_ws for t in tokens).strip(" ,.;:\"'“”‘’")  # type: ignore[attr-defined]


def attribution_examples(questions: Iterable[Question], limit: int, seed: int) -> list[Example]:
    """Up to ``limit`` questions of this kind, each a positive, its opposite-stance negative
    and another speaker's sentence as a negative, from the sentences of ``questions``'
    documents."""
    from ingest.text import parse_all

    rng = random.Random(seed)
    verbs = _verbs()
    seen: set[str] = set()
    pool: list[tuple[str, str, str]] = []  # (source, sentence, context)
    for q in questions:
        for s in q.sentences:
            if s.text not in seen and 40 <= len(s.text) <= 300 and verbs.search(s.text):
                seen.add(s.text)
                pool.append((q.source, s.text, s.context))
    rng.shuffle(pool)
    pool = pool[: limit * 4]  # parsing is the cost: about four sentences give one question
    stances = lexicon.stance_verbs()
    out: list[Example] = []
    said_by: list[tuple[str, str, str]] = []  # (source, sentence, context) of each positive
    # the parser and lemmas, no entities: half the time of the whole pipeline
    docs = parse_all(
        [t for _s, t, _c in pool],
        only=("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser"),
    )
    for (source, text, context), doc in zip(pool, docs, strict=True):
        if len(out) >= 2 * limit:
            break
        for verb in doc:
            stance = stances.get(verb.lemma_.lower())
            if stance is None or verb.pos_ != "VERB" or verb.tag_ not in ("VBD", "VBZ", "VBP"):
                continue
            subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
            kinds = {"ccomp"} if verb.lemma_.lower() in _TOLD else _SAID
            said = next((c for c in verb.children if c.dep_ in kinds), None)
            if subject is None or said is None or subject.pos_ == "PRON":
                continue
            if any(c.dep_ == "neg" for c in verb.children):
                continue  # "did not deny": whose stance is it?
            who = doc[subject.left_edge.i : subject.right_edge.i + 1]
            what = doc[said.left_edge.i : said.right_edge.i + 1]
            if len(who) > MAX_SPEAKER_TOKENS or len(what) < 3 or who.end > what.start > verb.i + 6:
                continue
            content = _shortened(what)
            if len(content.split()) < 3 or content[:1] in "\"“‘'":
                continue
            asked = rng.choice((verb.text.lower(), *_ASKED[stance]))
            qid = f"attr-{len(out)}"
            span = (who.start_char, who.end_char)
            out.append(
                Example(
                    qid, source, "attribution", f"Who {asked} {content}?", text, context, 1, span
                )
            )
            other = rng.choice(_ASKED[_OPPOSITE[stance]])
            out.append(
                Example(qid, source, "stance_swapped", f"Who {other} {content}?", text, context, 0)
            )
            said_by.append((source, text, context))
            break
    # Another sentence with a speaker does not answer who said *this*: the topic must match.
    positives = [e for e in out if e.label == 1]
    for i, e in enumerate(positives):
        j = rng.randrange(len(positives) - 1) if len(positives) > 1 else None
        if j is None:
            break
        j += j >= i
        _source, text, context = said_by[j]
        out.append(Example(e.qid, e.source, "speaker_other", e.question, text, context, 0))
    return out
