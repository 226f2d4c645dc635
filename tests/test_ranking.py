"""The default ranking (`searchidx.ranking`): exact forms, word pairs, coordination, missing words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searchidx import Article, Index
from searchidx.cli import app
from searchidx.engines.whoosh import ranking

FILLER = "Le texte continue avec des phrases ordinaires sur la vie locale et les travaux de la commune."


def make(articles: list[tuple[str, str, str]]) -> Index:
    index = Index.create(None, entities="none")
    index.add([Article(id=i, title=t, body=b) for i, t, b in articles])
    return index


def order(index: Index, text: str, weights: ranking.Ranking | None = None) -> list[str]:
    saved = ranking.RANKING
    ranking.RANKING = weights or saved
    try:
        return [h.id for h in index.search(text, suggest=False, all_versions=True).hits]
    finally:
        ranking.RANKING = saved


def test_exact_form_fields_exist_and_reward_the_query_own_word() -> None:
    index = make([
        ("electif", "Mandat électif", f"Le conseil vote : électif. {FILLER}"),
        ("elections", "Mandat : élections", f"Le conseil vote : élections. {FILLER}"),
    ])
    reader = index.backend.searcher().reader()
    assert {"title_exact", "body_exact", "pairs"} <= set(index.backend.searcher().schema.names())
    assert b"elections" in set(reader.lexicon("body_exact")) and b"elect" in set(reader.lexicon("body"))
    # the same stem ("elect") scores both alike: without the exact fields the first indexed wins the tie
    assert order(index, "élections", ranking.Ranking(exact=0, pairs=0, coord=0, coverage=0)) == ["electif", "elections"]
    assert order(index, "élections") == ["elections", "electif"]
    assert order(index, "électif") == ["electif", "elections"]


def test_proximity_puts_the_words_together_first() -> None:
    far = f"Le sommet s'ouvre lundi. {FILLER} {FILLER} Ensuite vient la question du climat."
    near = f"Lundi s'ouvre le sommet du climat. {FILLER} {FILLER} Ensuite vient la question suivante."
    index = make([("far", "Une réunion", far), ("near", "Une réunion", near)])
    without = order(index, "sommet climat", ranking.Ranking(pairs=0))
    assert without[0] == "far"  # same words, same counts, same lengths: a tie, the first indexed wins
    assert order(index, "sommet climat") == ["near", "far"]
    assert order(index, "climat sommet") == ["near", "far"]  # pairs are unordered


def test_coordination_ranks_every_word_above_repetition_of_some() -> None:
    index = make([
        ("repeats", "Sommet, sommet", "Le sommet, le sommet et encore le sommet de l'Otan. " + FILLER),
        ("both", "Le sommet", f"Le sommet de l'Otan à Genève. {FILLER}"),
    ])
    hits = index.search("sommet genève", suggest=False).hits
    assert [h.id for h in hits] == ["both", "repeats"]
    assert hits[0].missing == () and hits[1].missing == ("genève",)


def test_coverage_rewards_the_rare_word_over_several_common_ones() -> None:
    body = f"Le vote du conseil de la commune a eu lieu. {FILLER}"
    common = [(f"n{i}", f"Séance numéro {i}", body) for i in range(8)]
    index = make([("geneve", "Une séance", f"Un accord est signé à Genève. {FILLER}"), *common])
    text = "vote du conseil de la commune à Genève"
    # counted word by word, three common words beat the one rare word...
    assert order(index, text, ranking.Ranking(coverage=0))[0] != "geneve"
    # ...weighted by idf, the article holding most of the query's idf comes first
    assert order(index, text)[0] == "geneve"


def test_an_article_of_the_day_the_query_names_comes_first() -> None:
    """Four versions of a story, alike in words: a query naming the day ("mardi 14 juin") puts the article
    published that day (or the next) first; one naming no day keeps their order."""
    body = f"Les alliés de l'Otan se réunissent à Madrid pour le sommet. {FILLER}"
    index = Index.create(None, entities="none")
    index.add([
        Article(id="later", title="Sommet de l'Otan", body=body, date="2022-06-20"),
        Article(id="undated", title="Sommet de l'Otan", body=body),
        Article(id="june", title="Sommet de l'Otan", body=body, date="2022-06"),  # no day: no reward
        Article(id="that-day", title="Sommet de l'Otan", body=body, date="2022-06-14"),
    ])
    text = "sommet de l'Otan"  # `order` shows every version: the four are copies of one story
    as_indexed = ["later", "undated", "june", "that-day"]
    assert order(index, f"{text} à Madrid") == as_indexed
    assert order(index, f"{text} mardi 14 juin") == ["that-day", "later", "undated", "june"]
    assert order(index, f"{text} mardi 14 juin", ranking.Ranking(date=0)) == as_indexed
    assert order(index, f"{text} mardi") == ["that-day", "later", "undated", "june"]
    assert order(index, f"{text} lundi") == ["later", "that-day", "undated", "june"]  # a Monday, then the next day
    assert order(index, f"{text} vendredi") == as_indexed


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranking") / "index"
    with Index.create(path, entities="none") as index:
        index.add([
            Article(id="otan-sommet", title="Le sommet de l'Otan", body=f"Les alliés de l'Otan au sommet. {FILLER}"),
            Article(id="otan", title="L'Otan", body=f"L'Otan renforce sa défense. {FILLER}"),
        ])
    return path


def test_missing_words_in_text_and_json(index_dir: Path) -> None:
    runner = CliRunner()
    env = {"SEARCHIDX_TTY": "0", "COLUMNS": "80"}
    text = runner.invoke(app, ["search", "otan sommet", "--index", str(index_dir)], env=env)
    assert text.exit_code == 0
    blocks = text.stdout.split("\n\n")
    assert "otan-sommet" in blocks[0] and "manque" not in blocks[0]
    assert "L'Otan" in blocks[1] and "manque : sommet" in blocks[1]
    assert "2 articles match (1 with every word)" in text.stderr
    data = json.loads(runner.invoke(app, ["search", "otan sommet", "--json", "--index", str(index_dir)],
                                    env=env).stdout)
    assert data["total"] == 2 and data["complete"] == 1
    assert [h["missing"] for h in data["hits"]] == [[], ["sommet"]]
    strict = json.loads(runner.invoke(app, ["search", "otan ET sommet", "--json", "--index", str(index_dir)],
                                      env=env).stdout)
    assert [h["id"] for h in strict["hits"]] == ["otan-sommet"]


def test_rich_output_marks_missing_words(index_dir: Path) -> None:
    result = CliRunner().invoke(app, ["search", "otan sommet", "--index", str(index_dir)],
                                env={"SEARCHIDX_TTY": "1", "COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0 and result.stdout.count("manque : sommet") == 1


def test_a_title_word_does_not_outweigh_the_article() -> None:
    """Each word is scored over the whole article (title + body as one text, one saturation): the article
    with both words in its text beats one repeating "sommet" in title and text, which Whoosh's per-field sum
    (a full BM25 for the title's word, another for the body's) ranked first."""
    index = make([
        ("repeats", "Le sommet", f"Le sommet s'ouvre. {FILLER}"),
        ("both", "Une réunion", f"Le sommet du climat. {FILLER}"),
    ] + [(f"other{i}", "Autre chose", FILLER) for i in range(4)])
    assert order(index, "sommet climat", ranking.Ranking(exact=0, pairs=0, coord=0))[:2] == ["both", "repeats"]
    searcher = index.backend.searcher()
    per_field = searcher.search(index.backend.compile("sommet climat").loose, limit=2)
    assert [searcher.stored_fields(h.docnum)["id"] for h in per_field] == ["repeats", "both"]


@pytest.mark.parametrize("text", ["sommet climat", "sommet de l'Otan à Genève climat", "le sommet sommet",
                                  "Otan inconnu", "et le de", 'climat "sommet de l\'Otan"', "Jean-Marc sommet",
                                  '"le climat" "sommet"'])
def test_plain_words_are_summed_sparsely_as_the_whole_query_would_score_them(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-``bincount`` path of plain words gives the matches, scores, complete matches and missing words
    of evaluating the any-word query as a whole."""
    index = make([
        ("a", "Le sommet de l'Otan", f"Le sommet de l'Otan à Genève, sur le climat. {FILLER}"),
        ("b", "Climat", f"Le climat, encore le climat. {FILLER}"),
        ("c", "Genève", f"Une ville, Genève, et un sommet. {FILLER}"),
        ("d", "Rien", FILLER),
        ("e", "Jean-Marc", f"Jean-Marc et Marc-Jean, au sommet. {FILLER}"),
    ])
    backend = index.backend
    parsed = backend.compile(text)
    collection = backend._arrays()
    sparse = ranking.rank(collection, parsed)
    assert sparse.counts is not None or not parsed.optional
    monkeypatch.setattr(ranking, "_word_clauses", lambda *_: None)
    whole = ranking.rank(collection, parsed)
    assert whole.counts is None
    assert (sparse.found.mask == whole.found.mask).all()
    assert sparse.found.scores == pytest.approx(whole.found.scores, rel=1e-12)
    assert (sparse.complete() == whole.complete()).all()
    assert [sparse.missing(d) for d in range(5)] == [whole.missing(d) for d in range(5)]


