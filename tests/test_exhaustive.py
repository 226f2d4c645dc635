"""Every match is scored (issue 17: no pruning pays on our corpus), so a page must be exactly what scoring
every match gives: checked on a few thousand real news articles and real dev queries (skipped when
../shared/data is absent), against the whole-query evaluation (no sparse sums, no C) and a full sort."""

from __future__ import annotations

import gzip
import json
from itertools import islice

import numpy as np
import pytest
from conftest import SHARED_DATA

from searchidx import Article, Index
from searchidx.engines.whoosh import ranking

NEWS = SHARED_DATA / "news" / "orangesum.jsonl.gz"
RELEVANCE = SHARED_DATA / "relevance"
ARTICLES = 3000
QUERIES = 40

pytestmark = pytest.mark.skipif(not NEWS.exists(), reason="evaluation data absent")


def _queries(name: str) -> list[dict[str, object]]:
    with (RELEVANCE / f"{name}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, QUERIES)]


@pytest.fixture(scope="module")
def news() -> Index:
    """The first articles of the news corpus and the relevant ones of the queries used here."""
    wanted = {str(i) for name in ("news-dev", "news-dev-short") for q in _queries(name) for i in q["relevant"]}
    articles = []
    with gzip.open(NEWS, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            record = json.loads(line)
            if n < ARTICLES or record["id"] in wanted:
                articles.append(Article(id=record["id"], title=record["title"], body=record["body"],
                                        date=record["date"]))
    index = Index.create(None, entities="none")
    index.add(articles)
    return index


def _page(index: Index, text: str) -> list[tuple[str, float, tuple[str, ...]]]:
    result = index.search(text, limit=10, suggest=False, all_versions=True)
    return [(h.id, h.score, h.missing) for h in result.hits] + [("total", result.total, (str(result.complete),))]


@pytest.mark.parametrize("name", ["news-dev-short", "news-dev"])
def test_pages_are_those_of_the_whole_query_scored_for_every_match(
        news: Index, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sparse sums over posting lists (in C) against the any-word query evaluated as a whole: the same
    ids in the same order, scores, missing words, totals and complete counts, on 40 real queries."""
    texts = [str(q["query"]) for q in _queries(name)]
    fast = [_page(news, text) for text in texts]
    with monkeypatch.context() as m:
        m.setattr(ranking, "_word_clauses", lambda *_: None)
        whole = [_page(news, text) for text in texts]
    assert fast == whole
    assert sum(len(page) > 1 for page in fast) >= QUERIES - 1  # real pages, not empty ones


@pytest.mark.parametrize("name", ["news-dev-short", "news-dev"])
def test_the_first_ten_are_those_of_a_full_sort_of_every_score(news: Index, name: str) -> None:
    """The selection of the first documents (a sampled bar, then a partial sort) against sorting every
    matching document by score, ties by document number."""
    backend = news.backend
    collection = backend._arrays()  # type: ignore[attr-defined]
    for q in _queries(name):
        ranked = ranking.rank(collection, backend.compile(str(q["query"])))
        docs = np.flatnonzero(ranked.found.mask & collection.live)
        best = docs[np.lexsort((docs, -ranked.found.scores[docs]))][:10]
        expected = [backend.doc_id(int(d)) for d in best]
        assert [h.id for h in news.search(str(q["query"]), limit=10, suggest=False, all_versions=True).hits] \
            == expected
