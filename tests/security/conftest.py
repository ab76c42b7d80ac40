"""The attack organisation: the tiny org of tests/helpers.py plus what the attackers planted.

Built once per session (``attack_org``) and served once (``attack_client``); any test of
``tests/security`` may reuse both. On top of tests/helpers.py's three pages and three bios:

* ``wiki/pay-review.md``, restricted to ``hr`` by its front matter, by Rita Quinn (no other
  evidence): its words :data:`HR_WORDS` are nowhere else.
* the source ``vault`` (a wiki folder restricted to ``security`` by the source option
  ``access_groups``), one page by Sol Vargas (no other evidence), words :data:`SECURITY_WORDS`.
* HTML/JS payloads: a page (``wiki/canary.md``) whose title, author name and text carry
  ``<img onerror>``, ``<script>`` and ``<svg onload>`` and a bios source ``payloads`` whose
  person (merged with the page's author by email) has them in name, title and team. Every
  payload sets ``window.__pwned``.
* ``wiki/rollback-tips.md``, authored by "Ana Kovač" with an address that is not hers.
* ``wiki/office-plants.md`` by Olga Ortiz, who opted out (``whoknows people hide``).
* API keys (:class:`search_api.keys.KeyStore`): ``outsider`` (scope search), ``hr`` (scope
  search, group hr), ``admin`` (scope admin) and ``revoked`` (search + hr, revoked).

The app (``attack_client``) needs a key (``allow_anonymous`` off), trusts a gateway that sends
:data:`GATEWAY_SECRET`, allows the origin :data:`ALLOWED_ORIGIN`, has Slack, Teams and
Mattermost on (chat users in no group), and its Slack clock reads :data:`NOW`.
``anonymous_client`` is the same with ``allow_anonymous`` on; ``serve_attack_org(**overrides)``
serves the org with other settings. Helpers: :func:`ask` (a search with a named key),
:func:`leaks` (restricted markers in an answer), :func:`ask_chat` (a signed chat command).
test_held_table.py checks that the table below names existing tests.

Attacks that held -> tests (``tests/security/test_held_*.py``):

==  =============================================  ===========================================
#   attack                                         tests
==  =============================================  ===========================================
1   no key / wrong key / revoked key               test_held_auth::test_attack_01_*
2   search-scope key on admin routes               test_held_auth::test_attack_02_*
3   gateway groups header without the secret       test_held_auth::test_attack_03_*
4   restricted words over every route              test_held_leaks::test_attack_04_*
5   FTS5 query syntax injection                    test_held_injection::test_attack_05_*
6   SQL injection in q, person id, filters         test_held_injection::test_attack_06_*
7   bad UTF-8 / invalid percent-encoding           test_held_inputs::test_attack_07_*
8   oversized parameters                           test_held_inputs::test_attack_08_*
9   path traversal (people route, static)          test_held_inputs::test_attack_09_*
10  stored XSS in the search page and widget       test_held_browser::test_attack_10_*
11  CORS from a foreign origin                     test_held_auth::test_attack_11_*
12  Slack signature missing/wrong/stale/replayed   test_held_chat::test_attack_12_*
13  Teams signature missing/wrong                  test_held_chat::test_attack_13_*
14  Mattermost token missing/wrong                 test_held_chat::test_attack_14_*
15  billion laughs in XML exports                  test_held_files::test_attack_15_*
16  XXE external entities in XML exports           test_held_files::test_attack_16_*
17  YAML python tags in front matter and bios      test_held_files::test_attack_17_*
18  a huge wiki page                               test_held_files::test_attack_18_*
19  opt-out: a hidden person appears nowhere       test_held_leaks::test_attack_19_*
20  a page author spoofing Ana's name              test_held_leaks::test_attack_20_*
21  keys are stored hashed                         test_held_auth::test_attack_21_*
22  keys never reach the access log                test_held_auth::test_attack_22_*
23  errors never echo secrets                      test_held_auth::test_attack_23_*
24  chat tools see only their chat_groups          test_held_chat::test_attack_24_*
25  admin hidden-people routes need admin          test_held_auth::test_attack_25_*
26  the server binds 127.0.0.1 by default          test_held_inputs::test_attack_26_*
27  anonymous access sees public documents only    test_held_leaks::test_attack_27_*
==  =============================================  ===========================================
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indexer.config import Settings
from indexer.models import SourceSpec
from indexer.pipeline import IndexSummary
from indexer.store.base import Store
from search_api.app import create_app
from search_api.cli import app as cli_app
from search_api.integrations.routes import get_clock, get_slack_ack_seconds
from search_api.keys import KeyStore
from tests.helpers import open_index, run_index, specs, write_org

GATEWAY_SECRET = "gateway-secret-7f3a"
SLACK_SECRET = "slack-signing-secret-91c2"
TEAMS_KEY = base64.b64encode(bytes(range(7, 39))).decode()
MATTERMOST_TOKEN = "mattermost-token-55e1"
ALLOWED_ORIGIN = "https://intranet.example"
NOW = 1_750_000_000
"""The Slack clock of ``attack_client`` (Unix seconds)."""

PAY_DOC = "wiki/pay-review.md"
VAULT_DOC = "vault/incident.md"
CANARY_DOC = "wiki/canary.md"
SPOOF_DOC = "wiki/rollback-tips.md"
PLANTS_DOC = "wiki/office-plants.md"

HR_WORDS = ("quokka", "stipend")
"""Words found only in the hr page."""
SECURITY_WORDS = ("pangolin", "escrow")
"""Words found only in the security source."""
HR_QUERY = "quokka stipend ledger bonus bands"
SECURITY_QUERY = "pangolin escrow cipher incident"
HR_PROBE = "the bonus band ledger of every grade"
"""Asks for the hr page without any of its marker words (chat replies echo the query)."""
SECURITY_PROBE = "the cipher rotated after the incident, keys kept offline"
"""Asks for the security page without any of its marker words."""
PLANTS_QUERY = "bonsai terrarium watering"
CANARY_QUERY = "canary marmalade rollout"

NAME_PAYLOAD = '<img src=x onerror="window.__pwned=1">Mallory Marsh'
TITLE_PAYLOAD = "<script>window.__pwned=2</script>Release captain"
TEAM_PAYLOAD = "<svg onload=window.__pwned=3>Platform"
PAGE_TITLE_PAYLOAD = (
    "Canary <img src=x onerror=window.__pwned=4> releases <script>window.__pwned=5</script>"
)
TEXT_PAYLOAD = "<svg/onload=window.__pwned=6>"

PAGES = {
    "pay-review.md": """---
