"""Index generations: every run builds a whole new index beside the served one, then switches.

Layout of a data directory::

    CURRENT                        name of the generation being served (replaced atomically)
    generations/<name>/            one complete index: whoknows.db, vectors/, generation.json
    generations/<name>.partial/    a generation being built; a dead run's is removed next time
    embeddings.db                  chunk vectors by model and text hash, shared by all
                                   generations, so a killed run's embeddings are reused
    state.db                       what outlives generations: API keys, hidden people
    index.lock                     held by the running re-index (who, since when)

A folder with ``whoknows.db`` and no ``CURRENT`` is an index built in place
(the library and tests do that); it is served as it is, and the next
``whoknows index`` run starts its first generation from it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import socket
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from indexer.errors import IndexLockedError, IndexNotFoundError
from indexer.faults import failpoint

logger = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
PARTIAL_SUFFIX = ".partial"
EMBEDDINGS_DB = "embeddings.db"
STATE_DB = "state.db"
LOCK_FILE = "index.lock"
INFO_FILE = "generation.json"
DB_FILE = "whoknows.db"
"""The index database inside a generation (see :mod:`indexer.store.sqlite`)."""
KEEP = 2
"""Generations kept: the served one and the one before it."""


def current_name(data_dir: Path) -> str | None:
    """The name of the served generation; ``""`` for an index built in place; ``None`` if none.

    Cheap enough to poll: one small file read.
    """
    try:
        name = (Path(data_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "" if (Path(data_dir) / DB_FILE).is_file() else None
    return name or None


def current_dir(data_dir: Path) -> Path | None:
    """The folder of the served index (a generation, or ``data_dir`` itself), if any."""
    data_dir = Path(data_dir)
    name = current_name(data_dir)
    if name is None:
        return None
    if name == "":
        return data_dir
    folder = data_dir / GENERATIONS_DIR / name
    if not (folder / DB_FILE).is_file():
        raise IndexNotFoundError(
            f"{data_dir / CURRENT_FILE} names generation {name!r}, but {folder} holds no index: "
            "run `whoknows index` to build a new one"
        )
    return folder


def generations(data_dir: Path) -> list[str]:
    """Names of the complete generations, oldest first (names sort by build time)."""
    root = Path(data_dir) / GENERATIONS_DIR
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL_SUFFIX)
    )


@dataclass(frozen=True)
class LockHolder:
    """Who holds the index lock."""

    pid: int
    host: str
    started: str
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started} ({self.command})"


class IndexLock:
    """An exclusive lock on a data directory's re-index, held while the context is open.

    The kernel drops the lock when its process dies, so a lock left by a killed
    run never blocks the next one; its stale holder note is reported and replaced.

    Example:
        >>> with IndexLock(data_dir, wait=False):  # doctest: +SKIP
        ...     build_and_switch()
    """

    def __init__(self, data_dir: Path, *, wait: bool = False, timeout: float | None = None) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self.wait = wait
        self.timeout = timeout
        self._file: IO[str] | None = None

    def __enter__(self) -> IndexLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until __exit__)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        announced = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    handle.close()
                    raise
                holder = _read_holder(handle)
                if not self.wait or (deadline is not None and time.monotonic() >= deadline):
                    handle.close()
                    raise IndexLockedError(
                        f"another re-index is running in {self.path.parent}: "
                        f"{holder or 'holder unknown'}; wait for it or pass --wait"
                    ) from None
                if not announced:
                    logger.warning("waiting for the re-index held by %s", holder or "another run")
                    announced = True
                time.sleep(0.2)
        stale = _read_holder(handle)
        if stale is not None and not _alive(stale.pid, stale.host):
            logger.warning(
                "cleared a stale index lock left by %s, which is no longer running", stale
            )
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(_holder_now()))
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is None:
            return
        self._file.seek(0)
        self._file.truncate()
        self._file.flush()
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._file = None


def lock_holder(data_dir: Path) -> LockHolder | None:
    """Who holds (or, if the lock is free, last held without releasing) the index lock."""
    try:
        with open(Path(data_dir) / LOCK_FILE, encoding="utf-8") as handle:
            return _read_holder(handle)
    except FileNotFoundError:
        return None


def _holder_now() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv[:3])[:200],
    }


def _read_holder(handle: IO[str]) -> LockHolder | None:
    handle.seek(0)
    text = handle.read()
    if not text.strip():
        return None
    try:
        data = json.loads(text)
        return LockHolder(
            int(data["pid"]), str(data["host"]), str(data["started"]), data["command"]
        )
    except (ValueError, KeyError, TypeError):
        return None


def _alive(pid: int, host: str) -> bool:
    if host != socket.gethostname():
        return True  # can't tell: assume it runs
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def begin(data_dir: Path) -> Path:
    """Start a generation (hold the lock): a ``.partial`` folder seeded with the served database.

    Leftovers of runs that died are removed first.
    """
    data_dir = Path(data_dir)
    root = data_dir / GENERATIONS_DIR
    root.mkdir(parents=True, exist_ok=True)
    for leftover in root.glob(f"*{PARTIAL_SUFFIX}"):
        logger.warning("removing %s, left by a re-index that did not finish", leftover)
        shutil.rmtree(leftover, ignore_errors=True)
    name = _new_name(root)
    partial = root / f"{name}{PARTIAL_SUFFIX}"
    partial.mkdir()
    base = current_dir(data_dir)
    if base is not None:
        _copy_database(base / DB_FILE, partial / DB_FILE)
    return partial


def _new_name(root: Path) -> str:
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    while (root / name).exists() or (root / f"{name}{PARTIAL_SUFFIX}").exists():
        time.sleep(0.001)
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return name


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def publish(data_dir: Path, partial: Path, info: dict[str, Any], *, keep: int = KEEP) -> str:
    """Make a verified ``.partial`` generation the served one; return its name.

    The folder is renamed, then ``CURRENT`` is replaced by rename: a reader sees
    the old generation or the new one, never a mix. Older generations beyond
    ``keep`` are removed.
    """
    data_dir = Path(data_dir)
    name = partial.name.removesuffix(PARTIAL_SUFFIX)
    (partial / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    final = partial.with_name(name)
    os.rename(partial, final)
    _fsync_dir(final.parent)
    failpoint("switch")
    tmp = data_dir / f".{CURRENT_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, data_dir / CURRENT_FILE)
    _fsync_dir(data_dir)
    prune(data_dir, keep=keep)
    return name


def prune(data_dir: Path, *, keep: int = KEEP) -> list[str]:
    """Remove generations but the served one and the newest others, ``keep`` in all."""
    served = current_name(data_dir)
    names = generations(data_dir)
    others = [n for n in names if n != served]
    kept = {served, *others[-(keep - 1) :]} if keep > 1 else {served}
    removed = [n for n in names if n not in kept]
    for name in removed:
        shutil.rmtree(Path(data_dir) / GENERATIONS_DIR / name, ignore_errors=True)
        logger.info("removed old generation %s", name)
    return removed


def generation_info(folder: Path) -> dict[str, Any] | None:
    """What :func:`publish` recorded about a generation (counts, model, time), if anything."""
    try:
        return dict(json.loads((Path(folder) / INFO_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError):
        return None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
