"""Score ranking variants on the indexes `bench/relevance.py` built (``--reuse``), without rebuilding them.

Each variant sets `searchidx.ranking.Ranking` weights and BM25 parameters; queries are a slice of each set
(``--start``/``--limit``), so weights are fitted on one slice and checked on another:

    python bench/tune.py --start 0 --limit 500 "exact=0,pairs=0,coord=0" "exact=1" "k1=1.0,b=0.7"
    python bench/tune.py --sets news-dev "long_title=4.5" "long_idf_power=1.25" "long_query=99"  # 99: off
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import relevance  # noqa: E402

from searchidx import Index  # noqa: E402
from searchidx.engines.whoosh import ranking  # noqa: E402

BM25 = ("k1", "b", "title_b")


def apply(index: Index, variant: str) -> None:
    """Set the weights and BM25 parameters named in ``variant`` ("name=value,..."), the rest as shipped."""
    values = {k: float(v) for k, v in (p.split("=") for p in variant.split(",") if p)}
    ranking.RANKING = replace(ranking.Ranking(), **{k: v for k, v in values.items() if k not in BM25})
    collection = index.backend._arrays()
    weighting = index.backend.searcher().weighting
    collection.k1 = values.get("k1", float(weighting.K1))
    collection.b = values.get("b", float(weighting.B))
    collection._field_b = dict(getattr(weighting, "_field_B", {}))
    if "title_b" in values:
        collection._field_b["title"] = values["title_b"]
    collection._cache.clear()  # scores of long posting lists kept by an earlier variant's BM25 parameters
    collection._cached_bytes = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--sets", default="news-dev,news-dev-short,piaf-dev")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--data", type=Path, default=relevance.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=relevance.HERE / "out")
    args = parser.parse_args()
    indexes: dict[str, Index] = {}
    sets = [s for s in args.sets.split(",") if s]
    queries = {}
    for name in sets:
        corpus, rel, _ = relevance.SETS[name]
        if corpus not in indexes:
            indexes[corpus] = Index.open(args.out / f"{corpus}-index")
        queries[name] = relevance.load_queries(args.data / rel, args.start + args.limit)[args.start:]
    print("| variant | " + " | ".join(sets) + " |")
    for variant in args.variants:
        row = []
        for name in sets:
            index = indexes[relevance.SETS[name][0]]
            apply(index, variant)
            f = relevance.evaluate(index, queries[name])
            row.append(f"{f['mrr']:.4f} ({f['p50_ms']:.0f} ms)")
        print(f"| {variant or 'shipped'} | " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
