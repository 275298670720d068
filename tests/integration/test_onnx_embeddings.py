"""The ONNX fast path gives the same vectors as the sentence-transformers model."""

from pathlib import Path

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
    spec: str, min_cosine: float, reference: np.ndarray, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.embeddings import make_embeddings

    # The export goes to the cache dir it is given (Settings.cache_dir), here a temp folder.
    emb = make_embeddings(f"{spec}:all-MiniLM-L6-v2", cache_dir=tmp_path / "cache")
    vectors = np.array(emb.embed_documents(TEXTS))
    assert vectors.shape == reference.shape
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= min_cosine, cosines
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # The export is cached: a second instance reuses the file.
    assert len(list((tmp_path / "cache" / "onnx").glob("*.onnx"))) == (2 if "int8" in spec else 1)
    query = np.array(emb.embed_query(TEXTS[0]))
    assert float(query @ reference[0]) >= min_cosine


PARAGRAPH = (
    "Pentagon and NATO confirm North Korean troops in Russia\n"
    "Pentagon spokesperson Sabrina Singh confirmed on Monday that roughly 10,000 soldiers "
    "had been sent for training. The Kremlin dismissed the reports. Fishing boats stayed "
    "in the harbour because of the storm."
)
TITLE_END = PARAGRAPH.index("\n") + 1


def _spans(text: str) -> list[tuple[int, int]]:
    from ingest.text import sentence_spans

    return [(a + TITLE_END, b + TITLE_END) for a, b in sentence_spans(text[TITLE_END:])]


@pytest.fixture(scope="module")
def in_context(tmp_path_factory) -> dict[str, tuple[np.ndarray, list]]:  # type: ignore[type-arg]
    return _in_context(tmp_path_factory.mktemp("cache"))


def _in_context(cache_dir: Path) -> dict[str, tuple[np.ndarray, list]]:  # type: ignore[type-arg]
    from vectorstore.embeddings import make_embeddings

    texts = [PARAGRAPH, "A much longer paragraph. " * 80]
    spans = [_spans(PARAGRAPH), [(0, 24), (len(texts[1]) - 25, len(texts[1]) - 1)]]
    torch_model = make_embeddings("all-MiniLM-L6-v2")
    onnx_model = make_embeddings("onnx:all-MiniLM-L6-v2", cache_dir=cache_dir)
    return {
        "torch": torch_model.embed_in_context(texts, spans),  # type: ignore[attr-defined]
        "onnx": onnx_model.embed_in_context(texts, spans),  # type: ignore[attr-defined]
        "plain": (np.array(torch_model.embed_documents(texts)), []),
    }


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
def test_in_context_pass_gives_the_plain_vector_and_one_per_sentence(
    in_context, runtime: str
) -> None:  # type: ignore[no-untyped-def]
    pooled, spans = in_context[runtime]
    plain = in_context["plain"][0]
    assert ((pooled * plain).sum(axis=1) >= 0.9999).all()  # the paragraph's usual vector
    sentences = spans[0]
    assert len(sentences) == 3 and all(v is not None for v in sentences)
    assert all(abs(float(np.linalg.norm(v)) - 1.0) < 1e-4 for v in sentences)
    # Each sentence vector is about its own sentence: the storm question finds the third.
    from vectorstore.embeddings import make_embeddings

    query = np.array(make_embeddings("all-MiniLM-L6-v2").embed_query("Why did boats stay in?"))
    assert int(np.argmax([float(v @ query) for v in sentences])) == 2
    # Past the model's 256 tokens a span has no vector (it is embedded alone instead).
    first, last = spans[1]
    assert first is not None and last is None


def test_runtimes_pool_the_same_sentence_vectors(in_context) -> None:  # type: ignore[no-untyped-def]
    for a, b in zip(in_context["torch"][1][0], in_context["onnx"][1][0], strict=True):
        assert float(a @ b) >= 0.999
