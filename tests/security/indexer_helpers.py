"""Helpers of the indexer's security tests: hostile files in a real folder, a bounded wait."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
"""YAML whose value ``*i`` expands to 9**9 strings (387 million) when read as plain values."""


def within(seconds: float, work: Callable[[], T]) -> T:
    """The result of ``work()``, or a failed test when it takes longer than ``seconds``.

    ``work`` runs in a daemon thread, so a call blocked for ever (a FIFO nobody writes)
    fails the test instead of hanging the run.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:  # handed to the test below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"still running after {seconds} s")
    if errors:
        raise errors[0]
    return result[0]


def write_page(folder: Path, name: str, text: str) -> Path:
    """Write one UTF-8 page ``name`` into ``folder`` (made if missing)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_dump(folder: Path, posts: list[str], users: list[str]) -> Path:
    """A Stack Exchange dump folder with these ``<row .../>`` lines (the first row is line 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, root, rows in (("Posts.xml", "posts", posts), ("Users.xml", "users", users)):
        body = "".join(f"  {row}\n" for row in rows)
        (folder / name).write_text(
            f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}</{root}>\n', encoding="utf-8"
        )
    return folder
