"""Offline extractive answers: choose the sentences of the retrieved paragraphs that answer
the question and cite each one. Nothing is generated, so every quote is verbatim; the only
composed words are lead-ins built from citation metadata (speaker, outlet, date, stance,
count of independent sources)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant import attribution
from assistant.attribution import Claim
from assistant.backends import lead as leads
from assistant.backends.base import AnswerStream, Turn
from assistant.backends.lead import Lead, LeadPart
from assistant.citations import negated, numbers_in, supports
from assistant.contrast import contrast, nations_in
from assistant.followup import rewrite as rewrite_followup
from assistant.models import REFUSAL, Answer, Citation, Stance
from assistant.question import AnswerType, Question, analyse
from assistant.sentences import Sentence, quoted_spans, split_hits
from ingest.hygiene import is_citable
from ingest.text import sentence_spans, terms, words
from vectorstore.models import Hit

# Verbs of stance: in "Has the Kremlin confirmed ...?" they are not who is asked about.
_STANCE_TERMS = frozenset(
    terms("confirm confirmed deny denied admit admitted acknowledge claim claimed say said")
)
# Words of the question that say what kind of answer is wanted, not what it is about.
_QUESTION_TERMS = frozenset(terms("who whom what which when where why how many much did does"))
SAME_COPY = 0.8  # shared word pairs at which one sentence is a copy of another (wire copy)
SAME_MEANING = 0.9  # cosine at which two sentences that share their words mean the same
STANCE_BOOST = 0.1  # "Who confirmed ...?": sentences with that stance come first
LONG_SENTENCE_WORDS = 30  # a longer best sentence is cut to its clause for the lead
MAX_LEAD_QUOTES = 3  # quotes under a lead that cites several sentences
MAX_FIGURES = 4  # figures a change or comparison lead lists


@dataclass(frozen=True, slots=True)
class Scored:
    sentence: Sentence
    dense: float
    lexical: float
    boost: float = 0.0

    @property
    def score(self) -> float:
        return 0.6 * self.dense + 0.4 * self.lexical - 0.01 * self.sentence.rank + self.boost


@dataclass(slots=True)
class Group:
    """One claim of the answer: its best sentence and the same claim in other articles."""

    members: list[Scored]
    claim: Claim = field(default=attribution.NOBODY)

    @property
    def head(self) -> Scored:
        return self.members[0]


class ExtractiveBackend:
    name = "extractive"

    def __init__(
        self,
        embeddings: Embeddings,
        max_sentences: int = 4,
        min_support: float = 0.45,
        min_coverage: float = 0.2,
        cache_size: int = 50_000,
    ) -> None:
        self.embeddings = embeddings
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.min_coverage = min_coverage
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors, computed in one batch for the ones not seen before."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            if len(self._vectors) + len(todo) > self.cache_size:
                self._vectors.clear()
            for text, vec in zip(todo, self.embeddings.embed_documents(todo), strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def score(self, question: str, hits: Sequence[Hit]) -> list[Scored]:
        sentences = split_hits(list(hits))
        if not sentences:
            return []
        vectors = self._embed([s.text for s in sentences])
        query = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        dense = vectors @ query
        wanted = set(terms(question)) - _QUESTION_TERMS
        scored = []
        for sentence, d in zip(sentences, dense, strict=True):
            have = set(terms(sentence.text))
            lexical = len(wanted & have) / len(wanted) if wanted else 0.0
            scored.append(Scored(sentence, float(d), lexical))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def rank(self, question: str, hits: Sequence[Hit]) -> tuple[list[Scored], str | None]:
        """Scored sentences, best first; for "Who confirmed ...?" questions those with the
        asked stance are raised. Also returns that stance (None for other questions)."""
        scored = self.score(question, hits)
        asked = attribution.question_stance(question)
        if asked is not None and scored:
            scored = _boost_stance(scored, asked, hits)
        return scored, asked

    def supported(
        self,
        question: str,
        scored: list[Scored],
        q: Question | None = None,
        lead: Lead | None = None,
        hits: Sequence[Hit] = (),
    ) -> bool:
        """Refusal from evidence: a question that expects a person, place, date or figure
        needs one in a sentence on its topic; a "Who confirmed ...?" question is answered by
        who stood behind the claim, however firmly; other questions need a sentence close in
        meaning that holds enough of the question's words."""
        if negated(question) and not any(negated(s.sentence.text) for s in scored[:3]):
            return False  # "Which country was not hit?" needs a sentence that says "not"
        if q is not None:
            texts = list(
                dict.fromkeys(
                    t
                    for c in scored[:8]
                    for t in (c.sentence.hit.text, c.sentence.hit.article.title)
                )
            )
            if leads.missing_names(q, texts, attribution.parsed):
                return False  # the evidence never names who or what the question is about
            if leads.missing_figures(q, texts):
                return False  # "up to 33 pence?" over evidence that says 3 pence
        if q is not None and lead is not None:
            s = lead.parts[0].source if lead.parts else None
            if s is not None:
                hit = s.sentence.hit
                if leads.grain_missing(q, s.sentence.text):
                    return False  # "On what date ...?" led by a sentence that gives none
                if negated(question) and not negated(s.sentence.text):
                    return False  # "What does X not protect?" answered by what X protects
                if contrast(question, s.sentence.text):
                    return False  # "increase speaking time?" led by a sentence that reduces it
                if q.kind == "how_many" and _uncounted(q, _article_text(hit, scored)):
                    return False  # "How many female judges?" over an article on judges
                if len(lead.parts) == 1 and leads.missing_figures(
                    q, [hit.text, hit.article.title, hit.article.published_at or ""], dates=False
                ):
                    return False  # "developed in 1995?" led by a paragraph on 1985
            if q.kind == "stance" and lead.parts:
                return True
            speaker = asked_speaker(q)
            if speaker is not None and s is not None:
                if _speaking(s, speaker, hits):
                    # "What did Zelenskiy say about the troops?": his words, on that topic
                    return _on_topic(q, speaker, s, 2 * self.min_support / 3)
                return False  # "What did Kim say?" when no sentence gives Kim's words
            if q.kind == "how_many" and not lead.typed and _action_missing(q, s):
                # no count of the asked action: "How many were killed?" over a sentence on
                # troops sent (its figure counts another action, so it was not the lead)
                return False
            if q.answer_type in (AnswerType.CHANGE, AnswerType.COMPARISON) and len(lead.parts) > 1:
                return True  # the figures stated on the topic, by whom and when
            if q.labels and s is not None and s.lexical >= 0.5 and s.dense >= 0.25:
                # an answer of the asked type in a sentence holding half the question's
                # words: news sentences are long and questions short, so cosine alone
                # under-rates them
                return True
            if (
                q.answer_type is AnswerType.POLARITY
                and s is not None
                and lead.parts[0].before
                and s.lexical >= 0.5
            ):
                return True  # a yes or a no read off a sentence on the question
        return self._similar_enough(question, scored)

    def _similar_enough(self, question: str, scored: list[Scored]) -> bool:
        """Refusal in code (thresholds tuned on the development set): the sentence closest in
        meaning must reach ``min_support`` cosine, the best sentence must hold at least
        ``min_coverage`` of the question's content words, and a negated question ("Which
        country was not hit?") needs a negated sentence among the best three. A sentence
        with the stance a "Who confirmed ...?" question asks about needs less similarity."""
        if not scored:
            return False
        if any(
            s.boost > 0 and s.lexical >= self.min_coverage and s.dense >= 0.6 * self.min_support
            for s in scored[:5]
        ):
            return True  # "Who denied the reports?": a denial about the reports answers it
        best = max(s.dense for s in scored)
        if scored[0].lexical >= 1.0 and len(set(terms(question)) - _QUESTION_TERMS) >= 2:
            # every word of a short question ("What was report P-2626?") in one sentence:
            # cosine under-rates such a terse question, so it may come lower
            return best >= self.min_support / 2 and (
                not negated(question) or negated(scored[0].sentence.text)
            )
        if best < self.min_support:
            return False
        if scored[0].lexical < self.min_coverage:
            return False
        return not negated(question) or any(negated(s.sentence.text) for s in scored[:3])

    def refusal(self, question: str, hits: Sequence[Hit]) -> Answer:
        return Answer(question, REFUSAL, refused=True, related=tuple(h.passage for h in hits[:3]))

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        # a follow-up ("Where did he say this?") is read with what it refers back to
        effective = rewrite_followup(question, history)
        q = analyse(effective)
        # captions, credits, bylines, headings and boilerplate are never evidence
        citable = [h for h in hits if is_citable(h.text)]
        scored, asked = self.rank(effective, citable)
        if not scored:
            return self.refusal(question, hits)
        scored = with_antecedents(scored)
        if q.kind == "why":
            scored = with_cause(scored)
        # parsed once, in one batch: the paragraphs of the best sentences
        attribution.parse_many(list(dict.fromkeys(c.sentence.hit.text for c in scored[:12])))
        # a follow-up asks beyond what the last answer's lead already said
        said = history[-1].answer if history and effective != question else ""
        lead = self.lead(q, scored, hits, said.split("\n\n")[0], said)
        if not self.supported(effective, scored, q, lead, hits):
            return self.refusal(question, hits)
        groups = self.select(scored, limit=self.body_sentences(lead))
        if lead is not None:
            # figures listed in the lead are cited there; fewer quotes repeat them below
            quotes = 2 if q.answer_type in (AnswerType.CHANGE, AnswerType.COMPARISON) else 3
            groups = _with_lead_sentences(groups, [p.source for p in lead.parts], quotes)
        for g in groups:
            s = g.head.sentence
            g.claim = attribution.attribute(s.hit.text, s.start, s.end)
        return compose(question, _reading_order(groups), asked, lead, q)

    def body_sentences(self, lead: Lead | None) -> int:
        """Quotes under the lead: fewer when the lead already cites several sentences."""
        cited = len({id(p.source) for p in lead.parts}) if lead else 0
        return max(1, min(self.max_sentences, 3) - max(0, cited - 1))

    # -- the direct answer line ------------------------------------------------------------
    def lead(
        self,
        q: Question,
        scored: list[Scored],
        hits: Sequence[Hit] = (),
        given: str = "",
        said: str = "",
    ) -> Lead | None:
        """The direct answer line. ``given``: the last answer's lead, which a follow-up asks
        beyond; ``said``: the whole last answer, whose sentences do not lead again."""
        head = scored[0]
        focus = set(terms(q.text))
        if q.kind == "stance":
            found = self._stance_lead(q, scored, hits)
            if found is not None:
                return found
        if q.answer_type is AnswerType.POLARITY:
            # the sentence that holds most of the question's words says yes or no; for "Has
            # the Kremlin confirmed ...?" the one where the Kremlin takes a stance
            head = self._asked_party(q, scored, hits) or max(
                scored[:5], key=lambda c: (round(c.lexical, 2), c.score)
            )
            s = head.sentence
            claim = attribution.attribute(s.hit.text, s.start, s.end)
            word = leads.polarity(q, head, claim.stance, claim.negated)
            return Lead((LeadPart(word, leads.best_clause(s.text, focus), "", head),))
        if q.labels:
            typed = leads.typed_answer(
                q, scored, attribution.parsed, lambda c: _speaker_of(c, hits), given=given
            )
            if typed is not None and (_among(typed[0], scored[:2]) or typed[2]):
                # a span from the two best sentences, or beside the question's own verb;
                # further down, the best sentence's clause answers more surely than an
                # entity picked from a weaker one
                cand, span, _acted = typed
                # a speaker named in an earlier paragraph is carried by the citation
                named = span if span not in cand.sentence.text else None
                return Lead((LeadPart("", span, "", cand, named),), typed=True)
        if q.answer_type in (AnswerType.CHANGE, AnswerType.COMPARISON):
            found = self._figures_lead(q, scored)
            if found is not None:
                return found
        speaker = asked_speaker(q)
        if speaker is not None:
            # "What did the Kremlin say about ...?": the Kremlin's words, not a sentence on it
            spoken = [c for c in scored[:8] if _speaking(c, speaker, hits)]
            head = spoken[0] if spoken else head
        if q.kind == "how" and _action_missing(q, head):
            # "How were the troops carried?": the sentence that states that action
            doing = [
                c for c in scored[1:4] if not _action_missing(q, c) and c.score >= head.score - 0.1
            ]
            head = doing[0] if doing else head
        if said and head.sentence.text in said:
            # "And who later declined to deny them?": not the sentence just quoted
            fresh = [
                c
                for c in scored[1:4]
                if c.sentence.text not in said and c.score >= head.score - 0.2
            ]
            head = fresh[0] if fresh else head
        text = head.sentence.text
        # a "what"/"which" answer often sits beside the question's words, not among them:
        # a sentence of ordinary length is the answer line whole
        if len(words(text)) > LONG_SENTENCE_WORDS:
            text = leads.best_clause(text, focus)
        return Lead((LeadPart("", text, "", head),))

    def _on_topic(self, scored: list[Scored], top: int = 10) -> list[Scored]:
        """The best sentences that share a word with the question or come close in meaning,
        and the sentences beside the two best in their paragraphs: "The estimates come from
        Seoul and Kyiv." is followed by the estimates."""
        best = scored[0].score
        chosen = [
            c for c in scored[:top] if c.score >= best - 0.5 and (c.lexical > 0 or c.dense >= 0.3)
        ]
        near = {c.sentence.hit.id for c in scored[:2]}
        chosen += [c for c in scored if c.sentence.hit.id in near and c not in chosen]
        return chosen

    def _asked_party(self, q: Question, scored: list[Scored], hits: Sequence[Hit]) -> Scored | None:
        """For "Has/Did X confirm ...?": the best sentence where a speaker the question names
        takes a stance (confirms, denies, says "if true", judges likely), if any."""
        if q.stance is None:
            return None
        asked = set(terms(q.text)) - _STANCE_TERMS
        for cand in scored[:8]:
            if cand.lexical == 0 and cand.dense < 0.3:
                continue
            s = cand.sentence
            claim = attribution.attribute(s.hit.text, s.start, s.end)
            speaker, _verb = _speaker_of(cand, hits)
            if not speaker or not asked & set(terms(speaker)):
                continue
            if leads.stance_of(claim.stance, claim.negated, s.text) not in (None, "asserted"):
                return cand
        return None

    def _stance_lead(self, q: Question, scored: list[Scored], hits: Sequence[Hit]) -> Lead | None:
        """Who confirmed, claimed, judged likely, said conditionally or denied the thing asked
        about, the asked stance first; "No source ... confirms it" when nobody confirmed it."""
        found: dict[str, list[tuple[str, Scored]]] = {}
        seen: set[tuple[str, str]] = set()
        figures_asked = bool(_FIGURE_WORDS & set(words(q.text)))
        eligible = [
            c
            for c in scored
            if c.lexical > 0 or c.dense >= 0.3 or (figures_asked and numbers_in(c.sentence.text))
        ]
        for cand in eligible[:16]:
            s = cand.sentence
            claim = attribution.attribute(s.hit.text, s.start, s.end)
            speaker, _verb = _speaker_of(cand, hits)
            if (
                not speaker
                or attribution.names_nobody(speaker)
                or attribution.names_no_speaker(speaker)
            ):
                continue
            stance = leads.stance_of(claim.stance, claim.negated, s.text)
            if stance is None or stance == "asserted":
                continue
            key = (stance, leads.speaker_key(speaker))
            if key in seen:
                continue
            seen.add(key)
            found.setdefault(stance, []).append((speaker, cand))
        if not found:
            return None
        # "What did Zelensky claim?": only the party the question names, when it spoke
        # ("Who confirmed the Pentagon's figures?" asks for anyone)
        if words(q.text)[:1] not in (["who"], ["whom"], ["which"]):
            asked = set(terms(q.text)) - _STANCE_TERMS - _QUESTION_TERMS
            named = {st: [(sp, c) for sp, c in found[st] if asked & set(terms(sp))] for st in found}
            if any(named.values()):
                found = {st: v for st, v in named.items() if v}
        order = [q.stance] if q.stance in found else []
        order += [st for st in leads.STANCE_ORDER if st in found and st not in order]
        parts: list[LeadPart] = []
        for stance in order:
            for i, (speaker, cand) in enumerate(found[stance][:2]):
                hit = cand.sentence.hit
                label = leads.STANCE_LABELS[stance]
                before = (label if not parts else label.lower()) if i == 0 else "and by"
                parts.append(LeadPart(before, speaker, _where_when(hit), cand, speaker))
        opening = (
            leads.NOT_CONFIRMED if q.stance == "confirmed" and "confirmed" not in found else ""
        )
        return Lead(tuple(parts[:5]), opening)

    def _figures_lead(self, q: Question, scored: list[Scored]) -> Lead | None:
        """The figures stated about the topic, each with its outlet and date, in date order."""
        items: list[tuple[str, str, Scored]] = []
        seen: set[tuple[str, str]] = set()
        for cand in self._on_topic(scored, 10):
            s = cand.sentence
            for figure in leads.figures(attribution.parsed(s.hit.text), s.start, s.end):
                key = (" ".join(sorted(numbers_in(figure))), "")
                if key in seen:
                    continue  # a figure is listed where it first appeared
                seen.add(key)
                items.append((s.hit.article.published_at or "", figure, cand))
        if len(items) < 2:
            return None
        items.sort(key=lambda it: (it[0], it[2].sentence.hit.article.id, it[2].sentence.start))
        parts = []
        for i, (_d, figure, cand) in enumerate(items[:MAX_FIGURES]):
            s = cand.sentence
            speaker, _verb = _speaker_of(cand)
            where = _where_when(s.hit, speaker if speaker and speaker != figure else None)
            parts.append(LeadPart("then" if i else "", figure, where, cand))
        return Lead(tuple(parts))

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> AnswerStream:
        return AnswerStream.of(self.answer(question, hits, history))

    def same_claim(self, head: Sentence, other: Sentence) -> bool:
        """``other`` states the claim of ``head``: it supports ``head`` (content words, figures,
        negation) and either ``head`` supports it too or they mean nearly the same."""
        if not supports(other.text, head.text):
            return False
        if supports(head.text, other.text):
            return True
        a, b = self._vectors.get(head.text), self._vectors.get(other.text)
        return a is not None and b is not None and float(a @ b) >= SAME_MEANING

    def select(self, scored: list[Scored], limit: int | None = None) -> list[Group]:
        """The best sentences down to 75% of the best score, one per claim: a sentence that
        repeats a chosen one is dropped, or joins it when another article carries it. The
        paragraph retrieval ranked first is quoted once if it shares a word with the question."""
        floor = scored[0].score * 0.75
        limit = self.max_sentences if limit is None else limit
        groups: list[Group] = []
        for cand in scored:
            if cand.score < floor or len(groups) >= limit:
                break
            if any(self.same_claim(g.head.sentence, cand.sentence) for g in groups):
                continue
            if groups and cand.lexical == 0 and cand.dense < self.min_support:
                continue  # shares no word with the question: another story, however close
            groups.append(Group([cand]))
        if groups and all(g.head.sentence.rank != 0 for g in groups):
            # the paragraph retrieval ranked first (its whole text, its neighbours, its
            # title) is quoted once when it speaks to the question at all
            first = next((c for c in scored if c.sentence.rank == 0 and c.lexical > 0), None)
            if (
                first is not None
                and first.score >= floor * 0.8
                and not any(self.same_claim(g.head.sentence, first.sentence) for g in groups)
            ):
                if len(groups) >= limit:
                    groups.pop()
                groups.append(Group([first]))
        for g in groups:  # corroboration: the same claim anywhere in the retrieved paragraphs
            for cand in scored:
                articles = {m.sentence.hit.article.id for m in g.members}
                if cand.sentence.hit.article.id not in articles and self.same_claim(
                    g.head.sentence, cand.sentence
                ):
                    g.members.append(cand)
        return groups


