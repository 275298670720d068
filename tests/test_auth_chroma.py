"""Team mode against a Chroma server with Chroma's own token authentication, on loopback.

Chroma 1.x's Rust `chroma run` has no authentication (it ignores CHROMA_SERVER_AUTHN_*; its
docs put a token-checking proxy in front). Chroma's Python server, `chromadb.app:app` under
uvicorn, still ships the token provider, so the test runs that one: the same HTTP API, the
same store, with CHROMA_SERVER_AUTHN_PROVIDER / CHROMA_SERVER_AUTHN_CREDENTIALS set. The right
token works; a wrong or missing one is a clear error naming BRIEFING_CHROMA_TOKEN."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.store_support import ChromaServer, collection_name

pytestmark = pytest.mark.integration

runner = CliRunner()
TOKEN = "team-token-7f3a9c"
FERRY = """---
title: "Ferry terminal opens in March"
source: "Coastal Courier"
published_at: "2024-10-28"
---

The harbour board confirmed that the new ferry terminal will open on 3 March after two years \
of building work.
"""


class TokenChromaServer(ChromaServer):
    """Chroma's Python server with token authentication (one token) on 127.0.0.1."""

    def command(self) -> list[str]:
        uvicorn = [sys.executable, "-m", "uvicorn", "chromadb.app:app"]
        return [*uvicorn, "--host", "127.0.0.1", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return dict(
            os.environ,
            ANONYMIZED_TELEMETRY="False",
            IS_PERSISTENT="TRUE",
            PERSIST_DIRECTORY=str(self.path),
            CHROMA_SERVER_AUTHN_PROVIDER=(
                "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
            ),
            CHROMA_SERVER_AUTHN_CREDENTIALS=TOKEN,
        )

    def start(self, timeout: float = 90) -> None:
        super().start(timeout)  # the Python server takes longer to come up


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    s = TokenChromaServer(tmp_path_factory.mktemp("chroma-auth") / "store")
    request.addfinalizer(s.stop)
    s.start()
    return s


def _env(server: ChromaServer, collection: str, token: str | None) -> dict[str, str | None]:
    return {**server.env(collection), "BRIEFING_CHROMA_TOKEN": token}


def test_the_server_enforces_its_token(server: ChromaServer) -> None:
    url = f"http://127.0.0.1:{server.port}/api/v2/tenants/default_tenant/databases/default_database/collections"
    assert httpx.get(url, timeout=10).status_code in (401, 403)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(url, headers=bearer, timeout=10).status_code == 200


def test_the_right_token_indexes_and_answers(server: ChromaServer, tmp_path: Path) -> None:
    env = _env(server, collection_name(), TOKEN)
    (tmp_path / "ferry.md").write_text(FERRY)
    result = runner.invoke(app, ["index", str(tmp_path / "ferry.md")], env=env)
    assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["status"], env=env)
    assert "articles: 1" in " ".join(status.output.split()), status.output
    answer = runner.invoke(app, ["ask", "When will the new ferry terminal open?"], env=env)
    assert answer.exit_code == 0 and "3 March" in answer.output, answer.output


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-the-token", "the Chroma server refused the token in BRIEFING_CHROMA_TOKEN"),
        (None, "the Chroma server requires a token and BRIEFING_CHROMA_TOKEN is not set"),
    ],
    ids=["wrong token", "no token"],
)
@pytest.mark.parametrize("command", [["status"], ["ask", "When will the terminal open?"]])
def test_a_wrong_or_missing_token_is_a_clear_error(
    server: ChromaServer, token: str | None, message: str, command: list[str]
) -> None:
    result = runner.invoke(app, command, env=_env(server, collection_name(), token))
    assert result.exit_code == 2, result.output
    assert f"error: {message}" in result.output
    assert "hint: Set BRIEFING_CHROMA_TOKEN" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
