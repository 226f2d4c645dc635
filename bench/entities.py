"""Entity extraction benchmark (protocol of ../shared/data/README.md, section ner).

Document level: per article, the set of canonical names per type that searchidx attaches vs the gold set,
compared after normalising case, accents, a leading article/elision (l', le, la, les, d', du, des), an
honorific (M., Mme, ...) and folding spaces/hyphens. Precision/recall/F1 per type and micro over the three.

    python bench/entities.py [--data ../shared/data] [--extractor builtin --extractor spacy-md ...]

Sets: news (news-gold-dev), silver-dev and silver-test (our own annotation of other OrangeSum articles, see
load_silver; keep silver-test held out: read its totals, never its --errors), hipe.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from searchidx.analysis import fold  # noqa: E402
from searchidx.entities import get_extractor  # noqa: E402

TYPES = ("person", "org", "place")
SILVER = ROOT / "bench" / "data"  # news-silver-dev.jsonl, news-silver-test.jsonl
_LEAD = re.compile(r"^(?:l'|d'|le |la |les |du |des )")
_HON = re.compile(r"^(?:m\.|mme\.?|mm\.|mlle\.?|dr\.?|me|mgr\.?|pr\.?|monsieur|madame|mademoiselle) ")


def norm(name: str) -> str:
    s = fold(" ".join(name.replace("’", "'").split())).strip(" .,;:")
    for _ in range(2):
        s = _HON.sub("", s)
        s = _LEAD.sub("", s)
    s = s.replace("-", " ").replace("' ", "'")
    return " ".join(s.split())


def load_news(path: Path) -> list[tuple[str, str, dict[str, set[str]]]]:
    docs = []
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        gold = {t: {norm(n) for n in r["entities"].get(t, [])} for t in TYPES}
        docs.append((r.get("title") or "", r.get("body") or "", gold))
    return docs


def load_silver(path: Path, corpus: Path) -> list[tuple[str, str, dict[str, set[str]]]]:
    """Our own annotation (bench/data/news-silver-*.jsonl: ids and entities only) of OrangeSum articles outside
    news-gold-dev, made blind to the extractor under news-gold-conventions.md; texts come from the corpus.
    silver-dev (120 articles) has been looked at while writing rules; silver-test (40 others) has not."""
    texts = _silver_texts(corpus)
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [(*texts[r["id"]], {t: {norm(n) for n in r["entities"].get(t, [])} for t in TYPES}) for r in records]


@lru_cache(maxsize=1)
def _silver_texts(corpus: Path) -> dict[str, tuple[str, str]]:
    """(title, body) of every article of every silver set, in one pass over the 36k corpus."""
    wanted = {json.loads(line)["id"] for path in SILVER.glob("news-silver-*.jsonl") for line in path.open()}
    texts = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["id"] in wanted:
                texts[r["id"]] = (r["title"], r["body"])
    return texts


def load_hipe(path: Path) -> list[tuple[str, str, dict[str, set[str]]]]:
    docs = []
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        gold: dict[str, set[str]] = {t: set() for t in TYPES}
        for e in r["entities"]:
            if e["type"] in gold and e.get("name"):
                gold[e["type"]].add(norm(e["name"]))
        docs.append(("", r["text"], gold))
    return docs


def evaluate(extractor, docs):  # type: ignore[no-untyped-def]
    tp = dict.fromkeys(TYPES, 0)
    fp = dict.fromkeys(TYPES, 0)
    fn = dict.fromkeys(TYPES, 0)
    extractor.extract("Échauffement", "Le président Emmanuel Macron était à Paris avec l'OTAN.")  # load data/model
    t0 = time.process_time()  # CPU time: robust to other jobs on the machine
    preds = [extractor.extract(title, body) for title, body, _ in docs]
    ms = (time.process_time() - t0) * 1000 / max(1, len(docs))
    for pred, (_, _, gold) in zip(preds, docs, strict=True):
        for t in TYPES:
            got = {norm(n) for n in getattr(pred, t)}
            tp[t] += len(got & gold[t])
            fp[t] += len(got - gold[t])
            fn[t] += len(gold[t] - got)
    rows = {}
    for t in (*TYPES, "micro"):
        a, b, c = (sum(d.values()) for d in (tp, fp, fn)) if t == "micro" else (tp[t], fp[t], fn[t])
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows[t] = (p, r, f, a, b, c)
    return rows, ms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--extractor", action="append", help="builtin | spacy-sm | spacy-md (repeatable)")
    ap.add_argument("--set", action="append", choices=["news", "silver-dev", "silver-test", "hipe"],
                    help="data sets (default all)")
    ap.add_argument("--errors", action="store_true",
                    help="print per-article false positives/negatives (development sets only: not silver-test)")
    ap.add_argument("--halves", action="store_true",
                    help="news: also score the first and last half (by file order) separately (until round five "
                         "the second half was held out; see BENCHMARKS.md)")
    ap.add_argument("--only", choices=["first", "second"], help="news: restrict to one half (e.g. with --errors)")
    args = ap.parse_args(argv)
    data = Path(args.data) / "ner"
    if not data.is_dir():
        print(f"no NER data at {data}: nothing to measure (pass --data)")
        return 0
    corpus = data.parent / "news" / "orangesum.jsonl.gz"
    sets = {"news": ("news-gold-dev.jsonl", load_news), "hipe": ("hipe-dev.jsonl", load_hipe),
            "silver-dev": (str(SILVER / "news-silver-dev.jsonl"), lambda path: load_silver(path, corpus)),
            "silver-test": (str(SILVER / "news-silver-test.jsonl"), lambda path: load_silver(path, corpus))}
    print("| set | extractor | person P/R/F1 | org P/R/F1 | place P/R/F1 | micro P/R/F1 | CPU ms/article |")
    print("|---|---|---|---|---|---|---|")
    for set_name in args.set or ["news", "silver-dev", "silver-test", "hipe"]:
        fname, loader = sets[set_name]
        if not (data / fname).exists() or set_name.startswith("silver") and not corpus.exists():
            print(f"| {set_name} | (missing {fname} or its corpus) |")
            continue
        docs = loader(data / fname)
        half = len(docs) // 2
        if set_name == "news" and args.only:
            docs = docs[:half] if args.only == "first" else docs[half:]
        parts = [(set_name, docs)]
        if set_name == "news" and args.halves and not args.only:
            parts = [("news first half", docs[:half]), ("news second half", docs[half:]), (set_name, docs)]
        for name in args.extractor or ["builtin"]:
            ex = get_extractor(name)
            for label, part in parts:
                rows, ms = evaluate(ex, part)
                cells = " | ".join(f"{rows[t][0]:.3f}/{rows[t][1]:.3f}/**{rows[t][2]:.3f}**" for t in (*TYPES, "micro"))
                print(f"| {label} ({len(part)}) | {ex.name} | {cells} | {ms:.2f} |")
            if args.errors:
                for title, body, gold in docs:
                    pred = ex.extract(title, body)
                    for t in TYPES:
                        got = {norm(n) for n in getattr(pred, t)}
                        extra, missed = got - gold[t], gold[t] - got
                        if extra or missed:
                            print(f"  {title[:40]!r} {t}: +{sorted(extra)} -{sorted(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
