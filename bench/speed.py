"""Speed and scale of searchidx against the engines a user would pick instead, in ONE command run.

    python bench/speed.py --data ../shared/data                       # 36k, all engines
    python bench/speed.py --data ../shared/data --sizes 1000,10000,36152 --big   # + 360k growth point
    python bench/speed.py --sizes 361520 --engines searchidx-none --growth-engines searchidx-none \
        --queries 300 --quality 0 --keep /tmp/big360/ix                 # 360k only, index kept on disk
    python bench/speed.py --reuse /tmp/big360/ix --engines searchidx-none --queries 300   # latency only
    (--rows FILE on several runs: the plot shows every size of every run, e.g. the 360k run with the others)

Every (engine, size) job runs in a fresh *spawned* child process (so its peak RSS is its own), reads the
same JSON Lines file, builds its index in a temporary folder, then measures warm query latency on the
short (``news-dev-short``) and long (``news-dev``, whole ledes) query sets.  For searchidx it also times
the cold CLI (``python -m searchidx search``, process start to exit) and checks its ranking against Whoosh's
own matchers on the same index (MRR@10 of both, share of identical top-10 pages; first ``--quality``
queries of each set).

Peers: SQLite FTS5 (stdlib sqlite3, unicode61 remove_diacritics 2), Tantivy (pip ``tantivy``: lowercase,
French stop words, Snowball French, ASCII folding), plain Whoosh ``LanguageAnalyzer("fr")``.
Prints markdown tables; writes ``speed.png`` (index time and short-query p50 against size) when
matplotlib is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing as mp
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("sqlite", "tantivy", "whoosh", "searchidx", "searchidx-none")
NEWS_SIZE = 36152
FACETS = ("person", "org", "place")
_WORD = re.compile(r"\w+")


# ----------------------------------------------------------------------------------------------- data


def records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def make_corpus(news: Path, size: int, folder: Path) -> Path:
    """The first ``size`` articles (or the corpus replicated with distinct ids), as a .jsonl.gz file."""
    if size == NEWS_SIZE:
        return news
    out = folder / f"news-{size}.jsonl.gz"
    n = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as f:
        copy = 0
        while n < size:
            for rec in records(news):
                if n >= size:
                    break
                if copy:
                    rec = {**rec, "id": f"{rec['id']}-c{copy}"}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
            copy += 1
    return out


def load_queries(path: Path, n: int) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line, _ in zip(f, range(n), strict=False)]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


CPU: list[float] = []  # CPU ms of the last `timed` call's queries: latency without the other tenants' load


def timed(fn: Callable[[str], list[str]], queries: list[dict[str, Any]]) -> tuple[list[float], list[list[str]]]:
    """Warm wall latencies in ms (each query once, after a warm-up pass over the first 20); a query the
    engine rejects counts as no result (its time is still measured)."""
    for q in queries[:20]:
        _safe(fn, q["query"])
    lat, ids = [], []
    CPU.clear()
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        top = _safe(fn, q["query"])
        lat.append((time.perf_counter() - t) * 1000)
        CPU.append((time.process_time() - c) * 1000)
        ids.append(top)
    return lat, ids


def _safe(fn: Callable[[str], list[str]], text: str) -> list[str]:
    try:
        return fn(text)
    except Exception:  # e.g. a lede with an unbalanced quote: a syntax error for a strict query language
        return []


def mrr(queries: list[dict[str, Any]], ranked: list[list[str]]) -> tuple[float, float]:
    rr = hit = 0.0
    for q, top in zip(queries, ranked, strict=True):
        rel = set(q["relevant"])
        for rank, doc in enumerate(top[:10], 1):
            if doc in rel:
                rr += 1 / rank
                hit += 1
                break
    return rr / max(len(queries), 1), hit / max(len(queries), 1)


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def rss_mb() -> float:
    """Peak RSS of this process or of any of its (waited-for) children, e.g. searchidx's worker pool."""
    return max(self_rss_mb(), children_rss_mb())


