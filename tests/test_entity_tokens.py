"""The entity extractor's tokenizer in C (`searchidx.entities._tokens`) gives exactly the tokens of the Python
one (`tokens.python_tokenize`): same texts, kinds, spans and flags, on real articles and on generated text; and
the patterns tried only where C finds their first words (`word_starts`) find what they find over the whole text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchidx.corpus import iter_articles
from searchidx.entities import patterns, tokens
from searchidx.entities.builtin import BuiltinExtractor
from searchidx.entities.gazetteer import load
from searchidx.entities.patterns import text_mentions

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIELDS = ("text", "kind", "start", "end", "cap", "sent", "conn", "key")
needs_native = pytest.mark.skipif(tokens.native is None, reason="the C tokenizer was not built (no C compiler)")
#: odd cases: elided articles in any case and with either apostrophe, honorifics with and without their full
#: stop, headings in capitals, trailing apostrophes, characters neither word nor punctuation
ODD = [
    "l'O.N.U. et L’U.E., d'E.D.F. QU'IL DIT", "M. Dupont, MM. X et Mme. Y ; Mme\u00a0Éva", "_Mme Dupont et xMme Lo",
    "qu'''il L''' x’’ l'a aujourd'hui", "Ste-Marie St Pierre Me.  Zola Mgr\tX DR X Dr Éric Mm Ab Mlle",
    "ÉDOUARD PHILIPPE À MATIGNON - Le ministre", "LES TROIS\nMOUSQUETAIRES", "Pr.Xavier", "", "«Le» “la” — fin…",
    "jusqu'à Lorsqu'il PUISQU’ELLE s'est c'était n'a j'ai m'a t'as", "3,5 % à 18h30 (AFP) [sic] | x & Co",
]


def _tokens(found: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(t, f) for f in FIELDS) for t in found]


def _both(text: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tokens of `tokens.tokenize` (in C where it is built) and of the Python tokenizer."""
    return _tokens(tokens.tokenize(text)), _tokens(tokens.python_tokenize(text))


def test_the_c_tokenizer_is_built_where_ci_runs() -> None:
    if os.environ.get("CI") != "true":
        pytest.skip("only CI requires the build (a user's machine may lack a C compiler)")
    assert tokens.native is not None


@needs_native
@pytest.mark.parametrize("text", ODD)
def test_odd_texts_give_the_same_tokens(text: str) -> None:
    c, py = _both(text)
    assert c == py


@needs_native
def test_the_bundled_articles_give_the_same_tokens() -> None:
    gaz = load()
    articles = list(iter_articles([CORPUS]))
    assert len(articles) >= 10
    for article in articles:
        text = text_mentions(article.title, article.body, gaz)[0]
        c, py = _both(text)
        assert c == py, article.id


@needs_native
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeLlMmdDSqQuUtrÉéÀœ'’-.&  \n\t,«»()|—MmeDrSt0123_")), max_size=80))
def test_generated_texts_give_the_same_tokens(text: str) -> None:
    c, py = _both(text)
    assert c == py


@needs_native
def test_tokens_can_be_changed_as_the_rules_do() -> None:
    tok = tokens.tokenize("Le président Macron")[2]
    assert (tok.text, tok.kind, tok.cap, tok.sent) == ("Macron", "word", True, False)
    tok.sent, tok.cap, tok.key = True, False, "macron"
    assert (tok.sent, tok.cap, tok.key) == (True, False, "macron")
    assert "Macron" in repr(tok)


def test_extraction_is_the_same_with_either_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    extractor = BuiltinExtractor()
    articles = list(iter_articles([CORPUS]))
    first = [extractor.extract(a.title, a.body) for a in articles]
    monkeypatch.setattr(tokens, "native", None)
    assert [extractor.extract(a.title, a.body) for a in articles] == first
    assert any(e.person for e in first) and any(e.org for e in first) and any(e.place for e in first)


@needs_native
def test_word_starts_finds_whole_runs_after_a_boundary() -> None:
    text = "la rue de Paris, x-rue rue_x Rue ruelle rue"
    assert tokens.native.word_starts(text, (frozenset({"rue"}), frozenset({"Paris", "x"}), frozenset())) == (
        [3, 19, 40], [10, 17], [])


def test_first_words_of_alternations() -> None:
    assert patterns._first_words(r"cour d['’]appel|tribunal(?: de| du)?|CHU|Haut-Commissariat") == {
        "cour", "tribunal", "CHU", "Haut"}
    with pytest.raises(ValueError):
        patterns._first_words(r"rue|(?:la )?place")


PATTERN_TEXTS = ODD + [
    "la mairie de Paris, la sous-préfecture de Lens et le tribunal correctionnel de Lyon ; xmairie de Nice",
    "Le Conseil constitutionnel Laurent Fabius et l'Agence régionale de santé d'Île-de-France ; la rue de Rivoli",
    "la place de la Concorde, le pont-rue Neuve, franceinfo et le parquet national financier ; CGT Bretagne",
]


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["la", "mairie", "de", "Paris", "rue", "Agence", "régionale", "sous-préfecture",
                                 "CGT", "franceinfo", "parquet", "national", "financier", "place", "-", "x", "l'",
                                 ",", ".", "\n", "Conseil", "d'Orléans", "é", "_"]), max_size=30),
       st.sampled_from([" ", "", "-"]))
def test_patterns_find_the_same_where_c_finds_their_first_words(words: list[str], sep: str) -> None:
    text = sep.join(words)
    gaz = load()
    found = patterns.text_mentions("", text, gaz)
    native, patterns.word_starts = patterns.word_starts, None
    try:
        assert patterns.text_mentions("", text, gaz) == found
    finally:
        patterns.word_starts = native


def test_mentions_are_the_same_without_the_c_word_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    gaz = load()
    texts = [(a.title, a.body) for a in iter_articles([CORPUS])] + [("", t) for t in PATTERN_TEXTS]
    first = [text_mentions(title, body, gaz) for title, body in texts]
    monkeypatch.setattr(patterns, "word_starts", None)
    assert [text_mentions(title, body, gaz) for title, body in texts] == first
    assert sum(len(found) for _, found, _ in first) > 20
