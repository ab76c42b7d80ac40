"""Identity resolution on literal person records: what merges, what is reported, stable ids."""

from __future__ import annotations

from indexer.identity import Person, resolve
from indexer.models import PersonRecord


def members(person: Person) -> set[tuple[str, str]]:
    return set(person.members)


def groups(records: list[tuple[str, PersonRecord]]) -> list[set[tuple[str, str]]]:
    """The resolved people as sets of ``(source, key)``, in id order."""
    return [members(p) for p in resolve(records).people]


ANA_WIKI = PersonRecord(
    key="email:ana.kovac@example.com", name="Ana Kovac", aliases=("email:ana.kovac@example.com",)
)
ANA_BIOS = PersonRecord(
    key="email:ana.kovac@example.com",
    name="Ana Kovač",
    aliases=("email:ana.kovac@example.com", "username:anak"),
    title="Platform engineer",
    bio="Runs the Kubernetes clusters.",
    skills=("kubernetes", "helm"),
)


def test_records_with_the_same_email_merge_into_one_person() -> None:
    resolution = resolve([("wiki", ANA_WIKI), ("team", ANA_BIOS)])

    assert resolution.ambiguities == []
    [ana] = resolution.people
    assert ana.id == "ana-kovac-eb5404"
    assert ana.members == (
        ("wiki", "email:ana.kovac@example.com"),
        ("team", "email:ana.kovac@example.com"),
    )
    assert ana.aliases == ("email:ana.kovac@example.com", "username:anak")


def test_github_noreply_email_merges_with_the_github_handle() -> None:
    wiki = PersonRecord(
        key="email:123+annk@users.noreply.github.com",
        name="annk",
        aliases=("email:123+annk@users.noreply.github.com", "github:annk"),
    )
    bios = PersonRecord(key="github:annk", name="Ann Kim", aliases=("github:annk",))

    [ann] = resolve([("wiki", wiki), ("team", bios)]).people

    assert members(ann) == {
        ("wiki", "email:123+annk@users.noreply.github.com"),
        ("team", "github:annk"),
    }
    assert ann.name == "Ann Kim"  # a name with a space outranks a bare handle
    assert ann.id == "123-annk-0ff0e2"


def test_github_and_username_handles_are_one_namespace_and_case_blind() -> None:
    wiki = PersonRecord(key="github:annk", name="annk", aliases=("github:AnnK",))
    chat = PersonRecord(key="chat:U1", name="Ann", aliases=("username:annk",))
    other = PersonRecord(key="chat:U2", name="Bob", aliases=("username:bob",))

    assert groups([("wiki", wiki), ("chat", chat), ("chat", other)]) == [
        {("wiki", "github:annk"), ("chat", "chat:U1")},
        {("chat", "chat:U2")},
    ]
    assert [p.id for p in resolve([("wiki", wiki), ("chat", chat)]).people] == ["annk-e56a1d"]


def test_exact_normalised_name_merges_across_sources_ignoring_accents_and_case() -> None:
    wiki = PersonRecord(key="name:jose garcia", name="José  García")
    forum = PersonRecord(key="stackexchange:7", name="jose GARCIA")
    someone_else = PersonRecord(key="stackexchange:8", name="Jose Garcias")

    resolution = resolve([("wiki", wiki), ("se", forum), ("se", someone_else)])

    assert resolution.ambiguities == []
    assert [members(p) for p in resolution.people] == [
        {("se", "stackexchange:7"), ("wiki", "name:jose garcia")},
        {("se", "stackexchange:8")},
    ]
    assert resolution.people[0].id == "stackexchange-7-01a87f"


def test_weak_same_name_record_folds_into_the_single_strong_record_of_its_source() -> None:
    strong = PersonRecord(
        key="email:ana.kovac@example.com",
        name="Ana Kovac",
        aliases=("email:ana.kovac@example.com",),
    )
    weak = PersonRecord(key="name:ana kovac", name="Ana Kovac")

    resolution = resolve([("wiki", strong), ("wiki", weak)])

    assert resolution.ambiguities == []
    [ana] = resolution.people
    assert ana.id == "ana-kovac-eb5404"
    assert members(ana) == {("wiki", "email:ana.kovac@example.com"), ("wiki", "name:ana kovac")}