def self_rss_mb() -> float:
    """Peak RSS of this process alone: for searchidx, the writer (it holds the posting pool)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_rss_mb() -> float:
    """Peak RSS of the largest waited-for child (a worker of searchidx's pool; each worker, not their sum)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class RssSampler(threading.Thread):
    """Every ``period`` seconds, appends the RSS of this process and of each child (searchidx's workers) and
    the load average to ``log``; keeps the peak of their sum (``getrusage`` only knows the largest process).
    Linux only (reads /proc); elsewhere it logs nothing and the peak stays 0."""

    def __init__(self, log: Path, period: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.log, self.period = log, period
        self.peak_total_mb = 0.0
        self.stopped = threading.Event()

    @staticmethod
    def _rss_mb(pid: int | str) -> float:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def sample(self) -> None:
        me = os.getpid()
        children: list[str] = []
        for task in Path(f"/proc/{me}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                children += task.read_text().split()
        rss = {me: self._rss_mb(me), **{int(c): self._rss_mb(c) for c in children}}
        total = sum(rss.values())
        self.peak_total_mb = max(self.peak_total_mb, total)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        with self.log.open("a", encoding="utf-8") as f:
            f.write(f"{time.strftime('%H:%M:%S')} load {load} total_mb {total:.0f} "
                    + " ".join(f"{pid}:{mb:.0f}" for pid, mb in rss.items()) + "\n")

    def run(self) -> None:
        while not self.stopped.wait(self.period):
            self.sample()

    def stop(self) -> float:
        self.stopped.set()
        self.sample()
        return self.peak_total_mb


# -------------------------------------------------------------------------------------------- engines


class Engine:
    """Build an index from a .jsonl.gz file, then answer a query with the top 10 ids."""

    def build(self, corpus: Path, where: Path) -> None:
        raise NotImplementedError

    def search(self, text: str) -> list[str]:
        raise NotImplementedError


class SQLite(Engine):
    def build(self, corpus: Path, where: Path) -> None:
        import sqlite3

        self.path = where / "fts.db"
        self.db = sqlite3.connect(self.path)
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        rows = ((r["id"], r.get("title") or "", r.get("body") or "") for r in records(corpus))
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
        self.db.commit()
        self.db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self.db.commit()

    def search(self, text: str) -> list[str]:
        words = _WORD.findall(text)
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
        sql = "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10"
        return [row[0] for row in self.db.execute(sql, (match,))]


def tantivy_index(where: Path) -> Any:
    """A Tantivy index of id, title and body in ``where``, French analysis (the peer of the benchmarks)."""
    import tantivy

    fr = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("french"))
        .filter(tantivy.Filter.stemmer("french"))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=False, tokenizer_name="fr")
    sb.add_text_field("body", stored=False, tokenizer_name="fr")
    index = tantivy.Index(sb.build(), path=str(where))
    index.register_tokenizer("fr", fr)
    return index


class Tantivy(Engine):
    def build(self, corpus: Path, where: Path) -> None:
        import tantivy

        self.index = tantivy_index(where)
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for r in records(corpus):
            writer.add_document(tantivy.Document(id=r["id"], title=r.get("title") or "", body=r.get("body") or ""))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str) -> list[str]:
        words = _WORD.findall(text)
        if not words:
            return []
        q = self.index.parse_query(" ".join(words), ["title", "body"], field_boosts={"title": 2.0})
        hits = self.searcher.search(q, 10).hits
        return [self.searcher.doc(addr)["id"][0] for _, addr in hits]


class PlainWhoosh(Engine):
    def build(self, corpus: Path, where: Path) -> None:
        from whoosh import fields, index, qparser
        from whoosh.analysis import LanguageAnalyzer

        ana = LanguageAnalyzer("fr")
        schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                               title=fields.TEXT(analyzer=ana, field_boost=2.0), body=fields.TEXT(analyzer=ana))
        self.ix = index.create_in(str(where), schema)
        writer = self.ix.writer(limitmb=256)
        for r in records(corpus):
            writer.add_document(id=r["id"], title=r.get("title") or "", body=r.get("body") or "")
        writer.commit()
        self.searcher = self.ix.searcher()
        self.parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)

    def search(self, text: str) -> list[str]:
        q = self.parser.parse(" ".join(_WORD.findall(text)))
        return [hit["id"] for hit in self.searcher.search(q, limit=10)]


