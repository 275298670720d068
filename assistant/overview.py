"""What the corpus holds, for the chat's landing page: articles, paragraphs, outlets, the
days they cover, the people, organisations and places named most often, and a few questions
to start with. Pure data; ui/ renders it.

Entities come from the one spaCy pipeline (ingest.text), its entity recogniser alone, over
each article's title and first two paragraphs (where news names who and where), counted once
per article. Parsing is the slow part (1,560 articles' titles and first three paragraphs took
80 s on this busy 2-core machine), so
each article's entities are kept in the data dir by content hash and only new or edited
articles are parsed; the whole overview is kept too, named by the index version
(vectorstore.lexical.index_key), so an unchanged index opens its landing page from one file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.attribution import REPORTING_VERBS
from assistant.reader import lexicon
from ingest.text import parse_all
from vectorstore.filters import Filters
from vectorstore.lexical import index_key
from vectorstore.manifest import ManifestEntry

LEAD_PARAGRAPHS = 2  # paragraphs per article read for entities, after the title
# Entities are read from the newest this many articles: parsing is ~50 ms an article, so a
# team's archive (250,000 articles at a million paragraphs) would keep a chat's first page
# waiting for hours; counts of articles, outlets and days still cover the whole corpus.
ENTITY_ARTICLES = 5_000
TOP = 8  # entities shown per kind
QUESTIONS = 4
_FORMAT = 2  # bump when what is cached changes
_KINDS = {"PERSON": "people", "ORG": "organisations", "GPE": "places", "LOC": "places"}
_POSSESSIVE = re.compile(r"[’']s$")
_IRREGULAR_PAST = {"say": "said", "tell": "told", "write": "wrote", "admit": "admitted"}


def _past(lemma: str) -> str:
    if lemma in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


# "confirmed" → "confirm": the reporting verbs as news writes them after a name.
_PAST_TO_LEMMA = {_past(v): v for v in REPORTING_VERBS}


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ArticleEntities:
    """Named entities of one article (each once), the reporting verbs right after a person
    or organisation ("the Pentagon confirmed" → ("the Pentagon", "confirm")), what it is
    about ("North Korean troops": a nationality and the nouns after it) and the short names
    it gives organisations ("National Intelligence Service (NIS)" → ("NIS", "National
    Intelligence Service"))."""

    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    speakers: tuple[tuple[str, str], ...] = ()
    subjects: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Example:
    """An example question of the landing page and its kind ("who confirmed", "how many",
    "what changed", "who denied", "who said")."""

    kind: str
    question: str


@dataclass(frozen=True, slots=True)
class CorpusOverview:
    articles: int
    paragraphs: int
    outlets: tuple[Count, ...]  # most articles first
    first_day: str | None
    last_day: str | None
    per_day: tuple[Count, ...]  # ISO day → articles, in day order (days without any left out)
    undated: int
    people: tuple[Count, ...] = ()
    organisations: tuple[Count, ...] = ()
    places: tuple[Count, ...] = ()
    questions: tuple[str, ...] = field(default=())
    # the same questions with their kinds, and a topic to brief on ("North Korean troops in
    # Russia"): what the corpus says most about
    examples: tuple[Example, ...] = ()
    topic: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CorpusOverview:
        counts = ("outlets", "per_day", "people", "organisations", "places")
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in counts:
            values[name] = tuple(Count(c["name"], c["count"]) for c in values.get(name, ()))
        values["questions"] = tuple(values.get("questions", ()))
        values["examples"] = tuple(Example(**e) for e in values.get("examples", ()))
        return cls(**values)


# -- entities ------------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = _POSSESSIVE.sub("", " ".join(text.split()))
    return text.strip(" .,;:\"'“”‘’()")


_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,7}")
_SMALL_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "&"})


def initials(name: str) -> str:
    """``NIS`` of "National Intelligence Service" (small words left out)."""
    return "".join(w[0] for w in name.split() if w.lower() not in _SMALL_WORDS and w[:1].isalpha())


