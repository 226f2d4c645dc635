"""Entity extraction: persons, organisations and places named by an article, under canonical names.

Backends: ``builtin`` (French rules + gazetteers, no dependency, the default when spaCy is absent) and
``spacy`` (``fr_core_news_md`` or ``fr_core_news_sm``, imported lazily). Every backend goes through the same
canonicalisation (honorifics/titles/articles dropped, fullest form, corpus-wide alias table).
"""

from __future__ import annotations

import importlib.util
from typing import Protocol, runtime_checkable

from searchidx.errors import UsageError
from searchidx.models import Article, Entities

from .canon import canonical_alias

__all__ = ["Extractor", "article_entities", "canonical_alias", "extract_entities", "get_extractor"]


@runtime_checkable
class Extractor(Protocol):
    """Finds the entities of an article; ``name`` is recorded in the index it fills."""

    name: str

    def extract(self, title: str, body: str) -> Entities:
        """The canonical people, organisations and places named by an article's title and text."""
        ...


def article_entities(extractor: Extractor | None, article: Article) -> Entities | None:
    """The entities ``extractor`` finds in ``article`` (its lede, when it has one, read before its body);
    None without an extractor."""
    if extractor is None:
        return None
    text = f"{article.lede}\n{article.body}" if article.lede else article.body
    return extractor.extract(article.title, text)


def _spacy_model_available(model: str | None = None) -> str | None:
    if importlib.util.find_spec("spacy") is None:
        return None
    for candidate in ([model] if model else ["fr_core_news_md", "fr_core_news_sm"]):
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


def get_extractor(name: str = "auto") -> Extractor | None:
    """"auto" (spaCy if importable with a French model, else builtin) | "builtin" | "spacy" | "spacy-sm" |
    "spacy-md" | "none" (-> None). An unknown name raises UsageError."""
    key = (name or "auto").strip().lower()
    if key == "none":
        return None
    if key == "builtin":
        from .builtin import BuiltinExtractor

        return BuiltinExtractor()
    if key in ("auto", "spacy", "spacy-sm", "spacy-md"):
        wanted = {"spacy-sm": "fr_core_news_sm", "spacy-md": "fr_core_news_md"}.get(key)
        model = _spacy_model_available(wanted)
        if model is None:
            if key == "auto":
                from .builtin import BuiltinExtractor

                return BuiltinExtractor()
            raise UsageError(
                f"entity extractor {name!r} needs spaCy and a French model: "
                "pip install 'searchidx[spacy]' (or spacy fr-core-news-md), or use --entities builtin"
            )
        from .spacy_backend import SpacyExtractor

        return SpacyExtractor(model)
    raise UsageError(f"unknown entity extractor {name!r}: use auto, builtin, spacy, spacy-sm, spacy-md or none")


def extract_entities(text: str, extractor: str = "builtin") -> dict[str, list[str]]:
    """Entities of a text whose first non-empty line is the title, by the named extractor (`get_extractor`;
    "none" gives empty lists)."""
    lines = text.strip().split("\n", 1)
    title = lines[0].strip() if lines else ""
    body = lines[1] if len(lines) > 1 else ""
    found = get_extractor(extractor)
    if found is None:
        return {"person": [], "org": [], "place": []}
    return found.extract(title, body).as_dict()
