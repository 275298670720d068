"""Issue #26 case 7: ``briefing verify`` checks everything a reader of an export sees.

Exports are made at run time by the current code (real Chroma in a temp data dir, the fake
embedding): answers to questions of every kind, saved as ``briefing ask`` and the chat save
them, a conversation, and briefings of the story in tests/fixtures/briefing_story (new
since a date, since the last briefing, and with nothing new). Untouched, every one
verifies; tampered the ways the issue lists (a quoted figure, swapped citation numbers, a
claim's speaker, stance, figure or outlet, independent sources, conflicts emptied, a
timeline date, a "new" flag; an answer's question, a clause cut from its lead, fake
unsupported sentences or fallback, a refused answer's related text, its scope), each is
reported. Two hypothesis fuzzers change one visible field of a briefing or an answer at a
time: every change is reported.

Not fuzzed, with the reason (verify's docs say the same): a briefing's topic, filters,
``new_since`` and ``generated_at``, and a conversation's id, title and times, are what the
analyst asked and when, not facts of the index; an answer's ``trace`` is diagnostic.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assistant.cli import app
from assistant.export.schema import SchemaError, parse_document
from tests.conftest import FIXTURES

runner = CliRunner()
Doc = dict[str, Any]
STORY = FIXTURES / "briefing_story" / "articles"
TOPIC = "Dornet flood evacuations"
WHO = "Who confirmed that about 10,000 North Korean soldiers had been sent to Russia?"
QUESTIONS = [
    WHO,
    "Who denied the reports?",
    "Which Pentagon spokesperson confirmed that about 10,000 North Korean soldiers had been "
    "sent to eastern Russia?",
    "Did the Pentagon confirm that North Korean troops were sent to Russia?",
    "Has the Kremlin confirmed any of the US figures on North Korean troops?",
    "Did Putin deny that North Korean soldiers were in Russia?",
    "How many North Korean troops did Blinken say were in the Kursk region?",
    "How many North Korean troops did Zelensky say were in the Kursk region by November?",
    "How did the figures of North Korean troops change?",
    "How do the estimates from Seoul and Kyiv differ?",
    "When did the NIS tell lawmakers that North Korean soldiers had entered combat?",
    "Where did NATO's secretary general speak after being briefed on the deployment?",
    "Why do South Korean officials point to the June treaty?",
    "What did North Korea's vice foreign minister say about a possible deployment?",
    "What did the Pentagon say since 1 November 2024?",
    "According to Rutte, in which Russian region are North Korean military units now deployed?",
    "How do I bake sourdough bread?",
    "What did China say about North Korean troops in Russia?",
]
FOLLOW_UP = ("Who reported the North Korean desertions?", "And when?")


def _check(doc: Doc, assistant: Any, saved: bool = True) -> Any:
    """``check_document`` of ``doc`` against the assistant's index (and its saved
    conversations, when the verifier reads them and ``saved``)."""
    from assistant.export.verify import check_document

    extra = {}
    if saved and "conversations" in inspect.signature(check_document).parameters:
        extra["conversations"] = assistant.conversations
    return check_document(
        parse_document(json.dumps(doc)), assistant.store, assistant.manifest, **extra
    )


def _problems(report: Any) -> list[str]:
    return [f"{c.status} {c.detail}" for c in [*report.quotes, *report.answers] if not c.ok]


# -- the exports ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def samples(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("tamper-samples") / "data"
    shutil.copytree(sample_index, data)
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def answers(samples: Any) -> dict[str, Doc]:
    """Each question's answer, saved as `briefing ask` saves it, and its JSON export; and a
    conversation of a question and its follow-up."""
    from assistant.conversations import ConversationHandle
    from assistant.export.schema import answer_json, conversation_json

    docs = {
        q: json.loads(answer_json(samples.ask(q, conversation=ConversationHandle())))
        for q in QUESTIONS
    }
    handle = ConversationHandle()
    for q in FOLLOW_UP:
        samples.ask(q, conversation=handle)
    assert handle.id is not None
    docs["conversation"] = json.loads(conversation_json(samples.conversation(handle.id)))
    return docs


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("tamper-story") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    assert assistant.indexer().index([str(STORY)]).new == 6
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def briefings(story: Any) -> dict[str, Doc]:
    from assistant.brief import document
    from assistant.brief.build import build
    from vectorstore.filters import Filters

    def out(b: Any) -> Doc:
        return json.loads(document.briefing_json(b))

    docs = {
        "new since a date": out(build(story, TOPIC, new_since=dt.date(2025, 3, 5), remember=False)),
        "first briefing": out(build(story, TOPIC)),  # remembered: the next counts from it
        "since the last briefing": out(build(story, TOPIC)),
        "filtered": out(
            build(story, TOPIC, Filters(sources=("Coast Gazette", "Harbor Times")), remember=False)
        ),
    }
    assert docs["since the last briefing"]["new_since"] == docs["first briefing"]["generated_at"]
    assert {c["new"] for c in docs["new since a date"]["claims"]} == {True, False}
    return docs


# -- untouched: no false alarm ---------------------------------------------------------------
# A lead of the model's answer span cut inside a word of its sentence ("gy" of "strategy",
# "500" of "1,500"): the reader model still training writes such spans, and verify rightly
# says the citation does not state them. Nothing else may be reported of an untouched export.
_CUT_SPAN = re.compile(r"altered the direct answer says '(.+)', which its citations do not")


def _cut_inside_a_word(problem: str, doc: Doc) -> bool:
    m = _CUT_SPAN.fullmatch(problem)
    if m is None or doc.get("trace", {}).get("lead_rule") != "span":
        return False
    span = re.escape(m.group(1))
    return any(re.search(rf"\w{span}|{span}\w", c["quote"]) for c in doc["citations"])


def test_untouched_exports_verify(
    samples: Any, answers: dict[str, Doc], story: Any, briefings: dict[str, Doc]
) -> None:
    cut = 0
    for name, doc in answers.items():
        found = _problems(_check(doc, samples))
        cut += sum(_cut_inside_a_word(p, doc) for p in found)
        assert all(_cut_inside_a_word(p, doc) for p in found), (name, found)
    assert cut < len(answers) // 2  # (said in the report of the issue)
    for name, doc in briefings.items():
        assert _problems(_check(doc, story)) == [], name


# -- the tamperings the issue lists, through `briefing verify` ---------------------------------
def _replace(path: list[Any], old: str, new: str) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        holder = doc
        for key in path[:-1]:
            holder = holder[key]
        assert old in holder[path[-1]], (old, holder[path[-1]])
        holder[path[-1]] = holder[path[-1]].replace(old, new)

    return edit


def _set(path: list[Any], value: Any) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        holder = doc
        for key in path[:-1]:
            holder = holder[key]
        assert holder[path[-1]] != value
        holder[path[-1]] = value

    return edit


def _swap_numbers(doc: Doc) -> None:
    """The first two citations of the Key claims trade numbers (the text keeps its markers)."""
    first, second = doc["sections"][0]["answer"]["citations"][:2]
    first["n"], second["n"] = second["n"], first["n"]


def _flip_new(doc: Doc) -> None:
    claim = doc["claims"][-1]
    claim["new"] = not claim["new"]


def _group_of(doc: Doc, sources: int) -> int:
    return next(i for i, g in enumerate(doc["groups"]) if g["independent_sources"] == sources)


# (case, tampering, what the report names)
BRIEFING_TAMPERS = [
    (
        "quoted figure in a section",
        _replace(["sections", 0, "answer", "answer"], "3,000 —", "30,000 —"),
        "sections[0].answer.answer",
    ),
    ("claim's quote", _replace(["claims", 0, "proposition"], "about 3,000", "30,000"), "claim"),
    ("claim's figure", _set(["claims", 0, "figures", 0, "low"], 30000.0), "figures[0].low"),
    (
        "claim's figure as written",
        _set(["claims", 0, "figures", 0, "text"], "about 30,000"),
        "text",
    ),
    ("swapped citation numbers", _swap_numbers, "sections[0].answer.citations"),
    ("claim's speaker", _set(["claims", 0, "speaker"], "Regional governor Ilse Marten"), "speaker"),
    ("claim's stance", _set(["claims", 1, "stance"], "confirmed"), "claims[1].stance"),
    ("claim's outlet", _set(["claims", 0, "outlet"], "Harbor Times"), "claims[0].outlet"),
    (
        "independent sources 2 -> 20",
        lambda d: d["groups"][_group_of(d, 2)].update(independent_sources=20),
        "independent_sources",
    ),
    ("conflicts emptied", _set(["conflicts"], []), "conflicts has 0 entries"),
    ("timeline date", _set(["timeline", 0, "date"], "2025-03-01"), "timeline[0].date"),
    ("new flag", _flip_new, ".new"),
    ("corpus", lambda d: d["corpus"].update(articles=d["corpus"]["articles"] + 5), "corpus"),
]


def _verify_cli(doc: Doc, data: Path, tmp_path: Path) -> Any:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    env = {"COLUMNS": "400", "BRIEFING_DATA_DIR": str(data)}
    return runner.invoke(app, ["verify", str(path)], env=env)


@pytest.mark.parametrize(
    ("tamper", "named"), [t[1:] for t in BRIEFING_TAMPERS], ids=[t[0] for t in BRIEFING_TAMPERS]
)
def test_tampered_briefings_are_reported(
    story: Any,
    briefings: dict[str, Doc],
    tmp_path: Path,
    tamper: Callable[[Doc], None],
    named: str,
) -> None:
    doc = copy.deepcopy(briefings["new since a date"])
    tamper(doc)
    result = _verify_cli(doc, story.settings.data_dir, tmp_path)
    assert result.exit_code == 1, result.output
    shown = [line for line in result.output.splitlines() if line.strip().startswith("ALTERED")]
    assert any(named in line for line in shown), result.output


def _answered(answers: dict[str, Doc], rule: str | None = None) -> Doc:
    """An answered export (of lead rule ``rule``), the first of the questions."""
    for q in QUESTIONS:
        d = answers[q]
        if (
            not d["refused"]
            and d["citations"]
            and (rule is None or d["trace"]["lead_rule"] == rule)
        ):
            return d
    raise AssertionError(f"no answer of rule {rule} among the questions")


def _refused(answers: dict[str, Doc]) -> Doc:
    return next(answers[q] for q in QUESTIONS if answers[q]["refused"] and answers[q]["related"])


def _cut_clause(doc: Doc) -> None:
    """A clause cut from the direct answer line, as a careful forger would: the answer text
    and the listed markers kept in step."""
    lead = doc["lead"]
    body, marker = lead.rsplit(" ", 1)
    cut = max(body.rfind(", "), body.rfind(" that "), body.rfind(" and "))
    assert cut > 0, lead
    new = f"{body[:cut]}. {marker}" if not body[:cut].endswith(".") else f"{body[:cut]} {marker}"
    doc["answer"] = new + doc["answer"][len(lead) :]
    doc["lead"] = new
    doc["markers"] = []


def _other_question(doc: Doc) -> None:
    doc["question"] = doc["question"].replace("North Korean", "Chinese")


def _fake_unsupported(doc: Doc) -> None:
    doc["unsupported"] = ["The Pentagon said 50,000 North Korean troops had died."]


def _fake_fallback(doc: Doc) -> None:
    doc["fallback"] = True
    doc["unsupported"] = ["The model wrote that the Kremlin confirmed everything."]


def _related_text(doc: Doc) -> None:
    r = doc["related"][0]
    r["paragraph_text"] = r["paragraph_text"].replace(" ", " not ", 1)


# (case, which export, tampering, what the report names)
ANSWER_TAMPERS: list[tuple[str, Callable[[dict[str, Doc]], Doc], Callable[[Doc], None], str]] = [
    ("question", lambda a: a[WHO], _other_question, "question"),
    ("clause cut from the lead", lambda a: _answered(a, "clause") or a[WHO], _cut_clause, "lead"),
    ("fake unsupported", lambda a: _answered(a), _fake_unsupported, "unsupported"),
    ("fake fallback", lambda a: _answered(a), _fake_fallback, "fallback"),
    ("refused answer's related text", _refused, _related_text, "related"),
    (
        "scope invented",
        lambda a: _answered(a),
        lambda d: d.update(scope="Only articles from Reuters were read, as the question asks."),
        "scope",
    ),
    (
        "scope removed",
        lambda a: a[
            "How many North Korean troops did Zelensky say were in the Kursk region by November?"
        ],
        _set(["scope"], ""),
        "scope",
    ),
]


@pytest.mark.parametrize(
    ("pick", "tamper", "named"), [t[1:] for t in ANSWER_TAMPERS], ids=[t[0] for t in ANSWER_TAMPERS]
)
def test_tampered_answers_are_reported(
    samples: Any,
    answers: dict[str, Doc],
    tmp_path: Path,
    pick: Callable[[dict[str, Doc]], Doc],
    tamper: Callable[[Doc], None],
    named: str,
) -> None:
    doc = copy.deepcopy(pick(answers))
    tamper(doc)
    result = _verify_cli(doc, samples.settings.data_dir, tmp_path)
    assert result.exit_code == 1, result.output
    shown = [line for line in result.output.splitlines() if line.strip().startswith("ALTERED")]
    assert any(named in line for line in shown), result.output


# Without the saved record (an answer asked with --no-save), what the index and the
# question's words give is still checked.
UNSAVED_TAMPERS = [t for t in ANSWER_TAMPERS if t[0] not in ("question", "fake fallback")]


@pytest.mark.parametrize(
    ("pick", "tamper", "named"),
    [t[1:] for t in UNSAVED_TAMPERS],
    ids=[t[0] for t in UNSAVED_TAMPERS],
)
def test_tampered_unsaved_answers_are_reported(
    samples: Any,
    answers: dict[str, Doc],
    pick: Callable[[dict[str, Doc]], Doc],
    tamper: Callable[[Doc], None],
    named: str,
) -> None:
    doc = copy.deepcopy(pick(answers))
    assert _problems(_check(doc, samples, saved=False)) == [] or doc["trace"]["lead_rule"] == "span"
    tamper(doc)
    found = _problems(_check(doc, samples, saved=False))
    assert any(named in p for p in found), found


@pytest.mark.parametrize("rule", ["stance", "figures"])
def test_unsaved_list_lead_with_a_part_dropped_is_reported(
    samples: Any, answers: dict[str, Doc], rule: str
) -> None:
    """ "Confirmed by A [1]; and by B [2]; ..." or "1,500 ... [1]; then 10,000 ... [2]" with
    its second part dropped, that part's sentence still quoted below: the rule lists every
    stance or figure of the sentences it quotes."""
    doc = copy.deepcopy(_answered(answers, rule))
    lead = doc["lead"]
    cut = lead.find("]; ") + 1  # parts end with their marker ("(Speaker; Outlet)" does not)
    assert cut > 0, lead
    end = lead.find("]; ", cut + 2) + 1
    end = len(lead) if end <= 0 else end
    number = int(re.findall(r"\[(\d+)\]", lead[cut:end])[-1])
    body = doc["answer"][len(lead) :]
    assert f"[{number}]" in body, doc["answer"]  # else its citation, unreferenced, tells
    lead = lead[:cut] + lead[end:]
    doc["answer"], doc["lead"], doc["markers"] = lead + body, lead, []
    found = _problems(_check(doc, samples, saved=False))
    assert any("the lead leaves out" in p for p in found), found


# What the analyst asked is checked for consistency with what the briefing shows.
PARAMETERS = [
    ("a topic the articles are not about", "topic", "Harbour crane strike", "about the topic"),
    (
        "a filter the claims do not pass",
        "filters",
        {"sources": ["Valley Courier"], "since": None, "until": None},
        "outside the briefing's filters",
    ),
    ("a filter that is no date", "filters", {"sources": [], "since": "soon"}, "is not a date"),
    ("new since another date", "new_since", "2025-03-06", ".new"),
]


@pytest.mark.parametrize(
    ("field", "value", "named"), [p[1:] for p in PARAMETERS], ids=[p[0] for p in PARAMETERS]
)
def test_briefing_parameters_are_consistent_with_it(
    story: Any, briefings: dict[str, Doc], field: str, value: Any, named: str
) -> None:
    doc = copy.deepcopy(briefings["new since a date"])
    doc[field] = value
    found = _problems(_check(doc, story))
    assert any(named in p for p in found), found


def test_the_saved_record_of_another_question_is_no_false_alarm(
    samples: Any, answers: dict[str, Doc]
) -> None:
    """Without a trace (an LLM backend's answer, an older export) an answer is found among
    the saved ones by its question as well as its sentences: one sentence answers many
    questions, and another question's saved answer citing it says nothing of this one."""
    from assistant.conversations import ConversationStore
    from assistant.export.schema import AnswerOut, answer_in

    doc = copy.deepcopy(_answered(answers, "clause"))
    doc["trace"] = None
    store = ConversationStore.in_data_dir(samples.settings.data_dir)
    store.save(answer_in(AnswerOut.model_validate(doc)))
    other = copy.deepcopy(doc)
    other["question"] = "Where were North Korean units deployed, according to NATO?"
    other["answer_type"] = ""
    assert _problems(_check(other, samples)) == []
    faked = copy.deepcopy(doc)
    faked["unsupported"] = ["The model wrote that Moscow confirmed it."]
    assert any("saved conversation" in p for p in _problems(_check(faked, samples)))


# -- fuzz: one visible field changed at a time ---------------------------------------------------
_NOT_FACTS = {"schema_version", "kind", "topic", "generated_at", "filters", "new_since"}
_CONVERSATION_META = {"id", "title", "created_at", "asked_at"}
_WORD = re.compile(r"[A-Za-z][\w'-]*|\d[\d,.]*\d|\d")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        yield path, value
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _fields(doc: Doc, answer: bool) -> list[tuple[tuple[Any, ...], Any]]:
    out = []
    conversation = doc.get("kind") == "conversation"
    for path, value in _leaves(doc):
        keys = [k for k in path if isinstance(k, str)]
        if not path or (keys[:1] and keys[0] in _NOT_FACTS) or "trace" in keys:
            continue
        if conversation and len(path) in (1, 3) and path[-1] in _CONVERSATION_META:
            continue
        if isinstance(value, list) and not value and not answer:
            continue
        out.append((path, value))
    return out


def _put(doc: Doc, path: tuple[Any, ...], value: Any) -> None:
    holder = doc
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value


@st.composite
def _changed(draw: st.DrawFn, docs: list[Doc], answer: bool) -> tuple[Doc, str]:
    """A copy of one of ``docs`` with one visible field changed (never to its old value)."""
    cited = next(c for d in docs for a in _all_answers(d) for c in a["citations"])
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    path, old = draw(st.sampled_from(_fields(doc, answer)))
    if isinstance(old, bool):
        new: Any = not old
    elif isinstance(old, int):
        new = old + draw(st.sampled_from([-7, -1, 1, 3, 40]))
    elif isinstance(old, float):
        new = old * 10 + 1
    elif old is None:
        new = draw(st.sampled_from(["x", "Reuters", "2024-01-01"]))
    elif isinstance(old, str):
        spots = list(_WORD.finditer(old))
        word = draw(st.from_regex(r"[a-z]{3,8}|[1-9][0-9]{1,5}", fullmatch=True))
        if spots and draw(st.booleans()):
            m = draw(st.sampled_from(spots))
            if word.lower() == m.group(0).lower():
                word += "q"
            new = old[: m.start()] + word + old[m.end() :]
        else:
            new = old + " " + word if old else word
    elif old:  # a list: one entry dropped, or the first repeated
        if draw(st.booleans()):
            i = draw(st.integers(0, len(old) - 1))
            new = old[:i] + old[i + 1 :]
        else:
            new = [*old, copy.deepcopy(old[0])]
    else:  # an empty list of an answer: something listed
        new = {
            "removed_markers": [7],
            "markers": [{"n": 1, "start": 0, "end": 3}],
            "citations": [copy.deepcopy(cited)],
            "related": [{k: v for k, v in cited.items() if k in _RELATED}],
        }.get(path[-1], [draw(st.sampled_from(["The Pentagon denied everything.", "Moscow"]))])
    _put(doc, path, new)
    return doc, f"{'.'.join(map(str, path))}: {old!r} -> {new!r}"[:300]


_RELATED = [
    "article_id",
    "paragraph_id",
    "title",
    "source",
    "published_at",
    "paragraph_index",
    "paragraph_text",
    "url",
    "author",
    "char_start",
    "char_end",
    "content_hash",
]


def _all_answers(doc: Doc) -> list[Doc]:
    if doc.get("kind") == "conversation":
        return [t["answer"] for t in doc["turns"]]
    if doc.get("kind") == "briefing":
        return [s["answer"] for s in doc["sections"]]
    return [doc]


_FUZZ = settings(
    max_examples=70,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reported(doc: Doc, assistant: Any) -> bool:
    try:
        return not _check(doc, assistant).ok
    except SchemaError:
        return True  # not an export this version reads: exit 2


def test_fuzz_every_changed_briefing_field_is_reported(
    story: Any, briefings: dict[str, Doc]
) -> None:
    docs = list(briefings.values())

    @_FUZZ
    @given(_changed(docs, answer=False))
    def run(changed: tuple[Doc, str]) -> None:
        doc, what = changed
        assert _reported(doc, story), what

    run()


def test_fuzz_every_changed_answer_field_is_reported(samples: Any, answers: dict[str, Doc]) -> None:
    docs = list(answers.values())

    @_FUZZ
    @given(_changed(docs, answer=True))
    def run(changed: tuple[Doc, str]) -> None:
        doc, what = changed
        assert _reported(doc, samples), what

    run()
