"""The search page in real Chromium against ``whoknows serve``: no cross-origin framing, no key
installed from the address without asking, no request to another origin (page and ``/docs``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import build_index
from tests.security.http_helpers import create_key, whoknows_serve
from tests.web import test_browser

browser = test_browser.browser
page = test_browser.page
"""The web tests' fixtures: Debian's Chromium once per module, a fresh tab per test."""
QUERY = "helm rollback"
FRAMING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Intranet</title>
</head><body><h1>Intranet</h1><iframe id="embedded" src="{api}/" width="800" height="600">
</iframe></body></html>"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, str]]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    key = create_key(data, ["search"])
    with whoknows_serve(data, {"WHOKNOWS_ALLOW_ANONYMOUS": "true"}) as base:
        yield base, key


@contextmanager
def _static_site(root: Path) -> Iterator[str]:
    """The files under ``root`` served on another loopback port: an intranet site."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def framing_host(tmp_path_factory: pytest.TempPathFactory, api: tuple[str, str]) -> Iterator[str]:
    """An intranet page on another origin that frames the search page."""
    root = tmp_path_factory.mktemp("intranet")
    (root / "index.html").write_text(FRAMING_PAGE.format(api=api[0]), encoding="utf-8")
    with _static_site(root) as host:
        yield host


def test_the_page_does_not_render_in_a_cross_origin_frame(
    api: tuple[str, str], framing_host: str, page
) -> None:
    page.goto(f"{framing_host}/", wait_until="load")

    [frame] = [f for f in page.frames if f != page.main_frame]
    assert page.locator("#embedded").count() == 1
    assert frame.locator("#search-view").count() == 0


def test_an_origin_in_frame_ancestors_may_frame_the_page(
    tmp_path_factory: pytest.TempPathFactory, embedder, page
) -> None:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    root = tmp_path_factory.mktemp("allowed")
    with _static_site(root) as host:
        env = {"WHOKNOWS_ALLOW_ANONYMOUS": "true", "WHOKNOWS_FRAME_ANCESTORS": f'["{host}"]'}
        with whoknows_serve(data, env) as base:
            (root / "index.html").write_text(FRAMING_PAGE.format(api=base), encoding="utf-8")
            page.goto(f"{host}/", wait_until="load")
            [frame] = [f for f in page.frames if f != page.main_frame]
            count = frame.locator("#search-view").count()

    assert count == 1


def test_a_key_in_the_address_is_not_installed_without_consent(api: tuple[str, str], page) -> None:
    from playwright.sync_api import expect

    base, key = api
    asked: list[str] = []
    authorizations: list[str | None] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda r: (
            authorizations.append(r.headers.get("authorization")) if "/v1/" in r.url else None
        ),
    )

    page.goto(f"{base}/#key={key}")
    expect(page).to_have_url(f"{base}/#/")
    search_box = page.get_by_role("combobox", name="Who knows about…?")
    search_box.press_sequentially(QUERY, delay=15)
    expect(page.locator(".wk-person").first).to_be_visible()

    assert len(asked) == 1
    assert asked[0].startswith(f"This link asks WhoKnows to search with the API key {key[:12]}")
    assert authorizations and set(authorizations) == {None}
    assert page.evaluate("window.sessionStorage.getItem('whoknows-key')") is None


def test_the_page_and_the_docs_call_no_other_origin(api: tuple[str, str], page) -> None:
    from playwright.sync_api import expect

    base, _ = api
    requested: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/")
    page.get_by_role("combobox", name="Who knows about…?").press_sequentially(QUERY, delay=15)
    expect(page.locator(".wk-person").first).to_be_visible()
    page.goto(f"{base}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("WhoKnows")

    assert [url for url in requested if not url.startswith(f"{base}/")] == []
    assert f"{base}/docs/assets/swagger-ui-bundle.js" in requested
    assert [text for text in console if "Content Security Policy" in text] == []
