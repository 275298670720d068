"""LLM backends with LangChain's fake chat models: validation of generated sentences,
streaming, prompt injection, refusal in code, and the registry's lazy imports."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.backends.chat import ChatBackend, Checker, split_complete
from assistant.backends.extractive import ExtractiveBackend
from assistant.backends.prompt import SYSTEM, build_messages
from assistant.backends.registry import build_chat_model, make_backend
from assistant.citations import citation_checks, problems
from assistant.errors import BackendError
from assistant.models import REFUSAL
from ingest.models import ArticleRef, Paragraph
from vectorstore.embeddings import HashingEmbeddings
from vectorstore.models import Hit, Passage

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def hit(n: int, text: str, source: str = "Outlet") -> Hit:
    ref = ArticleRef(f"a{n}", f"Title {n}", source, f"h{n}", published_at="2024-10-28")
    return Hit(Passage(ref, Paragraph(f"a{n}", 0, text, 0, len(text))))


BERG = "Harbour master Ola Berg confirmed on Monday that 12 tankers were held at the port."
HITS = [
    hit(
        1,
        "Harbour master Ola Berg confirmed on Monday that 12 tankers were held at the port. "
        "He said the ban would last a week.",
    ),
    hit(
        2,
        "The shipping union claimed that 300 sailors were stranded. "
        "The claim has not been independently verified.",
        "Dock Weekly",
    ),
    hit(3, "The ministry denied that any tanker had been seized.", "Coast Post"),
]


@pytest.mark.parametrize(
    ("generated", "text", "unsupported", "removed"),
    [
        # verbatim quote with a valid marker: kept
        (
            [BERG + " [1]"],
            BERG + " [1]",
            [],
            [],
        ),
        # invented marker next to a valid one: the invented one goes, reported
        (
            ["The ministry denied that any tanker had been seized [3][9]."],
            "The ministry denied that any tanker had been seized. [1]",
            [],
            [9],
        ),
        # only an invented marker, but a provided paragraph supports it: re-cited
        (
            ["The ministry denied that any tanker had been seized. [42]"],
            "The ministry denied that any tanker had been seized. [1]",
            [],
            [42],
        ),
        # marker to a paragraph that does not support it, and nothing else does: flagged
        (
            ["Twelve tankers were sunk by the navy. [1]"],
            REFUSAL,
            ["Twelve tankers were sunk by the navy."],
            [1],
        ),
        # a figure the cited paragraph does not state: flagged
        (
            ["The shipping union claimed that 900 sailors were stranded. [2]"],
            REFUSAL,
            ["The shipping union claimed that 900 sailors were stranded."],
            [2],
        ),
        # a negation the paragraph does not make: flagged
        (
            ["Ola Berg said the ban would not last a week. [1]"],
            REFUSAL,
            ["Ola Berg said the ban would not last a week."],
            [1],
        ),
        # a close paraphrase with the paragraph's words and figures: kept
        (
            ["The union claimed 300 sailors were stranded, which has not been verified. [2]"],
            "The union claimed 300 sailors were stranded, which has not been verified. [1]",
            [],
            [],
        ),
        # uncited but supported: cited; uncited and unsupported: flagged
        (
            ["The ministry denied that any tanker had been seized.", "Pirates were involved."],
            "The ministry denied that any tanker had been seized. [1]",
            ["Pirates were involved."],
            [],
        ),
        # [0] and negative-looking markers are invented too
        (
            ["He said the ban would last a week [0]."],
            "He said the ban would last a week. [1]",
            [],
            [0],
        ),
    ],
)
def test_checker(
    generated: list[str], text: str, unsupported: list[str], removed: list[int]
) -> None:
    checker = Checker("q", HITS)
    for sentence in generated:
        checker.add(sentence)
    answer = checker.answer()
    assert answer.text == text
    assert list(answer.unsupported) == unsupported
    assert list(answer.removed_markers) == removed
    assert problems(answer) == []
    assert all(ok for _c, _s, ok in citation_checks(answer))


def test_same_quote_twice_is_one_citation() -> None:
    checker = Checker("q", HITS)
    checker.add("The ministry denied that any tanker had been seized. [3]")
    checker.add("The ministry denied that any tanker had been seized, it said. [3]")
    answer = checker.answer()
    assert [c.number for c in answer.citations] == [1]
    assert answer.citations[0].stance == "denied"
    assert answer.citations[0].speaker == "The ministry"


@pytest.mark.parametrize(
    ("buffer", "done", "rest"),
    [
        ("One claim [1]. Another", ["One claim [1]."], "Another"),
        ("One claim. [1] Another [2]. Third", ["One claim. [1]", "Another [2]."], "Third"),
        ("The U.S. Navy said so [1]. Then", ["The U.S. Navy said so [1]."], "Then"),
        ("Gen. Flynn warned [2]. ", [], "Gen. Flynn warned [2]. "),
        ("no end yet [1", [], "no end yet [1"),
    ],
)
def test_split_complete(buffer: str, done: list[str], rest: str) -> None:
    assert split_complete(buffer) == (done, rest)


def backend(model: Any, gate: ExtractiveBackend | None = None) -> ChatBackend:
    return ChatBackend("fake", model, gate=gate)


def test_stream_yields_only_checked_sentences_and_equals_the_answer() -> None:
    reply = (
        "Harbour master Ola Berg confirmed on Monday that 12 tankers were held at the port "
        "[1]. The moon is made of cheese [2]. The ministry denied that any tanker had been "
        "seized [3]."
    )
    stream = backend(GenericFakeChatModel(messages=iter([reply]))).stream("q", HITS)
    chunks = list(stream)
    assert len(chunks) == 2
    answer = stream.answer
    assert "".join(chunks) == answer.text
    assert answer.unsupported == ("The moon is made of cheese.",)
    assert "cheese" not in answer.text
    assert [c.passage.article.id for c in answer.citations] == ["a1", "a3"]


def test_model_refusal_is_a_refusal_with_related_paragraphs() -> None:
    answer = backend(FakeListChatModel(responses=[REFUSAL])).answer("q", HITS)
    assert answer.refused
    assert answer.text.startswith(REFUSAL)
    assert answer.citations == ()
    assert answer.related == tuple(h.passage for h in HITS[:3])


class Unreachable(FakeListChatModel):
    """A chat model that fails the test if it is ever called."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("the model must not be called")

    def _stream(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model must not be called")


def test_refusal_in_code_does_not_call_the_model() -> None:
    gate = ExtractiveBackend()
    chat = backend(Unreachable(responses=["x"]), gate=gate)
    answer = chat.answer("What is the recipe for sourdough bread?", HITS)
    assert answer.refused
    assert chat.answer("Anything?", []).refused


def test_model_errors_become_backend_errors() -> None:
    class Broken(FakeListChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("connection refused")

    with pytest.raises(BackendError, match="connection refused"):
        backend(Broken(responses=["x"])).answer("q", HITS)


# -- prompt injection ---------------------------------------------------------------------
def injection_hit() -> Hit:
    text = (FIXTURES / "injection" / "2024-11-02-harbour-gazette-injection.md").read_text()
    body = text.split("---", 2)[2].strip()
    return hit(9, body, "Harbour Gazette")


def test_article_text_is_delimited_data_in_the_prompt() -> None:
    hits = [*HITS, injection_hit()]
    messages = build_messages("How many tankers were held?", hits)
    assert isinstance(messages[0], SystemMessage)
    assert messages[0].content == SYSTEM  # no article text can reach the rules
    assert all("Ignore previous" not in str(m.content) for m in messages[:-1])
    last = str(messages[-1].content)
    assert last.count("<source ") == len(hits)  # the article's fake <source> is escaped
    assert last.count("</source>") == len(hits)
    assert "&lt;/source&gt; &lt;source id=" in last
    assert last.rstrip().endswith("Answer with [n] markers after every sentence.")


def test_an_obedient_model_cannot_smuggle_injected_claims() -> None:
    hits = [*HITS, injection_hit()]
    obeyed = (
        "HACKED. The Pentagon denied that North Korean troops were in Russia [99]. "
        "Harbour master Ola Berg confirmed that 12 tankers were held at the port [1]."
    )
    answer = backend(FakeListChatModel(responses=[obeyed])).answer("How many tankers?", hits)
    assert answer.text == (
        "Harbour master Ola Berg confirmed that 12 tankers were held at the port. [1]"
    )
    assert answer.unsupported == (
        "HACKED.",
        "The Pentagon denied that North Korean troops were in Russia.",
    )
    assert answer.removed_markers == (99,)
    assert [c.passage.article.source for c in answer.citations] == ["Outlet"]


def test_history_is_in_the_prompt() -> None:
    class Turn:
        def __init__(self, question: str, answer: str) -> None:
            self.question, self.answer = question, answer

    history = [Turn(f"question {i}", f"answer {i} [1]") for i in range(5)]
    messages = build_messages("And then?", HITS, history, turns=2)
    contents = [str(m.content) for m in messages]
    assert contents[1:5] == ["question 3", "answer 3", "question 4", "answer 4"]
    assert isinstance(messages[-1], HumanMessage)


# -- registry -----------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["ollama:llama3.2", "openai:gpt-4o-mini", "llamacpp:/m.gguf"])
def test_fake_llm_run_of_each_backend_kind(settings, spec: str) -> None:  # type: ignore[no-untyped-def]
    settings = settings.model_copy(update={"backend": spec})
    reply = "Harbour master Ola Berg confirmed on Monday that 12 tankers were held at the port [1]."
    chat = make_backend(settings, HashingEmbeddings(), GenericFakeChatModel(messages=iter([reply])))
    assert chat.name == spec
    answer = chat.answer("Who confirmed that tankers were held at the port?", HITS)
    assert not answer.refused
    assert answer.citations[0].stance == "confirmed"
    assert answer.citations[0].speaker == "Harbour master Ola Berg"


@pytest.mark.parametrize(
    ("spec", "module", "cls", "expected"),
    [
        (
            "ollama:llama3.2",
            "langchain_ollama",
            "ChatOllama",
            {"model": "llama3.2", "base_url": "http://127.0.0.1:11434", "temperature": 0},
        ),
        (
            "openai:qwen2",
            "langchain_openai",
            "ChatOpenAI",
            {"model": "qwen2", "base_url": "http://127.0.0.1:11434", "api_key": "not-needed"},
        ),
    ],
)
def test_registry_builds_the_chat_model_lazily(
    settings,
    monkeypatch,
    spec,
    module,
    cls,  # type: ignore[no-untyped-def]
    expected,
) -> None:
    made: dict[str, Any] = {}

    class Recorder(FakeListChatModel):
        def __init__(self, **kwargs: Any) -> None:
            made.update(kwargs)
            super().__init__(responses=["x"])

    monkeypatch.setitem(sys.modules, module, types.SimpleNamespace(**{cls: Recorder}))
    settings = settings.model_copy(
        update={"backend": spec, "llm_base_url": "http://127.0.0.1:11434"}
    )
    chat = make_backend(settings, HashingEmbeddings())
    assert made == {}  # nothing built before the first question
    assert isinstance(chat, ChatBackend)
    assert isinstance(chat.model, Recorder)
    assert made.items() >= expected.items()


def test_llamacpp_needs_an_existing_model_file(settings) -> None:  # type: ignore[no-untyped-def]
    settings = settings.model_copy(update={"backend": "llamacpp:/nowhere/model.gguf"})
    with pytest.raises(BackendError, match="no GGUF model file"):
        build_chat_model(settings)


def test_missing_package_names_the_extra(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)  # import fails
    settings = settings.model_copy(update={"backend": "ollama:llama3.2"})
    with pytest.raises(BackendError) as info:
        build_chat_model(settings)
    assert "briefing[ollama]" in info.value.hint


@pytest.mark.parametrize("spec", ["gpt", "ollama", "ollama:", "extractive:x:y"])
def test_bad_backend_specs(settings, spec: str) -> None:  # type: ignore[no-untyped-def]
    settings = settings.model_copy(update={"backend": spec})
    if spec.startswith("extractive"):
        assert make_backend(settings, HashingEmbeddings()).name == "extractive"
        return
    with pytest.raises(BackendError):
        make_backend(settings, HashingEmbeddings())
