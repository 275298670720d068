"""BM25 inside PostgreSQL (team mode): no client holds the corpus.

An inverted index in two tables: ``paragraphs`` holds one row per completely indexed
paragraph (its passage: text and the metadata Chroma keeps, whether it may be cited, the
columns filters read) and ``postings`` one row per term of a paragraph *per sentence*
(``s`` = -1 for its title and outlet): the term's frequency there, that sentence's length
and the paragraph's. One posting list so gives both BM25 documents of the embedded index
(``vectorstore.lexical``): the paragraph (its rows summed) and each of its sentences. The
statistics BM25 needs (documents and their total length, each term's paragraph and sentence
frequency) are kept in ``stats`` and ``terms``, and the citable paragraphs' lengths in
``lengths`` (the corpus's median), all written in the manifest's transaction
(``vectorstore.pg_manifest``): a paragraph is in the index exactly while its article is
``done``.

A question is one statement: the postings of its terms (an index-only scan per term),
scored by SQL with Lucene's BM25 as bm25s computes it, the best of each signal kept; then the
scores of the other candidates by id. A ``tsvector`` with a GIN index was the first design:
finding the paragraphs was fast, but BM25 needs each match's term frequencies, which a
tsvector gives only by unnesting all of its terms, and questions hold common words (12-31 %
of paragraphs matched): p95 0.44 s at 100,000 paragraphs, growing with the corpus
(docs/team-mode.md). Terms are ours (``ingest.text.terms``), never PostgreSQL's parser: both
modes read the same words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.hygiene import is_citable
from ingest.models import Article
from ingest.text import terms
from vectorstore.filters import Filters
from vectorstore.lexical import (
    K1,
    B,
    Filtered,
    LexicalIndex,
    LexicalScores,
    Neighbours,
    documents,
)
from vectorstore.metadata import date_ordinal, passage_from, passage_metadata
from vectorstore.models import Passage
from vectorstore.postgres import Database

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS paragraph_rid;
CREATE TABLE IF NOT EXISTS paragraphs (
    id TEXT PRIMARY KEY,
    rid INTEGER NOT NULL UNIQUE,
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    source TEXT NOT NULL,
    day INTEGER,
    citable BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    meta JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS paragraphs_article ON paragraphs (article_id, idx);
CREATE INDEX IF NOT EXISTS paragraphs_source ON paragraphs (source);
CREATE INDEX IF NOT EXISTS paragraphs_day ON paragraphs (day);
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER GENERATED ALWAYS AS IDENTITY UNIQUE,
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL,
    sdf INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
    pid INTEGER NOT NULL,
    term INTEGER NOT NULL,
    s SMALLINT NOT NULL,
    tf SMALLINT NOT NULL,
    sl SMALLINT NOT NULL,
    dl SMALLINT NOT NULL,
    PRIMARY KEY (pid, term, s)
);
CREATE INDEX IF NOT EXISTS postings_term ON postings (term) INCLUDE (pid, s, tf, sl, dl);
CREATE TABLE IF NOT EXISTS stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    paragraphs BIGINT NOT NULL,
    tokens BIGINT NOT NULL,
    sentences BIGINT NOT NULL,
    sentence_tokens BIGINT NOT NULL
);
INSERT INTO stats VALUES (1, 0, 0, 0, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS lengths (
    chars INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
"""
SMALL = 32767  # SMALLINT: longer paragraphs, sentences and counts are capped there
HEADER = -1  # the sentence number of a paragraph's title and outlet terms


@dataclass(frozen=True, slots=True)
class Row:
    """A paragraph as the lexical tables hold it, and what it adds to their statistics."""

    passage: Passage
    citable: bool
    length: int  # terms of the paragraph document (at least 1, as bm25s counts "∅")
    sentence_lengths: list[int]  # the same per sentence
    postings: list[tuple[str, int, int]]  # (term, sentence or HEADER, frequency there)
    df: Counter[str]  # 1 per distinct term
    sdf: Counter[str]  # sentences holding each term


