"""Gazetteers and word lists of the built-in extractor, loaded lazily once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from searchidx.analysis import fold as _fold

_SPACE = re.compile(r"\s+")
_APOS = re.compile(r"[’ʼ‘＇`´]")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """searchidx.analysis.fold, cached (names repeat within and across articles)."""
    return _fold(text)


@lru_cache(maxsize=200_000)
def norm_key(name: str) -> str:
    """Comparison key of a name: folded, apostrophes unified, hyphens and spaces collapsed."""
    text = _APOS.sub("'", name)
    text = fold(text).replace("-", " ").replace("' ", "'")
    return _SPACE.sub(" ", text).strip(" .,;:")


# historic provinces listed among countries.txt's regions: they name regional branches too (France Bleu Alsace)
_PROVINCES = frozenset("Provence Alsace Lorraine Champagne Bourgogne Picardie Auvergne Limousin Aquitaine Languedoc "
                       "Roussillon Dauphiné Berry Touraine Anjou Poitou Gascogne Béarn Lyonnais".split())


# heads of institution names the press also writes in lowercase ("le conseil constitutionnel"); other names
# lowered would be common phrases ("en marche", "sécurité sociale")
_LOWERED_HEADS = frozenset("parquet conseil cour tribunal haute haut agence commission autorité office direction "
                           "inspection caisse brigade ministère assemblée sénat banque institut observatoire "
                           "fédération confédération syndicat union ordre académie comité".split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    names: dict[str, tuple[str, str]]  # key -> (kind, canonical)
    max_tokens: int
    firstnames: frozenset[str]
    surnames: frozenset[str]  # folded surnames of people named in full in many articles (bench/mine_surnames.py)
    nonentities: frozenset[str]
    demonyms: frozenset[str]
    stopwords: frozenset[str]
    acronym_stop: frozenset[str]  # folded all-caps abbreviations of common nouns (IRM, AVC, BD)
    lower_names: dict[str, tuple[str, ...]]  # forms written in lowercase in running text (franceinfo), by first
    # run of word characters, longest first
    lower_start: re.Pattern[str]  # finds where one of lower_names may start: its first words, as one regex
    regions: frozenset[str]  # keys of French régions/départements: a suffix naming an org's regional branch


def _read(name: str) -> list[str]:
    text = resources.files("searchidx.entities").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _words(name: str) -> frozenset[str]:
    return frozenset(fold(w) for line in _read(name) for w in line.split())


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    names: dict[str, tuple[str, str]] = {}
    max_tokens = 1
    lower_forms: set[str] = set()
    regions: set[str] = set()
    # later files do not override earlier ones: orgs first (Le Monde, OTAN), then places
    for filename, kind in (
        ("orgs.txt", "org"),
        ("countries.txt", "place"),
        ("france.txt", "place"),
        ("french_cities.txt", "place"),
        ("cities.txt", "place"),
    ):
        for line in _read(filename):
            forms = [f.strip() for f in line.split("|") if f.strip()]
            canonical = forms[0]
            for form in forms:
                key = norm_key(form)
                if key and key not in names:
                    names[key] = (kind, canonical)
                    max_tokens = max(max_tokens, len(key.split()))
                if key and (filename == "france.txt" or canonical in _PROVINCES):
                    regions.add(key)
                lowercase_brand = canonical[:1].islower() or "." in form
                if form[:1].islower() and len(form) > 3 and lowercase_brand:  # also "police nationale"
                    lower_forms.add(form.rstrip(":"))
                words = form.split(" ")
                if kind == "org" and len(words) > 1 and words[0].lower() in _LOWERED_HEADS and words[1][:1].islower():
                    lower_forms.add(form[0].lower() + form[1:])  # press style: "le parquet national financier"
    demonyms: set[str] = set()
    for word in _words("demonyms.txt"):
        demonyms.update({word, word + "s", word + "e", word + "es"})
        if word.endswith("ien"):
            demonyms.update({word + "ne", word + "nes"})
        if word.endswith("al"):
            demonyms.add(word[:-2] + "aux")
    firstnames: set[str] = set()
    for word in _words("firstnames.txt"):
        firstnames.add(word)
    lower_names = _by_first_word(lower_forms)
    return Gazetteer(
        names=names,
        max_tokens=max_tokens,
        firstnames=frozenset(firstnames),
        surnames=_words("surnames.txt"),
        nonentities=_words("nonentities.txt"),
        demonyms=frozenset(demonyms),
        stopwords=_words("stopwords.txt"),
        acronym_stop=_words("acronyms_stop.txt"),
        lower_names=lower_names,
        lower_start=re.compile(r"(?<![\w.])" + _trie(tuple(lower_names)) + r"\b"),
        regions=frozenset(regions),
    )


def _by_first_word(forms: set[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for form in sorted(forms, key=len, reverse=True):
        first = re.match(r"\w+", form)
        if first is not None:
            index.setdefault(first.group(), []).append(form)
    return {word: tuple(group) for word, group in index.items()}


def _trie(words: tuple[str, ...]) -> str:
    """A regex matching any of `words`, shared prefixes factored out (a plain alternation of 170 words is
    tried word by word at every position)."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:  # type: ignore[type-arg]
        alts = [re.escape(c) + pattern(sub) for c, sub in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return pattern(tree)


def lookup(name: str) -> tuple[str, str] | None:
    return load().names.get(norm_key(name))


def is_firstname(word: str) -> bool:
    """A known first name, or a hyphenated compound of known first names (Jean-Marie, Marie-Ange)."""
    key = fold(word)
    first = load().firstnames
    if key in first:
        return True
    if "-" in key:
        return all(part in first for part in key.split("-"))
    return False
