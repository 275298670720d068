"""Re-check an exported JSON document against the current index: everything a reader of the
export sees that comes from the index must still agree with it.

Each citation: its paragraph still indexed, the quote verbatim at its offsets and a whole
sentence of the paragraph (not emptied or shortened), the article's id, content hash, title,
publisher, date, URL and author unchanged, the paragraph's number and place in the article,
the stance and speaker those the paragraph gives. Each related paragraph (shown under a
refusal) the same way. The answer: citation numbers positive, unique and all referenced, no
marker without a citation, each sentence verbatim in the paragraphs it cites (a paraphrase is
reported as one), its composed words only template words, the stance words those of the cited
claims, and a "Yes:"/"No:" the one the cited sentence gives; then its question, scope, direct
answer line, refusal and backend, and the assistant's saved record of it
(``verify_answer``, whose docs say how ``trace`` is treated). A briefing: rebuilt from the
paragraphs its claims quote and compared field by field (``verify_briefing``).

An export that disagrees with an index whose article is unchanged was edited: ALTERED. An
article whose content changed since the export: CHANGED; one no longer indexed: VANISHED;
the article unchanged but its paragraph gone from the index: MISSING (the index is damaged).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol, cast

from assistant import citations as cit
from assistant.errors import ExportError
from assistant.export import verify_answer
from assistant.export.schema import (
    AnswerOut,
    BriefingOut,
    CitationOut,
    ConversationOut,
    RelatedOut,
    SchemaError,
    document_citations,
    parse_document,
)
from assistant.models import REFUSAL, Citation, Stance
from ingest.text import sentences_or_whole, words
from vectorstore.manifest import ManifestEntry
from vectorstore.models import Passage

OK = "ok"
CHANGED = "changed"  # the article's content differs from the exported one
VANISHED = "vanished"  # the article is no longer indexed
MISSING = "missing"  # same article content, but the paragraph is not in the index
ALTERED = "altered"  # the export says what the unchanged article does not: it was edited
# A sentence the cited quote supports but does not state verbatim (an LLM backend's wording,
# or an edit): what it says cannot be checked against the index, so it is not OK either.
PARAPHRASE_STATUS = "paraphrase"
PARAPHRASE = "paraphrase: "  # prefix of such a problem's detail


class _Store(Protocol):
    def get(self, paragraph_ids: Sequence[str]) -> list[Passage]: ...


class _Manifest(Protocol):
    def get(self, article_id: str) -> ManifestEntry | None: ...
    def entries(self) -> list[ManifestEntry]: ...
    def counts(self) -> tuple[int, int]: ...


@dataclass(frozen=True, slots=True)
class QuoteCheck:
    turn: int  # from 1; always 1 for an answer document
    citation: CitationOut
    status: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def label(self) -> str:
        c = self.citation
        return f"[{c.n}] {c.title} — {c.source}, paragraph {c.paragraph_index + 1}"


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    """A problem of an answer's text or numbering: ALTERED, or PARAPHRASE_STATUS."""

    turn: int
    detail: str
    status: str = ALTERED
    ok: bool = False
    part: str = "answer"  # what it is about: "answer", "related", "briefing"

    @classmethod
    def of(cls, turn: int, problem: str) -> AnswerCheck:
        if problem.startswith(PARAPHRASE):
            return cls(turn, problem.removeprefix(PARAPHRASE), PARAPHRASE_STATUS)
        return cls(turn, problem)

    @property
    def label(self) -> str:
        return self.part


@dataclass(frozen=True, slots=True)
class Report:
    quotes: list[QuoteCheck]
    answers: list[AnswerCheck]

    @property
    def ok(self) -> bool:
        return not self.answers and all(q.ok for q in self.quotes)


