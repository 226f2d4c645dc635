"""spaCy backend (fr_core_news_sm / fr_core_news_md): PER->person, ORG->org, LOC->place, MISC dropped.

spaCy is imported lazily, on first use in each process; the object pickles as its model name only.
"""

from __future__ import annotations

from typing import Any

from searchidx.models import Entities

from .canon import finalize

_LABELS = {"PER": "person", "ORG": "org", "LOC": "place"}
_NLP: dict[str, Any] = {}


def _load(model: str) -> Any:
    nlp = _NLP.get(model)
    if nlp is None:
        import spacy  # lazy: never at `import searchidx`

        nlp = spacy.load(model, disable=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "tagger"])
        _NLP[model] = nlp
    return nlp


class SpacyExtractor:
    def __init__(self, model: str = "fr_core_news_md") -> None:
        self.model = model
        self.name = {"fr_core_news_sm": "spacy-sm", "fr_core_news_md": "spacy-md"}.get(model, "spacy")

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (SpacyExtractor, (self.model,))

    def extract(self, title: str, body: str) -> Entities:
        text = f"{title.strip()}\n{body}" if title else body
        doc = _load(self.model)(text)
        mentions = [(_LABELS[e.label_], e.text) for e in doc.ents if e.label_ in _LABELS]
        return finalize(mentions, clean=True)