title: The quokka stipend ledger
access_groups: [hr]
authors:
  - Rita Quinn <rita.quinn@example.com>
---
The quokka stipend ledger lists every bonus band and the stipend each grade receives.
""",
    "canary.md": f"""---
title: '{PAGE_TITLE_PAYLOAD}'
authors:
  - name: '{NAME_PAYLOAD}'
    email: mallory.marsh@example.com
---
A canary marmalade rollout sends one percent of the traffic to the new release first.
Paste `{TEXT_PAYLOAD}` into nothing: canary marmalade checks watch the error rate.
""",
    "rollback-tips.md": """---
title: Helm rollback tips
authors:
  - Ana Kovač <ana.kovac@evil.example>
---
Before a helm rollback, read the release notes of the revision you roll back to.
""",
    "office-plants.md": """---
title: Office plants
authors:
  - Olga Ortiz <olga.ortiz@example.com>
---
Water the bonsai every Monday; the terrarium by the window needs watering once a month.
""",
}
VAULT_PAGE = """---
title: Pangolin escrow incident
authors:
  - Sol Vargas <sol.vargas@example.com>
---
The pangolin escrow cipher was rotated after the incident; the escrow keys live offline.
"""
PAYLOAD_BIOS = f"""\
mallory:
  name: '{NAME_PAYLOAD}'
  email: mallory.marsh@example.com
  title: '{TITLE_PAYLOAD}'
  team: '{TEAM_PAYLOAD}'
  bio: Ships canary releases.
