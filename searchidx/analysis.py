"""French text analysis: ONE analyzer object, used at index time and at query time.

Why one hand-written loop instead of a Whoosh filter chain: analysis is the hot path of indexing (36k
articles).  A chain of generator filters does Python work per token per filter; here one compiled regex
finds each *chunk* (word, elided word, hyphenated compound, dotted acronym or number) and a dict cache maps
the raw chunk to its precomputed plan (terms + offsets relative to the chunk), so a repeated chunk costs
one regex match and one dict lookup.  News text repeats its words, so the cache hit rate is high.

Why fold before stemming: Snowball French keys its rules on accents, so "élysée"→"elys" but
"elysee"→"elyse"; folding first makes "securite" and "sécurité" (and every accent-less query) produce the
same term.  Stemmer chosen by measurement (bench/analyzers.py, MRR@10): Snowball 0.710 on piaf-dev vs light
0.711, minimal 0.717, none 0.712; news subset (200 q) 0.934 vs 0.936 / 0.925 / 0.928 -- all within noise,
so the reference-exact, C-fast Snowball (PyStemmer) stays.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat

import Stemmer
from unidecode import unidecode

__all__ = ["PAIRED_WORDS", "PAIR_WINDOW", "PLANS", "STOP_WORDS", "analyze", "chunks", "exact_terms", "fold",
           "lead_pairs", "pairs", "plan", "plans", "stem", "tokens", "whole", "word_forms"]

MAX_TERM_LEN = 60  # longer chunks are URLs, base64 or glued garbage: dropped

APOSTROPHES = "'\u2019\u02bc\u2018\uff07"
HYPHENS = "-\u2010\u2011"
_CONNECTORS = re.escape(APOSTROPHES + HYPHENS)
_NUM_SPACES = " \u00a0\u202f"

# Elided articles/pronouns/conjunctions: "l'OTAN" → "otan".  Anything else keeps its apostrophe-joined
# form ("aujourd'hui" → "aujourdhui", "presqu'île" → "presquile", "quelqu'un", "entr'acte", "prud'hommes").
ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})

# Snowball French stop list (also what Lucene's FrenchAnalyzer uses), plus the frequent function words it
# lacks (les, dont, cette, plus...).  "ete" (été: been / summer) is left out: in news it is mostly summer.
_SNOWBALL_STOP = """
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même mes moi mon ne
nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d
j l à m n s t y étée étées étés étant étante étants étantes suis es est sommes êtes sont serai seras sera
serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes
furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants eu
eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût
eussions eussiez eussent
"""
_EXTRA_STOP = """
dont cette cet ceux celle celles celui ceci cela ça ci là leurs quel quelle quels quelles sans soi plus
comme si lors ni car donc or où qu quand quoi sont aussi très tout tous toute toutes
"""


def _fold_word(word: str) -> str:
    """Lowercase + strip accents/ligatures of ONE word; keeps only [a-z0-9] (unidecode may add spaces)."""
    low = word.lower()
    if low.isascii():
        return low
    return _NON_ALNUM("", unidecode(unicodedata.normalize("NFC", low)).lower())


_NON_ALNUM: Callable[[str, str], str] = re.compile(r"[^a-z0-9]+").sub
_WORD_RUN = re.compile(r"[^\W_]+")

STOP_WORDS: frozenset[str] = frozenset(_fold_word(w) for w in (_SNOWBALL_STOP + _EXTRA_STOP).split())


def fold(text: str) -> str:
    """Lowercase and strip accents/ligatures, per word run (never unidecode the whole text, which would
    turn « into << and n° into ndeg).  Non-word characters are kept as they are.  Used as facet key too."""
    low = text.lower()
    if low.isascii():
        return low
    low = unicodedata.normalize("NFC", low)
    return _WORD_RUN.sub(lambda m: _NON_ALNUM("", unidecode(m.group()).lower()), low)


# --- stemmers (all take a folded word) --------------------------------------------------------------------

_snowball = Stemmer.Stemmer("french")
_snowball.maxCacheSize = 0  # we cache ourselves


def snowball_stem(word: str) -> str:
    """Snowball French (PyStemmer, C): reference-exact on the Snowball vocabulary."""
    return str(_snowball.stemWord(word))


# The stemmer in use (chosen by bench/analyzers.py).
stem: Callable[[str], str] = snowball_stem

# --- tokenizer ----------------------------------------------------------------------------------------------

_L = r"[^\W\d_]"  # a letter
_A = r"[\w\u0300-\u036f]"  # word character, combining accents included (NFD input)
# An elided article or pronoun before a dotted acronym: l'O.N.U., d’E.D.F., qu'U.E.
_ELIDED = "(?i:" + "|".join(sorted(ELISIONS, key=len, reverse=True)) + f")[{re.escape(APOSTROPHES)}]"
_CHUNK = re.compile(
    # dotted acronym: O.N.U. / U.S.A, maybe elided: l'O.N.U.
    rf"(?P<acro>(?<!{_A})(?:{_ELIDED})?{_L}(?:\.{_L})+\.?(?!{_A}))"
    # number with thousands groups: 1 000 / 1 000 / 1 000 000,5
    rf"|(?P<grp>\d{{1,3}}(?:[{_NUM_SPACES}]\d{{3}})+(?:,\d+)?(?!{_A}))"
    # number with . or , : 839.000 / 8,5
    rf"|(?P<dec>\d+(?:[.,]\d+)+(?!{_A}))"
    # word, possibly elided/hyphenated: l'État, aujourd'hui, États-Unis, c'est-à-dire
    rf"|(?P<word>{_A}+(?:[{_CONNECTORS}]{_A}+)*)"
)
# Same pattern without named groups: findall() then returns plain strings, with no Match object per token.
_CHUNK_FIND = re.compile(re.sub(r"\?P<\w+>", "?:", _CHUNK.pattern))
_SPLIT_CONNECTORS = re.compile(rf"([{_CONNECTORS}])")
try:  # the same chunks in C, built by ``pip install`` where a C compiler is found (2.7x faster)
    from searchidx._chunks import findall as _findall
    from searchidx._chunks import lookup as _lookup
except ImportError:  # pragma: no cover
    _findall = _CHUNK_FIND.findall
    _lookup = None  # type: ignore[assignment]

# A plan: (term or None if stop word, start, end relative to chunk, pos increment).
# pos increment 0 is used for the index-only joined compound and for stop words, so that Whoosh phrase
# queries (built from the query's term list, ignoring positions) still match across removed stop words.
_Plan = tuple[tuple[str | None, int, int, int, bool], ...]  # (..., index_only)

_term_cache: dict[str, str | None] = {}
_plan_cache: dict[str, _Plan] = {}
_CACHE_MAX = 1_000_000


def _term(folded: str) -> str | None:
    """Folded word → final term (None for stop words / junk)."""
    t = _term_cache.get(folded)
    if t is None and folded not in _term_cache:
        if not folded or len(folded) > MAX_TERM_LEN or folded in STOP_WORDS:
            t = None
        elif folded.isdigit():
            t = folded
        else:
            t = stem(folded)
        if len(_term_cache) > _CACHE_MAX:
            _term_cache.clear()
        _term_cache[folded] = t
    return t


def _number_term(raw: str) -> str:
    """1 000 → 1000; 839.000 → 839000 (dot + 3 digits = thousands); 8,5 and 8.5 → 8,5."""
    s = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    parts = re.split(r"([.,])", s)
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        sep, digits = parts[i], parts[i + 1]
        out.append(digits if sep == "." and len(digits) == 3 else "," + digits)
    return "".join(out)


def _plan_word(chunk: str) -> _Plan:
    pieces = _SPLIT_CONNECTORS.split(chunk)
    # hyphen-separated parts, each a list of (apostrophe-separated segments with offsets)
    parts: list[list[tuple[str, int]]] = [[]]
    off = 0
    for i, p in enumerate(pieces):
        if i % 2 == 0:
            parts[-1].append((p, off))
        elif p in HYPHENS:
            parts.append([])
        off += len(p)
    plan: list[tuple[str | None, int, int, int, bool]] = []
    kept: list[str] = []
    any_stop = False
    for segs in parts:
        while len(segs) > 1 and _fold_word(segs[0][0]) in ELISIONS:
            segs = segs[1:]  # elision: drop l' d' qu' ...
        start = segs[0][1]
        end = segs[-1][1] + len(segs[-1][0])
        folded = "".join(_fold_word(s) for s, _ in segs)  # aujourd'hui → aujourdhui
        term = _term(folded)
        any_stop |= term is None
        kept.append(folded)
        plan.append((term, start, end, 1 if term is not None else 0, False))
    if len(parts) > 1 and not any_stop and not all(k.isdigit() for k in kept):
        joined = _term("".join(kept))  # États-Unis → also "etatsuni", index side only
        if joined is not None:
            plan.insert(1, (joined, plan[0][1], plan[-1][2], 0, True))
    return tuple(plan)


def _plan(chunk: str) -> _Plan:
    m = _CHUNK.match(chunk)
    kind = m.lastgroup if m else "word"
    if kind == "word":
        return _plan_word(chunk)
    start = 0
    if kind == "acro":
        start = max(chunk.rfind(a) for a in APOSTROPHES) + 1  # l'O.N.U. → O.N.U.
        term = _term(_fold_word(chunk[start:].replace(".", "")))
    else:
        term = _number_term(chunk)
        term = term if len(term) <= MAX_TERM_LEN else None
    return ((term, start, len(chunk), 1 if term else 0, False),)


#: chunk -> plan, filled by `plan`; engines' analyzers look chunks up here first (one dict lookup per chunk).
PLANS = _plan_cache


def chunks(value: str, chars: bool = False) -> Iterable[tuple[str, int]]:
    """Each chunk of ``value`` with its offset (with ``chars``; else 0): word, elided word, compound,
    acronym or number."""
    if chars:
        return ((m.group(), m.start()) for m in _CHUNK_FIND.finditer(value))
    return zip(_findall(value), repeat(0))  # the indexing hot path: no Match objects


def plan(chunk: str) -> _Plan:
    """The plan of one chunk (its terms and their offsets), computed once and kept in `PLANS`."""
    found = _plan_cache.get(chunk)
    if found is None:
        found = _plan(chunk)
        if len(_plan_cache) > _CACHE_MAX:
            _plan_cache.clear()
        _plan_cache[chunk] = found
    return found


def plans(value: str, chars: bool = False) -> Iterator[tuple[str, int, _Plan]]:
    """Each chunk of ``value`` with its offset and its plan: the token stream that `tokens`, `analyze` and
    the engines' analyzers (`searchidx.engines.whoosh.analyzer`) turn into terms."""
    for chunk, base in chunks(value, chars):
        yield chunk, base, plan(chunk)


