"""The French cases of ../shared/docs/FRENCH.md, as concrete asserts."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from searchidx import analysis as A
from searchidx.analysis import STOP_WORDS, analyze, fold, stem
from searchidx.engines.whoosh.analyzer import FrenchAnalyzer, analyzer

SNOWBALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "snowball-french"


def same(a: str, b: str) -> None:
    assert analyze(a) == analyze(b), (a, b)
    assert analyze(a), a


@pytest.mark.parametrize("apo", ["'", "\u2019", "\u02bc", "\u2018", "\uff07"])
@pytest.mark.parametrize("el", ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"])
def test_elision_every_apostrophe(el: str, apo: str) -> None:
    assert analyze(f"{el}{apo}OTAN") == analyze("otan") == ["otan"]
    assert analyze(f"{el.upper()}{apo}Europe") == analyze("europe")


@pytest.mark.parametrize("apo", ["'", "\u2019", "\u02bc", "\u2018", "\uff07"])
@pytest.mark.parametrize(("elided", "acronym"), [("l", "O.N.U."), ("L", "U.E."), ("d", "E.D.F."), ("qu", "U.S.A")])
def test_elided_dotted_acronym(elided: str, acronym: str, apo: str) -> None:
    term = acronym.replace(".", "").lower()
    assert analyze(f"{elided}{apo}{acronym}") == [term]
    assert analyze(f"la réunion de {elided}{apo}{acronym} à Genève") == ["reunion", term, "genev"]
    assert A.exact_terms(f"{elided}{apo}{acronym}") == [term]


def test_exact_forms_are_folded_not_stemmed() -> None:
    assert A.exact_terms("Les Élections de l’État et le marché") == ["elections", "etat", "marche"]
    assert analyze("élections") == analyze("électif") and analyze("marché") == analyze("marcher")  # stems merge
    assert A.exact_terms("l'O.N.U., 8,5 et 1 000") == ["onu", "8,5", "1000"]
    forms, stems = A.word_forms("Les États-Unis et l'OTAN")
    assert forms == ["etats", "etatsunis", "unis", "otan"] and stems == ["etat", "unis", "otan"]
    assert A.exact_terms("Les États-Unis", mode="query") == ["etats", "unis"]
    assert A.pairs(["sommet", "otan", "genev", "sommet"]) == [
        "otan sommet", "genev sommet", "genev otan", "otan sommet", "genev sommet"]


@pytest.mark.parametrize(
    ("word", "joined"),
    [
        ("aujourd'hui", "aujourdhui"),
        ("aujourd\u2019hui", "aujourdhui"),
        ("quelqu'un", "quelquun"),
        ("presqu'île", "presquile"),
        ("entr'acte", "entracte"),
    ],
)
def test_kept_whole(word: str, joined: str) -> None:
    assert analyze(word) == [stem(joined)]
    assert len(analyze(word)) == 1


def test_prudhommes_whole() -> None:
    assert analyze("prud'hommes") == analyze("prud’homme") == analyze("prudhommes")


def test_elided_compound_whole() -> None:
    assert analyze("d'aujourd'hui") == analyze("aujourd'hui")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("securite", "sécurité"),
        ("negociation", "négociations"),
        ("otan", "l'OTAN"),
        ("élysée", "elysee"),
        ("événements", "evenement"),
        ("geneve", "Genève"),
        ("Etienne", "Étienne"),
        ("ÉTATS", "etats"),
        ("coeur", "cœur"),
        ("Laetitia", "Lætitia"),
        ("sécurité", "se\u0301curite\u0301"),  # NFD input
        ("ONU", "O.N.U."),
        ("onu", "O.N.U"),
    ],
)
def test_accent_insensitive(a: str, b: str) -> None:
    same(a, b)


def test_fold() -> None:
    assert fold("Élysée") == "elysee"
    assert fold("cœur Lætitia") == "coeur laetitia"
    assert fold("« Genève » n° 5") == "« geneve » n° 5"  # unidecode per word, not on « or °
    assert fold("ÉTATS-UNIS") == "etats-unis"


def test_stop_words() -> None:
    for w in ("les", "dont", "cette", "plus", "le", "de", "à", "été" if "ete" in STOP_WORDS else "est"):
        assert fold(w) in STOP_WORDS
        assert analyze(w) == []
    assert all(w == fold(w) for w in STOP_WORDS)
    assert analyze("les élections de la République") == analyze("élections République")


def test_hyphen_compounds_query_forms() -> None:
    q = analyze("États-Unis", mode="query")
    assert q == analyze("etats-unis", mode="query") == analyze("Etats Unis", mode="query")
    assert q == analyze("etats unis")
    idx = analyze("États-Unis")
    assert set(q) < set(idx)  # index side adds the joined term
    assert stem("etatsunis") in idx
    assert analyze("etatsunis") == [stem("etatsunis")]
    assert analyze("Jean-Marie", mode="query") == analyze("jean marie")
    assert analyze("grands-pères", mode="query") == analyze("grand père")


def test_numbers() -> None:
    assert analyze("1 000") == analyze("1\u00a0000") == analyze("1\u202f000") == analyze("1000") == ["1000"]
    assert analyze("839.000") == ["839000"]
    assert analyze("8,5 %") == ["8,5"]
    assert analyze("16 juin 2021")[0] == "16"
    assert analyze("2021")[0] == "2021"
    assert analyze("1er") == [stem("1er")]


def test_glued_and_separators() -> None:
    assert analyze("Pyrénées.Alors") == analyze("Pyrénées") + analyze("Alors")
    assert analyze("« bonjour »\u00a0! voilà\u202f; ici\u00a0:") == analyze("bonjour voilà ici")


def test_long_tokens_dropped() -> None:
    assert analyze("x" * 61 + " maison") == analyze("maison")
    assert analyze("x" * 60) != []


def test_chars_map_back_to_original() -> None:
    text = "Selon l’OTAN, les États-Unis et Genève : aujourd'hui 1 000 O.N.U."
    toks = [(t.text, text[t.startchar : t.endchar]) for t in analyzer()(text, chars=True, mode="query")]
    assert toks == [
        (analyze("selon")[0], "Selon"),
        ("otan", "OTAN"),
        (stem("etats"), "États"),
        (stem("unis"), "Unis"),
        (stem("geneve"), "Genève"),
        (stem("aujourdhui"), "aujourd'hui"),
        ("1000", "1 000"),
        ("onu", "O.N.U."),
    ]
    for t in analyzer()("Les États-Unis", chars=True, start_char=10):
        assert t.startchar >= 13


def test_positions_and_tokens() -> None:
    toks = [(t.text, t.pos, t.boost) for t in analyzer()("Les États-Unis de l'Europe", positions=True)]
    assert toks == [
        (stem("etats"), 0, 1.0),
        (stem("etatsunis"), 0, 1.0),
        (stem("unis"), 1, 1.0),
        (stem("europe"), 2, 1.0),
    ]
    stopped = [(t.text, t.stopped) for t in analyzer()("les Alpes", removestops=False)]
    assert stopped == [("les", True), (stem("alpes"), False)]


def test_index_and_query_side_identity() -> None:
    text = "Le président de la République a rencontré l’OTAN à Genève, 8,5 % des 1 000 électeurs."
    assert analyze(text, mode="index") == analyze(text, mode="query")  # no compound: identical
    assert analyzer() is analyzer()
    assert isinstance(analyzer(), FrenchAnalyzer)
    assert pickle.loads(pickle.dumps(analyzer())) is analyzer()  # a stored schema reloads the same object


def test_tokenize_false() -> None:
    assert [t.text for t in analyzer()("Sécurité", tokenize=False)] == analyze("securite")


def _index(texts: list[str]) -> tuple[object, QueryParser]:
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=analyzer()))
    ix = RamStorage().create_index(schema)
    w = ix.writer()
    for i, t in enumerate(texts):
        w.add_document(id=str(i), body=t)
    w.commit()
    return ix, QueryParser("body", ix.schema)


@pytest.mark.parametrize(
    "q",
    [
        '"etats unis"',
        '"Etats Unis"',
        '"États-Unis"',
        "etats-unis",
        "États-Unis",
        "etatsunis",
        '"président République"',
        '"president de la republique"',
        "l'otan",
        "securite",
    ],
)
def test_whoosh_phrase_and_terms(q: str) -> None:
    ix, qp = _index(
        [
            "Les États-Unis et l'OTAN : le président de la République parle de sécurité.",
            "Les États membres et les unis du monde.",
        ]
    )
    with ix.searcher() as s:  # type: ignore[attr-defined]
        ids = [h["id"] for h in s.search(qp.parse(q))]
    assert "0" in ids
    if q.startswith('"') and "tat" in q:
        assert ids == ["0"]  # as a phrase: only the text with "États-Unis"


@pytest.mark.skipif(not SNOWBALL.is_dir(), reason="shared Snowball vocabulary absent")
def test_snowball_vocabulary_exact() -> None:
    voc = (SNOWBALL / "voc.txt").read_text(encoding="utf-8").split()
    out = (SNOWBALL / "output.txt").read_text(encoding="utf-8").split()
    assert len(voc) == len(out) == 21655
    diffs = [(w, A.snowball_stem(w), o) for w, o in zip(voc, out, strict=True) if A.snowball_stem(w) != o]
    assert diffs == []


def test_indexed_forms_is_the_analyzer_and_word_forms_in_one_pass() -> None:
    """Indexing reads a text once (`indexed_forms`): the positions equal the Whoosh analyzer's, the exact
    forms and stems equal `word_forms`' (elisions, compounds, acronyms, numbers and stop words included)."""
    from searchidx.analysis import indexed_forms, word_forms
    from searchidx.engines.whoosh.analyzer import analyzer

    text = ("L'O.N.U. et les États-Unis : aujourd'hui, 1 000 électeurs d'Île-de-France votent ; "
            "le marché, la marche et l'élection présidentielle de 2022. Le vote, le vote !")
    expected: dict[str, list[int]] = {}
    for token in analyzer()(text, positions=True, mode="index"):
        expected.setdefault(token.text, []).append(token.pos)
    positions, exacts, stems = indexed_forms(text)
    assert positions == expected and list(positions) == list(expected)
    assert (exacts, stems) == word_forms(text)
    assert len(positions) > 10 and "onu" in positions and any(len(at) > 1 for at in positions.values())
