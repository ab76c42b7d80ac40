"""Contributions, and when people were active, as callers in some groups may know it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from indexer.models import Contribution, Role
from indexer.store.base import ContributionRow, Store
from tests.store import tiny
from tests.store.tiny import ANA, HELM, QUESTION, RITA, SALARIES, SAM, VACUUM, at, fill

ANA_ON_HELM = ContributionRow(ANA, HELM, "author", 3, 0, at(3, 4, 10))
ANA_ON_VACUUM = ContributionRow(ANA, VACUUM, "editor", 1, 0, None)
ANA_ON_SALARIES = ContributionRow(ANA, SALARIES, "editor", 2, 0, at(6, 1))
RITA_ON_SALARIES = ContributionRow(RITA, SALARIES, "author", 1, 0, at(5, 1, 8))
ANA_ON_QUESTION = ContributionRow(ANA, QUESTION, "answerer", 1, 5, at(4, 1, 12))
EVERY_ROLE = [str(role) for role in Role]


def key(row: ContributionRow) -> tuple[str, str, str]:
    return (row.document_id, row.person_id, row.role)


def test_contributions_to_documents(store: Store) -> None:
    fill(store)

    rows = store.contributions_to([SALARIES, QUESTION, "wiki/absent"])

    assert sorted(rows, key=key) == [ANA_ON_QUESTION, ANA_ON_SALARIES, RITA_ON_SALARIES]
    assert store.contributions_to([]) == []


def test_contributions_of_a_person_by_document_and_role(store: Store) -> None:
    fill(store)

    assert store.contributions_of(ANA) == [
        ANA_ON_QUESTION,
        ANA_ON_HELM,
        ANA_ON_SALARIES,
        ANA_ON_VACUUM,
    ]
    assert store.contributions_of(RITA) == [RITA_ON_SALARIES]
    assert store.contributions_of(SAM) == []


def test_contributions_wait_for_their_person_to_be_resolved(store: Store) -> None:
    store.apply_source(tiny.update("qa"))

    assert store.contributions_to([QUESTION]) == []

    tiny.resolve_people(store)

    assert store.contributions_to([QUESTION]) == [ANA_ON_QUESTION]


def test_a_known_key_resolves_at_once_when_its_source_is_written_again(store: Store) -> None:
    fill(store)
    late = Contribution("qa:7", QUESTION, Role.COMMENTER, time=at(7, 1))

    store.apply_source(tiny.update("qa", documents={}, contributions=[late]))

    assert store.contributions_to([QUESTION]) == [
        ContributionRow(ANA, QUESTION, "commenter", 1, 0, at(7, 1))
    ]


def test_activity_times_by_person_and_role(store: Store) -> None:
    fill(store)

    times = store.activity_times([ANA, RITA, SAM], EVERY_ROLE)

    assert {person: sorted(ts) for person, ts in times.items()} == {
        ANA: [at(3, 4, 10), at(4, 1, 12), at(6, 1)],  # the editor's untimed edit is skipped
        RITA: [at(5, 1, 8)],
    }
    assert store.activity_times([ANA], ["answerer"]) == {ANA: [at(4, 1, 12)]}
    assert store.activity_times([ANA], ["asker"]) == {}
    assert store.activity_times([], EVERY_ROLE) == {}


def test_activity_times_count_only_documents_the_groups_may_see(store: Store) -> None:
    fill(store)

    public = store.activity_times([ANA, RITA], EVERY_ROLE, groups=set())
    in_hr = store.activity_times([ANA, RITA], EVERY_ROLE, groups={"hr", "it"})

    assert {person: sorted(ts) for person, ts in public.items()} == {
        ANA: [at(3, 4, 10), at(4, 1, 12)]
    }
    assert {person: sorted(ts) for person, ts in in_hr.items()} == {
        ANA: [at(3, 4, 10), at(4, 1, 12), at(6, 1)],
        RITA: [at(5, 1, 8)],
    }


def test_latest_activity_is_the_newest_time_a_caller_may_know(store: Store) -> None:
    assert store.latest_activity(EVERY_ROLE) is None
    fill(store)

    assert store.latest_activity(EVERY_ROLE) == at(6, 1)
    assert store.latest_activity(EVERY_ROLE, groups={"hr"}) == at(6, 1)
    assert store.latest_activity(EVERY_ROLE, groups=set()) == at(4, 1, 12)
    assert store.latest_activity(["author"], groups=set()) == at(3, 4, 10)
    assert store.latest_activity(["author"]) == at(5, 1, 8)
    assert store.latest_activity(["asker"]) is None


def test_latest_activity_skips_unresolved_contributions(store: Store) -> None:
    store.apply_source(tiny.update("qa"))

    assert store.latest_activity(EVERY_ROLE) is None


def test_times_come_back_as_the_same_moment_in_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    fill(store)
    local = Contribution(
        "qa:7", QUESTION, Role.COMMENTER, time=datetime(2024, 7, 1, 10, tzinfo=plus_two)
    )

    store.apply_source(tiny.update("qa", documents={}, contributions=[local]))

    [row] = store.contributions_to([QUESTION])
    assert row.time == datetime(2024, 7, 1, 8, tzinfo=UTC)
    assert row.time.utcoffset() == timedelta(0)


def test_latest_activity_compares_moments_not_their_spelling(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    store.apply_source(
        tiny.update(
            "qa",
            contributions=[
                Contribution(
                    "qa:7", QUESTION, Role.ANSWERER, time=datetime(2024, 7, 1, 10, tzinfo=plus_two)
                ),
                Contribution(
                    "qa:7", QUESTION, Role.COMMENTER, time=datetime(2024, 7, 1, 9, tzinfo=UTC)
                ),
            ],
        )
    )
    tiny.resolve_people(store)

    assert store.latest_activity(EVERY_ROLE) == datetime(2024, 7, 1, 9, tzinfo=UTC)