def _nouns_after(tokens: Sequence[Any]) -> list[str]:
    """The noun a nationality qualifies, as far as words tell without a tagger: "troops",
    "special forces", "military units" (a second word only after a word that is not itself
    a plural, and only a plural: "troops arrived" is "troops")."""
    words: list[str] = []
    for tok in tokens:
        if not (tok.is_alpha and tok.is_lower and not tok.is_stop) or tok.text.endswith("ing"):
            break
        if words and (words[-1].endswith("s") or not tok.text.endswith("s")):
            break
        words.append(tok.text)
    if words and words[-1].endswith("ed"):  # "North Korean soldiers deserted": a verb
        words.pop()
    return words


def article_entities(texts: Sequence[str]) -> list[ArticleEntities]:
    """Entities of each article, given as its title and lead paragraphs joined by blank
    lines (one pipeline batch for all of them)."""
    found = []
    for doc in parse_all(texts, only=("ner",)):
        kinds: dict[str, dict[str, None]] = {"people": {}, "organisations": {}, "places": {}}
        speakers: dict[tuple[str, str], None] = {}
        subjects: dict[str, None] = {}
        aliases: dict[tuple[str, str], None] = {}
        for ent in doc.ents:
            if ent.label_ == "NORP":  # "North Korean troops": what the story is about
                if nouns := _nouns_after(list(doc[ent.end : ent.end + 2])):
                    subjects[" ".join([_clean(ent.text), *nouns])] = None
                continue
            kind = _KINDS.get(ent.label_)
            name = _clean(ent.text)
            the = ent.start > 0 and doc[ent.start - 1].lower_ == "the"
            if name[:4] in ("The ", "the "):
                name, the = name[4:], True
            if kind is None or len(name) < 2 or not name[0].isupper():
                continue
            kinds[kind][name] = None
            if kind == "organisations" and ent.end + 2 < len(doc):
                short = doc[ent.end + 1]  # "National Intelligence Service (NIS)"
                spelled = doc[ent.end].text == "(" and doc[ent.end + 2].text == ")"
                if spelled and _ACRONYM.fullmatch(short.text) and " " in name:
                    aliases[(short.text, name)] = None
            if kind == "places" or ent.end >= len(doc):
                continue
            verb = _PAST_TO_LEMMA.get(doc[ent.end].lower_)
            if verb is not None and not ent.text.endswith(("’s", "'s")):
                speakers[(f"the {name}" if the else name, verb)] = None
        found.append(
            ArticleEntities(
                tuple(kinds["people"]),
                tuple(kinds["organisations"]),
                tuple(kinds["places"]),
                tuple(speakers),
                tuple(subjects),
                tuple(aliases),
            )
        )
    return found


def _full_names(people: Iterable[str]) -> dict[str, str]:
    """'Putin' → 'Vladimir Putin' when that is the only full name in the corpus ending so."""
    full: dict[str, set[str]] = {}
    for name in people:
        if " " in name:
            full.setdefault(name.split()[-1], set()).add(name)
    return {last: next(iter(names)) for last, names in full.items() if len(names) == 1}


def _merged(counts: Counter[str], full: Mapping[str, str]) -> Counter[str]:
    merged: Counter[str] = Counter()
    for name, n in counts.items():
        merged[full.get(name, name)] += n
    return merged


def _top(counts: Counter[str], n: int = TOP) -> tuple[Count, ...]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return tuple(Count(name, c) for name, c in ranked[:n])


def org_aliases(found: Sequence[ArticleEntities]) -> dict[str, str]:
    """Each short name of an organisation → "Full Name (SHORT)", and the full name too: an
    acronym an article spells out ("National Intelligence Service (NIS)"), or one whose
    letters are the initials of exactly one organisation of the corpus."""
    orgs = {o for f in found for o in f.organisations}
    spelled = {short: full for f in found for short, full in f.aliases}
    by_initials: dict[str, set[str]] = {}
    for o in orgs:
        if " " in o:
            by_initials.setdefault(initials(o), set()).add(o)
    merged: dict[str, str] = {}
    for o in orgs:
        if not _ACRONYM.fullmatch(o):
            continue
        full = spelled.get(o)
        if full is None and len(by_initials.get(o, ())) == 1:
            full = next(iter(by_initials[o]))
        if full is not None:
            merged[o] = merged[full] = f"{full} ({o})"
    return merged


def _is_place(name: str, places: set[str]) -> bool:
    """A one-word "person" the corpus names as a place elsewhere, or a nation's word (a
    capital, "Kyiv"): the recogniser's mistake, counted as the place it is."""
    words, _seats = lexicon.nations()
    return name in places or name.casefold() in words


