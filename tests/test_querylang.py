"""The query language: operators (French and English), fields, phrases through analysis, prefix, fuzzy,
dates, syntax errors, suggestions, sort."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from search_fixture import build
from whoosh import query

from searchidx import Index, QuerySyntaxError
from searchidx.engines.whoosh.compile import Compiled, Compiler
from searchidx.query.parse import parse


@pytest.fixture(scope="module")
def idx() -> Iterator[Index]:
    index = build()
    yield index
    index.close()


def ids(idx: Index, q: str, **kw: object) -> set[str]:
    """The articles matching every word of ``q`` (the hits that miss none)."""
    hits = idx.search(q, limit=50, suggest=False, **kw).hits  # type: ignore[arg-type]
    return {h.id for h in hits if not h.missing}


OTAN = {"otan-geneve", "stoltenberg-bruxelles", "poutine-moscou"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("otan", OTAN),
        ("Biden ET Poutine", {"otan-geneve"}),
        ("Biden AND Poutine", {"otan-geneve"}),
        ("biden OU vendanges", {"otan-geneve", "vendanges"}),
        ("biden OR vendanges", {"otan-geneve", "vendanges"}),
        ("otan SAUF genève", {"stoltenberg-bruxelles", "poutine-moscou"}),
        ("otan NOT genève", {"stoltenberg-bruxelles", "poutine-moscou"}),
        ("otan -genève", {"stoltenberg-bruxelles", "poutine-moscou"}),
        ("-otan", {"macron-ecoles", "vendanges", "geneve-lac"}),
        ("SAUF otan", {"macron-ecoles", "vendanges", "geneve-lac"}),
        ("+otan bruxelles", {"stoltenberg-bruxelles"}),
        ("otan -(genève OU moscou)", {"stoltenberg-bruxelles"}),
        ("(biden OR vignerons) président", {"otan-geneve"}),
        ("biden OU poutine otan", {"otan-geneve", "poutine-moscou"}),  # OR binds tighter than AND
    ],
)
def test_operators(idx: Index, q: str, expected: set[str]) -> None:
    assert ids(idx, q) == expected


def test_plain_words_match_any_word_but_must_and_and_do_not(idx: Index) -> None:
    r = idx.search("otan vendanges", suggest=False)
    assert r.fallback and r.complete == 0 and {h.id for h in r.hits} == OTAN | {"vendanges"}
    assert {h.missing for h in r.hits} == {("vendanges",), ("otan",)}
    hits = idx.search("+otan vendanges", suggest=False).hits  # + stays required
    assert {h.id for h in hits} == OTAN and all(h.missing == ("vendanges",) for h in hits)
    assert idx.search("otan ET vendanges", suggest=False).hits == []  # an explicit AND is never loosened


def test_articles_with_every_word_come_first_and_the_others_say_what_they_lack(idx: Index) -> None:
    r = idx.search("otan bruxelles", suggest=False)
    assert not r.fallback and r.complete == 1 and r.total == len(OTAN | {"stoltenberg-bruxelles"})
    assert r.hits[0].id == "stoltenberg-bruxelles" and r.hits[0].missing == ()
    assert all(h.missing == ("bruxelles",) for h in r.hits[1:]) and len(r.hits) > 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"etats unis"', {"otan-geneve", "poutine-moscou"}),  # phrase through the French analysis
        ('"États-Unis"', {"otan-geneve", "poutine-moscou"}),
        ("États-Unis", {"otan-geneve", "poutine-moscou"}),
        ('"secretaire general"', {"otan-geneve", "stoltenberg-bruxelles"}),
        ('"général secrétaire"', set()),  # order matters in a phrase
        ('«\u00a0secrétaire général\u00a0»', {"otan-geneve", "stoltenberg-bruxelles"}),  # French quotes
        ('"president de la republique"', {"macron-ecoles"}),  # stop words inside a phrase
    ],
)
def test_phrases(idx: Index, q: str, expected: set[str]) -> None:
    assert ids(idx, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("titre:stoltenberg", {"stoltenberg-bruxelles"}),
        ("title:stoltenberg", {"stoltenberg-bruxelles"}),
        ("texte:stoltenberg", {"stoltenberg-bruxelles", "otan-geneve"}),
        ("body:stoltenberg", {"stoltenberg-bruxelles", "otan-geneve"}),
        ('titre:"face à face"', {"otan-geneve"}),
        ("titre:(vendanges OU écoles)", {"vendanges", "macron-ecoles"}),
        ('personne:"joe biden"', {"otan-geneve"}),
        ('person:"JOE BIDEN"', {"otan-geneve"}),
        ("personne:biden", {"otan-geneve"}),  # a word of the name
        ("personne:stolt*", {"otan-geneve", "stoltenberg-bruxelles"}),
        ("personne:(biden OU sullivan)", {"otan-geneve", "poutine-moscou"}),
        ("lieu:geneve", {"otan-geneve", "geneve-lac"}),
        ("place:GENÈVE", {"otan-geneve", "geneve-lac"}),
        ('lieu:"etats-unis"', {"otan-geneve", "poutine-moscou"}),
        ("org:otan", OTAN),
        ('source:"le temps"', {"otan-geneve", "poutine-moscou", "geneve-lac"}),
        ("source:monde", {"stoltenberg-bruxelles", "macron-ecoles"}),
        ("annee:2020", {"vendanges"}),
        ("year:2022", {"poutine-moscou"}),
        ("mois:2021-06", {"otan-geneve", "stoltenberg-bruxelles"}),
        ('month:"juin 2021"', {"otan-geneve", "stoltenberg-bruxelles"}),
        ("otan lieu:moscou", {"poutine-moscou"}),
    ],
)
def test_fields(idx: Index, q: str, expected: set[str]) -> None:
    assert ids(idx, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("date:2021-06", {"otan-geneve", "stoltenberg-bruxelles"}),
        ('date:"juin 2021"', {"otan-geneve", "stoltenberg-bruxelles"}),
        ('date:"16 juin 2021"', {"otan-geneve"}),
        ("date:2021-06-16", {"otan-geneve"}),
        ("date:2021-06-01..2021-06-30", {"otan-geneve", "stoltenberg-bruxelles"}),
        ("date:>2021", {"poutine-moscou"}),
        ("date:<=2021-06 otan", {"otan-geneve", "stoltenberg-bruxelles"}),
        ("date:<2021", {"vendanges"}),
        ("otan date:2022", {"poutine-moscou"}),
    ],
)
def test_dates_in_queries(idx: Index, q: str, expected: set[str]) -> None:
    assert ids(idx, q) == expected


def test_since_until_accept_french_forms(idx: Index) -> None:
    assert ids(idx, "otan", since="juin 2021", until="30 juin 2021") == {"otan-geneve", "stoltenberg-bruxelles"}
    assert ids(idx, "", since="2022") == {"poutine-moscou"}
    with pytest.raises(QuerySyntaxError):
        idx.search("otan", since="hier")


def test_prefix_and_fuzzy(idx: Index) -> None:
    assert ids(idx, "stolt*") == {"otan-geneve", "stoltenberg-bruxelles"}
    assert ids(idx, "sécuri*") == {"otan-geneve"}  # folded: matches "sécurité"
    assert ids(idx, "vendang*") == {"vendanges"}
    assert ids(idx, "stoltenbreg~") == {"otan-geneve", "stoltenberg-bruxelles"}
    assert ids(idx, "stoltenbreg~1") == set()  # a swap is two edits for the index automaton
    assert ids(idx, "stoltenbreg") == set()


def test_stray_quotes_are_forgiven(idx: Index) -> None:
    assert ids(idx, '"etats unis') == ids(idx, "etats unis") != set()
    assert ids(idx, 'secrétaire général »') == ids(idx, "secrétaire général") != set()
    assert ids(idx, "(otan OR nato") == ids(idx, "otan OR nato") != set()
    assert ids(idx, "sommet) otan") == ids(idx, "sommet otan") != set()
    assert ids(idx, "Sommet:Genève") == ids(idx, "sommet genève") != set()  # not a field: capitalised


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("foo:bar", "unknown field 'foo' (known fields: titre/title"),
        ("AND otan", "AND needs a term before it"),
        ("otan OU", "OU needs a term after it"),
        ("otan SAUF", "SAUF needs a term after it"),
        ("titre: otan", "needs a value right after the colon"),
        ("()", "empty parentheses"),
        ("date:hier", "cannot understand the date 'hier'"),
        ("a*b", "only allowed at the end of a word"),
        ("s*", "at least 2 letters"),
        ("biden~7", "fuzzy distance"),
    ],
)
def test_syntax_errors_say_what_and_where(idx: Index, q: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        idx.search(q)
    text = str(info.value)
    assert message in text
    assert "at column" in text and "\n" not in text
    assert info.value.exit_code == 2


def compiled(text: str) -> Compiled:
    return Compiler().compile(parse(text))


def test_error_column_points_at_the_problem() -> None:
    with pytest.raises(QuerySyntaxError, match="at column 6 "):
        parse("otan () etats unis")
    with pytest.raises(QuerySyntaxError, match="at column 10 "):
        parse("biden OU lieux:geneve")


def test_forgiving_punctuation() -> None:
    assert compiled("Paris - Berlin").strict == compiled("Paris Berlin").strict
    assert compiled("Attention: otan").strict == compiled("attention otan").strict
    assert compiled("https://example.org").strict is not None  # not an unknown field
    assert compiled("Saint-Denis").strict == compiled('"saint denis"').strict


def test_parsed_shapes() -> None:
    p = compiled("biden poutine -genève")
    assert isinstance(p.strict, query.And)
    assert any(isinstance(s, query.Not) for s in p.strict.subqueries)
    assert isinstance(p.loose, query.AndNot)
    assert compiled("").browse
    assert [w.text for w in p.tree.words] == ["biden", "poutine", "genève"]


def test_suggestions(idx: Index) -> None:
    r = idx.search("stoltenbreg")
    assert r.total == 0 and r.suggestion == "stoltenberg"
    fixed = idx.search("stoltenbreg", correct=True)
    assert fixed.query == "stoltenberg" and fixed.total == 2 and fixed.suggestion == "stoltenberg"
    r = idx.search("vendanjes bourgogne")
    assert r.suggestion == "vendanges bourgogne"
    assert idx.search("secretaire general otan").suggestion is None  # found: nothing to suggest
    assert idx.search("titre:stoltenbreg").suggestion == "titre:stoltenberg"  # fields kept
    assert idx.search("stoltenbreg", suggest=False).suggestion is None


def test_suggestion_is_a_real_accented_word(idx: Index) -> None:
    assert idx.search("vendanjés").suggestion == "vendanges"
    assert idx.search("temperatre").suggestion == "température"


def test_sort(idx: Index) -> None:
    newest = [h.id for h in idx.search("otan", sort="-date").hits]
    assert newest == ["poutine-moscou", "otan-geneve", "stoltenberg-bruxelles"]
    oldest = [h.id for h in idx.search("otan", sort="date").hits]
    assert oldest == list(reversed(newest))
    assert [h.id for h in idx.search("").hits][0] == "poutine-moscou"  # browsing: newest first
    assert idx.search("stoltenberg").hits[0].id == "stoltenberg-bruxelles"  # relevance: in the title
