"""Facets: counts over every match, disjunctive counts, filters and exclusions (accent-insensitive),
facet-value search, browsing, and the entities of the given article in the bundled corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_fixture import build

from searchidx import Article, Index, UsageError
from searchidx.analysis import fold
from searchidx.engines.whoosh.facets import FacetTable


@pytest.fixture(scope="module")
def idx() -> Iterator[Index]:
    index = build()
    yield index
    index.close()


def counts(result: object, name: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[name]}  # type: ignore[attr-defined]


def test_counts_cover_every_match_not_just_the_page(idx: Index) -> None:
    result = idx.search("", limit=1, facets=["place", "source"])
    assert len(result.hits) == 1 and result.total == 6
    assert counts(result, "place")["Genève"] == 2
    assert counts(result, "source") == {"Le Temps": 3, "Le Monde": 2, "Ouest-France": 1}


def test_values_sorted_by_count_then_name(idx: Index) -> None:
    values = idx.search("", facets=["place"]).facets["place"]
    keys = [(-v.count, fold(v.value)) for v in values]  # names compared without accents: États before Genève
    assert keys == sorted(keys) and values[0].value == "États-Unis"
    assert [v.value for v in idx.search("", facets=["place"], facet_limit=2).facets["place"]] == [
        values[0].value, values[1].value]


def test_filters_of_one_facet_or_of_several_and(idx: Index) -> None:
    one = idx.search("", filters={"place": ["Genève", "Marseille"]})
    assert {h.id for h in one.hits} == {"otan-geneve", "geneve-lac", "macron-ecoles"}
    both = idx.search("", filters={"place": ["Genève"], "person": ["Joe Biden"]})
    assert {h.id for h in both.hits} == {"otan-geneve"}


def test_filters_ignore_case_and_accents(idx: Index) -> None:
    for value in ("geneve", "GENÈVE", "Genève"):
        assert {h.id for h in idx.search("", filters={"place": value}).hits} == {"otan-geneve", "geneve-lac"}
    assert {h.id for h in idx.search("", filters={"person": "joe biden"}).hits} == {"otan-geneve"}


def test_exclude(idx: Index) -> None:
    result = idx.search("", excludes={"place": ["geneve"]}, facets=["place"])
    assert "otan-geneve" not in {h.id for h in result.hits} and result.total == 4
    assert "Genève" not in counts(result, "place")


def test_counts_are_disjunctive(idx: Index) -> None:
    result = idx.search("", filters={"place": ["Genève"]}, facets=["place", "person"])
    # place counts ignore the place filter: the other places stay visible, with their own counts
    assert counts(result, "place")["Moscou"] == 1 and counts(result, "place")["Genève"] == 2
    # person counts apply it: only people of the Geneva articles
    assert counts(result, "person") == {"Joe Biden": 1, "Jens Stoltenberg": 1, "Vladimir Poutine": 1}
    assert result.total == 2


def test_query_and_date_range_narrow_the_counts(idx: Index) -> None:
    result = idx.search("Poutine", facets=["person"], since="2022")
    assert counts(result, "person") == {"Vladimir Poutine": 1, "Jake Sullivan": 1}
    assert {v.value for v in idx.search("", facets=["year"]).facets["year"]} == {"2020", "2021", "2022"}


def test_browse_is_newest_first(idx: Index) -> None:
    dates = [h.date for h in idx.search("").hits]
    assert dates == sorted(dates, reverse=True)


def test_facet_value_search_by_any_word(idx: Index) -> None:
    assert [(v.value, v.count) for v in idx.facet_values("person", prefix="sto")] == [("Jens Stoltenberg", 2)]
    assert [v.value for v in idx.facet_values("place", prefix="GEN")] == ["Genève"]
    assert [v.value for v in idx.facet_values("person", prefix="biden")] == ["Joe Biden"]
    within = idx.facet_values("place", query="vendanges")
    assert {v.value for v in within} == {"Bourgogne", "Beaune"}


def test_unknown_facet_is_a_usage_error(idx: Index) -> None:
    with pytest.raises(UsageError, match="unknown facet"):
        idx.search("", facets=["colour"])


def test_hits_carry_their_entities(idx: Index) -> None:
    hit = idx.search("Sullivan").hits[0]
    assert hit.entities.person == ("Vladimir Poutine", "Jake Sullivan")


def test_given_article_entities(corpus_index: Index) -> None:
    article = corpus_index.get("000_b79cdb675a26dda6.txt")
    assert article is not None
    people = set(article.entities.person)
    assert {"Jens Stoltenberg", "Joe Biden", "Vladimir Poutine", "Jake Sullivan"} <= people
    assert not people & {"M. Biden", "Stoltenberg", "Biden"}
    assert "OTAN" in article.entities.org
    assert {"Union européenne", "UE"} & set(article.entities.org)
    assert {"Genève", "Russie", "Moscou"} <= set(article.entities.place)


def test_corpus_facets_merge_the_same_entity(corpus_index: Index) -> None:
    people = {v.value: v.count for v in corpus_index.facet_values("person", limit=None)}
    assert people["Jens Stoltenberg"] >= 3
    assert "Stoltenberg" not in people and "M. Stoltenberg" not in people
    result = corpus_index.search("Stoltenberg", facets=["person"], filters={"place": "geneve"})
    assert all("Genève" in h.entities.place for h in result.hits)


def test_total_counts_every_match_beyond_the_page(idx: Index) -> None:
    every = idx.search("otan OR lac OR écoles OR vendanges", limit=100)
    page = idx.search("otan OR lac OR écoles OR vendanges", limit=1)
    assert page.total == every.total == len(every.hits) > 1
    one = idx.search("otan OR lac", limit=1)
    assert one.total == idx.search("otan OR lac", limit=1, facets=["place"]).total == len(
        idx.search("otan OR lac", limit=100).hits) > 1


def test_a_filter_no_article_passes_finds_nothing(idx: Index) -> None:
    result = idx.search("otan", filters={"person": ["Personne Inconnue"]})
    assert result.total == 0 and result.hits == []


def test_facet_table_is_saved_per_generation_and_reused(tmp_path: Path, corpus_dir: Path) -> None:
    folder = tmp_path / "ix"
    with Index.create(folder, entities="builtin") as index:
        index.add([corpus_dir])
        (saved,) = folder.glob("facets-*.npz")  # built by the indexing: the first faceted search only reads it
        built = index.search("", facets=["person", "place"], facet_limit=100).facets
    with Index.open(folder) as index:
        assert index.search("", facets=["person", "place"], facet_limit=100).facets == built  # read back
        assert list(folder.glob("facets-*.npz")) == [saved]
        index.add([Article(id="new", title="Sommet", body="M. Jens Stoltenberg est arrivé à Genève.")])
        (newer,) = folder.glob("facets-*.npz")  # the new generation's table replaced the old one
        person = {v.value: v.count for v in index.search("", facets=["person"], facet_limit=100).facets["person"]}
    assert person["Jens Stoltenberg"] == {v.value: v.count for v in built["person"]}["Jens Stoltenberg"] + 1
    assert newer != saved and list(folder.glob("facets-*.npz")) == [newer]


def test_a_damaged_or_foreign_facet_table_is_rebuilt(tmp_path: Path, corpus_dir: Path) -> None:
    folder = tmp_path / "ix"
    with Index.create(folder, entities="builtin") as index:
        index.add([corpus_dir])
        expected = index.search("otan", facets=["org"]).facets
    (saved,) = folder.glob("facets-*.npz")
    saved.write_bytes(b"not a table")
    with Index.open(folder) as index:
        assert index.search("otan", facets=["org"]).facets == expected
    assert FacetTable.load(saved, 3) is None  # rewritten, but for another number of documents
    assert FacetTable.load(tmp_path / "absent.npz", 3) is None
