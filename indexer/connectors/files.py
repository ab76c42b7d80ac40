"""Opening the files a connector finds inside a source: regular files inside its root only.

The operator names a source's root (a folder, or one file); everything else in it may have
been written by anyone. A file found inside the root is opened only when its real path stays
inside the root and it is a regular file: a symlink pointing out (``/etc/passwd``,
``/proc/self/environ``, ``/dev/zero``), a FIFO, a socket or a device is refused with
:class:`UnsafeFileError`. A symlink whose target stays inside the root is followed.

The file is opened with ``O_NOFOLLOW | O_NONBLOCK`` (opening a FIFO does not wait for a
writer) and checked with ``fstat`` on the open descriptor, so a file swapped for a symlink or a
FIFO after the checks is still refused; at most ``max_bytes + 1`` bytes are ever read.

Example:
    >>> data = read_inside(Path("wiki/team/index.md"), Path("wiki"), 5_000_000)  # doctest: +SKIP
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from indexer.errors import SourceError

DEFAULT_MAX_BYTES = 5_000_000
"""The size limit of one page, post, revision or bio (the ``max_bytes`` source option)."""

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def max_bytes_option(
    options: Mapping[str, Any], name: str = "max_bytes", default: int = DEFAULT_MAX_BYTES
) -> int:
    """The size limit a source's ``options[name]`` sets (a positive whole number of bytes).

    Raises:
        SourceError: the option is not a positive whole number.
    """
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SourceError(f"the {name} option must be a positive number of bytes, not {value!r}")
    return value


class UnsafeFileError(Exception):
    """A file inside a source may not be read: outside the root, not regular, or too big."""


class FileTooBigError(UnsafeFileError):
    """A file holds more bytes than its limit; ``size`` is what was seen (at least)."""

    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(too_big(size, max_bytes))
        self.size = size
        self.max_bytes = max_bytes


def inside_root(path: Path, root: Path) -> Path:
    """The real path of ``path`` when it stays inside ``root`` (itself resolved).

    Raises:
        UnsafeFileError: the real path is outside ``root``.
    """
    real = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(root))
    if real != real_root and real_root not in real.parents:
        raise UnsafeFileError(f"a symlink to {real}, outside the source's folder; not read")
    return real


def open_inside(path: Path, root: Path) -> BinaryIO:
    """Open ``path`` (found inside ``root``) for reading as a binary file, blocking reads.

    Raises:
        UnsafeFileError: outside ``root`` or not a regular file.
        OSError: the file cannot be opened (missing, permissions).
    """
    fd = _open_regular(inside_root(path, root))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_inside(path: Path, root: Path, max_bytes: int) -> bytes:
    """All bytes of ``path`` (found inside ``root``), when it holds at most ``max_bytes``.

    Raises:
        UnsafeFileError: outside ``root``, not a regular file, or over ``max_bytes``.
        OSError: the file cannot be opened or read.
    """
    return read_regular(inside_root(path, root), max_bytes)


def read_regular(path: Path, max_bytes: int) -> bytes:
    """All bytes of the regular file ``path`` (a symlink is followed), at most ``max_bytes``.

    For a file the operator named; files found inside it go through :func:`read_inside`.

    Raises:
        UnsafeFileError: not a regular file, or over ``max_bytes``.
        OSError: the file cannot be opened or read.
    """
    fd = _open_regular(Path(os.path.realpath(path)))
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise FileTooBigError(size, max_bytes)
        os.set_blocking(fd, True)
        data = handle.read(max_bytes + 1)  # the file may grow after fstat
    if len(data) > max_bytes:
        raise FileTooBigError(len(data), max_bytes)
    return data


def utf8_size(text: str) -> int:
    """The UTF-8 size of ``text`` in bytes (counted without encoding when it is ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def bounded_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The lines of ``handle``; ``None`` for a line longer than ``max_bytes`` (not kept).

    A file with one endless line (``/dev/zero`` has none) is read in pieces of
    ``max_bytes + 1`` bytes, so memory stays bounded.
    """
    while line := handle.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = handle.readline(max_bytes + 1)
        yield None


def too_big(size: int, max_bytes: int) -> str:
    """The reason given for a file or record over its size limit."""
    return f"{size} bytes, over the limit of {max_bytes}; split it or raise max_bytes"


def _open_regular(real: Path) -> int:
    try:
        fd = os.open(real, _FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # swapped for a symlink after realpath
            raise UnsafeFileError("became a symlink while being opened; not read") from None
        if error.errno == errno.ENXIO:  # a socket
            raise UnsafeFileError("a socket, not a regular file; not read") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise UnsafeFileError(f"{kind}, not a regular file; not read")
    return fd
