"""spaCy backend (fr_core_news_sm / fr_core_news_md): PER->person, ORG->org, LOC->place, MISC dropped.

spaCy is imported lazily, on first use in each process; the object pickles as its model name only. A long
text goes through the model in pieces cut at line breaks (else spaces), because spaCy refuses a text over
``nlp.max_length`` (1,000,000 characters: one such article would stop a whole index run) and its memory grows
with the length of each text.
"""

from __future__ import annotations

from typing import Any

from searchidx.models import Entities

from .canon import finalize

_LABELS = {"PER": "person", "ORG": "org", "LOC": "place"}
PIECE = 100_000  # characters per piece (at most nlp.max_length); news articles are far shorter and go whole
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
        nlp = _load(self.model)
        docs = [nlp(piece) for piece in _pieces(text, min(PIECE, nlp.max_length))]
        mentions = [(_LABELS[e.label_], e.text) for doc in docs for e in doc.ents if e.label_ in _LABELS]
        return finalize(mentions, clean=True)


def _pieces(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` characters, at the last line break (else space) before the limit."""
    out: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        if cut <= 0:
            cut = text.rfind(" ", 0, size)
        if cut <= 0:
            cut = size
        out.append(text[:cut])
        text = text[cut:]
    out.append(text)
    return out