def row_of(passage: Passage) -> Row:
    paragraph, sentences = documents(passage)
    whole = Counter(paragraph)
    postings: list[tuple[str, int, int]] = []
    in_sentences: Counter[str] = Counter()
    sdf: Counter[str] = Counter()
    for number, sentence in enumerate(sentences):
        counts = Counter(sentence)
        in_sentences.update(counts)
        sdf.update(counts.keys())
        postings.extend((t, number, n) for t, n in counts.items())
    # what the sentences do not hold: the title's and outlet's terms (and, if a split cut a
    # word, the few the paragraph reads differently)
    postings.extend(
        (t, HEADER, n - in_sentences[t]) for t, n in whole.items() if n > in_sentences[t]
    )
    return Row(
        passage=passage,
        citable=is_citable(passage.text),
        length=max(1, len(paragraph)),
        sentence_lengths=[max(1, len(s)) for s in sentences],
        postings=postings,
        df=Counter(whole.keys()),
        sdf=sdf,
    )


def rows_of(articles: Iterable[Article]) -> list[Row]:
    return [
        row_of(Passage(article, paragraph))
        for article in articles
        for paragraph in article.paragraphs
    ]


# -- writing, inside the manifest's transactions ------------------------------------------
def create(conn: Any) -> None:
    conn.execute(SCHEMA)


def add(conn: Any, rows: Sequence[Row]) -> None:
    """Index these paragraphs and count them in the statistics."""
    if not rows:
        return
    import psycopg.types.json

    ids = _count(conn, rows, 1)
    rids = [
        r[0]
        for r in conn.execute(
            "SELECT nextval('paragraph_rid') FROM generate_series(1, %s)", (len(rows),)
        )
    ]
    columns = "id, rid, article_id, idx, source, day, citable, text, meta"
    with conn.cursor() as cur, cur.copy(f"COPY paragraphs ({columns}) FROM STDIN") as copy:
        for rid, r in zip(rids, rows, strict=True):
            p = r.passage
            copy.write_row(
                (
                    p.id,
                    rid,
                    p.article.id,
                    p.paragraph.index,
                    p.article.source,
                    date_ordinal(p.article.published_at),
                    r.citable,
                    p.text,
                    psycopg.types.json.Jsonb(passage_metadata(p.article, p.paragraph)),
                )
            )
    with (
        conn.cursor() as cur,
        cur.copy("COPY postings (pid, term, s, tf, sl, dl) FROM STDIN") as copy,
    ):
        for rid, r in zip(rids, rows, strict=True):
            dl = min(r.length, SMALL)
            for term, number, tf in r.postings:
                sl = r.sentence_lengths[number] if number >= 0 else 0
                copy.write_row((rid, ids[term], number, min(tf, SMALL), min(sl, SMALL), dl))


def remove(conn: Any, article_ids: Sequence[str]) -> int:
    """Take these articles' paragraphs out of the index and its statistics."""
    if not article_ids:
        return 0
    gone = conn.execute(
        "DELETE FROM paragraphs WHERE article_id = ANY(%s) RETURNING rid, text, meta",
        (list(article_ids),),
    ).fetchall()
    if gone:
        conn.execute("DELETE FROM postings WHERE pid = ANY(%s)", ([g[0] for g in gone],))
        _count(conn, [row_of(passage_from(text, meta)) for _, text, meta in gone], -1)
    return len(gone)


def _count(conn: Any, rows: Sequence[Row], sign: int) -> dict[str, int]:
    """Add (``sign`` 1) or take away (-1) these paragraphs in the statistics; the ids of
    their terms."""
    df: Counter[str] = Counter()
    sdf: Counter[str] = Counter()
    for r in rows:
        df.update(r.df)
        sdf.update(r.sdf)
    words = sorted(df.keys() | sdf.keys())  # one order for every writer: no deadlock
    ids = dict(
        (term, tid)
        for tid, term in conn.execute(
            "INSERT INTO terms (term, df, sdf)"
            " SELECT * FROM unnest(%s::text[], %s::int[], %s::int[])"
            " ON CONFLICT (term) DO UPDATE"
            " SET df = terms.df + excluded.df, sdf = terms.sdf + excluded.sdf"
            " RETURNING id, term",
            (words, [sign * df[w] for w in words], [sign * sdf[w] for w in words]),
        )
    )
    conn.execute(
        "UPDATE stats SET paragraphs = paragraphs + %s, tokens = tokens + %s,"
        " sentences = sentences + %s, sentence_tokens = sentence_tokens + %s",
        (
            sign * len(rows),
            sign * sum(r.length for r in rows),
            sign * sum(len(r.sentence_lengths) for r in rows),
            sign * sum(sum(r.sentence_lengths) for r in rows),
        ),
    )
    lengths = Counter(len(r.passage.text) for r in rows if r.citable)
    chars = sorted(lengths)
    conn.execute(
        "INSERT INTO lengths (chars, n) SELECT * FROM unnest(%s::int[], %s::bigint[])"
        " ON CONFLICT (chars) DO UPDATE SET n = lengths.n + excluded.n",
        (chars, [sign * lengths[c] for c in chars]),
    )
    return ids