def whole(value: str) -> tuple[str | None, str]:
    """``value`` as one word, not split: its term (None for a stop word) and its folded form."""
    folded = _fold_word(value)
    return (_term(folded) if value.isalnum() else fold(value)), folded


def tokens(text: str, mode: str = "index", stops: bool = False) -> Iterator[tuple[str, int, int]]:
    """``(term, start, end)`` of each term of ``text``, its characters ``text[start:end]``; mode="query"
    omits the index-only joined compounds; with ``stops`` stop words come too, folded."""
    query = mode == "query"
    for chunk, base, plan in plans(text, chars=True):
        for term, s, e, _inc, index_only in plan:
            if index_only and query:
                continue
            if term is None:
                if not stops:
                    continue
                term = _fold_word(chunk[s:e])
            yield term, base + s, base + e


def analyze(text: str, mode: str = "index") -> list[str]:
    """The terms of `text`, in order (`searchidx analyze`).

    mode="query" omits the index-only joined compounds."""
    query = mode == "query"
    return [term for _chunk, _base, plan in plans(text) for term, _s, _e, _inc, index_only in plan
            if term is not None and not (index_only and query)]


def _exact(term: str | None, piece: str) -> str | None:
    """The exact form of a plan's term: the folded piece it comes from, unstemmed (numbers: the term)."""
    if term is None or term[0].isdigit():
        return term
    return _NON_ALNUM("", _fold_word(piece))


