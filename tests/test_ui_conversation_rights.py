"""Issue #26 case 9: in the chat, readers read and editors change. With sign-in on, only a
signed-in editor whose provider says the address is verified may rename or delete saved
conversations (a missing ``email_verified`` claim is not a verified address); every rename
and delete, by whoever may make it, is a line of the data dir's audit log. With sign-in off,
the single analyst changes them, audited too. Each case runs the real app (AppTest) over
its own data dir with conversations saved beforehand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.conversations import ConversationStore
from assistant.models import Answer
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
QUESTIONS = ["Who confirmed the troop numbers?", "Who denied the reports?"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _saved(data: Path) -> ConversationStore:
    """Two saved conversations in the data dir, as earlier questions left them."""
    store = ConversationStore.in_data_dir(data)
    for q in QUESTIONS:
        store.save(Answer(q, "The indexed articles do not answer this.", refused=True))
    return store


def _signed_in(email: str, **claims: Any) -> dict[str, Any]:
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0], **claims}


def _start(monkeypatch: pytest.MonkeyPatch, user: dict[str, Any] | None) -> AppTest:
    """The app with sign-in on for ``user``, off when ``user`` is None."""
    if user is not None:
        monkeypatch.setenv("BRIEFING_SIGNIN", "true")
        monkeypatch.setenv("BRIEFING_EDITORS", f"{EDITOR}, someone@else.org")
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _keys(at: AppTest, kind: str, prefix: str) -> list[str]:
    return [str(e.key) for e in at.sidebar.get(kind) if str(e.key).startswith(prefix)]


def _audit(data: Path) -> list[dict[str, Any]]:
    path = data / auth.AUDIT_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


# (case, the user signed in or None for sign-in off, who the audit names, may change)
VIEWERS = [
    ("sign-in off: the analyst", None, auth.NOBODY_SIGNED_IN, True),
    ("verified editor", _signed_in(EDITOR, email_verified=True), EDITOR, True),
    ("editor without an email_verified claim", _signed_in(EDITOR), None, False),
    ("editor whose address is unverified", _signed_in(EDITOR, email_verified=False), None, False),
    ("editor whose claim is a string", _signed_in(EDITOR, email_verified="true"), None, False),
    ("verified reader", _signed_in(READER, email_verified=True), None, False),
    ("reader without the claim", _signed_in(READER), None, False),
]


@pytest.mark.parametrize(
    ("user", "who", "may_change"), [v[1:] for v in VIEWERS], ids=[v[0] for v in VIEWERS]
)
def test_who_may_rename_and_delete_conversations(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    user: dict[str, Any] | None,
    who: str | None,
    may_change: bool,
) -> None:
    data = tmp_path / "data"
    store = _saved(data)
    at = _start(monkeypatch, user)
    # every viewer sees and may open the saved conversations
    assert sorted(_keys(at, "button", "conv-open-")) == ["conv-open-1", "conv-open-2"]
    renames = _keys(at, "button", "conv-rename-")
    deletes = _keys(at, "button", "conv-delete-")
    # uploads follow the same rule as the conversations
    assert bool(at.file_uploader) is may_change  # on the page while the index is empty
    if not may_change:
        assert renames == [] and deletes == [] and not _keys(at, "text_input", "conv-title-")
        assert [c.title for c in store.list()] == QUESTIONS[::-1]
        assert _audit(data) == []
        return
    assert sorted(renames) == ["conv-rename-1", "conv-rename-2"]
    next(e for e in at.sidebar.text_input if e.key == "conv-title-1").set_value("Troop numbers")
    next(e for e in at.sidebar.button if e.key == "conv-rename-1").click().run()
    assert not at.exception
    next(e for e in at.sidebar.button if e.key == "conv-delete-2").click().run()
    assert not at.exception
    assert [(c.id, c.title) for c in store.list()] == [(1, "Troop numbers")]
    rows = [(r["who"], r["action"], r["conversation"]) for r in _audit(data)]
    assert rows == [(who, "rename conversation", 1), (who, "delete conversation", 2)]
    rename, delete = _audit(data)
    assert (rename["title_before"], rename["title"]) == (QUESTIONS[0], "Troop numbers")
    assert (delete["title"], delete["turns"]) == (QUESTIONS[1], 1)


# (case, allowed, action) — the rule holds in the action itself, not only in what is shown
ACTIONS = [
    ("reader renames", False, "rename"),
    ("reader deletes", False, "delete"),
    ("editor renames", True, "rename"),
    ("editor deletes", True, "delete"),
    ("editor renames a missing one", True, "rename missing"),
    ("editor deletes a missing one", True, "delete missing"),
    ("editor renames to a blank title", True, "rename blank"),
    ("editor renames to the same title", True, "rename same"),
]


@pytest.mark.parametrize(
    ("allowed", "action"), [a[1:] for a in ACTIONS], ids=[a[0] for a in ACTIONS]
)
def test_conversation_changes_are_checked_and_audited(
    tmp_path: Path, allowed: bool, action: str
) -> None:
    from ui.session import ConversationChanges

    data = tmp_path / "data"
    store = _saved(data)
    viewer = auth.Viewer(True, EDITOR if allowed else READER, email_verified=True)
    changes = ConversationChanges(store, auth.AuditFile(data), viewer, allowed)
    before = [(c.id, c.title) for c in store.list()]
    done = {
        "rename": lambda: changes.rename(1, "Troop numbers"),
        "delete": lambda: changes.delete(1),
        "rename missing": lambda: changes.rename(99, "Troop numbers"),
        "delete missing": lambda: changes.delete(99),
        "rename blank": lambda: changes.rename(1, "   "),
        "rename same": lambda: changes.rename(1, QUESTIONS[0]),
    }[action]()
    after = [(c.id, c.title) for c in store.list()]
    changed = action in ("rename", "delete") and allowed
    assert done is changed
    assert (after != before) is changed
    rows = _audit(data)
    assert len(rows) == int(changed)
    if changed:
        assert rows[0]["who"] == EDITOR and rows[0]["action"] == f"{action} conversation"
