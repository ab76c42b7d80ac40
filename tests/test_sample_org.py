"""The bundled sample organisation, indexed with the real model: each topic's expert comes first."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from indexer.config import load_settings, source_specs
from indexer.models import Role
from indexer.pipeline import Indexer
from search_api.ranking import RankingConfig
from search_api.service import SearchService
from tests.conftest import ROOT, SAMPLE_ORG
from tests.helpers import open_index, stored_documents

ANSWERING = {Role.ANSWERER, Role.ACCEPTED_ANSWERER}
EXPECTED = yaml.safe_load((SAMPLE_ORG / "expected.yml").read_text(encoding="utf-8"))
CASES = [(topic["expert"], query) for topic in EXPECTED for query in topic["queries"]]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder) -> SearchService:
    settings = load_settings(ROOT / "whoknows.toml")
    store = open_index(tmp_path_factory.mktemp("sample") / "data", create=True)
    summary = Indexer(store, embedder).run(source_specs(settings.sources))
    assert not summary.failed
    assert summary.totals()["rejected"] == 0
    return SearchService(store, embedder)


def test_sample_org_is_big_enough(service: SearchService) -> None:
    stats = service.store.stats()
    kinds = Counter(row.kind for row in stored_documents(service.store).values())
    assert sum(kinds.values()) == stats.documents
    assert len(EXPECTED) >= 10
    assert kinds["wiki"] >= 80 + 10  # 95 Markdown/HTML pages and 10 MediaWiki pages
    assert kinds["qa"] >= 100
    assert kinds["bio"] >= 40
    assert stats.people == 49


@pytest.mark.parametrize(("expert", "query"), CASES)
def test_topic_expert_comes_first(service: SearchService, expert: str, query: str) -> None:
    answer = service.search(query, people_limit=3, documents_limit=3)
    first = answer.people[0]
    assert f"email:{expert}" in first.aliases, [p.name for p in answer.people]
    assert first.evidence, "the expert comes with evidence"
    assert answer.documents


def test_one_person_across_four_sources(service: SearchService) -> None:
    answer = service.search("helm rollback failed release", people_limit=1, documents_limit=1)
    ana = answer.people[0]
    assert ana.name == "Ana Kovač"
    prefixes = {alias.split(":", 1)[0] for alias in ana.aliases}
    assert {"email", "github", "stackexchange", "mediawiki", "username"} <= prefixes


def test_people_who_left_are_not_ranked_unless_asked(service: SearchService) -> None:
    query = "postgresql streaming replication set-up"
    default = service.search(query, people_limit=50, documents_limit=1)
    assert "Viktor Horváth" not in [p.name for p in default.people]
    everyone = service.search(query, people_limit=50, documents_limit=1, include_inactive=True)
    assert "Viktor Horváth" in [p.name for p in everyone.people]


def test_the_activity_prior_counts_answering_not_page_authorship(
    service: SearchService, embedder
) -> None:
    query = "helm rollback failed release"
    plain = SearchService(service.store, embedder, config=RankingConfig(activity_weight=0))
    # a half-life of decades so that the sample's old answers still count as recent
    lasting = SearchService(
        service.store, embedder, config=RankingConfig(activity_half_life_days=1e4)
    )
    with_prior = {p.id: p.score for p in lasting.search(query, people_limit=50).people}
    without = {p.id: p.score for p in plain.search(query, people_limit=50).people}
    answered = {
        p for p in with_prior if any(c.role in ANSWERING for c in service.store.contributions_of(p))
    }
    assert answered and set(with_prior) - answered, "the query reaches answerers and authors"
    # authors-only people keep their topical score; answerers are lifted by recent answers
    for person in set(with_prior) - answered:
        assert with_prior[person] == pytest.approx(without[person]), person
    assert any(with_prior[p] > without[p] * 1.01 for p in answered)


def test_the_why_names_the_query_topic_that_answered_threads_share(
    service: SearchService,
) -> None:
    ana = service.search("helm rollback failed release", people_limit=1).people[0]
    assert ana.name == "Ana Kovač"
    assert re.fullmatch(
        r"Answered \d+ questions about helm \(\d+ accepted\); wrote '.+' and \d+ more pages\.",
        ana.why,
    ), ana.why
