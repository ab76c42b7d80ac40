"""``javascript:`` URLs in the sources never become links in chat answers or contact links.

The tiny organisation gets a hostile ``url:`` on the Helm page and a hostile ``profile_url``
template in the bios; the chat routes and the profile route answer over the real index.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from indexer.models import SourceSpec
from indexer.store.sqlite import SQLiteStore
from tests.helpers import ANA_ID, PAGES, run_index, write_org
from tests.security.http_helpers import (
    CHAT_SECRETS,
    MATTERMOST_TOKEN,
    SLACK_SECRET,
    TEAMS_KEY,
    client_for,
)

HOSTILE_PAGE_URL = "javascript:alert(document.domain)"
HOSTILE_PROFILE = "JavaScript:alert('{id}')"
QUERY = "how do I roll back a failed helm release"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("org")
    wiki, bios = write_org(root)
    helm = wiki / "helm-rollbacks.md"
    helm.write_text(
        PAGES["helm-rollbacks.md"].replace("---\n", f"---\nurl: {HOSTILE_PAGE_URL}\n", 1),
        encoding="utf-8",
    )
    data = root / "data"
    sources = [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False}),
        SourceSpec("bios", str(bios), "team", {"profile_url": HOSTILE_PROFILE}),
    ]
    run_index(data, embedder, sources)
    _store_hostile_urls(data)
    with client_for(data, embedder, **CHAT_SECRETS, allow_anonymous=True) as test_client:
        yield test_client


def _store_hostile_urls(data: Path) -> None:
    """Put the hostile URLs in the index as a release before the connectors' check stored them.

    The connectors now drop them at ingestion (tests/security/test_indexer_*.py); the output
    check is the second line, tested here on its own.
    """
    store = SQLiteStore(data)
    try:
        with store.db.atomic():
            store.db.execute(
                "UPDATE documents SET url = ? WHERE id = 'wiki/helm-rollbacks.md'",
                [HOSTILE_PAGE_URL],
            )
            store.db.execute(
                "UPDATE people SET url = ? WHERE id = ?", [HOSTILE_PROFILE.format(id="ana"), ANA_ID]
            )
    finally:
        store.close()


def _helm_url_is_stored(client: TestClient) -> None:
    """The hostile URL did reach the index (else the tests below would prove nothing)."""
    [document] = client.get("/v1/documents", params={"q": QUERY, "limit": 1}).json()["documents"]
    assert document["url"] == HOSTILE_PAGE_URL


def _slack(client: TestClient) -> str:
    body = urlencode({"text": QUERY, "response_url": "https://hooks.slack.com/x"}).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(
        SLACK_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = client.post("/integrations/slack/command", content=body, headers=headers)
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


def _teams(client: TestClient) -> str:
    body = json.dumps({"type": "message", "text": f"<at>WhoKnows</at> {QUERY}"}).encode()
    digest = hmac.new(base64.b64decode(TEAMS_KEY), body, hashlib.sha256).digest()
    headers = {"Authorization": "HMAC " + base64.b64encode(digest).decode()}
    response = client.post("/integrations/teams", content=body, headers=headers)
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


def _mattermost(client: TestClient) -> str:
    body = urlencode({"token": MATTERMOST_TOKEN, "text": QUERY}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/integrations/mattermost", content=body, headers=headers)
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("ask", "unlinked_title"),
    [
        (_slack, "author: Rolling back a Helm release"),
        (_teams, "author, Rolling back a Helm release"),
        (_mattermost, "author: Rolling back a Helm release"),
    ],
    ids=["slack", "teams", "mattermost"],
)
def test_chat_answers_show_the_title_without_the_javascript_link(
    client: TestClient, ask, unlinked_title: str
) -> None:
    _helm_url_is_stored(client)

    message = ask(client)

    assert "javascript:" not in message.lower()
    assert unlinked_title in message


def test_profile_contacts_leave_out_a_javascript_profile_url(client: TestClient) -> None:
    response = client.get(f"/v1/people/{ANA_ID}")

    assert response.status_code == 200
    assert [c["url"] for c in response.json()["contacts"]] == ["mailto:ana.kovac@example.com"]
