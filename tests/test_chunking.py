"""Chunking: exact windows with a one-token-per-word tokeniser, and the real model's limit."""

from __future__ import annotations

import re

from indexer.chunking import ChunkText, chunk_document

_WORD = re.compile(r"\S+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """A fake tokeniser: one token per whitespace-separated word."""
    return [m.span() for m in _WORD.finditer(text)]


def texts(chunks: list[ChunkText]) -> list[str]:
    return [c.text for c in chunks]


def test_long_body_gives_overlapping_windows_each_prefixed_by_the_title() -> None:
    # budget = 8 - 2 special tokens - 1 title token = 5 words per window
    chunks = chunk_document("Helm", "a b c d e f g h i j", word_spans, max_tokens=8, overlap=2)

    assert chunks == [
        ChunkText(0, "Helm\n\na b c d e", "a b c d e"),
        ChunkText(1, "Helm\n\nd e f g h", "d e f g h"),
        ChunkText(2, "Helm\n\ng h i j", "g h i j"),
    ]


def test_title_tokens_count_against_the_window() -> None:
    # budget = 9 - 2 - 3 title words = 4
    chunks = chunk_document(
        "Rolling back Helm", "one two three four five six", word_spans, max_tokens=9, overlap=0
    )

    assert [c.body for c in chunks] == ["one two three four", "five six"]
    assert all(c.text.startswith("Rolling back Helm\n\n") for c in chunks)


def test_body_that_fits_gives_one_chunk_with_the_whole_body() -> None:
    chunks = chunk_document(
        " Vacuum ", "  autovacuum keeps\n\ntables small  ", word_spans, max_tokens=8, overlap=2
    )

    assert chunks == [
        ChunkText(
            0, "Vacuum\n\nautovacuum keeps\n\ntables small", "autovacuum keeps\n\ntables small"
        )
    ]


def test_body_of_exactly_the_budget_is_one_chunk_and_one_more_word_makes_two() -> None:
    fits = chunk_document("T", "a b c d e", word_spans, max_tokens=8, overlap=1)
    over = chunk_document("T", "a b c d e f", word_spans, max_tokens=8, overlap=1)

    assert texts(fits) == ["T\n\na b c d e"]
    assert texts(over) == ["T\n\na b c d e", "T\n\ne f"]


def test_empty_body_with_title_is_one_title_chunk_and_without_title_nothing() -> None:
    assert chunk_document("Expense reports", " \n ", word_spans) == [
        ChunkText(0, "Expense reports", "")
    ]
    assert chunk_document("  ", "", word_spans) == []


def test_no_title_means_no_prefix() -> None:
    chunks = chunk_document("", "a b c d e f g", word_spans, max_tokens=6, overlap=1)

    assert texts(chunks) == ["a b c d", "d e f g"]


def test_no_chunk_is_empty_and_every_word_is_covered_in_order() -> None:
    body = " ".join(f"w{i}" for i in range(23))
    # budget 4, overlap 1: windows start every 3 words; the last holds the two words left
    chunks = chunk_document("T", body, word_spans, max_tokens=7, overlap=1)

    assert [c.ordinal for c in chunks] == list(range(8))
    assert [c.body.split()[0] for c in chunks] == [f"w{i}" for i in range(0, 22, 3)]
    assert [len(c.body.split()) for c in chunks] == [4, 4, 4, 4, 4, 4, 4, 2]
    assert chunks[-1].body == "w21 w22"
    covered = [w for c in chunks for w in c.body.split()]
    assert list(dict.fromkeys(covered)) == body.split()


def test_overlap_not_smaller_than_the_window_is_cut_to_a_quarter() -> None:
    # budget 4 and overlap 10: overlap becomes 4 // 4 = 1, so the loop advances by 3
    chunks = chunk_document("T", "a b c d e f g h", word_spans, max_tokens=7, overlap=10)

    assert [c.body for c in chunks] == ["a b c d", "d e f g", "g h"]


def test_title_longer_than_the_window_still_gives_one_word_per_chunk() -> None:
    chunks = chunk_document("a very long title", "x y z", word_spans, max_tokens=4, overlap=0)

    assert [c.body for c in chunks] == ["x", "y", "z"]


# Technical prose: long identifiers that the model splits into several word pieces.
PLATFORM_TEXT = (
    "Kubernetes operators reconcile PersistentVolumeClaims idempotently. Our Terraform "
    "modules provision Elasticsearch clusters with Prometheus exporters and Grafana "
    "dashboards; autovacuum tuning for PostgreSQL lives in the Ansible playbooks. "
    "Rollbacks use Helmfile and ArgoCD synchronisation."
)


def test_every_chunk_fits_the_real_model(embedder) -> None:
    too_long = []
    for max_tokens in range(12, 41):
        for overlap in (0, 4):
            for chunk in chunk_document(
                "Platform runbook",
                PLATFORM_TEXT,
                embedder.token_spans,
                max_tokens=max_tokens,
                overlap=overlap,
            ):
                tokens = len(embedder.token_spans(chunk.text))
                if tokens > max_tokens - 2:
                    too_long.append((max_tokens, overlap, tokens, chunk.body))

    assert too_long == []
