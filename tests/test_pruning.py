"""Pruned top-k search returns exactly what exhaustive scoring returns: same pages (ids and scores), same
totals, same facet counts, for every query shape (all words, any-word fallback, OR, phrases, exclusions,
filters, date sorts, pages further down)."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import SHARED_DATA

from searchidx import Article, Index
from searchidx.engines.whoosh import pruning
from searchidx.engines.whoosh.scoring import Collection
from searchidx.models import SearchResult

NEWS = SHARED_DATA / "news" / "orangesum.jsonl.gz"
RELEVANCE = SHARED_DATA / "relevance"
ARTICLES = 3000
SHAPES = [
    "gouvernement", "président république", "grève SNCF Paris", "incendie OU inondation", "police -Paris",
    '"premier ministre"', '"premier ministre" réforme', "macron~ élection", "minist*", "+France football",
    "titre:Paris", "(Trump OU Biden) élection", "zzzyx introuvable", "le la les", "Marseille SAUF football",
]
SEARCHES: list[dict[str, Any]] = [
    {}, {"limit": 3, "offset": 7}, {"sort": "date"}, {"sort": "-date", "limit": 5},
    {"facets": ("person", "org", "place")}, {"filters": {"place": ["France"]}, "facets": ("place", "org")},
    {"excludes": {"place": ["Paris"]}}, {"since": "2019-01-01"}, {"limit": 50},
]


def same(a: SearchResult, b: SearchResult) -> None:
    assert [h.id for h in a.hits] == [h.id for h in b.hits]
    assert [h.score for h in a.hits] == [h.score for h in b.hits]
    assert (a.total, a.fallback, a.facets) == (b.total, b.fallback, b.facets)


def both(index: Index, text: str, **options: Any) -> tuple[SearchResult, SearchResult]:
    pruned = index.search(text, suggest=False, **options)
    with pruning.exhaustive():
        return pruned, index.search(text, suggest=False, **options)


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The first 3,000 OrangeSum articles (skipped without the evaluation data)."""
    if not NEWS.exists():
        pytest.skip("../shared/data is absent")
    with gzip.open(NEWS, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in itertools.islice(f, ARTICLES)]
    articles = [Article(id=r["id"], title=r["title"], body=r["body"], date=r["date"]) for r in records]
    path = tmp_path_factory.mktemp("pruning") / "index"
    with Index.create(path, entities="builtin") as index:
        index.add(articles)
        yield index


def queries(name: str, n: int) -> list[str]:
    with (RELEVANCE / name).open(encoding="utf-8") as f:
        return [json.loads(line)["query"] for line in itertools.islice(f, n)]


@pytest.mark.parametrize("text", SHAPES)
@pytest.mark.parametrize("options", SEARCHES, ids=lambda o: ",".join(o) or "default")
def test_shapes_are_exact(news_index: Index, text: str, options: dict[str, Any]) -> None:
    same(*both(news_index, text, **options))


@pytest.mark.parametrize("name,n", [("news-dev-short.jsonl", 200), ("news-dev.jsonl", 100)])
def test_dev_queries_are_exact(news_index: Index, name: str, n: int) -> None:
    pruned_any = 0
    for text in queries(name, n):
        a, b = both(news_index, text)
        same(a, b)
        pruned_any += a.fallback
    assert pruned_any > 0  # the any-word fallback (MaxScore's essential words) was exercised


def test_pruning_skips_work(news_index: Index) -> None:
    """Not vacuous: on a pasted lede, most words are non-essential and few documents are fully scored."""
    collection = Collection(news_index.backend.searcher())
    text = queries("news-dev.jsonl", 1)[0]
    parsed = news_index.backend.compile(text)
    p = pruning.plan(collection, parsed.loose, {})
    assert p is not None and not p.all and len(p.groups) > 10
    visible = p.mask(collection.size)
    scored: list[int] = []
    exact = p.exact

    def counting(docs: Any, scratch: Any = None) -> Any:
        scored.append(len(docs))
        return exact(docs, scratch)

    p.exact = counting  # type: ignore[method-assign]
    docs, scores = pruning.top_k(p, visible, 10)
    assert len(docs) == 10 and np.all(np.diff(scores) <= 0)
    assert sum(scored) < np.count_nonzero(visible) / 10


def test_several_segments_with_deletions(tmp_path: Path) -> None:
    bodies = ["Genève accueille le sommet de l'OTAN.", "La Russie négocie à Genève.", "Chevaux de Genève, OTAN."]
    index = Index.create(tmp_path / "ix", entities="none")
    index.add([Article(id=f"a{i}", title="t", body=b * (i + 1)) for i, b in enumerate(bodies)])
    index.add([Article(id="a1", title="t", body="Genève remplacée"), Article(id="b", title="t", body=bodies[0])])
    for text in ("geneve", "geneve otan", "otan russie chevaux", "geneve russie"):
        for k in (1, 2, 10):
            same(*both(index, text, limit=k))


def _random_plan(rng: np.random.Generator, size: int, every: bool) -> pruning.Plan:
    groups = []
    for _ in range(int(rng.integers(1, 12))):
        clauses = []
        for _ in range(int(rng.integers(1, 3))):
            n = int(rng.integers(0, size // int(rng.choice([1, 4, 40]))))
            ids = np.sort(rng.choice(size, n, replace=False)).astype(np.int64)
            scores = np.round(rng.gamma(2.0, float(rng.uniform(0.5, 8)), n), 1)  # rounded: many ties
            clauses.append(pruning.clause(ids, scores, size))
        groups.append(pruning.Group(clauses))
    p = pruning.Plan(groups, all=every)
    if rng.random() < 0.5:  # rewards: a constant per word a document has, and scored lists that match nothing
        extra = [pruning.Group([pruning.constant(c.ids, 2.0, size) for c in g.clauses[:1]]) for g in groups]
        extra.append(_random_plan(rng, size, every).groups[0])
        p = p.plus(extra)
    return p


@pytest.mark.parametrize("seed", range(40))
def test_top_k_equals_brute_force(seed: int) -> None:
    """Random word groups (any or all mode, rewards, filters, many tied scores): the same k documents in the
    same order with the same scores as scoring every match."""
    rng = np.random.default_rng(seed)
    size = 3000
    p = _random_plan(rng, size, every=seed % 3 == 0)
    visible = p.mask(size) & (rng.random(size) < 0.8)
    docs = np.flatnonzero(visible)
    scores = p.exact(docs)
    for k in (1, 3, 10, 100):
        best = np.lexsort((docs, -scores))[:k]
        got_docs, got_scores = pruning.top_k(p, visible, k)
        assert got_docs.tolist() == docs[best].tolist()
        assert got_scores.tolist() == scores[best].tolist()
