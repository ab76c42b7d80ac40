"""The search page and the embedded widget in a real browser (Debian's Chromium via Playwright).

The bundled sample organisation is indexed once; the real app runs under uvicorn on a free
loopback port, and a second tiny server on another port plays the intranet page that embeds
the widget. Screenshots land in each test's ``tmp_path``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn

from indexer.config import load_settings, source_specs
from indexer.pipeline import Indexer
from search_api.app import create_app
from search_api.keys import KeyStore
from tests.conftest import ROOT
from tests.helpers import open_index

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "helm rollback failed release"
ANA_ID = "ana-kovac-eb5404"
ANA_TITLE = "Staff Site Reliability Engineer"
ANA_MAIL = "mailto:ana.kovac@example.com"
TIMEOUT_MS = 15_000

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Team handbook</title></head>
<body style="font-family: serif; margin: 2rem">
<h1>Team handbook</h1>
<p>Stuck? Ask the whole company:</p>
<div data-whoknows data-key="{key}"></div>
<script src="{api}/widget.js"></script>
</body></html>
"""


@dataclass(frozen=True)
class Servers:
    api: str
    host: str
    host_port: int
    key: str


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _host_server(api: dict[str, str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = HOST_PAGE.format(api=api["base"], key=api["key"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    settings = load_settings(ROOT / "whoknows.toml")
    data = tmp_path_factory.mktemp("sample") / "data"
    store = open_index(data, create=True)
    try:
        summary = Indexer(store, embedder).run(source_specs(settings.sources))
    finally:
        store.close()
    assert not summary.failed
    return data


@pytest.fixture(scope="module")
def servers(sample_index: Path, embedder) -> Iterator[Servers]:
    keys = KeyStore(sample_index)
    _, api_key = keys.create("intranet widget", ["search"])
    keys.close()
    api_base: dict[str, str] = {"key": api_key}
    host = _host_server(api_base)
    host_port = host.server_address[1]
    host_thread = threading.Thread(target=host.serve_forever, daemon=True)
    host_thread.start()

    sock = _free_socket()
    api_base["base"] = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = load_settings(
        ROOT / "whoknows.toml",
        data_dir=sample_index,
        cors_origins=[f"http://127.0.0.1:{host_port}"],
    )
    app = create_app(settings, embedder=embedder)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    api_thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    api_thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert api_thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Servers(api_base["base"], f"http://127.0.0.1:{host_port}", host_port, api_key)
    finally:
        server.should_exit = True
        api_thread.join(timeout=10)
        sock.close()
        host.shutdown()
        host.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} not found: install it with `apt-get install -y chromium chromium-driver`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `.venv/bin/pip install playwright`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path: Path) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    opened.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()
    assert not errors, errors


def _type_query(page, text: str = QUERY) -> None:
    search_box = page.get_by_role("combobox", name="Who knows about…?")
    search_box.click()
    search_box.press_sequentially(text, delay=15)


def test_search_page_finds_ana_and_opens_her_profile(servers: Servers, page, tmp_path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{servers.api}/")
    _type_query(page)

    first_person = page.locator(".wk-person").first
    expect(first_person.locator(".wk-person-link")).to_have_text("Ana Kovač")
    expect(page.get_by_role("status")).to_contain_text(f"for “{QUERY}”")
    expect(first_person.locator(".wk-contact")).to_have_attribute("href", ANA_MAIL)
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    search_box = page.get_by_role("combobox")
    search_box.press("ArrowDown")
    expect(first_person).to_have_attribute("aria-selected", "true")
    expect(search_box).to_have_attribute("aria-activedescendant", first_person.get_attribute("id"))
    page.screenshot(path=str(tmp_path / "keyboard.png"))
    search_box.press("Enter")

    expect(page).to_have_url(f"{servers.api}/#/people/{ANA_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Kovač")
    profile = page.locator("#profile-view")
    expect(profile).to_contain_text(ANA_TITLE)
    expect(profile.locator(f'a[href="{ANA_MAIL}"]')).to_be_visible()
    expect(profile.get_by_role("heading", name="Evidence")).to_be_visible()
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)

    page.get_by_role("link", name="← Back to search").click()
    expect(page.locator(".wk-person").first.locator(".wk-person-link")).to_have_text("Ana Kovač")
    page.get_by_role("combobox").press("Escape")
    expect(page.get_by_role("combobox")).to_have_value("")
    expect(page.locator(".wk-option")).to_have_count(0)


def test_search_page_opened_with_a_key_asks_then_sends_it_on_search_and_profile(
    servers: Servers, page
) -> None:
    from playwright.sync_api import expect

    calls: list[tuple[str, str | None]] = []
    page.on(
        "request",
        lambda r: (
            calls.append((r.url, r.headers.get("authorization"))) if "/v1/" in r.url else None
        ),
    )
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.goto(f"{servers.api}/#key={servers.key}")
    expect(page).to_have_url(f"{servers.api}/#/")
    assert len(asked) == 1 and servers.key[:12] + "\u2026" in asked[0]
    _type_query(page)
    person_link = page.locator(".wk-person").first.locator(".wk-person-link")
    expect(person_link).to_have_text("Ana Kovač")
    person_link.click()
    expect(page).to_have_url(f"{servers.api}/#/people/{ANA_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Kovač")
    page.reload()  # the key stays for the tab (sessionStorage), not in the address
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Kovač")

    profile_calls = [auth for url, auth in calls if f"/v1/people/{ANA_ID}" in url]
    assert len(profile_calls) == 2
    assert any("/v1/search" in url for url, _ in calls)
    assert {auth for _, auth in calls} == {f"Bearer {servers.key}"}


def test_a_broken_profile_link_says_so(servers: Servers, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{servers.api}/#/people/%E0%A4%A")

    profile = page.locator("#profile-view")
    expect(profile.locator(".message")).to_contain_text("This is not a valid profile link")
    expect(profile.get_by_role("link", name="← Back to search")).to_be_visible()
    expect(page.locator("#search-view")).to_be_hidden()


def test_widget_works_on_an_allowed_intranet_origin(servers: Servers, page, tmp_path) -> None:
    from playwright.sync_api import expect

    authorizations: list[str | None] = []
    page.on(
        "request",
        lambda r: (
            authorizations.append(r.headers.get("authorization"))
            if "/v1/search" in r.url and r.method == "GET"
            else None
        ),
    )
    page.goto(f"{servers.host}/")
    _type_query(page)

    person_link = page.locator(".wk-person").first.locator(".wk-person-link")
    expect(person_link).to_have_text("Ana Kovač")
    expect(person_link).to_have_attribute("href", f"{servers.api}/#/people/{ANA_ID}")
    expect(page.locator(".wk-document").first).to_be_visible()
    assert authorizations and set(authorizations) == {f"Bearer {servers.key}"}
    page.screenshot(path=str(tmp_path / "intranet.png"), full_page=True)


def test_widget_on_an_origin_not_allowed_says_it_cannot_reach_whoknows(
    servers: Servers, page
) -> None:
    from playwright.sync_api import expect

    page.goto(f"http://localhost:{servers.host_port}/")
    _type_query(page)

    expect(page.get_by_role("status")).to_contain_text("Could not reach WhoKnows at")
    expect(page.locator(".wk-option")).to_have_count(0)


def test_sample_org_profile_of_ana(servers: Servers) -> None:
    import httpx

    body = httpx.get(f"{servers.api}/v1/people/{ANA_ID}").json()

    assert (body["title"], body["team"]) == (ANA_TITLE, "Platform")
    assert [c["url"] for c in body["contacts"]] == [
        ANA_MAIL,
        "https://github.com/anakovac",
        "https://qa.example.com/users/1",
    ]
    assert [s["kind"] for s in body["sources"]] == ["mediawiki", "bios", "stackexchange", "wiki"]
    assert {e["role"] for e in body["evidence"]} <= {"author", "accepted_answerer"}
    assert body["topics"][0] == "helm"
