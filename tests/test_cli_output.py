"""Every command writes through one output function: plain, --json (one document) or --jsonl (one object
per line), the same records either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from search_fixture import build
from typer.testing import CliRunner

from searchidx.cli import app
from searchidx.errors import Exit

runner = CliRunner()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-output") / "index"
    build(str(path)).close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"SEARCHIDX_TTY": "0"})
    return result.exit_code, result.stdout


@pytest.mark.parametrize("command", [
    ["search", "otan", "--facet", "person"], ["facets", "person"], ["show", "otan-geneve"], ["stats"],
])
def test_json_and_jsonl_carry_the_same_records(index_dir: Path, command: list[str]) -> None:
    code, whole = run(*command, "--index", str(index_dir), "--json")
    assert code == 0
    code, lines = run(*command, "--index", str(index_dir), "--jsonl")
    assert code == 0
    document = json.loads(whole)
    rows = [json.loads(line) for line in lines.splitlines()]
    if command[0] == "search":
        assert rows[: len(document["hits"])] == document["hits"]
        facet_rows = rows[len(document["hits"]):]
        assert [(r["value"], r["count"]) for r in facet_rows] == [
            (v["value"], v["count"]) for v in document["facets"]["person"]]
    elif isinstance(document, list):
        assert rows == document and rows
    else:
        assert rows == [document]


@pytest.mark.parametrize("command", [["analyze", "Les États-Unis"], ["entities", "M. Macron à Marseille."]])
def test_commands_without_an_index_have_jsonl_too(command: list[str]) -> None:
    code, whole = run(*command, "--json")
    code2, line = run(*command, "--jsonl")
    assert code == code2 == 0
    document = json.loads(whole)
    rows = [json.loads(x) for x in line.splitlines()]
    if command[0] == "analyze":
        assert rows == [document] and document == ["etat", "etatsun", "unis"]
    else:  # one row per article, named by its id
        assert rows == [{"id": "text", **document}] and document["place"] == ["Marseille"]


def test_json_and_jsonl_together_are_refused(index_dir: Path) -> None:
    result = runner.invoke(app, ["stats", "--index", str(index_dir), "--json", "--jsonl"])
    assert result.exit_code == Exit.USAGE and "--json or --jsonl" in result.stderr
