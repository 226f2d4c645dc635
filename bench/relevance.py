"""Relevance of searchidx on the shared evaluation data, with the protocol of ../shared/data/README.md.

Index the corpus with the project's default settings (title + body), run every query through
`Index.search` (the CLI's code path: all words, then any word), take the top 10 ids, and report
MRR@10 and hit@10 per query set. Entity extraction does not take part in ranking, so the indexes
are built with ``entities="none"`` to save time; pass ``--entities auto`` to check.

    python bench/relevance.py                     # news-dev, news-dev-noaccent, news-dev-short (500 each), piaf-dev
    python bench/relevance.py --sets piaf-dev     # one set
    python bench/relevance.py --reuse             # keep the indexes in bench/out/ between runs
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searchidx import Index  # noqa: E402
from searchidx.errors import QuerySyntaxError  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
SETS = {
    "news-dev": ("news", "relevance/news-dev.jsonl", 500),
    "news-dev-noaccent": ("news", "relevance/news-dev-noaccent.jsonl", 500),
    "news-dev-short": ("news", "relevance/news-dev-short.jsonl", 500),
    "piaf-dev": ("piaf", "relevance/piaf-dev.jsonl", None),
}
CORPORA = {"news": "news/orangesum.jsonl.gz", "piaf": "relevance/piaf-corpus.jsonl"}
PEERS = {  # from ../shared/data/README.md, same protocol
    "SQLite FTS5": (0.784, 0.784, 0.334, 0.748),
    "Lucene FrenchAnalyzer": (0.782, 0.773, 0.301, 0.761),
    "Whoosh LanguageAnalyzer(fr)": (0.751, 0.702, 0.234, 0.691),
    "Tantivy 0.27": (0.716, 0.706, 0.204, 0.668),
}


def load_queries(path: Path, limit: int | None) -> list[dict[str, object]]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


def build(corpus: str, data: Path, out: Path, reuse: bool, entities: str) -> tuple[Index, float]:
    folder = out / f"{corpus}-index"
    if reuse and folder.exists():
        try:
            return Index.open(folder), 0.0
        except Exception:
            pass
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    index = Index.create(folder, entities=entities)
    index.add([data / CORPORA[corpus]])
    return index, time.perf_counter() - started


def evaluate(index: Index, queries: list[dict[str, object]]) -> dict[str, float]:
    """MRR@10, hit@10 and latency."""
    rr, hits, times = [], 0, []
    for q in queries:
        started = time.perf_counter()
        try:
            found = index.search(str(q["query"]), limit=10).hits
        except QuerySyntaxError:  # a lede the query language refuses ("Orange*,"): counted as a miss
            found = []
        times.append(time.perf_counter() - started)
        relevant = set(q["relevant"])  # type: ignore[arg-type]
        rank = next((h.rank for h in found if h.id in relevant), None)
        rr.append(1.0 / rank if rank else 0.0)
        hits += rank is not None
    times.sort()
    return {
        "n": len(queries),
        "mrr": sum(rr) / len(rr),
        "hit": hits / len(queries),
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--limit", type=int, default=None, help="queries per news set (default 500)")
    parser.add_argument("--start", type=int, default=0, help="skip this many queries of each news set (e.g. "
                        "--start 500 --limit 1000: queries 500-1499, to check weights fitted on the first 500)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true", help="reuse indexes built by an earlier run")
    parser.add_argument("--entities", default="none")
    args = parser.parse_args()
    if not (args.data / "README.md").exists():
        print(f"no evaluation data at {args.data}; nothing to measure")
        return 0
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    indexes: dict[str, Index] = {}
    rows = []
    for name in wanted:
        corpus, rel, default_limit = SETS[name]
        if corpus not in indexes:
            indexes[corpus], seconds = build(corpus, args.data, args.out, args.reuse, args.entities)
            if seconds:
                print(f"indexed {corpus}: {len(indexes[corpus])} docs in {seconds:.1f} s", file=sys.stderr)
        limit = default_limit if args.limit is None or default_limit is None else args.limit
        start = args.start if default_limit is not None else 0
        queries = load_queries(args.data / rel, None if limit is None else start + limit)[start:]
        figures = evaluate(indexes[corpus], queries)
        rows.append((name, figures))
        print(f"{name}: {figures}", file=sys.stderr)
    print("| set | queries | MRR@10 | hit@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, f in rows:
        print(f"| {name} | {f['n']} | {f['mrr']:.4f} | {f['hit']:.3f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} |")
    if [name for name, _ in rows] == list(SETS) and args.start == 0 and args.limit is None:
        print()
        print("| engine (MRR@10) | " + " | ".join(SETS) + " |")
        print("|---|" + "---|" * len(SETS))
        print("| **searchidx** | " + " | ".join(f"**{f['mrr']:.3f}**" for _, f in rows) + " |")
        for peer, figures in PEERS.items():
            print(f"| {peer} (reference figures) | " + " | ".join(f"{x:.3f}" for x in figures) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
