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
    Cuts fall between words, never between the word pieces of one word.

    >>> import re
    >>> spans = lambda s: [m.span() for m in re.finditer(r"\\S+", s)]
    >>> [c.text for c in chunk_document("T", "a b c d e f", spans, max_tokens=6, overlap=1)]
    ['T\\n\\na b c', 'T\\n\\nc d e', 'T\\n\\ne f']
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
    starts = _word_starts(body, spans)
    chunks: list[ChunkText] = []
    start = 0
    while start < len(spans):
        end = min(start + budget, len(spans))
        if end < len(spans):
            end = _last_start_in(starts, start + 1, end) or end
        piece = body[spans[start][0] : spans[end - 1][1]].strip()
        chunks.append(ChunkText(len(chunks), prefix + piece, piece))
        if end == len(spans):
            break
        next_start = _last_start_in(starts, start + 1, end - overlap) or end
        start = max(next_start, start + 1)
    return chunks


def _word_starts(text: str, spans: list[tuple[int, int]]) -> list[bool]:
    """Whether a cut may fall before each token: not inside a word split into word pieces.

    Re-tokenising a window that starts or ends inside such a word could give
    more tokens than the window held.
    """
    flags = [True]
    for (_, prev_end), (start, _) in zip(spans, spans[1:], strict=False):
        glued = start == prev_end and text[start].isalnum() and text[prev_end - 1].isalnum()
        flags.append(not glued)
    return flags


def _last_start_in(starts: list[bool], low: int, high: int) -> int | None:
    """The last token index in ``[low, high]`` before which a cut may fall."""
    for i in range(min(high, len(starts) - 1), low - 1, -1):
        if starts[i]:
            return i
    return None
