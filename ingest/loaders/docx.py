"""Word (.docx) articles read with python-docx; metadata from the core properties.

Each non-empty Word paragraph is an article paragraph. A paragraph in the 'Title' style
(or the first heading, when the properties carry no title) is the title; other headings are
left out, as they are for HTML.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

from ingest.build import build_article
from ingest.errors import IngestError
from ingest.loaders.raw import Limits
from ingest.models import Article

_WS = re.compile(r"\s+")


def _check_unpacked(location: str, data: bytes, limits: Limits) -> None:
    """Refuse a .docx that unpacks to more than ``max_unpacked_bytes`` or holds more Word
    paragraphs than ``max_paragraphs``, before python-docx parses its XML (600,000 empty
    paragraphs in a 192 KB file take minutes and gigabytes). What is bounded is what each
    part really inflates to, in small steps, not what the zip's directory claims: zipfile
    stops a part at its declared size, but only after inflating the whole stream at once
    (816 KB declaring little held 800 MB and took 1.8 GB). A part that inflates to more than
    its declared size is refused; then python-docx reads only parts within their sizes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.max_unpacked_bytes:
                raise IngestError(
                    location,
                    f"unpacks to {unpacked} bytes, over the limit of {limits.max_unpacked_bytes}",
                )
            for info in infos:
                _check_part(location, data, info)
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


_STEP = 1 << 16  # bytes of a part's stream fed, and of its output taken, at a time


def _check_part(location: str, data: bytes, info: zipfile.ZipInfo) -> None:
    """Inflate one part in steps, holding at most ``_STEP`` bytes of it, and refuse it when
    it inflates to more than its declared size (or cannot be read as a .docx part)."""
    if info.flag_bits & 0x1:
        raise IngestError(location, f"part {info.filename} is encrypted: cannot read it")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise IngestError(
            location,
            f"part {info.filename} uses zip compression method {info.compress_type}, "
            "which Word never writes",
        )
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    name, extra = struct.unpack_from("<HH", header, 26)
    start = info.header_offset + 30 + name + extra
    stream = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        size = len(stream)
    else:
        size = _inflated_size(stream, info.file_size)
    if size > info.file_size:
        raise IngestError(
            location,
            f"unpacks to more than its zip directory says: part {info.filename} is declared "
            f"as {info.file_size} bytes and holds more; refused",
        )


def _inflated_size(stream: memoryview, bound: int) -> int:
    """What a raw deflate stream inflates to, counted up to just past ``bound``."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    try:
        for at in range(0, len(stream), _STEP):
            pending: bytes | memoryview = stream[at : at + _STEP]
            while pending and not inflater.eof:
                total += len(inflater.decompress(pending, _STEP))
                if total > bound:
                    return total
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        while not inflater.eof:  # output still held back for want of room
            out = inflater.decompress(b"", _STEP)
            if not out:
                break
            total += len(out)
            if total > bound:
                return total
    except zlib.error as exc:
        raise zipfile.BadZipFile(str(exc)) from exc
    return total


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
