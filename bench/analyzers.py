"""Compare analyzer variants (stemmer, stop list) on the relevance sets of ../shared/data.

Why: the stemmer is chosen by measurement, not by taste.  Small harness, independent of the search code:
whoosh in RAM, title (field boost 2.0) + body, BM25F defaults, OR of the analyzed query terms, top 10,
MRR@10 and hit@10.  News is a subset by default (relevant docs of the first N queries + `--others` random
articles, seed fixed) to iterate fast; `--full-news` indexes the 36k articles.

    python bench/analyzers.py --variants snowball,light,minimal,none --queries 500 --others 5000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from whoosh import scoring  # noqa: E402
from whoosh.analysis import Analyzer, Token  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.query import Or, Term  # noqa: E402


def _load_analysis() -> Any:
    """Load searchidx/analysis.py alone: the bench must not depend on the rest of the package."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "searchidx" / "analysis.py"
    spec = importlib.util.spec_from_file_location("searchidx_analysis_bench", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


A = _load_analysis()


class _Analyzer(Analyzer):  # type: ignore[misc]
    """The loaded analysis as a Whoosh analyzer: terms only (the bench indexes no positions)."""

    def __call__(self, value: str, mode: str = "", **kw: Any) -> Any:
        t = Token(mode=mode)
        t.boost = 1.0
        for term in A.analyze(value, mode="query" if mode == "query" else "index"):
            t.text = term
            yield t

# --- the stemmers compared with Snowball (ports of Lucene's French light and minimal stemmers) ----------

def _ends(s: list[str], n: int, suffix: str) -> bool:
    return n >= len(suffix) and "".join(s[n - len(suffix) : n]) == suffix


def _light_norm(s: list[str], n: int) -> str:
    if n > 4:
        i = 1
        ch = s[0]
        while i < n:  # collapse doubled letters
            if s[i] == ch and ch.isalpha():
                del s[i]
                n -= 1
            else:
                ch = s[i]
                i += 1
    if n > 4 and _ends(s, n, "ie"):
        n -= 2
    if n > 4:
        if s[n - 1] == "r":
            n -= 1
        if s[n - 1] == "e":
            n -= 1
        if s[n - 1] == "e":
            n -= 1
        if s[n - 1] == s[n - 2] and s[n - 1].isalpha():
            n -= 1
    return "".join(s[:n])


def light_stem(word: str) -> str:  # noqa: C901, PLR0911, PLR0912
    """Line-by-line port of Lucene's FrenchLightStemmer (Savoy), on folded input: its accented suffixes
    (ième, ère, ète) are folded, and its norm() accent step is a no-op."""
    s = list(word)
    n = len(s)
    if n > 5 and s[n - 1] == "x":
        if s[n - 3] == "a" and s[n - 2] == "u" and s[n - 4] != "e":
            s[n - 2] = "l"
        n -= 1
    if n > 3 and s[n - 1] == "x":
        n -= 1
    if n > 3 and s[n - 1] == "s":
        n -= 1
    if n > 9 and _ends(s, n, "issement"):
        n -= 6
        s[n - 1] = "r"
        return _light_norm(s, n)
    if n > 8 and _ends(s, n, "issant"):
        n -= 4
        s[n - 1] = "r"
        return _light_norm(s, n)
    if n > 6 and _ends(s, n, "ement"):
        n -= 4
        if n > 3 and _ends(s, n, "ive"):
            n -= 1
            s[n - 1] = "f"
        return _light_norm(s, n)
    if n > 11 and _ends(s, n, "ficatrice"):
        n -= 5
        s[n - 2], s[n - 1] = "e", "r"
        return _light_norm(s, n)
    if n > 10 and _ends(s, n, "ficateur"):
        n -= 4
        s[n - 2], s[n - 1] = "e", "r"
        return _light_norm(s, n)
    if n > 9 and _ends(s, n, "catrice"):
        n -= 3
        s[n - 4], s[n - 3], s[n - 2] = "q", "u", "e"
        return _light_norm(s, n)
    if n > 8 and _ends(s, n, "cateur"):
        n -= 2
        s[n - 4], s[n - 3], s[n - 2], s[n - 1] = "q", "u", "e", "r"
        return _light_norm(s, n)
    if n > 8 and _ends(s, n, "atrice"):
        n -= 4
        s[n - 2], s[n - 1] = "e", "r"
        return _light_norm(s, n)
    if n > 7 and _ends(s, n, "ateur"):
        n -= 3
        s[n - 2], s[n - 1] = "e", "r"
        return _light_norm(s, n)
    if n > 6 and _ends(s, n, "trice"):
        n -= 1
        s[n - 3], s[n - 2], s[n - 1] = "e", "u", "r"
    if n > 5 and _ends(s, n, "ieme"):
        return _light_norm(s, n - 4)
    if n > 7 and _ends(s, n, "teuse"):
        n -= 2
        s[n - 1] = "r"
        return _light_norm(s, n)
    if n > 6 and _ends(s, n, "teur"):
        n -= 1
        s[n - 1] = "r"
        return _light_norm(s, n)
    if n > 5 and _ends(s, n, "euse"):
        return _light_norm(s, n - 2)
    if n > 8 and _ends(s, n, "ere"):
        n -= 1
        s[n - 2] = "e"
        return _light_norm(s, n)
    if n > 7 and _ends(s, n, "ive"):
        n -= 1
        s[n - 1] = "f"
        return _light_norm(s, n)
    if n > 4 and (_ends(s, n, "folle") or _ends(s, n, "molle")):
        n -= 2
        s[n - 1] = "u"
        return _light_norm(s, n)
    if n > 9 and _ends(s, n, "nnelle"):
        return _light_norm(s, n - 5)
    if n > 9 and _ends(s, n, "nnel"):
        return _light_norm(s, n - 3)
    if n > 4 and _ends(s, n, "ete"):
        n -= 1
        s[n - 2] = "e"
    if n > 8 and _ends(s, n, "ique"):
        n -= 4
    if n > 8 and _ends(s, n, "esse"):
        return _light_norm(s, n - 3)
    if n > 7 and _ends(s, n, "inage"):
        return _light_norm(s, n - 3)
    if n > 9 and _ends(s, n, "isation"):
        n -= 7
        if n > 5 and _ends(s, n, "ual"):
            s[n - 2] = "e"
        return _light_norm(s, n)
    if n > 9 and _ends(s, n, "isateur"):
        return _light_norm(s, n - 7)
    if n > 8 and (_ends(s, n, "ation") or _ends(s, n, "ition")):
        return _light_norm(s, n - 5)
    return _light_norm(s, n)


def minimal_stem(s: str) -> str:
    """Port of Lucene's FrenchMinimalStemmer (plural and feminine removal), on folded input."""
    if len(s) < 6:
        return s
    if s[-1] == "x":
        if s[-3] == "a" and s[-2] == "u":
            return s[:-2] + "l"
        return s[:-1]
    if s[-1] == "s":
        s = s[:-1]
    if s[-1] == "r":
        s = s[:-1]
    if s[-1] == "e":
        s = s[:-1]
    if s[-1] == "e":  # 'é' once folded
        s = s[:-1]
    if s[-1] == s[-2]:
        s = s[:-1]
    return s


def no_stem(s: str) -> str:
    return s


STEMMERS: dict[str, Callable[[str], str]] = {
    "snowball": A.snowball_stem,
    "light": light_stem,
    "minimal": minimal_stem,
    "none": no_stem,
}


DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
NEWS_SETS = ("news-dev", "news-dev-noaccent", "news-dev-short")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def configure(variant: str) -> None:
    """variant = stemmer[+whooshstop|+snowballstop]: stop list defaults to the module's (Snowball + extras)."""
    stemmer, _, stops = variant.partition("+")
    A.set_stemmer(STEMMERS[stemmer])
    if stops == "snowballstop":
        A.STOP_WORDS = frozenset(A._fold_word(w) for w in A._SNOWBALL_STOP.split())
    elif stops == "whooshstop":
        from whoosh.lang import stopwords_for_language

        A.STOP_WORDS = frozenset(A._fold_word(w) for w in stopwords_for_language("fr"))
    A._term_cache.clear()
    A._plan_cache.clear()


def evaluate(variant: str, docs: list[dict[str, Any]], qsets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    configure(variant)
    an = _Analyzer()
    schema = Schema(
        id=ID(stored=True, unique=False),
        title=TEXT(analyzer=an, phrase=False, field_boost=2.0),
        body=TEXT(analyzer=an, phrase=False),
    )
    # A temp directory, not RamStorage: whoosh's RamStorage spills to a fixed /tmp/MAIN.tmp shared by
    # every process, so parallel runs delete each other's files.
    tmp = tempfile.mkdtemp(prefix="bench-analyzers-")
    ix = FileStorage(tmp).create().create_index(schema)
    t0 = time.perf_counter()
    w = ix.writer(limitmb=512)
    for d in docs:
        w.add_document(id=d["id"], title=d.get("title") or "", body=d.get("body") or "")
    w.commit()
    index_s = time.perf_counter() - t0
    out: dict[str, Any] = {"variant": variant, "index_s": index_s, "sets": {}}
    with ix.searcher(weighting=scoring.BM25F()) as s:
        for name, queries in qsets.items():
            rr = hits = 0.0
            t0 = time.perf_counter()
            for q in queries:
                terms = A.analyze(q["query"], mode="query")
                query = Or([Term(f, t) for t in terms for f in ("title", "body")])
                ids = [r["id"] for r in s.search(query, limit=10)]
                rel = set(q["relevant"])
                for rank, i in enumerate(ids, 1):
                    if i in rel:
                        rr += 1.0 / rank
                        hits += 1
                        break
            n = len(queries)
            out["sets"][name] = (rr / n, hits / n, n, (time.perf_counter() - t0) / n * 1000)
    shutil.rmtree(tmp, ignore_errors=True)
    print(table([out]), flush=True)
    return out


def load(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    rel = DATA / "relevance"
    if args.corpus == "piaf":
        return read_jsonl(rel / "piaf-corpus.jsonl"), {"piaf-dev": read_jsonl(rel / "piaf-dev.jsonl")}
    qsets = {n: read_jsonl(rel / f"{n}.jsonl")[: args.queries] for n in NEWS_SETS}
    news = read_jsonl(DATA / "news" / "orangesum.jsonl.gz")
    if not args.full_news:
        wanted = {r for qs in qsets.values() for q in qs for r in q["relevant"]}
        rest = [d for d in news if d["id"] not in wanted]
        keep = wanted | {d["id"] for d in random.Random(42).sample(rest, args.others)}
        news = [d for d in news if d["id"] in keep]
    return news, qsets


def table(results: Iterable[dict[str, Any]]) -> str:
    results = list(results)
    names = list(results[0]["sets"])
    head = "| variant | " + " | ".join(f"{n} MRR@10 / hit@10 (n)" for n in names) + " | index s |"
    lines = [head, "|---" * (len(names) + 2) + "|"]
    for r in results:
        cells = [f"{m:.3f} / {h:.3f} ({n})" for m, h, n, _ in r["sets"].values()]
        lines.append(f"| {r['variant']} | " + " | ".join(cells) + f" | {r['index_s']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", choices=("news", "piaf"), default="news")
    p.add_argument("--variants", default="snowball,light,minimal,none")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--others", type=int, default=5000)
    p.add_argument("--full-news", action="store_true")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no evaluation data at {DATA}")
    docs, qsets = load(args)
    print(f"{args.corpus}: {len(docs)} docs, " + ", ".join(f"{k} {len(v)}" for k, v in qsets.items()))
    variants = args.variants.split(",")
    with ProcessPoolExecutor(args.jobs) as ex:
        results = list(ex.map(evaluate, variants, [docs] * len(variants), [qsets] * len(variants)))
    print(table(results))


if __name__ == "__main__":
    main()
