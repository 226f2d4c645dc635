"""Does the cluster analyse French as we do? Our `analyze` terms against Solr's field analysis API."""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from searchidx.analysis import analyze
from searchidx.engines.solr.client import SolrClient

__all__ = ["Agreement", "compare", "news_sentences", "solr_terms", "solr_terms_many"]


def _tokens(client: SolrClient, collection: str, text: str, mode: str) -> list[dict[str, Any]]:
    key = "analysis.fieldvalue" if mode == "index" else "analysis.query"
    data = client.request("POST", f"/{collection}/analysis/field", None,
                          content=urlencode({"analysis.fieldtype": "text_fr", key: text}).encode(),
                          content_type="application/x-www-form-urlencoded")
    stages = data["analysis"]["field_types"]["text_fr"][mode]
    last = stages[-1] if stages and isinstance(stages[-1], list) else []
    return sorted(last, key=lambda t: (t["position"], t["start"]))


def solr_terms(client: SolrClient, collection: str, text: str, mode: str = "index") -> list[str]:
    """The terms Solr's ``text_fr`` index (or query) analyzer makes of ``text``, by position then offset."""
    return [str(t["text"]) for t in _tokens(client, collection, text, mode)]


def solr_terms_many(client: SolrClient, collection: str, texts: Sequence[str], mode: str = "index",
                    per_request: int = 50) -> list[list[str]]:
    """`solr_terms` of each text, ``per_request`` texts sent as one value (no chunk spans a blank line;
    each term goes back to its text by its start offset)."""
    out: list[list[str]] = []
    for i in range(0, len(texts), per_request):
        batch = [t.replace("\n", " ") for t in texts[i:i + per_request]]
        starts = list(itertools.accumulate((len(t) + 2 for t in batch[:-1]), initial=0))
        terms: list[list[str]] = [[] for _ in batch]
        for tok in _tokens(client, collection, "\n\n".join(batch), mode):
            terms[bisect.bisect_right(starts, int(tok["start"])) - 1].append(str(tok["text"]))
        out.extend(terms)
    return out


def news_sentences(path: Path, n: int = 2000, seed: int = 14) -> list[str]:
    """``n`` random body sentences (4 words or more) of a JSON Lines (gzipped) news file, one per article."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        bodies = [str(json.loads(line).get("body") or "") for line in f]
    rng = random.Random(seed)
    out: list[str] = []
    for body in rng.sample(bodies, min(len(bodies), n * 2)):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) >= 4]
        if sentences:
            out.append(rng.choice(sentences))
        if len(out) == n:
            break
    return out


@dataclass
class Agreement:
    """Token agreement over many texts: terms in common counted as multisets, per text."""

    texts: int = 0
    same_texts: int = 0
    ours: int = 0
    theirs: int = 0
    common: int = 0
    only_ours: Counter[str] = field(default_factory=Counter)
    only_theirs: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Share of tokens in agreement: common terms over the larger of the two token counts."""
        return self.common / max(self.ours, self.theirs, 1)

    def add(self, text: str, ours: list[str], theirs: list[str]) -> None:
        a, b = Counter(ours), Counter(theirs)
        common = sum((a & b).values())
        self.texts += 1
        self.ours += len(ours)
        self.theirs += len(theirs)
        self.common += common
        if a == b:
            self.same_texts += 1
        else:
            self.only_ours.update(a - b)
            self.only_theirs.update(b - a)
            if len(self.examples) < 50:
                self.examples.append((text, sorted((a - b).elements()), sorted((b - a).elements())))


def compare(client: SolrClient, collection: str, texts: Sequence[str], mode: str = "index") -> Agreement:
    out = Agreement()
    texts = [t.replace("\n", " ") for t in texts]
    for text, theirs in zip(texts, solr_terms_many(client, collection, texts, mode), strict=True):
        out.add(text, analyze(text, mode=mode), theirs)
    return out
