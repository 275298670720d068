"""BM25 inside PostgreSQL (team mode): no client holds the corpus.

One row per completely indexed paragraph (``paragraphs``): its passage (text and the same
metadata Chroma keeps), whether it may be cited, and its terms as a ``tsvector`` under a GIN
index. The positions in the tsvector number the paragraph's terms in order (title and
publisher first, then the text), and ``starts`` says at which position each sentence
begins, so one row gives both BM25 documents of the embedded index (``vectorstore.lexical``):
the paragraph, and each sentence. The statistics BM25 needs (documents, their total length,
each term's document frequency, for paragraphs and for sentences) are kept in ``stats`` and
``terms``, and the citable paragraphs' lengths in ``lengths`` (the corpus's median), all
written in the manifest's transaction (``vectorstore.pg_manifest``): a paragraph is in the
index exactly while its article is ``done``.

A question is two statements: the GIN index finds the paragraphs holding a query term, and
SQL scores them (Lucene's BM25 as bm25s computes it) and keeps the best; then the scores of
the other candidates by id. Terms are ours (``ingest.text.terms``), never PostgreSQL's
parser: both modes read the same words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.hygiene import is_citable
from ingest.models import Article
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
CREATE TABLE IF NOT EXISTS paragraphs (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    source TEXT NOT NULL,
    day INTEGER,
    citable BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    meta JSONB NOT NULL,
    tsv TSVECTOR NOT NULL,
    len INTEGER NOT NULL,
    starts INTEGER[] NOT NULL,
    slens INTEGER[] NOT NULL
);
CREATE INDEX IF NOT EXISTS paragraphs_tsv ON paragraphs USING GIN (tsv);
CREATE INDEX IF NOT EXISTS paragraphs_article ON paragraphs (article_id, idx);
CREATE INDEX IF NOT EXISTS paragraphs_source ON paragraphs (source);
CREATE INDEX IF NOT EXISTS paragraphs_day ON paragraphs (day);
CREATE TABLE IF NOT EXISTS terms (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL,
    sdf INTEGER NOT NULL
);
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
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_LEXEME_BYTES = 2046


@dataclass(frozen=True, slots=True)
class Row:
    """A paragraph as the lexical tables hold it, and what it adds to their statistics."""

    passage: Passage
    citable: bool
    tsv: str
    length: int  # terms of the paragraph document (at least 1, as bm25s counts "∅")
    starts: list[int]
    sentence_lengths: list[int]
    df: Counter[str]  # 1 per distinct term
    sdf: Counter[str]  # sentences holding each term


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _usable(term: str) -> bool:
    return 0 < len(term.encode()) <= MAX_LEXEME_BYTES


def row_of(passage: Passage) -> Row:
    paragraph, sentences = documents(passage)
    head = len(paragraph) - sum(len(s) for s in sentences)
    if head < 0:  # the text's terms differ from its sentences' (a word cut by a split)
        head = 0
    body = [t for s in sentences for t in s]
    sequence = paragraph[:head] + body
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(sequence, start=1):
        if _usable(term):
            positions.setdefault(term, []).append(min(position, MAX_POSITION))
    tsv = " ".join(
        f"{_lexeme(t)}:{','.join(map(str, sorted(set(p))[:256]))}" for t, p in positions.items()
    )
    starts, at = [], head + 1
    for s in sentences:
        starts.append(min(at, MAX_POSITION))
        at += len(s)
    sdf: Counter[str] = Counter()
    for s in sentences:
        sdf.update(t for t in set(s) if _usable(t))
    return Row(
        passage=passage,
        citable=is_citable(passage.text),
        tsv=tsv,
        length=max(1, len(paragraph)),
        starts=starts,
        sentence_lengths=[max(1, len(s)) for s in sentences],
        df=Counter(t for t in set(paragraph) if _usable(t)),
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

    columns = "id, article_id, idx, source, day, citable, text, meta, tsv, len, starts, slens"
    with conn.cursor() as cur, cur.copy(f"COPY paragraphs ({columns}) FROM STDIN") as copy:
        for r in rows:
            p = r.passage
            copy.write_row(
                (
                    p.id,
                    p.article.id,
                    p.paragraph.index,
                    p.article.source,
                    date_ordinal(p.article.published_at),
                    r.citable,
                    p.text,
                    psycopg.types.json.Jsonb(passage_metadata(p.article, p.paragraph)),
                    r.tsv,
                    r.length,
                    r.starts,
                    r.sentence_lengths,
                )
            )
    _count(conn, rows, 1)


def remove(conn: Any, article_ids: Sequence[str]) -> int:
    """Take these articles' paragraphs out of the index and its statistics."""
    if not article_ids:
        return 0
    gone = conn.execute(
        "DELETE FROM paragraphs WHERE article_id = ANY(%s) RETURNING text, meta",
        (list(article_ids),),
    ).fetchall()
    _count(conn, [row_of(passage_from(text, meta)) for text, meta in gone], -1)
    return len(gone)


