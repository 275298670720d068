import pytest

from assistant.errors import ModelMismatch
from assistant.service import BriefingAssistant
from assistant.settings import Settings


def test_index_remembers_its_embedding_family(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    with pytest.raises(ModelMismatch) as info:
        BriefingAssistant(Settings(data_dir=data, embedding_model="fake:64"))
    assert "fake:256" in str(info.value) and "fake:64" in str(info.value)
    assert info.value.hint


def test_runtimes_of_one_model_share_a_family() -> None:
    from vectorstore.embeddings import embedding_family

    assert (
        embedding_family("all-MiniLM-L6-v2")
        == embedding_family("onnx:all-MiniLM-L6-v2")
        == embedding_family("onnx-int8:all-MiniLM-L6-v2")
        == "all-MiniLM-L6-v2"
    )
    assert embedding_family("fake") == embedding_family("fake:256") != embedding_family("fake:64")
