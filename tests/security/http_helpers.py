"""Shared parts of the HTTP security tests: a tiny real index, keys, a client, a real server."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from search_api.keys import KeyStore

ROOT = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 90.0
SLACK_SECRET = "slack-signing-secret"
TEAMS_KEY = base64.b64encode(bytes(range(32))).decode()
MATTERMOST_TOKEN = "mattermost-token"
CHAT_SECRETS = {
    "slack_signing_secret": SLACK_SECRET,
    "teams_hmac_key": TEAMS_KEY,
    "mattermost_token": MATTERMOST_TOKEN,
}
"""Settings that turn on the three chat integrations."""


def create_key(data: Path, scopes: Sequence[str], groups: Sequence[str] = ()) -> str:
    """A new API key in ``data``'s state store; returns the plaintext."""
    keys = KeyStore(data)
    try:
        _, plaintext = keys.create("security test", list(scopes), list(groups))
    finally:
        keys.close()
    return plaintext


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@contextmanager
def client_for(data: Path, embedder: Any, **settings: Any) -> Iterator[TestClient]:
    """A test client over the real app on ``data`` (lifespan run), with ``settings``."""
    app = create_app(Settings(data_dir=data, **settings), embedder=embedder)
    with TestClient(app) as client:
        yield client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def whoknows_serve(
    data: Path, env: dict[str, str], *args: str, log: Path | None = None
) -> Iterator[str]:
    """``whoknows serve`` on a free loopback port in a child process; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "search_api.cli", "serve", "--data-dir", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port), *args]
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    output = (log or data.parent / "serve.log").open("wb")
    process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"whoknows serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"whoknows serve did not become ready within {SERVER_START_SECONDS} s")
