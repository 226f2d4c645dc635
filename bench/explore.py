"""Exploring the 36k OrangeSum news: related-entity and similar-article latency and quality, timelines, and
the wire-copy groups.

Builds (or reuses, with --reuse) an index of ../shared/data/news/orangesum.jsonl.gz with the built-in entity
extractor (the same folder as bench/facets.py), then, warm, in one process:

- related: `Index.related` for the most frequent people, organisations and places (and, for a partial name,
  their surname), alone and within a short query's articles; p50 / p95 ms.
- similar: `Index.similar` for seeded random articles: p50 / p95 ms, and the share of the top 10 that names
  at least one person or organisation of the source (sources naming one), against the same share for a
  plain search of the source's title (the peer a user has without `similar`) and for `similar` without the
  entity part; `similar --text LEDE` on the news-dev ledes: MRR@10 of the lede's own article (the relevance
  protocol), against `Index.search` of the same ledes.
- timeline: `Index.timeline` of the short queries, by month, and split by person; p50 / p95 ms.
- copies: groups, grouped articles, group sizes, time to group a generation, time per article of the
  signature (the indexing-time cost), and a seeded sample of groups printed for checking by eye.

    python bench/explore.py --reuse
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searchidx import Index  # noqa: E402
from searchidx.explore import copies, similar  # noqa: E402

HERE = Path(__file__).resolve().parent
PARTS = ("copies", "related", "timeline", "similar", "relevance")
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


CPU: list[float] = []  # CPU ms p50 of the last `timed` call: the latency without the other tenants' load


def timed(fn: Callable[[Any], object], items: list[Any]) -> tuple[float, float]:
    """Wall p50 and p95 in ms, each item once after a warm-up over the first 10 (CPU p50 kept in `CPU`)."""
    for item in items[:10]:
        fn(item)
    times, cpu = [], []
    for item in items:
        started, c = time.perf_counter(), time.process_time()
        fn(item)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - c)
    times.sort()
    CPU[:] = [1000 * statistics.median(cpu)]
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))]


def open_index(args: argparse.Namespace) -> Index:
    folder = args.out / "news-builtin-index"
    if args.reuse and folder.exists():
        try:
            return Index.open(folder)
        except Exception as exc:  # another schema: build again
            print(f"cannot reuse {folder} ({exc}); building it", file=sys.stderr)
    started = time.perf_counter()
    index = Index.create(folder, entities="builtin", overwrite=True)
    index.add([args.data / "news" / "orangesum.jsonl.gz"])
    print(f"indexed {len(index)} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return index


def shares_entity(index: Index, source: Any, ids: list[str]) -> float:
    wanted = set(source.entities.person) | set(source.entities.org)
    hits = [index.get(i) for i in ids]
    good = [h for h in hits if h is not None and wanted & (set(h.entities.person) | set(h.entities.org))]
    return len(good) / len(ids) if ids else 0.0


def folded_relevance(index: Index, data: Path, n: int) -> None:
    """The relevance protocol (news-dev ledes, MRR@10) with wire copies folded (the default) and not, and
    with a shown copy of the relevant article counted as finding it."""
    with (data / "relevance" / "news-dev.jsonl").open(encoding="utf-8") as f:
        queries = [json.loads(line) for line in f][:n]
    print(f"| news-dev first {len(queries)} ledes | MRR@10 | hit@10 |\n|---|---|---|")
    for name, all_versions, by_group in (("folded (default)", False, False), ("--all-versions", True, False),
                                         ("folded, a copy of the relevant article counts", False, True)):
        rr = hit = 0.0
        for q in queries:
            wanted = set(q["relevant"])
            groups = {index.copy_group(i) for i in wanted} - {None} if by_group else set()
            hits = index.search(q["query"], suggest=False, all_versions=all_versions).hits
            for rank, h in enumerate(hits, 1):
                if h.id in wanted or (h.group is not None and h.group in groups):
                    rr += 1 / rank
                    hit += 1
                    break
        print(f"| {name} | {rr / len(queries):.4f} | {hit / len(queries):.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--n", type=int, default=200, help="values, articles and queries per measure")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not (args.data / "README.md").exists():
        print(f"no evaluation data at {args.data}; nothing to measure")
        return 0
    index = open_index(args)
    rng = random.Random(args.seed)
    with (args.data / "relevance" / "news-dev-short.jsonl").open(encoding="utf-8") as f:
        short = [json.loads(line)["query"] for line in f][: args.n]
    with (args.data / "relevance" / "news-dev.jsonl").open(encoding="utf-8") as f:
        ledes = [json.loads(line) for line in f][: args.n]
    print(f"{len(index)} articles; {args.n} items per measure; seed {args.seed}\n")

    backend = index.backend
    collection = backend.term_scores()  # the Whoosh engine's collection: reader, column values
    reader = collection.reader

    # -- copies --------------------------------------------------------------------------------------------
    if "copies" in parts:
        started = time.perf_counter()
        signatures = collection.column_values("copysig")
        groups = copies.CopyGroups.build(signatures, collection.live, lambda d: str(reader.stored_fields(d)["id"]),
                                         collection.dates())
        grouping_s = time.perf_counter() - started
        bodies = []
        with gzip.open(args.data / "news" / "orangesum.jsonl.gz", "rt", encoding="utf-8") as f:
            for line, _ in zip(f, range(3000), strict=False):
                bodies.append(json.loads(line)["body"])
        started = time.process_time()
        for body in bodies:
            copies.signature(body)
        per_article_ms = 1000 * (time.process_time() - started) / len(bodies)
        sizes = np.bincount(groups.of[groups.of >= 0])
        grouped = int(np.count_nonzero(groups.of >= 0))
        print("| wire copies (36k news) | value |\n|---|---|")
        print(f"| groups | {len(groups)} |\n| articles in a group | {grouped} ({100 * grouped / len(index):.1f}%) |")
        print(f"| articles a folded search hides (grouped - groups) | {grouped - len(groups)} |")
        print(f"| group sizes 2 / 3 / 4 / 5+ | {' / '.join(str(int((sizes == k).sum())) for k in (2, 3, 4))} / "
              f"{int((sizes >= 5).sum())} (largest {int(sizes.max()) if len(sizes) else 0}) |")
        print(f"| grouping one generation (read signatures, LSH, check, name) | {grouping_s:.2f} s |")
        print(f"| signature per article at indexing (first 3,000 bodies, CPU) | {per_article_ms:.3f} ms |\n")
        members_of = [np.flatnonzero(groups.of == g) for g in range(len(groups))]
        inexact = [g for g, m in enumerate(members_of)
                   if min(copies.jaccard(signatures[m[0]], signatures[d]) for d in m) < 0.9]
        print(f"Groups with a member under 0.9 estimated Jaccard to the first (not exact copies): {len(inexact)}")
        for title, chosen in (("random groups", rng.sample(range(len(groups)), min(5, len(groups)))),
                              ("random groups that are not exact copies", rng.sample(inexact, min(8, len(inexact))))):
            print(f"Sample of {title} (seeded): date · id · estimated Jaccard with the first · title")
            for g in chosen:
                print(f"- group {groups.names[g]} ({len(members_of[g])})")
                for d in members_of[g]:
                    stored = reader.stored_fields(int(d))
                    estimate = copies.jaccard(signatures[members_of[g][0]], signatures[d])
                    print(f"    {stored.get('date')} · {stored['id']} · {estimate:.2f} · {stored['title'][:90]}")
        print()

    # -- related -------------------------------------------------------------------------------------------
    if "related" in parts:
        values = [(f, v.value) for f in ("person", "org", "place") for v in index.facet_values(f, limit=args.n // 3)]
        surnames = [("person", v.split()[-1]) for f, v in values if f == "person" and " " in v]
        print("| related (warm) | p50 ms | p95 ms | CPU p50 ms |\n|---|---|---|---|")
        for name, items, kwargs in (
            (f"{len(values)} frequent values, all articles", values, {}),
            (f"{len(surnames)} surnames alone (partial name resolved)", surnames, {}),
            (f"{len(values)} values within a short query's articles", values, {"query": None}),
        ):
            def run(item: tuple[str, str], kwargs: dict[str, Any] = kwargs) -> object:
                extra = dict(kwargs)
                if "query" in extra:
                    extra["query"] = short[hash(item) % len(short)]
                return index.related(item[0], item[1], **extra)
            p50, p95 = timed(run, items)
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {CPU[0]:.1f} |")
        example = index.related("person", "Macron", limit=8)
        print(f"\nExample: related person Macron -> {example.value} ({example.articles} articles; alternatives: "
              f"{', '.join(example.alternatives) or '-'}):")
        for a in example.related:
            print(f"    {a.field:<6} {a.value:<30} {a.count:>5} together, {a.expected:>7.1f} expected, "
                  f"G² {a.score:.0f}")
        print()

    # -- timeline ------------------------------------------------------------------------------------------
    if "timeline" in parts:
        print("| timeline (warm, short queries) | p50 ms | p95 ms | CPU p50 ms |\n|---|---|---|---|")
        for name, kwargs in (("by month", {"by": "month"}), ("default period", {}),
                             ("by month, split by person (top 5)", {"by": "month", "split": "person"})):
            p50, p95 = timed(lambda q, kwargs=kwargs: index.timeline(q, **kwargs), short)
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {CPU[0]:.1f} |")
        print()

    # -- similar -------------------------------------------------------------------------------------------
    if "similar" in parts:
        live_ids = [str(reader.stored_fields(int(d))["id"]) for d in rng.sample(
            [int(d) for d in np.flatnonzero(collection.live)], args.n)]
        sources = [a for a in (index.get(i) for i in live_ids) if a is not None]
        with_entities = [a for a in sources if a.entities.person or a.entities.org]
        p50, p95 = timed(lambda a: index.similar(a.id), sources)
        cpu = CPU[0]
        text_p50, text_p95 = timed(lambda q: index.similar(text=q["query"]), ledes)
        text_cpu = CPU[0]
        search_p50, _ = timed(lambda a: index.search(a.title, suggest=False), sources)
        search_cpu = CPU[0]

        def share(run: Callable[[Any], list[str]]) -> float:
            return statistics.mean(shares_entity(index, a, run(a)) for a in with_entities)

        similar_share = share(lambda a: [h.id for h in index.similar(a.id).hits])
        search_share = share(lambda a: [h.id for h in index.search(a.title, suggest=False).hits if h.id != a.id][:10])
        weight = similar.ENTITY_WEIGHT
        similar.ENTITY_WEIGHT = 0.0
        try:
            words_share = share(lambda a: [h.id for h in index.similar(a.id).hits])
        finally:
            similar.ENTITY_WEIGHT = weight

        def mrr(run: Callable[[str], list[str]]) -> tuple[float, float]:
            rr = hit = 0.0
            for q in ledes:
                ranked = run(q["query"])[:10]
                for rank, i in enumerate(ranked, 1):
                    if i in q["relevant"]:
                        rr += 1 / rank
                        hit += 1
                        break
            return rr / len(ledes), hit / len(ledes)

        sim_mrr = mrr(lambda t: [h.id for h in index.similar(text=t, all_versions=True).hits])
        search_mrr = mrr(lambda t: [h.id for h in index.search(t, suggest=False, all_versions=True).hits])
        print(f"| similar ({len(sources)} random articles; {len(with_entities)} name a person or org) | value |")
        print("|---|---|")
        print(f"| `similar ID` latency p50 / p95 (CPU p50) | {p50:.1f} / {p95:.1f} ms ({cpu:.1f}) |")
        print(f"| `similar --text LEDE` latency p50 / p95 (CPU p50), {len(ledes)} news-dev ledes | {text_p50:.1f} / "
              f"{text_p95:.1f} ms ({text_cpu:.1f}) |")
        print(f"| `search TITLE` latency p50 (CPU p50), the peer | {search_p50:.1f} ms ({search_cpu:.1f}) |")
        print(f"| top 10 sharing a person or org with the source: `similar` | {100 * similar_share:.1f}% |")
        print(f"| ... `similar` without the entity part (words only) | {100 * words_share:.1f}% |")
        print(f"| ... `search` of the source's title, source left out (peer) | {100 * search_share:.1f}% |")
        print(f"| `similar --text LEDE` finds the lede's article: MRR@10 / hit@10 | {sim_mrr[0]:.3f} / "
              f"{sim_mrr[1]:.3f} |")
        print(f"| `search LEDE` (the relevance protocol, same ledes): MRR@10 / hit@10 | {search_mrr[0]:.3f} / "
              f"{search_mrr[1]:.3f} |")
    # -- relevance with folding ----------------------------------------------------------------------------
    if "relevance" in parts:
        folded_relevance(index, args.data, 500)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
