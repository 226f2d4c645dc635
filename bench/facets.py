"""Facet speed on the 36k OrangeSum news (issue: three facets and two filters, median warm).

Builds (or reuses, with --reuse) an index of ../shared/data/news/orangesum.jsonl.gz with the built-in entity
extractor, then times `Index.search` on the short queries of relevance/news-dev-short.jsonl, warm, in four
forms: plain; with three facets (person, org, place); with two filters (the most frequent place and org of the
whole corpus); with both.

    python bench/facets.py --reuse
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searchidx import Index  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def timed(index: Index, queries: list[str], **kwargs: object) -> tuple[float, float]:
    for q in queries[:20]:  # warm the caches (facet table, term infos)
        index.search(q, **kwargs)  # type: ignore[arg-type]
    times = []
    for q in queries:
        started = time.perf_counter()
        index.search(q, suggest=False, **kwargs)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    if not (args.data / "README.md").exists():
        print(f"no evaluation data at {args.data}; nothing to measure")
        return 0
    folder = args.out / "news-builtin-index"
    index = None
    if args.reuse and folder.exists():
        try:
            index = Index.open(folder)
        except Exception:
            index = None
    if index is None:
        started = time.perf_counter()
        index = Index.create(folder, entities="builtin", overwrite=True)
        index.add([args.data / "news" / "orangesum.jsonl.gz"])
        print(f"indexed {len(index)} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with (args.data / "relevance" / "news-dev-short.jsonl").open(encoding="utf-8") as f:
        queries = [json.loads(line)["query"] for line in f][: args.queries]
    top_place = index.facet_values("place", limit=1)[0].value
    top_org = index.facet_values("org", limit=1)[0].value
    facets = ["person", "org", "place"]
    filters = {"place": [top_place], "org": [top_org]}
    rows = [
        ("no facet, no filter", {}),
        ("3 facets", {"facets": facets}),
        (f"2 filters (place={top_place}, org={top_org})", {"filters": filters}),
        ("3 facets + 2 filters", {"facets": facets, "filters": filters}),
    ]
    print(f"| short queries ({len(queries)}), warm, 36k news | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, kwargs in rows:
        p50, p95 = timed(index, queries, **kwargs)
        print(f"| {name} | {p50:.1f} | {p95:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
