"""Acronyms and their written-out names in one article ("le Ghef (Grand hôpital de l'Est francilien)", "l'Office
central de lutte contre les atteintes à l'environnement (OCLAE)"): the pair is one organisation, named once."""

from __future__ import annotations

import re

from .gazetteer import fold, is_firstname, load
from .vocabulary import ARTICLE_WORDS, CONNECTORS, ORG_HEADS, UP

_BRACKET_ACR = re.compile(r"\(([" + UP + r"](?:[" + UP + r"0-9&-]{1,8}|[a-z]{2,5}))[),]")
# after an acronym, its name in brackets or in apposition ("le Ghef (Grand hôpital de l'Est francilien)", "l'APIB,
# l'Association des peuples indigènes du Brésil."); the acronym itself is read just before (anchoring the scan on
# the bracket or comma is 10x cheaper than on every capital)
_ACR_FOLLOWED = re.compile(r" \(([" + UP + r"][^()\n]{5,120})\)|, (?:l['’]|la |le |les )([" + UP
                           + r"][^()\n.,;:]{5,120})(?=[.,;:(])")
_ACR_BEFORE = re.compile(r"\b([" + UP + r"](?:[" + UP + r"0-9&-]{1,8}|[a-z]{2,5}))$")
_SPELL_WORDS = re.compile(r"[\w-]+['’]?")
# words an acronym skips ("Office central de lutte contre les atteintes à l'environnement" -> OCLAE...)
_SPELL_GLUE = frozenset("de du des d' l' la le les et a au aux pour sur contre en of and the for".split())  # folded


# lowercase nouns that open the written-out name of a public body ("office central de lutte ...", "peloton de
# gendarmerie de haute montagne")
_INSTITUTIONS = frozenset(fold(h) for h in ORG_HEADS.lower().replace(" ", "|").split("|")) | frozenset(
    "sous-direction peloton surete mission groupement etablissement assistance syndicat".split())


def _spelled_out(text: str, end: int, acronym: str) -> tuple[int, str] | None:
    """The words just before "(ACRONYM)" whose initials spell it, right to left (one extra word allowed: "Radio
    télévision libre des Mille collines (RTLM)"): (start, name), or None. The first word must open the name (a
    capital, or an article before it), and a first name there means a person with a party label (Laurent Rigaud
    (LR)), not an organisation."""
    letters = [c for c in fold(acronym) if c.isalpha()]
    window = max(0, end - 200)
    tail = text[window:end].rstrip(' "»”')
    begin = window + max(tail.rfind(c) for c in "().;:!?«»\n") + 1  # the name does not cross punctuation
    words = list(_SPELL_WORDS.finditer(text, begin, end))
    if not words or text[words[-1].end() : end].strip(' "»”'):
        return None
    k, skipped, content = len(letters) - 1, 0, 0
    for q in range(len(words) - 1, -1, -1):
        word = words[q].group()
        low = fold(word.replace("’", "'"))
        if low in _SPELL_GLUE:
            continue
        parts = low.split("-")
        for part in reversed(parts):
            content += 1
            if k >= 0 and part[:1] == letters[k]:
                k -= 1
            elif skipped or q == len(words) - 1 and not acronym.isupper() or len(parts) > 1:
                return None
            elif q == len(words) - 1 and q > 0 and fold(words[q - 1].group()) in _SPELL_GLUE:
                return None  # "liste Europe Écologie-Les Verts aux européennes (EELV)": a complement, not the name
            else:
                skipped += 1
        if k < 0:
            opened = word[0].isupper() or q > 0 and fold(words[q - 1].group().replace("’", "'")) in ARTICLE_WORDS
            if not opened or is_firstname(word) or content < 2 or not acronym.isupper() and skipped:
                return None
            if word[0].islower() and low not in _INSTITUTIONS:
                return None  # "plan d'épargne en actions (PEA)": a lowercase name must start with a body's noun
            if all(w.group()[0].isupper() for w in words[q:]) and content < 3:
                return None
            return words[q].start(), text[words[q].start() : words[-1].end()]
    return None


def merge_bracketed_acronyms(text: str, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """"Institut du monde arabe (IMA)": the text links the acronym to the full name just before it, so the
    acronym is the same organisation (one entity, under the full name), wherever it appears in the article. When
    the rules found no organisation there, the name is the words that spell the acronym."""
    orgs = [(pos, nm) for pos, k, nm in found if k == "org"]
    alias: dict[str, str] = {}
    for m in _BRACKET_ACR.finditer(text):
        acr = m.group(1)
        before = [(pos, nm) for pos, nm in orgs if pos < m.start() and pos + len(nm) >= m.start() - 2]
        spelled = None if fold(acr) in load().acronym_stop else _spelled_out(text, m.start(), acr)
        if spelled is not None and (not before or spelled[0] <= before[-1][0]):
            start, full = spelled  # also the whole name where the rules stopped short ("Agence américaine | antidopage")
            found = [f for f in found if f[1] == "place" or not start <= f[0] < m.start()] + [(start, "org", full)]
            alias[acr] = full
            continue
        if not before:
            continue
        full = before[-1][1]
        initials = "".join(w[0] for w in re.split(r"[\s'’-]+", full)
                           if w and (w[0].isupper() or w.lower() not in CONNECTORS and w.lower() not in ARTICLE_WORDS))
        if " " in full and initials.upper().startswith(acr.replace("-", "")[:2]):
            alias[acr] = full
    for m in _ACR_FOLLOWED.finditer(text):  # the other way round: the acronym, then its name
        a = _ACR_BEFORE.search(text, max(0, m.start() - 12), m.start())
        if a is None:
            continue
        acr, g = a.group(1), 1 if m.group(1) is not None else 2
        inner = m.group(g)
        spelled = None if fold(acr) in load().acronym_stop else _spelled_out(inner, len(inner), acr)
        if spelled is not None and spelled[0] == 0:
            start = m.start(g)
            found = [f for f in found if f[1] == "place" or not start <= f[0] < m.end(g)] + [(start, "org", inner)]
            alias[acr] = inner
    if not alias:
        return found
    return sorted(((pos, k, alias.get(nm, nm) if k == "org" else nm) for pos, k, nm in found), key=lambda f: f[0])
