"""Stored XSS (attack 10): the payloads of the attack org are inert text in a real Chromium.

The app serves the attack organisation under uvicorn on a loopback port; the intranet page
of tests/web/test_browser.py embeds the widget. Every payload would set ``window.__pwned``
if it ran; each test also fails on a dialog, a page error or an element the payloads carry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from search_api.app import create_app
from tests.security.conftest import (
    CANARY_QUERY,
    NAME_PAYLOAD,
    PAGE_TITLE_PAYLOAD,
    TEAM_PAYLOAD,
    TEXT_PAYLOAD,
    TITLE_PAYLOAD,
    AttackOrg,
    attack_settings,
)
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _free_socket, _host_server

PLANTED = "img, svg, iframe, object, embed, #search-view script, #profile-view script"
"""Elements the payloads would add; neither the page nor the widget makes any of them."""


@dataclass(frozen=True)
class Live:
    api: str
    intranet: str
    key: str


@pytest.fixture(scope="module")
def live(attack_org: AttackOrg, embedder) -> Iterator[Live]:
    sock = _free_socket()
    page = {"base": f"http://127.0.0.1:{sock.getsockname()[1]}", "key": attack_org.keys["admin"]}
    intranet = _host_server(page)
    origin = f"http://127.0.0.1:{intranet.server_address[1]}"
    threading.Thread(target=intranet.serve_forever, daemon=True).start()
    app = create_app(attack_settings(attack_org, cors_origins=[origin]), embedder=embedder)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Live(page["base"], origin, page["key"])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        intranet.shutdown()
        intranet.server_close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


KEY_CONSENT = "This link asks WhoKnows to search with the API key"


@pytest.fixture
def page(chromium) -> Iterator[object]:
    context = chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    events: list[str] = []
    opened.on("pageerror", lambda error: events.append(f"error: {error}"))

    def on_dialog(dialog) -> None:
        if dialog.message.startswith(KEY_CONSENT):  # the page asks before using a linked key
            dialog.accept()
        else:  # any other dialog is a payload that ran
            events.append(f"dialog: {dialog.message}")
            dialog.dismiss()

    opened.on("dialog", on_dialog)
    yield opened
    context.close()
    assert events == []


def _search(page, text: str) -> object:
    from playwright.sync_api import expect

    box = page.get_by_role("combobox")
    box.click()
    box.press_sequentially(text, delay=10)
    person = page.locator(".wk-person").first
    expect(person.locator(".wk-person-link")).to_have_text(NAME_PAYLOAD)
    return person


def _assert_inert(page) -> None:
    page.wait_for_timeout(300)  # an onerror or onload handler would have run by now
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(PLANTED).count() == 0


def test_attack_10_payloads_in_search_results_are_shown_as_text(live: Live, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live.api}/#key={live.key}")
    person = _search(page, CANARY_QUERY)

    expect(person.locator(".wk-meta")).to_have_text(f"{TITLE_PAYLOAD} \u00b7 {TEAM_PAYLOAD}")
    expect(person.locator(".wk-why")).to_have_text(f"author: {PAGE_TITLE_PAYLOAD}")
    document = page.locator(".wk-document").first
    expect(document.locator(".wk-main")).to_have_text(PAGE_TITLE_PAYLOAD)
    expect(document.locator(".wk-snippet")).to_contain_text(TEXT_PAYLOAD)
    _assert_inert(page)


def test_attack_10_payloads_in_a_profile_are_shown_as_text(
    live: Live, attack_org: AttackOrg, page
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live.api}/#key={live.key}")
    _search(page, CANARY_QUERY).locator(".wk-person-link").click()

    expect(page).to_have_url(f"{live.api}/#/people/{attack_org.mallory_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME_PAYLOAD)
    expect(page).to_have_title(f"{NAME_PAYLOAD} \u2013 WhoKnows")
    profile = page.locator("#profile-view")
    expect(profile).to_contain_text(TITLE_PAYLOAD)
    expect(profile).to_contain_text(PAGE_TITLE_PAYLOAD)
    _assert_inert(page)


def test_attack_10_payloads_are_escaped_in_the_widget_on_an_intranet_page(live: Live, page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live.intranet}/")
    person = _search(page, CANARY_QUERY)

    expect(person.locator(".wk-meta")).to_have_text(f"{TITLE_PAYLOAD} \u00b7 {TEAM_PAYLOAD}")
    expect(page.locator(".wk-document").first.locator(".wk-main")).to_have_text(PAGE_TITLE_PAYLOAD)
    _assert_inert(page)


def test_attack_10_the_checks_do_catch_a_payload_rendered_as_html(live: Live, page) -> None:
    page.goto(f"{live.api}/")
    page.evaluate("html => document.getElementById('search-view').innerHTML += html", NAME_PAYLOAD)
    page.wait_for_timeout(300)

    # the element is planted and found; its handler does not run even then, because the
    # Content-Security-Policy allows no inline script (attack 40): a second line of defence
    assert page.locator(PLANTED).count() == 1
    assert page.evaluate("typeof window.__pwned") == "undefined"
