"""Canonical names, shared by every backend: honorifics/titles/articles dropped, aliases, fullest form."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from searchidx.models import Entities

from .gazetteer import load, norm_key

HONORIFICS = ("m.", "mme", "mme.", "mm.", "mlle", "mlle.", "melle", "dr", "dr.", "me", "mgr", "mgr.", "pr", "pr.",
              "monsieur", "madame", "mademoiselle", "messieurs", "mesdames", "docteur", "maître", "professeur",
              "sir", "lady", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "saint")
TITLES = frozenset(
    "président présidente ministre premier première secrétaire général générale sénateur sénatrice député "
    "députée maire préfet préfète juge procureur procureure avocat avocate chanteur chanteuse acteur actrice "
    "pape roi reine prince princesse général colonel capitaine commissaire lieutenant adjudant sergent "
    "journaliste porte-parole patron patronne directeur directrice ex-président ex-ministre feu".split()
)
_LOWER_ARTICLES = ("l'", "d'", "le ", "la ", "les ", "du ", "des ", "de ", "au ", "aux ", "de la ", "de l'")
_CAP_ARTICLES = ("Le ", "La ", "Les ", "L'")
_STRIP = " \t\n\r.,;:!?«»\"“”()[]{}'’*|/-–—"
_APOS = re.compile(r"[’ʼ‘＇`´]")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,}[A-Z]?\.?$")


def canonical_alias(kind: str, name: str) -> str:
    """The corpus-wide canonical form of `name` (NATO -> OTAN, UE -> Union européenne, USA -> États-Unis)."""
    hit = load().names.get(norm_key(name))
    if hit is not None and kind != "person":
        return hit[1]
    return name


def kind_of(name: str) -> str | None:
    hit = load().names.get(norm_key(name))
    return hit[0] if hit else None


@lru_cache(maxsize=65536)  # the same surfaces recur from article to article
def clean_name(text: str) -> str:
    """Drop surrounding punctuation, honorifics, titles and a leading lowercase article/elision."""
    name = _APOS.sub("'", " ".join(text.split())).strip(_STRIP)
    if _DOTTED_ACRONYM.match(name + "."):  # O.N.U. -> ONU
        name = name.replace(".", "")
    changed = True
    while changed and name:
        changed = False
        low = name.lower()
        for h in HONORIFICS:
            if low.startswith(h + " ") and len(name) > len(h) + 1:
                name = name[len(h) + 1 :].lstrip()
                changed = True
                break
        else:
            first = low.split(" ", 1)[0]
            if first in TITLES and " " in name:
                name = name.split(" ", 1)[1]
                changed = True
                continue
            for art in _LOWER_ARTICLES:
                if name.startswith(art) and len(name) > len(art):
                    rest = name[len(art) :]
                    # du Parisien -> Le Parisien, des Républicains -> Les Républicains
                    for cap in _CAP_ARTICLES:
                        hit = load().names.get(norm_key(cap + rest))
                        if hit is not None and art in ("du ", "le ", "au ", "des ", "les ", "aux ", "l'", "la ", "d'"):
                            return hit[1]
                    name = rest.lstrip()
                    changed = True
                    break
    for cap in _CAP_ARTICLES:
        if name.startswith(cap) and len(name) > len(cap):
            if load().names.get(norm_key(name)) is None and load().names.get(norm_key(name[len(cap) :])):
                name = name[len(cap) :]
            break
    return name.strip(_STRIP)


def _tokens(name: str) -> list[str]:
    return norm_key(name).split()


def finalize(mentions: Iterable[tuple[str, str]], *, clean: bool = True) -> Entities:
    """Mentions (kind, surface) in text order -> Entities with canonical names, each once, one type per name."""
    ordered: list[tuple[str, str]] = []
    for kind, surface in mentions:
        name = clean_name(surface) if clean else surface
        if len(name) < 2 or not any(c.isalpha() for c in name):
            continue
        gk = kind_of(name)
        if gk is not None and kind != "person":
            kind = gk
        if kind != "person":
            name = canonical_alias(kind, name)
        ordered.append((kind, name))

    # fullest form for persons: a surname or first name alone -> the longest name containing it
    persons: dict[str, str] = {}
    for kind, name in ordered:
        if kind == "person":
            persons.setdefault(norm_key(name), name)
    full: dict[str, str] = {}
    keys = list(persons)
    for key in keys:
        toks = key.split()
        best: str | None = None
        for other in keys:
            otoks = other.split()
            if len(otoks) <= len(toks):
                continue
            names_it = otoks[-len(toks) :] == toks or (len(toks) == 1 and otoks[0] == toks[0])
            if names_it and (best is None or len(otoks) > len(best.split())):
                best = other
        if best is not None:
            full[key] = best
    for key in list(full):  # follow chains
        seen = {key}
        while full[key] in full and full[key] not in seen:
            seen.add(full[key])
            full[key] = full[full[key]]

    votes: Counter[tuple[str, str]] = Counter()
    display: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    gaz_kind: dict[str, str] = {}
    for i, (kind, name) in enumerate(ordered):
        key = norm_key(name)
        if kind == "person" and key in full:
            key = full[key]
            name = persons[key]
        # a single word that is a person's surname elsewhere in the article is that person
        elif kind != "person" and key in persons and kind_of(name) is None:
            kind = "person"
        elif kind != "person" and key in full and kind_of(name) is None:
            key = full[key]
            name = persons[key]
            kind = "person"
        votes[(key, kind)] += 1
        if key not in display or display[key].isupper() and not name.isupper():
            display[key] = name  # the first form, unless it came from a heading in capitals
        first_seen.setdefault(key, i)
        gk = kind_of(name)
        if gk is not None:
            gaz_kind[key] = gk
    best_kind: dict[str, str] = {}
    for key in sorted(first_seen, key=first_seen.__getitem__):
        if key in gaz_kind and (key, gaz_kind[key]) in votes and (key, "person") not in votes:
            best_kind[key] = gaz_kind[key]
            continue
        options = [(votes[(key, k)], k) for k in ("person", "org", "place") if (key, k) in votes]
        best_kind[key] = max(options, key=lambda o: o[0])[1]
    out: dict[str, list[str]] = {"person": [], "org": [], "place": []}
    for key in sorted(first_seen, key=first_seen.__getitem__):
        out[best_kind[key]].append(display[key])
    return Entities(person=tuple(out["person"]), org=tuple(out["org"]), place=tuple(out["place"]))
