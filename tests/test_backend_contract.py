"""The `Backend` contract, run against every implementation through the protocol alone.

An implementation joins by adding a factory to `IMPLEMENTATIONS`: it takes a fresh folder and returns a new,
empty backend recording the extractor name it is given (a factory for a server skips when there is none)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from search_fixture import ARTICLES, ENTITIES, FixedExtractor

from searchidx import Article, UsageError
from searchidx.backend import Backend, SearchRequest, create_backend, open_backend
from searchidx.query.parse import parse
from searchidx.query.tree import Bool, Query, Word


def local(folder: Path, extractor: str) -> Backend:
    return create_backend(folder / "index", extractor)


def solr(folder: Path, extractor: str) -> Backend:
    """A new collection (2 shards x 2 replicas) on the cluster at $SOLR_URL (CI starts one)."""
    import os
    import uuid

    from conftest import _no_solr

    url = os.environ.get("SOLR_URL")
    if not url:
        _no_solr("no SolrCloud cluster: set SOLR_URL (bash scaleout/solr/cluster.sh start)")
    if importlib.util.find_spec("httpx") is None:
        _no_solr("the Solr client is not installed (pip install -e '.[solr]')")
    from searchidx.backend import solr_location

    return create_backend(solr_location(str(url), f"contract_{uuid.uuid4().hex[:8]}"), extractor)


IMPLEMENTATIONS: dict[str, Callable[[Path, str], Backend]] = {"local": local, "solr": solr}

OTAN = {"otan-geneve", "stoltenberg-bruxelles", "poutine-moscou"}
ALL = {a.id for a, _ in ARTICLES}


@pytest.fixture(scope="module", params=sorted(IMPLEMENTATIONS))
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    made = IMPLEMENTATIONS[request.param](tmp_path_factory.mktemp(request.param), "fixed")
    report = made.add([a for a, _ in ARTICLES], FixedExtractor())
    assert report.added == len(ARTICLES) and not report.problems
    yield made
    made.close()


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made = IMPLEMENTATIONS[request.param](tmp_path, "none")
    yield made
    made.close()


def ids(backend: Backend, query: str | Query = "", **kw: object) -> list[str]:
    return [h.id for h in backend.search(SearchRequest(query, limit=50, **kw)).hits]  # type: ignore[arg-type]


def test_counts_and_stats(backend: Backend) -> None:
    stats = backend.stats()
    assert backend.count() == stats.documents == len(ARTICLES)
    assert (stats.first_date, stats.last_date) == ("2020-08-28", "2022-01-10")
    assert stats.extractor == backend.extractor == "fixed"


def test_get(backend: Backend) -> None:
    article = backend.get("stoltenberg-bruxelles")
    assert article is not None
    assert article.title == "Stoltenberg réunit les alliés à Bruxelles"
    assert (article.date, article.source) == ("2021-06-14", "Le Monde")
    assert article.entities == ENTITIES["stoltenberg-bruxelles"]
    assert backend.get("absent") is None


def test_hits(backend: Backend) -> None:
    result = backend.search(SearchRequest("otan", facets=("person",)))
    assert {h.id for h in result.hits} == OTAN and result.total == 3 and not result.fallback
    assert [h.rank for h in result.hits] == [1, 2, 3]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert all("<em>OTAN</em>" in h.snippet for h in result.hits)
    assert result.hits[0].entities == ENTITIES[result.hits[0].id]
    assert result.suggestion is None


def test_every_word_then_any_word(backend: Backend) -> None:
    result = backend.search(SearchRequest("otan vendanges"))
    assert result.fallback and {h.id for h in result.hits} == OTAN | {"vendanges"}
    strict = Query("otan vendanges", Bool(should=(Word("otan"), Word("vendanges"))), fallback=False)
    assert backend.search(SearchRequest(strict)).total == 0
    assert ids(backend, "otan ET vendanges") == []
    assert set(ids(backend, "+otan vendanges")) == OTAN


def test_a_tree_searches_as_its_text(backend: Backend) -> None:
    for text in ["otan -genève", '"secrétaire général"', "personne:biden", "date:2021-06", "stolt*", "sécurité~"]:
        assert ids(backend, parse(text)) == ids(backend, text), text


def test_filters_excludes_and_dates(backend: Backend) -> None:
    assert set(ids(backend, filters={"place": ["geneve"]})) == {"otan-geneve", "geneve-lac"}
    assert set(ids(backend, filters={"place": ["geneve", "moscou"]})) == {"otan-geneve", "geneve-lac", "poutine-moscou"}
    assert ids(backend, filters={"place": "GENÈVE", "source": "le temps", "person": "Joe Biden"}) == ["otan-geneve"]
    assert set(ids(backend, "otan", excludes={"person": ["joe biden"]})) == OTAN - {"otan-geneve"}
    assert set(ids(backend, since="2021-06-15", until="juillet 2021")) == {"otan-geneve", "geneve-lac"}
    assert set(ids(backend, "otan", since="2022")) == {"poutine-moscou"}


def test_sort_and_pages(backend: Backend) -> None:
    newest = ids(backend)  # browsing: newest first
    assert newest == ["poutine-moscou", "macron-ecoles", "geneve-lac", "otan-geneve", "stoltenberg-bruxelles",
                      "vendanges"]
    assert ids(backend, sort="date") == list(reversed(newest))
    page = backend.search(SearchRequest("", limit=2, offset=2))
    assert [h.id for h in page.hits] == newest[2:4] and page.total == len(ALL)
    assert [h.rank for h in page.hits] == [3, 4] and all(h.score == 0.0 for h in page.hits)


def test_facets_are_disjunctive(backend: Backend) -> None:
    plain = backend.search(SearchRequest("otan", facets=("person", "place"), facet_limit=4))
    people = {v.value: v.count for v in plain.facets["person"]}
    assert people == {"Vladimir Poutine": 2, "Jens Stoltenberg": 2, "Joe Biden": 1, "Jake Sullivan": 1}
    assert [v.count for v in plain.facets["person"]] == [2, 2, 1, 1]
    assert len(backend.search(SearchRequest("otan", facets=("person",), facet_limit=3)).facets["person"]) == 3
    filtered = backend.search(SearchRequest("otan", facets=("person", "place"), filters={"person": ["Joe Biden"]}))
    assert filtered.total == 1
    assert {v.value: v.count for v in filtered.facets["person"]}["Vladimir Poutine"] == 2  # its own filter ignored
    assert {v.value for v in filtered.facets["place"]} == {"Genève", "États-Unis"}
    with pytest.raises(UsageError):
        backend.search(SearchRequest("otan", facets=("auteur",)))


def test_facet_values(backend: Backend) -> None:
    assert [(v.value, v.count) for v in backend.facet_values("person", prefix="stolt")] == [("Jens Stoltenberg", 2)]
    places = {v.value: v.count for v in backend.facet_values("place", query=parse("moscou"))}
    assert places == {"Moscou": 1, "États-Unis": 1, "Russie": 1}
    assert len(backend.facet_values("place", limit=2)) == 2
    assert {v.value for v in backend.facet_values("source", limit=None)} == {"Le Temps", "Le Monde", "Ouest-France"}
    with pytest.raises(UsageError):
        backend.facet_values("auteur")


def test_suggest(backend: Backend) -> None:
    if type(backend).__name__ == "SolrBackend":
        pytest.skip("spelling suggestions are local only (README, 'When one machine is not enough')")
    assert backend.suggest(parse("stoltenbreg")) == "stoltenberg"
    assert backend.suggest(parse("titre:vendanjes bourgogne")) == "titre:vendanges bourgogne"
    assert backend.suggest(parse("secretaire general")) is None


def test_bad_requests_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        SearchRequest("otan", limit=-1)
    with pytest.raises(UsageError):
        SearchRequest("otan", sort="title")


def test_write_path(empty: Backend, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Titre {i}\nDate: 2021-0{i + 1}-01\n\nLe sommet de Genève, numéro {i}.\n",
                                         encoding="utf-8")
    assert empty.count() == 0 and empty.extractor == "none"
    report = empty.add([folder], None)
    assert (report.added, report.unchanged) == (3, 0) and empty.count() == 3
    assert empty.add([folder], None).unchanged == 3
    (folder / "1.txt").write_text("Titre changé\n\nLe sommet de Lausanne.\n", encoding="utf-8")
    (folder / "2.txt").unlink()
    report = empty.add([folder], None)
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 1)
    assert empty.count() == 2 and ids(empty, "lausanne") == ["1.txt"] and ids(empty, "numero") == ["0.txt"]
    assert empty.add([Article(id="a", title="Premier", body="Texte")], None).added == 1
    assert empty.add([Article(id="a", title="Second", body="Texte")], None).updated == 1
    article = empty.get("a")
    assert article is not None and article.title == "Second"  # an article replaces the one with its id
    assert empty.count() == 3
    empty.close()
    assert empty.count() == 3  # usable again after close


def test_reopened(tmp_path: Path) -> None:
    made = local(tmp_path, "fixed")
    made.add([a for a, _ in ARTICLES[:2]], FixedExtractor())
    made.close()
    again = open_backend(tmp_path / "index")
    assert again.count() == 2 and again.extractor == "fixed"
    again.close()
