"""Lexical search on PostgreSQL: full-text matching (tsvector + GIN) ranked by BM25 in SQL.

Text is tokenized here as FTS5's ``unicode61`` tokenizer does (runs of letters and digits,
diacritics removed, case folded: :func:`search_tokens`), and PostgreSQL only stems those
words with the ``whoknows.search`` configuration (English Snowball stems, no stop words).

``ts_rank_cd`` is not BM25 (its top 10 overlapped today's FTS5 ranking by 0.18), so the
score here is FTS5's own formula: for each query term ``t`` in a matching row,
``idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))`` with ``k1`` 1.2,
``b`` 0.75 and ``idf = max(ln((N - n + 0.5) / (n + 0.5)), 1e-6)``, summed; ``N`` and
``avglen`` count every row, ``n`` the rows holding ``t``. Row lengths are token counts
as FTS5's tokenizer counts them (:func:`~indexer.store.postgres.documents.token_count`).

Like FTS5, an OR query scores every row holding any query word; the commonest words are
first left out of the match when that provably changes no top result (:func:`_common_lexemes`).

What still differs from the embedded ranking: stems are Snowball's (``english``) where
FTS5 uses the original Porter (they differ on a few words); a query word holding ``_``
(``pg_stat``) counts as its parts rather than as one phrase; a document indexes its
first :data:`MAX_INDEXED_TOKENS` tokens (a tsvector holds at most 1 MB) and counts at
most 256 occurrences of a term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from indexer.store.base import ChunkRow
from indexer.store.postgres.schema import TEXT_SEARCH_CONFIG

if TYPE_CHECKING:
    from indexer.store.postgres.connection import Database

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
MAX_QUERY_WORDS = 200
MAX_INDEXED_TOKENS = 50_000
K1 = 1.2
B = 0.75
PRUNE_BOUND = 0.5
"""The most the lexemes left out of a match may add to a row's score (see _common_lexemes)."""

_BM25 = """
WITH matches AS MATERIALIZED (
    SELECT r.{key} AS key, r.ntokens, r.tsv FROM {table} r
    WHERE r.tsv @@ %(match)s::tsquery {where}
), totals AS (
    SELECT rows::float8 AS n, tokens::float8 / greatest(rows, 1) AS avglen
    FROM lexical_totals WHERE tbl = '{table}'
), idf AS (
    SELECT s.lexeme, greatest(ln((t.n - s.n + 0.5) / (s.n + 0.5)), 1e-6) AS idf
    FROM lexical_terms s, totals t WHERE s.tbl = '{table}' AND s.lexeme = ANY(%(lexemes)s)
)
SELECT m.key, sum(
    i.idf * f.tf * ({k1} + 1) / (f.tf + {k1} * (1 - {b} + {b} * m.ntokens / t.avglen))
) AS score
FROM matches m
CROSS JOIN LATERAL unnest(ts_filter(setweight(m.tsv, 'A', %(lexemes)s), '{{a}}')) u
JOIN idf i ON i.lexeme = u.lexeme
CROSS JOIN LATERAL (SELECT cardinality(u.positions)::float8 AS tf) f
CROSS JOIN totals t
GROUP BY m.key
"""
"""BM25 of every row matching any query lexeme; N, lengths and row counts by lexeme come
from ``lexical_totals`` and ``lexical_terms`` (kept by triggers), so a filter in ``where``
does not change the scores."""


def query_words(query: str) -> list[str]:
    """The distinct words of ``query`` that lexical search looks for (at most 200).

    >>> query_words('helm "rollback" OR k8s-pods helm')
    ['helm', 'rollback', 'or', 'k8s', 'pods']
    """
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    return words[:MAX_QUERY_WORDS]


def search_tokens(text: str) -> list[str]:
    """The tokens of ``text`` as FTS5's ``unicode61`` tokenizer finds them.

    >>> search_tokens("Ana Kovač's pg_stat_user_tables, k8s-pods")
    ['ana', 'kovac', 's', 'pg', 'stat', 'user', 'tables', 'k8s', 'pods']
    """
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _TOKEN.findall(folded.casefold())


def _bm25_sql(table: str, key: str, where: str = "") -> str:
    return _BM25.format(config=TEXT_SEARCH_CONFIG, table=table, key=key, where=where, k1=K1, b=B)


