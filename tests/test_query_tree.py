"""The parser's neutral tree: what each form of the query language means, independently of any engine."""

from __future__ import annotations

import pytest

from searchidx.query.dates import DateRange
from searchidx.query.parse import parse
from searchidx.query.tree import (
    AnyOf,
    Bool,
    Dates,
    Facet,
    Fuzzy,
    MatchAll,
    MatchNone,
    Not,
    Phrase,
    Prefix,
    Word,
)

TITLE = ("title",)


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("otan", Word("otan")),
        ("otan sommet", Bool(should=(Word("otan"), Word("sommet")))),
        ("otan ET sommet", Bool(must=(Word("otan"), Word("sommet")))),
        ("+otan bruxelles", Bool(must=(Word("otan"),), should=(Word("bruxelles"),))),
        ("otan -genève", Bool(should=(Word("otan"),), must_not=(Word("genève"),))),
        ("SAUF otan", Bool(must_not=(Word("otan"),))),
        ("otan -(genève OU moscou)", Bool(should=(Word("otan"),), must_not=(AnyOf((Word("genève"), Word("moscou"))),))),
        ("biden OU poutine otan", Bool(should=(AnyOf((Word("biden"), Word("poutine"))), Word("otan")))),
        ("otan OU -genève", AnyOf((Word("otan"), Not(Word("genève"))))),
        ("(otan sommet) OU vendanges", AnyOf((Bool(should=(Word("otan"), Word("sommet"))), Word("vendanges")))),
        ('"etats unis"', Phrase("etats unis")),
        ('"secrétaire général"~2', Phrase("secrétaire général", slop=2)),
        ("stolt*", Prefix("stolt")),
        ("stoltenbreg~", Fuzzy("stoltenbreg")),
        ("biden~1", Fuzzy("biden", distance=1)),
        ("titre:stoltenberg", Word("stoltenberg", TITLE)),
        ("titre:(vendanges OU écoles)", AnyOf((Word("vendanges", TITLE), Word("écoles", TITLE)))),
        ('personne:"joe biden"', Facet("person", "joe biden")),
        ("personne:stolt*", Facet("person", "stolt", prefix=True)),
        ("lieu:Genève", Facet("place", "Genève")),
        ("annee:2020", Facet("year", "2020")),
        ('mois:"juin 2021"', Facet("month", "2021-06")),
        ("date:2021-06-16", Dates(DateRange("2021-06-16", "2021-06-16"))),
        ("date:>2021", Dates(DateRange("2021\uffff", None, start_excl=True))),
        ("le la les", MatchNone()),
        ("le otan", Word("otan")),  # a stop word is never a required word
        ("", MatchAll()),
    ],
)
def test_tree(text: str, root: object) -> None:
    assert parse(text).root == root


def test_words_keep_their_place_for_spelling() -> None:
    q = parse("biden titre:poutine -genève")
    assert [(w.text, w.fields, q.text[w.start:w.end]) for w in q.words] == [
        ("biden", ("title", "body"), "biden"), ("poutine", TITLE, "poutine"), ("genève", ("title", "body"), "genève")]
    assert q.fallback and not q.browse and parse("").browse

