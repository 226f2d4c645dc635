"""`timeline` and `related` on SolrCloud against the local engine, same articles, same run (BENCHMARKS.md
"SolrCloud").

    bash scaleout/solr/cluster.sh start          # prints SOLR_URL=...
    SOLR_URL=http://127.0.0.1:PORT/solr python bench/solr_explore.py [--articles 5000] [--queries 40]

Indexes the first N articles of news/orangesum.jsonl.gz locally (built-in entities), sends that index to a
new 2-shard, 2-replica collection (`push --from-index`, same entities), then, warm, calls each operation on
both engines alternately through the library: timelines of "" and of news-dev-short queries (by month, and
split by person), and related entities of the most frequent people, organisations and places (default
limit, and alone or within a query). Prints p50 / p95 ms of each engine and how many answers are equal
(every bucket and series; every association with its count, expected count, score and total, in order).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from searchidx import Index
from searchidx.backend import solr_location
from searchidx.engines.solr.client import SolrClient
from searchidx.engines.solr.push import ensure_collection, from_local_index, push_articles
from searchidx.fields import facet_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
from solr import news_sample  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))]


def associations(result: Any) -> list[tuple[str, str, int, float, float, int]]:
    return [(a["field"], facet_key(a["value"]), a["count"], a["expected"], a["score"], a["total"])
            for a in result.as_dict()["related"]]


def compare(name: str, calls: list[Callable[[Index], Any]], local: Index, remote: Index,
            same: Callable[[Any, Any], bool]) -> None:
    times: dict[str, list[float]] = {"local": [], "solr": []}
    equal = 0
    for call in calls[:3]:  # warm-up
        call(local), call(remote)
    for call in calls:  # alternated, same calls
        answers = []
        for label, idx in (("local", local), ("solr", remote)):
            started = time.perf_counter()
            answers.append(call(idx))
            times[label].append(1000 * (time.perf_counter() - started))
        if same(*answers):
            equal += 1
        elif equal_differs := [a for a in answers if hasattr(a, "related")]:
            a, b = equal_differs
            only_a = set(associations(a)) - set(associations(b))
            only_b = set(associations(b)) - set(associations(a))
            print(f"  differs: {a.field} {a.value!r} ({a.articles}/{a.considered} vs {b.articles}/{b.considered}): "
                  f"local only {sorted(only_a)[:3]}, solr only {sorted(only_b)[:3]}")
    print(f"{name}: {len(calls)} calls, equal {equal}; local p50 {statistics.median(times['local']):.1f} ms "
          f"p95 {percentile(times['local'], 0.95):.1f} ms; solr p50 {statistics.median(times['solr']):.1f} ms "
          f"p95 {percentile(times['solr'], 0.95):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("SOLR_URL") or sys.exit("set SOLR_URL (bash scaleout/solr/cluster.sh start)")
    client = SolrClient(url, attempts=9)
    work, data, ids = news_sample(args.articles, "solr-explore-bench-")
    local = Index.create(work / "index", entities="builtin")
    local.add([data])
    name = f"bench_explore_{int(time.time())}"
    ensure_collection(client, name, 2, 2)
    push_articles(client, name, from_local_index(work / "index")[1], None, local.extractor_name,
                  entities_known=True)
    with open(DATA / "relevance" / "news-dev-short.jsonl", encoding="utf-8") as f:
        qs = [""] + [q["query"] for q in map(json.loads, f) if set(q["relevant"]) & ids][: args.queries - 1]
    names = [(field, v.value) for field, k in (("person", 15), ("org", 10), ("place", 10))
             for v in local.facet_values(field, limit=k)]
    try:
        with Index.open(solr_location(url, name)) as remote:
            print(f"articles: {len(local)} local, {len(remote)} on Solr (2 shards x 2 replicas)")

            def same_timeline(a: Any, b: Any) -> bool:
                return bool(a.as_dict() == b.as_dict())

            def same_related(a: Any, b: Any) -> bool:
                return bool((a.value, a.articles, a.considered) == (b.value, b.articles, b.considered)
                            and associations(a) == associations(b))

            compare("timeline QUERY (period chosen)", [lambda i, q=q: i.timeline(q) for q in qs], local, remote,
                    same_timeline)
            compare("timeline QUERY --by month --split person",
                    [lambda i, q=q: i.timeline(q, by="month", split="person") for q in qs], local, remote,
                    same_timeline)
            compare("related FIELD NAME (limit 15)",
                    [lambda i, f=f, v=v: i.related(f, v, limit=15) for f, v in names], local, remote,
                    lambda a, b: associations(a) == associations(b))
            compare("related FIELD NAME, every association (limit 1000)",
                    [lambda i, f=f, v=v: i.related(f, v, limit=1000) for f, v in names], local, remote, same_related)
            compare("related FIELD NAME --query QUERY", [lambda i, f=f, v=v, q=q: i.related(f, v, query=q, min_count=1)
                                                          for (f, v), q in zip(names, itertools.cycle(qs[1:6]))],
                    local, remote, same_related)
    finally:
        local.close()
        client.delete_collection(name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
