import pytest

from ingest.build import build_article
from ingest.paragraphs import split_paragraphs
from ingest.text import sentence_spans

BODIES = [
    "One.\n\nTwo is here.\n\n\nThree.",
    "  Leading space.\n \n\tTabbed paragraph.  \n\n",
    "Line one\nLine two\nLine three",
    "Windows\r\n\r\nstyle",
    "Only one paragraph with no breaks at all.",
    "A.\n\n" + "Sentence number x here. " * 200,
    "Unicode “quotes” — dashes.\n\nÉtat: 10,000 troops.",
]


@pytest.mark.parametrize("body", BODIES)
def test_offsets_hold_for_every_paragraph(body: str) -> None:
    paragraphs = split_paragraphs("a1", body, max_chars=300)
    assert paragraphs
    for i, p in enumerate(paragraphs):
        assert p.index == i
        assert p.id == f"a1:{i}"
        assert body[p.char_start : p.char_end] == p.text
        assert p.text == p.text.strip() and p.text


def test_blank_lines_separate_paragraphs() -> None:
    texts = [p.text for p in split_paragraphs("a", "First para\nstill first.\n\nSecond.")]
    assert texts == ["First para\nstill first.", "Second."]


def test_single_newlines_separate_when_no_blank_lines() -> None:
    texts = [p.text for p in split_paragraphs("a", "First.\nSecond.\nThird.")]
    assert texts == ["First.", "Second.", "Third."]


def test_oversize_paragraph_is_split_at_sentences() -> None:
    body = " ".join(f"Sentence {i} is about troops." for i in range(100))
    paragraphs = split_paragraphs("a", body, max_chars=200)
    assert len(paragraphs) > 5
    assert all(len(p.text) <= 200 for p in paragraphs)
    assert all(p.text.endswith(".") for p in paragraphs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Flynn spoke. He left.", ["Gen. Flynn spoke.", "He left."]),
        ("On Oct. 28 the U.S. said so. Then more.", ["On Oct. 28 the U.S. said so.", "Then more."]),
        ('He said "yes." She said no.', ['He said "yes."', "She said no."]),
        ("Is it 10,000? Nobody knows.", ["Is it 10,000?", "Nobody knows."]),
        ("No end punctuation", ["No end punctuation"]),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_article_paragraph_offsets_are_in_article_body() -> None:
    article = build_article("x.txt", body="Para one.\n\nPara two.", title="T")
    for p in article.paragraphs:
        assert article.body[p.char_start : p.char_end] == p.text
        assert p.article_id == article.id


def test_article_id_is_stable_and_content_derived() -> None:
    a = build_article("a.txt", body="Same text.", title="T")
    b = build_article("b.txt", body="Same text.", title="T")
    c = build_article("c.txt", body="Other text.", title="T")
    assert a.id == b.id != c.id
    with_url = build_article("d.txt", body="Text.", url="https://Example.com/x/")
    moved = build_article("e.txt", body="Edited text.", url="https://example.com/x")
    assert with_url.id == moved.id and with_url.content_hash != moved.content_hash
