"""The built-in extractor's tokens: words (with their case, connector flag and comparison key), honorifics and
punctuation, in one pass over an article's text."""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import fold, norm_key
from .vocabulary import CONNECTORS, ELISION, HYPHEN_ADJ, ROMAN, TOKEN

try:  # built by ``pip install`` where a C compiler is found
    from searchidx.entities import _tokens as native
except ImportError:  # pragma: no cover (python_tokenize gives the same tokens)
    native = None  # type: ignore[assignment]


@dataclass(slots=True)
class Tok:
    """A token of an article's text: its surface, kind and span, and what the chain rules ask of it."""

    text: str
    kind: str  # word | hon | punct
    start: int
    end: int
    cap: bool = False
    sent: bool = False  # first word of a sentence
    conn: bool = False
    key: str = ""


_SENT_END = frozenset(".!?…:;«»\"“”\n|—–")
_WORD_INFO: dict[str, tuple[bool, bool, str, bool]] = {}
_WORD_INFO_MAX = 200_000


def _word_info(w: str) -> tuple[bool, bool, str, bool]:
    """(cap, conn, key, in capitals) of a word token, cached: most words recur from article to article."""
    info = _WORD_INFO.get(w)
    if info is None:
        low = w.lower()
        cap = w[:1].isupper() and not HYPHEN_ADJ.search(w)
        conn = low in CONNECTORS
        info = (cap, conn, norm_key(w) if cap or conn else low, w.isupper())
        if len(_WORD_INFO) >= _WORD_INFO_MAX:
            _WORD_INFO.clear()
        _WORD_INFO[w] = info
    return info


def tokenize(text: str) -> list[Tok]:
    """The tokens of ``text`` in order: an elided article is a word of its own ("l'" + "Elysée"), and the words
    of a heading in capitals (three or more in a row) are not capitalised names. In C when `_tokens` is built
    (its tokens are of its own type, with the same attributes)."""
    if native is not None:
        return native.tokenize(text, _WORD_INFO, _word_info)
    return python_tokenize(text)


def python_tokenize(text: str) -> list[Tok]:
    """`tokenize` in Python."""
    toks: list[Tok] = []
    append = toks.append
    info_of = _WORD_INFO.get
    sent = True
    run = 0  # words in capitals in a row, the last tokens appended: three or more are a heading
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        upper = False
        if kind == "word":
            w = m.group()
            if "'" in w or "’" in w:
                e = ELISION.match(w)
                if e and len(e.group(2)) > 1:
                    el = e.group(1) + "'"
                    low = el.lower()
                    tok = Tok(el, "word", start, start + len(el), el[0].isupper(), sent, low == "d'", low)
                    sent = False
                    if el.isupper():
                        run += 1
                    else:
                        run = _end_run(toks, run, tok)
                    append(tok)
                    w = e.group(2)
                    start += len(el)
                if w[-1] in "'’":
                    w = w.rstrip("'’")
            info = info_of(w) or _word_info(w)
            tok = Tok(w, "word", start, start + len(w), info[0], sent, info[1], info[2])
            sent = False
            upper = info[3]
        elif kind == "punct":
            tok = Tok(m.group(), "punct", start, end)
            if tok.text in _SENT_END:
                sent = True
        else:
            tok = Tok(m.group().rstrip("."), "hon", start, end)
        if upper:
            run += 1
        elif run:
            run = _end_run(toks, run, tok)
        append(tok)
    _end_run(toks, run, None)
    return toks


def _end_run(toks: list[Tok], run: int, after: Tok | None) -> int:
    """Ends a run of ``run`` words in capitals (the last tokens of ``toks``): three or more are a heading
    ("ÉDOUARD PHILIPPE À MATIGNON"), not names, and the token after them starts a sentence ("MINISTRES - Le
    ministre a dit")."""
    if run >= 3:
        for u in toks[len(toks) - run:]:
            u.cap = False
        if after is not None:
            after.sent = True
    return 0


def is_acronym(w: str) -> bool:
    """Two to nine characters, at least two letters, all in capitals, not a Roman numeral ("CGT", "PS", "RN")."""
    letters = [c for c in w if c.isalpha()]
    return 2 <= len(w) <= 9 and len(letters) >= 2 and all(c.isupper() for c in letters) and not ROMAN.match(w)



def folded(tok: Tok) -> str:
    """Fold a lowercase word's key in place, like the gazetteer's ("frontières" -> "frontieres"), only when a
    chain may end with it (folding every word in tokenize costs ~0.1 ms/article)."""
    if not tok.key.isascii():
        tok.key = fold(tok.key)
    return tok.key
