"""Findings of a hostile review of the visibility and opt-out changes, kept fixed.

- A person id must not be built from a restricted record's email (it spelled the local part
  and let a guess be checked against its hash).
- ``/v1/documents?team=`` must not match on a hidden person.
- Hiding must follow a person whose records at hide time are all gone, when a record that
  joined them after the hiding remains (they left the company; their Q&A account stays).
- The server keeps following re-indexes after a failure of its index home.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.errors import StoreError
from indexer.models import SourceSpec
from indexer.state import StateStore
from indexer.store import home_at
from search_api.app import create_app
from search_api.service import SearchService
from tests.conftest import SAMPLE_ORG
from tests.helpers import ANA_ID, open_index, run_index, specs, write_org
from tests.security.http_helpers import bearer, create_key

SECRET_EMAIL = "j.blake.secret-alias@example.com"


def test_a_person_id_comes_from_a_public_record_not_a_restricted_email(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    (wiki / "payroll.md").write_text(
        "---\ntitle: Payroll helm charts\nauthors:\n  - Jordan Blake\n---\n"
        "The payroll helm charts pin every image digest.\n",
        encoding="utf-8",
    )
    hr = tmp_path / "hr.yml"
    hr.write_text(f"jb:\n  name: Jordan Blake\n  email: {SECRET_EMAIL}\n", encoding="utf-8")
    data = tmp_path / "data"
    sources = [*specs(wiki, bios), SourceSpec("bios", str(hr), "hr", {"access_groups": "hr"})]
    assert not run_index(data, embedder, sources).failed
    outsider = bearer(create_key(data, ["search"]))

    with TestClient(create_app(Settings(data_dir=data), embedder=embedder)) as client:
        people = client.get(
            "/v1/experts", params={"q": "payroll helm charts"}, headers=outsider
        ).json()["people"]

    [jordan] = [p for p in people if p["name"] == "Jordan Blake"]
    secret_hash = hashlib.sha1(f"email:{SECRET_EMAIL}".encode()).hexdigest()[:6]
    assert "secret" not in jordan["id"] and secret_hash not in jordan["id"]
    assert jordan["aliases"] == ["name:jordan blake"]


def test_a_team_filter_on_documents_does_not_match_a_hidden_person(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    bios.write_text(
        bios.read_text(encoding="utf-8").replace(
            "  title: Platform engineer\n", "  title: Platform engineer\n  team: Kubernetes Guild\n"
        ),
        encoding="utf-8",
    )
    data = tmp_path / "data"
    assert not run_index(data, embedder, specs(wiki, bios)).failed
    admin = bearer(create_key(data, ["admin"]))
    query = {"q": "helm rollback failed release", "team": "Kubernetes Guild"}

    with TestClient(create_app(Settings(data_dir=data), embedder=embedder)) as client:
        before = client.get("/v1/documents", params=query, headers=admin).json()["documents"]
        assert client.put(f"/v1/admin/hidden-people/{ANA_ID}", headers=admin).status_code == 200
        after = client.get("/v1/documents", params=query, headers=admin).json()["documents"]

    assert [d["id"] for d in before][:1] == ["wiki/helm-rollbacks.md"]
    assert after == []


def test_hiding_follows_a_person_whose_hidden_records_are_gone(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    qa = SourceSpec("stackexchange", str(SAMPLE_ORG / "qa"), "qa")
    assert not run_index(data, embedder, specs(wiki, bios)).failed
    state = StateStore(data)
    store = open_index(data)
    state.hide(ANA_ID, "left the company", store.person_identities(ANA_ID))
    store.close()
    # the Q&A site joins later: its "Ana Kovač" merges into her by name, same id
    assert not run_index(data, embedder, [*specs(wiki, bios), qa]).failed
    service = SearchService(open_index(data), embedder, state=state)
    assert ANA_ID in service.hidden_people()  # served once: her new record is remembered
    service.close()
    # she leaves: her bios entry goes and her page is reassigned; her Q&A account stays
    text = bios.read_text(encoding="utf-8")
    bios.write_text(text[text.index("bruno:") :], encoding="utf-8")
    page = wiki / "helm-rollbacks.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "Ana Kovač <ana.kovac@example.com>", "Bruno Díaz <bruno.diaz@example.com>"
        ),
        encoding="utf-8",
    )
    assert not run_index(data, embedder, [*specs(wiki, bios), qa]).failed

    state = StateStore(data)
    service = SearchService(open_index(data), embedder, state=state)
    try:
        answer = service.search("kubernetes helm chart canary rollout", groups=frozenset())
        names = [p.name for p in answer.people]
    finally:
        service.close()

    assert "Ana Kovač" not in names


class _FlakyHome:
    """An index home whose database is down for one check."""

    def __init__(self, data: Path) -> None:
        self.home = home_at(data)
        self.calls = 0

    def current(self) -> str | None:
        self.calls += 1
        if self.calls == 1:
            raise StoreError("the PostgreSQL database failed: connection refused")
        if self.calls == 2:
            raise RuntimeError("something unforeseen")
        return self.home.current()

    def open_current(self):  # noqa: ANN201 - the Store of the wrapped home
        return self.home.open_current()


def test_the_watcher_survives_a_failing_home(tmp_path: Path, embedder) -> None:
    data, _ = _built(tmp_path, embedder)
    home = _FlakyHome(data)
    service = SearchService(open_index(data), embedder, home=home)  # type: ignore[arg-type]
    try:
        service.watch(0.05)
        deadline = 0
        while home.calls < 4 and deadline < 200:
            service._stop.wait(0.05)
            deadline += 1
        assert home.calls >= 4  # still polling after both failures
        assert service._watcher is not None and service._watcher.is_alive()
    finally:
        service.close()


def _built(root: Path, embedder) -> tuple[Path, object]:
    from tests.helpers import build_index

    return build_index(root, embedder)
