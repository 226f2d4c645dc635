"""SolrCloud against the local engine, on the same 5,000 news articles, in one run (BENCHMARKS.md "SolrCloud").

    bash scaleout/solr/cluster.sh start          # prints SOLR_URL=...
    SOLR_URL=http://127.0.0.1:PORT/solr python bench/solr.py [--articles 5000] [--queries 200]

Measures: indexing throughput (local `index` vs `solr push`, both extracting entities with the built-in
extractor; and `push --from-index`); same answers on 200 queries (the query-language cases and news-dev-short
queries): match counts, fallback and facet counts equal, top-10 overlap, with distributed idf (ExactStatsCache)
and per-shard idf (LocalStatsCache); MRR@10 on the news-dev ledes whose article is among the 5,000; query
latency p50/p95 through the library and the CLI; memory and index size of the 2-node cluster.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from searchidx import Index
from searchidx.backend import solr_location
from searchidx.engines.solr.client import SolrClient
from searchidx.engines.solr.push import ensure_collection, from_local_index, push, push_articles
from searchidx.entities import get_extractor
from searchidx.fields import facet_key

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FACETS = ["person", "org", "place", "year"]
sys.path.insert(0, str(REPO / "tests"))


def cluster(*args: str) -> str:
    return subprocess.run(["bash", str(REPO / "scaleout" / "solr" / "cluster.sh"), *args], capture_output=True,
                          text=True, check=True).stdout


def jvm_rss_mb() -> float:
    state = Path(os.environ.get("SOLR_CLUSTER_STATE", REPO / "scaleout" / "solr" / "state"))
    pid = (state / "cluster.pid").read_text().strip()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def heap_mb() -> float:
    fields = dict(kv.split("=") for kv in cluster("memory").split())
    return int(fields["heap_used"]) / 1e6


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))]


def queries(n: int, ids: set[str]) -> list[str]:
    from test_querylang import test_dates_in_queries, test_fields, test_operators, test_phrases

    out = [c[0] for fn in (test_operators, test_phrases, test_fields, test_dates_in_queries)
           for m in fn.pytestmark if m.name == "parametrize" for c in m.args[1]]
    with open(DATA / "relevance" / "news-dev-short.jsonl", encoding="utf-8") as f:
        short = [json.loads(line) for line in f]
    out += [q["query"] for q in short if set(q["relevant"]) & ids][: n - len(out)]
    return out[:n]


def same_answers(local: Index, remote: Index, qs: list[str]) -> dict[str, Any]:
    equal_total = equal_facets = 0
    overlaps: list[float] = []
    differ: list[str] = []
    for q in qs:
        a = local.search(q, facets=FACETS, facet_limit=20, suggest=False, all_versions=True)  # no folding on Solr
        b = remote.search(q, facets=FACETS, facet_limit=20)
        if (a.total, a.fallback) == (b.total, b.fallback):
            equal_total += 1
        else:
            differ.append(f"{q!r}: {a.total} vs {b.total}")
        fa = {n: [(facet_key(v.value), v.count) for v in a.facets[n]] for n in FACETS}
        fb = {n: [(facet_key(v.value), v.count) for v in b.facets[n]] for n in FACETS}
        equal_facets += fa == fb
        top_a, top_b = {h.id for h in a.hits}, {h.id for h in b.hits}
        if top_a:
            overlaps.append(len(top_a & top_b) / len(top_a))
    return {"queries": len(qs), "equal_totals": equal_total, "equal_facets": equal_facets,
            "top10_overlap": statistics.mean(overlaps), "differ": differ[:10]}


def mrr(index: Any, ledes: list[dict[str, Any]]) -> tuple[float, list[float]]:
    rr, times = [], []
    for q in ledes:
        started = time.perf_counter()
        result = index.search(str(q["query"]), limit=10)
        times.append(time.perf_counter() - started)
        rank = next((h.rank for h in result.hits if h.id in set(q["relevant"])), None)
        rr.append(1.0 / rank if rank else 0.0)
    return statistics.mean(rr), times


def cli_latency(args: list[str], qs: list[str]) -> list[float]:
    times = []
    for q in qs:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "searchidx", "search", q, *args], capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def news_sample(articles: int, prefix: str) -> tuple[Path, Path, set[str]]:
    """A new work folder, the file of the first ``articles`` news articles written in it, and their ids."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    data = work / "news.jsonl"
    with gzip.open(DATA / "news" / "orangesum.jsonl.gz", "rt", encoding="utf-8") as f, open(data, "w") as out:
        for line in itertools.islice(f, articles):
            out.write(line)
    return work, data, {json.loads(line)["id"] for line in data.read_text("utf-8").splitlines()}


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("SOLR_URL") or sys.exit("set SOLR_URL (bash scaleout/solr/cluster.sh start)")
    client = SolrClient(url, attempts=9)
    work, data, ids = news_sample(args.articles, "solr-bench-")
    run = f"{int(time.time())}"
    rss0, heap0 = jvm_rss_mb(), heap_mb()

    extractor = get_extractor("builtin")
    started = time.perf_counter()
    local = Index.create(work / "index", entities="builtin")
    local.add([data])
    t_local = time.perf_counter() - started
    exact, per_shard, from_index = f"bench_exact_{run}", f"bench_local_{run}", f"bench_fromidx_{run}"
    ensure_collection(client, exact, 2, 2)
    started = time.perf_counter()
    push(client, exact, [str(data)], extractor, extractor.name)
    t_push = time.perf_counter() - started
    ensure_collection(client, from_index, 2, 2)
    started = time.perf_counter()
    push_articles(client, from_index, from_local_index(work / "index")[1], None, local.extractor_name,
                  entities_known=True)
    t_from = time.perf_counter() - started
    ensure_collection(client, per_shard, 2, 2, distributed_idf=False)
    push_articles(client, per_shard, from_local_index(work / "index")[1], None, local.extractor_name,
                  entities_known=True)
    rss1, heap1 = jvm_rss_mb(), heap_mb()
    n = len(local)
    print(f"articles: {n}")
    print(f"index (local, builtin entities, 2 workers): {t_local:.1f} s = {n / t_local:,.0f} articles/s")
    print(f"solr push (builtin entities, 2 workers):     {t_push:.1f} s = {n / t_push:,.0f} articles/s")
    print(f"solr push --from-index (no extraction):      {t_from:.1f} s = {n / t_from:,.0f} articles/s")

    qs = queries(args.queries, ids)
    with Index.open(solr_location(url, exact)) as remote, \
            Index.open(solr_location(url, per_shard)) as remote_local_idf:
        same = same_answers(local, remote, qs)
        same_local = same_answers(local, remote_local_idf, qs)
        print(f"same answers, {same['queries']} queries: totals equal {same['equal_totals']}, facets equal "
              f"{same['equal_facets']}; top-10 overlap {same['top10_overlap']:.3f} (distributed idf) / "
              f"{same_local['top10_overlap']:.3f} (per-shard idf)")
        for d in same["differ"]:
            print("  differs:", d)
        with open(DATA / "relevance" / "news-dev.jsonl", encoding="utf-8") as f:
            ledes = [q for q in map(json.loads, f) if set(q["relevant"]) & ids]
        m_local, t_l = mrr(local, ledes)
        m_solr, t_s = mrr(remote, ledes)
        m_solr_local_idf, _ = mrr(remote_local_idf, ledes)
        print(f"MRR@10 news-dev ({len(ledes)} ledes of the {n} articles): local {m_local:.3f}, "
              f"solr {m_solr:.3f} (distributed idf), {m_solr_local_idf:.3f} (per-shard idf)")
        short = qs[-100:]
        lib_l, lib_s = [], []
        for q in short:  # alternated, same queries
            for idx, times in ((local, lib_l), (remote, lib_s)):
                started = time.perf_counter()
                idx.search(q, facets=["person", "place"])
                times.append(time.perf_counter() - started)
        print(f"library latency, {len(short)} short queries with 2 facets: local p50 "
              f"{1000 * statistics.median(lib_l):.1f} ms p95 {1000 * percentile(lib_l, 0.95):.1f} ms; solr p50 "
              f"{1000 * statistics.median(lib_s):.1f} ms p95 {1000 * percentile(lib_s, 0.95):.1f} ms")
        print(f"library latency, {len(ledes)} lede queries: local p50 {1000 * statistics.median(t_l):.1f} ms p95 "
              f"{1000 * percentile(t_l, 0.95):.1f} ms; solr p50 {1000 * statistics.median(t_s):.1f} ms p95 "
              f"{1000 * percentile(t_s, 0.95):.1f} ms")
    local.close()
    cli_l, cli_s = [], []
    for q in short[:20]:
        cli_l += cli_latency(["--index", str(work / "index")], [q])
        cli_s += cli_latency(["--solr", url, "--collection", exact], [q])
    print(f"CLI latency, 20 queries: local p50 {1000 * statistics.median(cli_l):.0f} ms p95 "
          f"{1000 * percentile(cli_l, 0.95):.0f} ms; solr p50 {1000 * statistics.median(cli_s):.0f} ms p95 "
          f"{1000 * percentile(cli_s, 0.95):.0f} ms")
    size = client.index_bytes(exact)
    local_size = sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file())
    print(f"index size: solr {size / 1e6:.1f} MB for 2 shards x 2 replicas ({size / 2 / n:,.0f} bytes per article "
          f"and copy); local {local_size / 1e6:.1f} MB ({local_size / n:,.0f} bytes per article)")
    print(f"cluster JVM (2 nodes + ZooKeeper, -Xmx640m): RSS {rss0:.0f} MB at start -> {rss1:.0f} MB after the "
          f"pushes -> {jvm_rss_mb():.0f} MB after the queries, 3 collections of {n} articles (2 shards x 2 replicas "
          f"each); heap used after GC {heap0:.0f} MB -> {heap1:.0f} MB")
    for name in (exact, per_shard, from_index):
        client.delete_collection(name)


if __name__ == "__main__":
    main()
