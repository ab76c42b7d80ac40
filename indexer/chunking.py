"""Split a document into overlapping passages that fit the model, title first. Pure functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TokenSpans = Callable[[str], list[tuple[int, int]]]
"""Character spans of the model's tokens in a text (see ``Embedder.token_spans``)."""


@dataclass(frozen=True)
class ChunkText:
    """One passage of a document: ``text`` is what gets embedded and searched."""

    ordinal: int
    text: str
    body: str


def chunk_document(
    title: str,
    text: str,
    token_spans: TokenSpans,
    *,
    max_tokens: int = 256,
    overlap: int = 32,
) -> list[ChunkText]:
    """Cut ``text`` into windows of model tokens, each prefixed by the title.

    Windows hold at most ``max_tokens`` tokens including the title (two tokens
    are left for the model's special tokens) and overlap by ``overlap`` tokens.
    Cuts fall on token boundaries, so no word is split inside a token.

    >>> spans = lambda s: [(i, i + 1) for i, c in enumerate(s) if not c.isspace()]
    >>> [c.text for c in chunk_document("T", "abcdef", spans, max_tokens=6, overlap=1)]
    ['T\\n\\nabc', 'T\\n\\ncde', 'T\\n\\nef']
    """
    title = title.strip()
    body = text.strip()
    prefix = f"{title}\n\n" if title else ""
    if not body:
        return [ChunkText(0, title, "")] if title else []
    budget = max_tokens - 2 - (len(token_spans(title)) if title else 0)
    budget = max(budget, 1)
    if overlap >= budget:
        overlap = budget // 4
    spans = token_spans(body)
    if len(spans) <= budget:
        return [ChunkText(0, prefix + body, body)]
    chunks: list[ChunkText] = []
    start = 0
    while start < len(spans):
        end = min(start + budget, len(spans))
        piece = body[spans[start][0] : spans[end - 1][1]].strip()
        chunks.append(ChunkText(len(chunks), prefix + piece, piece))
        if end == len(spans):
            break
        start = end - overlap
    return chunks