def word_forms(text: str) -> tuple[list[str], list[str]]:
    """In one pass over ``text``: its exact forms (folded, elision removed, not stemmed: ``élections`` stays
    ``elections`` where the stem ``elect`` also stands for ``électif``), joined compounds included, as the
    exact-form fields index them; and its stems in word order without the joined compounds (what `pairs`
    reads)."""
    exacts: list[str] = []
    stems: list[str] = []
    cache = _forms_cache
    for chunk, _base, plan in plans(text):
        forms = cache.get(chunk)
        if forms is None:
            if len(cache) > _CACHE_MAX:
                cache.clear()
            forms = cache[chunk] = tuple(
                (exact, None if index_only else term) for term, s, e, _inc, index_only in plan
                if term is not None and (exact := _exact(term, chunk[s:e])))
        for exact, term in forms:
            exacts.append(exact)
            if term is not None:
                stems.append(term)
    return exacts, stems


_forms_cache: dict[str, tuple[tuple[str, str | None], ...]] = {}


def indexed_plans(text: str) -> list[tuple[tuple[str, int, str | None, bool], ...]]:
    """Per chunk of ``text``, its terms as indexing reads them: (term, position increment, exact form or None,
    index only), cached by chunk (what `indexed_forms` walks; `searchidx.engines.whoosh.schema` hands it to C)."""
    cache = _indexed_cache
    if _lookup is not None:  # the loop and its lookups in C: the chunks not cached yet are planned here
        out, missing = _lookup(text, cache)
        for i in missing:
            out[i] = _indexed_plan(out[i])
        return out
    out = []
    for chunk in _findall(text):
        found = cache.get(chunk)
        out.append(_indexed_plan(chunk) if found is None else found)
    return out