def read_document(path: Path) -> AnswerOut | ConversationOut | BriefingOut:
    """The export document in ``path``; ExportError (exit 2) when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return parse_document(data)
    except SchemaError as exc:
        raise ExportError(f"{path}: not a briefing JSON export: {exc}") from exc


def read_document_file(path: Path) -> list[tuple[int, CitationOut]]:
    return document_citations(read_document(path))


# -- one citation -----------------------------------------------------------------------
_SHOWN_FIELDS = ("title", "source", "url", "published_at", "author")


def _metadata_problems(c: CitationOut, p: Passage) -> list[str]:
    a = p.article
    found = [
        f"{name} {getattr(c, name)!r} is not the indexed {getattr(a, name)!r}"
        for name in _SHOWN_FIELDS
        if (getattr(c, name) or None) != (getattr(a, name) or None)
    ]
    if c.paragraph_text != p.text:
        found.append("the paragraph text differs from the indexed paragraph")
    if c.paragraph_index != p.paragraph.index:
        found.append(f"paragraph number {c.paragraph_index + 1} is not the indexed one")
    if c.article_id != a.id:
        found.append(f"article id {c.article_id!r} is not the paragraph's {a.id!r}")
    if (c.char_start, c.char_end) != (p.paragraph.char_start, p.paragraph.char_end):
        found.append("the paragraph's place in its article is not the indexed one")
    return found


def _quote_problems(c: CitationOut, p: Passage) -> list[str]:
    if not c.quote.strip():
        return ["the quote is empty"]
    if c.quote not in p.text:
        return [f"the quote is not verbatim in paragraph {c.paragraph_index + 1}"]
    if p.text[c.quote_start : c.quote_end] != c.quote:
        return ["the quote is not at its offsets in the paragraph"]
    if not _whole_sentences(p.text, c.quote_start, c.quote_end):
        return ["the quote is not a whole sentence of the paragraph (shortened or lengthened)"]
    return []


# a quote may read a sentence with the ones it leans on ("It ...": up to three in all), and
# with the sentence beside it that gives the reason or the full name
JOINED_SENTENCES = 4


def _whole_sentences(text: str, start: int, end: int) -> bool:
    """Whether ``start:end`` is one whole sentence of ``text``, or a few in a row: the
    answer quotes "It appoints ..." with the sentence that says what "it" is."""
    spans = sentences_or_whole(text)
    first = next((i for i, (s, _e) in enumerate(spans) if s == start), None)
    last = next((i for i, (_s, e) in enumerate(spans) if e == end), None)
    return first is not None and last is not None and 0 <= last - first < JOINED_SENTENCES


def _attribution_problems(c: CitationOut, p: Passage, earlier: Sequence[str] = ()) -> list[str]:
    from assistant import attribution
    from assistant.reader.lead import speaker_key

    claim = attribution.attribute(p.text, c.quote_start, c.quote_end)
    found = []
    if c.stance != claim.stance:
        found.append(f"stance {c.stance.value!r} is not the paragraph's {claim.stance.value!r}")
    # the paragraph's speaker, or (as a direct answer line may name them) another name of
    # the same person that the paragraph itself writes, or for a paragraph opening "He said"
    # a speaker the article's paragraphs just before name
    if (
        c.speaker != claim.speaker
        and not (
            c.speaker
            and claim.speaker
            and c.speaker in p.text
            and speaker_key(c.speaker) == speaker_key(claim.speaker)
        )
        and not (
            c.speaker
            and claim.speaker
            and attribution.unresolved(claim.speaker)
            and any(c.speaker in text for text in earlier)
        )
    ):
        found.append(f"speaker {c.speaker!r} is not who the paragraph names")
    if c.sources_count < 1:
        found.append(f"{c.sources_count} independent sources")
    return found


def check_quote(
    c: CitationOut,
    passage: Passage | None,
    entry: ManifestEntry | None,
    earlier: Sequence[str] = (),
) -> tuple[str, str]:
    """(status, detail) of one exported citation given what the index holds now;
    ``earlier``: the texts of the article's paragraphs just before the cited one."""
    if (entry is None or entry.state != "done") and passage is None:
        return VANISHED, "the article is no longer indexed"
    current_hash = entry.content_hash if entry else passage.article.content_hash if passage else ""
    changed = current_hash != c.content_hash
    if passage is None:
        detail = f"paragraph {c.paragraph_index + 1} is no longer in the article"
        return (CHANGED, "article changed: " + detail) if changed else (MISSING, detail)
    if changed:
        if c.quote and c.quote in passage.text:
            return CHANGED, (
                f"article changed since the export (content hash {c.content_hash[:12]}… is "
                f"now {current_hash[:12]}…); the quote is still verbatim in paragraph "
                f"{c.paragraph_index + 1}"
            )
        return CHANGED, (
            f"article changed: the quote is no longer verbatim in paragraph {c.paragraph_index + 1}"
        )
    problems = _quote_problems(c, passage) + _metadata_problems(c, passage)
    if not problems:
        problems = _attribution_problems(c, passage, earlier)
    if problems:
        return ALTERED, "; ".join(problems) + " (the article is unchanged: the export was edited)"
    return OK, "quote verbatim, article unchanged"


