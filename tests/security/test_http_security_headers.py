"""Every response has a Content-Security-Policy, nosniff, a Referrer-Policy and framing rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings, load_settings
from indexer.errors import ConfigError
from search_api.app import create_app

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PATHS = ["/", "/widget.js", "/key.js", "/page.js", "/healthz", "/readyz", "/openapi.json", "/x"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("empty")))
    yield TestClient(app)  # no lifespan: the headers do not depend on an index


@pytest.mark.parametrize("path", PATHS)
def test_each_response_has_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers

    assert headers["Content-Security-Policy"] == PAGE_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_page_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/").text

    assert page.count("<script") == 3
    assert page.count("<script src=") == 3


def test_listed_embedders_replace_deny(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, frame_ancestors=["https://intranet.example.com"])
    headers = TestClient(create_app(settings)).get("/").headers

    assert headers["Content-Security-Policy"].endswith(
        "; frame-ancestors https://intranet.example.com"
    )
    assert "X-Frame-Options" not in headers


def test_an_embedder_that_is_not_an_origin_is_a_config_error(monkeypatch) -> None:
    monkeypatch.setenv("WHOKNOWS_FRAME_ANCESTORS", '["https://a.example.com; script-src *"]')

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert str(raised.value).startswith(
        "settings: frame_ancestors: Value error, 'https://a.example.com; script-src *' is not "
        "an origin"
    )


def test_docs_are_served_from_this_server(client: TestClient) -> None:
    docs = client.get("/docs")
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")

    assert docs.status_code == 200
    assert "https://" not in docs.text.replace("https://schema", "")
    assert '<script src="/docs/assets/swagger-ui-bundle.js"></script>' in docs.text
    assert (bundle.status_code, bundle.headers["content-type"]) == (
        200,
        "text/javascript; charset=utf-8",
    )
    policy = docs.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-")
    assert "'unsafe-inline'" not in policy.split("; ")[1]
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/assets/../../keys.py").status_code == 404
