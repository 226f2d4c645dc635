"""searchidx at scale (issue 17): N rotated copies of the news corpus, indexed and queried, Tantivy in the same run.

    python bench/scale.py --copies 3                       # ~108k articles: corpus, both indexes, latency
    python bench/scale.py --copies 3 --reuse               # latency again on the indexes already built
    python bench/scale.py --copies 28 --work /big/scale28  # the 1M point (1,012,256 articles)

The corpus is ``../shared/data/news`` (36,152 articles) written ``--copies`` times into one JSON Lines file,
streamed (never held in memory): copy 0 is the original (so the relevance judgments hold), copy c > 0 has
ids ``<id>-c<c>`` and each body's sentences rotated by c, so no two copies of a text are equal.  MRR@10
counts a copy of the relevant article as relevant (searchidx folds the copies into one hit, shown by its
best-ranked copy; Tantivy ranks the equal bags of words of the copies by document order, original first).

Each engine's index is built in a fresh spawned process (its peak RSS is its own, workers included: the
process tree is sampled every second) while the index folder and the process's temporary folder are
sampled for the peak temporary disk (blocks allocated).  Then, warm: ``--queries`` of ``news-dev-short``
(4 words), the same with three facets (person, org, place), and ``news-dev`` ledes pasted whole; p50 / p95
wall and CPU ms.
searchidx goes through `Index.search` (the CLI's path); then each query's first ten (every copy its own hit)
are compared with exhaustive scoring, the query evaluated whole for every match and every score sorted
(``--no-exhaustive`` skips it).  Tantivy (PyPI ``tantivy``: lowercase, French stop words, Snowball French
stemmer, ASCII folding; one indexing thread) answers the same words as a bag of words (OR).

``--baseline DIR`` also measures the searchidx index with the code in DIR (e.g. main, exported by
``git archive main | tar -x -C DIR``) in the same run: the "before" of a change, on the same index.

Results print as markdown and are appended as JSON to ``--rows`` (default ``bench/out/scale-rows.jsonl``).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing as mp
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import CPU, RssSampler, folder_size, load_queries, mrr, pct, records, tantivy_index, timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FACETS = ("person", "org", "place")
_SENTENCE = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«\"])")
_WORD = re.compile(r"\w+")
_COPY = re.compile(r"-c\d+$")


def _original(id: str) -> str:
    """The article a copy was made from (a copy of the relevant article is the relevant article: searchidx
    folds the copies of a text into one hit, shown by its best-ranked copy)."""
    return _COPY.sub("", id)


def rotated(body: str, copy: int) -> str:
    """``body`` with its sentences rotated left by ``copy`` (a one-sentence body is left as is)."""
    parts = _SENTENCE.split(body)
    if copy == 0 or len(parts) < 2:
        return body
    k = copy % len(parts)
    return " ".join(parts[k:] + parts[:k])


def write_corpus(news: Path, copies: int, out: Path) -> tuple[int, float]:
    """Writes the corpus (streaming, gzip level 1) to ``out``; returns (articles, MB of title + body)."""
    n, size = 0, 0
    tmp = out.with_name(out.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
        for copy in range(copies):
            for rec in records(news):
                if copy:
                    rec = {**rec, "id": f"{rec['id']}-c{copy}", "body": rotated(rec.get("body") or "", copy)}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
                size += len((rec.get("title") or "").encode()) + len((rec.get("body") or "").encode())
    tmp.replace(out)
    return n, size / 1e6


class DiskSampler(threading.Thread):
    """The peak disk space taken by some folders (blocks allocated, so the freed start of a file whose
    blocks went back to the file system while it is read does not count), sampled every ``period`` seconds."""

    def __init__(self, folders: list[Path], period: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.folders, self.period = folders, period
        self.peak = 0
        self.stopped = threading.Event()

    def sample(self) -> None:
        total = 0
        for folder in self.folders:
            with contextlib.suppress(OSError):  # files come and go while the index is written
                total += sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())
        self.peak = max(self.peak, total)

    def run(self) -> None:
        while not self.stopped.wait(self.period):
            self.sample()

    def stop(self) -> int:
        self.stopped.set()
        self.sample()
        return self.peak


# -------------------------------------------------------------------------------------------- engines


class Tantivy:
    def __init__(self, where: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy_index(where)

    def build(self, corpus: Path) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for r in records(corpus):
            writer.add_document(self.tantivy.Document(id=r["id"], title=r.get("title") or "",
                                                      body=r.get("body") or ""))
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str) -> list[str]:
        words = _WORD.findall(text)
        if not words:
            return []
        q = self.index.parse_query(" ".join(words), ["title", "body"])
        hits = self.searcher.search(q, 10).hits
        return [self.searcher.doc(addr)["id"][0] for _, addr in hits]


class Searchidx:
    def __init__(self, where: Path, entities: str) -> None:
        self.where, self.entities = where, entities

    def build(self, corpus: Path) -> None:
        from searchidx import Index

        with Index.create(self.where, entities=self.entities, overwrite=True) as idx:
            idx.add([str(corpus)])

    def open(self) -> None:
        from searchidx import Index

        self.idx = Index.open(self.where)
        self.idx.search("x", facets=FACETS)

    def search(self, text: str) -> list[str]:
        return [h.id for h in self.idx.search(text, limit=10).hits]

    def search_facets(self, text: str) -> list[str]:
        return [h.id for h in self.idx.search(text, limit=10, facets=FACETS).hits]

    def exhaustive(self, texts: list[str]) -> dict[str, float]:
        """Each query's first ten (every copy its own hit) against exhaustive scoring: the query evaluated
        as a whole for every matching article (not the sparse sums of the default path), then every score
        sorted, ties by document number. The share of equal id lists, the largest score difference (hits
        show scores rounded to 4 decimals) and what the exhaustive way costs (wall ms p50)."""
        import numpy as np

        from searchidx.engines.whoosh import ranking

        backend: Any = self.idx.backend  # the Whoosh backend's internals
        collection = backend._arrays()
        same, diff, lat = 0, 0.0, []
        for text in texts:
            hits = self.idx.search(text, limit=10, suggest=False, all_versions=True).hits
            t = time.perf_counter()
            with mock.patch.object(ranking, "_word_clauses", lambda *_: None):
                found = ranking.rank(collection, backend.compile(text)).found
            docs = np.flatnonzero(found.mask & collection.live)
            best = docs[np.lexsort((docs, -found.scores[docs]))][:10]
            lat.append((time.perf_counter() - t) * 1000)
            same += [h.id for h in hits] == [backend.doc_id(int(d)) for d in best]
            diff = max([diff] + [abs(h.score - float(found.scores[d])) for h, d in zip(hits, best, strict=False)])
        return {"same_top10": same / len(texts), "max_score_diff": diff, "exhaustive_p50": pct(lat, 50)}


def job(name: str, corpus: str, where: str, args: dict[str, Any], out: Any) -> None:
    """One engine: build (unless reusing) and measure, in a spawned child; sends a dict of figures."""
    sys.path.insert(0, str(ROOT))
    if name == "baseline":  # the same index, searched by the code in --baseline
        sys.path.insert(0, args["baseline"])
    folder = Path(where)
    try:
        row: dict[str, Any] = {"engine": name, "copies": args["copies"], "articles": args["articles"]}
        if not args["reuse"]:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            tmp = folder.parent / f"{folder.name}.tmpdir"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            os.environ["TMPDIR"] = str(tmp)
            tempfile.tempdir = str(tmp)
            engine: Any = Tantivy(folder) if name == "tantivy" else Searchidx(folder, args["entities"])
            rss = RssSampler(Path(args["work"]) / f"{name}.rss.log", period=1.0)
            disk = DiskSampler([folder, tmp])
            rss.start()
            disk.start()
            t = time.perf_counter()
            engine.build(Path(corpus))
            row["index_s"] = time.perf_counter() - t
            row["peak_rss_mb"] = rss.stop()
            row["peak_disk_mb"] = disk.stop() / 1e6
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            engine = Tantivy(folder) if name == "tantivy" else Searchidx(folder, args["entities"])
        row["disk_mb"] = folder_size(folder) / 1e6
        t = time.perf_counter()
        engine.open()
        row["open_s"] = time.perf_counter() - t
        data = Path(args["data"]) / "relevance"
        sets = {"short": load_queries(data / "news-dev-short.jsonl", args["queries"]),
                "lede": load_queries(data / "news-dev.jsonl", args["queries"])}
        runs: list[tuple[str, str, Callable[[str], list[str]]]] = [
            ("short", "short", engine.search), ("lede", "lede", engine.search)]
        if name != "tantivy":
            runs.insert(1, ("facets", "short", engine.search_facets))
        for label, qset, fn in runs:
            lat, ranked = timed(fn, sets[qset])
            cpu = list(CPU)
            row[f"{label}_p50"], row[f"{label}_p95"] = pct(lat, 50), pct(lat, 95)
            row[f"{label}_cpu_p50"], row[f"{label}_cpu_p95"] = pct(cpu, 50), pct(cpu, 95)
            if label != "facets":
                row[f"{label}_mrr"] = mrr(sets[qset], [[_original(i) for i in top] for top in ranked])[0]
        row["load"] = os.getloadavg()[0]
        if name == "searchidx" and args["exhaustive"]:
            for label in ("short", "lede"):
                row.update({f"{label}_{k}": v for k, v in
                            engine.exhaustive([str(q["query"]) for q in sets[label]]).items()})
        out.send(row)
    except BaseException as exc:  # report, so one failing engine does not sink the other
        out.send({"engine": name, "error": f"{type(exc).__name__}: {exc}"})
        raise


def run_job(name: str, corpus: Path, where: Path, args: dict[str, Any]) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=job, args=(name, str(corpus), str(where), args, send))
    proc.start()
    send.close()
    try:
        row: dict[str, Any] = recv.recv()
    except EOFError:
        row = {"engine": name, "error": f"child died (exit {proc.exitcode})"}
    proc.join()
    print(f"  {name}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in row.items() if k != "engine"), flush=True)
    return row


def fmt(row: dict[str, Any], key: str, digits: int = 1) -> str:
    v = row.get(key)
    return "–" if v is None else f"{v:,.{digits}f}"


def pair(row: dict[str, Any], key: str) -> str:
    return f"{fmt(row, key + '_p50')} / {fmt(row, key + '_p95')}" if key + "_p50" in row else "–"


def print_table(rows: list[dict[str, Any]], articles: int, mb: float) -> None:
    print(f"\n### {articles:,} articles ({mb:,.0f} MB of title + body)\n")
    print("| engine | index s | index MB | peak disk MB | peak RSS MB | 4-word p50 / p95 ms | + 3 facets p50 / p95 ms "
          "| lede p50 / p95 ms | MRR@10 short / lede |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['engine']} | FAILED: {r['error']} |")
            continue
        print(f"| {r['engine']} | {fmt(r, 'index_s')} | {fmt(r, 'disk_mb', 0)} | {fmt(r, 'peak_disk_mb', 0)} "
              f"| {fmt(r, 'peak_rss_mb', 0)} | {pair(r, 'short')} | {pair(r, 'facets')} | {pair(r, 'lede')} "
              f"| {fmt(r, 'short_mrr', 4)} / {fmt(r, 'lede_mrr', 4)} |")
    print("\nCPU time of the searching process, ms (the latency without the other tenants of the machine):\n")
    print("| engine | 4-word p50 / p95 | + 3 facets p50 / p95 | lede p50 / p95 |")
    print("|---|---|---|---|")
    for r in rows:
        if "short_cpu_p50" in r:
            print(f"| {r['engine']} | {pair(r, 'short_cpu')} | {pair(r, 'facets_cpu')} | {pair(r, 'lede_cpu')} |")
    for r in rows:
        if "short_same_top10" in r:
            print(f"\n{r['engine']} against exhaustive scoring (the query evaluated whole for every match, every "
                  f"score sorted): same first ten ids in {r['short_same_top10']:.1%} of 4-word queries and "
                  f"{r['lede_same_top10']:.1%} of ledes; largest difference of a shown score (4 decimals) "
                  f"{max(r['short_max_score_diff'], r['lede_max_score_diff']):.2g}; exhaustive p50 "
                  f"{r['short_exhaustive_p50']:,.0f} / {r['lede_exhaustive_p50']:,.0f} ms")
    for r in rows:
        print(f"{r['engine']}: load average {r.get('load', 0):.1f} at the end of its queries")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=1, help="copies of the 36,152 news articles (28: ~1M)")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    ap.add_argument("--work", default=None, help="folder for the corpus and indexes (default: TMP/searchidx-scale-N)")
    ap.add_argument("--reuse", action="store_true", help="keep the corpus and indexes already in --work")
    ap.add_argument("--engines", default="searchidx,tantivy", help="comma-separated: searchidx, tantivy")
    ap.add_argument("--entities", default="builtin", help="searchidx's entity extractor (builtin, none)")
    ap.add_argument("--queries", type=int, default=300, help="queries per set")
    ap.add_argument("--no-exhaustive", dest="exhaustive", action="store_false",
                    help="skip comparing searchidx's first ten with exhaustive scoring")
    ap.add_argument("--baseline", default=None, metavar="DIR",
                    help="also search the searchidx index with the searchidx code in DIR (needs --reuse)")
    ap.add_argument("--rows", default=str(ROOT / "bench" / "out" / "scale-rows.jsonl"),
                    help="JSON Lines file to append to")
    ns = ap.parse_args()
    if ns.copies < 1:
        raise SystemExit("--copies must be 1 or more")
    data = Path(ns.data).resolve()
    news = data / "news" / "orangesum.jsonl.gz"
    if not news.exists():
        raise SystemExit(f"{news} not found; pass --data PATH/TO/shared/data")
    work = Path(ns.work or Path(tempfile.gettempdir()) / f"searchidx-scale-{ns.copies}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.jsonl.gz"
    meta = work / "corpus.json"
    if ns.reuse and meta.exists() and corpus.exists():
        articles, mb = json.loads(meta.read_text())
    else:
        t = time.perf_counter()
        articles, mb = write_corpus(news, ns.copies, corpus)
        meta.write_text(json.dumps([articles, mb]))
        print(f"corpus: {articles:,} articles, {mb:,.0f} MB, written in {time.perf_counter() - t:.0f} s", flush=True)
    args = {"data": str(data), "queries": ns.queries, "reuse": ns.reuse, "copies": ns.copies, "articles": articles,
            "entities": ns.entities, "work": str(work), "exhaustive": ns.exhaustive,
            "baseline": str(Path(ns.baseline).resolve()) if ns.baseline else None}
    engines = [e for e in ns.engines.split(",") if e]
    if ns.baseline:
        if not ns.reuse:
            raise SystemExit("--baseline needs --reuse (the baseline searches the searchidx index already built)")
        engines.insert(0, "baseline")
    rows = []
    for name in engines:
        if name not in ("searchidx", "tantivy", "baseline"):
            raise SystemExit(f"unknown engine {name!r}; choose from searchidx, tantivy")
        where = work / ("searchidx" if name == "baseline" else name)
        if ns.reuse and not where.exists():
            raise SystemExit(f"--reuse: no {name} index in {where}")
        rows.append(run_job(name, corpus, where, args))
    print(f"\ncommand: python {' '.join(sys.argv)}  (python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M')})")
    print_table(rows, articles, mb)
    Path(ns.rows).parent.mkdir(parents=True, exist_ok=True)
    with open(ns.rows, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({**row, "when": time.strftime("%Y-%m-%dT%H:%M"), "reuse": ns.reuse}) + "\n")


if __name__ == "__main__":
    main()