class Searchidx(Engine):
    def __init__(self, entities: str, commit_every: int = 0) -> None:
        self.entities = entities
        self.commit_every = commit_every
        self.last_added = 0.0  # perf_counter when the last article went to the writer: the rest is the commit

    def build(self, corpus: Path, where: Path) -> None:
        from searchidx import Index

        def progress(n: int) -> None:
            self.last_added = time.perf_counter()

        self.idx = Index.create(where, entities=self.entities, overwrite=True)
        self.report = self.idx.add([str(corpus)], commit_every=self.commit_every, progress=progress)
        self.committed = time.perf_counter()
        self.idx.search("x")

    def attach(self, where: Path) -> None:
        """Uses the index already in ``where`` (``--reuse``): latency without rebuilding."""
        from searchidx import Index

        self.idx = Index.open(where)
        self.idx.search("x")

    def search(self, text: str) -> list[str]:
        return [h.id for h in self.idx.search(text, limit=10).hits]

    def search_facets(self, text: str) -> list[str]:
        return [h.id for h in self.idx.search(text, limit=10, facets=FACETS).hits]

    def search_whoosh(self, text: str) -> list[str]:
        """The same query ranked by Whoosh's own matchers on the same index (all words, else any word):
        the reference the numpy evaluation must equal."""
        searcher = self.idx.backend.searcher()
        parsed = self.idx.backend.compile(text)
        results = searcher.search(parsed.strict, limit=10)
        if results.is_empty() and not parsed.browse:
            results = searcher.search(parsed.loose, limit=10)
        return [searcher.stored_fields(hit.docnum)["id"] for hit in results]


