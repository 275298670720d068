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


def test_index_of_an_older_format_is_refused_with_a_hint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.errors import IndexOutdated

    data = tmp_path / "d"
    data.mkdir()
    # What format 1 wrote: no index_format in the collection metadata, sentences elsewhere.
    client = chromadb.PersistentClient(
        path=str(data / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    old = client.create_collection("briefing", metadata={"hnsw:space": "cosine"})
    old.add(ids=["a:0"], embeddings=[[0.1] * 256], documents=["text"], metadatas=[{"x": 1}])  # type: ignore[arg-type]
    del client
    with pytest.raises(IndexOutdated) as info:
        BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    assert "format 1" in str(info.value) and str(data) in str(info.value)
    assert "briefing index" in info.value.hint


def test_an_empty_collection_of_any_format_is_simply_used(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    BriefingAssistant(Settings(data_dir=data, embedding_model="fake")).close()
    BriefingAssistant(Settings(data_dir=data, embedding_model="fake")).close()


@pytest.mark.parametrize("rows", [1, 3, 7])
def test_sentence_vectors_pack_into_a_string_and_back(rows: int) -> None:
    import numpy as np

    from vectorstore.sentences import pack, unpack

    vectors = np.random.default_rng(rows).standard_normal((rows, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    packed = pack(vectors)
    assert isinstance(packed, str) and packed.isascii()
    back = unpack(packed, 384)
    assert back.shape == (rows, 384) and back.dtype == np.float32
    assert np.abs(back - vectors).max() < 1e-3  # float16 of unit vectors
