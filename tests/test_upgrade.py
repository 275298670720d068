"""An index written in an older layout: refused for questions, rebuilt by `briefing index`."""

from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


def _article(path: Path, title: str, body: str) -> Path:
    path.write_text(f"---\ntitle: {title}\nsource: Test Wire\n---\n\n{body}\n", encoding="utf-8")
    return path


def _make_format_1(data: Path) -> None:
    """What an index of format 1 looks like to this version: no index_format in the
    collection's metadata (its second, sentence collection is ignored)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(data / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    client.get_collection("briefing").modify(metadata={"embedding_family": "fake:256"})
    client.get_or_create_collection("briefing-sentences")
    del client


def test_old_index_is_refused_then_rebuilt_from_its_sources(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    _article(old / "harbour.md", "Harbour reopens", "The harbour reopened on Monday after storms.")
    _article(old / "grain.md", "Grain exports rise", "Grain exports rose by a fifth in March.")
    gone = _article(tmp_path / "gone.md", "Bridge closes", "The old bridge closed for repairs.")
    assert runner.invoke(app, ["index", str(old), str(gone)]).exit_code == 0
    gone.unlink()  # deleted since, never pruned
    data = tmp_path / "data"
    _make_format_1(data)

    asked = runner.invoke(app, ["ask", "When did the harbour reopen?"])
    assert asked.exit_code == 2
    assert "index format 1" in asked.output and "briefing index" in asked.output

    new = _article(tmp_path / "rail.md", "Rail strike ends", "The rail strike ended on Friday.")
    result = runner.invoke(app, ["index", str(new)])
    assert result.exit_code == 0, result.output
    assert "re-indexing the 2 sources it held (1 no longer exist)" in result.output
    [backup] = data.glob("old-index-*")
    assert (backup / "chroma").is_dir() and (backup / "manifest.sqlite3").is_file()
    listed = runner.invoke(app, ["list"]).output
    assert all(word in listed for word in ("Harbour", "Grain", "Rail"))  # (titles wrap)
    assert "Bridge" not in listed
    answer = runner.invoke(app, ["ask", "When did the harbour reopen?", "--no-save"])
    assert answer.exit_code == 0 and "[1]" in answer.output and "Monday" in answer.output
    # Rebuilt once: the next run finds everything unchanged.
    again = runner.invoke(app, ["index", str(new), str(old)])
    assert again.exit_code == 0 and "re-indexing" not in again.output
