"""Property-based tests of the loaders and the paragraph splitter: any input gives either
articles whose paragraphs are exactly where their offsets say, or an IngestError naming the
input and a reason — never another exception, never a hang (hypothesis deadlines)."""

from __future__ import annotations

import json
from datetime import timedelta

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.loaders import SUPPORTED_SUFFIXES, parse_source
from ingest.loaders.raw import RawSource
from ingest.models import Article
from ingest.paragraphs import split_paragraphs

# Generous per example (the CI machine is shared): a hang or a quadratic blow-up still fails.
LOADER = settings(
    max_examples=25,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SPLITTER = settings(max_examples=120, deadline=timedelta(seconds=5))

# Characters that tend to break text handling: every kind of line break and space, controls,
# quotes and sentence ends, combining marks, wide and astral characters.
AWKWARD = "\n\r\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000 .!?\"'“”’()[]#-:|\u0301é漢😀"
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(AWKWARD), st.characters(blacklist_categories=("Cs",))),
    max_size=3000,
)
SENTENCE = st.from_regex(r"[A-Z][a-z]{1,12}( [a-z]{1,10}){0,25}[.!?]( [\"'”)])?", fullmatch=True)
PROSE = st.lists(
    st.tuples(SENTENCE, st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n\r\n", "\n \t\n", ""])),
    max_size=60,
).map(lambda parts: "".join(s + sep for s, sep in parts))


def assert_paragraphs_hold(article_id: str, body: str, paragraphs: tuple) -> None:  # type: ignore[type-arg]
    previous_end = 0
    for i, p in enumerate(paragraphs):
        assert p.index == i and p.article_id == article_id
        assert 0 <= previous_end <= p.char_start < p.char_end <= len(body)
        assert body[p.char_start : p.char_end] == p.text
        assert p.text == p.text.strip() and p.text
        previous_end = p.char_end


def assert_well_formed(item: Article | IngestError, location: str) -> None:
    if isinstance(item, IngestError):
        assert item.location.startswith(location)
        assert isinstance(item.reason, str) and item.reason.strip()
        return
    assert isinstance(item, Article)
    assert item.body.strip() and item.paragraphs
    assert item.title and item.source and item.id and item.content_hash
    assert_paragraphs_hold(item.id, item.body, item.paragraphs)


def parse(kind: str, data: bytes) -> list[Article | IngestError]:
    location = f"/corpus/input{kind}"
    items = list(parse_source(RawSource(location, kind, data)))
    for item in items:
        assert_well_formed(item, location)
    return items


# -- the paragraph splitter ------------------------------------------------------------------
@SPLITTER
@given(body=st.one_of(TEXT, PROSE), max_chars=st.integers(min_value=20, max_value=2000))
@example(body="A.\r\n\r\nB.\u2028C.\x0b\n\x0cD.", max_chars=20)
@example(body="x" * 5000 + ". " + "Y" * 10, max_chars=20)
@example(body="Gen. Smith met Dr. J. Doe at 3 p.m. on Oct. 3. He said no." * 80, max_chars=50)
def test_splitter_offsets_hold_and_nothing_is_lost(body: str, max_chars: int) -> None:
    paragraphs = split_paragraphs("art", body, max_chars)
    assert_paragraphs_hold("art", body, paragraphs)
    covered = [False] * len(body)
    for p in paragraphs:
        covered[p.char_start : p.char_end] = [True] * (p.char_end - p.char_start)
    lost = [i for i, ch in enumerate(body) if not ch.isspace() and not covered[i]]
    assert not lost, f"characters outside every paragraph at {lost[:5]}"


# -- the loaders --------------------------------------------------------------------------------
@LOADER
@given(kind=st.sampled_from(sorted(SUPPORTED_SUFFIXES)), data=st.binary(max_size=4096))
@example(kind=".json", data=b"[" * 100_000)
@example(kind=".jsonl", data=b'{"body": ' * 50_000)
@example(kind=".md", data=b"\xef\xbb\xbf---\ntitle: [1, 2]\n---\nBody.")
@example(kind=".txt", data=b"\x00\x01binary")
@example(kind=".html", data=b"<html><body><p>" * 2000)
@example(kind=".pdf", data=b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\n")
@example(kind=".docx", data=b"PK\x03\x04" + b"\x00" * 100)
def test_any_bytes_give_articles_or_a_clear_error(kind: str, data: bytes) -> None:
    parse(kind, data)


@LOADER
@given(kind=st.sampled_from([".txt", ".md"]), text=st.one_of(TEXT, PROSE), bom=st.booleans())
def test_any_text_gives_articles_or_a_clear_error(kind: str, text: str, bom: bool) -> None:
    items = parse(kind, ("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    assert len(items) == 1  # one file, one article (or one error saying why not)


JSON_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, PROSE
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ("title", "source", "url", "published_at", "author", "body", "text", "publisher")
RECORD = st.dictionaries(st.sampled_from(FIELDS), st.one_of(JSON_SCALAR, JSON), max_size=7)


@LOADER
@given(records=st.lists(st.one_of(RECORD, JSON), max_size=6), as_lines=st.booleans())
def test_any_json_records_give_articles_or_clear_errors(records: list, as_lines: bool) -> None:  # type: ignore[type-arg]
    if as_lines:
        items = parse(".jsonl", "\n".join(json.dumps(r) for r in records).encode())
    else:
        items = parse(".json", json.dumps(records).encode())
    assert len(items) <= max(1, len(records))


@LOADER
@given(meta=RECORD, body=st.one_of(TEXT, PROSE))
def test_any_front_matter_gives_an_article_or_a_clear_error(meta: dict, body: str) -> None:  # type: ignore[type-arg]
    try:
        front = yaml.safe_dump(meta, allow_unicode=True)
    except yaml.YAMLError:
        front = "{}\n"
    parse(".md", f"---\n{front}---\n{body}".encode())


def _alias_bomb(levels: int) -> str:
    """YAML front matter whose title expands to 10**levels items if walked as text."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\ntitle: *l{levels - 1}\n"


def test_front_matter_values_do_not_amplify() -> None:
    """A loader never makes an article much bigger than its file: metadata fields that are
    lists or maps (here nested YAML aliases, 10⁴ items from 200 bytes) are refused."""
    for levels in (4, 10):  # 10 levels would hang a loader that walks the aliases
        data = f"---\n{_alias_bomb(levels)}---\nA body that is fine.\n".encode()
        [item] = list(parse(".md", data))
        if isinstance(item, Article):
            fields = (item.title, item.source, item.url, item.author, item.published_at)
            assert sum(len(f or "") for f in fields) <= 4 * len(data) + 200
        else:
            assert "field 'title'" in item.reason