def _same_title_hint(c: CitationOut, manifest: _Manifest) -> str:
    """Articles without a URL are identified by their text: an edited one gets a new id."""
    for e in manifest.entries():
        if e.title == c.title and e.source == c.source and e.id != c.article_id:
            return f"; an article with the same title and publisher is indexed as {e.id}"
    return ""


def verify(
    citations: Sequence[tuple[int, CitationOut]], store: _Store, manifest: _Manifest
) -> list[QuoteCheck]:
    return _quote_checks(citations, _stored(citations, store), manifest)


def _stored(
    citations: Sequence[tuple[int, CitationOut]], store: _Store, extra: Iterable[str] = ()
) -> dict[str, Passage]:
    """The cited paragraphs as indexed now, the few before each (where "He" is named), and
    the ``extra`` ones (related, traced)."""
    ids = {c.paragraph_id for _, c in citations} | set(extra)
    ids |= {i for _, c in citations for i in _before(c)}
    return {p.id: p for p in store.get(sorted(ids))}


EARLIER_PARAGRAPHS = 3  # as many as the answer looks back for a paragraph's "He said"


def _before(c: CitationOut) -> list[str]:
    first = max(0, c.paragraph_index - EARLIER_PARAGRAPHS)
    return [f"{c.article_id}:{i}" for i in range(first, c.paragraph_index)]


def _quote_checks(
    citations: Sequence[tuple[int, CitationOut]],
    stored: dict[str, Passage],
    manifest: _Manifest,
) -> list[QuoteCheck]:
    checks = []
    for turn, c in citations:
        earlier = [stored[i].text for i in _before(c) if i in stored]
        status, detail = check_quote(
            c, stored.get(c.paragraph_id), manifest.get(c.article_id), earlier
        )
        if status == VANISHED:
            detail += _same_title_hint(c, manifest)
        checks.append(QuoteCheck(turn, c, status, detail))
    return checks


# -- the answer ------------------------------------------------------------------------
def _stance_words() -> frozenset[str]:
    from assistant.models import Stance
    from assistant.reader.lead import NOT_CONFIRMED, STANCE_LABELS

    texts = [*STANCE_LABELS.values(), *(f"{s.lead_in} {s.negated_lead_in}" for s in Stance)]
    texts.append("Only claimed, not independently confirmed, by")
    everything = {w for t in texts for w in words(t)}
    return frozenset(everything - {"by", "only", "independently"} - set(words(NOT_CONFIRMED)))


def _allowed_stance_words(cited: Sequence[Citation]) -> set[str]:
    """The stance words a statement citing ``cited`` may use: their stances' labels (as the
    lead and the lead-ins word them) and the words of the quotes themselves."""
    from assistant import attribution
    from assistant.reader.lead import STANCE_LABELS, stance_of

    allowed: set[str] = set()
    for c in cited:
        claim = attribution.attribute(c.passage.text, c.quote_start, c.quote_end)
        labels = [c.stance.lead_in, c.stance.negated_lead_in, attribution.label(claim)]
        lead_stance = stance_of(claim.stance.value, claim.negated, c.quote)
        if lead_stance:
            labels.append(STANCE_LABELS[lead_stance])
        if c.stance.value == "alleged":
            labels.append("Only claimed, not independently confirmed, by")
        allowed |= {w for t in labels for w in words(t)}
        allowed |= set(words(c.quote)) | set(words(c.speaker or ""))
    return allowed


def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _template_phrases() -> list[list[str]]:
    """The fixed phrases a direct answer line is composed with ("Confirmed by", "and by",
    "Yes:", "then", ...), as word lists, longest first."""
    from assistant.reader.lead import NO, NOT_CONFIRMED, STANCE_LABELS, YES

    texts = {YES, NO, NOT_CONFIRMED, "and by", "then", *STANCE_LABELS.values()}
    texts |= {t for s in Stance for t in (s.lead_in, s.negated_lead_in)}
    texts.add("Only claimed, not independently confirmed, by")
    return sorted((words(t) for t in texts), key=len, reverse=True)


