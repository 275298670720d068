"""Optional chat sign-in (Streamlit's OpenID Connect) and editor-only uploads, through
AppTest with ``st.user`` and ``st.secrets`` set as Streamlit's own login would leave them;
tests/browser/test_signin_browser.py signs in for real against an OpenID Connect provider on
loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import auth

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-test-secret-0123456789",
    "client_id": "briefing",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
EDITOR = "ana.editor@example.org"
READER = "rui.reader@example.org"
ARTICLE = b"The port authority confirmed that the grain terminal opens in March after delays."


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _start(
    monkeypatch: pytest.MonkeyPatch, user: dict[str, Any] | None, secrets: bool = True
) -> AppTest:
    monkeypatch.setenv("BRIEFING_SIGNIN", "true")
    monkeypatch.setenv("BRIEFING_EDITORS", f"{EDITOR.upper()}, someone@else.org")
    at = AppTest.from_file(APP, default_timeout=120)
    if secrets:
        at.secrets["auth"] = AUTH
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _signed_in(email: str, **claims: Any) -> dict[str, Any]:
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0], **claims}


def test_signed_out_sees_only_the_sign_in_button(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _start(monkeypatch, None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.chat_input and not at.sidebar.file_uploader


def test_sign_in_without_a_provider_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _start(monkeypatch, None, secrets=False)
    assert "Sign-in is not configured" in at.error[0].value
    assert not at.button and not at.chat_input


def test_a_reader_asks_but_cannot_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _start(monkeypatch, _signed_in(READER))
    assert at.chat_input and not at.file_uploader
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert auth.NOT_AN_EDITOR in captions and r"rui\.reader" in captions


def test_an_unverified_editor_address_cannot_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _start(monkeypatch, _signed_in(EDITOR, email_verified=False))
    assert not at.file_uploader


def test_an_editor_uploads_and_the_run_is_audited(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _start(monkeypatch, _signed_in(EDITOR, email_verified=True))
    # the index is empty: the upload box is on the page
    at.file_uploader[0].set_value([("grain.txt", ARTICLE, "text/plain")]).run()
    assert not at.exception
    assert "Indexed 1 new" in " ".join(s.value for s in at.success)
    lines = (tmp_path / "data" / auth.AUDIT_FILE).read_text().splitlines()
    entry = json.loads(lines[-1])
    assert entry["who"] == EDITOR and entry["action"] == "index upload"
    assert entry["files"] == ["grain.txt"] and entry["new"] == 1


def test_sign_in_off_keeps_the_single_analyst_chat(tmp_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and at.file_uploader and at.chat_input
    assert not [b for b in at.button if b.label in ("Sign in", "Sign out")]


@pytest.mark.parametrize(
    ("signin", "viewer", "allowed"),
    [
        (False, auth.Viewer(), True),
        (True, auth.Viewer(), False),
        (True, auth.Viewer(True, EDITOR, email_verified=True), True),
        (True, auth.Viewer(True, EDITOR.upper(), email_verified=True), True),
        (True, auth.Viewer(True, EDITOR, email_verified=False), False),
        (True, auth.Viewer(True, EDITOR), False),  # no email_verified claim: unverified
        (True, auth.Viewer(True, EDITOR.upper()), False),
        (True, auth.Viewer(True, READER), False),
        (True, auth.Viewer(True, None, "ana"), False),
        (True, auth.Viewer(False, EDITOR), False),
    ],
)
def test_may_edit(signin: bool, viewer: auth.Viewer, allowed: bool) -> None:
    assert auth.may_edit(signin, f" {EDITOR} ,other@example.org,", viewer) is allowed


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (None, "has no [auth]"),
        ({**AUTH, "cookie_secret": ""}, "lacks cookie_secret"),
        ({k: v for k, v in AUTH.items() if k != "server_metadata_url"}, "server_metadata_url"),
        (AUTH, None),
    ],
)
def test_provider_problem(section: dict[str, str] | None, problem: str | None) -> None:
    found = auth.provider_problem(section)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_audit_lines_append(tmp_path: Path) -> None:
    auth.record(auth.AuditFile(tmp_path), "a@x.org", "index upload", files=["报告.txt"])
    auth.record(auth.AuditFile(tmp_path), "b@x.org", "index upload", files=["b.md"])
    rows = [json.loads(line) for line in (tmp_path / auth.AUDIT_FILE).read_text().splitlines()]
    assert [(r["who"], r["files"]) for r in rows] == [
        ("a@x.org", ["报告.txt"]),
        ("b@x.org", ["b.md"]),
    ]
    assert all(r["at"].endswith("+00:00") for r in rows)
