"""Word (.docx) articles read with python-docx; metadata from the core properties.

Each non-empty Word paragraph is an article paragraph. A paragraph in the 'Title' style
(or the first heading, when the properties carry no title) is the title; other headings are
left out, as they are for HTML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.loaders.raw import Limits
from ingest.models import Article

_WS = re.compile(r"\s+")


def _check_unpacked(location: str, data: bytes, limits: Limits) -> None:
    """Refuse a .docx that unpacks to more than ``max_unpacked_bytes`` or holds more Word
    paragraphs than ``max_paragraphs``, before python-docx parses its XML (600,000 empty
    paragraphs in a 192 KB file take minutes and gigabytes). The sizes in the zip's
    directory are enough: zipfile never inflates a part past its declared size (a lying
    header fails its CRC check)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.max_unpacked_bytes:
                raise IngestError(
                    location,
                    f"unpacks to {unpacked} bytes, over the limit of {limits.max_unpacked_bytes}",
                )
            try:
                xml = archive.read("word/document.xml")
            except KeyError:
                return  # python-docx says what is missing
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return  # python-docx says what is wrong with it
    # Paragraph elements of the body ('<w:p>' or '<w:p ...>', not '<w:pPr>')
    paragraphs = xml.count(b"<w:p>") + xml.count(b"<w:p ") + xml.count(b"<w:p/>")
    if paragraphs > limits.max_paragraphs:
        raise IngestError(
            location,
            f"{paragraphs} Word paragraphs, over the limit of {limits.max_paragraphs}",
        )


def read_docx(location: str, data: bytes, limits: Limits | None = None) -> Iterator[Article]:
    import docx
    from docx.opc.exceptions import OpcError

    _check_unpacked(location, data, limits or Limits())
    try:
        document = docx.Document(io.BytesIO(data))
        props = document.core_properties
        blocks = [
            (p.style.name if p.style is not None else "", p.text) for p in document.paragraphs
        ]
        title, author, created = props.title, props.author, props.created
    except zipfile.BadZipFile as exc:
        raise IngestError(location, "not a valid .docx (not a zip archive)") from exc
    except KeyError as exc:  # zipfile: a required part is missing
        raise IngestError(location, f"not a valid .docx (missing part {exc})") from exc
    except (OpcError, ValueError, AttributeError, OSError) as exc:
        raise IngestError(location, f"not a valid .docx ({exc.__class__.__name__})") from exc
    except Exception as exc:  # lxml.etree.XMLSyntaxError and the like: damaged XML parts
        raise IngestError(location, f"malformed .docx: {exc.__class__.__name__}") from exc
    paragraphs: list[str] = []
    for style, raw in blocks:
        text = _WS.sub(" ", raw).strip()
        if not text:
            continue
        if style == "Title" or (style.startswith("Heading") and not title and not paragraphs):
            title = title or text
            continue
        if style.startswith("Heading"):
            continue
        paragraphs.append(text)
    if not paragraphs:
        raise IngestError(location, "no text in the document")
    yield build_article(
        location, body="\n\n".join(paragraphs), title=title, author=author, published_at=created
    )