"""
KEY_NAMES = {
    "outsider": (["search"], []),
    "hr": (["search"], ["hr"]),
    "admin": (["admin"], []),
    "revoked": (["search"], ["hr"]),
}


@dataclass(frozen=True)
class AttackOrg:
    """The indexed attack organisation: where it is, its keys and the people it planted."""

    root: Path
    data: Path
    summary: IndexSummary
    keys: dict[str, str]
    """Plaintext API keys by name (see :data:`KEY_NAMES`)."""
    rita_id: str
    sol_id: str
    olga_id: str
    mallory_id: str
    spoof_id: str

    @property
    def restricted_markers(self) -> tuple[str, ...]:
        """What an outsider must never read: restricted words, ids, names and authors."""
        return (
            *HR_WORDS,
            *SECURITY_WORDS,
            PAY_DOC,
            VAULT_DOC,
            "Rita Quinn",
            "Sol Vargas",
            self.rita_id,
            self.sol_id,
        )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ask(
    client: TestClient, org: AttackOrg, key: str, path: str, query: str, **params: Any
) -> httpx.Response:
    """GET the search route ``path`` for ``query`` with the API key named ``key``."""
    return client.get(path, params={"q": query, **params}, headers=bearer(org.keys[key]))


def leaks(body: dict[str, Any], org: AttackOrg) -> list[str]:
    """The restricted markers in an answer, leaving out the query it echoes."""
    shown = json.dumps({k: v for k, v in body.items() if k != "query"}, ensure_ascii=False)
    return [marker for marker in org.restricted_markers if marker in shown]


def slack_headers(
    body: bytes, *, secret: str = SLACK_SECRET, timestamp: int = NOW
) -> dict[str, str]:
    """Headers as Slack signs them, computed here (not with the code under test)."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def teams_headers(body: bytes, *, key: str = TEAMS_KEY) -> dict[str, str]:
    """``Authorization: HMAC <base64>`` as Teams signs it, computed here."""
    digest = hmac.new(base64.b64decode(key), body, hashlib.sha256).digest()
    return {
        "Authorization": "HMAC " + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


def slack_body(text: str) -> bytes:
    return urlencode(
        {"command": "/whoknows", "text": text, "response_url": "https://hooks.slack.com/c/1"}
    ).encode()


def teams_body(text: str) -> bytes:
    return json.dumps({"type": "message", "text": f"<at>WhoKnows</at> {text}"}).encode()


def mattermost_form(text: str, token: str = MATTERMOST_TOKEN) -> dict[str, str]:
    return {"token": token, "command": "/whoknows", "text": text}


def ask_chat(client: TestClient, tool: str, text: str) -> str:
    """Ask ``text`` as a properly signed ``tool`` (slack, teams, mattermost); the reply text."""
    if tool == "slack":
        body = slack_body(text)
        response = client.post(
            "/integrations/slack/command", content=body, headers=slack_headers(body)
        )
    elif tool == "teams":
        body = teams_body(text)
        response = client.post("/integrations/teams", content=body, headers=teams_headers(body))
    else:
        response = client.post("/integrations/mattermost", data=mattermost_form(text))
    assert response.status_code == 200, response.text
    return response.text


CHAT_TOOLS = ("slack", "teams", "mattermost")


def _sole_author(store: Store, document_id: str) -> str:
    [person_id] = {row.person_id for row in store.contributions_to([document_id])}
    return person_id


def _write_sources(root: Path) -> list[SourceSpec]:
    wiki, bios = write_org(root)
    for name, text in PAGES.items():
        (wiki / name).write_text(text, encoding="utf-8")
    vault = root / "vault"
    vault.mkdir()
    (vault / "incident.md").write_text(VAULT_PAGE, encoding="utf-8")
    payloads = root / "payloads.yml"
    payloads.write_text(PAYLOAD_BIOS, encoding="utf-8")
    return [
        *specs(wiki, bios),
        SourceSpec("wiki", str(vault), "vault", {"git": False, "access_groups": ["security"]}),
        SourceSpec("bios", str(payloads), "payloads"),
    ]


@pytest.fixture(scope="session")
def attack_org(tmp_path_factory: pytest.TempPathFactory, embedder) -> AttackOrg:
    root = tmp_path_factory.mktemp("attack-org")
    data = root / "data"
    summary = run_index(data, embedder, _write_sources(root))
    assert not summary.failed
    store = open_index(data)
    try:
        ids = {doc: _sole_author(store, doc) for doc in (PAY_DOC, VAULT_DOC, PLANTS_DOC)}
        ids |= {doc: _sole_author(store, doc) for doc in (CANARY_DOC, SPOOF_DOC)}
    finally:
        store.close()
    keys = KeyStore(data)
    made = {name: keys.create(name, *rule)[1] for name, rule in KEY_NAMES.items()}
    keys.revoke(made["revoked"].split("_")[1])
    keys.close()
    hidden = CliRunner().invoke(
        cli_app,
        ["people", "hide", ids[PLANTS_DOC], "--reason", "opted out", "--data-dir", str(data)],
    )
    assert hidden.exit_code == 0, hidden.output
    return AttackOrg(
        root,
        data,
        summary,
        made,
        rita_id=ids[PAY_DOC],
        sol_id=ids[VAULT_DOC],
        olga_id=ids[PLANTS_DOC],
        mallory_id=ids[CANARY_DOC],
        spoof_id=ids[SPOOF_DOC],
    )


def attack_settings(org: AttackOrg, **overrides: Any) -> Settings:
    """The settings of ``attack_client``, with ``overrides``."""
    values: dict[str, Any] = {
        "data_dir": org.data,
        "gateway_secret": GATEWAY_SECRET,
        "slack_signing_secret": SLACK_SECRET,
        "teams_hmac_key": TEAMS_KEY,
        "mattermost_token": MATTERMOST_TOKEN,
        "cors_origins": [ALLOWED_ORIGIN],
        "rate_limit_burst": 100_000,
        # every attack comes from one test address: the failure limit has tests of its own
        "auth_failures_per_minute": 100_000,
        "reload_interval": 0,
    }
    return Settings(**(values | overrides))


@contextmanager
def serve(org: AttackOrg, embedder: Any, **overrides: Any) -> Iterator[TestClient]:
    """A test client of the app over ``org`` (``attack_settings`` with ``overrides``)."""
    app = create_app(attack_settings(org, **overrides), embedder=embedder)
    app.dependency_overrides[get_clock] = lambda: lambda: float(NOW)
    app.dependency_overrides[get_slack_ack_seconds] = lambda: 60.0
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def attack_client(attack_org: AttackOrg, embedder) -> Iterator[TestClient]:
    with serve(attack_org, embedder) as client:
        yield client


@pytest.fixture(scope="session")
def serve_attack_org(attack_org: AttackOrg, embedder) -> Callable[..., Any]:
    """``serve_attack_org(**overrides)``: a context manager of a client with other settings."""
    return lambda **overrides: serve(attack_org, embedder, **overrides)


@pytest.fixture(scope="session")
def anonymous_client(attack_org: AttackOrg, embedder) -> Iterator[TestClient]:
    """``attack_client`` with ``allow_anonymous`` on."""
    with serve(attack_org, embedder, allow_anonymous=True) as client:
        yield client
