"""Does the cluster analyse French as we do? Our `analyze` terms against Solr's field analysis API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from searchidx.analysis import analyze
from searchidx.engines.solr.client import SolrClient

__all__ = ["Agreement", "compare", "solr_terms"]


def solr_terms(client: SolrClient, collection: str, text: str, mode: str = "index") -> list[str]:
    """The terms Solr's ``text_fr`` index (or query) analyzer makes of ``text``, by position then offset."""
    key = "analysis.fieldvalue" if mode == "index" else "analysis.query"
    data = client.request("POST", f"/{collection}/analysis/field", None,
                          content=f"analysis.fieldtype=text_fr&{key}={_quote(text)}".encode(),
                          content_type="application/x-www-form-urlencoded")
    stages = data["analysis"]["field_types"]["text_fr"][mode]
    last = stages[-1] if stages and isinstance(stages[-1], list) else []
    return [t["text"] for t in sorted(last, key=lambda t: (t["position"], t["start"]))]


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


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


def compare(client: SolrClient, collection: str, texts: Iterable[str], mode: str = "index") -> Agreement:
    out = Agreement()
    for text in texts:
        out.add(text, analyze(text, mode=mode), solr_terms(client, collection, text, mode))
    return out