def _foreign_run(statement: str, cited: Sequence[Citation]) -> str:
    """The first run of the direct answer's words between its template phrases that is not
    a run of words of a cited quote, speaker or article's metadata, in their order ("3 March"
    is; "3 open" is not, though both words are in the quote; a lone "denied" put into a
    quoted clause is not either: template words count only as whole template phrases)."""
    phrases = _template_phrases()
    sources = []
    for c in cited:
        a = c.passage.article
        for text in (c.quote, c.speaker or "", a.title, a.source, a.published_at or ""):
            sources.append(" " + " ".join(_bare(w) for w in words(text)) + " ")
    # punctuation ends a run too: "Singh (Capital Dispatch, 2024-11-01)" is three (but not a
    # template phrase: "Said conditionally (if true) by")
    pieces = re.split(r"[();:]|,\s", statement)
    tokens = [(w, n) for n, piece in enumerate(pieces) for w in words(piece)]
    flat = [w for w, _n in tokens]
    fixed = [False] * len(flat)
    for i in range(len(flat)):
        for p in phrases:
            if flat[i : i + len(p)] == p and not any(fixed[i : i + len(p)]):
                fixed[i : i + len(p)] = [True] * len(p)
    run: list[str] = []
    piece = 0
    for (w, n), is_fixed in [*zip(tokens, fixed, strict=True), (("", -1), True)]:
        if not is_fixed and n == piece:
            run.append(_bare(w))
            continue
        joined = " " + " ".join(run) + " "
        if run and not any(joined in src for src in sources):
            return joined.strip()
        run = [] if is_fixed else [_bare(w)]
        piece = n
    return ""


def _polarity_problem(question: str, history: Sequence[Any], lead: str, first: Citation) -> str:
    """A "Yes:" or "No:" that the cited sentence does not give (the other one would)."""
    from assistant import attribution
    from assistant.followup import rewrite as rewrite_followup
    from assistant.question import AnswerType, analyse
    from assistant.reader import lead as leads

    said = lead.split(maxsplit=1)[0] if lead.strip() else ""
    if said not in (leads.YES, leads.NO):
        return ""
    q = analyse(rewrite_followup(question, history))
    if q.answer_type is not AnswerType.POLARITY:
        return ""
    claim = attribution.attribute(first.passage.text, first.quote_start, first.quote_end)
    cand = SimpleNamespace(lexical=1.0, score=1.0, sentence=SimpleNamespace(text=first.quote))
    expected = leads.polarity(q, cast(leads.Candidate, cand), claim.stance.value, claim.negated)
    if expected and expected != said:
        return f"the answer says {said!r} where its cited sentence says {expected!r}"
    return ""


