"""A corpus of hostile files, indexed through the CLI: good articles in, each bad file or line reported once."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searchidx import corpus
from searchidx.cli import Exit, app
from searchidx.engines.whoosh.schema import SCHEMA_VERSION
from searchidx.index import Index

runner = CliRunner()
SENTENCE = "Le conseil municipal a voté le budget de la ville après un long débat sur les transports. "


def build_hostile(root: Path) -> tuple[Path, set[str], dict[str, int | None]]:
    """The hostile corpus: (folder, ids of the good articles, expected problems as {file name: line})."""
    c = root / "hostile corpus"
    c.mkdir()
    good: set[str] = set()
    bad: dict[str, int | None] = {}

    def text(name: str, content: str | bytes, ok: bool = True) -> Path:
        path = c / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        if ok:
            good.add(name)
        return path

    text("normal.txt", "Un titre normal\n\nUn corps normal sur la ville.\n")
    text("mon article été.txt", "Titre accentué\n\nL'été à Besançon.\n")  # spaces and non-ASCII in the name
    text("bom.txt", "\ufeffTitre avec BOM\n\nCorps après une marque d'ordre.\n")
    text("nul.txt", "Titre avec NUL\x00\n\nCorps\x00 avec des octets nuls.\n")
    text("controls.txt", "Titre\x07 avec contrôles\x1b\n\nCorps\x0c avec\x08 des caractères de contrôle.\n")
    text("long token.txt", "Jeton très long\n\n" + "x" * 200_000 + " fin.\n")
    # markup left open many times over: cleaning stays linear (a comment's or a script's end searched once)
    text("markup.txt", "<b>Titre</b> en gras\n\n" + "<!--" * 100_000 + "<script>" * 50_000 + '<a title="' * 50_000
         + "Corps.\n")
    text("cp1252.txt", "Élection à Noël – œuvre\n\nLe maire a dit « oui ».\n".encode("cp1252"))
    bad["cp1252.txt"] = None  # decoded with a fallback, and said so
    text("invalid utf8.txt", b"Titre cass\xc3\n\nCorps \xff\xfe valide ensuite.\n")
    bad["invalid utf8.txt"] = None
    text("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, ok=False)
    bad["binary.txt"] = None
    text("random.md", bytes(range(256)) * 40, ok=False)
    bad["random.md"] = None
    text("empty.txt", "", ok=False)
    bad["empty.txt"] = None
    text("blank.md", "  \n\n \t\n", ok=False)
    bad["blank.md"] = None
    text("big.txt", "Un article de 50 Mo\n\n" + SENTENCE * (50 * 2**20 // len(SENTENCE)) + "dernierMot\n")
    bad["big.txt"] = None  # indexed, but only its beginning, and said so
    lines = [
        json.dumps({"id": "l1", "title": "Ligne une", "body": "Texte."}),
        "{not json",
        json.dumps({"id": "l3", "title": 42, "body": "Un titre numérique."}),
        json.dumps([1, 2, 3]),
        json.dumps({"id": "l5", "title": "Sans corps", "body": None}),
        json.dumps({"id": "l6", "title": None, "body": None}),
        "",
        json.dumps({"id": "l8", "title": {"a": 1}, "body": "Titre de mauvais type."}),
    ]
    text("feed.jsonl", "\n".join(lines) + "\n", ok=False)
    good.update({"l1", "l3", "l5", "l8"})
    bad.update({"feed.jsonl:2": 2, "feed.jsonl:4": 4, "feed.jsonl:6": 6, "feed.jsonl:8": 8})
    records = [{"id": "j1", "title": "Liste", "body": ["a", "b"]}, {"id": 7, "body": "Id numérique"}]
    text("types.json", json.dumps(records), ok=False)
    good.update({"j1", "7"})
    text("broken.json", '{"title": "x", "body": ', ok=False)
    bad["broken.json"] = 1
    (c / "gz.jsonl.gz").write_bytes(gzip.compress(b'{"id": "g1", "title": "Gzip", "body": "ok"}\n')[:-12])
    # the stream is cut before the end of the record: no article
    bad["gz.jsonl.gz"] = None
    (c / "notes.pdf").write_bytes(b"%PDF-1.4")  # unsupported suffix inside a folder: silently ignored
    os.symlink(c / "nowhere.txt", c / "broken link.txt")
    bad["broken link.txt"] = None
    os.symlink(c, c / "loop")
    bad["loop"] = None
    return c, good, bad


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r".+?(:\d+)?: ", line) and " articles in " not in line]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], dict[str, int | None]]:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def run_index(folder: Path, ix: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["index", str(folder), "--index", str(ix), "--entities", "none", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def test_hostile_corpus(hostile: tuple[Path, set[str], dict[str, int | None]], tmp_path: Path) -> None:
    folder, good, bad = hostile
    code, err = run_index(folder, tmp_path / "ix")
    assert code == Exit.WARNINGS
    assert "Traceback" not in err
    lines = problem_lines(err)
    for key, line in bad.items():
        name = key.split(":")[0]
        where = f"{name}:{line}: " if line else f"{name}: "
        hits = [x for x in lines if where in x]
        assert len(hits) == 1, (key, hits)
    assert len(lines) == len(bad), lines
    assert any("decoded as cp1252" in x for x in lines)
    assert any("big.txt: article of" in x for x in lines)
    with Index.open(tmp_path / "ix") as idx:
        ids = {fields["id"] for _n, fields in idx.backend.searcher().reader().iter_docs()}
        assert ids == good | {"big.txt"}
        assert idx.search("Besançon").total == 1
        assert idx.search("budget").total == 1 and idx.search("dernierMot").total == 0
        got = idx.get("l3")
        assert got is not None and got.title == "42"
        nul = idx.get("nul.txt")
        assert nul is not None and "\x00" not in nul.title + nul.body


def test_strict_fails(hostile: tuple[Path, set[str], dict[str, int | None]], tmp_path: Path) -> None:
    folder, _good, _bad = hostile
    code, err = run_index(folder / "feed.jsonl", tmp_path / "ix", "--strict")
    assert code == Exit.NO_RESULT == 1
    assert "feed.jsonl:2: invalid JSON" in err


def test_clean_input_exits_0(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Titre\n\nCorps.\n", "utf-8")
    code, err = run_index(tmp_path / "c", tmp_path / "ix", "--strict")
    assert code == Exit.OK, err
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 0 problems" in err


def test_missing_input_touches_nothing(tmp_path: Path) -> None:
    code, err = run_index(tmp_path / "nope", tmp_path / "ix", "--rebuild")
    assert code == 2 and "no such file or folder" in err
    assert not (tmp_path / "ix").exists()


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, where chmod 000 does not stop reading: the refusal is simulated at open()."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "ok.txt").write_text("Titre\n\nCorps.\n", "utf-8")
    secret = tmp_path / "c" / "secret.txt"
    secret.write_text("Secret\n\nCorps.\n", "utf-8")
    real_open = corpus._open_binary

    def refusing(path: Path):  # type: ignore[no-untyped-def]
        if Path(path).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(corpus, "_open_binary", refusing)
    code, err = run_index(tmp_path / "c", tmp_path / "ix")
    assert code == Exit.WARNINGS
    assert [x for x in problem_lines(err) if "secret.txt" in x] == [f"{corpus._display(secret)}: permission denied"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    secret = tmp_path / "c" / "secret.txt"
    secret.write_text("Secret\n\nCorps.\n", "utf-8")
    secret.chmod(0)
    code, err = run_index(tmp_path / "c", tmp_path / "ix")
    assert code == Exit.WARNINGS and "secret.txt: permission denied" in err


@pytest.mark.parametrize("damage", ["missing", "empty", "old schema", "previous schema", "truncated segment",
                                    "garbage meta"])
def test_damaged_index_gives_a_hint(tmp_path: Path, damage: str) -> None:
    ix = tmp_path / "ix"
    with Index.create(ix, entities="none") as idx:
        idx.add(Path(__file__).parent.parent / "corpus")
    if damage == "missing":
        ix = tmp_path / "elsewhere"
    elif damage == "empty":
        ix = tmp_path / "empty"
        ix.mkdir()
    elif damage in ("old schema", "previous schema"):  # previous: before the ranking fields (schema 4)
        meta = json.loads((ix / "searchidx.json").read_text())
        version = 0 if damage == "old schema" else SCHEMA_VERSION - 1
        (ix / "searchidx.json").write_text(json.dumps(meta | {"schema_version": version}))
    elif damage == "truncated segment":
        for seg in ix.glob("*.seg"):
            seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])
    else:
        (ix / "searchidx.json").write_text("[1, 2")
    result = runner.invoke(app, ["search", "otan", "--index", str(ix)])
    assert result.exit_code == Exit.NO_INDEX
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("Error: ")
    assert "searchidx index" in message
    if damage not in ("missing", "empty"):
        assert "--rebuild" in message
        code, err = run_index(Path(__file__).parent.parent / "corpus", ix, "--rebuild")
        assert code == Exit.OK, err
