"""A .docx whose zip directory understates what its parts unpack to (#26, case 13): what is
bounded is what is inflated while reading, not what the headers claim. Such a file is refused
in one line naming it, and reading it never holds much more than the limit in memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from ingest.errors import IngestError
from ingest.loaders.docx import read_docx
from ingest.loaders.raw import Limits

LIMIT = 4 << 20  # the limit on unpacked bytes in these tests
PADDING = 64 << 20  # what the bomb really unpacks to, beyond its well-formed XML


def _docx(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_padded_body(data: bytes, padding: int) -> tuple[bytes, bytes]:
    """The docx with ``padding`` spaces after its document.xml (still well-formed XML:
    whitespace may follow the root element), written in a stream; and the XML alone."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename != "word/document.xml":
                dst.writestr(info, part, zipfile.ZIP_DEFLATED)
                continue
            xml = part
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(entry, "w") as member:
                member.write(xml)
                chunk = b" " * (1 << 20)
                for _ in range(padding // len(chunk)):
                    member.write(chunk)
    return out.getvalue(), xml


def _state_size(data: bytes, name: str, size: int, crc: int) -> bytes:
    """``data`` with the zip's headers of ``name`` stating ``size`` and ``crc``."""
    raw = bytearray(data)
    end = raw.rindex(b"PK\x05\x06")
    count, _, directory = struct.unpack_from("<HII", raw, end + 10)
    at = directory
    for _ in range(count):
        assert raw[at : at + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack_from("<HHH", raw, at + 28)
        if raw[at + 46 : at + 46 + n].decode() == name:
            struct.pack_into("<I", raw, at + 16, crc)
            struct.pack_into("<I", raw, at + 24, size)
            local = struct.unpack_from("<I", raw, at + 42)[0]
            struct.pack_into("<I", raw, local + 14, crc)
            struct.pack_into("<I", raw, local + 22, size)
            return bytes(raw)
        at += 46 + n + m + k
    raise AssertionError(f"{name} not in the zip")


def _bomb(crc_of_prefix: bool) -> bytes:
    data, xml = _with_padded_body(_docx("Ferries resumed on Monday."), PADDING)
    crc = zlib.crc32(xml) if crc_of_prefix else 0
    # The header says document.xml is its XML alone; its stream holds 64 MB more.
    return _state_size(data, "word/document.xml", len(xml), crc)


def _read(data: bytes) -> tuple[object, int]:
    """What reading ``data`` gives (articles or the error), and the peak of memory it
    allocated meanwhile."""
    tracemalloc.start()
    try:
        try:
            result: object = list(
                read_docx("/news/bomb.docx", data, Limits(max_unpacked_bytes=LIMIT))
            )
        except IngestError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("crc_of_prefix", [True, False], ids=["crc-matches-prefix", "crc-wrong"])
def test_docx_understating_its_size_is_refused_without_inflating_it(crc_of_prefix: bool) -> None:
    data = _bomb(crc_of_prefix)
    assert len(data) < 1 << 20  # small on disk, and its headers say small inside
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(i.file_size for i in archive.infolist()) < LIMIT
    error, peak = _read(data)
    assert peak < 3 * LIMIT, f"{peak} bytes allocated while reading"
    assert isinstance(error, IngestError), error
    assert error.location == "/news/bomb.docx"
    assert "\n" not in str(error) and "unpacks to more than" in error.reason, error.reason


def test_docx_within_the_limit_is_still_read() -> None:
    data, _ = _with_padded_body(_docx("Ferries resumed on Monday.", "Crews returned."), 1 << 20)
    result, peak = _read(data)
    assert isinstance(result, list), result
    [article] = result
    assert [p.text for p in article.paragraphs] == ["Ferries resumed on Monday.", "Crews returned."]
    assert peak < 3 * LIMIT + (8 << 20)  # the part itself, parsed


def test_docx_over_the_limit_when_inflated_is_refused() -> None:
    data, _ = _with_padded_body(_docx("Ferries resumed on Monday."), 2 * LIMIT)
    error, peak = _read(data)
    assert isinstance(error, IngestError), error
    assert "over the limit of 4194304" in error.reason
    assert peak < 3 * LIMIT
