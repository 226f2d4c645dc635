"""What rank-safe pruning could save at most on an index (issue 17): each query's CPU through `Index.search`,
the part spent in the ranking (`ranking.rank`), and the part any pruning keeps when totals and facets stay
exact: every query word's title and body postings decoded and their documents counted.

With ``--champions``, how often the simplest rank-safe shortcut would hold instead: score only the documents of
the short lists (at most L postings) and the T best of each long list; a document outside them scores at most
the sum of the long lists' (T+1)-th best values (B), so the page is exact when B is below its last hit's score.

    python bench/ceiling.py INDEX_FOLDER [--set news-dev-short] [--start 0] [--limit 300] [--champions]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from searchidx import Index
from searchidx.analysis import analyze
from searchidx.engines.whoosh import codec, ranking, searching
from searchidx.engines.whoosh.ranking import WORD_FIELDS

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    return sorted(values)[int(round(p * (len(values) - 1)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index")
    ap.add_argument("--set", default="news-dev-short", help="a query set of ../shared/data/relevance")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--limit", type=int, default=300)
    ap.add_argument("--champions", action="store_true", help="the champion-list bound's share of safe queries")
    ns = ap.parse_args()
    if codec.native is None:
        raise SystemExit("the C module _postings was not built")
    with open(Path(ns.data) / "relevance" / f"{ns.set}.jsonl", encoding="utf-8") as f:
        queries = [json.loads(line)["query"] for line in f][ns.start:ns.start + ns.limit]
    idx = Index.open(ns.index)
    idx.search("x")
    if ns.champions:
        champions(idx, queries, ns.set)
        return
    collection = idx.backend._arrays()  # type: ignore[attr-defined]
    spent: list[float] = []
    rank = searching.rank_query

    def timed_rank(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return rank(*args, **kwargs)
        finally:
            spent.append(time.process_time() - start)

    searching.rank_query = timed_rank
    sized = np.zeros(collection.size)  # `accumulate` takes the collection's size from it
    whole, ranked, kept = [], [], []
    for text in queries:
        spent.clear()
        start = time.process_time()
        idx.search(text, limit=10)
        whole.append(time.process_time() - start)
        ranked.append(sum(spent))
        start = time.process_time()
        counts = np.zeros(collection.size, dtype=np.uint8)
        for stem in dict.fromkeys(analyze(text, mode="query")):
            for field in WORD_FIELDS:
                ids, _ = collection.postings(field, stem, keep=False)
                codec.native.accumulate(sized, counts, ids, None, 1)
        kept.append(time.process_time() - start)
    floor = [w - max(r - k, 0.0) for w, r, k in zip(whole, ranked, kept, strict=True)]
    print(f"{ns.set} ({len(queries)} queries, CPU ms p50 / p95): search {pct(whole, .5):.1f} / {pct(whole, .95):.1f}"
          f" | ranking {pct(ranked, .5):.1f} / {pct(ranked, .95):.1f} | decoding and counting {pct(kept, .5):.1f} /"
          f" {pct(kept, .95):.1f} | search without the rest of the ranking {pct(floor, .5):.1f} /"
          f" {pct(floor, .95):.1f}")


def champions(idx: Index, queries: list[str], name: str) -> None:
    """For each query, the scored lists `ranking` adds up (caught at `sums`) and its page's last score."""
    caught: dict[str, Any] = {}
    sums = ranking.sums

    def catch(size: int, counted: Any, scored: Any, values: Any, zeros: Any = None) -> Any:
        caught["lists"] = list(zip(scored, values, strict=True))
        return sums(size, counted, scored, values, zeros)

    ranking.sums = catch  # type: ignore[assignment]
    settings = [(short, top) for short in (2_000, 10_000, 50_000) for top in (500, 2_000, 10_000)]
    safe = dict.fromkeys(settings, 0)
    candidates: dict[tuple[int, int], list[int]] = {s: [] for s in settings}
    postings: list[int] = []
    for text in queries:
        caught.clear()
        hits = idx.search(text, limit=10).hits
        if "lists" not in caught or len(hits) < 10:
            continue
        last = hits[-1].score - 1e-4  # hits' scores are rounded to 4 decimals
        postings.append(sum(len(ids) for ids, _ in caught["lists"]))
        for short, top in settings:
            bound, count = 0.0, 0
            for ids, values in caught["lists"]:
                if len(ids) <= short:
                    count += len(ids)
                else:
                    bound += float(np.partition(values, len(values) - top - 1)[len(values) - top - 1]) \
                        if len(values) > top else 0.0
                    count += min(top, len(ids))
            safe[short, top] += bound < last
            candidates[short, top].append(count)
    print(f"{name}: {len(postings)} queries with a full page, {int(np.median(postings))} scored postings (p50)")
    print("| short lists (postings) | best kept per long list | queries safe | postings still scored (p50) |")
    print("|---|---|---|---|")
    for short, top in settings:
        print(f"| ≤ {short:,} | {top:,} | {100 * safe[short, top] / len(postings):.0f}% |"
              f" {int(np.median(candidates[short, top])):,} |")


if __name__ == "__main__":
    main()