def checked_people(
    found: Sequence[ArticleEntities], places: set[str]
) -> tuple[Counter[str], Counter[str], dict[str, str]]:
    """(people, places the recogniser took for people, full names): each article's people
    by their full name ("Putin" → "Vladimir Putin"); a one-word name that is a place is a
    place; a one-word name with no full name in the corpus is kept only when two articles
    name it (one mention of "Vladivostok" as a person is more likely the recogniser's
    mistake than a person)."""
    full = _full_names(p for f in found for p in f.people)
    people: Counter[str] = Counter()
    moved: Counter[str] = Counter()
    for f in found:
        for name in dict.fromkeys(full.get(p, p) for p in f.people):
            if " " not in name and _is_place(name, places):
                moved[name] += 1
            else:
                people[name] += 1
    for name, n in list(people.items()):
        if " " not in name and n < 2:
            del people[name]
    return people, moved, full


def _topic(speaker: str, places: Counter[str], df: Mapping[str, int], articles: int) -> str | None:
    """The place named most often beside a speaker (the more common one in the corpus of a
    tie: a question the corpus holds answers to), leaving out a
    place every article names when there is another: a question about what all articles
    mention asks about nothing in particular."""
    names = set(speaker.split())
    candidates = [p for p in places if not names & set(p.split())]
    rare = [p for p in candidates if df.get(p, 0) < articles] or candidates
    if not rare:
        return None
    return min(rare, key=lambda p: (-places[p], -df.get(p, 0), p))


def example_questions(
    speakers: Counter[tuple[str, str]],
    topics: Mapping[tuple[str, str], str | None],
    people: Sequence[Count],
    limit: int = 2 * QUESTIONS,
) -> list[str]:
    """A few questions the corpus can answer: what the people and bodies quoted most often
    said, confirmed or denied, each about the place named most with them; one question per
    speaker; the most named people when no reporting verb follows a name."""
    questions: list[str] = []
    asked: set[str] = set()
    ranked = sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
    for (speaker, verb), _ in ranked:
        key = speaker.casefold().removeprefix("the ")
        if key in asked:
            continue
        asked.add(key)
        topic = topics.get((speaker, verb))
        questions.append(f"What did {speaker} {verb}" + (f" about {topic}?" if topic else "?"))
        if len(questions) == limit:
            return questions
    for person in people:
        if person.name.casefold() not in asked:
            asked.add(person.name.casefold())
            questions.append(f"What did {person.name} say?")
            if len(questions) == limit:
                break
    return questions


# -- example questions ---------------------------------------------------------------------
_PLURAL_NOUNS = frozenset({"people", "personnel", "police", "staff", "troops", "forces"})
_DENIALS = frozenset(v for v, stance in lexicon.stance_verbs().items() if stance == "denied")
_CONFIRMS = frozenset(v for v, stance in lexicon.stance_verbs().items() if stance == "confirmed")


def _plural(phrase: str) -> bool:
    last = phrase.split()[-1].lower()
    return last in _PLURAL_NOUNS or (last.endswith("s") and not last.endswith("ss"))


def corpus_topic(
    found: Sequence[ArticleEntities], places: Counter[str]
) -> tuple[str | None, str | None]:
    """(what the corpus says most about, the place named most with it): the subject ("North
    Korean troops") named by the most articles, at least two, and the place most named
    beside it that is not the subject's own nation ("Russia", not "North Korea")."""
    named: Counter[str] = Counter(s for f in found for s in f.subjects)
    ranked = sorted(named.items(), key=lambda kv: (-kv[1], -_plural(kv[0]), kv[0]))
    if not ranked or ranked[0][1] < 2:
        return None, None
    subject = ranked[0][0]
    own = {w.lower()[:5] for w in subject.split()}  # "Korean" ~ "Korea"
    beside: Counter[str] = Counter()
    for f in found:
        if subject in f.subjects:
            beside.update(p for p in f.places if not {w.lower()[:5] for w in p.split()} & own)
    place = min(beside, key=lambda p: (-beside[p], -places[p], p)) if beside else None
    return subject, place