class Lexical:
    """The lexical-index half of :class:`indexer.store.postgres.PostgresStore`."""

    _db: Database

    def search_lexical(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores (higher is better) for ``query``, best first."""
        words = query_words(query)
        if not words or limit <= 0:
            return []
        rows = self._ranked(
            _bm25_sql("chunks", "id") + " ORDER BY score DESC, m.key LIMIT %(limit)s",
            {"text": _query_text(words), "limit": limit},
            table="chunks",
            limit=limit,
        )
        return [(int(key), float(score)) for key, score in rows]

    def search_documents_lexical(
        self, query: str, limit: int, *, kind: str | None = None
    ) -> list[tuple[str, float]]:
        """Document ids and BM25 scores over whole documents (title and text), best first."""
        words = query_words(query)
        if not words or limit <= 0:
            return []
        where = "AND r.kind = %(kind)s" if kind else ""
        rows = self._ranked(
            _bm25_sql("documents", "id", where) + " ORDER BY score DESC, m.key LIMIT %(limit)s",
            {"text": _query_text(words), "limit": limit, "kind": kind},
            table="documents",
            limit=limit,
        )
        return [(str(key), float(score)) for key, score in rows]

    def best_chunks(self, query: str, document_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """For each document, its chunk that best matches ``query`` lexically (else its first)."""
        ids = list(document_ids)
        out: dict[str, ChunkRow] = {}
        words = query_words(query)
        if words and ids:
            ranked = _bm25_sql("chunks", "id", "AND r.document_id = ANY(%(ids)s)")
            rows = self._ranked(
                f"SELECT c.id, c.document_id, c.ordinal, c.body FROM ({ranked}) s "
                "JOIN chunks c ON c.id = s.key ORDER BY s.score DESC, c.id",
                {"text": _query_text(words), "ids": ids},
            )
            for row in rows:
                out.setdefault(row[1], ChunkRow(*row))
        missing = [doc_id for doc_id in ids if doc_id not in out]
        if missing:
            with self._db.connection() as conn:
                rows = conn.execute(
                    "SELECT id, document_id, ordinal, body FROM chunks "
                    "WHERE document_id = ANY(%s) ORDER BY ordinal, id",
                    [missing],
                ).fetchall()
            for row in rows:
                out.setdefault(row[1], ChunkRow(*row))
        return out

    def _ranked(
        self, query: str, params: dict[str, Any], *, table: str = "", limit: int = 0
    ) -> list[tuple[Any, ...]]:
        """Run a BM25 query: ``params["text"]`` (tokens) becomes its lexemes and tsquery.

        With ``table`` and ``limit`` (a query returning ``(key, score)``, best first), the
        commonest lexemes may be left out of the match (see :func:`_common_lexemes`).
        """
        with self._db.connection() as conn:
            row = conn.execute(
                f"SELECT tsvector_to_array(to_tsvector('{TEXT_SEARCH_CONFIG}', %s))",
                [params["text"]],
            ).fetchone()
            lexemes = list(row[0]) if row else []
            if not lexemes:
                return []
            params = {**params, "lexemes": lexemes}
            if table and limit:
                common, bound = _common_lexemes(conn, table, lexemes)
                rare = [lexeme for lexeme in lexemes if lexeme not in common]
                if common and rare:
                    rows = conn.execute(query, {**params, "match": _tsquery(rare)}).fetchall()
                    if len(rows) >= limit and rows[limit - 1][1] > bound:
                        return rows
            return conn.execute(query, {**params, "match": _tsquery(lexemes)}).fetchall()


def _common_lexemes(conn: Any, table: str, lexemes: list[str]) -> tuple[set[str], float]:
    """The query's commonest lexemes, and a bound no row holding only those can reach.

    A row matching only lexemes of the returned set scores below the bound (each term adds
    less than ``idf * (k1 + 1)``), so when ``limit`` rows matching the other lexemes all
    score above it, the top ``limit`` are found without ranking every row that holds a
    common word (an OR query ranks every match otherwise). The set is the longest run of
    lowest-idf lexemes whose bound stays under :data:`PRUNE_BOUND`.
    """
    rows = conn.execute(
        "SELECT s.lexeme, greatest(ln((t.rows - s.n + 0.5)::float8 / (s.n + 0.5)), 1e-6) AS idf "
        "FROM lexical_terms s JOIN lexical_totals t ON t.tbl = s.tbl "
        "WHERE s.tbl = %s AND s.lexeme = ANY(%s) ORDER BY idf, s.lexeme",
        [table, lexemes],
    ).fetchall()
    common: set[str] = set()
    bound = 0.0
    for lexeme, idf in rows:
        if bound + idf * (K1 + 1) > PRUNE_BOUND:
            break
        common.add(lexeme)
        bound += idf * (K1 + 1)
    return common, bound


def _tsquery(lexemes: list[str]) -> str:
    # lexemes of letter and digit tokens need no escaping inside quotes
    return " | ".join(f"'{lexeme}'" for lexeme in lexemes)


def _query_text(words: list[str]) -> str:
    return " ".join(dict.fromkeys(t for w in words for t in search_tokens(w)))
