"""Chat sign-in end to end: Debian's chromium signs in through Streamlit's own OpenID Connect
routes (st.login → /auth/login → the provider → /oauth2callback → the signed identity cookie)
against a minimal provider on loopback (tests/browser/oidc_provider.py). An editor gets the
upload box and the upload is audited with their address; a reader may only ask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import (
    browser_page,
    chromium_path,
    free_port,
    offline_env,
    streamlit_server,
)
from tests.browser.oidc_provider import OIDCProvider
from ui.auth import AUDIT_FILE, NOT_AN_EDITOR

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "briefing-chat", "test-secret-5b1e"
EDITOR = {"sub": "u-ana", "email": "ana.editor@example.org", "email_verified": True, "name": "Ana"}
READER = {"sub": "u-rui", "email": "rui.reader@example.org", "email_verified": True, "name": "Rui"}
ARTICLE = "The port authority confirmed that the grain terminal opens in March after delays.\n"


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    p = OIDCProvider(CLIENT_ID, CLIENT_SECRET).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def app(
    provider: OIDCProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    if chromium_path() is None:
        pytest.fail("Debian chromium is not installed: run `make browser-deps`")
    work = tmp_path_factory.mktemp("signin")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (work / ".streamlit").mkdir()
    (work / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test-0123"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )
    env = offline_env(work / "data", "fake")
    env.update(
        BRIEFING_SIGNIN="true",
        BRIEFING_EDITORS=str(EDITOR["email"]),
        NO_PROXY="127.0.0.1,localhost",
    )
    with streamlit_server(env, work, work / "streamlit.log", port=port) as served:
        yield served, work / "data"


def sign_in(page: Any, url: str, provider: OIDCProvider, user: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    provider.user = user
    page.goto(url)
    button = page.get_by_role("button", name="Sign in")
    expect(button).to_be_visible(timeout=120_000)
    assert page.get_by_test_id("stChatInputTextArea").count() == 0  # nothing before sign-in
    button.click()
    # (the address is shown with a word joiner before "@", which keeps it from being a link)
    shown = f"Signed in as {user['email'].split('@')[0]}"
    expect(page.get_by_text(shown)).to_be_visible(timeout=120_000)
    assert provider.signed_in[-1] == user["sub"]


def test_an_editor_signs_in_uploads_and_is_audited(
    app: tuple[str, Path], provider: OIDCProvider, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url, data = app
    with browser_page() as page:
        sign_in(page, url, provider, EDITOR)
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
        article = tmp_path / "grain.txt"
        article.write_text(ARTICLE)
        page.locator("input[type=file]").set_input_files(str(article))  # the empty index's box
        # indexed: the page opens on the index (the report stays in the sidebar's upload box)
        expect(page.get_by_test_id("stSidebar")).to_contain_text("1 articles", timeout=120_000)
        adding = (
            page.get_by_test_id("stSidebar")
            .get_by_test_id("stExpander")
            .filter(has_text="Add articles")
        )
        adding.locator("summary").click()
        expect(adding.get_by_text("Indexed 1 new")).to_be_visible()
    entries = [json.loads(line) for line in (data / AUDIT_FILE).read_text().splitlines()]
    assert [(e["who"], e["files"], e["new"]) for e in entries] == [
        (EDITOR["email"], ["grain.txt"], 1)
    ]


def test_a_reader_signs_in_and_cannot_upload(app: tuple[str, Path], provider: OIDCProvider) -> None:
    from playwright.sync_api import expect

    url, _data = app
    with browser_page() as page:
        sign_in(page, url, provider, READER)
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
        adding = (
            page.get_by_test_id("stSidebar")
            .get_by_test_id("stExpander")
            .filter(has_text="Add articles")
        )
        if adding.count():  # the index is not empty: "Add articles" opened says why not
            adding.locator("summary").click()
        expect(page.get_by_test_id("stSidebar").get_by_text(NOT_AN_EDITOR)).to_be_visible()
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
        assert page.locator("input[type=file]").count() == 0
