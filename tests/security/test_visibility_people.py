"""Attack 2: restricted bios fields must not leak into the person an outsider sees.

The tiny organisation of tests/helpers.py, plus a bios file restricted to ``hr``
that holds Jordan Blake (known from that file only) and a second record of Ana
(public from the wiki and the team file) with a title, team and location only
hr may know. Every route, filter and chat reply is asked by an outsider, an
anonymous caller and an hr key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.identity import resolve, visible_person
from indexer.models import PersonRecord, SourceSpec
from indexer.store.base import PersonRow
from indexer.store.sqlite import SQLiteStore
from search_api.app import create_app
from search_api.integrations.routes import get_clock
from search_api.keys import KeyStore
from tests.helpers import ANA_ID, run_index, specs, write_org
from tests.integrations.test_slack import NOW, SECRET, URL, command, signed

HR_BIOS = """\
jordan:
  name: Jordan Blake
  email: jordan.blake@example.com
  role: Under disciplinary review
  team: Legal Holds
  location: Reykjavik Annex
  bio: Jordan Blake maintains the helm charts of the payroll cluster.
ana:
  name: Ana Kovač
  email: ana.kovac@example.com
  role: Performance improvement plan
  team: Probation Squad
  location: Undisclosed Bunker
"""
RESTRICTED_WORDS = (
    "Jordan",
    "jordan.blake",
    "disciplinary",
    "Legal Holds",
    "Reykjavik",
    "Performance improvement",
    "Probation",
    "Bunker",
)
JORDAN_ID = "jordan-blake-96969d"


@dataclass(frozen=True)
class Org:
    data: Path
    outsider: dict[str, str]
    hr: dict[str, str]


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory, embedder) -> Org:
    root = tmp_path_factory.mktemp("restricted-bios")
    wiki, bios = write_org(root)
    hr_bios = root / "hr.yml"
    hr_bios.write_text(HR_BIOS, encoding="utf-8")
    sources = [
        *specs(wiki, bios),
        SourceSpec("bios", str(hr_bios), "hr", {"access_groups": "hr"}),
    ]
    data = root / "data"
    assert not run_index(data, embedder, sources).failed
    keys = KeyStore(data)
    outsider = keys.create("outsider", ["search"])[1]
    hr = keys.create("hr tool", ["search"], ["hr"])[1]
    keys.close()
    return Org(data, {"Authorization": f"Bearer {outsider}"}, {"Authorization": f"Bearer {hr}"})


@pytest.fixture(scope="module")
def client(org: Org, embedder) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=org.data,
        allow_anonymous=True,
        rate_limit_burst=1000,
        slack_signing_secret=SECRET,
        chat_groups=[],
    )
    app = create_app(settings, embedder=embedder)
    app.dependency_overrides[get_clock] = lambda: lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def assert_no_restricted_words(text: str) -> None:
    leaked = [word for word in RESTRICTED_WORDS if word.casefold() in text.casefold()]
    assert leaked == []


def test_jordans_id_is_the_one_derived_from_the_restricted_email(org: Org) -> None:
    store = SQLiteStore(org.data)
    try:
        assert store.people([JORDAN_ID], groups=None)[JORDAN_ID].title == (
            "Under disciplinary review"
        )
    finally:
        store.close()


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_outsiders_search_shows_no_restricted_field(client: TestClient, org: Org, who: str) -> None:
    headers = org.outsider if who == "outsider" else {}

    for route in ("/v1/experts", "/v1/search", "/v1/documents"):
        for q in ("Jordan Blake", "helm charts payroll cluster", "Ana Kovač helm"):
            response = client.get(route, params={"q": q, "limit": 20}, headers=headers)
            assert response.status_code == 200
            answer = response.json()
            assert answer.pop("query") == q
            assert_no_restricted_words(str(answer))


def test_outsider_sees_anas_public_fields_and_hr_sees_hers(client: TestClient, org: Org) -> None:
    def ana(headers: dict[str, str]) -> dict:
        people = client.get(
            "/v1/experts", params={"q": "helm rollback", "limit": 10}, headers=headers
        ).json()["people"]
        [found] = [p for p in people if p["id"] == ANA_ID]
        return {k: found[k] for k in ("title", "team", "location")}

    assert ana(org.outsider) == {"title": "Platform engineer", "team": "", "location": ""}
    assert ana(org.hr) == {
        "title": "Platform engineer",
        "team": "Probation Squad",
        "location": "Undisclosed Bunker",
    }


@pytest.mark.parametrize(
    ("filters", "outsider_ids", "hr_ids"),
    [
        ({"team": "Probation"}, [], [ANA_ID]),
        ({"location": "Bunker"}, [], [ANA_ID]),
        ({"team": "Legal Holds"}, [], [JORDAN_ID]),
    ],
)
def test_filters_on_restricted_values_are_no_oracle(
    client: TestClient, org: Org, filters: dict, outsider_ids: list, hr_ids: list
) -> None:
    def ids(route: str, headers: dict[str, str]) -> list[str]:
        response = client.get(route, params={"q": "helm charts", **filters}, headers=headers)
        assert response.status_code == 200
        body = response.json()
        if route == "/v1/experts":
            return [p["id"] for p in body["people"]]
        return [d["id"] for d in body["documents"]]

    assert ids("/v1/experts", org.outsider) == outsider_ids
    assert ids("/v1/experts", {}) == outsider_ids
    assert ids("/v1/experts", org.hr) == hr_ids
    # documents by a contributor with that team or location (Jordan wrote only his bio)
    assert ids("/v1/documents", org.outsider) == []
    assert ids("/v1/documents", org.hr) == (
        [] if hr_ids == [JORDAN_ID] else ["wiki/helm-rollbacks.md"]
    )


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_a_person_known_only_from_a_restricted_file_does_not_exist(
    client: TestClient, org: Org, who: str
) -> None:
    headers = org.outsider if who == "outsider" else {}

    response = client.get(f"/v1/people/{JORDAN_ID}", headers=headers)

    assert response.status_code == 404
    assert response.json() == {"detail": f"no person with id {JORDAN_ID!r}"}


def test_hr_reads_jordans_profile(client: TestClient, org: Org) -> None:
    profile = client.get(f"/v1/people/{JORDAN_ID}", headers=org.hr).json()

    assert (profile["title"], profile["team"], profile["location"]) == (
        "Under disciplinary review",
        "Legal Holds",
        "Reykjavik Annex",
    )
    assert [s["name"] for s in profile["sources"]] == ["hr"]


def test_anas_profile_shows_an_outsider_only_public_records(client: TestClient, org: Org) -> None:
    profile = client.get(f"/v1/people/{ANA_ID}", headers=org.outsider).json()

    assert_no_restricted_words(str(profile))
    assert (profile["title"], profile["team"], profile["location"]) == (
        "Platform engineer",
        "",
        "",
    )
    assert [s["name"] for s in profile["sources"]] == ["team", "wiki"]
    hr_profile = client.get(f"/v1/people/{ANA_ID}", headers=org.hr).json()
    assert [s["name"] for s in hr_profile["sources"]] == ["hr", "team", "wiki"]


def test_chat_replies_show_no_restricted_field(client: TestClient) -> None:
    for text in ("Who is Blake", "helm charts payroll cluster"):
        body = command(text)
        response = client.post(URL, content=body, headers=signed(body))
        assert response.status_code == 200
        assert_no_restricted_words(response.text)


def test_visible_person_merges_only_the_records_a_caller_may_see() -> None:
    public = PersonRecord("email:a@x.org", "Ann Lee", ("email:a@x.org",), title="Engineer")
    secret = PersonRecord(
        "a", "Ann Lee", ("email:a@x.org",), title="On notice", team="Audit", groups=("hr",)
    )
    [person] = resolve([("wiki", public), ("hr", secret)]).people
    row = PersonRow(
        person.id,
        person.name,
        person.aliases,
        person.title,
        person.team,
        person.location,
        person.bio,
        person.skills,
        person.active,
        person.url,
        person.records,
    )

    assert (row.title, row.team) == ("Engineer", "Audit")  # the richer record's title first
    outsider = visible_person(row, frozenset({"eng"}))
    assert outsider is not None
    assert (outsider.title, outsider.team, outsider.records) == (
        "Engineer",
        "",
        (("wiki", public),),
    )
    assert visible_person(row, {"hr"}) == row
    assert visible_person(row, None) == row
    assert visible_person(replace(row, records=(("hr", secret),)), set()) is None
