"""Two versions of searchidx compared on one machine, runs alternated so load hits both alike.

    git archive <commit> | tar -x -C /tmp/before     # each version as a plain folder
    python bench/before_after.py cold --index IX /tmp/before /tmp/after       # CLI start to exit
    python bench/before_after.py latency --index IX /tmp/before /tmp/after    # query CPU, Index.search
    python bench/before_after.py indexing /tmp/before /tmp/after              # 5,000 articles, one process
    python bench/before_after.py pages --index IX /tmp/before /tmp/after      # same pages for the news dev sets?

Each version runs in its own process with its folder first on ``sys.path``; ``IX`` is an index both read
(an index built by the older version, e.g. by ``bench/relevance.py --reuse --out``).
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

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORDS = ["otan", "macron", "grève", "football", "élection", "climat", "paris", "santé", "police", "europe"]


def _child(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, __file__, "_" + code, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def cold(index: str, versions: list[str], rounds: int = 3) -> None:
    times: dict[str, list[float]] = {v: [] for v in versions}
    helps: dict[str, list[float]] = {v: [] for v in versions}
    for r in range(rounds):
        for word in WORDS:
            for v in versions if r % 2 == 0 else versions[::-1]:
                env = dict(os.environ, PYTHONPATH=v, SEARCHIDX_TTY="0")
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "searchidx", "search", word, "--index", index, "-n", "10"],
                               env=env, capture_output=True, cwd=tempfile.gettempdir())
                times[v].append(time.perf_counter() - started)
        for v in versions:
            env = dict(os.environ, PYTHONPATH=v)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "searchidx", "--help"], env=env, capture_output=True,
                           cwd=tempfile.gettempdir())
            helps[v].append(time.perf_counter() - started)
    for v in versions:
        print(f"{v}: search {statistics.median(times[v]):.3f} s (median of {len(times[v])}), "
              f"--help {statistics.median(helps[v]):.3f} s")


def _queries(name: str) -> list[dict[str, str]]:
    """The queries of a relevance set of the shared data (``qid``, ``query``...)."""
    with open(DATA / "relevance" / f"{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _latency(version: str, index: str) -> None:
    sys.path.insert(0, version)
    from searchidx import Index

    idx = Index.open(index)
    out = []
    for name in ("news-dev-short", "news-dev"):
        queries = [q["query"] for q in _queries(name)][:200]
        for q in queries[:20]:
            idx.search(q)
        cpu = []
        for q in queries:
            started = time.process_time()
            idx.search(q, limit=10)
            cpu.append(time.process_time() - started)
        out.append(f"{name} p50 {1000 * statistics.median(cpu):.2f} ms CPU")
    print("; ".join(out))


def _pages(version: str, index: str) -> None:
    """The total and the first page (ids, scores, snippets) of every query of the news dev sets, as JSON."""
    sys.path.insert(0, version)
    from searchidx import Index

    idx = Index.open(index)
    pages: dict[str, object] = {}
    for name in ("news-dev", "news-dev-noaccent", "news-dev-short"):
        for q in _queries(name):
            try:
                r = idx.search(q["query"], limit=10)
            except Exception as exc:  # noqa: BLE001 - a lede the query language rejects: its message
                pages[f"{name}:{q['qid']}"] = str(exc)
                continue
            pages[f"{name}:{q['qid']}"] = [r.total, [[h.id, h.score, h.snippet] for h in r.hits]]
    print(json.dumps(pages))


def pages(index: str, versions: list[str]) -> None:
    first, *others = versions
    expected = json.loads(_child("pages", first, index))
    for v in others:
        got = json.loads(_child("pages", v, index))
        same = sum(got.get(k) == page for k, page in expected.items())
        print(f"{v}: {same} of {len(expected)} queries give the same total, ids, scores and snippets as {first}")


def _indexing(version: str, source: str) -> None:
    sys.path.insert(0, version)
    os.environ["SEARCHIDX_WORKERS"] = "0"
    from searchidx import Index

    with tempfile.TemporaryDirectory() as tmp:
        started = time.process_time()
        Index.create(Path(tmp) / "ix", entities="none").add([source])
        print(f"{time.process_time() - started:.2f} s CPU")


def main() -> None:
    if sys.argv[1].startswith("_"):
        {"_latency": _latency, "_indexing": _indexing, "_pages": _pages}[sys.argv[1]](*sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["cold", "latency", "indexing", "pages"])
    ap.add_argument("versions", nargs="+", help="folders holding a searchidx/ package")
    ap.add_argument("--index", help="an index every version reads (cold, latency, pages)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    versions = [str(Path(v).resolve()) for v in args.versions]
    if args.what == "cold":
        cold(args.index, versions, args.rounds)
        return
    if args.what == "pages":
        pages(args.index, versions)
        return
    source = str(Path(tempfile.gettempdir()) / "searchidx-news-5000.jsonl")
    if args.what == "indexing" and not os.path.exists(source):
        with gzip.open(DATA / "news" / "orangesum.jsonl.gz", "rt", encoding="utf-8") as f, \
                open(source, "w", encoding="utf-8") as out:
            out.writelines(itertools.islice(f, 5000))
    for r in range(args.rounds):
        for v in versions if r % 2 == 0 else versions[::-1]:
            print(f"{v}: {_child(args.what, v, args.index if args.what == 'latency' else source)}")


if __name__ == "__main__":
    main()
