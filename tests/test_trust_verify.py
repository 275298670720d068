"""Issue #16 case 5: `briefing verify` reports every tampered export (a fabricated title,
date, outlet, URL, stance or speaker; an edited answer; an empty, shortened or edited quote;
a bad citation number) with exit 1, tells an edited quote (ALTERED) from a paragraph the index
lost (MISSING), and reads unreadable input (huge integers, deep nesting, non-JSON) as exit 2,
never a traceback. A hypothesis fuzz run mutates exports the way a reader would notice."""

from __future__ import annotations

import copy
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
from assistant.export.schema import answer_json, parse_document
from assistant.models import Stance

runner = CliRunner()

WHO = "Who confirmed that about 10,000 North Korean soldiers had been sent to Russia?"
YES_NO = "Did the Pentagon confirm that North Korean troops were sent to Russia?"
HOW_MANY = "How many North Korean troops did Blinken say were in the Kursk region?"
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def samples(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An assistant over this module's own copy of the session's sample index."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("verify") / "data"
    shutil.copytree(sample_index, data)
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def exports(samples: Any) -> dict[str, Doc]:
    docs = {q: json.loads(answer_json(samples.ask(q))) for q in (WHO, YES_NO, HOW_MANY)}
    for doc in docs.values():
        assert doc["citations"] and not doc["refused"]
    return docs


@pytest.fixture
def verify_env(samples: Any) -> dict[str, str]:
    return {"COLUMNS": "400", "BRIEFING_DATA_DIR": str(samples.settings.data_dir)}


def _verify(doc: Doc | str, tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    path = tmp_path / "export.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return runner.invoke(app, ["verify", str(path)], env=env)


def test_untouched_exports_verify(
    exports: dict[str, Doc], tmp_path: Path, verify_env: dict[str, str]
) -> None:
    for doc in exports.values():
        result = _verify(doc, tmp_path, verify_env)
        assert result.exit_code == 0, result.output
        assert "0 problem(s) in the answer text" in result.output


def _cite(field: str, value: Any, i: int = 0) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        doc["citations"][i][field] = value

    return edit


def _text(old: str, new: str) -> Callable[[Doc], None]:
    """Edit the answer text (and the direct answer line, which opens it), as a careful
    forger would: the listed marker positions, which would give the edit away, removed."""

    def edit(doc: Doc) -> None:
        assert old in doc["answer"], (old, doc["answer"])
        doc["markers"] = []
        doc["answer"] = doc["answer"].replace(old, new)
        doc["lead"] = doc["lead"].replace(old, new)

    return edit


def _shorten(doc: Doc) -> None:
    """Cut a cited sentence to the clause after its first comma, in the quote (with
    consistent offsets) and in the answer text: "X said, Y" becomes "Y"."""
    c = next(c for c in doc["citations"] if ", " in c["quote"] and c["quote"] in doc["answer"])
    cut = c["quote"].index(", ") + 2
    short = c["quote"][cut:]
    doc["answer"] = doc["answer"].replace(c["quote"], short)
    doc["markers"] = []
    c["quote"], c["quote_start"] = short, c["quote_start"] + cut


def _edit_quote(doc: Doc) -> None:
    c = doc["citations"][0]
    c["quote"] = c["quote"].replace("North Korean", "Chinese", 1)
    c["quote_end"] = c["quote_start"] + len(c["quote"])


# (name, question, tampering, status shown, words of the detail)
TAMPERINGS = [
    ("title", WHO, _cite("title", "Invented headline"), "ALTERED", "title 'Invented headline'"),
    ("date", WHO, _cite("published_at", "2024-12-25"), "ALTERED", "published_at '2024-12-25'"),
    ("outlet", WHO, _cite("source", "Made-up Times"), "ALTERED", "source 'Made-up Times'"),
    ("url", WHO, _cite("url", "https://evil.example/x"), "ALTERED", "url 'https://evil.example/x'"),
    ("stance", WHO, _cite("stance", "denied"), "ALTERED", "stance 'denied'"),
    ("speaker", WHO, _cite("speaker", "Vladimir Putin"), "ALTERED", "speaker 'Vladimir Putin'"),
    ("empty quote", WHO, _cite("quote", ""), "ALTERED", "the quote is empty"),
    ("shortened quote", YES_NO, _shorten, "ALTERED", "not a whole sentence"),
    ("edited quote", WHO, _edit_quote, "ALTERED", "not verbatim"),
    ("number -5", WHO, _cite("n", -5), "ALTERED", "citation number -5 is not a positive"),
    ("duplicate number", WHO, _cite("n", 2), "ALTERED", "citation number 2 is used by 2"),
    (
        "denied 50,000",
        YES_NO,
        _text("confirmed on Monday that roughly 10,000", "denied on Monday that roughly 50,000"),
        "ALTERED",
        "answer",
    ),
    (
        "stance word",
        WHO,
        _text("Confirmed by Pentagon", "Denied by Pentagon"),
        "ALTERED",
        "['denied']",
    ),
    (
        "yes to no",
        YES_NO,
        _text("Yes:", "No:"),
        "ALTERED",
        "'No:' where its cited sentence says 'Yes:'",
    ),
    (
        "figure",
        HOW_MANY,
        lambda d: _text(re.findall(r"\d[\d,]*\d", d["lead"])[0], "90,000")(d),
        "ALTERED",
        "answer",
    ),
]


@pytest.mark.parametrize(
    ("question", "tamper", "status", "detail"),
    [t[1:] for t in TAMPERINGS],
    ids=[t[0] for t in TAMPERINGS],
)
def test_tampered_exports_fail(
    exports: dict[str, Doc],
    tmp_path: Path,
    verify_env: dict[str, str],
    question: str,
    tamper: Callable[[Doc], None],
    status: str,
    detail: str,
) -> None:
    doc = copy.deepcopy(exports[question])
    tamper(doc)
    result = _verify(doc, tmp_path, verify_env)
    assert result.exit_code == 1, result.output
    shown = [line for line in result.output.splitlines() if line.strip().startswith(status)]
    assert any(detail in line for line in shown), result.output
    assert "MISSING" not in result.output  # the index lost nothing: the export was edited


DEEP = '{"schema_version": 1, "kind": "answer", "question": ' + "[" * 100_000 + "]" * 100_000 + "}"
UNREADABLE = {
    "5000-digit integer": '{"schema_version": ' + "9" * 5000 + "}",
    "5000-digit citation number": '{"schema_version": 1, "citations": [{"n": ' + "7" * 5000 + "}]}",
    "100k-deep nesting": DEEP,
    "not json": "{not json",
    "a json list": "[1, 2]",
    "binary": "\udcff",
}


@pytest.mark.parametrize("text", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_input_is_exit_2_without_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 2, result.output
    assert "not a briefing JSON export" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


# -- fuzz: every change a reader would see is reported, nothing crashes ------------------
_SHOWN = ["title", "source", "url", "published_at", "author", "speaker", "quote", "paragraph_text"]
_WORD = re.compile(r"(?<![\w\\\[])[A-Za-z][\w'-]*|\d[\d,.]*\d|\d")


@st.composite
def mutations(draw: st.DrawFn, docs: list[Doc]) -> tuple[Doc, str]:
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    kind = draw(st.sampled_from(["field", "stance", "number", "quote cut", "word", "delete"]))
    c = draw(st.sampled_from(doc["citations"]))
    if kind == "field":
        name = draw(st.sampled_from(_SHOWN))
        value = draw(st.text(alphabet="abcXYZ 019-:/.", max_size=24))
        if value == (c[name] or ""):
            value += "x"
        c[name] = value
    elif kind == "stance":
        c["stance"] = draw(st.sampled_from([s.value for s in Stance if s.value != c["stance"]]))
    elif kind == "number":
        c["n"] = draw(st.integers(-(10**6), 10**6).filter(lambda n: n != c["n"]))
    elif kind == "quote cut":
        k = draw(st.integers(1, len(c["quote"])))
        if draw(st.booleans()):
            c["quote"], c["quote_start"] = c["quote"][k:], c["quote_start"] + k
        else:
            c["quote"], c["quote_end"] = c["quote"][:-k], c["quote_end"] - k
    else:  # a word of the answer replaced by a word of our own, or deleted (not the lead's)
        lead_end = len(doc["lead"])
        spots = [m for m in _WORD.finditer(doc["answer"]) if kind == "word" or m.start() > lead_end]
        m = draw(st.sampled_from(spots))
        new = (
            ""
            if kind == "delete"
            else draw(st.from_regex(r"[a-z]{3,9}|[1-9]\d{2,5}", fullmatch=True))
        )
        if new.lower() == m.group(0).lower():
            new += "q"
        doc["answer"] = doc["answer"][: m.start()] + new + doc["answer"][m.end() :]
        doc["markers"] = []  # (they would give the edit away)
        if m.end() <= lead_end:
            doc["lead"] = doc["answer"][: lead_end - len(m.group(0)) + len(new)]
        kind = f"{kind} {m.group(0)!r}"
    return doc, kind


def test_fuzz_every_visible_mutation_is_reported(samples: Any, exports: dict[str, Doc]) -> None:
    from assistant.export.verify import check_document

    store, manifest = samples.store, samples.manifest
    docs = list(exports.values())
    for doc in docs:  # the base documents are clean
        assert check_document(parse_document(json.dumps(doc)), store, manifest).ok

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(mutations(docs))
    def run(mutated: tuple[Doc, str]) -> None:
        doc, kind = mutated
        report = check_document(parse_document(json.dumps(doc)), store, manifest)
        assert not report.ok, kind

    run()