def example_candidates(
    subject: str | None,
    place: str | None,
    speakers: Counter[tuple[str, str]],
    topics: Mapping[tuple[str, str], str | None],
    people: Sequence[Count],
) -> list[Example]:
    """Questions of different kinds the corpus may answer, best first within each kind:
    who confirmed what the most articles say, how many, how the figures changed (about the
    corpus's subject and place), what the most quoted denier denied (the contested claim),
    and what the most quoted people said."""
    out: list[Example] = []
    if subject:
        where = f" in {place}" if place else ""
        if _plural(subject):
            out.append(Example("who confirmed", f"Who confirmed that {subject} are{where}?"))
            out.append(Example("how many", f"How many {subject} are{where}?"))
            out.append(Example("what changed", f"How did the number of {subject}{where} change?"))
        else:
            out.append(Example("who confirmed", f"Who confirmed the reports of {subject}?"))
            out.append(Example("what changed", f"How did the reports of {subject} change?"))
    ranked = sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
    for (speaker, verb), _ in ranked:
        if verb in _DENIALS:
            out.append(Example("who denied", f"What did {speaker} deny?"))
    for (speaker, verb), _ in ranked:
        if not subject and verb in _CONFIRMS:
            topic = topics.get((speaker, verb))
            out.append(
                Example("who confirmed", f"What did {speaker} confirm about {topic}?")
                if topic
                else Example("who confirmed", f"What did {speaker} confirm?")
            )
    out += [Example("who said", q) for q in example_questions(speakers, topics, people)]
    return out


def pick_examples(
    candidates: Sequence[Example], answered: Callable[[str], bool], limit: int = QUESTIONS
) -> tuple[Example, ...]:
    """Up to ``limit`` examples the assistant answers, one of each kind first (in the order
    the kinds first appear), then more of the kinds that have them."""
    kept: list[Example] = []
    kinds: set[str] = set()
    tried: set[str] = set()
    for second_round in (False, True):
        for ex in candidates:
            if len(kept) == limit:
                return tuple(kept)
            if ex.question in tried or (not second_round and ex.kind in kinds):
                continue
            tried.add(ex.question)
            if answered(ex.question):
                kept.append(ex)
                kinds.add(ex.kind)
    return tuple(kept)