# -- reading ------------------------------------------------------------------------------
# BM25 per paragraph and per sentence of the paragraphs holding a query term (``{where}``:
# which postings count), the best sentence kept: the embedded index's two signals, computed
# where the rows are. A term's postings are read from the index on ``term`` alone.
_SCORED = f"""
WITH q AS (  -- in float8: numeric's ln per posting was most of a question's time
    SELECT t.id,
           ln(1 + (s.paragraphs - t.df + 0.5::float8) / (t.df + 0.5::float8)) AS idf,
           ln(1 + (s.sentences - t.sdf + 0.5::float8) / (t.sdf + 0.5::float8)) AS sidf,
           s.tokens::float8 / greatest(s.paragraphs, 1) AS avgdl,
           s.sentence_tokens::float8 / greatest(s.sentences, 1) AS avgsl
    FROM terms t CROSS JOIN stats s
    WHERE t.term = ANY(%(terms)s) AND t.df > 0
),
post AS (
    SELECT p.pid, p.term, p.s, p.tf, p.sl, p.dl, q.idf, q.sidf, q.avgdl, q.avgsl
    FROM q JOIN postings p ON p.term = q.id
    WHERE {{where}}
),
para AS (
    SELECT pid, sum(idf * tf / (tf + {K1} * (1 - {B} + {B} * dl / avgdl))) AS p
    FROM (
        SELECT pid, term, min(idf) AS idf, min(dl) AS dl, min(avgdl) AS avgdl,
               sum(tf)::float8 AS tf
        FROM post GROUP BY pid, term
    ) per_term GROUP BY pid
),
sent AS (
    SELECT pid, max(score) AS s FROM (
        SELECT pid, sum(sidf * tf / (tf + {K1} * (1 - {B} + {B} * sl / avgsl))) AS score
        FROM post WHERE s >= 0 GROUP BY pid, s
    ) per_sentence GROUP BY pid
),
scored AS (
    SELECT para.pid, para.p, coalesce(sent.s, 0) AS s FROM para LEFT JOIN sent USING (pid)
)
"""
_TOP = (
    _SCORED
    + """
SELECT g.id, b.p, b.s FROM (
    (SELECT pid, p, s FROM scored ORDER BY p DESC, pid LIMIT %(k)s)
    UNION ALL
    (SELECT pid, p, s FROM scored WHERE s > 0 ORDER BY s DESC, pid LIMIT %(k)s)
) b JOIN paragraphs g ON g.rid = b.pid
"""
)
_OF_IDS = _SCORED + "SELECT g.id, b.p, b.s FROM scored b JOIN paragraphs g ON g.rid = b.pid"


def _filter_sql(filters: Filters | None, p: str = "p") -> tuple[str, dict[str, Any]]:
    """SQL conditions on paragraphs ``p`` for ``filters`` (the same as ``Filters.accepts``)."""
    if not filters:
        return "TRUE", {}
    parts: list[str] = []
    params: dict[str, Any] = {}
    if filters.sources:
        parts.append(f"{p}.source = ANY(%(f_sources)s)")
        params["f_sources"] = list(filters.sources)
    if filters.article_ids:
        parts.append(f"{p}.article_id = ANY(%(f_articles)s)")
        params["f_articles"] = list(filters.article_ids)
    if filters.since:
        parts.append(f"{p}.day >= %(f_since)s")
        params["f_since"] = filters.since.toordinal()
    if filters.until:
        parts.append(f"{p}.day <= %(f_until)s")
        params["f_until"] = filters.until.toordinal()
    return " AND ".join(parts), params