def answer_problems(
    a: AnswerOut,
    stored: dict[str, Passage],
    history: Sequence[Any] = (),
    ctx: verify_answer.Context | None = None,
) -> list[str]:
    """What is wrong with the answer text and its numbering, read against the indexed
    paragraphs (``stored``, by paragraph id) rather than the export's own copies; with
    ``ctx``, also its question, scope, lead, refusal and backend (``verify_answer``)."""
    found: list[str] = []
    numbers = [c.n for c in a.citations]
    for n, k in Counter(numbers).items():
        if n < 1:
            found.append(f"citation number {n} is not a positive number")
        if k > 1:
            found.append(f"citation number {n} is used by {k} citations")
    real = cit.marker_spans(a.answer)
    marked = {n for _s, _e, n in real}
    found += [f"marker [{n}] has no citation" for n in sorted(marked - set(numbers))]
    found += [
        f"citation [{n}] is not referenced in the answer" for n in sorted(set(numbers) - marked)
    ]
    if a.markers and [(m.start, m.end, m.n) for m in a.markers] != real:
        found.append("the listed marker positions are not the markers of the answer text")
    if a.lead and not a.answer.startswith(a.lead):
        found.append("the direct answer line is not the start of the answer")
    if a.refused:
        if a.citations or a.lead:
            found.append("a refused answer carries citations or a direct answer of its own")
        if ctx is not None:  # (its text is the refusal its trace gives: verify_answer)
            found += verify_answer.problems(a, history, ctx, {})
        elif not a.answer.startswith(REFUSAL):
            found.append("a refused answer carries text of its own")
        return found
    if found or any(c.paragraph_id not in stored for c in a.citations):
        return found  # the citations' own checks say what is wrong
    if ctx is not None and not a.citations:
        return verify_answer.problems(a, history, ctx, {})
    by_number = {
        c.n: Citation(
            c.n,
            stored[c.paragraph_id],
            c.quote,
            c.quote_start,
            c.quote_end,
            c.speaker,
            c.stance,
            c.sources_count,
        )
        for c in a.citations
    }
    stance_words = _stance_words()
    body = a.answer
    if a.lead:
        body = a.answer[len(a.lead) :]
        for i, st in enumerate(cit.statements(a.lead)):
            cited = [by_number[n] for n in st.numbers if n in by_number]
            if not cited:
                found.append(f"answer text without a citation: {st.text!r}")
            elif run := _foreign_run(st.text, cited):
                found.append(f"the direct answer says {run!r}, which its citations do not")
            elif not cit.lead_supported(st.text, cited):
                found.append(f"the direct answer {st.text!r} is not worded from its citations")
            elif bad := set(words(st.text)) & stance_words - _allowed_stance_words(cited):
                found.append(f"the direct answer {st.text!r} says {sorted(bad)} of its citations")
            elif i == 0 and (problem := _polarity_problem(a.question, history, st.text, cited[0])):
                found.append(problem)
    most_sources: Counter[int] = Counter({n: 1 for n in by_number})
    for st in cit.statements(body):
        cited = [by_number[n] for n in st.numbers if n in by_number]
        if not cited:
            found.append(f"answer text without a citation: {st.text!r}")
            continue
        for c in cited:
            most_sources[c.number] = max(most_sources[c.number], len(cited))
        lead_in, claim = cit.split_lead_in(st.text, cited)
        counts = cit.numbers_in(lead_in) - _metadata_figures(cited)
        if counts and counts != {str(c.sources_count) for c in cited}:
            found.append(f"{lead_in!r} counts sources its citations do not")
        # the whole quote: a part of it verbatim may drop what changes its meaning. The quote is
        # its first citation's; the others are copies that carry it (a near copy missing a
        # word must not vouch for a quote with that word cut)
        if not (cit.verbatim(claim, cited[0].quote) and cit.verbatim(cited[0].quote, claim)):
            if any(cit.supports(c.quote, claim) for c in cited):
                found.append(f"{PARAPHRASE}the sentence {claim!r} is not verbatim in its citations")
            else:
                found.append(f"the sentence {claim!r} is not what its citations say")
        elif lead_in and " ".join(lead_in.split()) not in _lead_ins(cited):
            found.append(f"{lead_in!r} before a quote is not what its citations say")
    for out in a.citations:
        if out.sources_count > most_sources[out.n]:
            found.append(
                f"citation [{out.n}] claims {out.sources_count} independent sources; the "
                f"answer cites it with at most {most_sources[out.n]}"
            )
    if ctx is not None and not found:
        found += verify_answer.problems(a, history, ctx, by_number)
    return found


def _lead_ins(cited: Sequence[Citation]) -> set[str]:
    """The lead-ins the composer writes before a quote citing ``cited`` (its first is the
    quote's own): "Carried by N independent sources", or who said it, how firmly, where,
    when ("Confirmed by X (Outlet, 2024-11-01; 2 independent sources)")."""
    from assistant import attribution

    head = cited[0]
    count = head.sources_count
    a = head.passage.article
    found = {f"Carried by {count} independent sources"} if count > 1 else set()
    if head.speaker:
        claim = attribution.attribute(head.passage.text, head.quote_start, head.quote_end)
        labels = {attribution.label(claim)}
        if head.stance.value == "alleged":
            labels.add("Only claimed, not independently confirmed, by")
        sources = f"; {count} independent sources" if count > 1 else ""
        when = f"({a.source}, {a.published_at or 'undated'}{sources})"
        found |= {" ".join(f"{label} {head.speaker} {when}".split()) for label in labels}
    return found


def _metadata_figures(cited: Sequence[Citation]) -> set[str]:
    found: set[str] = set()
    for c in cited:
        a = c.passage.article
        for text in (a.title, a.source, a.published_at or ""):
            found |= cit.numbers_in(text) | set(words(text))
    return found


def _answers(doc: AnswerOut | ConversationOut | BriefingOut) -> list[AnswerOut]:
    if isinstance(doc, BriefingOut):
        return []
    return [doc] if isinstance(doc, AnswerOut) else [t.answer for t in doc.turns]


