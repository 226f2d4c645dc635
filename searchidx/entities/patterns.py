"""The built-in extractor's patterns over an article's whole text, run before its capitalised-word chains: the
mentions they find and the spans the chains then skip."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .gazetteer import Gazetteer, is_firstname, norm_key
from .vocabulary import (
    ARROND,
    CONNECTORS,
    ELECTORAL,
    GENERIC_PLACE_NAMES,
    GLUE,
    GLUE_CAPS,
    GLUE_CAPS_HINT,
    GLUE_CREDIT,
    GROUP_BEFORE,
    INDEFINITE,
    LOWER_HEADS,
    LOWER_ORG,
    NAMED_AFTER,
    NATIONAL_TEAM,
    NATURAL_HEADS,
    ORG_HEADS,
    ORGCAP,
    PAIR_HYPHEN,
    PAIR_LEFT,
    PLACE_HEAD,
    PLACE_HEADS,
    QUOTE_OPEN,
    QUOTED_NAME,
    TITLES_AS_BODIES,
    UNIT_HEADS,
    unglue_credit,
)

try:  # built by ``pip install`` where a C compiler is found
    from ._tokens import word_starts
except ImportError:  # pragma: no cover (each pattern then scans the whole text)
    word_starts = None  # type: ignore[assignment]


def _first_words(alternation: str) -> frozenset[str]:
    """The first run of word characters of each top-level alternative of a regular expression's alternation: the
    words a match of it begins with."""
    words, depth, start = set(), 0, 0
    for i, c in enumerate(alternation + "|"):
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            first = re.match(r"\w+", alternation[start:i])
            if first is None:
                raise ValueError(f"an alternative that does not begin with a word: {alternation[start:i]!r}")
            words.add(first.group())
            start = i + 1
    return frozenset(words)


#: the words LOWER_ORG, PLACE_HEAD and ORGCAP begin with (each right after a character that is not a word's)
_FIRST_WORDS = (_first_words(LOWER_HEADS), _first_words(PLACE_HEADS), _first_words(ORG_HEADS))


def _matches(pattern: re.Pattern[str], text: str, starts: list[int] | None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, its matches tried only at ``starts`` when given (where one may begin: the C
    scan of the words is ~4× faster than `re` trying the pattern at every position)."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for at in starts:
        if at >= end and (m := pattern.match(text, at)) is not None:
            yield m
            end = m.end()


def text_mentions(title: str, body: str, gaz: Gazetteer
                  ) -> tuple[str, list[tuple[int, str, str]], list[tuple[int, int]]]:
    """The text of an article as the rules read it (glued sentences and credits split), the mentions the
    patterns over it find (lowercase heads of bodies, national teams, quoted group names, heads of places,
    hyphenated pairs of places, arrondissements, capitalised heads of bodies, names that run in lowercase),
    each as (position, kind, name), and the spans they consume (the capitalised-word chains skip them)."""
    names = gaz.names
    text = (title.strip() + "\n" + body) if title else body
    text = GLUE.sub(r"\1 ", text.replace("\u00a0", " ").replace("\u202f", " "))
    if GLUE_CAPS_HINT.search(text):
        text = GLUE_CAPS.sub(r"\1 \2", text)
    text = GLUE_CREDIT.sub(unglue_credit, text)
    found: list[tuple[int, str, str]] = []  # (position, kind, name)
    consumed: list[tuple[int, int]] = []
    lower_at, place_at, orgcap_at, lower_start_at = (
        word_starts(text, (*_FIRST_WORDS, gaz.lower_names)) if word_starts is not None else (None,) * 4)

    for m in _matches(LOWER_ORG, text, lower_at):
        head = m.group("head")
        name = m.group("name")
        parts = name.split(" ")
        if head == "fondation" and m.group("prep"):
            continue  # "la fondation de Hollande": his foundation (Fondation de France is in the gazetteer)
        if len(parts) > 1 and is_firstname(parts[0]) and head != "fondation":
            continue  # "le conseil départemental Mathieu Klein": a person after a generic head
        for q in range(1, len(parts)):
            if parts[q][:1].isupper() and is_firstname(parts[q]):
                name = " ".join(parts[:q])
                break
        end_org = m.start("name") + len(name)
        if head in ("CGT", "CFDT", "FSU", "FO", "Unsa", "SNCF"):  # a section of the national org
            if not m.group("prep") and " " in name and not name.rsplit(" ", 1)[1][:1].isupper():
                name = name.rsplit(" ", 1)[0]  # "CGT Seine-Maritime appelle": the verb is not in the name
            found.append((m.start(), "org", head))
            found.append((m.start("name"), "place", name))
            consumed.append((m.start(), end_org))
            continue
        if head == "éditions" and (m.group("prep") or norm_key(name) in names):
            continue  # "éditions du Seuil": the publisher's own name (Le Seuil) is found by the gazetteer
        if head == "mairie" and ELECTORAL.search(text, max(0, m.start() - 60), m.start()) or \
                INDEFINITE.search(text, max(0, m.start() - 12), m.start()):
            # "candidate à la mairie de Paris": an office; "dans un hôpital de Bergame": not one named body
            found.append((m.start("name"), "place", name))
            consumed.append((m.start(), end_org))
            continue
        found.append((m.start(), "org", text[m.start() : end_org]))
        if head not in UNIT_HEADS and (m.group("prep") or norm_key(name) in gaz.regions):  # ARS Normandie
            found.append((m.start("name"), "place", name))
        consumed.append((m.start(), end_org))
    if "équipe de France" in text:
        for m in NATIONAL_TEAM.finditer(text):  # national teams are orgs (équipe de France de football)
            found.append((m.start(), "org", m.group()))
            found.append((m.start() + 10, "place", "France"))
            consumed.append((m.start(), m.end()))
    for quote in QUOTE_OPEN.finditer(text):
        # a quoted name after a group noun: the group's name, whatever its words ('le collectif "Laissons les
        # médecins prescrire"', 'le Comité « Vérité et justice pour les victimes »')
        quoted = QUOTED_NAME.match(text, quote.start())  # first: cheaper than the search before it
        group = GROUP_BEFORE.search(text, max(0, quote.start() - 40), quote.start()) if quoted else None
        if group and quoted and len(quoted.group("name").split()) <= 10 \
                and not any(a <= group.start() < b for a, b in consumed):
            found.append((quoted.start("name"), "org", quoted.group("name")))
            consumed.append((group.start(), quoted.end()))
    for m in _matches(PLACE_HEAD, text, place_at):
        if any(a <= m.start() < b for a, b in consumed):
            continue
        head = m.group("head")
        name = m.group("name")
        if head in ("gare", "aéroport", "stade", "palais", "château", "église", "cathédrale", "basilique"):
            continue  # too often a nested city name: leave to the chain rules
        if head in GENERIC_PLACE_NAMES and not m.group("prep") or head in NATURAL_HEADS and is_firstname(
                name.split(" ")[0]):
            continue  # "les sauveteurs en mer Dimitri Moulic", "le fort d'Emmanuel Macron"
        found.append((m.start(), "place", m.group()))
        consumed.append((m.start(), m.end()))
    for m in PAIR_HYPHEN.finditer(text):  # "un Paris-Marseille", "le Lyon-Turin": two places
        left = PAIR_LEFT.search(text, max(0, m.start() - 40), m.start())
        if left is None:
            continue
        a, b = left.group(), m.group(1)
        if norm_key(a + "-" + b) not in names and all(names.get(norm_key(x), ("",))[0] == "place" for x in (a, b)):
            found.append((left.start(), "place", a))
            found.append((m.start(1), "place", b))
            consumed.append((left.start(), m.end()))
    for m in ARROND.finditer(text) if "arrondissement" in text else ():
        found.append((m.start(), "place", m.group()))
        consumed.append((m.start(), m.end()))
    for m in _matches(ORGCAP, text, orgcap_at):
        if any(a <= m.start() < b for a, b in consumed):
            continue
        phrase = m.group()
        # cut before a first name (Conseil constitutionnel Laurent Fabius)
        words = phrase.split(" ")
        for i in range(2 if words[0] in NAMED_AFTER else 1, len(words)):
            if words[i][:1].isupper() and is_firstname(words[i]) and norm_key(" ".join(words[: i + 1])) not in names:
                words = words[:i]
                break
        while words and (words[-1] in ("de", "du", "des", "la", "et", "en", "pour", "sur", "contre", "le", "les")
                         or words[-1].endswith("'")):
            words.pop()
        if len(words) < 2 or " ".join(words).lower() in TITLES_AS_BODIES:
            continue
        words = _gazetteer_extension(text, m.start(), words, names)
        phrase = " ".join(words)
        at_start = m.start() == 0 or text[max(0, m.start() - 2) : m.start()].strip() in (".", "!", "?", "\n", "«", '"', "")
        if at_start and len(words) < 3 and not any(w[:1].isupper() for w in words[1:]):
            continue
        found.append((m.start(), "org", phrase))
        consumed.append((m.start(), m.start() + len(phrase)))
        # nested place (Agence régionale de santé d'Île-de-France)
        for w in words[1:]:
            hit = names.get(norm_key(w.split("'")[-1]))
            if hit and hit[0] == "place":
                found.append((m.start() + 1, "place", w.split("'")[-1]))

    last = 0
    for m in _matches(gaz.lower_start, text, lower_start_at):  # names that run in lowercase (franceinfo,
        for form in gaz.lower_names[m.group()] if m.start() >= last else ():  # parquet national financier)
            end = m.start() + len(form)
            if text.startswith(form, m.start()) and not text[end : end + 1].isalnum() and \
                    not any(a <= m.start() < b for a, b in consumed):  # not "Caisse nationale d'assurance maladie"
                found.append((m.start(), "org", form))
                last = end
                break

    return text, found, consumed


_NEXT_WORDS = re.compile(r"[^\s,.;:!?()«»\"“”]+")


def _gazetteer_extension(text: str, start: int, words: list[str], names: dict[str, tuple[str, str]]) -> list[str]:
    """The capitalised-head rule stops at a bare lowercase noun or an "et" + adjective ("Caisse nationale
    d'assurance | maladie", "Comité national olympique | et sportif français"): a known organisation that starts
    where the match starts and runs a few words further is the name (longest first)."""
    pos = start + len(" ".join(words))
    more: list[str] = []
    for w in _NEXT_WORDS.finditer(text, pos, min(len(text), pos + 60)):
        if text[pos : w.start()] != " ":
            break
        more.append(w.group())
        pos = w.end()
        if len(more) == 4:
            break
    for k in range(len(more), 0, -1):
        if more[k - 1].lower() in CONNECTORS:
            continue
        hit = names.get(norm_key(" ".join(words + more[:k])))
        if hit is not None and hit[0] == "org":
            return words + more[:k]
    return words
