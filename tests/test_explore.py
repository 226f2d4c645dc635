"""Timelines, related entities and similar articles, on the bundled corpus and on small hand-made indexes."""

from __future__ import annotations

import builtins
import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from searchidx import Index
from searchidx.cli import app
from searchidx.errors import UsageError
from searchidx.explore import timeline as timeline_module
from searchidx.explore.related import NotFoundError
from searchidx.models import Article

# -- timeline --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "otan", "Poutine OU climat", "sncf"])
@pytest.mark.parametrize("by", ["day", "week", "month", "year", None])
def test_buckets_sum_to_dated_matches(corpus_index: Index, query: str, by: str | None) -> None:
    tl = corpus_index.timeline(query, by=by)
    total = corpus_index.search(query, limit=0).total
    assert tl.total == total
    assert sum(b.count for b in tl.buckets) + tl.undated == total
    assert len({b.period for b in tl.buckets}) == len(tl.buckets)
    assert [b.period for b in tl.buckets] == sorted(b.period for b in tl.buckets)


def test_a_month_counts_what_search_filtered_on_it_finds(corpus_index: Index) -> None:
    for query in ("", "otan", "genève", "lyon"):
        for bucket in corpus_index.timeline(query, by="month").buckets:
            filtered = corpus_index.search(query, limit=0, filters={"month": bucket.period})
            assert bucket.count == filtered.total, (query, bucket.period)


def test_filters_and_dates_apply_as_in_search(corpus_index: Index) -> None:
    tl = corpus_index.timeline("", by="year", filters={"place": "geneve"}, since="2021", until="2022")
    assert {b.period for b in tl.buckets} <= {"2021", "2022"}
    assert tl.total == corpus_index.search("", limit=0, filters={"place": "geneve"}, since="2021",
                                           until="2022").total


def test_weeks_start_on_monday_and_are_iso_numbered() -> None:
    dates = np.array(["2021-06-14", "2021-06-20", "2021-06-21", "2021-01-03"], dtype=np.str_)
    tl = timeline_module.build(dates, np.ones(4, dtype=np.bool_), "", by="week")
    counts = {b.period: b.count for b in tl.buckets}
    assert counts["2021-W24"] == 2 and counts["2021-W25"] == 1 and counts["2020-W53"] == 1
    assert tl.buckets[0].label == "sem. du 28 décembre 2020"


def test_default_period_gives_ten_to_sixty_bars() -> None:
    days = np.arange(np.datetime64("2019-01-01"), np.datetime64("2021-01-01"), np.timedelta64(9, "D"))
    dates = days.astype(str)
    assert timeline_module.choose_period(dates) == "month"  # 24 months (days: 731, weeks: 105)
    assert timeline_module.choose_period(dates[:5]) == "day"  # 37 days
    partial = np.array(["2001", "2015", "2024"], dtype=np.str_)  # years only: years it is
    assert timeline_module.choose_period(partial) == "year"


def test_imprecise_and_missing_dates_are_counted_apart() -> None:
    dates = np.array(["2021-06-14", "2021-06", "2021", ""], dtype=np.str_)
    tl = timeline_module.build(dates, np.ones(4, dtype=np.bool_), "", by="month")
    assert (tl.total, tl.undated, [b.count for b in tl.buckets]) == (4, 2, [2])
    assert timeline_module.build(dates, np.ones(4, dtype=np.bool_), "", by="year").undated == 1


def test_split_series_are_the_top_values(corpus_index: Index) -> None:
    tl = corpus_index.timeline("", by="year", split="person", top=3)
    top = [v.value for v in corpus_index.facet_values("person", limit=3)]
    assert tl.series == top
    for name in top:
        per_year = sum(b.series[name] for b in tl.buckets)
        dated = corpus_index.search("", limit=0, filters={"person": name}).total
        assert per_year <= dated and per_year >= dated - tl.undated
    assert all(b.series[n] <= b.count for b in tl.buckets for n in top)
    with pytest.raises(UsageError):
        corpus_index.timeline("", split="year")
    with pytest.raises(UsageError):
        corpus_index.timeline("", by="hour")