@pytest.mark.parametrize("text", ["sommet de l'Otan à Genève", "grève SNCF Île-de-France", "Saint-Étienne défaite",
                                  "l'O.N.U. et les États-Unis", "839.000 emplois en 2020", "aujourd'hui Œuvre"])
def test_plain_words_score_only_their_matches(corpus_index: Index, text: str) -> None:
    """Scores are not masked after summing plain words: every scored list (stems, exact forms, pairs) must lie
    within the words' documents, on real text with accents, elisions, acronyms, numbers and compounds."""
    backend = corpus_index.backend
    ranked = ranking.rank(backend._arrays(), backend.compile(text))
    assert ranked.counts is not None and ranked.found.mask.any()
    assert not ranked.found.scores[~ranked.found.mask].any()


def test_a_long_query_weighs_the_headline_it_paraphrases() -> None:
    """A pasted sentence (`Ranking.long_query` stems or more) ranks with a heavier title: the article whose
    headline holds its words comes before one that only repeats them in its body."""
    lede = "Les ministres réunis à Genève préparent le sommet du climat"
    index = make([
        ("body", "Une réunion", f"{lede}. Le sommet du climat à Genève. {FILLER}"),
        ("title", "Sommet du climat à Genève", f"Les ministres réunis préparent la réunion. {FILLER}"),
    ])
    assert ranking.RANKING.for_query(4) == ranking.RANKING
    assert ranking.RANKING.for_query(5).title == ranking.RANKING.long_title
    assert order(index, lede) == ["title", "body"]
    assert order(index, lede, ranking.Ranking(long_query=99)) == ["body", "title"]  # the short query's weights
