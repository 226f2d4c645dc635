"""Tests of searchidx.corpus: formats, cleaning, ids, dates, and hostile input reported once each."""

from __future__ import annotations

import gzip
import json
import os
import time
import unicodedata
from pathlib import Path

import pytest

from searchidx import corpus
from searchidx.cleaning import clean_line
from searchidx.corpus import (
    clean_text,
    file_digest,
    iter_articles,
    iter_files,
    parse_date,
    parse_text_article,
    read_file,
)
from searchidx.errors import InputError
from searchidx.models import Article, Problem

REPO = Path(__file__).resolve().parents[1]
GIVEN = REPO / "corpus" / "000_b79cdb675a26dda6.txt"
SHARED_DATA = Path(__file__).parents[1] / "../shared/data"
ORANGESUM = SHARED_DATA / "news" / "orangesum.jsonl.gz"


def collect(paths: list[Path | str]) -> tuple[list[Article], list[Problem]]:
    problems: list[Problem] = []
    articles = list(iter_articles(paths, problems.append))
    return articles, problems


def by_id(articles: list[Article]) -> dict[str, Article]:
    return {a.id: a for a in articles}


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path so Problem paths are short and relative."""
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------------------------------------- the given article


def test_given_article_is_cleaned() -> None:
    [article] = list(read_file(GIVEN, GIVEN.parent))
    assert article.id == "000_b79cdb675a26dda6.txt"
    assert article.path == "000_b79cdb675a26dda6.txt"
    assert article.title == "Les États-Unis et l'OTAN conviennent de « contenir » la Russie"
    assert "![" not in article.body and "]()" not in article.body
    assert not any(line.rstrip().endswith("|") for line in article.body.split("\n"))
    assert "Le secrétaire général de l'OTAN, Jens Stoltenberg." in article.body.split("\n")
    assert article.body.startswith("Le secrétaire général de l'OTAN, Jens Stoltenberg, a déclaré")
    assert article.body.endswith("des sommets avec l'UE et l'OTAN.")
    assert "\n\n" not in article.body
    assert article.date is None and article.source is None
    assert unicodedata.is_normalized("NFC", article.body)


def test_bundled_corpus_reads_without_problems() -> None:
    articles, problems = collect([REPO / "corpus"])
    assert problems == []
    assert len(articles) >= 1
    assert len({a.id for a in articles}) == len(articles)
    for a in articles:
        assert a.title and a.body
    # No title names Stoltenberg (the given article's body is the one about him), so it ranks first.
    assert [a.id for a in articles if "Stoltenberg" in a.title] == []


# ------------------------------------------------------------------------------------------------- cleaning


def test_clean_text_debris_and_whitespace() -> None:
    raw = (
        "  Premier   paragraphe\tavec\t\tdes espaces.  \n"
        "\n\n\n\n"
        "![]() |\n"
        "![Une photo](https://example.org/a.jpg)\n"
        "Une légende de photo. |\n"
        "| --- | --- |\n"
        "Voir [le site](https://example.org) pour plus.\n"
        "## Un intertitre\n"
        "Dernier\u00a0paragraphe."
    )
    assert clean_text(raw) == (
        "Premier paragraphe avec des espaces.\n"
        "Une légende de photo.\n"
        "Voir le site pour plus.\n"
        "Un intertitre\n"
        "Dernier\u00a0paragraphe."
    )


def test_clean_text_controls_newlines_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Sécurité à l'Élysée, cœur")
    assert decomposed != "Sécurité à l'Élysée, cœur"
    assert clean_text(decomposed) == "Sécurité à l'Élysée, cœur"
    assert clean_text("a\x00b\x07c\x1b\x7fd\u200be\ufefff\u00adg") == "abcdefg"
    assert clean_text("un\r\ndeux\rtrois\u2028quatre\x0cfin") == "un\ndeux\ntrois\nquatre\nfin"
    assert clean_text("") == "" and clean_text(" \n\t\n") == ""


def test_clean_text_splits_glued_sentences_only() -> None:
    assert clean_text("vers les Pyrénées.Alors il part") == "vers les Pyrénées.\nAlors il part"
    assert clean_text("en médecine.L'enveloppe") == "en médecine.\nL'enveloppe"
    assert clean_text('a-t-il dit".Le ministre') == 'a-t-il dit".\nLe ministre'
    # Acronyms, decimals, honorifics and domain names stay whole.
    for text in ("l'O.N.U. et M.Macron", "839.000 euros, 8,5 %", "sur orange.fr", "U.S.A. Today"):
        assert clean_text(text) == text


def test_clean_text_strips_html_tags_and_decodes_references() -> None:
    # Titles as scraped from Wikipedia (PIAF's corpus holds 136 such titles in 1,518)
    assert clean_line('Charles <abbr class="abbr" title="premier">I<sup>er</sup></abbr> (roi d\'Angleterre)') \
        == "Charles Ier (roi d'Angleterre)"
    assert clean_line('<span class="nowrap">Pie <abbr title="7"><span style="x:y">VII</span></abbr></span>') \
        == "Pie VII"
    assert clean_line("<i>Les Guignols de l'info</i>") == "Les Guignols de l'info"
    # block elements end a line; comments, scripts and styles go whole; references are decoded
    assert clean_text("un<br>deux<p>trois</p><!-- note --><script>var a = '<b>';</script>fin") \
        == "un\ndeux\ntrois\nfin"
    assert clean_text("caf&eacute; &amp; th&#233;&#x21;") == "café & thé!"
    assert clean_line("Paris&nbsp;:  <b>Le</b> Monde") == "Paris\xa0: Le Monde"
    # "<" and "&" that are not markup stay
    for text in ("a < b et c<d", "AT&T et R&D", "&deg pas encodé", "<Paris> <bold>x</bold>", "x &unknown; y"):
        assert clean_text(text) == text


# ---------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-06-15", "2021-06-15"),
        ("2021-06-15T08:30:00Z", "2021-06-15"),
        ("2021-06-15T08:30:00.123+02:00", "2021-06-15"),
        ("2021-06-15 08:30", "2021-06-15"),
        ("15/06/2021", "2021-06-15"),
        ("5/6/2021", "2021-06-05"),
        ("16 juin 2021", "2021-06-16"),
        ("mercredi 1er décembre 2021", "2021-12-01"),
        ("3 févr. 2020", "2020-02-03"),
        ("16 Fevrier 2021", "2021-02-16"),
        ("2021-06", "2021-06"),
        ("2021", "2021"),
        ("31/02/2021", None),
        ("hier soir", None),
        ("2021-13-01", None),
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: str | None) -> None:
    assert parse_date(raw) == expected


# ------------------------------------------------------------------------------------------------ text files


def test_parse_text_article_with_header() -> None:
    text = (
        "\n\n# Un titre  de test\n"
        "Date: 16 juin 2021\n"
        "Source: Dépêche régionale\n"
        "Auteur: Lætitia Martin\n"
        "rubrique : Politique\n"
        "URL: https://example.org/a?b=c\n"
        "Chapeau: Un résumé.\n"
        "\n"
        "Premier paragraphe.\n\nSource: ceci est le corps, pas un en-tête.\n"
    )
    article = parse_text_article(text, "x.txt")
    assert article == Article(
        id="x.txt",
        title="Un titre de test",
        body="Premier paragraphe.\nSource: ceci est le corps, pas un en-tête.",
        date="2021-06-16",
        source="Dépêche régionale",
        url="https://example.org/a?b=c",
        author="Lætitia Martin",
        section="Politique",
        lede="Un résumé.",
    )
    assert parse_text_article("Titre\nId: mon-id\nCorps.", "x.txt").id == "mon-id"
    setext = parse_text_article("Titre\n=====\nCorps.", "y.md")
    assert (setext.title, setext.body) == ("Titre", "Corps.")


def test_text_and_markdown_files(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "sous dossier").mkdir(parents=True)
    (root / "a.txt").write_text("Titre A\nDate: 2021-06-15\nSource: X\n\nCorps A.\n", encoding="utf-8")
    (root / "sous dossier" / "Élysée été.md").write_text("# Titre B\n\nCorps *B*.\n", encoding="utf-8")
    (root / "c.txt").write_bytes(b"\xef\xbb\xbfTitre C\r\nCorps C.\r\n")  # BOM and CRLF: silent
    with gzip.open(root / "d.txt.gz", "wt", encoding="utf-8") as f:
        f.write("Titre D\nCorps D.")
    (root / "notes.pdf.bak").write_text("ignored")
    (root / ".cache").mkdir()
    (root / ".cache" / "hidden.txt").write_text("Hidden\nbody")
    (root / ".hidden.txt").write_text("Hidden\nbody")
    skipped: list[Path] = []
    problems: list[Problem] = []
    articles = list(iter_articles([root], problems.append, on_skip=skipped.append))
    assert problems == []
    assert [a.id for a in articles] == ["a.txt", "c.txt", "d.txt.gz", "sous dossier/Élysée été.md"]
    arts = by_id(articles)
    assert arts["a.txt"].date == "2021-06-15" and arts["a.txt"].source == "X"
    assert arts["a.txt"].body == "Corps A."
    assert arts["c.txt"].title == "Titre C" and arts["c.txt"].body == "Corps C."
    assert arts["d.txt.gz"].body == "Corps D."
    assert arts["sous dossier/Élysée été.md"].title == "Titre B"
    assert skipped == [root / "notes.pdf.bak"]


def test_nfd_file_name_gives_nfc_id(tmp_path: Path) -> None:
    name = unicodedata.normalize("NFD", "Élysée.txt")
    (tmp_path / name).write_text("T\nB")
    [article] = list(iter_articles([tmp_path]))
    assert article.id == "Élysée.txt"


# ------------------------------------------------------------------------------------------------ JSON files


def test_json_object_list_and_wrapper(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(
        json.dumps({"id": 42, "title": "Un", "text": "Corps un.", "date": "2020-01-02T10:00:00"})
    )
    (tmp_path / "list.json").write_text(
        json.dumps(
            [
                {"title": "Deux", "content": "Corps deux.", "source": "S", "author": ["A", "B"]},
                {"id": "x-3", "title": "Trois", "body": ["Para 1.", "Para 2."], "section": "Sport"},
            ]
        )
    )
    (tmp_path / "wrap.json").write_text(json.dumps({"articles": [{"title": "Quatre", "body": "B"}]}))
    (tmp_path / "noid.json").write_text(json.dumps({"title": "Cinq", "body": "B", "lede": "L", "url": " u "}))
    articles, problems = collect([tmp_path])
    assert problems == []
    arts = by_id(articles)
    assert set(arts) == {"42", "list.json#1", "x-3", "wrap.json#1", "noid.json"}
    assert arts["42"].date == "2020-01-02" and arts["42"].body == "Corps un." and arts["42"].path == "one.json"
    assert arts["list.json#1"].author == "A, B" and arts["list.json#1"].source == "S"
    assert arts["x-3"].body == "Para 1.\nPara 2." and arts["x-3"].section == "Sport"
    assert arts["noid.json"].lede == "L" and arts["noid.json"].url == "u"


def test_jsonl_ndjson_and_gz(tmp_path: Path) -> None:
    rows = [{"id": "a", "title": "A", "body": "Corps A."}, {"title": "B", "body": "Corps B."}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n"
    (tmp_path / "x.jsonl").write_text(text)
    (tmp_path / "y.ndjson").write_text(text)
    with gzip.open(tmp_path / "z.jsonl.gz", "wt") as f:
        f.write(text)
    articles, problems = collect([tmp_path])
    assert problems == []
    assert [(a.id, a.path, a.line) for a in articles] == [
        ("a", "x.jsonl", 1), ("x.jsonl#2", "x.jsonl", 2),
        ("a", "y.ndjson", 1), ("y.ndjson#2", "y.ndjson", 2),
        ("a", "z.jsonl.gz", 1), ("z.jsonl.gz#2", "z.jsonl.gz", 2),
    ]  # fmt: skip


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"title": "A", "body": "a"}\n{"title": "B", "body": "b"}\n')
    articles, problems = collect([tmp_path])
    assert problems == [] and [a.id for a in articles] == ["x.json#1", "x.json#2"]


def test_jsonl_long_first_chunk_boundary(tmp_path: Path) -> None:
    """Lines crossing the 8 KB sniffing boundary are read whole."""
    rows = [{"id": str(i), "title": f"T{i}", "body": "é" * (1000 + i * 37)} for i in range(40)]
    (tmp_path / "x.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    articles, problems = collect([tmp_path / "x.jsonl"])
    assert problems == []
    assert [len(a.body) for a in articles] == [1000 + i * 37 for i in range(40)]


# ---------------------------------------------------------------------------------------------------- inputs


def test_missing_input_raises_at_call_time(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope"):
        iter_articles([tmp_path / "nope"])
    with pytest.raises(InputError, match="nope"):
        iter_files(["nope"])


def test_iter_files_roots_order_and_dedup(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("T\nB")
    (tmp_path / "b" / "1.json").write_text("{}")
    (tmp_path / "a.txt").write_text("T\nB")
    files = list(iter_files([tmp_path, tmp_path / "a.txt"]))
    assert files == [
        (tmp_path / "a.txt", tmp_path),
        (tmp_path / "b" / "1.json", tmp_path),
        (tmp_path / "b" / "2.txt", tmp_path),
    ]
    assert list(iter_files([tmp_path / "b" / "2.txt"])) == [(tmp_path / "b" / "2.txt", tmp_path / "b")]


def test_file_digest(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("T\nB")
    d1 = file_digest(p)
    assert len(d1) == 32 and int(d1, 16) >= 0
    p.write_text("T\nB!")
    assert file_digest(p) != d1


# ----------------------------------------------------------------------------------------- hostile corpus


def build_hostile_corpus(root: Path) -> dict[str, str]:
    """Write good and bad files; return {id: title} of the articles that must still be yielded."""
    root.mkdir()
    good: dict[str, str] = {}

    def text_file(name: str, title: str, data: bytes | None = None) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if data is not None else f"{title}\nUn corps de texte.\n".encode())
        good[name] = title

    text_file("good.txt", "Bon article")
    text_file("avec espaces et accents é à.txt", "Nom exotique")
    text_file("bom.txt", "Avec BOM", b"\xef\xbb\xbfAvec BOM\nCorps.")
    text_file("cp1252.txt", "Élysée – été", "Élysée – été\nCœur « léger ».".encode("cp1252"))
    text_file("nul.txt", "Texte avec NUL", b"Texte avec NUL\nUn co\x00rps\x07 normal " + b"de texte. " * 30)
    (root / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (root / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_bytes(b"  \n\n\t\n")
    (root / "bad-date.txt").write_text("Date mauvaise\nDate: le jour d'après\n\nCorps.")
    good["bad-date.txt"] = "Date mauvaise"
    (root / "secret.txt").write_text("Secret\nCorps.")
    (root / "broken.gz.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage that is not deflate")
    (root / "notgzip.json.gz").write_text('{"title": "x", "body": "y"}')
    truncated = gzip.compress(b'{"title": "Tronque", "body": "x"}\n' * 2000)
    (root / "truncated.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    (root / "broken-link.txt").symlink_to(root / "does-not-exist.txt")
    (root / "loop1.txt").symlink_to(root / "loop2.txt")
    (root / "loop2.txt").symlink_to(root / "loop1.txt")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)  # a folder loop
    (root / "sub" / "ok.json").write_text('{"id": "sub-ok", "title": "Sous-dossier", "body": "Corps."}')
    good["sub-ok"] = "Sous-dossier"
    (root / "bad.json").write_text('{"title": "x", "body": ')
    (root / "types.json").write_text(
        json.dumps(
            [
                {"id": "t-42", "title": 42, "body": "Corps."},
                {"id": "t-null", "title": "Corps nul", "body": None},
                {"id": "t-none", "title": None, "body": ""},
                {"id": "t-obj", "title": "Objet", "body": "x", "source": {"a": 1}, "date": "jamais"},
                "not an object",
            ]
        )
    )
    good.update({"t-42": "42", "t-null": "Corps nul", "t-obj": "Objet"})
    lines = [
        json.dumps({"id": "l1", "title": "Ligne 1", "body": "a"}),
        "{not json",
        json.dumps({"id": "l3", "title": "Ligne 3\u0000", "body": "b\u0007c"}),
        "",
        "[1, 2]",
        json.dumps({"id": "l6", "title": "", "body": None}),
        json.dumps({"id": "l7", "title": "Ligne 7", "body": "x" * 100 + "a" * 100_000}),
    ]
    (root / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    good.update({"l1": "Ligne 1", "l3": "Ligne 3", "l7": "Ligne 7"})
    latin = (json.dumps({"id": "lat", "title": "Été", "body": "Cœur"}, ensure_ascii=False) + "\n").encode("cp1252")
    (root / "latin.jsonl").write_bytes(latin)
    good["lat"] = "Été"
    return good


EXPECTED_PROBLEMS = {
    ("binary.txt", None): "binary file",
    ("image.md", None): "binary file",
    ("empty.txt", None): "empty file",
    ("blank.md", None): "empty file",
    ("bad-date.txt", None): "unparseable date",
    ("secret.txt", None): "permission denied",
    ("broken.gz.jsonl.gz", None): "corrupt gzip",
    ("notgzip.json.gz", None): "corrupt gzip",
    ("truncated.jsonl.gz", None): "corrupt gzip data after line",
    ("broken-link.txt", None): "broken symbolic link",
    ("loop1.txt", None): "symbolic link loop",
    ("loop2.txt", None): "symbolic link loop",
    ("sub/up", None): "symbolic link loop",
    ("bad.json", 1): "invalid JSON",
    ("types.json", None): "",  # three records: checked below
    ("mixed.jsonl", 2): "invalid JSON",
    ("mixed.jsonl", 5): "expected a JSON object, got a list",
    ("mixed.jsonl", 6): "neither title nor body",
    ("latin.jsonl", 1): "decoded as cp1252",
    ("cp1252.txt", None): "decoded as cp1252",
}


def _deny_secret(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """chmod 000 does not stop root, so simulate the PermissionError where the file is opened."""
    secret = root / "secret.txt"
    secret.chmod(0)
    real_open = corpus._open_binary

    def fake_open(path: Path):  # type: ignore[no-untyped-def]
        if Path(path).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(corpus, "_open_binary", fake_open)


def test_hostile_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "hostile"
    good = build_hostile_corpus(root)
    _deny_secret(monkeypatch, root)
    started = time.perf_counter()
    articles, problems = collect([root])
    assert time.perf_counter() - started < 10  # no hang on link loops

    # Every good article is yielded, with the expected (cleaned) title; a truncated .gz gives its whole lines.
    truncated = [a for a in articles if a.path == "truncated.jsonl.gz"]
    articles = [a for a in articles if a.path != "truncated.jsonl.gz"]
    assert {a.id: a.title for a in articles} == good
    assert 0 < len(truncated) < 2000
    arts = by_id(articles)
    assert arts["cp1252.txt"].body == "Cœur « léger »."
    assert arts["nul.txt"].body.startswith("Un corps normal de texte.")
    assert arts["bom.txt"].title == "Avec BOM"
    assert arts["lat"].body == "Cœur"
    assert arts["l3"].body == "bc"
    assert arts["t-null"].body == ""
    assert arts["t-obj"].source is None and arts["t-obj"].date is None
    assert arts["bad-date.txt"].date is None
    assert len(arts["l7"].body) == 100_100  # very long token left to the analyzer

    # Every bad input is reported once, with the path as the user knows it and the line.
    keys = [(p.path, p.line) for p in problems]
    prefix = "hostile/"
    for p in problems:
        assert p.path.startswith(prefix), p
    counted = {(path[len(prefix) :], line): keys.count((path, line)) for path, line in keys}
    types = [p for p in problems if p.path == prefix + "types.json"]
    assert sorted(p.reason.split(":")[0] for p in types) == ["item 3", "item 4", "item 5"]
    assert "field 'source' is an object" in types[1].reason and "unparseable date 'jamais'" in types[1].reason
    for key, count in counted.items():
        if key[0] != "types.json":
            assert count == 1, (key, problems)
    assert set(counted) == set(EXPECTED_PROBLEMS), problems
    for p in problems:
        key = (p.path[len(prefix) :], p.line)
        assert EXPECTED_PROBLEMS[key] in p.reason, p
    [gz] = [p for p in problems if p.path == prefix + "truncated.jsonl.gz"]
    assert f"after line {len(truncated)}:" in gz.reason
    assert str(Problem("a.jsonl", "invalid JSON", 2)) == "a.jsonl:2: invalid JSON"


def test_problem_path_outside_cwd_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "empty.txt").write_bytes(b"")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _, problems = collect([tmp_path / "data"])
    assert problems == [Problem(str(tmp_path / "data" / "empty.txt"), "empty file")]


def test_explicit_unsupported_file_and_fifo(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    os.mkfifo(tmp_path / "pipe.txt")
    articles, problems = collect([tmp_path / "notes.pdf", tmp_path])
    assert articles == []
    assert [(p.path, p.reason.split(" (")[0]) for p in problems] == [
        ("notes.pdf", "unsupported file type"),
        ("pipe.txt", "not a regular file"),
    ]


def test_huge_article(tmp_path: Path) -> None:
    """A 50 MB article is read whole (and fast enough)."""
    para = ("Les négociations à Genève ont repris. " * 30 + "\n").encode()
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(b"Un article immense\n")
        for _ in range(50 * 2**20 // len(para)):
            f.write(para)
    started = time.perf_counter()
    articles, problems = collect([path])
    elapsed = time.perf_counter() - started
    assert problems == [] and len(articles) == 1
    assert articles[0].title == "Un article immense"
    assert len(articles[0].body.encode()) > 49 * 2**20
    assert elapsed < 30


def test_gzip_bad_encoding_is_reported_once_per_file(tmp_path: Path) -> None:
    rows = "".join(json.dumps({"title": f"É{i}", "body": "é"}, ensure_ascii=False) + "\n" for i in range(5))
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(rows.encode("latin-1")))
    articles, problems = collect([tmp_path])
    assert [a.title for a in articles] == [f"É{i}" for i in range(5)]
    assert len(problems) == 1 and problems[0].line == 1 and "cp1252" in problems[0].reason


# ------------------------------------------------------------------------------------ real data (optional)


@pytest.mark.skipif(not ORANGESUM.exists(), reason="evaluation data ../shared/data not available")
def test_stream_orangesum() -> None:
    problems: list[Problem] = []
    count = 0
    ids: set[str] = set()
    started = time.perf_counter()
    for article in iter_articles([ORANGESUM], problems.append):
        count += 1
        ids.add(article.id)
        assert article.id.startswith("orangesum-")
        assert article.title
    elapsed = time.perf_counter() - started
    assert count == 36_152 and len(ids) == count
    assert problems == []
    assert elapsed < 60