def make_engine(name: str, commit_every: int = 0) -> Engine:
    if name == "sqlite":
        return SQLite()
    if name == "tantivy":
        return Tantivy()
    if name == "whoosh":
        return PlainWhoosh()
    if name == "searchidx":
        return Searchidx("builtin", commit_every)
    if name == "searchidx-none":
        return Searchidx("none", commit_every)
    raise SystemExit(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")


# ------------------------------------------------------------------------------------------------ jobs


def cold_cli(index: Path, runs: int = 5) -> float:
    """Median wall time of ``python -m searchidx search`` on the built index (process start to exit)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    walls = []
    for word in ("Macron", "incendie Australie", "parquet Paris ouvert enquête", "football", "élection")[:runs]:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "searchidx", "search", word, "--index", str(index), "-n", "10"],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls)


def job(name: str, corpus: str, size: int, args: dict[str, Any], out: Any) -> None:
    """One (engine, size) measurement, run in a spawned child; sends a dict of figures to ``out``."""
    sys.path.insert(0, str(ROOT))
    data = Path(args["data"])
    keep = args.get("keep") or args.get("reuse")
    where = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=f"speed-{name}-", dir=args["tmp"]))
    try:
        engine = make_engine(name, args.get("commit_every", 0))
        row: dict[str, Any] = {"engine": name, "size": size}
        if args.get("reuse"):
            if not isinstance(engine, Searchidx):
                raise SystemExit("--reuse measures searchidx indexes only")
            t = time.perf_counter()
            engine.attach(where)
            row.update(size=len(engine.idx), open_s=time.perf_counter() - t, index_s=float("nan"))
        else:
            sampler = RssSampler(Path(args["rss_log"])) if args.get("rss_log") else None
            if sampler:
                sampler.start()
            t = time.perf_counter()
            engine.build(Path(corpus), where)
            row["index_s"] = time.perf_counter() - t
            if sampler:
                row["sampled_total_rss_mb"] = sampler.stop()
            if isinstance(engine, Searchidx) and engine.last_added:
                row["commit_s"] = engine.committed - engine.last_added
            row.update(writer_rss_mb=self_rss_mb(), worker_rss_mb=children_rss_mb())
        row.update(rss_mb=rss_mb(), disk_mb=folder_size(where) / 1e6, load=os.getloadavg()[0])
        size = row["size"]
        nq = args["queries"]
        short = load_queries(data / "relevance" / "news-dev-short.jsonl", nq)
        long = load_queries(data / "relevance" / "news-dev.jsonl", nq)
        lat, _ = timed(engine.search, short)
        row["short_p50"], row["short_p95"] = pct(lat, 50), pct(lat, 95)
        row["short_cpu_p50"], row["short_cpu_p95"] = pct(CPU, 50), pct(CPU, 95)
        if isinstance(engine, Searchidx):
            lat, _ = timed(engine.search_facets, short)
            row["facet_p50"], row["facet_p95"] = pct(lat, 50), pct(lat, 95)
            row["facet_cpu_p50"], row["facet_cpu_p95"] = pct(CPU, 50), pct(CPU, 95)
        nl = nq if size <= NEWS_SIZE else min(nq, 100)
        lat, ranked = timed(engine.search, long[:nl])
        row["long_p50"], row["long_p95"] = pct(lat, 50), pct(lat, 95)
        row["long_cpu_p50"], row["long_cpu_p95"] = pct(CPU, 50), pct(CPU, 95)
        row["query_load"] = os.getloadavg()[0]
        if isinstance(engine, Searchidx) and args.get("reuse"):
            engine.idx.close()
            row["cold_cli_s"] = cold_cli(where)
        elif isinstance(engine, Searchidx) and size == NEWS_SIZE:
            if args["quality"] and name == "searchidx-none":  # entities do not change the text ranking
                row["quality"] = args["quality"]
                for key, file in (("", "news-dev.jsonl"), ("short_", "news-dev-short.jsonl")):
                    qual = load_queries(data / "relevance" / file, args["quality"])
                    _, ranked = timed(engine.search, qual)
                    row[f"{key}mrr_ours"], row[f"{key}hit_ours"] = mrr(qual, ranked)
                    lat, reference = timed(engine.search_whoosh, qual)
                    row[f"{key}mrr_whoosh"], row[f"{key}hit_whoosh"] = mrr(qual, reference)
                    row[f"{key}same_pages"] = sum(a == b for a, b in zip(ranked, reference, strict=True)) / len(qual)
                    row[f"{key}whoosh_cpu_p50"], row[f"{key}whoosh_cpu_p95"] = pct(CPU, 50), pct(CPU, 95)
            engine.idx.close()
            row["cold_cli_s"] = cold_cli(where)
        out.send(row)
    except BaseException as exc:  # report, so one failing peer does not sink the whole run
        out.send({"engine": name, "size": size, "error": f"{type(exc).__name__}: {exc}"})
        raise
    finally:
        if not keep:
            shutil.rmtree(where, ignore_errors=True)


def run_job(name: str, corpus: Path, size: int, args: dict[str, Any]) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=job, args=(name, str(corpus), size, args, send))
    proc.start()
    send.close()
    row: dict[str, Any]
    try:
        row = recv.recv()
    except EOFError:
        row = {"engine": name, "size": size, "error": f"child died (exit {proc.exitcode})"}
    proc.join()
    print(f"  {name} @ {row.get('size', size)}: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in row.items() if k not in ("engine", "size")), flush=True)
    return row


# --------------------------------------------------------------------------------------------- output


def fmt(v: Any, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def print_tables(rows: list[dict[str, Any]], raw_mb: dict[int, float]) -> None:
    main = [r for r in rows if r["size"] == NEWS_SIZE and "error" not in r]
    if main:
        base = next((r["index_s"] for r in main if r["engine"] == "whoosh"), None)
        print(f"\n### {NEWS_SIZE:,} articles (raw text {raw_mb.get(NEWS_SIZE, 0):.1f} MB)\n")
        print("| engine | index s | docs/s | × plain Whoosh | disk MB | × raw | peak RSS MB | short p50/p95 ms "
              "| +3 facets p50/p95 ms | long p50/p95 ms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in main:
            ratio = fmt(r["index_s"] / base, 2) if base else "–"
            facet = f"{fmt(r.get('facet_p50'))} / {fmt(r.get('facet_p95'))}" if "facet_p50" in r else "–"
            print(f"| {r['engine']} | {r['index_s']:.1f} | {r['size'] / r['index_s']:.0f} | {ratio} "
                  f"| {r['disk_mb']:.1f} | {r['disk_mb'] / raw_mb[NEWS_SIZE]:.2f} | {r['rss_mb']:.0f} "
                  f"| {fmt(r['short_p50'])} / {fmt(r['short_p95'])} | {facet} "
                  f"| {fmt(r['long_p50'])} / {fmt(r['long_p95'])} |")
        print("\nSame queries, CPU time of the searching process (what the latency is without other load on the "
              "machine; load average at index end in the last column):\n")
        print("| engine | short p50/p95 CPU ms | +3 facets p50/p95 CPU ms | long p50/p95 CPU ms | load |")
        print("|---|---|---|---|---|")
        for r in main:
            facet = f"{fmt(r.get('facet_cpu_p50'))} / {fmt(r.get('facet_cpu_p95'))}" if "facet_p50" in r else "–"
            print(f"| {r['engine']} | {fmt(r['short_cpu_p50'])} / {fmt(r['short_cpu_p95'])} | {facet} "
                  f"| {fmt(r['long_cpu_p50'])} / {fmt(r['long_cpu_p95'])} | {r['load']:.1f} |")
        for r in main:
            for key, label in (("", "long (news-dev)"), ("short_", "short (news-dev-short)")):
                if key + "mrr_ours" in r:
                    print(f"\n{r['engine']}: {label}, first {ns_quality(r)} queries: MRR@10 "
                          f"{r[key + 'mrr_ours']:.4f} vs {r[key + 'mrr_whoosh']:.4f} with Whoosh's own matchers "
                          f"(hit@10 {r[key + 'hit_ours']:.3f} vs {r[key + 'hit_whoosh']:.3f}; identical top 10: "
                          f"{100 * r[key + 'same_pages']:.1f}% of queries); Whoosh's matchers p50/p95 "
                          f"{r[key + 'whoosh_cpu_p50']:.0f}/{r[key + 'whoosh_cpu_p95']:.0f} ms CPU")
            if "cold_cli_s" in r:
                print(f"\n{r['engine']}: cold CLI search {r['cold_cli_s']:.2f} s")
    sizes = sorted({r["size"] for r in rows})
    if len(sizes) > 1:
        print("\n### Growth\n")
        print("| engine | size | index s | disk MB | peak RSS MB | short p50 ms | long p50 ms |")
        print("|---|---|---|---|---|---|---|")
        for r in sorted((r for r in rows if "error" not in r), key=lambda r: (r["engine"], r["size"])):
            print(f"| {r['engine']} | {r['size']:,} | {r['index_s']:.1f} | {r['disk_mb']:.1f} | {r['rss_mb']:.0f} "
                  f"| {fmt(r['short_p50'])} | {fmt(r['long_p50'])} |")
    for r in rows:
        if "error" in r:
            print(f"\n{r['engine']} @ {r['size']}: FAILED {r['error']}")


def ns_quality(row: dict[str, Any]) -> int:
    return int(row.get("quality", 0))


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot)")
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for name in sorted({r["engine"] for r in rows}):
        pts = sorted((r["size"], r["index_s"], r["short_p50"])
                     for r in rows if r["engine"] == name and "error" not in r)
        if not pts:
            continue
        a.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
        b.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=name)
    for ax, label in ((a, "index time (s)"), (b, "short query p50 (ms)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    a.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"(plot written to {path})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    ap.add_argument("--sizes", default=str(NEWS_SIZE), help="comma-separated corpus sizes (36152 = the news corpus)")
    ap.add_argument("--big", action="store_true", help="add the 360k-document growth point (long)")
    ap.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, from {', '.join(ENGINES)}")
    ap.add_argument("--growth-engines", default="searchidx-none,whoosh,sqlite,tantivy",
                    help="engines measured at sizes other than 36152")
    ap.add_argument("--queries", type=int, default=300, help="queries per latency set")
    ap.add_argument("--quality", type=int, default=100,
                    help="queries per set for the check against Whoosh's own matchers (0: skip)")
    ap.add_argument("--plot", default="speed.png", help="PNG path (needs matplotlib)")
    ap.add_argument("--tmp", default=None, help="folder for the temporary indexes")
    ap.add_argument("--commit-every", type=int, default=0, help="searchidx: commit every N articles (0: once)")
    ap.add_argument("--keep", default=None, metavar="FOLDER",
                    help="build the (single) searchidx index in FOLDER (new or empty) and keep it")
    ap.add_argument("--rss-log", default=None, metavar="FILE",
                    help="while indexing, append the RSS of the indexing process and its workers every 10 s")
    ap.add_argument("--rows", default=None, metavar="FILE",
                    help="append this run's results to FILE (JSON Lines) and plot every size found there, so "
                         "a separate 360k run joins the curve (the latest row of each engine and size wins)")
    ap.add_argument("--reuse", default=None, metavar="FOLDER",
                    help="no build: measure query latency on the searchidx index already in FOLDER")
    ns = ap.parse_args()
    if ns.reuse:
        reuse(ns)
        return
    data = Path(ns.data).resolve()
    news = data / "news" / "orangesum.jsonl.gz"
    if not news.exists():
        raise SystemExit(f"{news} not found; pass --data PATH/TO/shared/data")
    sizes = [int(s) for s in ns.sizes.split(",") if s]
    if ns.big:
        sizes.append(10 * NEWS_SIZE)
    engines = [e for e in ns.engines.split(",") if e]
    growth = set(ns.growth_engines.split(","))
    if ns.keep:
        keep = Path(ns.keep)
        jobs = [(s, e) for s in sizes for e in engines if s == NEWS_SIZE or e in growth]
        if len(jobs) != 1 or not jobs[0][1].startswith("searchidx"):
            raise SystemExit(f"--keep needs exactly one searchidx job (one size, one engine), not {jobs}")
        if keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: the folder is not empty")
    args = {"data": str(data), "queries": ns.queries, "quality": ns.quality, "tmp": ns.tmp,
            "commit_every": ns.commit_every, "keep": ns.keep, "rss_log": ns.rss_log}
    rows: list[dict[str, Any]] = []
    raw_mb: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="speed-data-", dir=ns.tmp) as tmp:
        for size in sizes:
            corpus = make_corpus(news, size, Path(tmp))
            raw_mb[size] = sum(len((r.get("title") or "").encode()) + len((r.get("body") or "").encode())
                               for r in records(corpus)) / 1e6
            print(f"{size:,} articles, {raw_mb[size]:.1f} MB of title+body text", flush=True)
            for name in engines:
                if size == NEWS_SIZE or name in growth:
                    rows.append(run_job(name, corpus, size, args))
            if corpus != news:
                corpus.unlink()
    print(f"\ncommand: python {' '.join(sys.argv)}  (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print_tables(rows, raw_mb)
    plotted = rows
    if ns.rows:
        plotted = saved_rows(Path(ns.rows), rows)
    if ns.plot and len({r["size"] for r in plotted}) > 1:
        plot(plotted, Path(ns.plot))


def saved_rows(path: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Appends ``rows`` to ``path``; every row there, the latest of each (engine, size)."""
    with path.open("a", encoding="utf-8") as f:
        for row in rows:
            if "error" not in row:
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            latest[(row["engine"], row["size"])] = row
    return list(latest.values())


def reuse(ns: argparse.Namespace) -> None:
    """``--reuse FOLDER``: warm query latency on an existing searchidx index, nothing rebuilt."""
    folder = Path(ns.reuse).resolve()
    engines = [e for e in ns.engines.split(",") if e.startswith("searchidx")] or ["searchidx-none"]
    args = {"data": str(Path(ns.data).resolve()), "queries": ns.queries, "quality": 0, "tmp": ns.tmp,
            "reuse": str(folder)}
    row = run_job(engines[0], folder, 0, args)
    print(f"\ncommand: python {' '.join(sys.argv)}  (python {sys.version.split()[0]}, {os.cpu_count()} cores)\n")
    if "error" in row:
        print(f"FAILED {row['error']}")
        return
    print("| index | documents | disk MB | open s | short p50/p95 ms | +3 facets p50/p95 ms | long p50/p95 ms "
          "| short CPU p50/p95 ms | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {folder} | {row['size']:,} | {row['disk_mb']:.1f} | {row['open_s']:.2f} "
          f"| {fmt(row['short_p50'])} / {fmt(row['short_p95'])} | {fmt(row['facet_p50'])} / {fmt(row['facet_p95'])} "
          f"| {fmt(row['long_p50'])} / {fmt(row['long_p95'])} "
          f"| {fmt(row['short_cpu_p50'])} / {fmt(row['short_cpu_p95'])} | {row['query_load']:.1f} |")
    print(f"\ncold CLI search (process start to exit, median of 5 words): {row['cold_cli_s']:.2f} s")


if __name__ == "__main__":
    main()
