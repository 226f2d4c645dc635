"""Writes searchidx/engines/solr/data/stem-overrides.txt: the words Lucene's Snowball French stems differently
from PyStemmer's (a newer Snowball), with our stem, for Solr's StemmerOverrideFilter.

The words are the official Snowball French test vocabulary (../shared/data/snowball-french/voc.txt) with
simple inflections, and our gazetteers' words, folded as our analyzer folds them; news text is not
used, so the news sentences of the equivalence test stay unseen.

    SOLR_URL=http://127.0.0.1:PORT/solr python bench/solr_stem_overrides.py
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from searchidx.analysis import STOP_WORDS, _fold_word, stem
from searchidx.engines.solr.client import SolrClient
from searchidx.engines.solr.configset import zip_configset
from searchidx.engines.solr.equivalence import solr_terms

VOC = Path(__file__).resolve().parents[2] / "shared" / "data" / "snowball-french" / "voc.txt"
OUT = Path(__file__).resolve().parents[1] / "searchidx" / "engines" / "solr" / "data" / "stem-overrides.txt"
GAZETTEERS = Path(__file__).resolve().parents[1] / "searchidx" / "entities" / "data"
CONFIG = "searchidx-stem-check"


def vocabulary() -> set[str]:
    """The Snowball vocabulary, its words' simple inflections (±s, ±e, ±es: the vocabulary has "française"
    but not "français"), and the words of our gazetteers (place and organisation names), all folded."""
    base = {_fold_word(v.strip()) for v in VOC.read_text("utf-8").split()}
    for path in sorted(GAZETTEERS.glob("*.txt")):
        base.update(_fold_word(w) for w in re.findall(r"[^\W\d_]+", path.read_text("utf-8")))
    out = set(base)
    for w in base:
        out.update((w + "s", w + "e", w + "es"))
        for end in ("s", "e", "es"):
            if w.endswith(end) and len(w) > len(end) + 2:
                out.add(w[: -len(end)])
    return out


def main() -> None:
    url = os.environ.get("SOLR_URL") or sys.exit("set SOLR_URL")
    client = SolrClient(url)
    OUT.write_text("", encoding="utf-8")  # the Lucene stems themselves, without overrides
    client.upload_configset(CONFIG, zip_configset())
    if CONFIG not in client.collections():
        client.create_collection(CONFIG, CONFIG, 1, 1)
    else:
        client.reload_collection(CONFIG)
    words = sorted({w for w in vocabulary() if w.isalpha()} - STOP_WORDS)
    overrides = {}
    for i in range(0, len(words), 500):
        batch = words[i:i + 500]
        theirs = solr_terms(client, CONFIG, " ".join(batch))
        assert len(theirs) == len(batch), (batch[0], len(theirs), len(batch))
        for word, lucene in zip(batch, theirs, strict=True):
            if stem(word) != lucene:
                overrides[word] = stem(word)
    client.delete_collection(CONFIG)
    OUT.write_text("".join(f"{w}\t{s}\n" for w, s in sorted(overrides.items())), encoding="utf-8")
    print(f"{len(overrides)} of {len(words)} words stemmed differently; written to {OUT}")


if __name__ == "__main__":
    main()