def related_problems(
    r: RelatedOut, passage: Passage | None, entry: ManifestEntry | None
) -> tuple[str, str]:
    """(status, detail) of a related paragraph shown under a refused answer: still indexed,
    its text, place and article's metadata those of the index."""
    where = f"related paragraph {r.paragraph_index + 1} of {r.title!r} ({r.source})"
    if passage is not None and passage.article.id != r.article_id:
        return ALTERED, f"{where}: article id {r.article_id!r} is not the paragraph's"
    if (entry is None or entry.state != "done") and passage is None:
        return VANISHED, f"{where}: the article is no longer indexed"
    now = entry.content_hash if entry else passage.article.content_hash if passage else ""
    if r.content_hash and now != r.content_hash:
        return CHANGED, f"{where}: the article changed since the export"
    if passage is None:
        return MISSING, f"{where}: the paragraph is no longer in the index"
    a = passage.article
    found = [
        f"{name} {getattr(r, name)!r} is not the indexed {getattr(a, name)!r}"
        for name in _SHOWN_FIELDS
        if (getattr(r, name) or None) != (getattr(a, name) or None)
    ]
    if r.paragraph_text != passage.text:
        found.append("the paragraph text differs from the indexed paragraph")
    if r.paragraph_index != passage.paragraph.index:
        found.append(f"paragraph number {r.paragraph_index + 1} is not the indexed one")
    if (r.char_start, r.char_end) != (passage.paragraph.char_start, passage.paragraph.char_end):
        found.append("the paragraph's place in its article is not the indexed one")
    if not r.content_hash or r.content_hash != a.content_hash:
        found.append("the article's content hash is not the indexed one")
    if found:
        return ALTERED, f"{where}: " + "; ".join(found) + " (the export was edited)"
    return OK, ""


def _verified(
    answers: Sequence[AnswerOut], stored: dict[str, Passage], manifest: _Manifest
) -> dict[str, Passage]:
    """The indexed paragraphs of articles the export shows unchanged (a cited or related
    paragraph with the content hash the index holds now), by id: what the trace's
    sentences are read in."""
    hashes: dict[str, set[str]] = {}
    for a in answers:
        shown: list[CitationOut | RelatedOut] = [*a.citations, *a.related]
        for x in shown:
            if x.content_hash:
                hashes.setdefault(x.article_id, set()).add(x.content_hash)
    unchanged = set()
    for article_id, seen in hashes.items():
        entry = manifest.get(article_id)
        if entry is not None and entry.state == "done" and seen == {entry.content_hash}:
            unchanged.add(article_id)
    return {i: p for i, p in stored.items() if p.article.id in unchanged}


def _context(
    answers: Sequence[AnswerOut],
    stored: dict[str, Passage],
    manifest: _Manifest,
    conversations: Any | None,
) -> verify_answer.Context:
    outlets: list[str] = []
    latest = None
    publishers = getattr(manifest, "publishers", None)
    if publishers is not None:
        outlets, newest = publishers()
        if newest:
            try:
                latest = dt.date.fromisoformat(newest[:10])
            except ValueError:
                latest = None
    saved = conversations.saved_answers() if conversations is not None else []
    return verify_answer.Context(outlets, latest, _verified(answers, stored, manifest), saved)


def check_document(
    doc: AnswerOut | ConversationOut | BriefingOut,
    store: _Store,
    manifest: _Manifest,
    conversations: Any | None = None,
) -> Report:
    """Every citation and every answer of ``doc`` against the index: a briefing rebuilt
    from its quoted paragraphs (``verify_briefing``); an answer's text, question, scope,
    lead, refusal and related paragraphs (``verify_answer``). ``conversations``: the data
    dir's saved conversations (``ConversationStore``), the assistant's record of what it
    answered; without them an answer is read against the index alone."""
    from assistant.export.verify_briefing import briefing_problems

    citations = document_citations(doc)
    answers = _answers(doc)
    extra = {r.paragraph_id for a in answers for r in a.related}
    extra |= {c[0] for a in answers if a.trace for c in a.trace.candidates}
    stored = _stored(citations, store, extra)
    quotes = _quote_checks(citations, stored, manifest)
    problems: list[AnswerCheck] = []
    if isinstance(doc, BriefingOut):
        found = briefing_problems(
            doc, stored, store, manifest, lambda: all(q.status in (OK, ALTERED) for q in quotes)
        )
        problems += [AnswerCheck(0, detail, status, part="briefing") for status, detail in found]
        return Report(quotes, problems)
    ctx = _context(answers, stored, manifest, conversations)
    history: list[Any] = []
    for turn, a in enumerate(answers, start=1):
        problems += [AnswerCheck.of(turn, p) for p in answer_problems(a, stored, history, ctx)]
        for r in a.related:
            status, detail = related_problems(
                r, stored.get(r.paragraph_id), manifest.get(r.article_id)
            )
            if status != OK:
                problems.append(AnswerCheck(turn, detail, status, part="related"))
        history.append(SimpleNamespace(question=a.question, answer=a.answer))
    return Report(quotes, problems)