# "Who confirmed the troop numbers?": any sentence stating a figure is on the topic.
_FIGURE_WORDS = frozenset(
    ["number", "numbers", "figure", "figures", "estimate", "estimates", "count", "total", "many"]
)
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])


# words that say how a count is made, not what is counted ("How many total judges ...?")
_COUNTING_WORDS = frozenset(
    ["total", "overall", "different", "separate", "individual", "additional", "other", "more"]
)


_REPORTING_STEMS = frozenset(t for v in attribution.REPORTING_VERBS for t in terms(v))


def asked_speaker(q: Question) -> str | None:
    """The one whose words a "What did X say / claim / announce about ...?" question asks
    for: the head word of the named subject of its reporting verb (None for other questions,
    and for "he" or "officials")."""
    if q.kind not in ("what", "how"):
        return None
    doc = attribution.parsed(q.text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_.lower() not in attribution.REPORTING_VERBS:
        return None
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ != "PROPN":
        return None  # "What did officials say?" asks no one in particular
    # the head of the name: "Un" of "Kim Jong Un" (Kim Yong-hyun is another Kim), "Rutte"
    return subject.text


def _on_topic(q: Question, speaker: str, lead: Scored, close: float) -> bool:
    """Whether the lead is on what the question asks the speaker about (the question's
    words besides the speaker's name and the verb of saying): its paragraph holds one of
    them, or it is ``close`` in meaning ("personnel" for "troops"); no topic, no check."""
    said = {w for w in terms(q.text) if w in _REPORTING_STEMS}
    topic = set(terms(q.text)) - set(terms(speaker)) - said - _QUESTION_TERMS
    return not topic or lead.dense >= close or bool(topic & set(terms(lead.sentence.hit.text)))


# what one says, rules or decides: the verbs whose subject a "What did X say?" asks for
_STATING = attribution.REPORTING_VERBS | frozenset(
    ["hold", "rule", "find", "decide", "conclude", "argue", "write", "note", "insist", "accept"]
)


def _speaking(cand: Scored, asked: str, hits: Sequence[Hit]) -> bool:
    """Whether the words of ``cand`` are those of ``asked``: a name, title or surname in
    common with the sentence's speaker, or with the subject of a verb of saying or ruling in
    it ("The court held that ...")."""
    names = set(terms(asked))
    # a nation speaks through its capital, seat of power and officials
    nations = nations_in(asked, seats=False)

    def named(text: str) -> bool:
        return bool(names & set(terms(text)) or nations & nations_in(text))

    speaker, _verb = _speaker_of(cand, hits)
    if speaker and named(speaker):
        return True
    s = cand.sentence
    span = attribution.parsed(s.hit.text).char_span(s.start, s.end, alignment_mode="expand")
    return span is not None and any(
        t.lemma_.lower() in _STATING
        and any(
            c.dep_ in ("nsubj", "nsubjpass") and named(" ".join(w.text for w in c.subtree))
            for c in t.children
        )
        for t in span
    )


def _action_missing(q: Question, lead: Scored | None) -> bool:
    """Whether the lead sentence never states the question's own action ("killed")."""
    action = leads.question_action(q, attribution.parsed)
    return lead is not None and bool(action) and not action & set(terms(lead.sentence.text))


def _article_text(hit: Hit, scored: list[Scored]) -> str:
    """The title and the found paragraphs of ``hit``'s article: "the troops" of one paragraph
    are the "North Korean troops" of another."""
    found = {
        c.sentence.hit.id: c.sentence.hit.text
        for c in scored
        if c.sentence.hit.article.id == hit.article.id
    }
    return " ".join([hit.article.title, hit.text, *found.values()])


def _uncounted(q: Question, text: str) -> bool:
    """Whether ``text`` never says what kind of thing the question counts: a word describing
    the counted noun ("female" in "How many female judges ...?") is absent."""
    doc = attribution.parsed(q.text)
    many = next(
        (t for t in doc if t.lower_ == "many" and t.i > 0 and doc[t.i - 1].lower_ == "how"), None
    )
    if many is None or many.head.pos_ not in ("NOUN", "PROPN"):
        return False
    said = set(terms(text))
    kinds = [
        c
        for c in many.head.children
        if c.dep_ in ("amod", "compound") and c.i != many.i and c.lower_ not in _COUNTING_WORDS
    ]
    return any(terms(c.text) and terms(c.text)[0] not in said for c in kinds)


def _speaker_of(cand: Scored, hits: Sequence[Hit] = ()) -> tuple[str | None, str | None]:
    """Who speaks in the sentence and with what verb; "He said ..." opening a paragraph is
    the last named speaker of the article's earlier retrieved paragraphs."""
    s = cand.sentence
    claim = attribution.attribute(s.hit.text, s.start, s.end)
    if claim.speaker and claim.speaker.lower() in _PRONOUNS:
        return _earlier_speaker(s.hit, hits) if hits else None, claim.verb
    return claim.speaker, claim.verb


def _boost_stance(scored: list[Scored], asked: str, hits: Sequence[Hit]) -> list[Scored]:
    attribution.parse_many([h.text for h in hits])
    boosted = []
    for s in scored:
        claim = attribution.attribute(s.sentence.hit.text, s.sentence.start, s.sentence.end)
        bonus = STANCE_BOOST if claim.stance == asked and not claim.negated else 0.0
        boosted.append(Scored(s.sentence, s.dense, s.lexical, bonus))
    boosted.sort(key=lambda s: s.score, reverse=True)
    return boosted


# A sentence that opens on one of these words leans on the sentence before it ("It
# appoints the commissioners.", "The result was a depreciation ...", "Never formally
# revoked, it stopped ..."): quoted alone, it does not say who, what or why.
_ANAPHOR = re.compile(
    r"(?:It|Its|This|These|Those|That|They|Their|He|His|She|Her|Such|Both|Thus|Hence"
    r"|Therefore|Consequently|Predictably|Instead|All (?:of )?this|The (?:result|former|latter)"
    r"|As (?:a result|such)|In effect|The point of this)\b"
    r"|[^,.]{1,40},\s+(?:it|its|this|these|they|their|he|his|she|her)\b"
)


MAX_JOINED = 3  # sentences one quote may join this way


def with_antecedents(scored: list[Scored]) -> list[Scored]:
    """Each sentence that opens with a pronoun read together with the sentences before it
    in its paragraph (at most ``MAX_JOINED`` in all), as one quote scored as the best of
    them; its parts no longer stand alone. Best first, as given."""
    by_key = {(c.sentence.hit.id, c.sentence.start, c.sentence.end): c for c in scored}
    joined: dict[tuple[str, int, int], Scored] = {}
    done: set[str] = set()
    for c in scored:
        hit = c.sentence.hit
        if hit.id in done or not _ANAPHOR.match(c.sentence.text):
            continue
        done.add(hit.id)
        runs: list[list[tuple[int, int]]] = []
        for a, b in quoted_spans(hit.text, sentence_spans(hit.text)):
            if runs and len(runs[-1]) < MAX_JOINED and _ANAPHOR.match(hit.text[a:b]):
                runs[-1].append((a, b))
            else:
                runs.append([(a, b)])
        for run in runs:
            members = [by_key[k] for k in ((hit.id, a, b) for a, b in run) if k in by_key]
            if len(run) < 2 or not members:
                continue
            best = max(members, key=lambda m: m.score)
            whole = Sentence(hit, best.sentence.rank, run[0][0], run[-1][1])
            one = replace(
                best,
                sentence=whole,
                dense=max(m.dense for m in members),
                lexical=max(m.lexical for m in members),
            )
            for a, b in run:
                joined[(hit.id, a, b)] = one
    if not joined:
        return scored
    out: list[Scored] = []
    for c in scored:
        one = joined.get((c.sentence.hit.id, c.sentence.start, c.sentence.end), c)
        if all(one is not o for o in out):
            out.append(one)
    out.sort(key=lambda c: c.score, reverse=True)
    return out


# words that give a reason: a why-question's answer holds one
_CAUSE = re.compile(
    r"\b(because|due to|owing to|as a result|in order to|so that|since|therefore|thus|"
    r"led to|leads to|caused|causing|reason|result(ed)? in|in response to|to avoid|to prevent)\b",
    re.I,
)


def _among(cand: leads.Candidate, scored: list[Scored]) -> bool:
    """Whether ``cand`` is one of ``scored``, or one of them read with what comes before."""
    s = cand.sentence
    return any(c.sentence.hit.id == s.hit.id and c.sentence.end == s.end for c in scored)


def with_cause(scored: list[Scored]) -> list[Scored]:
    """For "Why ...?": the best sentence read with the sentence beside it in its paragraph
    that gives a reason ("Because oil was priced in dollars, ..." before "OPEC would price
    oil in gold"), when the best sentence gives none; one quote, in the best one's place."""
    if not scored or _CAUSE.search(scored[0].sentence.text):
        return scored
    head = scored[0]
    s = head.sentence
    for c in scored[1:]:
        o = c.sentence
        if o.hit.id != s.hit.id or not _CAUSE.search(o.text):
            continue
        gap = s.hit.text[o.end : s.start] if o.end <= s.start else s.hit.text[s.end : o.start]
        if gap.strip():
            continue  # not a neighbour
        whole = Sentence(s.hit, s.rank, min(s.start, o.start), max(s.end, o.end))
        joined = replace(head, sentence=whole)
        return [joined, *(x for x in scored[1:] if x is not c)]
    return scored


def _copied(a: str, b: str) -> bool:
    """One sentence is a copy of the other: the same words in the same order (shared word
    pairs), as when an outlet republishes a wire story."""
    pa, pb = _pairs(a), _pairs(b)
    return bool(pa and pb) and len(pa & pb) / len(pa | pb) >= SAME_COPY


def _pairs(text: str) -> set[tuple[str, str]]:
    w = words(text)
    return set(itertools.pairwise(w))


def independent_sources(items: Sequence[tuple[str, str]]) -> int:
    """Outlets carrying a claim, from (outlet, sentence) pairs: a copy of another outlet's
    sentence (wire copy) and a second article of the same outlet count once."""
    clusters: list[list[tuple[str, str]]] = []
    for source, text in items:
        home = next(
            (c for c in clusters if any(o == source or _copied(t, text) for o, t in c)),
            None,
        )
        if home is None:
            clusters.append([(source, text)])
        else:
            home.append((source, text))
    return len(clusters)


def _reading_order(groups: list[Group]) -> list[Group]:
    """The best claim first, then the rest as the articles tell them: by date, article and
    position."""
    if len(groups) < 3:
        return groups

    def place(g: Group) -> tuple[str, str, int, int]:
        s = g.head.sentence
        return (
            s.hit.article.published_at or "",
            s.hit.article.id,
            s.hit.passage.paragraph.index,
            s.start,
        )

    return [groups[0], *sorted(groups[1:], key=place)]


def _with_lead_sentences(
    groups: list[Group], sources: list[Scored], quotes: int = MAX_LEAD_QUOTES
) -> list[Group]:
    """The quotes under a lead: every sentence the lead cites, in the lead's order, then
    the other chosen quotes (as many as leave the answer no longer than before)."""

    def key(c: Scored) -> tuple[str, int, int]:
        return (c.sentence.hit.id, c.sentence.start, c.sentence.end)

    first: list[Group] = []
    seen: set[tuple[str, int, int]] = set()
    for source in sources:
        if key(source) in seen:
            continue
        seen.add(key(source))
        home = next((g for g in groups if key(g.head) == key(source)), None)
        first.append(home or Group([source]))
    first = first[:quotes]  # every lead part stays cited; not every one quoted

    def inside(c: Scored) -> bool:  # a sentence a lead quote already holds
        s = c.sentence
        return any(
            s.hit.id == o.sentence.hit.id
            and o.sentence.start <= s.start
            and s.end <= o.sentence.end
            for o in sources
        )

    rest = [g for g in groups if key(g.head) not in seen and not inside(g.head)]
    return first + rest[: max(0, len(groups) - len(first))]


def _where_when(hit: Hit, speaker: str | None = None) -> str:
    """ " (Outlet, 2024-10-28)" or " (Speaker; Outlet, 2024-10-28)" for a lead; nothing the
    article does not say."""
    known = ", ".join(
        x for x in (hit.article.source, hit.article.published_at) if x and x.lower() != "unknown"
    )
    said = "; ".join(x for x in (speaker, known) if x)
    return f" ({said})" if said else ""


def _dated(hit: Hit) -> str:
    return f"{hit.article.source}, {hit.article.published_at or 'undated'}"


def lead_in(group: Group, count: int, asked: str | None, confirmed_figures: set[str]) -> str:
    """Composed from metadata only: who (as written in the article), how firmly, outlet, date,
    and how many independent sources carry the claim."""
    claim, hit = group.claim, group.head.sentence.hit
    figures = numbers_in(group.head.sentence.text)
    only_claimed = (
        claim.stance == Stance.ALLEGED and bool(figures) and not figures & confirmed_figures
    )
    sources = f"; {count} independent sources" if count > 1 else ""
    if (
        claim.speaker
        and not attribution.names_nobody(claim.speaker)
        and not attribution.unresolved(claim.speaker)
        and (asked is not None or only_claimed)
    ):
        label = attribution.label(claim)
        if only_claimed:
            label = "Only claimed, not independently confirmed, by"
        return f"{label} {claim.speaker} ({_dated(hit)}{sources}): "
    if count > 1:
        return f"Carried by {count} independent sources: "
    return ""


def compose(
    question: str,
    groups: list[Group],
    asked: str | None = None,
    lead: Lead | None = None,
    q: Question | None = None,
) -> Answer:
    """The lead (the direct answer line) first, then the supporting quotes: each group is
    one statement (its head's text) cited by every member's paragraph. A sentence cited in
    the lead and quoted below keeps one number."""
    confirmed_figures: set[str] = set()
    for g in groups:
        if g.claim.stance == Stance.CONFIRMED and not g.claim.negated:
            confirmed_figures |= numbers_in(g.head.sentence.text)
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}

    def cite(s: Sentence, claim: attribution.Claim, count: int = 1) -> str:
        key = (s.hit.id, s.start, s.end)
        if key not in numbers:
            citations.append(
                Citation(
                    number=len(citations) + 1,
                    passage=s.hit.passage,
                    quote=s.text,
                    quote_start=s.start,
                    quote_end=s.end,
                    speaker=claim.speaker,
                    stance=claim.stance,
                    sources_count=count,
                )
            )
            numbers[key] = len(citations)
        elif count > citations[numbers[key] - 1].sources_count:
            # cited in the lead first; the quotes below count its corroboration
            citations[numbers[key] - 1] = replace(citations[numbers[key] - 1], sources_count=count)
        return f"[{numbers[key]}]"

    lead_text = ""
    lead_sentences: set[tuple[str, int, int]] = set()
    if lead is not None and lead.parts:
        pieces = []
        for part in lead.parts:
            s = part.source.sentence
            claim = attribution.attribute(s.hit.text, s.start, s.end)
            if part.speaker and part.speaker != claim.speaker:
                claim = attribution.Claim(part.speaker, claim.verb, claim.stance, claim.negated)
            marker = cite(s, claim)
            words_ = " ".join(w for w in (part.before, part.span) if w)
            pieces.append(f"{words_}{part.after} {marker}")
            if part.span.strip() == s.text.strip():
                lead_sentences.add((s.hit.id, s.start, s.end))
        lead_text = lead.joiner.join(pieces)
        if lead.opening:
            lead_text = f"{lead.opening} {lead_text}"
    parts: list[str] = []
    for g in groups:
        head = g.head.sentence
        if (head.hit.id, head.start, head.end) in lead_sentences and len(g.members) == 1:
            continue  # the lead already is this sentence
        count = independent_sources(
            [(m.sentence.hit.article.source, m.sentence.text) for m in g.members]
        )
        markers = ""
        for member in g.members:
            s = member.sentence
            claim = (
                g.claim if member is g.head else attribution.attribute(s.hit.text, s.start, s.end)
            )
            markers += cite(s, claim, count)
        if not lead_text:
            intro = lead_in(g, count, asked, confirmed_figures)
        elif q is not None and q.kind == "stance":
            # the lead names who said what: only corroboration is said again
            intro = f"Carried by {count} independent sources: " if count > 1 else ""
        else:
            # a figure only one side claimed is still flagged under a lead that states it
            intro = lead_in(g, count, None, confirmed_figures)
        parts.append(f"{intro}{g.head.sentence.text} {markers}")
    body = " ".join(parts)
    text = f"{lead_text}\n\n{body}" if lead_text and body else lead_text or body
    return Answer(
        question,
        text,
        tuple(citations),
        lead=lead_text,
        answer_type=q.answer_type.value if q is not None else "",
    )


def _earlier_speaker(hit: Hit, hits: Sequence[Hit]) -> str | None:
    """For "He said ..." opening a paragraph: the last named speaker of the article before
    it, from the article's earlier retrieved paragraphs (nearest first)."""
    earlier = sorted(
        (
            h
            for h in hits
            if h.article.id == hit.article.id
            and h.passage.paragraph.index < hit.passage.paragraph.index
        ),
        key=lambda h: -h.passage.paragraph.index,
    )
    for h in earlier[:3]:
        for s, e in reversed(sentence_spans(h.text)):
            claim = attribution.attribute(h.text, s, e)
            if claim.speaker and claim.speaker.lower() not in _PRONOUNS:
                return claim.speaker
    return None