# -- the overview --------------------------------------------------------------------------
def _day(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        return None


def build_overview(
    entries: Sequence[ManifestEntry],
    entities: Mapping[str, ArticleEntities],
    answered: Callable[[str], bool] = lambda q: True,
) -> CorpusOverview:
    """The overview of the completely indexed ``entries``; ``entities`` by article id. Of
    the candidate questions, the first few that ``answered`` accepts are kept (the chat
    asks its backend: an example that gets a refusal teaches nothing)."""
    done = [e for e in entries if e.state == "done"]
    outlets = Counter(e.source for e in done if e.source)
    days = Counter(d for d in (_day(e.published_at) for e in done) if d)
    found = [entities.get(e.id, ArticleEntities()) for e in done]
    aliases = org_aliases(found)
    organisations: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for f in found:
        organisations.update(set(aliases.get(o, o) for o in f.organisations))
        places.update(f.places)
    people_counts, moved, full = checked_people(found, set(places))
    places.update(moved)
    people = _top(people_counts)
    speakers: Counter[tuple[str, str]] = Counter()
    near: dict[tuple[str, str], Counter[str]] = {}
    for f in found:
        for s, v in dict.fromkeys((full.get(s, s), v) for s, v in f.speakers):
            speakers[(s, v)] += 1
            near.setdefault((s, v), Counter()).update(f.places)
    topics = {k: _topic(k[0], c, places, len(done)) for k, c in near.items()}
    subject, place = corpus_topic(found, places)
    examples = pick_examples(example_candidates(subject, place, speakers, topics, people), answered)
    return CorpusOverview(
        articles=len(done),
        paragraphs=sum(e.paragraphs for e in done),
        outlets=_top(outlets, n=len(outlets)),
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        per_day=tuple(Count(d, days[d]) for d in sorted(days)),
        undated=len(done) - sum(days.values()),
        people=people,
        organisations=_top(organisations),
        places=_top(places),
        questions=tuple(e.question for e in examples),
        examples=examples,
        topic=f"{subject} in {place}" if subject and place else subject,
    )


LeadTexts = Callable[[Sequence[ManifestEntry]], Mapping[str, str]]


class OverviewCache:
    """The overview of an index, kept in ``folder`` (a data dir's overview/): entities per
    article by content hash, and the last overview by index version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(
        self,
        entries: Sequence[ManifestEntry],
        lead_texts: LeadTexts,
        answered: Callable[[str], bool] = lambda q: True,
    ) -> CorpusOverview:
        """The overview of ``entries``; ``lead_texts(entries)`` gives, by article id, the
        title and first paragraphs of articles whose entities are not kept yet; example
        questions are kept when ``answered`` (build_overview)."""
        done = [e for e in entries if e.state == "done"]
        version = index_key({e.id: e.content_hash for e in done})[:32]
        saved = self._read(f"overview-{_FORMAT}-{version}.json")
        if saved is not None:
            try:
                return CorpusOverview.from_json(saved)
            except (TypeError, KeyError):
                pass  # written by another version: computed again
        kept = self._read(f"entities-{_FORMAT}.json") or {}
        entities: dict[str, ArticleEntities] = {}
        newest = sorted(done, key=lambda e: (e.published_at or "", e.indexed_at, e.id))
        newest = newest[-ENTITY_ARTICLES:]
        for e in newest:
            row = kept.get(e.id)
            if row and row.get("hash") == e.content_hash:
                entities[e.id] = _entities_from(row)
        missing = [e for e in newest if e.id not in entities]
        if missing:
            texts = lead_texts(missing)
            parsed = article_entities([texts.get(e.id, e.title) for e in missing])
            entities.update(zip((e.id for e in missing), parsed, strict=True))
            rows = {e.id: {"hash": e.content_hash, **asdict(entities[e.id])} for e in newest}
            self._write(f"entities-{_FORMAT}.json", rows)
        overview = build_overview(done, entities, answered)
        for old in self.folder.glob("overview-*.json"):
            old.unlink(missing_ok=True)
        self._write(f"overview-{_FORMAT}-{version}.json", overview.to_json())
        return overview

    def _read(self, name: str) -> Any:
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, name: str, data: object) -> None:
        """Atomically (a page served in another thread may be reading it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, self.folder / name)


def _entities_from(row: Mapping[str, Any]) -> ArticleEntities:
    return ArticleEntities(
        tuple(row.get("people", ())),
        tuple(row.get("organisations", ())),
        tuple(row.get("places", ())),
        tuple((s, v) for s, v in row.get("speakers", ())),
        tuple(row.get("subjects", ())),
        tuple((a, b) for a, b in row.get("aliases", ())),
    )


def lead_paragraph_ids(entries: Iterable[ManifestEntry]) -> list[str]:
    """Ids of the first paragraphs of each article (``{article_id}:{index}``)."""
    return [f"{e.id}:{i}" for e in entries for i in range(min(LEAD_PARAGRAPHS, e.paragraphs))]


# -- filters that match nothing ------------------------------------------------------------
def _names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def empty_filter_message(filters: Filters, entries: Sequence[ManifestEntry]) -> str | None:
    """Why no indexed article can answer under ``filters`` ("No articles from Reuters are
    indexed", "0 articles match these dates ..."), or None when some article matches.
    Said instead of "the articles do not answer this", which blames the articles."""
    if not filters:
        return None
    done = [e for e in entries if e.state == "done"]
    if filters.sources and not {e.source for e in done} & set(filters.sources):
        return f"No articles from {_names(filters.sources)} are indexed."
    if filters.article_ids and not {e.id for e in done} & set(filters.article_ids):
        return f"No article with the id {_names(filters.article_ids)} is indexed."
    chosen = [
        e
        for e in done
        if (not filters.sources or e.source in filters.sources)
        and (not filters.article_ids or e.id in filters.article_ids)
    ]
    if not (filters.since or filters.until):
        return None
    since, until = filters.since or dt.date.min, filters.until or dt.date.max
    if any(
        d is not None and since.isoformat() <= d <= until.isoformat()
        for d in map(_day, (e.published_at for e in chosen))
    ):
        return None
    span = f"{filters.since or '…'} to {filters.until or '…'}"
    among = f" from {_names(filters.sources)}" if filters.sources else ""
    return f"0 articles{among} match these dates ({span})."