def _count(conn: Any, rows: Sequence[Row], sign: int) -> None:
    if not rows:
        return
    df: Counter[str] = Counter()
    sdf: Counter[str] = Counter()
    for r in rows:
        df.update(r.df)
        sdf.update(r.sdf)
    words = sorted(df.keys() | sdf.keys())  # one order for every writer: no deadlock
    conn.execute(
        "INSERT INTO terms (term, df, sdf)"
        " SELECT * FROM unnest(%s::text[], %s::int[], %s::int[])"
        " ON CONFLICT (term) DO UPDATE"
        " SET df = terms.df + excluded.df, sdf = terms.sdf + excluded.sdf",
        (words, [sign * df[w] for w in words], [sign * sdf[w] for w in words]),
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


# -- reading ------------------------------------------------------------------------------
# BM25 of the paragraphs holding a query term (``%(match)s``: which; ``%(terms)s``: the
# terms), per paragraph and per sentence, the best sentence kept: the embedded index's two
# signals, computed where the rows are.
_SCORED = f"""
WITH q AS (
    SELECT t.term,
           ln(1 + (s.paragraphs - t.df + 0.5) / (t.df + 0.5)) AS idf,
           ln(1 + (s.sentences - t.sdf + 0.5) / (t.sdf + 0.5)) AS sidf,
           s.tokens::float8 / greatest(s.paragraphs, 1) AS avgdl,
           s.sentence_tokens::float8 / greatest(s.sentences, 1) AS avgsl
    FROM terms t CROSS JOIN stats s
    WHERE t.term = ANY(%(terms)s) AND t.df > 0
),
m AS (
    SELECT p.id, p.len, p.starts, p.slens, p.tsv FROM paragraphs p WHERE {{match}}
),
occ AS (
    SELECT m.id, m.len, m.starts, m.slens, l.lexeme, l.positions
    FROM m, unnest(m.tsv) AS l WHERE l.lexeme = ANY(%(terms)s)
),
para AS (
    SELECT o.id, sum(q.idf * cardinality(o.positions) / (cardinality(o.positions)
           + {K1} * (1 - {B} + {B} * o.len / q.avgdl))) AS score
    FROM occ o JOIN q ON q.term = o.lexeme GROUP BY o.id
),
sent_tf AS (
    SELECT o.id, width_bucket(pos, o.starts) AS s, o.lexeme, count(*) AS tf,
           min(o.slens[width_bucket(pos, o.starts)]) AS slen
    FROM occ o, unnest(o.positions) AS pos
    WHERE pos >= o.starts[1]
    GROUP BY o.id, 2, o.lexeme
),
sent AS (
    SELECT id, max(score) AS score FROM (
        SELECT st.id, st.s, sum(q.sidf * st.tf / (st.tf
               + {K1} * (1 - {B} + {B} * st.slen / q.avgsl))) AS score
        FROM sent_tf st JOIN q ON q.term = st.lexeme GROUP BY st.id, st.s
    ) per_sentence GROUP BY id
),
scored AS (
    SELECT para.id, para.score AS p, coalesce(sent.score, 0) AS s
    FROM para LEFT JOIN sent USING (id)
)
"""
_TOP = (
    _SCORED
    + """
(SELECT id, p, s FROM scored ORDER BY p DESC, id LIMIT %(k)s)
UNION ALL
(SELECT id, p, s FROM scored WHERE s > 0 ORDER BY s DESC, id LIMIT %(k)s)
"""
)
_OF_IDS = _SCORED + "SELECT id, p, s FROM scored"


def _filter_sql(filters: Filters | None) -> tuple[str, dict[str, Any]]:
    """SQL conditions on ``p`` for ``filters`` (the same as ``Filters.accepts``)."""
    if not filters:
        return "TRUE", {}
    parts: list[str] = []
    params: dict[str, Any] = {}
    if filters.sources:
        parts.append("p.source = ANY(%(f_sources)s)")
        params["f_sources"] = list(filters.sources)
    if filters.article_ids:
        parts.append("p.article_id = ANY(%(f_articles)s)")
        params["f_articles"] = list(filters.article_ids)
    if filters.since:
        parts.append("p.day >= %(f_since)s")
        params["f_since"] = filters.since.toordinal()
    if filters.until:
        parts.append("p.day <= %(f_until)s")
        params["f_until"] = filters.until.toordinal()
    return " AND ".join(parts), params


def _query_terms(query: str) -> list[str]:
    from ingest.text import terms

    return [t for t in dict.fromkeys(terms(query)) if _usable(t)]


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
            where, params = _filter_sql(filters)
            match = f"p.tsv @@ %(tsquery)s::tsquery AND {where}"
            rows = self.database.execute(
                _TOP.replace("{match}", match),
                {**params, "terms": words, "tsquery": _tsquery(words), "k": k},
            ).fetchall()
            for pid, p, s in rows:
                top.append(pid)
                scores[pid] = (float(p), float(s))
        rest = [i for i in asked if i not in scores]
        if rest:
            rows = self.database.execute(
                _OF_IDS.replace("{match}", "p.id = ANY(%(ids)s) AND p.tsv @@ %(tsquery)s::tsquery"),
                {"terms": words, "tsquery": _tsquery(words), "ids": rest},
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


def _tsquery(words: Sequence[str]) -> str:
    return " | ".join(_lexeme(w) for w in words)


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