def test_a_name_shared_by_two_emails_is_reported_and_nothing_merges_on_it() -> None:
    first = PersonRecord(
        key="email:sam@a.example", name="Sam Park", aliases=("email:sam@a.example",)
    )
    second = PersonRecord(
        key="email:sam@b.example", name="Sam Park", aliases=("email:sam@b.example",)
    )
    weak = PersonRecord(key="stackexchange:3", name="Sam Park")

    resolution = resolve([("wiki", first), ("team", second), ("se", weak)])

    assert [(p.id, members(p)) for p in resolution.people] == [
        ("sam-768376", {("team", "email:sam@b.example")}),
        ("sam-c56f54", {("wiki", "email:sam@a.example")}),
        ("stackexchange-3-3bb334", {("se", "stackexchange:3")}),
    ]
    assert resolution.ambiguities == [
        "name 'sam park' is shared by 3 people (wiki:email:sam@a.example; "
        "team:email:sam@b.example; se:stackexchange:3): not merged by name"
    ]


def test_two_namesakes_of_one_forum_and_a_bio_of_that_name_are_reported() -> None:
    records = [
        ("se", PersonRecord(key="stackexchange:1", name="Lee Chen")),
        ("se", PersonRecord(key="stackexchange:2", name="Lee Chen")),
        ("team", PersonRecord(key="bios:lee", name="Lee Chen", title="SRE")),
    ]

    resolution = resolve(records)

    assert len(resolution.people) == 3
    assert resolution.ambiguities == [
        "name 'lee chen' is shared by 3 people (se:stackexchange:1; se:stackexchange:2; "
        "team:bios:lee): not merged by name"
    ]


def test_namesakes_inside_one_source_without_strong_ids_stay_apart_silently() -> None:
    records = [
        ("se", PersonRecord(key="stackexchange:1", name="Lee Chen")),
        ("se", PersonRecord(key="stackexchange:2", name="Lee Chen")),
    ]

    resolution = resolve(records)

    assert [members(p) for p in resolution.people] == [
        {("se", "stackexchange:1")},
        {("se", "stackexchange:2")},
    ]
    assert resolution.ambiguities == []


def test_person_ids_do_not_depend_on_record_order() -> None:
    records = [
        ("wiki", ANA_WIKI),
        ("team", ANA_BIOS),
        ("se", PersonRecord(key="stackexchange:7", name="José García")),
        ("wiki", PersonRecord(key="name:jose garcia", name="Jose Garcia")),
        ("team", PersonRecord(key="github:annk", name="Ann Kim", aliases=("github:annk",))),
    ]

    forward = resolve(records)
    backward = resolve(list(reversed(records)))

    expected = ["ana-kovac-eb5404", "annk-e56a1d", "stackexchange-7-01a87f"]
    assert [p.id for p in forward.people] == expected
    assert [p.id for p in backward.people] == expected
    assert [members(p) for p in forward.people] == [members(p) for p in backward.people]


def test_merged_person_takes_the_richest_record_unions_skills_and_is_inactive_if_any_is() -> None:
    wiki = PersonRecord(
        key="email:ana.kovac@example.com",
        name="ana",
        aliases=("email:ana.kovac@example.com", "github:anak"),
        skills=("terraform", "helm"),
    )
    bios = PersonRecord(
        key="bios:ana",
        name="Ana Kovač",
        aliases=("email:ana.kovac@example.com",),
        title="Platform engineer",
        team="Infrastructure",
        bio="Runs the Kubernetes clusters.",
        skills=("kubernetes", "helm"),
        active=False,
        url="https://team.example.com/ana",
    )

    [ana] = resolve([("wiki", wiki), ("team", bios)]).people

    assert ana == Person(
        id="ana-kovac-eb5404",
        name="Ana Kovač",
        aliases=("bios:ana", "email:ana.kovac@example.com", "github:anak"),
        title="Platform engineer",
        team="Infrastructure",
        location="",
        bio="Runs the Kubernetes clusters.",
        skills=("kubernetes", "helm", "terraform"),
        active=False,
        url="https://team.example.com/ana",
        members=(("wiki", "email:ana.kovac@example.com"), ("team", "bios:ana")),
    )
