"""Issue #16 case 2: chat uploads keep names in any script, never overwrite another upload
(another analyst's file of the same name is a new article, not a replacement), and a batch
reports every file's outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import render, session

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")

# Three short articles of our own, one per file (each a distinct article).
BODIES = [
    "The port authority said the new grain terminal would open in March after delays.",
    "Officials confirmed that the rail bridge over the river was repaired in two weeks.",
    "The regional council voted to close the coal plant by the end of the decade.",
]
NAMES = ["报告.txt", "Отчёт.txt", "تقرير.txt"]


@pytest.mark.parametrize(
    ("uploaded", "saved"),
    [
        ("报告.txt", "报告.txt"),
        ("Отчёт.TXT", "Отчёт.txt"),
        ("تقرير.md", "تقرير.md"),
        ("Ελληνικά αρχεία.docx", "Ελληνικά αρχεία.docx"),
        ("../../etc/报告.txt", "报告.txt"),
        ("a\u202egnp.txt", "a_gnp.txt"),  # a right-to-left override is not a letter
        ("报\x1b[31m告.md", "报_31m告.md"),
        ("Cafe\u0301.md", "Café.md"),  # one normal form
        ("...", "upload"),
    ],
)
def test_safe_file_name_keeps_letters_of_any_script(uploaded: str, saved: str) -> None:
    assert session.safe_file_name(uploaded) == saved


def test_an_upload_never_overwrites_another(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first = session.save_upload(folder, "notes.txt", b"first analyst's text")
    second = session.save_upload(folder, "notes.txt", b"second analyst's text")
    assert first != second and first.parent == second.parent == folder
    assert first.read_bytes() == b"first analyst's text"
    assert second.read_bytes() == b"second analyst's text"
    # the same file uploaded again is the same path (the indexer finds it unchanged)
    assert session.save_upload(folder, "notes.txt", b"second analyst's text") == second


def _index(assistant):  # type: ignore[no-untyped-def]
    return lambda paths, progress: assistant.indexer().index(paths, progress)


def test_a_batch_of_non_latin_names_indexes_and_reports_every_file(assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "uploads"
    files = [
        (n, session.save_upload(folder, n, b.encode())) for n, b in zip(NAMES, BODIES, strict=True)
    ]
    files.append(("broken.json", session.save_upload(folder, "broken.json", b"{not json")))
    seen: list[str] = []
    progress = session.UploadProgress(lambda f, text: seen.append(text))
    outcomes = session.index_uploads(_index(assistant), files, progress)
    assert [(o.name, o.outcome) for o in outcomes] == [
        ("报告.txt", "new"),
        ("Отчёт.txt", "new"),
        ("تقرير.txt", "new"),
        ("broken.json", "failed"),
    ]
    assert outcomes[-1].reasons and assistant.manifest.counts()[0] == 3
    summary, done, errors = render.upload_outcome_lines(outcomes)
    assert "Indexed 3 new" in summary
    assert len(done) == 3 and all("new" in line for line in done)
    assert len(errors) == 1 and "broken" in errors[0]
    assert seen[0] == "Reading 4 file(s)…"

    again = session.index_uploads(_index(assistant), files[:1], progress)
    assert [o.outcome for o in again] == ["unchanged"]


def test_same_name_from_another_user_is_a_new_article(assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "uploads"
    one = session.save_upload(folder, "briefing.txt", BODIES[0].encode())
    session.index_uploads(_index(assistant), [("briefing.txt", one)], session.Progress())
    two = session.save_upload(folder, "briefing.txt", BODIES[1].encode())
    outcomes = session.index_uploads(_index(assistant), [("briefing.txt", two)], session.Progress())
    assert [o.outcome for o in outcomes] == ["new"]
    titles = {e.id for e in assistant.manifest.entries()}
    assert len(titles) == 2  # the first analyst's article was not replaced
    assert one.read_text() == BODIES[0]


def test_chat_upload_of_non_latin_names(assistant) -> None:  # type: ignore[no-untyped-def]
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        # an empty index offers the upload box on the page, not in the sidebar
        at.file_uploader[0].set_value(
            [(n, b.encode(), "text/plain") for n, b in zip(NAMES, BODIES, strict=True)]
        ).run()
        assert not at.exception
        assert "Indexed 3 new" in " ".join(str(e.value) for e in at.success)
        captions = " ".join(str(e.value) for e in at.caption)
        for name in NAMES:
            assert render.escape_md(name) in captions
        uploads = Path(assistant.settings.data_dir) / "uploads"
        assert {p.name for p in uploads.iterdir()} == set(NAMES)
    finally:
        st.cache_resource.clear()


def test_several_uploads_rebuild_an_old_index_once(
    sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploads are indexed one file at a time; an index of an older layout is still set
    aside and rebuilt once, with every uploaded file."""
    import shutil

    from tests.test_upgrade import _make_format_1

    data = tmp_path / "old-data"
    shutil.copytree(sample_index, data)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(data))
    _make_format_1(data)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        at.sidebar.file_uploader[0].set_value(
            [(n, b.encode(), "text/plain") for n, b in zip(NAMES[:2], BODIES[:2], strict=True)]
        ).run()
        assert not at.exception and not at.error
        assert len(list(data.glob("old-index-*"))) == 1
        assert "Indexed 10 new" in " ".join(str(e.value) for e in at.sidebar.success)
    finally:
        st.cache_resource.clear()
