"""Our analyzer against the configset's ``text_fr`` on the live cluster (Solr's field analysis API).

    SOLR_URL=http://127.0.0.1:PORT/solr python bench/solr_analysis.py

The texts: every string of tests/test_analysis.py with each elision and apostrophe (index and query side),
and 2,000 random body sentences of ../shared/data/news (index side). Prints the token agreement and every
term that differs, with an example text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from searchidx.engines.solr.client import SolrClient
from searchidx.engines.solr.equivalence import compare, news_sentences
from searchidx.engines.solr.push import ensure_collection

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    from test_solr import _analysis_test_cases

    url = os.environ.get("SOLR_URL") or sys.exit("set SOLR_URL")
    client = SolrClient(url)
    name = "searchidx-analysis-bench"
    ensure_collection(client, name, 1, 1)
    sets = [("tests/test_analysis.py cases, index side", _analysis_test_cases(), "index"),
            ("tests/test_analysis.py cases, query side", _analysis_test_cases(), "query")]
    news = REPO.parent / "shared" / "data" / "news" / "orangesum.jsonl.gz"
    if news.exists():
        sets.append(("2,000 news sentences (seed 14), index side", news_sentences(news, 2000), "index"))
    for title, texts, mode in sets:
        a = compare(client, name, texts, mode)
        print(f"{title}: {a.texts} texts, {a.same_texts} identical; terms ours {a.ours}, Solr {a.theirs}, "
              f"in common {a.common}: agreement {100 * a.rate:.2f}%")
        for text, ours, theirs in a.examples:
            print(f"    only ours {ours}  only Solr {theirs}  in {text[:90]!r}")
    client.delete_collection(name)


if __name__ == "__main__":
    main()
