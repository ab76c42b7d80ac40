"""Topic words from document titles: what a person's evidence is about. Pure: no I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_STOP_WORDS = """
a about above after again all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further get gets
getting guide had has have having here how howto i if in into is it its just more most my new no
nor not now of off on once only or other our out over own same should so some such than that the
their them then there these they this those through to too under until up use used using vs very
via was we were what when where which while who whom why will with without would you your
back even keep keeps need needs one still though two us
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Words never shown as topics."""
_WORD = re.compile(r"\w+", re.UNICODE)


def topic_words(text: str) -> set[str]:
    """The words of ``text`` that can name a topic (case-folded).

    >>> sorted(topic_words("How to roll back a Helm release in 2 steps"))
    ['helm', 'release', 'roll', 'steps']
    """
    return {w for w in _WORD.findall(text.casefold()) if _is_topic_word(w)}


def top_topics(titles: Sequence[str], limit: int) -> list[str]:
    """The ``limit`` words found in most titles (stop words and numbers left out; ties A-Z).

    >>> top_topics(["Rolling back a Helm release", "Helm chart values"], 2)
    ['helm', 'chart']
    """
    return [word for word, _ in _ranked_words(titles)[:limit]]


def shared_topic(titles: Sequence[str], among: Iterable[str]) -> str | None:
    """A word of ``among`` (say, the query's) that at least two of ``titles`` share; or None.

    The word in most titles wins, then the first alphabetically.

    >>> shared_topic(["Helm rollback fails", "Helm chart values", "Chart museum"], ["chart"])
    'chart'
    >>> shared_topic(["Helm rollback fails", "Helm chart values"], ["postgres"]) is None
    True
    """
    ranked = _ranked_words(titles, frozenset(among))
    return ranked[0][0] if ranked and ranked[0][1] >= 2 else None


def _ranked_words(
    titles: Sequence[str], keep: frozenset[str] | None = None
) -> list[tuple[str, int]]:
    """``(word, titles it is in)``, most titles first then A-Z; only ``keep``'s words if given."""
    counts: Counter[str] = Counter()
    for title in titles:
        words = topic_words(title)
        counts.update(words if keep is None else words & keep)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _is_topic_word(word: str) -> bool:
    return len(word) >= 2 and not word.isdigit() and "_" not in word and word not in STOP_WORDS
