"""The table of held attacks in conftest.py names, for each of the 27, tests that exist."""

from __future__ import annotations

import importlib
import re

import tests.security.conftest as conftest

ROW = re.compile(r"^(\d+(?:-\d+)?)\s{2,}.+?\s{2,}(test_held_\w+)::(test_attack_\w+)\*$")


def _rows() -> list[tuple[str, str, str]]:
    lines = (conftest.__doc__ or "").splitlines()
    return [m.groups() for m in map(ROW.match, lines) if m]


def test_the_table_lists_the_27_held_attacks_once_each() -> None:
    numbers = [int(n) for number, _, _ in _rows() for n in number.split("-")]

    assert numbers == list(range(1, 28))


def test_every_row_of_the_table_names_existing_tests() -> None:
    missing = []
    for number, module, prefix in _rows():
        names = dir(importlib.import_module(f"tests.security.{module}"))
        if not [name for name in names if name.startswith(prefix)]:
            missing.append(f"{number}: {module}::{prefix}*")

    assert missing == []
