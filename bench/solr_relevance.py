"""The SolrCloud backend on the protocol of `bench/relevance.py`: the news corpus pushed to a collection (2
shards, 1 replica, no entities) with `searchidx solr push`, then the news sets searched through
``Index.open("solr://host:port/collection")`` (the CLI's code path; every copy is a hit on Solr), each set
once per ranking variant: by default Solr's BM25 alone (each word over the article as one text), with the
coordination, coverage and date rewards, and with the exact-form and word-pair rewards too (the default). A
variant sets the rewards' weights ("exact=2,pairs=0.3,coord=2,coverage=20,date=1"; date is on or off), the
others as shipped.

    bash scaleout/solr/cluster.sh start                      # prints SOLR_URL=...
    SOLR_URL=http://127.0.0.1:PORT/solr python bench/solr_relevance.py
    SOLR_URL=... python bench/solr_relevance.py --reuse --sets news-dev --start 500 --limit 1000
    SOLR_URL=... python bench/solr_relevance.py --reuse "" "pairs=0" "exact=0.5"
    bash scaleout/solr/cluster.sh stop
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import relevance  # noqa: E402

from searchidx import Index  # noqa: E402
from searchidx.backend import solr_location  # noqa: E402
from searchidx.engines.solr import backend, ranking  # noqa: E402
from searchidx.query import coverage  # noqa: E402

NEWS_SETS = [name for name, (corpus, _, _) in relevance.SETS.items() if corpus == "news"]
VARIANTS = ["exact=0,pairs=0,coord=0,coverage=0,date=0", "exact=0,pairs=0", ""]
SHIPPED = {"exact": ranking.EXACT, "pairs": ranking.PAIRS, "coord": ranking.COORD, "coverage": coverage.WEIGHT,
           "date": 1.0}


def apply(variant: str) -> None:
    """Sets the weights ``variant`` names ("name=value,..."), the others as shipped."""
    values = {**SHIPPED, **{k: float(v) for k, v in (p.split("=") for p in variant.split(",") if p)}}
    ranking.EXACT, ranking.PAIRS, ranking.COORD = values["exact"], values["pairs"], values["coord"]
    coverage.WEIGHT = values["coverage"]
    backend.date_boost = ranking.date_boost if values["date"] else (lambda *_: {})  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", default=VARIANTS, help="ranking variants (default: %(default)s)")
    parser.add_argument("--solr", default=os.environ.get("SOLR_URL"), help="Solr base URL (default $SOLR_URL)")
    parser.add_argument("--collection", default="relevance-news")
    parser.add_argument("--data", type=Path, default=relevance.DEFAULT_DATA)
    parser.add_argument("--sets", default=",".join(NEWS_SETS))
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--reuse", action="store_true", help="search the collection an earlier run pushed")
    args = parser.parse_args()
    if not args.solr:
        parser.error("no Solr URL: --solr or $SOLR_URL (bash scaleout/solr/cluster.sh start prints one)")
    if not (args.data / "README.md").exists():
        print(f"no evaluation data at {args.data}; nothing to measure")
        return 0
    if not args.reuse:
        subprocess.run([sys.executable, "-m", "searchidx", "solr", "push", str(args.data / relevance.CORPORA["news"]),
                        "--solr", args.solr, "--collection", args.collection, "--shards", "2", "--replicas", "1",
                        "--entities", "none"], check=True)
    index = Index.open(solr_location(args.solr, args.collection))
    print("| set (Solr) | queries | ranking | MRR@10 | hit@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for name in (s.strip() for s in args.sets.split(",") if s.strip()):
        queries = relevance.load_queries(args.data / relevance.SETS[name][1], args.start + args.limit)[args.start:]
        for variant in args.variants:
            apply(variant)
            f = relevance.evaluate(index, queries)
            print(f"| {name} | {f['n']} | {variant or 'shipped'} | {f['mrr']:.4f} | {f['hit']:.3f} "
                  f"| {f['p50_ms']:.1f} | {f['p95_ms']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
