"""Paragraphs that are not the story are recognised and never citable."""

import pytest

from ingest.hygiene import Kind, is_citable, paragraph_kind

CASES = [
    ("Soldiers march in Kyiv on Monday. REUTERS/Gleb Garanich", Kind.CAPTION),
    ("(Photo by John Doe/Getty Images)", Kind.CREDIT),
    ("Photo: AP", Kind.CREDIT),
    ("File photo: a convoy near the border in March.", Kind.CAPTION),
    ("By Jane Smith", Kind.BYLINE),
    ("Reporting by Tom Balmforth; Editing by Alex Richardson", Kind.BYLINE),
    ("© 2024 Example Media. All rights reserved.", Kind.COPYRIGHT),
    ("Copyright 2024 The Daily Example. This material may not be published.", Kind.COPYRIGHT),
    ("Read more: the war in maps", Kind.BOILERPLATE),
    ("Sign up for our morning newsletter to get the news in your inbox.", Kind.BOILERPLATE),
    ("Soldiers leave the front line", Kind.HEADING),
    ("What happens next", Kind.HEADING),
    # ordinary text stays citable, also when it mentions the words above in passing
    ("By the end of the year, troops had left the region entirely and moved south.", Kind.TEXT),
    ("The reporters said he left the photo agency in 2019 after a dispute.", Kind.TEXT),
    ('The minister said: "We will act."', Kind.TEXT),
    ("About 18 soldiers deserted, the broadcaster reported.", Kind.TEXT),
]


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_paragraph_kind(text, kind):
    assert paragraph_kind(text) is kind
    assert is_citable(text) is (kind is Kind.TEXT)


def test_long_licence_notice_is_copyright():
    notice = "© 2024, Example. " + "Unauthorized use of this material is prohibited. " * 12
    assert len(notice) > 400
    assert paragraph_kind(notice) is Kind.COPYRIGHT
