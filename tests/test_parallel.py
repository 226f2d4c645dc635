"""Documents prepared in worker processes index exactly as sequentially prepared ones; long-query pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchidx.engines.whoosh import parallel, schema
from searchidx.engines.whoosh.schema import Packed, PreAnalyzed, build_schema, pre_analyze
from searchidx.index import Index
from searchidx.models import Article

WORDS = ("grève", "Marseille", "port", "dockers", "ministre", "Lyon", "tramway", "Élysée", "syndicat", "accord")


def articles(n: int) -> list[Article]:
    return [
        Article(id=f"a{i}", title=f"{WORDS[i % 10]} {WORDS[(i * 3) % 10]} numéro {i}",
                body=" ".join(WORDS[(i + k) % 10] for k in range(i % 7 + 3)) + f". Article {i}.")
        for i in range(n)
    ]


def test_pre_analyzed_equals_whoosh_analysis() -> None:
    doc = pre_analyze({"title": "Les grévistes de l'Élysée", "body": "Grève à Marseille, grève à Lyon."})
    field = build_schema()["body"]
    assert isinstance(doc["body"], Packed if schema.packing is not None else PreAnalyzed)
    assert list(field.index(doc["body"])) == list(field.index("Grève à Marseille, grève à Lyon."))
    exact = build_schema()["body_exact"]
    assert list(exact.index(doc["body_exact"])) == list(exact.index("Grève à Marseille, grève à Lyon."))
    assert doc["_stored_title"] == "Les grévistes de l'Élysée"


@pytest.mark.skipif(schema.packing is None, reason="_pool was not built")
def test_facet_keys_are_analysed_in_the_workers_as_the_writer_would() -> None:
    names = schema.join_values(["Jens Stoltenberg", "Genève", "", "Élisabeth Borne"])
    doc = pre_analyze({"title": "Sommet", "body": "Texte.", "person": names, "year": "2021"})
    for name, value in (("person", names), ("year", "2021")):
        assert isinstance(doc[name], Packed)
        assert schema.unpacked(doc[name]) == list(build_schema()[name].index(value))
    assert [t for t, *_ in schema.unpacked(doc["person"])] == [b"jens stoltenberg", b"geneve", b"elisabeth borne"]


def test_prepare_in_workers_keeps_order_and_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    items = articles(40)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    monkeypatch.setenv("SEARCHIDX_WORKERS", "2")
    out = list(parallel.prepare(iter(items), None))
    assert [a.id for a, _ in out] == [a.id for a in items]
    assert [d for _, d in out] == [parallel.prepare_one(a, None) for a in items]


def test_parallel_index_searches_like_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": a.id, "title": a.title, "body": a.body}) + "\n"
                            for a in articles(60)), "utf-8")
    results = []
    for workers, minimum in (("0", 10**6), ("2", 4)):
        monkeypatch.setenv("SEARCHIDX_WORKERS", workers)
        monkeypatch.setattr(parallel, "MIN_PARALLEL", minimum)
        with Index.create(tmp_path / f"idx{workers}", entities="none") as idx:
            report = idx.add([feed])
            assert report.added == 60
            res = idx.search("grève Marseille", limit=5)
            results.append([(h.id, h.score, h.snippet) for h in res.hits] + [res.total])
    assert results[0] == results[1]
    assert len(results[0]) == 6
