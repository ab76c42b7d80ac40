"""Fusion and ranking on literal lists: exact scores, orders and evidence."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from indexer.config import Settings, load_settings
from indexer.errors import ConfigError
from indexer.store.base import ContributionRow
from search_api.ranking import (
    Evidence,
    RankedPerson,
    RankingConfig,
    ScoredChunk,
    ScoredDocument,
    activity_prior,
    apply_priors,
    combine_documents,
    contribution_weight,
    explain,
    rank_people,
    score_documents,
    snippet,
)
from search_api.retrieval import reciprocal_rank_fusion
from search_api.service import ranking_config


def row(person: str, document: str, role: str, *, count: int = 1, score: int = 0):
    return ContributionRow(person, document, role, count, score, None)


# ---------------------------------------------------------------- fusion


def test_rrf_sums_reciprocal_ranks_and_ignores_raw_scores() -> None:
    dense = [("c1", 0.91), ("c2", 0.90), ("c3", 0.10)]
    lexical = [("c3", 12.0), ("c2", 3.0)]

    assert reciprocal_rank_fusion([dense, lexical]) == [
        ("c3", 1 / 63 + 1 / 61),  # first and third beats second twice
        ("c2", 1 / 62 + 1 / 62),
        ("c1", 1 / 61),
    ]


def test_rrf_weights_and_k() -> None:
    fused = reciprocal_rank_fusion([[("a", 1.0), ("b", 0.5)], [("b", 1.0)]], k=1, weights=[2, 1])

    assert fused == [("b", 2 / 3 + 1 / 2), ("a", 1.0)]


def test_rrf_ties_keep_first_appearance() -> None:
    assert reciprocal_rank_fusion([[("x", 5.0)], [("y", 9.0)]]) == [("x", 1 / 61), ("y", 1 / 61)]
    assert reciprocal_rank_fusion([[("y", 9.0)], [("x", 5.0)]]) == [("y", 1 / 61), ("x", 1 / 61)]


def test_rrf_of_nothing_is_empty_and_weights_must_match() -> None:
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError, match="1 weights for 2 rankings"):
        reciprocal_rank_fusion([[("a", 1.0)], []], weights=[1.0])


# ---------------------------------------------------------------- documents


def test_score_documents_keeps_each_documents_best_chunk() -> None:
    chunks = [
        ScoredChunk(1, "wiki/helm.md", 0.5),
        ScoredChunk(2, "wiki/helm.md", 0.9),
        ScoredChunk(3, "wiki/vacuum.md", 0.7),
        ScoredChunk(4, "wiki/helm.md", 0.2),
        ScoredChunk(5, "wiki/expenses.md", 0.7),
    ]

    assert score_documents(chunks) == [
        ScoredDocument("wiki/helm.md", 0.9, 2),
        ScoredDocument("wiki/expenses.md", 0.7, 5),  # tie with vacuum: by document id
        ScoredDocument("wiki/vacuum.md", 0.7, 3),
    ]


# ---------------------------------------------------------------- people

DOCS = [ScoredDocument("qa/1", 1.0, 10), ScoredDocument("wiki/a", 0.5, 20)]


def test_accepted_answerer_beats_a_commenter_on_the_same_document() -> None:
    ranked = rank_people(
        DOCS, [row("carol", "qa/1", "commenter"), row("ann", "qa/1", "accepted_answerer")]
    )

    assert ranked == [
        RankedPerson(
            "ann", 1.0, (Evidence("qa/1", "accepted_answerer", 1.0),), (("accepted_answerer", 1),)
        ),
        RankedPerson("carol", 0.05, (Evidence("qa/1", "commenter", 0.05),), (("commenter", 1),)),
    ]


def test_several_roles_on_one_document_count_the_strongest_once() -> None:
    ranked = rank_people(
        DOCS,
        [
            row("bob", "qa/1", "asker"),
            row("bob", "qa/1", "answerer"),
            row("bob", "qa/1", "commenter"),
            row("bob", "wiki/a", "author"),
        ],
    )

    assert ranked == [
        RankedPerson(
            "bob",
            0.6 + 0.5 * 1.0,
            (Evidence("qa/1", "answerer", 0.6), Evidence("wiki/a", "author", 0.5)),
            (("answerer", 1), ("author", 1)),
        )
    ]


def test_counts_and_vote_scores_raise_the_weight() -> None:
    ranked = rank_people(
        DOCS,
        [row("ann", "wiki/a", "author", count=4), row("bob", "qa/1", "answerer", score=3)],
        config=RankingConfig(commit_bonus=0.25, vote_bonus=0.2),
    )

    assert [(p.person_id, p.score) for p in ranked] == [
        ("bob", 0.6 * (1 + 0.2 * math.log1p(3))),
        ("ann", 0.5 * 1.0 * (1 + 0.25 * math.log(4))),
    ]


def test_exclude_removes_people_and_unknown_documents_are_ignored() -> None:
    ranked = rank_people(
        DOCS,
        [
            row("ann", "qa/1", "accepted_answerer"),
            row("bob", "qa/1", "asker"),
            row("dan", "wiki/not-retrieved", "author"),
        ],
        exclude=["ann"],
    )

    assert ranked == [
        RankedPerson("bob", 0.05, (Evidence("qa/1", "asker", 0.05),), (("asker", 1),))
    ]


def test_equal_scores_are_ordered_by_person_id() -> None:
    ranked = rank_people(DOCS, [row("zoe", "wiki/a", "author"), row("amir", "wiki/a", "author")])

    assert [(p.person_id, p.score) for p in ranked] == [("amir", 0.5), ("zoe", 0.5)]


def test_evidence_is_strongest_first_and_capped() -> None:
    documents = [ScoredDocument(f"d{i}", float(i), i) for i in range(1, 6)]
    contributions = [row("ann", f"d{i}", "author") for i in range(1, 6)]

    [ann] = rank_people(documents, contributions, evidence_per_person=2)

    assert ann.score == 1.0 * (1 + 2 + 3 + 4 + 5)  # every document counts, only 2 are shown
    assert ann.evidence == (Evidence("d5", "author", 5.0), Evidence("d4", "author", 4.0))


# ---------------------------------------------------------------- snippets

TEXT = "alpha beta gamma delta epsilon zeta eta theta"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("delta", "…delta epsilon…"),
        ("theta", "…zeta eta theta"),
        ("an EPSILON", "…epsilon zeta…"),  # words of two letters are ignored, case is not
        ("nothing matches", "alpha beta gamma…"),
    ],
)
def test_snippet_windows_around_the_first_query_word(query: str, expected: str) -> None:
    assert snippet(TEXT, query, width=20) == expected


def test_short_text_is_returned_whole_with_spaces_collapsed() -> None:
    assert snippet("  helm\n\n rollback   steps ", "helm") == "helm rollback steps"


# ---------------------------------------------------------------- combining signals


def test_combine_documents_normalises_each_signal_to_its_best() -> None:
    dense = [ScoredDocument("a", 0.5, 1), ScoredDocument("b", 0.25, 2)]
    lexical = [("b", 8.0), ("c", 2.0)]

    combined = combine_documents(dense, lexical, RankingConfig(alpha=0.5, tau=0.25))

    assert combined == [
        ScoredDocument("b", 0.5 * math.exp(-1.0) + 0.5 * 1.0, 2),
        ScoredDocument("a", 0.5, 1),
        ScoredDocument("c", 0.5 * 0.25, None),
    ]


def test_combine_documents_keeps_only_the_top_k() -> None:
    dense = [ScoredDocument(f"d{i}", 1.0 - i / 100, i) for i in range(5)]

    combined = combine_documents(dense, [], RankingConfig(top_k=2))

    assert [d.document_id for d in combined] == ["d0", "d1"]


# ---------------------------------------------------------------- activity prior


def test_activity_prior_halves_each_contribution_per_half_life() -> None:
    now = datetime(2024, 3, 1, tzinfo=UTC)
    config = RankingConfig(activity_half_life_days=10, activity_weight=2)
    times = [now, now - timedelta(days=10), now - timedelta(days=20)]

    assert activity_prior(times, now, config) == (1 + math.log1p(1 + 0.5 + 0.25)) ** 2
    assert activity_prior([], now, config) == 1.0
    assert activity_prior(times, now, RankingConfig(activity_weight=0)) == 1.0


def test_apply_priors_rescales_and_reorders() -> None:
    ranked = [RankedPerson("ann", 2.0), RankedPerson("bob", 1.5), RankedPerson("cy", 1.0)]

    rescored = apply_priors(ranked, {"bob": 2.0, "cy": 0.5})

    assert rescored == [
        RankedPerson("bob", 3.0),
        RankedPerson("ann", 2.0),  # no prior known: unchanged
        RankedPerson("cy", 0.5),
    ]


def test_combine_documents_can_fuse_by_reciprocal_rank() -> None:
    dense = [ScoredDocument("a", 0.9, 1), ScoredDocument("b", 0.8, 2)]

    combined = combine_documents(dense, [("b", 3.0)], RankingConfig(fusion="rrf"))

    assert combined == [
        ScoredDocument("b", 1 / 62 + 1 / 61, 2),
        ScoredDocument("a", 1 / 61, 1),
    ]


# ---------------------------------------------------------------- explanations


def test_rank_people_counts_every_retrieved_document_by_role() -> None:
    documents = [ScoredDocument(f"d{i}", float(i), i) for i in range(1, 5)]
    contributions = [
        row("ann", "d1", "accepted_answerer"),
        row("ann", "d2", "answerer"),
        row("ann", "d3", "author"),
        row("ann", "d4", "author"),
    ]

    [ann] = rank_people(documents, contributions, evidence_per_person=1)

    assert ann.roles == (("accepted_answerer", 1), ("answerer", 1), ("author", 2))


@pytest.mark.parametrize(
    ("roles", "evidence", "expected"),
    [
        ((("answerer", 1),), (), "Answered 1 related question."),
        (
            (("accepted_answerer", 3), ("commenter", 2)),
            (),
            "Answered 3 related questions (3 accepted); commented on 2 related threads.",
        ),
        ((("author", 1),), (Evidence("d1", "author", 1.0),), "Wrote 'Helm rollbacks'."),
        ((("author", 2),), (), "Wrote 2 related pages."),
        (
            (("self_declared", 1), ("asker", 1)),
            (),
            "Lists it in their profile; asked 1 related question.",
        ),
        ((), (), ""),
    ],
)
def test_explain_builds_one_sentence(roles, evidence, expected: str) -> None:
    person = RankedPerson("ann", 1.0, evidence, roles)
    assert explain(person, {"d1": "Helm rollbacks"}) == expected


def test_evidence_freshness_halves_old_contributions_down_to_a_floor() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    fresh = ContributionRow("ann", "qa/1", "answerer", 1, 0, now)
    old = ContributionRow("bob", "qa/1", "answerer", 1, 0, now - timedelta(days=60))
    config = RankingConfig(evidence_half_life_days=30, evidence_floor=0.2)

    ranked = rank_people(DOCS, [fresh, old], config=config, now=now)

    assert [(p.person_id, p.score) for p in ranked] == [
        ("ann", 0.6),
        ("bob", pytest.approx(0.6 * (0.2 + 0.8 * 0.25))),
    ]
    assert contribution_weight(old, RankingConfig(), now) == 0.6  # off by default


def test_with_freshness_on_answers_age_but_authored_pages_do_not() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    year_ago = now - timedelta(days=365)
    answer = ContributionRow("ann", "qa/1", "answerer", 1, 0, year_ago)
    page = ContributionRow("bob", "wiki/a.md", "author", 1, 0, year_ago)
    config = RankingConfig(evidence_half_life_days=30, evidence_floor=0.0)

    assert contribution_weight(answer, config, now) == pytest.approx(0.6 * 0.5 ** (365 / 30))
    assert contribution_weight(page, config, now) == 1.0


def test_settings_set_the_ranking_half_lives_and_prior_weight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WHOKNOWS_EVIDENCE_HALF_LIFE_DAYS", raising=False)
    assert ranking_config(Settings()) == RankingConfig()

    monkeypatch.setenv("WHOKNOWS_EVIDENCE_HALF_LIFE_DAYS", "30")
    monkeypatch.setenv("WHOKNOWS_ACTIVITY_WEIGHT", "1.5")
    config = ranking_config(load_settings(activity_half_life_days=7))

    assert (config.evidence_half_life_days, config.activity_half_life_days) == (30.0, 7.0)
    assert config.activity_weight == 1.5
    monkeypatch.setenv("WHOKNOWS_ACTIVITY_WEIGHT", "-1")
    with pytest.raises(ConfigError, match="activity_weight"):
        load_settings()
