"""Hybrid retrieval: fusion, diversity, filters, the sentence index, BM25/vector consistency
after re-index and delete, and the retriever as a LangChain BaseRetriever (fake embedding)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from vectorstore.filters import Filters
from vectorstore.retriever import diversify, fuse, zscores

ARTICLES = {
    "harbour.md": (
        "Harbour council approves the tidal barrier",
        "Coastal Courier",
        "2024-03-04",
        [
            "The harbour council approved the tidal barrier on Monday after a four-hour debate.",
            "Engineers said the barrier would cost 48 million and take three winters to build. "
            "Residents of the old quay asked for a second survey of the seabed.",
            "The mayor, Ilse Dahl, called the vote a turning point for the fishing district.",
        ],
    ),
    "harbour-2.md": (
        "Quay residents question barrier costs",
        "Northern Ledger",
        "2024-03-09",
        [
            "Residents of the old quay disputed the 48 million estimate for the tidal barrier.",
            "A retired engineer, Pavel Novak, said the seabed survey was twelve years old.",
        ],
    ),
    "orchard.md": (
        "Apple growers expect a late harvest",
        "Valley Gazette",
        "2024-05-20",
        [
            "Apple growers in the upper valley expect the harvest to start three weeks late.",
            "A cold April delayed blossoming, the growers' cooperative said on Friday.",
        ],
    ),
}


def write_article(folder: Path, name: str, paragraphs: list[str] | None = None) -> Path:
    title, source, date, default = ARTICLES[name]
    body = "\n\n".join(paragraphs if paragraphs is not None else default)
    path = folder / name
    path.write_text(
        f"---\ntitle: {title}\nsource: {source}\npublished_at: {date}\n"
        f"url: https://example.test/{name}\n---\n\n{body}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def indexed(assistant, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ARTICLES:
        write_article(folder, name)
    report = assistant.indexer().index([folder])
    assert report.new == 3 and not report.failed
    return assistant


# -- fusion and diversity ------------------------------------------------------------------


def test_zscores_of_a_flat_signal_are_zero() -> None:
    assert zscores(np.array([2.0, 2.0, 2.0])).tolist() == [0.0, 0.0, 0.0]
    z = zscores(np.array([1.0, 2.0, 3.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)


def test_fuse_weights_decide_between_disagreeing_signals() -> None:
    lexical = np.array([10.0, 0.0, 1.0])  # prefers candidate 0
    dense = np.array([0.1, 0.9, 0.2])  # prefers candidate 1
    signals = {"lexical": lexical, "dense": dense}
    assert int(np.argmax(fuse(signals, {"lexical": 1.0, "dense": 0.2}))) == 0
    assert int(np.argmax(fuse(signals, {"lexical": 0.2, "dense": 1.0}))) == 1
    # a signal with weight 0 (or one not weighted at all) does not count
    fused = fuse({"lexical": lexical, "dense": dense}, {"dense": 1.0})
    assert list(np.argsort(-fused)) == [1, 2, 0]


def test_fuse_keeps_the_margin_that_rank_fusion_loses() -> None:
    # Candidate 0 is far ahead on BM25 and only slightly behind on the dense signal:
    # rank fusion would tie it with candidate 1; score fusion keeps it first.
    lexical = np.array([30.0, 5.0, 4.0, 3.0])
    dense = np.array([0.60, 0.61, 0.2, 0.1])
    fused = fuse({"lexical": lexical, "dense": dense}, {"lexical": 1.0, "dense": 1.0})
    assert int(np.argmax(fused)) == 0


def test_diversify_lets_a_corroborating_article_through() -> None:
    scores = [5.0, 4.9, 4.8, 4.7, 4.6]
    groups = ["a", "a", "a", "a", "b"]
    order = diversify(scores, groups, limit=5, free=2, penalty=0.75)
    assert order[:3] == [0, 1, 4]  # b's paragraph before a's third
    assert sorted(order) == [0, 1, 2, 3, 4]


def test_diversify_does_not_promote_an_irrelevant_article() -> None:
    order = diversify([5.0, 4.9, 4.8, 1.0], ["a", "a", "a", "b"], limit=4, free=2, penalty=0.75)
    assert order == [0, 1, 2, 3]
    assert diversify([3.0, 2.0, 1.0], ["a", "b", "c"], limit=2) == [0, 1]


# -- the retriever on a real (embedded) Chroma with the fake embedding ---------------------


def test_retrieve_finds_the_paragraph_that_answers(indexed) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from vectorstore.retriever import tuning_for

    # Ranked by score when neighbours are not brought together ...
    tune = tuning_for(indexed.lexical_index().context.median_chars)
    ranked = indexed.retriever.model_copy(update={"tuning": replace(tune, together=0)})
    hits = ranked.retrieve("Why is the apple harvest late?", k=3)
    assert hits[0].text.startswith("Apple growers") or "cold April" in hits[0].text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    who = ranked.retrieve("Who said the seabed survey was twelve years old?", k=3)
    assert "Pavel Novak" in who[0].text
    # ... and in reading runs the answer's paragraph comes after the one before it.
    together = indexed.retriever.reading_runs(who)
    assert "Pavel Novak" in together[1].text
    assert together[0].passage.paragraph.index == together[1].passage.paragraph.index - 1
    assert together[0].article.id == together[1].article.id


def test_title_and_publisher_count_for_ranking(indexed) -> None:  # type: ignore[no-untyped-def]
    # "Valley Gazette" is only in the article's metadata, not in any paragraph text.
    hits = indexed.retriever.retrieve("Valley Gazette", k=2)
    assert hits and all(h.article.source == "Valley Gazette" for h in hits)


def test_sentence_vectors_are_written_and_paragraph_vector_is_their_mean(indexed) -> None:  # type: ignore[no-untyped-def]
    # The fake embedding has no token states: each sentence is embedded after the title,
    # and the paragraph's vector is their normalised mean (row 0 of the packed vectors).
    from ingest.text import sentence_spans

    hits = list(indexed.store.iter_all())
    dim = len(indexed.embeddings.embed_query("x"))
    stored = indexed.store.packed_vectors([h.id for h in hits], dim)
    assert {pid: len(m) for pid, m in stored.items()} == {
        h.id: 1 + len(sentence_spans(h.text)) for h in hits
    }
    pid = next(h.id for h in hits if h.text.startswith("Engineers said"))
    got = indexed.store._collection.get(ids=[pid], include=["embeddings"])["embeddings"][0]
    title = "Harbour council approves the tidal barrier"
    text = indexed.store.get([pid])[0].text
    sentences = [f"{title}\n{text[s:e]}" for s, e in sentence_spans(text)]
    vectors = np.asarray(indexed.embeddings.embed_documents(sentences))
    assert np.allclose(stored[pid][1:], vectors, atol=2e-3)  # float16
    mean = vectors.mean(axis=0)
    assert np.allclose(got, mean / np.linalg.norm(mean), atol=1e-5)
    assert np.allclose(stored[pid][0], got, atol=2e-3)


@pytest.mark.parametrize("limit", [0, 1000], ids=["after-search", "exact"])
def test_filters_by_publisher_dates_and_article(indexed, limit: int) -> None:  # type: ignore[no-untyped-def]
    # Broad filters are applied after the vector searches, narrow ones by exact scoring.
    retrieve = indexed.retriever.model_copy(update={"exact_limit": limit}).retrieve
    q = "tidal barrier residents quay estimate"
    assert {h.article.source for h in retrieve(q, k=10)} >= {"Coastal Courier", "Northern Ledger"}
    only = retrieve(q, k=10, filters=Filters(sources=("Northern Ledger",)))
    assert only and {h.article.source for h in only} == {"Northern Ledger"}
    later = retrieve(q, k=10, filters=Filters(since=dt.date(2024, 3, 5)))
    assert later and all(h.article.published_at >= "2024-03-05" for h in later)
    earlier = retrieve(q, k=10, filters=Filters(until=dt.date(2024, 3, 5)))
    assert earlier and all(h.article.published_at <= "2024-03-05" for h in earlier)
    article = earlier[0].article.id
    one = retrieve("apple harvest", k=10, filters=Filters(article_ids=(article,)))
    assert one and {h.article.id for h in one} == {article}  # filter beats relevance
    assert retrieve(q, filters=Filters(sources=("Nobody",))) == []


def test_lexical_filter_mask_agrees_with_filters_accepts(indexed) -> None:  # type: ignore[no-untyped-def]
    lexical = indexed.lexical_index()
    for filters in [
        Filters(sources=("Valley Gazette", "Northern Ledger")),
        Filters(since=dt.date(2024, 3, 5), until=dt.date(2024, 5, 1)),
        Filters(article_ids=(lexical.passages[0].article.id,)),
    ]:
        mask = lexical.allowed(filters)
        assert mask is not None
        assert mask.tolist() == [filters.accepts(h.article) for h in lexical.passages]
    assert lexical.allowed(Filters()) is None


def test_undated_articles_are_left_out_of_date_ranges(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "undated.md"
    f.write_text("---\ntitle: Undated barrier note\nsource: Wire\n---\n\nThe tidal barrier.\n")
    assistant.indexer().index([f])
    assert assistant.retriever.retrieve("tidal barrier")
    dated = Filters(since=dt.date(2000, 1, 1))
    assert assistant.retriever.retrieve("tidal barrier", filters=dated) == []


# -- BM25 and vectors in step ------------------------------------------------------------


def _lexical_view(assistant) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.id: h.text for h in assistant.lexical_index().passages}


def _vector_view(assistant) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.id: h.text for h in assistant.store.iter_all()}


def test_bm25_follows_a_reindexed_article(indexed, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    # Both runs within one second of the manifest's clock:
    monkeypatch.setattr(
        "vectorstore.manifest._now", lambda: "2024-01-01T00:00:00+00:00", raising=False
    )
    assert "Novak" in " ".join(_lexical_view(indexed).values())
    # Same article (same URL), new text, same paragraph count, re-indexed at once: the
    # manifest's counts and (second-resolution) timestamp may not change; BM25 must.
    write_article(
        folder,
        "harbour-2.md",
        [
            "Residents of the old quay disputed the 48 million estimate again.",
            "A marine biologist, Hana Sato, doubted the survey.",
        ],
    )
    report = indexed.indexer().index([folder])
    assert report.updated == 1
    assert _lexical_view(indexed) == _vector_view(indexed)
    texts = " ".join(_lexical_view(indexed).values())
    assert "Novak" not in texts and "Hana Sato" in texts
    hits = indexed.retriever.retrieve("Pavel Novak seabed survey twelve years", k=10)
    assert all("Novak" not in h.text for h in hits)
    assert indexed.retriever.retrieve("Hana Sato marine biologist", k=1)[0].text.startswith(
        "A marine"
    )


def test_bm25_and_sentences_follow_a_removal(indexed) -> None:  # type: ignore[no-untyped-def]
    lexical = indexed.lexical_index()
    gone = next(h.article.id for h in lexical.passages if h.article.source == "Valley Gazette")
    gone_ids = [h.id for h in lexical.passages if h.article.id == gone]
    dim = len(indexed.embeddings.embed_query("x"))
    assert len(indexed.store.packed_vectors(gone_ids, dim)) == len(gone_ids)
    assert indexed.indexer().remove(gone)
    assert _lexical_view(indexed) == _vector_view(indexed)
    assert all(h.article.id != gone for h in indexed.lexical_index().passages)
    assert indexed.store.packed_vectors(gone_ids, dim) == {}
    hits = indexed.retriever.retrieve("apple growers harvest cold April blossoming", k=10)
    assert all(h.article.id != gone for h in hits)


def test_bm25_follows_writes_by_another_process(indexed, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant

    indexed.lexical_index()  # built and cached in this "process"
    other = BriefingAssistant(settings)  # e.g. `briefing index` run beside the UI
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "ferry.md").write_text(
        "---\ntitle: Night ferry returns\nsource: Island Herald\n---\n\n"
        "The night ferry to Lorvik returns in June, the operator said.\n"
    )
    other.indexer().index([extra])
    assert _lexical_view(indexed) == _vector_view(indexed)
    assert (
        indexed.retriever.retrieve("night ferry Lorvik", k=1)[0].article.source == "Island Herald"
    )


def test_lexical_index_is_reused_while_nothing_changes(indexed) -> None:  # type: ignore[no-untyped-def]
    first = indexed.lexical_index()
    indexed.retriever.retrieve("tidal barrier")
    assert indexed.lexical_index() is first


def test_retrieve_on_an_empty_index(assistant) -> None:  # type: ignore[no-untyped-def]
    assert assistant.retriever.retrieve("anything at all") == []
    assert assistant.retriever.invoke("anything at all") == []


# -- LangChain ---------------------------------------------------------------------------


def test_retriever_is_a_langchain_retriever(indexed) -> None:  # type: ignore[no-untyped-def]
    from langchain_core.retrievers import BaseRetriever

    assert isinstance(indexed.retriever, BaseRetriever)
    docs = indexed.retriever.invoke("Who is the mayor of the fishing district?")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert len(docs) <= indexed.retriever.k
    # The mayor's paragraph, after the two before it (neighbours are handed over together).
    top = next(d for d in docs[:3] if "Ilse Dahl" in d.page_content)
    assert top.id == top.metadata["paragraph_id"] and top.metadata["source"] == "Coastal Courier"
    chain = indexed.retriever | RunnableLambda(lambda ds: [d.metadata["title"] for d in ds])
    assert chain.invoke("apple harvest")[0] == "Apple growers expect a late harvest"


def test_retriever_filters_field_applies_to_invoke(indexed) -> None:  # type: ignore[no-untyped-def]
    only = indexed.retriever.model_copy(update={"filters": Filters(sources=("Valley Gazette",))})
    docs = only.invoke("tidal barrier")
    assert docs and {d.metadata["source"] for d in docs} == {"Valley Gazette"}


# -- the BM25 index on disk --------------------------------------------------------------


def _fresh(settings):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant

    return BriefingAssistant(settings)


def test_a_new_process_loads_the_saved_bm25_index(indexed, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built = _lexical_view(indexed)
    again = _fresh(settings)

    def no_rebuild():  # type: ignore[no-untyped-def]
        raise AssertionError("the saved index should have been loaded")

    monkeypatch.setattr(again.store, "iter_all", no_rebuild)
    assert _lexical_view(again) == built
    assert "Ilse Dahl" in again.retriever.retrieve("mayor Ilse Dahl fishing district", k=1)[0].text


def test_a_saved_index_of_other_content_is_not_used(indexed, settings) -> None:  # type: ignore[no-untyped-def]
    indexed.lexical_index()  # saved with the three articles
    other = _fresh(settings)
    gone = next(
        h.article.id for h in other.lexical_index().passages if h.article.source == "Valley Gazette"
    )
    other.indexer().remove(gone)
    # A third process starts after the removal: the saved index no longer matches.
    third = _fresh(settings)
    assert _lexical_view(third) == _vector_view(third)
    assert all(h.article.id != gone for h in third.lexical_index().passages)


def test_an_unreadable_saved_index_is_rebuilt(indexed, settings) -> None:  # type: ignore[no-untyped-def]
    indexed.lexical_index()
    folder = settings.data_dir / f"bm25-{settings.collection}"
    (folder / "hits.jsonl").write_text("not json\n")
    again = _fresh(settings)
    assert _lexical_view(again) == _vector_view(again)
