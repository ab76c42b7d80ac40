"""Request bodies over ``max_request_bytes`` are refused with 413 before they are read.

The server is ``whoknows serve`` on a free loopback port; requests go over raw sockets so
that a body can be declared, or streamed in chunks, without ever being sent in full.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search_api.middleware import too_large_detail
from tests.helpers import build_index
from tests.security.http_helpers import TEAMS_KEY, client_for, whoknows_serve

LIMIT = 4096
ANSWER_SECONDS = 10.0


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    return build_index(tmp_path_factory.mktemp("org"), embedder)[0]


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[tuple[str, int]]:
    env = {"WHOKNOWS_MAX_REQUEST_BYTES": str(LIMIT), "WHOKNOWS_TEAMS_HMAC_KEY": TEAMS_KEY}
    with whoknows_serve(data, env) as base:
        address = urlsplit(base)
        yield str(address.hostname), int(address.port or 0)


def _exchange(address: tuple[str, int], head: bytes, body_parts: list[bytes]) -> bytes:
    """Send ``head`` and ``body_parts`` (never the end of the body) and read the answer."""
    with socket.create_connection(address, timeout=ANSWER_SECONDS) as sock:
        sock.sendall(head)
        for part in body_parts:
            sock.sendall(part)
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _status_and_json(answer: bytes) -> tuple[int, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def test_a_declared_400_mb_body_is_413_before_a_byte_is_read(server: tuple[str, int]) -> None:
    head = (
        b"POST /integrations/teams HTTP/1.1\r\nHost: whoknows\r\n"
        b"Content-Type: application/json\r\nContent-Length: 400000000\r\n\r\n"
    )

    answer = _exchange(server, head, [b'{"text": "'])

    assert _status_and_json(answer) == (413, {"detail": too_large_detail(LIMIT)})


def test_a_chunked_body_is_413_once_the_limit_is_passed(server: tuple[str, int]) -> None:
    head = (
        b"POST /integrations/teams HTTP/1.1\r\nHost: whoknows\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 1024
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (LIMIT // len(chunk) + 1)

    answer = _exchange(server, head, parts)  # the closing 0-length chunk is never sent

    assert _status_and_json(answer) == (413, {"detail": too_large_detail(LIMIT)})


def test_a_body_at_the_limit_is_read(data: Path, embedder) -> None:
    with client_for(data, embedder, max_request_bytes=LIMIT, teams_hmac_key=TEAMS_KEY) as client:
        at_limit = client.post("/integrations/teams", content=b" " * LIMIT)
        over = client.post("/integrations/teams", content=b" " * (LIMIT + 1))

    assert (at_limit.status_code, at_limit.json()) == (
        401,
        {"detail": "teams request rejected: missing Authorization header"},
    )
    assert (over.status_code, over.json()) == (413, {"detail": too_large_detail(LIMIT)})


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
def test_a_json_body_over_the_limit_is_413_not_400(data: Path, embedder, streamed: bool) -> None:
    body = json.dumps({"reason": "x" * LIMIT}).encode()
    content = iter([body[:1000], body[1000:]]) if streamed else body
    with client_for(data, embedder, max_request_bytes=LIMIT) as client:
        response = client.put(
            "/v1/admin/hidden-people/someone",
            content=content,
            headers={"Authorization": "Bearer wk_none_none", "Content-Type": "application/json"},
        )

    assert (response.status_code, response.json()) == (413, {"detail": too_large_detail(LIMIT)})
