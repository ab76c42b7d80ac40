"""People, their records and identities, and what a caller in some groups may see of them."""

from __future__ import annotations

from dataclasses import replace

from indexer.models import PersonRecord
from indexer.store.base import PersonRow, Store
from tests.store import tiny
from tests.store.tiny import ANA, HR_PEOPLE, QA_PEOPLE, RITA, SAM, WIKI_PEOPLE, fill

WIKI_RITA, HR_RITA = WIKI_PEOPLE[1], HR_PEOPLE[0]

ANA_ROW = PersonRow(
    id=ANA,
    name="Ana Kovač",
    aliases=("email:ana@example.com", "qa:7", "wiki:ana"),
    title="SRE",
    team="",
    location="",
    bio="",
    skills=(),
    active=True,
    url="",
    records=(),
)
RITA_ROW = replace(
    ANA_ROW,
    id=RITA,
    name="Rita Ray",
    aliases=("email:rita@example.com", "hr:rita", "wiki:rita"),
    title="HR partner",
    bio="Runs the salary reviews.",
    skills=("payroll",),
    records=(("hr", HR_RITA), ("wiki", WIKI_RITA)),
)
RITA_IN_PUBLIC = replace(
    RITA_ROW,
    aliases=("email:rita@example.com", "wiki:rita"),
    title="",
    bio="",
    skills=(),
    records=(("wiki", WIKI_RITA),),
)

SHOWN = ("name", "title", "team", "location", "bio", "skills", "active", "url")


def test_person_records_come_back_by_source_and_key(store: Store) -> None:
    fill(store)

    assert store.person_records() == [
        ("hr", HR_PEOPLE[0]),
        ("hr", HR_PEOPLE[1]),
        ("qa", QA_PEOPLE[0]),
        ("wiki", WIKI_PEOPLE[0]),
        ("wiki", WIKI_PEOPLE[1]),
    ]


def test_people_unrestricted_are_merged_from_every_record(store: Store) -> None:
    fill(store)

    people = store.people([ANA, RITA, SAM, "nobody-000000"], groups=None)

    assert people[ANA] == ANA_ROW
    assert people[RITA] == RITA_ROW
    assert sorted(people) == [ANA, RITA, SAM]


def test_people_are_merged_from_the_records_a_caller_may_see(store: Store) -> None:
    fill(store)

    public = store.people([ANA, RITA, SAM], groups=set())
    in_hr = store.people([ANA, RITA, SAM], groups={"hr"})
    elsewhere = store.people([RITA, SAM], groups={"finance"})

    assert public == {ANA: ANA_ROW, RITA: RITA_IN_PUBLIC}  # Sam has no public record
    assert in_hr == {ANA: ANA_ROW, RITA: RITA_ROW, SAM: store.people([SAM], groups=None)[SAM]}
    assert elsewhere == {RITA: RITA_IN_PUBLIC}
    assert in_hr[SAM].title == "Recruiter"


def test_person_ids_map_every_key_of_a_source(store: Store) -> None:
    fill(store)

    assert store.person_ids("wiki") == {"wiki:ana": ANA, "wiki:rita": RITA}
    assert store.person_ids("hr") == {"hr:rita": RITA, "hr:sam": SAM}
    assert store.person_ids("qa") == {"qa:7": ANA}
    assert store.person_ids("absent") == {}


def test_records_and_sources_of_a_person(store: Store) -> None:
    fill(store)

    assert store.records_of(RITA) == [("hr", HR_RITA), ("wiki", WIKI_RITA)]
    assert store.records_of(ANA) == [("qa", QA_PEOPLE[0]), ("wiki", WIKI_PEOPLE[0])]
    assert store.sources_of(ANA) == [("qa", "stackexchange"), ("wiki", "wiki")]
    assert store.sources_of(SAM) == [("hr", "bios")]
    assert store.records_of("nobody-000000") == []
    assert store.sources_of("nobody-000000") == []


def test_a_record_keeps_every_field_through_the_store(store: Store) -> None:
    full = PersonRecord(
        key="bios:zoë",
        name="Zoë O'Brien",
        aliases=("email:zoe@example.com", "github:zob", "slack:U1"),
        title="Staff engineer",
        team="Platform",
        location="Zürich",
        bio='Writes "quoted" bios; with; semicolons',
        skills=("go", "c++"),
        active=False,
        url="https://people.example/zoe",
        groups=("hr", "platform"),
    )
    store.apply_source(tiny.SourceUpdate("bios", "bios", "/b.yml", {}, [], [full], []))
    tiny.resolve_people(store)
    [person_id] = store.person_ids("bios").values()

    assert store.person_records() == [("bios", full)]
    assert store.records_of(person_id) == [("bios", full)]
    shown = store.people([person_id], groups=None)[person_id]
    assert shown.aliases == ("bios:zoë", "email:zoe@example.com", "github:zob", "slack:U1")
    assert shown.records == (("bios", full),)
    assert [getattr(shown, field) for field in SHOWN] == [getattr(full, field) for field in SHOWN]
    assert store.people([person_id], groups={"platform"})[person_id].team == "Platform"
    assert store.people([person_id], groups={"sales"}) == {}


def test_replace_people_replaces_every_person(store: Store) -> None:
    fill(store)

    store.apply_source(tiny.update("hr", people=[]))
    tiny.resolve_people(store)

    assert sorted(store.people([ANA, RITA, SAM], groups=None)) == [ANA, RITA]
    assert store.person_ids("hr") == {}
    assert store.people([RITA], groups=None)[RITA].records == ()  # no restricted record left
    assert store.stats().people == 2


def test_person_identities_are_strong_aliases_and_record_keys(store: Store) -> None:
    fill(store)

    assert store.person_identities(ANA) == [
        "email:ana@example.com",
        "record:qa:qa:7",
        "record:wiki:wiki:ana",
    ]
    assert store.person_identities(SAM) == ["email:sam@example.com", "record:hr:hr:sam"]
    assert store.person_identities("nobody-000000") == []


def test_people_with_identities_finds_the_current_ids(store: Store) -> None:
    fill(store)

    found = store.people_with_identities(
        ["email:rita@example.com", "record:hr:hr:sam", "record:wiki:wiki:ana", "email:x@y"]
    )

    assert found == {
        "email:rita@example.com": {RITA},
        "record:hr:hr:sam": {SAM},
        "record:wiki:wiki:ana": {ANA},
    }
    assert store.people_with_identities([]) == {}
