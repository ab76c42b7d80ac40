"""One error root for every backend: a backend's own database errors become ``StoreError``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from indexer.errors import StoreError

T = TypeVar("T")


def raising_store_errors(
    errors: tuple[type[BaseException], ...], what: str
) -> Callable[[type[T]], type[T]]:
    """A class decorator: every public method (and ``__init__``) raises :class:`StoreError`
    for one of ``errors``, naming ``what`` failed ("the index database")."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except errors as exc:
                raise StoreError(f"{what} failed: {exc}") from exc

        return wrapper

    def decorate(cls: type[T]) -> type[T]:
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_") or name == "__init__":
                setattr(cls, name, wrap(member))
        return cls

    return decorate
