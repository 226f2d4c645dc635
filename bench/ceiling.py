"""What rank-safe pruning could save at most on an index (issue 17): each query's CPU through `Index.search`,
the part spent in the ranking (`ranking.rank`), and the part any pruning keeps when totals and facets stay
exact: every query word's title and body postings decoded and their documents counted.

    python bench/ceiling.py INDEX_FOLDER [--set news-dev-short] [--start 0] [--limit 300]
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
from searchidx.engines.whoosh import codec, searching
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
    ns = ap.parse_args()
    if codec.native is None:
        raise SystemExit("the C module _postings was not built")
    with open(Path(ns.data) / "relevance" / f"{ns.set}.jsonl", encoding="utf-8") as f:
        queries = [json.loads(line)["query"] for line in f][ns.start:ns.start + ns.limit]
    idx = Index.open(ns.index)
    idx.search("x")
    collection = idx.backend._arrays()  # type: ignore[attr-defined]
    ranking: list[float] = []
    rank = searching.rank_query

    def timed_rank(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return rank(*args, **kwargs)
        finally:
            ranking.append(time.process_time() - start)

    searching.rank_query = timed_rank
    sized = np.zeros(collection.size)  # `accumulate` takes the collection's size from it
    whole, ranked, kept = [], [], []
    for text in queries:
        ranking.clear()
        start = time.process_time()
        idx.search(text, limit=10)
        whole.append(time.process_time() - start)
        ranked.append(sum(ranking))
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


if __name__ == "__main__":
    main()
