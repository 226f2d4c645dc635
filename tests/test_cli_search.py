"""`searchidx search`, `facets`, `show` through typer's CliRunner: output shapes, exit codes, TTY vs pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from search_fixture import build
from typer.testing import CliRunner

from searchidx.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "index"
    build(str(path)).close()
    return path


def run(index_dir: Path, *args: str, tty: bool = False) -> tuple[int, str, str]:
    env = {"SEARCHIDX_TTY": "1" if tty else "0", "COLUMNS": "70", "NO_COLOR": ""}
    result = runner.invoke(app, [*args[:1], *args[1:], "--index", str(index_dir)], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_plain_output_when_piped(index_dir: Path) -> None:
    code, out, err = run(index_dir, "search", "stoltenberg")
    assert code == 0
    assert out.splitlines()[:3] == [
        "  1. Stoltenberg réunit les alliés à Bruxelles",
        "     14 juin 2021 · Le Monde · stoltenberg-bruxelles",
        "     #Jens Stoltenberg #OTAN #Bruxelles #Russie",
    ]
    assert out.splitlines()[3].startswith("     Jens *Stoltenberg* a ouvert le sommet de l'OTAN à Bruxelles.")
    assert "\x1b[" not in out
    assert err == "2 articles match; showing 1-2.\n"


def test_terminal_output(index_dir: Path) -> None:
    code, out, _ = run(index_dir, "search", "stoltenberg", "--facet", "place", "--limit", "1", tty=True)
    assert code == 0
    assert "\x1b[1mStoltenberg réunit les alliés à Bruxelles\x1b[0m" in out
    assert "\x1b[1;33mStoltenberg\x1b[0m" in out  # the match, highlighted
    assert "14 juin 2021" in out and "████" in out
    assert all(len(line) <= 70 for line in _strip(out).splitlines())  # fits the terminal width
    assert len([ln for ln in _strip(out).splitlines() if ln.startswith("     Jens")]) == 1  # two-line snippet


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_json_and_jsonl(index_dir: Path) -> None:
    code, out, _ = run(index_dir, "search", "otan", "--json", "--facet", "person", "--fields", "id,date")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 3 and data["suggestion"] is None
    assert data["hits"][0].keys() == {"id", "date"}
    assert {"value": "Jens Stoltenberg", "count": 2} in data["facets"]["person"]
    code, out, _ = run(index_dir, "search", "otan", "--jsonl", "--facet", "org", "--sort", "-date")
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["id"] for x in lines[:3]] == ["poutine-moscou", "otan-geneve", "stoltenberg-bruxelles"]
    assert lines[3] == {"facet": "org", "value": "OTAN", "count": 3}


def test_exit_codes(index_dir: Path, tmp_path: Path) -> None:
    assert run(index_dir, "search", "otan")[0] == 0
    assert run(index_dir, "search", "introuvable")[0] == 1
    code, _, err = run(index_dir, "search", "foo:bar")
    assert code == 2 and err.startswith("Error: unknown field 'foo'") and err.count("\n") == 1
    code, _, err = run(index_dir, "search", "otan ()")
    assert code == 2 and "empty parentheses" in err
    assert run(index_dir, "search", "otan", "--since", "hier")[0] == 2
    assert run(index_dir, "search", "otan", "--fields", "nope")[0] == 2
    assert run(index_dir, "search", "otan", "--sort", "nope")[0] == 2
    result = runner.invoke(app, ["search", "otan", "--index", str(tmp_path / "none")])
    assert result.exit_code == 3


def test_suggestion_and_correct(index_dir: Path) -> None:
    code, out, err = run(index_dir, "search", "stoltenbreg")
    assert code == 1 and out == ""
    assert "Vouliez-vous dire : stoltenberg ?" in err
    code, out, err = run(index_dir, "search", "stoltenbreg", "--correct", "--fields", "rank,id")
    assert code == 0
    assert "Résultats pour : stoltenberg (au lieu de : stoltenbreg)" in err
    assert out.split() == ["1.", "stoltenberg-bruxelles", "2.", "otan-geneve"]


def test_sort_and_dates(index_dir: Path) -> None:
    _, out, _ = run(index_dir, "search", "", "--since", "juin 2021", "--until", "30 juin 2021", "--sort", "date",
                    "--fields", "id")
    assert out.split() == ["stoltenberg-bruxelles", "otan-geneve"]
    _, out, _ = run(index_dir, "search", 'personne:"joe biden" OU lieu:moscou', "--fields", "id", "--sort", "-date")
    assert out.split() == ["poutine-moscou", "otan-geneve"]


def test_facets_command(index_dir: Path) -> None:
    code, out, _ = run(index_dir, "facets", "person", "--prefix", "sto")
    assert code == 0 and out.split() == ["2", "Jens", "Stoltenberg"]
    code, out, _ = run(index_dir, "facets", "place", "--jsonl", "--query", "otan")
    assert code == 0 and json.loads(out.splitlines()[0]) == {"value": "États-Unis", "count": 2}
    code, out, _ = run(index_dir, "facets", "place", "--limit", "2", tty=True)
    assert code == 0 and "Genève" in out and "█" in out
    assert run(index_dir, "facets", "nope")[0] == 2


def test_show(index_dir: Path) -> None:
    code, out, _ = run(index_dir, "show", "vendanges")
    assert code == 0
    assert out.splitlines()[:2] == ["Vendanges précoces en Bourgogne", "28 août 2020 · Ouest-France · vendanges"]
    code, out, _ = run(index_dir, "show", "vendanges", tty=True)
    assert "\x1b[1mVendanges précoces en Bourgogne\x1b[0m" in out
    assert json.loads(run(index_dir, "show", "vendanges", "--json")[1])["entities"]["place"] == ["Bourgogne", "Beaune"]
    assert run(index_dir, "show", "nope")[0] == 1


def test_version_help_and_completion() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("searchidx ")
    for command in ("search", "facets", "show", "index", "stats", "analyze", "entities"):
        help_text = runner.invoke(app, [command, "--help"]).stdout
        assert "Example" in help_text and f"searchidx {command}" in help_text, command
    from searchidx.cli import _complete_facet, _complete_pair

    assert _complete_facet("p") == ["person", "place"]
    assert _complete_pair("or") == ["org="]


def test_json_output_does_not_import_rich(index_dir: Path) -> None:
    code = (
        "import sys; from searchidx.cli import app\n"
        "try:\n    app(['search', 'otan', '--json', '--index', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, "SEARCHIDX_TTY": ""}
    done = subprocess.run([sys.executable, "-c", code, str(index_dir)], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).parent.parent, check=False)
    assert json.loads(done.stdout)["total"] == 3
    assert done.stderr.strip().endswith("False")