def _query_terms(query: str) -> list[str]:
    return list(dict.fromkeys(terms(query)))


class PostgresLexicalIndex(LexicalIndex):
    """The ``LexicalIndex`` of a team: every call is one or two statements on the server."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __len__(self) -> int:
        row = self.database.execute("SELECT paragraphs FROM stats").fetchone()
        return int(row[0]) if row else 0

    def median_chars(self) -> float:
        rows = self.database.execute(
            "SELECT chars, n FROM lengths WHERE n > 0 ORDER BY chars"
        ).fetchall()
        return median_of_counts([(int(c), int(n)) for c, n in rows])

    def filtered(self, filters: Filters, limit: int) -> Filtered | None:
        if not filters:
            return None
        where, params = _filter_sql(filters)
        ids = [
            r[0]
            for r in self.database.execute(
                f"SELECT p.id FROM paragraphs p WHERE {where} ORDER BY p.id LIMIT %(limit)s",
                {**params, "limit": limit + 1},
            )
        ]
        total = len(self)
        if len(ids) <= limit:
            return Filtered(len(ids), total, tuple(ids))
        count = self.database.execute(
            f"SELECT count(*) FROM paragraphs p WHERE {where}", params
        ).fetchone()[0]
        return Filtered(int(count), total, None)

    def search(
        self, query: str, k: int, filters: Filters | None = None, ids: Iterable[str] = ()
    ) -> LexicalScores:
        words = _query_terms(query)
        asked = list(dict.fromkeys(ids))
        if not words:
            return LexicalScores((), {})
        top: list[str] = []
        scores: dict[str, tuple[float, float]] = {}
        if k > 0:
            where, params = "TRUE", dict[str, Any]()
            if filters:
                condition, params = _filter_sql(filters, "g")
                where = f"p.pid IN (SELECT g.rid FROM paragraphs g WHERE {condition})"
            rows = self.database.execute(
                _TOP.replace("{where}", where), {**params, "terms": words, "k": k}
            ).fetchall()
            for pid, p, s in rows:
                top.append(pid)
                scores[pid] = (float(p), float(s))
        rest = [i for i in asked if i not in scores]
        if rest:
            where = "p.pid IN (SELECT g.rid FROM paragraphs g WHERE g.id = ANY(%(ids)s))"
            rows = self.database.execute(
                _OF_IDS.replace("{where}", where), {"terms": words, "ids": rest}
            ).fetchall()
            scores.update({pid: (float(p), float(s)) for pid, p, s in rows})
        return LexicalScores(tuple(dict.fromkeys(top)), scores)

    def passages_of(self, ids: Iterable[str]) -> dict[str, Passage]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self.database.execute(
            "SELECT id, text, meta FROM paragraphs WHERE id = ANY(%s)", (wanted,)
        ).fetchall()
        return {pid: passage_from(text, meta) for pid, text, meta in rows}

    def neighbours(self, ids: Iterable[str]) -> dict[str, Neighbours]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self.database.execute(
            """
            SELECT c.id, c.citable,
              CASE WHEN c.citable THEN (SELECT b.id FROM paragraphs b
                WHERE b.article_id = c.article_id AND b.idx < c.idx AND b.citable
                ORDER BY b.idx DESC LIMIT 1) END,
              CASE WHEN c.citable THEN (SELECT a.id FROM paragraphs a
                WHERE a.article_id = c.article_id AND a.idx > c.idx AND a.citable
                ORDER BY a.idx LIMIT 1) END
            FROM paragraphs c WHERE c.id = ANY(%s)
            """,
            (wanted,),
        ).fetchall()
        return {pid: Neighbours(bool(ok), before, after) for pid, ok, before, after in rows}


def median_of_counts(counts: Sequence[tuple[int, int]]) -> float:
    """The median of values given as (value, how many), ascending: numpy's median."""
    total = sum(n for _, n in counts)
    if total <= 0:
        return 0.0
    wanted = [(total - 1) // 2, total // 2]  # the middle one or two, 0-based
    found: list[int] = []
    seen = 0
    for value, n in counts:
        while len(found) < 2 and wanted[len(found)] < seen + n:
            found.append(value)
        seen += n
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2