def _indexed_plan(chunk: str) -> tuple[tuple[str, int, str | None, bool], ...]:
    """A chunk's `indexed_plans` entry, cached (the cache emptied when full)."""
    cache = _indexed_cache
    if len(cache) > _CACHE_MAX:
        cache.clear()
    found = cache[chunk] = tuple(
        (term, inc, _exact(term, chunk[s:e]), index_only) for term, s, e, inc, index_only in plan(chunk)
        if term is not None)
    return found


def indexed_forms(text: str) -> tuple[dict[str, list[int]], list[str], list[str]]:
    """In one pass over ``text``, what indexing needs of it: each term's positions (the index-mode token
    stream of `tokens`, positions as a Whoosh analyzer numbers them), and `word_forms`' exact forms and stems."""
    positions: dict[str, list[int]] = {}
    exacts: list[str] = []
    stems: list[str] = []
    pos = -1
    for found in indexed_plans(text):
        for term, inc, exact, index_only in found:
            pos += inc
            at = positions.get(term)
            if at is None:
                positions[term] = [pos if pos >= 0 else 0]
            else:
                at.append(pos if pos >= 0 else 0)
            if exact:
                exacts.append(exact)
                if not index_only:
                    stems.append(term)
    return positions, exacts, stems


_indexed_cache: dict[str, tuple[tuple[str, int, str | None, bool], ...]] = {}


def exact_terms(text: str, mode: str = "index") -> list[str]:
    """The exact forms of ``text`` (see `word_forms`); mode="query" omits the joined compounds."""
    query = mode == "query"
    return [x for chunk, _base, plan in plans(text) for term, s, e, _inc, index_only in plan
            if not (index_only and query) and (x := _exact(term, chunk[s:e]))]


#: Word pairs: two stems at most this many content words apart (stop words do not count), in either order.
PAIR_WINDOW = 2
#: Word pairs are indexed for the title and the body's first content words only: news put the essentials
#: first, and pairs of the whole body made the 36k index 8 times larger and indexing 3 times slower.
PAIRED_WORDS = 40


def pairs(stems: list[str], window: int = PAIR_WINDOW) -> list[str]:
    """The unordered pairs of stems at most ``window`` content words apart, as ``"a b"`` (a < b): the terms of
    the word-pair field, and of a query's proximity part."""
    out: list[str] = []
    for i, a in enumerate(stems):
        for b in stems[i + 1:i + 1 + window]:
            if a != b:
                out.append(f"{a} {b}" if a < b else f"{b} {a}")
    return out


def lead_pairs(stems: list[str]) -> list[str]:
    """The word pairs a text indexes: those of its first `PAIRED_WORDS` stems (the ``pairs`` field)."""
    return pairs(stems[:PAIRED_WORDS])


def set_stemmer(fn: Callable[[str], str]) -> None:
    """Switch the stemmer (benchmarks only: the index must be rebuilt with the same one)."""
    global stem
    stem = fn
    _term_cache.clear()
    _plan_cache.clear()
    _forms_cache.clear()
    _indexed_cache.clear()