def test_timeline_cli_json_csv_and_plot(corpus_index_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["timeline", "otan", "-i", str(corpus_index_path), "--by", "month", "--split", "person", "--top", "2"]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert set(data) >= {"query", "by", "total", "undated", "buckets"}
    assert data["buckets"][0].keys() >= {"period", "count", "series"}
    rows = list(csv.reader(io.StringIO(runner.invoke(app, [*args, "--csv"]).stdout)))
    assert rows[0][:3] == ["period", "label", "count"] and len(rows[0]) == 5
    assert sum(int(r[2]) for r in rows[1:] if r[0] != "undated") + data["undated"] == data["total"]
    plain = runner.invoke(app, args[:4], env={"SEARCHIDX_TTY": "0"})
    assert plain.exit_code == 0 and "juin 2021" in plain.stdout
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.svg"
    assert runner.invoke(app, [*args, "--plot", str(out)]).exit_code == 0
    assert out.read_text("utf-8").lstrip().startswith("<?xml")


def test_plot_without_matplotlib_says_what_to_install(corpus_index_path: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    result = CliRunner().invoke(app, ["timeline", "otan", "-i", str(corpus_index_path), "--plot",
                                      str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "pip install 'searchidx[plot]'" in result.stderr and "Traceback" not in result.output


# -- related ---------------------------------------------------------------------------------------------


def _people_index(rows: list[tuple[str, ...]]) -> Index:
    """An in-memory index whose articles name the given people (built-in extractor, sentences per name)."""
    index = Index.create(None, entities="builtin")
    articles = []
    for i, names in enumerate(rows):
        body = " ".join(f"Selon {n}, la réunion a eu lieu à Paris." for n in names) + f" Article {i}."
        articles.append(Article(id=f"a{i}", title=f"Dépêche {i}", body=body, date="2021-06-01"))
    index.add(articles)
    return index


def test_related_counts_expected_and_log_likelihood_ratio() -> None:
    rows = [("Joe Biden", "Vladimir Poutine")] * 6 + [("Joe Biden", "Emmanuel Macron")] * 2 \
        + [("Emmanuel Macron",)] * 12 + [("Angela Merkel",)] * 4
    index = _people_index(rows)
    result = index.related("person", "Joe Biden", fields=["person"], min_count=1)
    assert (result.value, result.articles, result.considered) == ("Joe Biden", 8, 24)
    top = result.related[0]
    assert (top.value, top.count, top.total) == ("Vladimir Poutine", 6, 6)
    assert top.expected == pytest.approx(8 * 6 / 24)
    k = [[6, 2], [0, 16]]  # Biden x Poutine over 24 articles
    rows_, cols = [sum(r) for r in k], [sum(c) for c in zip(*k, strict=True)]
    g2 = 2 * sum(k[i][j] * math.log(k[i][j] * 24 / (rows_[i] * cols[j])) for i in range(2) for j in range(2)
                 if k[i][j])
    assert top.score == pytest.approx(g2)
    # Macron: 2 articles with Biden where 14 * 8 / 24 = 4.7 are expected: not associated, so not listed
    assert "Emmanuel Macron" not in [a.value for a in result.related]
    by_count = index.related("person", "Joe Biden", fields=["person"], min_count=1, by="count")
    assert [a.value for a in by_count.related] == ["Vladimir Poutine", "Emmanuel Macron"]
    assert by_count.related[1].score < 0  # seen together less than chance: a negative score


def test_related_value_matching_and_ambiguity() -> None:
    index = _people_index([("Joe Biden", "Vladimir Poutine")] * 3 + [("Hunter Biden", "Vladimir Poutine")])
    result = index.related("person", "biden", min_count=1)
    assert result.value == "Joe Biden" and result.alternatives == ["Hunter Biden"]
    assert index.related("person", "JOE BIDEN").alternatives == []
    assert index.related("person", "hunter biden").value == "Hunter Biden"
    assert index.related("person", "vlad").value == "Vladimir Poutine"  # words starting so
    with pytest.raises(NotFoundError):
        index.related("person", "Angela Merkel")
    with pytest.raises(UsageError):
        index.related("year", "2021")


def test_related_on_the_corpus_with_a_query(corpus_index: Index) -> None:
    everything = corpus_index.related("place", "geneve")
    assert everything.value == "Genève" and everything.related
    assert all(a.count > a.expected and a.count >= 2 and a.score >= 3.84 for a in everything.related)
    scores = [a.score for a in everything.related]
    assert scores == sorted(scores, reverse=True)
    within = corpus_index.related("person", "Biden", query="otan")
    assert within.considered == corpus_index.search("otan", limit=0).total
    assert within.articles <= everything.considered


def test_related_cli(corpus_index_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["related", "person", "stoltenberg", "-i", str(corpus_index_path), "--json"])
    data = json.loads(result.stdout)
    assert data["value"] == "Jens Stoltenberg"
    assert data["related"][0].keys() == {"field", "value", "count", "expected", "score", "total"}
    missing = runner.invoke(app, ["related", "person", "personne inconnue", "-i", str(corpus_index_path)])
    assert missing.exit_code == 1 and "no person named" in missing.stderr


# -- similar ---------------------------------------------------------------------------------------------


def test_similar_leaves_out_the_article_and_its_copies(corpus_index: Index) -> None:
    source = "031_otan-macron-europe-defense-gazette.txt"
    result = corpus_index.similar(source, limit=20)
    ids = [h.id for h in result.hits]
    assert ids and not {source, "001_sommet-bruxelles-macron-otan.txt", "032_sommet-otan-macron-correctif.txt"} \
        & set(ids)
    assert ids[0] == "000_b79cdb675a26dda6.txt"  # the other NATO article
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_similar_text_finds_the_article_it_comes_from(corpus_index: Index) -> None:
    paths = sorted(CORPUS.glob("0[0-2]*.txt"))[:12]
    assert len(paths) == 12
    for path in paths:
        article = corpus_index.get(path.name)
        assert article is not None
        lede = article.body.split("\n")[0]
        hits = corpus_index.similar(text=f"{article.title}\n{lede}", limit=3, all_versions=True).hits
        assert path.name in [h.id for h in hits], path.name


def test_similar_filters_and_output(corpus_index: Index, corpus_index_path: Path) -> None:
    result = corpus_index.similar("002_geneve-securite-biden-poutine.txt", since="2022")
    assert result.hits and all((h.date or "") >= "2022" for h in result.hits)
    with pytest.raises(UsageError):
        corpus_index.similar()
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["similar", "002_geneve-securite-biden-poutine.txt", "--json", "-n", "2",
                                          "-i", str(corpus_index_path)]).stdout)
    assert len(data["hits"]) == 2 and {"versions", "group", "snippet"} <= data["hits"][0].keys()
    assert runner.invoke(app, ["similar", "nope", "-i", str(corpus_index_path)]).exit_code == 1
    assert runner.invoke(app, ["similar", "--file", "/nonexistent.txt", "-i", str(corpus_index_path)]).exit_code == 2
