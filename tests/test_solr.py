"""SolrCloud: configset equivalence, push (incremental, bad input), search and facet equality, faults.

Marked ``solr``: they run against a live 2-node cluster (`solr_url` in conftest: $SOLR_URL as CI starts it,
else one started for the session when Java and Maven are installed; skipped otherwise, failed under CI=true).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CLUSTER_SH, CORPUS, REPO, SHARED_DATA
from typer.testing import CliRunner

from searchidx.analysis import APOSTROPHES, ELISIONS
from searchidx.cli import app
from searchidx.corpus import count_articles
from searchidx.models import Article

pytestmark = pytest.mark.solr
NEWS = SHARED_DATA / "news" / "orangesum.jsonl.gz"


def _client(url: str):  # type: ignore[no-untyped-def]
    from searchidx.engines.solr.client import SolrClient

    return SolrClient(url)


_CREATED: list[str] = []


def _remote(url: str, collection: str):  # type: ignore[no-untyped-def]
    """The collection through the public facade, as `Index.open("solr://host:port/collection")`."""
    from searchidx import Index
    from searchidx.backend import solr_location

    return Index.open(solr_location(url, collection))


def _collection(prefix: str) -> str:
    """A fresh collection name, deleted at the end of the module (`_drop_collections`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _CREATED.extend([name, f"{name}-copy"])
    return name


@pytest.fixture(scope="module", autouse=True)
def _drop_collections(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _CREATED and importlib.util.find_spec("httpx") is not None and os.environ.get("SOLR_URL"):
        client = _client(os.environ["SOLR_URL"])
        existing = set(client.collections())
        for name in _CREATED:
            if name in existing:
                client.delete_collection(name)
        _CREATED.clear()


def _push(url: str, collection: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["solr", "push", *args, "--solr", url, "--collection", collection])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _count(url: str, collection: str, q: str = "*:*") -> int:
    data = _client(url).select(collection, {"q": q, "rows": 0})
    return int(data["response"]["numFound"])


@pytest.fixture(scope="module")
def analysis_collection(solr_url: str) -> Iterator[str]:
    """A 1-shard collection with the configset, for the field analysis API."""
    from searchidx.engines.solr.push import ensure_collection

    name = _collection("analysis")
    ensure_collection(_client(solr_url), name, 1, 1)
    yield name
    _client(solr_url).delete_collection(name)


def _analysis_test_cases() -> list[str]:
    """Every French text of tests/test_analysis.py (its string constants), and each elision with each apostrophe."""
    tree = ast.parse((REPO / "tests" / "test_analysis.py").read_text("utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and id(n) not in docstrings and any(c.isalpha() for c in n.value)}
    texts |= {f"{el}{apo}OTAN" for el in ELISIONS for apo in APOSTROPHES}
    return sorted(texts)


@pytest.mark.parametrize("mode", ["index", "query"])
def test_configset_analysis_matches_test_cases(solr_url: str, analysis_collection: str, mode: str) -> None:
    from searchidx.engines.solr.equivalence import compare

    cases = _analysis_test_cases()
    assert len(cases) >= 100
    agreement = compare(_client(solr_url), analysis_collection, cases, mode)
    assert agreement.rate >= 0.99, agreement.examples
    assert agreement.same_texts >= 0.97 * agreement.texts, agreement.examples


@pytest.mark.skipif(not NEWS.exists(), reason="evaluation data ../shared/data/news absent")
def test_configset_analysis_matches_news(solr_url: str, analysis_collection: str) -> None:
    from searchidx.engines.solr.equivalence import compare, news_sentences

    sentences = news_sentences(NEWS, 2000)
    assert len(sentences) == 2000
    agreement = compare(_client(solr_url), analysis_collection, sentences)
    assert agreement.ours > 30000
    assert agreement.rate >= 0.99, (agreement.only_ours.most_common(10), agreement.only_theirs.most_common(10))


def test_configset_command_writes_the_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solr", "configset", str(tmp_path / "conf")])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "conf").iterdir()}
    assert {"managed-schema.xml", "solrconfig.xml", "stopwords_fr.txt", "stem-overrides.txt"} <= names
    schema = (tmp_path / "conf" / "managed-schema.xml").read_text("utf-8")
    assert 'name="date_dt" type="pdate"' in schema and 'name="person_key"' in schema


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(CORPUS, folder)
    return folder


def test_push_incremental_and_state_in_the_collection(solr_url: str, corpus_copy: Path) -> None:
    name = _collection("push")
    n = count_articles([corpus_copy])
    code, out = _push(solr_url, name, str(corpus_copy), "--shards", "2", "--replicas", "2")
    assert code == 0, out
    assert f"{n} added, 0 updated, 0 removed, 0 unchanged, 0 problems" in out
    assert _count(solr_url, name) == n
    code, out = _push(solr_url, name, str(corpus_copy))
    assert code == 0 and f"0 added, 0 updated, 0 removed, {n} unchanged" in out, out

    files = sorted(corpus_copy.glob("*.txt"))
    changed = files[0]
    changed.write_text(changed.read_text("utf-8").replace("\n", "\nUne phrase ajoutée sur Zanzibarville.\n", 1),
                       "utf-8")
    files[1].unlink()
    (corpus_copy / "nouveau.txt").write_text("Un article nouveau\n\nLe sommet de Zanzibarville.\n", "utf-8")
    code, out = _push(solr_url, name, str(corpus_copy))
    assert code == 0, out
    assert f"1 added, 1 updated, 1 removed, {n - 2} unchanged" in out
    assert _count(solr_url, name) == n
    assert _count(solr_url, name, "body:zanzibarville") == 2
    # the state lives in the collection: another checkout (no local state at all) sees it unchanged
    code, out = _push(solr_url, name, str(corpus_copy))
    assert f"0 added, 0 updated, 0 removed, {n} unchanged" in out


def test_push_reports_bad_input_like_index(solr_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    good = {"id": "ok-1", "title": "Sommet à Genève", "body": "Joe Biden et Vladimir Poutine à Genève."}
    (folder / "a.jsonl").write_text(json.dumps(good) + "\n{not json\n", "utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    name = _collection("bad")
    runner = CliRunner()
    pushed = runner.invoke(app, ["solr", "push", str(folder), "--solr", solr_url, "--collection", name])
    indexed = runner.invoke(app, ["index", str(folder), "--index", str(tmp_path / "idx")])
    assert pushed.exit_code == indexed.exit_code == 5
    problems = [line for line in pushed.stderr.splitlines() if line.startswith(str(folder.name)) or ": " in line]
    assert [p for p in indexed.stderr.splitlines() if "a.jsonl:2" in p or "b.txt" in p] == \
        [p for p in problems if "a.jsonl:2" in p or "b.txt" in p]
    assert "Traceback" not in pushed.output
    assert _count(solr_url, name) == 1


def test_push_from_index_sends_the_local_index(solr_url: str, corpus_index_path: Path) -> None:
    from searchidx import Index

    name = _collection("fromidx")
    code, out = _push(solr_url, name, "--from-index", str(corpus_index_path))
    assert code == 0, out
    with Index.open(corpus_index_path) as idx:
        n = len(idx)
        article = idx.get(idx.search("Stoltenberg").hits[0].id)
    assert article is not None and article.entities.person
    assert f"{n} added" in out and _count(solr_url, name) == n
    doc = _client(solr_url).select(name, {"q": f'id:"{article.id}"', "fl": "person,place"})["response"]["docs"][0]
    assert doc.get("person", []) == list(article.entities.person)
    code, out = _push(solr_url, name, "--from-index", str(corpus_index_path))
    assert f"0 added, 0 updated, 0 removed, {n} unchanged" in out


def test_cluster_down_is_one_line_exit_3(corpus_copy: Path) -> None:
    pytest.importorskip("httpx")
    import socket

    with socket.socket() as s:  # a port nobody listens on: a cluster that is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(app, ["solr", "push", str(corpus_copy), "--solr", f"http://127.0.0.1:{port}/solr",
                                      "--collection", "x"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Solr at http://127.0.0.1:") and "does not answer" in lines[0]


def _cluster(*args: str) -> str:
    out = subprocess.run(["bash", str(CLUSTER_SH), *args], capture_output=True, text=True, timeout=300, check=True)
    return out.stdout


def _control_available() -> bool:
    state = Path(os.environ.get("SOLR_CLUSTER_STATE", CLUSTER_SH.parent / "state"))
    return (state / "control.port").exists()


# -- same answers as the local engine -------------------------------------------------------------------------

def _query_language_cases() -> list[tuple[str, set[str]]]:
    """Every (query, expected ids) case of tests/test_querylang.py, read from its parametrize marks."""
    import test_querylang as ql

    cases: list[tuple[str, set[str]]] = []
    for fn in (ql.test_operators, ql.test_phrases, ql.test_fields, ql.test_dates_in_queries):
        for mark in fn.pytestmark:  # type: ignore[attr-defined]
            if mark.name == "parametrize":
                cases.extend(mark.args[1])
    return cases


@pytest.fixture(scope="module")
def fixture_collection(solr_url: str) -> Iterator[str]:
    """The query-language tests' articles, with their known entities, in a 2-shard, 2-replica collection."""
    import dataclasses

    from search_fixture import ARTICLES

    from searchidx.engines.solr.push import ensure_collection, push_articles

    name = _collection("fixture")
    client = _client(solr_url)
    ensure_collection(client, name, 2, 2)
    articles = [(dataclasses.replace(a, entities=e), "") for a, e in ARTICLES]
    push_articles(client, name, articles, None, "fixed", entities_known=True)
    yield name
    client.delete_collection(name)


def test_query_language_cases_same_on_solr(solr_url: str, fixture_collection: str) -> None:
    from search_fixture import build


    cases = _query_language_cases()
    assert len(cases) >= 50
    local = build()
    with _remote(solr_url, fixture_collection) as remote:
        for q, expected in cases:  # expected: the articles with every word (the local hits missing none)
            there = remote.search(q, limit=50)
            here = local.search(q, limit=50, suggest=False, all_versions=True)
            assert {h.id for h in there.hits} == {h.id for h in here.hits}, q
            assert expected == {h.id for h in here.hits if not h.missing}, q
            assert (there.total if there.complete is None else there.complete) == len(expected), q
        fallback = remote.search("otan vendanges")
        assert fallback.fallback and fallback.total == 4
        assert remote.search("otan ET vendanges").total == 0
        assert [h.id for h in remote.search("otan", sort="-date").hits][0] == "poutine-moscou"
    local.close()


def _small_collection(solr_url: str, prefix: str, articles: list[Article]) -> str:
    """A fresh 2-shard collection holding ``articles`` as they are (no extraction); its name."""
    from searchidx.engines.solr.push import ensure_collection, push_articles

    name = _collection(prefix)
    client = _client(solr_url)
    ensure_collection(client, name, 2, 1)
    push_articles(client, name, [(a, "") for a in articles], None, "none", entities_known=True)
    return name


def test_coverage_rewards_the_rare_word_on_solr(solr_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """As locally (`test_ranking`): once each word counts by its share of the query's idf, the article holding
    the query's rare word beats the short one repeating its two common words, which Solr's BM25 prefers."""
    from test_ranking import FILLER

    from searchidx.query import coverage

    articles = [Article(id="repeats", title="Vote du conseil", body="Le vote du conseil : vote, conseil, vote."),
                Article(id="geneve", title="Une séance", body=f"{FILLER} Un accord signé à Genève.")]
    articles += [Article(id=f"n{i}", title=f"Séance {i}", body=f"Un vote du conseil. {FILLER}") for i in range(19)]
    articles += [Article(id=f"f{i}", title=f"Chronique {i}", body=FILLER) for i in range(19)]
    name = _small_collection(solr_url, "coverage", articles)
    text = "vote du conseil à Genève"
    with _remote(solr_url, name) as remote:
        assert remote.search(text).hits[0].id == "geneve"
        assert remote.search(text).total == 21  # the reward only scores: the matches are the same
        monkeypatch.setattr(coverage, "WEIGHT", 0.0)
        assert remote.search(text).hits[0].id == "repeats"  # Solr's BM25 alone
        assert remote.search(text).total == 21


def test_a_day_the_query_names_ranks_that_days_article_first_on_solr(solr_url: str) -> None:
    """As locally (`test_ranking`): four versions of one story; a query naming the day ("mardi 14 juin") or
    only the weekday puts the article of that day (or the next) first, one naming no day leaves the order."""
    from test_ranking import FILLER

    body = f"Les alliés de l'Otan se réunissent à Madrid pour le sommet. {FILLER}"
    dates = {"later": "2022-06-20", "undated": None, "june": "2022-06", "that-day": "2022-06-14"}
    name = _small_collection(solr_url, "dated",
                             [Article(id=i, title="Sommet de l'Otan", body=body, date=d) for i, d in dates.items()])
    with _remote(solr_url, name) as remote:
        def order(q: str) -> list[str]:
            return [h.id for h in remote.search(q).hits]

        text = "sommet de l'Otan"
        plain = order(f"{text} à Madrid")
        assert sorted(plain) == sorted(dates)
        assert order(f"{text} mardi 14 juin") == ["that-day", *(i for i in plain if i != "that-day")]
        assert order(f"{text} mardi") == ["that-day", *(i for i in plain if i != "that-day")]
        assert order(f"{text} lundi")[:2] == ["later", "that-day"]  # a Monday, then the next day
        assert order(f"{text} vendredi") == plain
        hit = remote.search(f"{text} mardi 14 juin").hits[0]
        assert "<em>" in hit.snippet  # the boosted query is highlighted as the plain one


@pytest.fixture(scope="module")
def corpus_collection(solr_url: str, corpus_index_path: Path) -> str:
    """The bundled corpus, pushed from its local index (same entities) to 2 shards x 2 replicas."""
    name = _collection("corpus")
    code, out = _push(solr_url, name, "--from-index", str(corpus_index_path))
    assert code == 0, out
    return name


SAME_QUERIES = ["", "otan", "Stoltenberg", "sécurité Genève", "etats-unis -chine", "Poutine SAUF Biden",
                "titre:otan", '"secrétaire général"', "personne:biden", "lieu:genève", "date:2021",
                "otan vendanges", "securite OU climat", "negociation*", "stoltenbreg~", "annee:2023 europe"]


def test_exact_forms_and_word_pairs_rank_on_solr(solr_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """As locally (`test_ranking`): of two articles alike but for one word of one stem, the one using the
    query's own word ("élections", not "électif") comes first; of two with the same words, the one where
    they stand together. With both weights at 0 Solr's BM25 ties each pair, and the id decides."""
    from test_ranking import FILLER

    from searchidx.engines.solr import ranking

    far = f"Le sommet s'ouvre lundi. {FILLER} {FILLER} Ensuite vient la question du climat."
    near = f"Lundi s'ouvre le sommet du climat. {FILLER} {FILLER} Ensuite vient la question suivante."
    articles = [Article(id="electif", title="Mandat électif", body=f"Le conseil vote : électif. {FILLER}"),
                Article(id="elections", title="Mandat : élections", body=f"Le conseil vote : élections. {FILLER}"),
                Article(id="far", title="Une réunion", body=far), Article(id="near", title="Une réunion", body=near)]
    name = _small_collection(solr_url, "rewards", articles)
    with _remote(solr_url, name) as remote:
        def order(q: str) -> list[str]:
            return [h.id for h in remote.search(q).hits]

        assert order("élections") == ["elections", "electif"]
        assert order("électif") == ["electif", "elections"]
        assert order("sommet climat") == ["near", "far"]
        assert order("climat sommet") == ["near", "far"]  # pairs are unordered
        monkeypatch.setattr(ranking, "EXACT", 0.0)
        monkeypatch.setattr(ranking, "PAIRS", 0.0)
        assert order("élections") == ["electif", "elections"]
        assert order("sommet climat") == ["far", "near"]


def test_coordination_ranks_every_word_above_repetition_of_some_on_solr(solr_url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """As locally (`test_ranking`): the article with both words beats the one repeating one of them, which
    Solr's BM25 alone prefers."""
    from test_ranking import FILLER

    from searchidx.engines.solr import ranking
    from searchidx.query import coverage

    articles = [Article(id="repeats", title="Sommet, sommet", body=f"Le sommet, le sommet et encore le sommet de "
                        f"l'Otan, le sommet. {FILLER}"),
                Article(id="both", title="Une réunion", body=f"Le sommet de l'Otan à Genève. {FILLER} {FILLER}")]
    articles += [Article(id=f"g{i}", title=f"Chronique {i}", body=f"Vu de Genève. {FILLER}") for i in range(5)]
    name = _small_collection(solr_url, "coord", articles)
    with _remote(solr_url, name) as remote:
        assert [h.id for h in remote.search("sommet genève").hits][:2] == ["both", "repeats"]
        monkeypatch.setattr(ranking, "COORD", 0.0)
        monkeypatch.setattr(coverage, "WEIGHT", 0.0)
        assert [h.id for h in remote.search("sommet genève").hits][0] == "repeats"


def test_a_collection_of_another_schema_is_refused_until_made_again(solr_url: str, corpus_copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A collection made by an older searchidx (schema 1 lacked the ranking's fields) gets one line saying to
    push again with ``--recreate`` (exit 3), from search and push alike; ``--recreate`` makes it anew."""
    from searchidx.backend import solr_location
    from searchidx.engines.solr import configset
    from searchidx.engines.solr.push import ensure_collection

    name = _collection("old")
    with monkeypatch.context() as m:
        m.setattr(configset, "SCHEMA_NAME", "searchidx")  # what version 1 wrote
        ensure_collection(_client(solr_url), name, 1, 1)
    runner = CliRunner()
    for args in (["search", "otan", "--solr", solr_location(solr_url, name)],
                 ["solr", "push", str(corpus_copy), "--solr", solr_url, "-c", name, "--entities", "none"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 3, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "another version of searchidx" in lines[0], lines
        assert f"searchidx solr push --recreate -c {name}" in lines[0]
    code, out = _push(solr_url, name, str(corpus_copy), "--entities", "none", "--recreate")
    assert code == 0, out
    with _remote(solr_url, name) as remote:
        assert remote.stats().documents == count_articles(corpus_copy) and remote.search("otan").total > 0


def test_corpus_totals_and_facets_same_on_solr(solr_url: str, corpus_collection: str,
                                               corpus_index_path: Path) -> None:
    from searchidx import Index

    facets = ["person", "org", "place", "source", "year", "month"]
    queries = SAME_QUERIES + [q for q, _ in _query_language_cases()]
    with Index.open(corpus_index_path) as local, _remote(solr_url, corpus_collection) as remote:
        assert len(remote) == len(local)
        for q in queries:
            a = local.search(q, facets=facets, facet_limit=1000, suggest=False)
            b = remote.search(q, facets=facets, facet_limit=1000)
            assert (b.total, b.fallback) == (a.total, a.fallback), q
            for name in facets:
                assert {(facet_key_(v.value), v.count) for v in b.facets[name]} == \
                    {(facet_key_(v.value), v.count) for v in a.facets[name]}, (q, name)
        filtered = dict(filters={"place": ["geneve"]}, excludes={"person": ["Joe Biden"]}, facets=facets)
        a, b = local.search("", **filtered), remote.search("", **filtered)  # type: ignore[arg-type]
        assert b.total == a.total and b.facets == a.facets
        assert remote.facet_values("person", prefix="sto") == local.facet_values("person", prefix="sto")
        assert remote.facet_values("place", query="Biden") == local.facet_values("place", query="Biden")
        some = local.search("otan").hits[0].id
        assert remote.get(some) == local.get(some)
        assert remote.stats().documents == local.stats().documents


def facet_key_(value: str) -> str:
    from searchidx.fields import facet_key

    return facet_key(value)


def test_cli_reads_the_collection(solr_url: str, corpus_collection: str, corpus_index_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    local = runner.invoke(app, ["search", "Stoltenberg", "--facet", "person", "--json", "--all-versions",
                                "--index", str(corpus_index_path)])
    monkeypatch.setenv("SEARCHIDX_SOLR", f"solr://{solr_url.split('://', 1)[1].split('/')[0]}/{corpus_collection}")
    remote = runner.invoke(app, ["search", "Stoltenberg", "--facet", "person", "--json", "--all-versions"])
    assert remote.exit_code == 0, remote.output
    a, b = json.loads(local.stdout), json.loads(remote.stdout)
    assert (a["total"], a["facets"]) == (b["total"], b["facets"])
    assert {h["id"] for h in a["hits"]} == {h["id"] for h in b["hits"]}
    for command in (["stats"], ["facets", "person", "--prefix", "sto"], ["show", a["hits"][0]["id"]]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0 and "Traceback" not in result.output, (command, result.output)


TIMELINE_QUERIES = ["", "otan", "Poutine SAUF Biden", "otan vendanges", "lieu:genève", "securite OU climat",
                    "sécurité Genève", "Biden Poutine", "+otan bruxelles", "otan ET vendanges"]


def test_timeline_same_on_solr(solr_url: str, corpus_collection: str, corpus_index_path: Path) -> None:
    """Every bucket, series and the undated count of `timeline` equal the local engine's."""
    from searchidx import Index

    compared = 0
    with Index.open(corpus_index_path) as local, _remote(solr_url, corpus_collection) as remote:
        for q in TIMELINE_QUERIES:
            for by in (None, "day", "week", "month", "year"):
                for split in (None, "person", "place", "source"):
                    a = local.timeline(q, by=by, split=split, top=3).as_dict()
                    b = remote.timeline(q, by=by, split=split, top=3).as_dict()
                    assert b == a, (q, by, split)
                    compared += len(a["buckets"])
        dates = dict(filters={"place": ["geneve"]}, excludes={"person": ["Joe Biden"]}, since="2021",
                     until="juin 2023")
        a, b = local.timeline("", by="month", **dates), remote.timeline("", by="month", **dates)  # type: ignore[arg-type]
        assert b == a and a.total > 0
        assert remote.timeline("").undated == local.timeline("").undated
    assert compared > 200


def _associations(result: object) -> list[tuple[str, str, int, float, float, int]]:
    return [(a["field"], facet_key_(a["value"]), a["count"], a["expected"], a["score"], a["total"])
            for a in result.as_dict()["related"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("field", "value", "options"), [
    ("person", "Stoltenberg", {}),
    ("person", "biden", {"by": "count", "min_count": 1}),
    ("place", "geneve", {"min_count": 1}),
    ("org", "otan", {"query": "securite", "fields": ["person", "place"]}),
    ("person", "biden", {"query": "Biden Poutine", "min_count": 1}),
    ("place", "geneve", {"since": "2021", "filters": {"org": ["otan"]}, "min_count": 1, "by": "count"}),
])
def test_related_same_on_solr(solr_url: str, corpus_collection: str, corpus_index_path: Path, field: str,
                              value: str, options: dict[str, object]) -> None:
    """The resolved name, the articles counted and every association (count, expected, G², total) equal the
    local engine's, in the same order (exact ties by name on both)."""
    from searchidx import Index

    with Index.open(corpus_index_path) as local, _remote(solr_url, corpus_collection) as remote:
        a = local.related(field, value, limit=1000, **options)  # type: ignore[arg-type]
        b = remote.related(field, value, limit=1000, **options)  # type: ignore[arg-type]
    assert (b.value, b.articles, b.considered, b.by) == (a.value, a.articles, a.considered, a.by)
    assert a.related and _associations(b) == _associations(a)
    assert set(b.alternatives) == set(a.alternatives)


def test_timeline_and_related_commands_on_solr(solr_url: str, corpus_collection: str,
                                               corpus_index_path: Path) -> None:
    runner = CliRunner()
    remote = ["--solr", solr_url, "--collection", corpus_collection]
    answers = {}
    for command in (["timeline", "otan", "--split", "person", "--json"], ["related", "person", "biden", "--json"]):
        a = runner.invoke(app, [*command, "--index", str(corpus_index_path)])
        b = runner.invoke(app, [*command, *remote])
        assert b.exit_code == a.exit_code == 0, b.output
        answers[command[0]] = json.loads(a.stdout), json.loads(b.stdout)
    a, b = answers["timeline"]
    assert b == a and a["buckets"]
    a, b = answers["related"]
    assert (b["value"], b["articles"], b["considered"]) == (a["value"], a["articles"], a["considered"])
    assert a["related"] and b["related"] == a["related"]
    missing = runner.invoke(app, ["related", "person", "zzyzx", *remote])
    assert missing.exit_code == 1 and "no person named 'zzyzx'" in missing.output
    bad = runner.invoke(app, ["timeline", "otan", "--by", "decade", *remote])
    assert bad.exit_code != 0 and "Traceback" not in bad.output and "unknown period" in bad.output


# -- faults -----------------------------------------------------------------------------------------------------

def test_node_down_while_pushing_and_searching(solr_url: str, tmp_path: Path) -> None:
    """Node 1 stops in the middle of a push and during searches; with 2 replicas every shard keeps a live
    copy: searches keep answering, the push finishes (retries while a new leader is elected), and a second
    push after the node is back finds every article present exactly once."""
    if not _control_available():
        _no_solr_control()
    from searchidx.engines.solr.client import SolrClient
    from searchidx.engines.solr.push import ensure_collection, push

    n = 3000
    data = tmp_path / "many.jsonl"
    with open(data, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"a{i}", "title": f"Article {i} sur l'OTAN", "date": f"20{10 + i % 10}-01-02",
                                "body": f"Le sommet numéro {i} réunit les alliés à Genève et à Bruxelles."}) + "\n")
    name = _collection("faults")
    client = SolrClient(solr_url, attempts=9)
    ensure_collection(client, name, 2, 2)
    stopped: list[str] = []

    def progress(k: int) -> None:  # after the first batch is in, node 1 goes down
        if not stopped:
            stopped.append(_cluster("node-stop", "1"))

    try:
        report = push(client, name, [str(data)], None, "none", progress=progress)
        assert stopped and "1 down" in stopped[0]
        assert report.added == n and not report.problems
        with _remote(solr_url, name) as idx:
            for _ in range(5):
                r = idx.search("otan genève", facets=["year"])
                assert r.total == n and sum(v.count for v in r.facets["year"]) == n
    finally:
        _cluster("node-start", "1")
    report = push(client, name, [str(data)], None, "none")
    assert (report.added, report.updated, report.unchanged) == (0, 0, n)
    ids = client.select(name, {"q": "*:*", "rows": 0, "facet": "true", "facet.field": "id", "facet.limit": -1,
                               "facet.mincount": 2})
    assert _count(solr_url, name) == n and ids["facet_counts"]["facet_fields"]["id"] == []


def test_search_survives_the_first_node_going_down(solr_url: str, corpus_collection: str) -> None:
    """The URL given names node 0; once connected, the client knows every live node and goes on without it."""
    if not _control_available():
        _no_solr_control()

    with _remote(solr_url, corpus_collection) as idx:
        before = idx.search("otan", facets=["person"])
        try:
            assert "0 down" in _cluster("node-stop", "0")
            after = idx.search("otan", facets=["person"])
        finally:
            _cluster("node-start", "0")
    assert (after.total, after.facets) == (before.total, before.facets)


def _no_solr_control() -> None:
    from conftest import _no_solr

    _no_solr("the cluster was not started by scaleout/solr/cluster.sh (no control port): cannot stop a node")


# -- the README's "When one machine is not enough" ----------------------------------------------------------------

DOC_URL = "http://127.0.0.1:8983/solr"


def test_readme_solr_examples_run(solr_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command and the Python block of the README's Solr section, against the live cluster (the README's
    URL replaced by the cluster's; cluster.sh start/stop are what started this cluster)."""
    import re
    import shlex

    readme = (REPO / "README.md").read_text("utf-8")
    commands = [line[2:] for block in re.findall(r"```console-solr\n(.*?)```", readme, flags=re.S)
                for line in block.splitlines() if line.startswith("$ ")]
    python = re.findall(r"```python-solr\n(.*?)```", readme, flags=re.S)
    assert len(commands) >= 10 and python
    os.symlink(REPO / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHIDX_INDEX", raising=False)
    monkeypatch.delenv("SEARCHIDX_SOLR", raising=False)
    monkeypatch.setenv("SEARCHIDX_TTY", "0")
    host = solr_url.split("://", 1)[1].split("/")[0]
    collection = _collection("news")
    runner = CliRunner()
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "bash":
            assert argv[1] == "scaleout/solr/cluster.sh" and argv[2] in ("start", "stop")
            continue
        argv = [a.replace(DOC_URL, solr_url).replace("127.0.0.1:8983", host)
                .replace("news-copy", f"{collection}-copy").replace("/news", f"/{collection}") for a in argv]
        argv = [collection if a == "news" else a for a in argv]
        result = runner.invoke(app, argv[1:])
        assert result.exit_code == 0, f"{command!r} exited {result.exit_code}: {result.output}"
        assert "Traceback" not in result.output
    code = python[0].replace("127.0.0.1:8983/news", f"{host}/{collection}")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})


def test_the_local_path_never_imports_the_solr_client(corpus_index_path: Path) -> None:
    argv = ["search", "otan", "--facet", "person", "--index", str(corpus_index_path)]
    code = ("import sys; from typer.testing import CliRunner; from searchidx.cli import app; "
            f"r = CliRunner().invoke(app, {argv!r}); "
            "assert r.exit_code == 0, r.output; "
            "assert not [m for m in sys.modules if m.startswith(('httpx', 'searchidx.engines.solr'))]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
