"""The ONNX fast path gives the same vectors as the sentence-transformers model."""

import numpy as np
import pytest

pytestmark = pytest.mark.integration

TEXTS = [
    "Pentagon spokesperson Sabrina Singh confirmed that roughly 10,000 soldiers were sent.",
    "Short.",
    "A much longer paragraph " * 40,
    "Kremlin spokesman Dmitry Peskov dismissed the reports as fake.",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from vectorstore.embeddings import make_embeddings

    return np.array(make_embeddings("all-MiniLM-L6-v2").embed_documents(TEXTS))


@pytest.mark.parametrize(("spec", "min_cosine"), [("onnx", 0.9999), ("onnx-int8", 0.98)])
def test_onnx_vectors_match_torch(
    spec: str, min_cosine: float, reference: np.ndarray, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    from vectorstore.embeddings import resolve_model_path
    from vectorstore.onnx_embeddings import OnnxEmbeddings

    emb = OnnxEmbeddings(resolve_model_path("all-MiniLM-L6-v2"), int8=spec == "onnx-int8")
    vectors = np.array(emb.embed_documents(TEXTS))
    assert vectors.shape == reference.shape
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= min_cosine, cosines
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # The export is cached: a second instance reuses the file.
    assert len(list((tmp_path / "cache" / "onnx").glob("*.onnx"))) == (2 if "int8" in spec else 1)
    query = np.array(emb.embed_query(TEXTS[0]))
    assert float(query @ reference[0]) >= min_cosine
